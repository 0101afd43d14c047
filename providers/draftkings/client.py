"""DraftKings transport: httpx for pages, categories and the token; Playwright (Debian
Chromium, or Playwright's own when `chromium_path` is empty) for the league page and the
`browser` token source; websockets for odds.

Every URL and header value comes from the settings group (`OW_DRAFTKINGS__*`). The
anonymous websocket token is held only here: it never appears in logs, reprs or exception messages.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import msgpack
import orjson

from oddswatch.errors import AuthError, ParseError, TransportError
from oddswatch.settings import Settings
from providers.browser import PlaywrightError, goto, league_hrefs
from providers.client import BookClient
from providers.websocket import Peer, Socket, open_socket

from .frames import RPC_ID
from .parse import PROVIDER, event_href_pattern
from .settings import DraftKingsSettings

logger = logging.getLogger(__name__)

WS_AUTH_CLOSE_CODE = 4001
_TOKEN_CAPTURE_S = 5.0


@dataclass(frozen=True, slots=True)
class Token:
    """A JWT and its expiry; its repr and str never show the value."""

    value: str = field(repr=False)
    expires_at: float

    def fresh(self, margin_s: float, now: float) -> bool:
        return now < self.expires_at - margin_s


def read_token(body: bytes) -> Token:
    """`{"token": "<jwt>"}` → Token with the JWT's `exp`, read without verifying.

    Errors never carry the body or the token.
    """
    try:
        data = orjson.loads(body)
        value = data["token"]
        claims = orjson.loads(base64.urlsafe_b64decode(value.split(".")[1] + "=="))
        exp = claims["exp"]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise ParseError("token response unreadable", provider=PROVIDER) from None
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        raise ParseError("token has no numeric exp", provider=PROVIDER)
    return Token(value, float(exp))


def subscribe_message(event_id: str, token: str, *, site: str, client_version: str) -> bytes:
    """The msgpack JSON-RPC subscribe request for one event; it carries the token."""
    query = {
        "query": f"$filter=id eq '{event_id}'",
        "initialData": False,
        "includeMarkets": "$filter=tags/all(t: t ne 'SportcastBetBuilder')",
        "projection": "sportsbook",
        "locale": "en",
    }
    metadata = {"feature": "event", "X-Client-Name": "web", "X-Client-Version": client_version}
    params = {
        "entity": "events",
        "queryParams": query,
        "forwardedHeaders": {},
        "clientMetadata": metadata,
        "jwt": token,
        "siteName": site,
    }
    message = {"jsonrpc": "2.0", "method": "subscribe", "id": RPC_ID, "params": params}
    return msgpack.packb(message)  # type: ignore[no-any-return]


class DraftKingsClient(BookClient[DraftKingsSettings]):
    """Holds one HTTP pool, one lazily started browser and the cached token."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(PROVIDER, settings, DraftKingsSettings)
        self._token: Token | None = None
        self._token_lock = asyncio.Lock()

    # -- HTTP -------------------------------------------------------------------------

    def api_headers(self) -> dict[str, str]:
        site = self.group.site_url.rstrip("/")
        return {
            "accept": "application/json",
            "origin": site,
            "referer": site + "/",
            "user-agent": self.group.user_agent,
            "x-client-name": "web",
            "x-client-version": self.group.client_version,
            "x-client-page": "Event",
            "x-client-feature": "event-page",
            "x-client-widget-name": "EventPageWidget",
            "x-client-widget-version": "2.4.0",
        }

    async def event_page(self, url: str) -> str:
        return (await self.http.get(url, headers={"accept": "text/html"})).text

    async def categories(self, event_id: str) -> Any:
        dk = self.group
        url = f"{dk.api_url}/api/sportscontent/{dk.site}/v1/events/{event_id}/categories"
        return await self.http.get_json(url, headers=self.api_headers())

    # -- browser ----------------------------------------------------------------------

    async def league_hrefs(self, league: str) -> list[str]:
        """The resolved event hrefs of a league page, read once the set stops growing."""
        url = self.league_url(league)
        pattern = event_href_pattern(self.group.site_url)
        try:
            async with self.browser.context() as context:
                page = await context.new_page()  # closed with its context
                return await league_hrefs(page, url, pattern, self.group.page_timeout_s, PROVIDER)
        except PlaywrightError as exc:
            raise TransportError("league page failed", provider=PROVIDER, endpoint=url) from exc

    # -- token ------------------------------------------------------------------------

    async def token(self) -> str:
        """A token good for at least `token_refresh_margin_s`; fetched when needed."""
        async with self._token_lock:
            if self._token is None or not self._token.fresh(
                self.group.token_refresh_margin_s, time.time()
            ):
                self._token = await self._fetch_token()
            return self._token.value

    def drop_token(self) -> None:
        """Forget the cached token (the server refused it)."""
        self._token = None

    async def _fetch_token(self) -> Token:
        source, url = self.group.token_source, self.group.token_url
        try:
            body = await (self._browser_token() if source == "browser" else self._http_token())
            token = read_token(body)
        except (TransportError, ParseError, PlaywrightError) as exc:
            # No `from exc`: a chained error could hold the response body.
            raise AuthError(
                f"token not obtained: {type(exc).__name__}", provider=PROVIDER, endpoint=url
            ) from None
        logger.info(
            "draftkings token fetched",
            extra={"source": source, "expires_in_s": round(token.expires_at - time.time())},
        )
        return token

    async def _http_token(self) -> bytes:
        site = self.group.site_url.rstrip("/")
        headers = {"accept": "application/json", "origin": site, "referer": site + "/"}
        return (await self.http.get(self.group.token_url, headers=headers)).content

    async def _browser_token(self) -> bytes:
        """Load the site and take the token response its scripts fetch; else ask for it."""
        wanted = self.group.token_url.split("?", 1)[0]
        async with self.browser.context() as context:
            page = await context.new_page()
            captured: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

            async def on_response(response: Any) -> None:
                if response.url.split("?", 1)[0] != wanted or captured.done():
                    return
                try:
                    body = await response.body()
                except PlaywrightError:
                    return  # the fallback below asks for the token itself
                if not captured.done():
                    captured.set_result(body)

            page.on("response", on_response)
            await goto(page, self.group.site_url, self.group.page_timeout_s, PROVIDER)
            try:
                return await asyncio.wait_for(captured, _TOKEN_CAPTURE_S)
            except TimeoutError:
                response = await context.request.get(self.group.token_url)
                if not response.ok:
                    raise TransportError(f"http status {response.status}") from None
                return await response.body()

    # -- websocket --------------------------------------------------------------------

    async def connect(self) -> Socket:
        """A websocket to `ws_url`; its connection logs (the subscribe frame carries the
        token) never go below INFO."""
        peer = Peer.of(PROVIDER, self.group, __name__, auth_close_code=WS_AUTH_CLOSE_CODE)
        return await open_socket(self.group.ws_url, peer)
