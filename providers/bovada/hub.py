"""One Atmosphere websocket shared by every Bovada stream of a provider instance.

A worker process holds one `Bovada` provider, so one hub and at most one connection per
process, however many games it monitors. `subscribe` connects when no connection is up
(under a lock, so concurrent sessions reconnect once; a fresh uuid4 client id each time)
and sends `SUBSCRIBE` for the first subscriber of a game. The hub's single reader task
handles the control frames (padding, handshake, heartbeats) and routes each `header|body`
message by its game (`parse.route`) to that game's subscriptions, each a queue.
A frame that names no game (an HTML page, bytes that are not UTF-8, a body that is not
JSON and has no topic) is counted in every subscribed stream's stats, since it could have
been any of theirs. `unsubscribe` sends `UNSUBSCRIBE` once, when the last subscriber of a
game leaves; the last subscriber of all leaves the socket open for `linger_s` so a quick
resubscribe reuses it. When the socket fails (closed, heartbeats missed) every
subscription receives the error; the next `subscribe` reconnects. See docs/bovada-wire.md.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from oddswatch.errors import ParseError, TransportError
from oddswatch.metrics import StreamStats
from oddswatch.model import utcnow
from providers.kit.guard import payload_text
from providers.warnings import FirstWarning
from providers.websocket import Socket

from . import parse
from .client import BovadaClient

logger = logging.getLogger(__name__)

LINGER_S = 5.0  # an unused socket stays open this long for a quick resubscribe
MISSED_HEARTBEATS = 3  # silence past this many announced heartbeat intervals = dead feed
MIN_SILENCE_S = 1.0
MAX_QUEUED = 10_000  # frames a session may leave unread before it is failed as too slow
SEND_TIMEOUT_S = 1.0  # bound on the best-effort UNSUBSCRIBE
MAX_LOG_KEYS = 64

Item = tuple[bytes, datetime] | TransportError


class Subscription:
    """One session's claim on a game: the hub puts the game's frames on `queue`."""

    def __init__(self, event_id: str, stats: StreamStats, conn: _Connection) -> None:
        self.event_id, self.stats, self.conn = event_id, stats, conn
        self.queue: asyncio.Queue[Item] = asyncio.Queue()
        self.ended = False  # failed or released: nothing more is queued

    def deliver(self, raw: bytes, received_at: datetime) -> None:
        if self.ended:
            return
        if self.queue.qsize() >= MAX_QUEUED:
            self.fail(TransportError("session fell behind the shared socket",
                                     provider=parse.PROVIDER))  # fmt: skip
            return
        self.queue.put_nowait((raw, received_at))

    def fail(self, error: TransportError) -> None:
        """Queue `error` after what is already queued; the session raises it there."""
        if not self.ended:
            self.ended = True
            self.queue.put_nowait(error)

    async def next(self) -> tuple[bytes, datetime]:
        """The game's next frame and its receipt time; TransportError once the socket failed."""
        item = await self.queue.get()
        if isinstance(item, TransportError):
            _raise_copy(item)
        return item


def _raise_copy(error: TransportError) -> NoReturn:
    """Raise a fresh copy (one per session: a shared instance would share tracebacks)."""
    fresh = type(error)(str(error))
    fresh.provider, fresh.endpoint, fresh.payload = error.provider, error.endpoint, error.payload
    raise fresh from error


class _Connection:
    """One websocket of the hub, what its handshake announced, and who is subscribed."""

    def __init__(self, socket: Socket, client_id: str, number: int) -> None:
        self.socket, self.client_id, self.number = socket, client_id, number
        self.subs: dict[str, list[Subscription]] = {}
        self.heartbeat = parse.HEARTBEAT
        self.heartbeat_s: float | None = None
        self.alive = True
        self.reader: asyncio.Task[None] | None = None

    def everyone(self) -> list[Subscription]:
        return [sub for subs in self.subs.values() for sub in subs]

    def add(self, sub: Subscription) -> bool:
        """Register `sub`; True when it is the game's first (SUBSCRIBE is due)."""
        subs = self.subs.setdefault(sub.event_id, [])
        subs.append(sub)
        return len(subs) == 1

    def remove(self, sub: Subscription) -> bool:
        """Unregister `sub`; True when it was the game's last (UNSUBSCRIBE is due)."""
        subs = self.subs.get(sub.event_id, [])
        if sub not in subs:
            return False
        subs.remove(sub)
        if subs:
            return False
        del self.subs[sub.event_id]
        return True

    def silence_limit_s(self) -> float | None:
        """How long the socket may stay silent (None until heartbeats were announced)."""
        if self.heartbeat_s is None:
            return None
        return max(MIN_SILENCE_S, MISSED_HEARTBEATS * self.heartbeat_s)

    def on_control(self, frame: parse.Frame, size: int) -> None:
        if frame.kind is parse.FrameKind.HANDSHAKE and frame.heartbeat_ms is not None:
            self.heartbeat = frame.heartbeat
            self.heartbeat_s = frame.heartbeat_ms / 1000 or None
        for sub in self.everyone():
            sub.stats.frames += 1
            sub.stats.bytes += size


@dataclass(slots=True)
class HubStats:
    connections: int = 0  # connections opened
    unroutable: int = 0  # frames that named no game (counted in every subscribed stream)
    unrouted: int = 0  # messages of a game nobody here subscribes to (late pushes)
    bugs: int = 0  # frames the routing failed on (counted in every subscribed stream)


class BovadaHub:
    def __init__(self, client: BovadaClient, linger_s: float = LINGER_S) -> None:
        self._client, self.linger_s = client, linger_s
        self.stats = HubStats()
        self._conn: _Connection | None = None
        self._lock = asyncio.Lock()
        self._linger: asyncio.Task[None] | None = None
        self._closed = False
        self._warnings = FirstWarning(logger, MAX_LOG_KEYS)

    @property
    def client_id(self) -> str | None:
        """The client id of the open connection (None when there is none)."""
        return self._conn.client_id if self._conn is not None else None

    async def subscribe(self, event_id: str, stats: StreamStats) -> Subscription:
        """Register a session for `event_id` on the shared socket, connecting it if needed."""
        async with self._lock:
            if self._closed:
                raise TransportError("bovada hub closed", provider=parse.PROVIDER)
            self._cancel_linger()
            conn = self._conn if self._conn is not None else await self._connect()
            sub = Subscription(event_id, stats, conn)
            if conn.add(sub):
                try:
                    await conn.socket.send(parse.subscribe_frame(event_id))
                except BaseException as exc:  # failed or cancelled: never leave it registered
                    self._drop(sub)
                    if isinstance(exc, TransportError):  # the socket is closed
                        self._fail(conn, exc)
                    raise
        logger.debug("bovada subscribed", extra={"event_id": event_id, "connection": conn.number})
        return sub

    async def unsubscribe(self, sub: Subscription) -> None:
        """Release `sub` (idempotent): UNSUBSCRIBE once when it was its game's last."""
        if not self._drop(sub):
            return
        try:
            frame = parse.unsubscribe_frame(sub.event_id)
            await asyncio.wait_for(sub.conn.socket.send(frame), SEND_TIMEOUT_S)
        except (TransportError, TimeoutError) as exc:
            logger.debug("bovada unsubscribe not sent", extra={"error": type(exc).__name__})

    def _drop(self, sub: Subscription) -> bool:
        """Unregister `sub`; True when it was its game's last on the live connection. The
        last subscription of all starts the grace period before the socket closes."""
        sub.ended = True
        conn = sub.conn
        last = conn.remove(sub) and conn.alive
        if last and not conn.subs:
            self._linger = asyncio.create_task(self._close_unused(conn), name="bovada:linger")
        return last

    async def aclose(self) -> None:
        """Close the socket; sessions still subscribed raise TransportError."""
        self._closed = True
        self._cancel_linger()
        if (conn := self._conn) is not None:
            self._fail(conn, TransportError("bovada hub closed", provider=parse.PROVIDER))
            await self._shutdown(conn)

    async def _connect(self) -> _Connection:
        client_id = str(uuid.uuid4())  # Atmosphere keys subscriptions by it: never reused
        socket = await self._client.connect(client_id)
        if self._closed:  # closed while connecting
            await socket.close()
            raise TransportError("bovada hub closed", provider=parse.PROVIDER)
        self.stats.connections += 1
        conn = _Connection(socket, client_id, self.stats.connections)
        conn.reader = asyncio.create_task(self._read(conn), name="bovada:reader")
        self._conn = conn
        logger.info("bovada websocket open", extra={"connection": conn.number})
        return conn

    async def _read(self, conn: _Connection) -> None:
        """The connection's one reader: route every frame until the socket fails."""
        try:
            while (raw := await conn.socket.recv(conn.silence_limit_s())) is not None:
                try:
                    self._route(conn, raw, utcnow())
                except Exception as exc:  # one frame never fails the socket of every game
                    self._bug(conn, raw, exc)
            error = TransportError("websocket closed by the book", provider=parse.PROVIDER)
        except TransportError as exc:
            error = exc
        except Exception as exc:  # a bug here must not leave the sessions waiting forever
            logger.exception("bovada reader failed", extra={"connection": conn.number})
            error = TransportError(f"reader failed: {type(exc).__name__}",
                                   provider=parse.PROVIDER)  # fmt: skip
        extra = {"connection": conn.number, "subscriptions": len(conn.everyone())}
        logger.warning("bovada websocket failed", extra=extra | {"error": str(error)})
        self._fail(conn, error)
        await conn.socket.close()

    def _route(self, conn: _Connection, raw: bytes, received_at: datetime) -> None:
        routed = parse.route(raw, conn.heartbeat)
        if routed.route is parse.Route.CONTROL and routed.frame is not None:
            conn.on_control(routed.frame, len(raw))
        elif routed.route is parse.Route.MESSAGE and routed.event_id is not None:
            subs = conn.subs.get(routed.event_id, [])
            for sub in subs:
                sub.deliver(raw, received_at)
            if not subs:
                self.stats.unrouted += 1
                logger.debug("bovada message of no subscriber", extra={"other": routed.event_id})
        else:
            self._unroutable(conn, raw, routed)

    def _unroutable(self, conn: _Connection, raw: bytes, routed: parse.Routed) -> None:
        """Counted in every subscribed stream (it could have been any of theirs):
        `parse_errors` when undecodable, `unknown_records` when readable."""
        self.stats.unroutable += 1
        undecodable = routed.route is parse.Route.UNDECODABLE
        for sub in conn.everyone():
            sub.stats.frames += 1
            sub.stats.bytes += len(raw)
            sub.stats.parse_errors += int(undecodable)
            sub.stats.unknown_records += int(not undecodable)
        key = type(routed.error).__name__ if routed.error is not None else routed.route.value
        payload = routed.error.payload if isinstance(routed.error, ParseError) else None
        extra = {"reason": key, "payload": payload, "unroutable": self.stats.unroutable,
                 "connection": conn.number}  # fmt: skip
        self._warnings.log(key, "bovada frame of no game", extra)

    def _bug(self, conn: _Connection, raw: bytes, exc: Exception) -> None:
        """A frame our routing failed on: a bug, counted in every subscribed stream (it
        could have been any of theirs) and logged with the frame whole; the socket goes on."""
        self.stats.bugs += 1
        for sub in conn.everyone():
            sub.stats.frames += 1
            sub.stats.bugs += 1
        extra = {"reason": "bug", "error_type": type(exc).__name__, "connection": conn.number,
                 "payload": payload_text(raw)}  # fmt: skip
        self._warnings.log(("bug", type(exc).__name__), "bovada frame not routed", extra,
                           logging.ERROR, exc)  # fmt: skip

    def _fail(self, conn: _Connection, error: TransportError) -> None:
        """Mark the connection dead and hand `error` to every subscription on it."""
        if not conn.alive:
            return
        conn.alive = False
        if self._conn is conn:
            self._conn = None
        for sub in conn.everyone():
            sub.fail(error)

    async def _close_unused(self, conn: _Connection) -> None:
        """After `linger_s`, close the socket if nobody subscribed again meanwhile."""
        await asyncio.sleep(self.linger_s)
        if conn.subs or not conn.alive:
            return
        self._linger = None  # from here on a subscribe connects anew instead of cancelling
        await self._shutdown(conn)

    async def _shutdown(self, conn: _Connection) -> None:
        """Retire the connection at once (a subscribe connects anew), then close it."""
        conn.alive = False
        if self._conn is conn:
            self._conn = None
        if conn.reader is not None:
            conn.reader.cancel()
            await asyncio.wait([conn.reader])
        await conn.socket.close()
        logger.info("bovada websocket closed", extra={"connection": conn.number})

    def _cancel_linger(self) -> None:
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
