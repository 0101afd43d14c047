"""The per-game state every source's stream is built on: payloads in, OddsUpdates out.

`GameState.feed(payload)` is the one entry point, live or replayed: the provider's
`decode` splits a payload into records (a payload it cannot read is one skip), then each
record goes through the provider's `apply`, one at a time, under the guard:

* `apply` reads the record against what the state remembers and returns a `Change`:
  the selection's new memory and, when there is something to report, the update. It
  must not touch the state: the change is committed only after the update passed the
  invariants, so a bad record leaves the state as it was and the next good record for
  the same selection applies.
* Any exception on one record is counted under its reason and the rest of the payload
  still applies; TransportError passes through (the connection must end).

`update(...)` builds an OddsUpdate of this game (provider, league, event id and the next
seq filled in). The state emits every price it reads; the monitor's change filter drops
repeats.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import datetime
from typing import ClassVar, Generic, NamedTuple, TypeVar

from oddswatch.errors import TransportError
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Market, OddsUpdate, PriceStatus, Selection, Side, utcnow

from .guard import Guard
from .invariants import violation
from .skips import Reason, Skip

R = TypeVar("R")  # one record as the provider's decode splits it
M = TypeVar("M")  # what the state remembers of one selection
T = TypeVar("T")

MAX_MEMORY = 5_000  # selections remembered per game (a game has a few dozen)


class Decoded(NamedTuple, Generic[R]):
    records: Sequence[R]
    source_ts: datetime | None = None


class Change(NamedTuple, Generic[M]):
    key: str  # the selection id
    memory: M
    update: OddsUpdate | None = None


class GameState(ABC, Generic[R, M]):
    provider: ClassVar[str]

    def __init__(self, event: Event, selections: Sequence[Selection], stats: StreamStats) -> None:
        self.event, self.stats = event, stats
        self.seq = 0
        self.memory: dict[str, M] = {}
        logger = logging.getLogger(type(self).__module__)
        context = {"event_id": event.event_id, "league": event.league}
        self.guard = Guard(self.provider, stats, logger, context)
        self._payload: bytes | str = b""
        for selection in selections:
            if selection.event_id == event.event_id:
                self.memory[selection.selection_id] = self.seed(selection)

    @abstractmethod
    def seed(self, selection: Selection) -> M:
        """What to remember of a scraped selection."""

    @abstractmethod
    def decode(self, payload: bytes | str, source_ts: datetime | None) -> Decoded[R]:
        """Split one payload into records; raise (ParseError, Skip, ...) when it cannot."""

    @abstractmethod
    def apply(
        self, record: R, source_ts: datetime | None, received_at: datetime
    ) -> Change[M] | None:
        """One record against the state, without changing it (see the module docstring)."""

    @property
    def next_seq(self) -> int:
        """The seq of the next update this state emits."""
        return self.seq + 1

    def update(
        self,
        market_id: str,
        selection_id: str,
        market: Market,
        side: Side,
        line: float | None,
        *,
        price: tuple[int, float],
        received_at: datetime,
        source_ts: datetime | None,
        status: PriceStatus = PriceStatus.OPEN,
        period: str = "game",
    ) -> OddsUpdate:
        """An update of this game, to be the next emitted: `price` is (American, decimal)."""
        event, (american, decimal) = self.event, price
        return OddsUpdate(self.provider, event.league, event.event_id, market_id, selection_id,
                          market, side, line, american, decimal, received_at, period, status,
                          source_ts, self.next_seq)  # fmt: skip

    def feed(
        self,
        payload: bytes | str,
        received_at: datetime | None = None,
        source_ts: datetime | None = None,
    ) -> list[OddsUpdate]:
        """One payload → its updates. Raises only TransportError."""
        received_at = received_at or utcnow()
        self.stats.frames += 1
        self.stats.bytes += len(payload)
        self._payload = payload
        try:
            decoded = self.decode(payload, source_ts)
        except TransportError:
            raise
        except Exception as exc:
            self.guard.failure(exc, payload)
            return []
        updates: list[OddsUpdate] = []
        for record in decoded.records:
            self.stats.records += 1
            try:
                change = self.apply(record, decoded.source_ts, received_at)
                if change is not None:
                    self._commit(change, updates)
            except TransportError:
                raise
            except Exception as exc:
                self.guard.failure(exc, payload)
        self.stats.updates += len(updates)
        return updates

    def split(self, items: Iterable[T], read: Callable[[T], list[R]]) -> list[R]:
        """The records of each item (e.g. the outcomes of each market), each item read
        under the guard: a bad item is counted and skipped, the others still apply."""
        records: list[R] = []
        for item in items:
            try:
                records += read(item)
            except TransportError:
                raise
            except Exception as exc:
                self.guard.failure(exc, self._payload)
        return records

    def note(self, reason: Reason, message: str, kind: Hashable = None, **fields: object) -> None:
        """Count a skip or a notice about the payload being fed (logged with it, the first
        time per reason, message and `kind`)."""
        self.guard.note(reason, message, self._payload, None, kind, **fields)

    def _commit(self, change: Change[M], updates: list[OddsUpdate]) -> None:
        update = change.update
        if update is not None and (broken := violation(update)) is not None:
            raise Skip(Reason.INVALID_VALUE, "update breaks an invariant", invariant=broken,
                       selection_id=update.selection_id)  # fmt: skip
        memory = self.memory
        memory.pop(change.key, None)  # re-insert: the dict's order is least recently changed
        memory[change.key] = change.memory
        if len(memory) > MAX_MEMORY:
            del memory[next(iter(memory))]
        if update is not None:
            self.seq += 1
            updates.append(update)


__all__ = ["Change", "Decoded", "GameState"]
