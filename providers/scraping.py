"""What every book's scrape shares: the event links of a league page, reading each event,
the day's window and turning per-event results into a Snapshot.

`event_links` picks a book's event links (`link_pattern`) out of a league page's hrefs
(cleaned by `clean_href`: no query, fragment or trailing slash), one per event id.
`Day.read_links` reads the events of those links, CONCURRENCY at a time, with the book's
own reader; a league page without event links raises ScrapeError. `selection` builds a
Selection of an event for the books' readers.

Kept: events whose start lies in [start of today's window − the league's maximum game
duration, end of today's window), so a game that began last night and may still be live
is kept; today is the configured timezone's day. One event failing (ProviderError,
InvalidPrice) is logged and skipped; a kept event without selections is logged; a scrape
where every event failed raises ScrapeError so that an empty result is never mistaken for
a quiet day. `listed` holds every event id the book linked, read or not (a started game no
longer listed is over).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol, TypeVar

from oddswatch.errors import InvalidPrice, ProviderError, ScrapeError
from oddswatch.model import Event, Market, PriceStatus, Selection, Side, Snapshot, utcnow
from oddswatch.settings import Settings

logger = logging.getLogger(__name__)

CONCURRENCY = 4  # events of one scrape read at once (pages of its browser context, requests)


# -- event links -----------------------------------------------------------------------


class Link(Protocol):
    """A book's event link (its own record, with what else the link tells)."""

    @property
    def event_id(self) -> str: ...


R = TypeVar("R")
L = TypeVar("L", bound=Link)


def clean_href(href: str) -> str:
    """A resolved href without its query, fragment and trailing slash."""
    return href.strip().split("#", 1)[0].split("?", 1)[0].rstrip("/")


def link_pattern(base_url: str, path: str) -> re.Pattern[str]:
    """Links `<base_url><path>`, matched whole and case-insensitively: `path` is a regex
    whose group 1 is the link's slug and group 2 its event id."""
    return re.compile(rf"^{re.escape(base_url.rstrip('/'))}{path}$", re.IGNORECASE)


def event_links(
    hrefs: Iterable[str], pattern: re.Pattern[str], ref: Callable[[re.Match[str], str], R]
) -> list[R]:
    """The event links among resolved hrefs: each cleaned href that `pattern` matches (its
    group 2 the event id) as `ref(match, url)`, the first one per id, sorted by id."""
    refs: dict[str, R] = {}
    for href in hrefs:
        url = clean_href(href)
        if (match := pattern.match(url)) is not None and match.group(2) not in refs:
            refs[match.group(2)] = ref(match, url)
    return [refs[key] for key in sorted(refs)]


# -- events ----------------------------------------------------------------------------


class Outcome(Enum):
    KEPT = "kept"
    OUTSIDE = "outside"  # starts outside the window
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Found:
    """One event read by a scrape: its selections, how many it could not map, and the
    fields whose shape changed (the book logs those)."""

    event: Event
    selections: tuple[Selection, ...]
    skipped: int
    drift: tuple[str, ...] = ()


Result = tuple[Outcome, Found | None]


def selection(
    event: Event,
    market_id: str,
    selection_id: str,
    market: Market,
    side: Side,
    *,
    label: str,
    price: tuple[int, float],
    line: float | None,
    status: PriceStatus = PriceStatus.OPEN,
    period: str = "game",
) -> Selection:
    """A selection of `event` (its provider, league and id): `price` is (American, decimal)."""
    american, decimal = price
    return Selection(event.provider, event.league, event.event_id, market_id, selection_id,
                     market, side, label, american, decimal, line, period, status)  # fmt: skip


# -- the day's scrape ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Day:
    """One scrape of one league: the book, the league, when it runs and the window of
    starts it keeps (`window`)."""

    provider: str
    league: str
    now: datetime
    bounds: tuple[datetime, datetime]

    @classmethod
    def of(cls, provider: str, settings: Settings, league: str, now: datetime | None) -> Day:
        """Today's scrape (`now` when given: tests scrape another day)."""
        now = now or utcnow()
        return cls(provider, league, now, window(settings, league, now))

    def keeps(self, start: datetime) -> bool:
        return self.bounds[0] <= start < self.bounds[1]

    async def read_links(
        self, refs: Sequence[L], read: Callable[[L], Awaitable[Found | None]], league_path: str
    ) -> Snapshot:
        """The Snapshot of a league page's event links, each read by `read` (None: an
        event it already knows starts outside the window); ScrapeError with no link."""
        if not refs:
            raise ScrapeError(
                "league page has no event links", provider=self.provider, endpoint=league_path
            )
        limit = asyncio.Semaphore(CONCURRENCY)

        async def one(ref: L) -> Result:
            extra = {"league": self.league, "event_id": ref.event_id}
            try:
                async with limit:
                    found = await read(ref)
            except (ProviderError, InvalidPrice) as exc:
                return self.failed(exc, extra)
            return self.judge(found, extra)

        results = await asyncio.gather(*(one(ref) for ref in refs))
        listed = [ref.event_id for ref in refs]
        return assemble(self.provider, self.league, self.now, listed, results)

    def failed(self, exc: Exception, extra: Mapping[str, object]) -> Result:
        """An event whose reading failed: logged, never raised."""
        detail = {"error": type(exc).__name__, "detail": str(exc)}
        logger.warning(f"{self.provider} event skipped", extra={**extra, **detail})
        return Outcome.FAILED, None

    def judge(self, found: Found | None, extra: Mapping[str, object]) -> Result:
        """Kept when it starts inside the window (logged when it has no selections)."""
        if found is None or not self.keeps(found.event.starts_at):
            return Outcome.OUTSIDE, None
        if not found.selections:
            logger.warning(f"{self.provider} event without selections", extra=dict(extra))
        return Outcome.KEPT, found


def window(settings: Settings, league: str, now: datetime) -> tuple[datetime, datetime]:
    """[today's start − the league's max game duration, today's end), in UTC."""
    start, end = settings.day_window(settings.today(now))
    return start - timedelta(seconds=settings.max_duration_s(league)), end


def assemble(
    provider: str,
    league: str,
    now: datetime,
    listed: Sequence[str],
    results: Sequence[Result],
    **log_fields: object,
) -> Snapshot:
    """The Snapshot of one scrape's per-event results (sorted by start, then id)."""
    kept = sorted(
        (found for _, found in results if found is not None),
        key=lambda found: (found.event.starts_at, found.event.event_id),
    )
    counts = {o.value: sum(outcome is o for outcome, _ in results) for o in Outcome}
    logger.info(
        f"{provider} scrape done",
        extra={
            "provider": provider,
            "league": league,
            "listed": len(listed),
            **log_fields,
            **counts,
            "skipped_selections": sum(found.skipped for found in kept),
        },
    )
    if results and counts[Outcome.FAILED.value] == len(results):
        raise ScrapeError(f"all {len(results)} events failed", provider=provider)
    return Snapshot(
        provider=provider,
        league=league,
        scraped_at=now,
        events=tuple(found.event for found in kept),
        selections=tuple(s for found in kept for s in found.selections),
        listed=tuple(listed),
    )
