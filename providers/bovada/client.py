"""Bovada transport: the coupon JSON over httpx, odds over the Atmosphere websocket.

Every URL and header value comes from `settings.bovada`. Each websocket connection has
its own client id (a fresh uuid4 in the path), never a fixed one: Atmosphere keys its
subscriptions by it. No cookie or token is needed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK, WebSocketException
from websockets.protocol import State
from websockets.typing import Origin

from oddswatch.errors import TransportError
from oddswatch.settings import Settings
from providers.http import Http

from .parse import PROVIDER

logger = logging.getLogger(__name__)
# websockets logs every frame at DEBUG: its connections log here, never below INFO.
ws_logger = logging.getLogger(f"{__name__}.websocket")
ws_logger.setLevel(logging.INFO)

COUPON_PATH = "/services/sports/event/coupon/events/A/description"
# Live games are listed too (preMatchOnly=false): games in progress are monitored.
COUPON_PARAMS = {
    "marketFilterId": "def",
    "preMatchOnly": "false",
    "eventsLimit": "50",
    "lang": "en",
}
ATMOSPHERE_PARAMS = {
    "X-Atmosphere-tracking-id": "0",
    "X-Atmosphere-Framework": "3.1.0-javascript",
    "X-Atmosphere-Transport": "websocket",
}
WS_MAX_SIZE = 4 * 1024 * 1024  # bytes; a delta body is a few KB
UNSUBSCRIBE_TIMEOUT_S = 1.0


def coupon_url(site_url: str, league_path: str) -> str:
    return site_url.rstrip("/") + COUPON_PATH + "/" + league_path.strip("/")


def subscription_url(ws_url: str, client_id: str) -> str:
    """`{ws_url}/{client_id}?X-Atmosphere-...` (a query already on ws_url is kept first)."""
    parts = urlsplit(ws_url)
    query = "&".join(q for q in (parts.query, urlencode(ATMOSPHERE_PARAMS)) if q)
    path = f"{parts.path.rstrip('/')}/{client_id}"
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


class Socket:
    """One Atmosphere websocket; ends cleanly on a normal close, else TransportError."""

    def __init__(self, conn: ClientConnection, endpoint: str) -> None:
        self._conn, self._endpoint = conn, endpoint

    async def send(self, text: str) -> None:
        try:
            await self._conn.send(text)
        except ConnectionClosed as exc:
            raise self._closed(exc) from exc

    async def recv(self, timeout_s: float | None) -> bytes | None:
        """The next frame as bytes (text frames as their UTF-8), None on a normal close.

        `timeout_s` (None: wait as long as it takes) bounds the silence: a book that
        announced heartbeats and then sends nothing, not even a heartbeat, is stuck."""
        try:
            async with asyncio.timeout(timeout_s):
                return await self._conn.recv(decode=False)
        except ConnectionClosedOK:
            return None
        except ConnectionClosed as exc:
            raise self._closed(exc) from exc
        except TimeoutError:
            raise TransportError(
                f"no frame for {timeout_s:.1f}s (heartbeats missed)",
                provider=PROVIDER,
                endpoint=self._endpoint,
            ) from None

    async def finish(self, last: str | None = None) -> None:
        """Send `last` (best effort, bounded) if the connection is still open, then close."""
        if last is not None and self._conn.state is State.OPEN:
            try:
                await asyncio.wait_for(self._conn.send(last), UNSUBSCRIBE_TIMEOUT_S)
            except (ConnectionClosed, TimeoutError) as exc:
                logger.debug("last frame not sent", extra={"error": type(exc).__name__})
        await self._conn.close()

    def _closed(self, exc: ConnectionClosed) -> TransportError:
        code = exc.rcvd.code if exc.rcvd is not None else None
        return TransportError(
            f"websocket closed (code {code})", provider=PROVIDER, endpoint=self._endpoint
        )


class BovadaClient:
    """One HTTP pool for the coupon; one websocket per stream session."""

    def __init__(self, settings: Settings) -> None:
        self._bv = settings.bovada
        self._http = Http(PROVIDER, self._bv.http_timeout_s, self._bv.user_agent)

    async def coupon(self, league: str) -> Any:
        """The decoded coupon of a league (TransportError / ParseError when it fails)."""
        url = coupon_url(self._bv.site_url, self._bv.league_paths[league])
        headers = {"accept": "application/json", "referer": self._bv.site_url.rstrip("/") + "/"}
        return await self._http.get_json(url, headers=headers, params=COUPON_PARAMS)

    async def connect(self, client_id: str) -> Socket:
        url = subscription_url(self._bv.ws_url, client_id)
        try:
            conn = await connect(
                url,
                compression=None,
                max_size=WS_MAX_SIZE,
                open_timeout=self._bv.http_timeout_s,
                close_timeout=2.0,
                ping_interval=self._bv.ping_interval_s,
                ping_timeout=self._bv.ping_timeout_s,
                origin=Origin(self._bv.site_url.rstrip("/")),
                user_agent_header=self._bv.user_agent,
                logger=ws_logger,
            )
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise TransportError(
                f"websocket connect failed: {type(exc).__name__}", provider=PROVIDER, endpoint=url
            ) from exc
        return Socket(conn, url)

    async def aclose(self) -> None:
        await self._http.aclose()
