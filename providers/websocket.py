"""One client websocket of a book, with failures mapped to our errors.

`open_socket` connects (no compression, keepalive pings, the book's origin and user
agent) and raises TransportError when it cannot. A `Socket` ends quietly on a normal
close and raises TransportError otherwise (AuthError for the book's auth close code), so
the monitor reconnects with backoff. websockets logs every frame at DEBUG (subscribe
frames and their tokens included): `Peer.of` gives each book's connections a logger held
at INFO.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK, WebSocketException
from websockets.protocol import State
from websockets.typing import Origin

from oddswatch.errors import AuthError, TransportError
from providers.settings import SocketSettings

MAX_SIZE = 4 * 1024 * 1024  # bytes; a book's frame is a few KB
LAST_FRAME_TIMEOUT_S = 1.0


@dataclass(frozen=True, slots=True)
class Peer:
    """Who we are to a book's websocket server."""

    provider: str
    origin: str
    user_agent: str
    open_timeout_s: float
    ping_interval_s: float
    ping_timeout_s: float
    logger: logging.Logger
    auth_close_code: int | None = None

    @classmethod
    def of(
        cls, provider: str, group: SocketSettings, module: str, auth_close_code: int | None = None
    ) -> Peer:
        """From a book's settings group: its site as the origin, its user agent, its HTTP
        timeout to open, its pings; its connections log to `<module>.websocket` at INFO."""
        logger = logging.getLogger(f"{module}.websocket")
        logger.setLevel(logging.INFO)
        return cls(
            provider=provider,
            origin=group.site_url,
            user_agent=group.user_agent,
            open_timeout_s=group.http_timeout_s,
            ping_interval_s=group.ping_interval_s,
            ping_timeout_s=group.ping_timeout_s,
            logger=logger,
            auth_close_code=auth_close_code,
        )


async def open_socket(url: str, peer: Peer) -> Socket:
    try:
        conn = await connect(
            url,
            compression=None,
            max_size=MAX_SIZE,
            open_timeout=peer.open_timeout_s,
            close_timeout=2.0,
            ping_interval=peer.ping_interval_s,
            ping_timeout=peer.ping_timeout_s,
            origin=Origin(peer.origin.rstrip("/")),
            user_agent_header=peer.user_agent,
            logger=peer.logger,
        )
    except (OSError, TimeoutError, WebSocketException) as exc:
        raise TransportError(
            f"websocket connect failed: {type(exc).__name__}",
            provider=peer.provider,
            endpoint=url,
        ) from exc
    return Socket(conn, url, peer)


class Socket:
    def __init__(self, conn: ClientConnection, endpoint: str, peer: Peer) -> None:
        self._conn, self._endpoint, self._peer = conn, endpoint, peer

    async def send(self, data: bytes | str) -> None:
        try:
            await self._conn.send(data)
        except ConnectionClosed as exc:
            raise self._closed(exc) from exc

    async def recv(self, timeout_s: float | None = None) -> bytes | None:
        """The next frame as bytes (text frames as their UTF-8), None on a normal close.

        `timeout_s` (None: no limit) bounds the silence; exceeding it is a TransportError."""
        try:
            async with asyncio.timeout(timeout_s):
                return await self._conn.recv(decode=False)
        except ConnectionClosedOK:
            return None
        except ConnectionClosed as exc:
            raise self._closed(exc) from exc
        except TimeoutError:
            raise TransportError(
                f"no frame for {timeout_s:.1f}s",
                provider=self._peer.provider,
                endpoint=self._endpoint,
            ) from None

    async def frames(self) -> AsyncIterator[bytes]:
        """Frames until the connection ends (no receive limit: a dead peer is found by the
        keepalive pings, a quiet game is the monitor's idle limit)."""
        while (frame := await self.recv()) is not None:
            yield frame

    async def close(self, last: bytes | str | None = None) -> None:
        """Send `last` (best effort, bounded) if the connection is still open, then close."""
        if last is not None and self._conn.state is State.OPEN:
            try:
                await asyncio.wait_for(self._conn.send(last), LAST_FRAME_TIMEOUT_S)
            except (ConnectionClosed, TimeoutError) as exc:
                self._peer.logger.debug("last frame not sent", extra={"error": type(exc).__name__})
        await self._conn.close()

    def _closed(self, exc: ConnectionClosed) -> TransportError:
        code = exc.rcvd.code if exc.rcvd is not None else None
        auth = code is not None and code == self._peer.auth_close_code
        kind = AuthError if auth else TransportError
        return kind(
            f"websocket closed (code {code})", provider=self._peer.provider, endpoint=self._endpoint
        )
