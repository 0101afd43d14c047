"""What every book's scrape shares: the event links of a league page, the day's window
and turning per-event results into a Snapshot.

`event_links` picks a book's event links (`link_pattern`) out of a league page's hrefs
(cleaned by `clean_href`: no query, fragment or trailing slash), one per event id.

Kept: events whose start lies in [start of today's window − the league's maximum game
duration, end of today's window), so a game that began last night and may still be live
is kept; today is the configured timezone's day. One event failing is logged by the
provider and skipped; a scrape where every event failed raises ScrapeError so that an
empty result is never mistaken for a quiet day. `listed` holds every event id the book
linked, read or not (a started game no longer listed is over).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol, TypeVar

from oddswatch.errors import ScrapeError
from oddswatch.model import Event, Selection, Snapshot
from oddswatch.settings import Settings

logger = logging.getLogger(__name__)

R = TypeVar("R")  # a book's event link record


class Outcome(Enum):
    KEPT = "kept"
    OUTSIDE = "outside"  # starts outside the window
    FAILED = "failed"


class Found(Protocol):
    """One event read by a scrape, with its selections and how many it could not map."""

    @property
    def event(self) -> Event: ...
    @property
    def selections(self) -> Sequence[Selection]: ...
    @property
    def skipped(self) -> int: ...


Result = tuple[Outcome, Found | None]


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
