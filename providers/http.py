"""One httpx pool per provider client, with the book's failures mapped to our errors.

A network failure or an HTTP status of 400 or more is a TransportError (401 and 403 an
AuthError, so a client can refresh what the book refused); a body that is not JSON is a
ParseError carrying the payload.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from oddswatch.errors import AuthError, ParseError, TransportError


class Http:
    def __init__(self, provider: str, timeout_s: float, user_agent: str) -> None:
        self.provider = provider
        self._timeout_s, self._user_agent = timeout_s, user_agent
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self._timeout_s,
                follow_redirects=True,
                headers={"user-agent": self._user_agent},
            )
        return self._client

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        try:
            response = await self.client.request(
                method, url, headers=headers, params=params, json=json
            )
        except httpx.HTTPError as exc:
            raise TransportError(
                f"http request failed: {type(exc).__name__}", provider=self.provider, endpoint=url
            ) from exc
        if response.status_code in (401, 403):
            raise AuthError(
                f"http status {response.status_code}", provider=self.provider, endpoint=url
            )
        if response.status_code >= 400:
            raise TransportError(
                f"http status {response.status_code}", provider=self.provider, endpoint=url
            )
        return response

    async def get(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        return await self.request("GET", url, headers=headers, params=params)

    async def get_json(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        response = await self.get(url, headers=headers, params=params)
        return self.decode(response, url)

    def decode(self, response: httpx.Response, url: str) -> Any:
        """A response body as JSON; a ParseError (with the payload) when it is not."""
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise ParseError(
                "response is not JSON",
                provider=self.provider,
                endpoint=url,
                payload=response.content,
            ) from None

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
