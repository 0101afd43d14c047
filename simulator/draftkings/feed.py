"""Fan-out of price changes to websocket subscribers, and the wire faults in force.

Each game's tick calls `publish` once; the changes are added to every subscriber's
pending set and flushed as one update frame per subscriber. A subscriber that is
stalled, or whose socket buffer is backed up, keeps its pending changes and gets them
(coalesced) on a later tick, so one slow client never holds up a game's feed.
Subscribers that were sent the same thing share one encoded frame.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from simulator.draftkings.wire import delta_record, full_record, update_frame
from simulator.game import Game, Price
from simulator.market import Market

BACKLOG_BYTES = 16 * 1024


@dataclass(eq=False, slots=True)
class Subscriber:
    ws: ServerConnection
    event_id: str
    sent: dict[str, Price] = field(default_factory=dict)  # what this connection was told
    pending: set[str] = field(default_factory=set)
    repeats: set[str] = field(default_factory=set)
    stalled_until: float = 0.0

    def ready(self, now: float) -> bool:
        if self.stalled_until > now or self.ws.state is not State.OPEN:
            return False
        return self.ws.transport.get_write_buffer_size() < BACKLOG_BYTES

    def key(self) -> Hashable:
        """Subscribers with equal keys are due the same records."""
        return tuple((sid, self.sent.get(sid), sid in self.repeats) for sid in sorted(self.pending))


@dataclass(slots=True)
class FeedStats:
    connections_total: int = 0
    frames_sent: int = 0
    records_sent: int = 0
    auth_failures: int = 0
    tokens_issued: int = 0
    http_requests: int = 0


@dataclass(slots=True)
class SchemaDrift:
    """While `left` > 0, records go out as 14-field type 35 (for one event or all)."""

    left: float = 0.0
    event_id: str | None = None

    def take(self, event_id: str) -> bool:
        if self.left <= 0 or self.event_id not in (None, event_id):
            return False
        self.left -= 1
        return True

    def active(self, event_id: str) -> bool:
        return self.left > 0 and self.event_id in (None, event_id)


class Feed:
    def __init__(self, market: Market, repeat_probability: float, seed: int) -> None:
        self.market = market
        self.repeat_probability = repeat_probability
        self.connections: set[ServerConnection] = set()
        self.subscribers: dict[str, set[Subscriber]] = {}
        self.stats = FeedStats()
        self.drift = SchemaDrift()
        self._rng = random.Random(seed)

    def subscribe(self, ws: ServerConnection, event_id: str) -> Subscriber:
        subscriber = Subscriber(ws, event_id)
        self.subscribers.setdefault(event_id, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        subscribers = self.subscribers.get(subscriber.event_id, set())
        subscribers.discard(subscriber)
        if not subscribers:
            self.subscribers.pop(subscriber.event_id, None)

    def subscription_count(self) -> int:
        return sum(len(subscribers) for subscribers in self.subscribers.values())

    async def publish(self, game: Game, changed: Iterable[str], *, force: bool = False) -> None:
        """Send a game's changes to its subscribers (all frames are built before any is sent).

        `force` sends the `changed` quotes even when a subscriber already has their price
        (a scripted move of an unchanged price must still go out, as a no-change record).
        """
        subscribers = self.subscribers.get(game.event_id)
        if not subscribers:
            return
        changed = list(changed)
        repeats = changed if force else self._pick_repeat(game)
        now = asyncio.get_running_loop().time()
        frames: dict[Hashable, tuple[bytes, int]] = {}
        outgoing = []
        for subscriber in subscribers:
            subscriber.pending.update(changed)
            subscriber.pending.update(repeats)
            subscriber.repeats.update(repeats)
            if subscriber.pending and subscriber.ready(now):
                frame, records = self._take_frame(subscriber, game, frames)
                if records:
                    outgoing.append((subscriber, frame, records))
        for subscriber, frame, records in outgoing:
            await self._send(subscriber, frame, records)

    def _pick_repeat(self, game: Game) -> list[str]:
        """Now and then one quote to send again unchanged (never while frozen)."""
        if self.market.frozen or self._rng.random() >= self.repeat_probability:
            return []
        return [self._rng.choice(sorted(game.quotes))]

    def _take_frame(
        self, subscriber: Subscriber, game: Game, frames: dict[Hashable, tuple[bytes, int]]
    ) -> tuple[bytes, int]:
        """The frame of a subscriber's pending changes; marks them as sent."""
        key = None if self.drift.active(game.event_id) else subscriber.key()
        frame = frames.get(key) if key is not None else None
        if frame is None:
            records = self._records(subscriber, game)
            frame = (update_frame(records) if records else b"", len(records))
            if key is not None:
                frames[key] = frame
        for sid in subscriber.pending:
            subscriber.sent[sid] = game.quotes[sid].price
        subscriber.pending.clear()
        subscriber.repeats.clear()
        return frame

    def _records(self, subscriber: Subscriber, game: Game) -> list[list[Any]]:
        records = []
        for sid in sorted(subscriber.pending):
            quote, last = game.quotes[sid], subscriber.sent.get(sid)
            drift = self.drift.take(game.event_id)
            if last is None or drift:
                records.append(full_record(game, quote, drift=drift))
            elif (
                record := delta_record(quote, last, repeat=sid in subscriber.repeats)
            ) is not None:
                records.append(record)
        return records

    async def _send(self, subscriber: Subscriber, frame: bytes, records: int) -> None:
        try:
            await subscriber.ws.send(frame)
        except ConnectionClosed:
            self.unsubscribe(subscriber)
            return
        self.stats.frames_sent += 1
        self.stats.records_sent += records

    def targets(self, event_id: str | None) -> list[ServerConnection]:
        """Open connections: all, or those subscribed to one event."""
        if event_id is None:
            return list(self.connections)
        return [subscriber.ws for subscriber in self.subscribers.get(event_id, ())]

    def stall(self, event_id: str | None, seconds: float) -> None:
        until = asyncio.get_running_loop().time() + seconds
        for subscribers in self.subscribers.values():
            for subscriber in subscribers:
                if event_id in (None, subscriber.event_id):
                    subscriber.stalled_until = until

    def set_drift(self, event_id: str | None, count: int | None) -> None:
        self.drift = SchemaDrift(math.inf if count is None else count, event_id)

    def clear(self) -> None:
        self.drift = SchemaDrift()
        for subscribers in self.subscribers.values():
            for subscriber in subscribers:
                subscriber.stalled_until = 0.0
