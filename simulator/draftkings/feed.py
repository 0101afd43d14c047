"""Fan-out of price changes to websocket subscribers, and the wire faults in force.

Each game's tick calls `publish` once; the changes are added to every subscriber's
pending set and flushed as one update frame per subscriber. A subscriber that is
stalled, or whose socket buffer is backed up, keeps its pending changes and gets them
(coalesced) on a later tick, so one slow client never holds up a game's feed.
Subscribers that were sent the same thing share one encoded frame.

With the poison fault armed, a record may carry one poisoned value
(simulator/draftkings/poison.py); its selection is then due again, and goes out whole
and clean (a type 35 record) in the subscriber's next frame.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from simulator.draftkings import poison
from simulator.draftkings.wire import delta_record, full_record, update_frame
from simulator.game import Game, Price
from simulator.market import Market
from simulator.poison import Kind, Poison

BACKLOG_BYTES = 16 * 1024


@dataclass(eq=False, slots=True)
class Subscriber:
    ws: ServerConnection
    event_id: str
    sent: dict[str, Price] = field(default_factory=dict)  # what this connection was told
    pending: set[str] = field(default_factory=set)
    repeats: set[str] = field(default_factory=set)
    repairs: set[str] = field(default_factory=set)  # sent poisoned: due whole and clean
    stalled_until: float = 0.0

    def ready(self, now: float) -> bool:
        if self.stalled_until > now or self.ws.state is not State.OPEN:
            return False
        return self.ws.transport.get_write_buffer_size() < BACKLOG_BYTES

    def key(self) -> Hashable:
        """Subscribers with equal keys are due the same records."""
        return tuple(
            (sid, self.sent.get(sid), sid in self.repeats, sid in self.repairs)
            for sid in sorted(self.pending)
        )


class Built(NamedTuple):
    """An encoded update frame, its record count, and the poison its records carry."""

    frame: bytes
    records: int
    poisoned: dict[str, Kind]  # selection id -> kind


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
    def __init__(
        self, market: Market, repeat_probability: float, seed: int, poison: Poison
    ) -> None:
        self.market = market
        self.poison = poison
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
        frames: dict[Hashable, Built] = {}
        outgoing = []
        for subscriber in subscribers:
            subscriber.pending.update(changed)
            subscriber.pending.update(repeats)
            subscriber.repeats.update(repeats)
            if subscriber.pending and subscriber.ready(now):
                built = self._take_frame(subscriber, game, frames)
                if built.records:
                    outgoing.append((subscriber, built))
        for subscriber, built in outgoing:
            await self._send(subscriber, built)

    def _pick_repeat(self, game: Game) -> list[str]:
        """Now and then one quote to send again unchanged (never while frozen)."""
        if self.market.frozen or self._rng.random() >= self.repeat_probability:
            return []
        return [self._rng.choice(sorted(game.quotes))]

    def _take_frame(
        self, subscriber: Subscriber, game: Game, frames: dict[Hashable, Built]
    ) -> Built:
        """The frame of a subscriber's pending changes; marks them as sent (and the
        poisoned ones as due again)."""
        key = None if self.drift.active(game.event_id) else subscriber.key()
        built = frames.get(key) if key is not None else None
        if built is None:
            built = self._build(subscriber, game)
            if key is not None:
                frames[key] = built
        for sid in subscriber.pending:
            subscriber.sent[sid] = game.quotes[sid].price
        subscriber.pending = set(built.poisoned)
        subscriber.repairs = set(built.poisoned)
        subscriber.repeats.clear()
        return built

    def _build(self, subscriber: Subscriber, game: Game) -> Built:
        records: list[list[Any]] = []
        poisoned: dict[str, Kind] = {}
        sent_at: Any = None
        for sid in sorted(subscriber.pending):
            record = self._record(subscriber, game, sid)
            if record is None:
                continue
            if sid not in subscriber.repairs:
                record, kind = poison.dose(
                    self.poison, game, game.quotes[sid], record, dated=sent_at is None
                )
                if kind is Kind.BAD_DATE:
                    sent_at = self.poison.pick(poison.BAD_SENT_AT)
                if kind is not None:
                    poisoned[sid] = kind
            records.append(record)
        return Built(update_frame(records, sent_at) if records else b"", len(records), poisoned)

    def _record(self, subscriber: Subscriber, game: Game, sid: str) -> list[Any] | None:
        """A pending selection's record: whole the first time on this connection, under
        the schema fault and after a poisoned one; else its changes, if any."""
        quote, last = game.quotes[sid], subscriber.sent.get(sid)
        drift = self.drift.take(game.event_id)
        if last is None or drift or sid in subscriber.repairs:
            return full_record(game, quote, drift=drift)
        return delta_record(quote, last, repeat=sid in subscriber.repeats)

    async def _send(self, subscriber: Subscriber, built: Built) -> None:
        try:
            await subscriber.ws.send(built.frame)
        except ConnectionClosed:
            self.unsubscribe(subscriber)
            return
        self.stats.frames_sent += 1
        self.stats.records_sent += built.records
        self.poison.tally(built.poisoned.values())

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
