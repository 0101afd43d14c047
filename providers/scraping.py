"""What every book's scrape shares: the day's window and turning per-event results into
a Snapshot.

Kept: events whose start lies in [start of today's window − the league's maximum game
duration, end of today's window), so a game that began last night and may still be live
is kept; today is the configured timezone's day. One event failing is logged by the
provider and skipped; a scrape where every event failed raises ScrapeError so that an
empty result is never mistaken for a quiet day. `listed` holds every event id the book
linked, read or not (a started game no longer listed is over).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol

from oddswatch.errors import ScrapeError
from oddswatch.model import Event, Selection, Snapshot
from oddswatch.settings import Settings

logger = logging.getLogger(__name__)


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
