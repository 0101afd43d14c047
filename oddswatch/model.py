"""The domain model: one frozen, slotted record per concept crosses every boundary.

Times are timezone-aware UTC. Enumerations are str-valued so they serialize as-is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from oddswatch.teams import canonical_team_key, team_key


class Market(StrEnum):
    MONEYLINE = "moneyline"
    SPREAD = "spread"
    TOTAL = "total"
    OTHER = "other"


class Side(StrEnum):
    HOME = "home"
    AWAY = "away"
    OVER = "over"
    UNDER = "under"
    DRAW = "draw"
    OTHER = "other"


class PriceStatus(StrEnum):
    OPEN = "open"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    SUSPENDED = "suspended"
    FINAL = "final"
    CANCELLED = "cancelled"

    @property
    def is_over(self) -> bool:
        return self in (EventStatus.FINAL, EventStatus.CANCELLED)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_update_id() -> str:
    """A unique id made once at receipt: 128 random bits as 32 hex digits, which
    Postgres's uuid type stores as is (uuid.uuid4() costs 7x more on the hot path)."""
    return os.urandom(16).hex()


@dataclass(frozen=True, slots=True)
class Team:
    name: str  # as the book spells it
    key: str = ""  # normalized; derived from name when empty

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", team_key(self.name))


@dataclass(frozen=True, slots=True)
class Event:
    """One game as one book lists it.

    Its teams keep the book's spelling in `name`; their `key` is set here to the team's
    canonical key (`oddswatch.teams`), the same on every book, or, for a spelling the
    team table cannot resolve, to `team_key(name)`."""

    provider: str
    league: str
    event_id: str
    home: Team
    away: Team
    starts_at: datetime
    status: EventStatus = EventStatus.SCHEDULED
    url: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "home", _keyed(self.league, self.home))
        object.__setattr__(self, "away", _keyed(self.league, self.away))

    @property
    def label(self) -> str:
        return f"{self.away.name} @ {self.home.name}"


def _keyed(league: str, team: Team) -> Team:
    key = canonical_team_key(league, team.name) or team_key(team.name)
    return team if team.key == key else Team(team.name, key)


@dataclass(frozen=True, slots=True)
class Selection:
    """One priced outcome as seen at scrape time."""

    provider: str
    league: str
    event_id: str
    market_id: str
    selection_id: str
    market: Market
    side: Side
    label: str
    price_american: int
    price_decimal: float
    line: float | None = None
    period: str = "game"
    status: PriceStatus = PriceStatus.OPEN

    @property
    def price_key(self) -> tuple[float | None, int, float, PriceStatus]:
        """As `OddsUpdate.price_key`: a change filter can be seeded from a scrape."""
        return (self.line, self.price_american, self.price_decimal, self.status)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One scrape of one league.

    `listed` holds the id of every game the book listed, including those the scrape could
    not read; a game that has started and is no longer listed is over."""

    provider: str
    league: str
    scraped_at: datetime
    events: tuple[Event, ...] = ()
    selections: tuple[Selection, ...] = ()
    listed: tuple[str, ...] = ()

    def selections_for(self, event_id: str) -> tuple[Selection, ...]:
        return tuple(s for s in self.selections if s.event_id == event_id)


@dataclass(frozen=True, slots=True)
class OddsUpdate:
    """One price change of one selection, as received from a book."""

    provider: str
    league: str
    event_id: str
    market_id: str
    selection_id: str
    market: Market
    side: Side
    line: float | None
    price_american: int
    price_decimal: float
    received_at: datetime
    period: str = "game"
    status: PriceStatus = PriceStatus.OPEN
    source_ts: datetime | None = None
    seq: int = 0
    update_id: str = field(default_factory=new_update_id)

    @property
    def price_key(self) -> tuple[float | None, int, float, PriceStatus]:
        """What the change filter compares: an update equal on this key is not a change."""
        return (self.line, self.price_american, self.price_decimal, self.status)


__all__ = [
    "Event",
    "EventStatus",
    "Market",
    "OddsUpdate",
    "PriceStatus",
    "Selection",
    "Side",
    "Snapshot",
    "Team",
    "new_update_id",
    "team_key",
    "utcnow",
]
