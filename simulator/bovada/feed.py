"""Bovada's Atmosphere connections: subscriptions, delta pushes, heartbeats and faults.

A connection may subscribe to several events. Each price change is added to the pending
set of every connection subscribed to its game and flushed as one delta frame per
(connection, event). A connection that is stalled, or whose socket buffer is backed up,
keeps its pending changes; its heartbeat loop flushes them (coalesced) once it is ready
again, and also pushes every outcome of a game whose status code (open / suspended /
closed) changed since that connection last heard of it.

With the poison fault armed, an outcome may carry one poisoned value
(simulator/bovada/poison.py); it is then due again, and goes out clean in the
connection's next push of its event.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from simulator.bovada import poison, view, wire
from simulator.game import Game, Quote
from simulator.poison import Kind, Poison

BACKLOG_BYTES = 16 * 1024


@dataclass(eq=False, slots=True)
class Conn:
    ws: ServerConnection
    client_id: str
    events: set[str] = field(default_factory=set)  # book event ids subscribed
    pending: dict[str, set[str]] = field(default_factory=dict)  # event id → model quote ids
    statuses: dict[str, str] = field(default_factory=dict)  # event id → status code sent
    repairs: dict[str, set[str]] = field(default_factory=dict)  # event id → sent poisoned
    stalled_until: float = 0.0

    def ready(self, now: float) -> bool:
        if self.stalled_until > now or self.ws.state is not State.OPEN:
            return False
        return self.ws.transport.get_write_buffer_size() < BACKLOG_BYTES


@dataclass(slots=True)
class FeedStats:
    connections_total: int = 0
    handshakes_refused: int = 0
    frames_sent: int = 0
    records_sent: int = 0  # outcomes pushed
    heartbeats_sent: int = 0
    subscribes: int = 0
    unsubscribes: int = 0
    bad_commands: int = 0  # unknown frames, unknown events, unsubscribes of nothing
    http_requests: int = 0


@dataclass(slots=True)
class SchemaDrift:
    """While `left` > 0, delta frames go out with re-shaped prices (one event or all)."""

    left: float = 0.0
    event_id: str | None = None

    def take(self, event_id: str) -> bool:
        if self.left <= 0 or self.event_id not in (None, event_id):
            return False
        self.left -= 1
        return True


class Feed:
    def __init__(self, game_for: Callable[[str], Game | None], poison: Poison) -> None:
        self.game_for = game_for
        self.poison = poison
        self.conns: set[Conn] = set()
        self.stats = FeedStats()
        self.drift = SchemaDrift()

    def open(self, ws: ServerConnection, client_id: str) -> Conn:
        conn = Conn(ws, client_id)
        self.conns.add(conn)
        self.stats.connections_total += 1
        return conn

    def close(self, conn: Conn) -> None:
        self.conns.discard(conn)

    def subscribers(self, event_id: str) -> int:
        return sum(event_id in conn.events for conn in self.conns)

    def subscriptions(self) -> int:
        return sum(len(conn.events) for conn in self.conns)

    def targets(self, event_id: str | None) -> list[Conn]:
        """Open connections: all, or those subscribed to one event."""
        return [conn for conn in self.conns if event_id is None or event_id in conn.events]

    def command(self, conn: Conn, frame: str | bytes) -> None:
        command = wire.parse_command(frame)
        game = None if command is None else self.game_for(command.event_id)
        if command is None or game is None:
            self.stats.bad_commands += 1
        elif command.action == "subscribe":
            conn.events.add(command.event_id)
            conn.statuses[command.event_id] = view.status_code(game)
            self.stats.subscribes += 1
        elif command.event_id in conn.events:
            conn.events.discard(command.event_id)
            conn.pending.pop(command.event_id, None)
            self.stats.unsubscribes += 1
        else:
            self.stats.bad_commands += 1  # e.g. a second UNSUBSCRIBE

    async def publish(self, event_id: str, changed: list[str]) -> None:
        conns = self.targets(event_id)
        for conn in conns:
            conn.pending.setdefault(event_id, set()).update(changed)
        await asyncio.gather(*(self.flush(conn) for conn in conns))

    async def flush(self, conn: Conn) -> None:
        """Send a connection's pending changes, one frame per event, if it is ready."""
        if not conn.ready(asyncio.get_running_loop().time()):
            return
        for event_id in list(conn.pending):
            quote_ids = conn.pending.pop(event_id)
            game = self.game_for(event_id)
            if game is None or not quote_ids or event_id not in conn.events:
                continue
            quotes = [game.quotes[sid] for sid in sorted(quote_ids)]
            frame, poisoned = self._frame(conn, game, event_id, quotes)
            conn.statuses[event_id] = view.status_code(game)
            if await self.send(conn, frame):
                self.stats.frames_sent += 1
                self.stats.records_sent += len(quotes)
                self.poison.tally(poisoned.values())
            if poisoned:
                conn.pending.setdefault(event_id, set()).update(poisoned)
                conn.repairs[event_id] = set(poisoned)

    def _frame(
        self, conn: Conn, game: Game, event_id: str, quotes: list[Quote]
    ) -> tuple[str, dict[str, Kind]]:
        """One event's push, and the poison its outcomes carry (selections sent poisoned
        last time go out clean)."""
        drift = self.drift.take(event_id)
        body = view.delta_body(game, event_id, quotes, drift=drift)
        clean = conn.repairs.pop(event_id, set())
        body, poisoned = poison.dose_body(self.poison, game, body, quotes, clean)
        return wire.message(event_id, body, poisoned=bool(poisoned)), poisoned

    async def beat(self, conn: Conn, interval_s: float) -> None:
        """Forever: status changes and held deltas, then the heartbeat (unless stalled)."""
        while True:
            await asyncio.sleep(interval_s)
            if not conn.ready(asyncio.get_running_loop().time()):
                continue
            self._queue_status_changes(conn)
            await self.flush(conn)
            if await self.send(conn, wire.HEARTBEAT):
                self.stats.heartbeats_sent += 1

    def _queue_status_changes(self, conn: Conn) -> None:
        for event_id in conn.events:
            game = self.game_for(event_id)
            if game is not None and conn.statuses.get(event_id) != view.status_code(game):
                conn.pending.setdefault(event_id, set()).update(game.quotes)

    @staticmethod
    async def send(conn: Conn, frame: str) -> bool:
        try:
            await conn.ws.send(frame)
        except ConnectionClosed:
            return False
        return True

    def stall(self, event_id: str | None, seconds: float) -> None:
        until = asyncio.get_running_loop().time() + seconds
        for conn in self.targets(event_id):
            conn.stalled_until = until

    def set_drift(self, event_id: str | None, count: int | None) -> None:
        self.drift = SchemaDrift(math.inf if count is None else count, event_id)

    def clear(self) -> None:
        self.drift = SchemaDrift()
        for conn in self.conns:
            conn.stalled_until = 0.0
