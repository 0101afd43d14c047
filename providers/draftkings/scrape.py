"""Today's DraftKings games of a league: league page → event links → start + categories.

Kept: events whose start lies in [start of today's window − the league's maximum game
duration, end of today's window), so a game that began last night and may still be live
is kept. Today is the configured timezone's day. One event failing is logged and
skipped; a league page without event links, or a scrape where every event failed,
raises ScrapeError so that an empty result is never mistaken for a quiet day.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from oddswatch.errors import InvalidPrice, ParseError, ProviderError, ScrapeError
from oddswatch.model import Snapshot, utcnow
from oddswatch.settings import Settings

from . import parse
from .client import DraftKingsClient

logger = logging.getLogger(__name__)

CONCURRENCY = 4  # events whose page and categories are fetched at once


class Outcome(Enum):
    KEPT = "kept"
    OUTSIDE = "outside"  # starts outside the window
    FAILED = "failed"


def window(settings: Settings, league: str, now: datetime) -> tuple[datetime, datetime]:
    """[today's start − the league's max game duration, today's end), in UTC."""
    start, end = settings.day_window(settings.today(now))
    return start - timedelta(seconds=settings.max_duration_s(league)), end


async def scrape(
    client: DraftKingsClient, settings: Settings, league: str, now: datetime | None = None
) -> Snapshot:
    now = now or utcnow()
    refs = parse.event_refs(await client.league_hrefs(league), settings.draftkings.site_url)
    if not refs:
        endpoint = settings.draftkings.league_paths[league]
        raise ScrapeError(
            "league page has no event links", provider=parse.PROVIDER, endpoint=endpoint
        )
    job = _Job(client, settings, league, now, window(settings, league, now))
    results = await asyncio.gather(*(job.event(ref) for ref in refs))
    kept = sorted(
        (found for _, found in results if found is not None),
        key=lambda found: (found.event.starts_at, found.event.event_id),
    )
    counts = {o.value: sum(outcome is o for outcome, _ in results) for o in Outcome}
    skipped = sum(found.skipped for found in kept)
    logger.info(
        "draftkings scrape done",
        extra={"league": league, "links": len(refs), **counts, "skipped_selections": skipped},
    )
    if counts[Outcome.FAILED.value] == len(refs):
        raise ScrapeError(f"all {len(refs)} events failed", provider=parse.PROVIDER)
    return Snapshot(
        provider=parse.PROVIDER,
        league=league,
        scraped_at=now,
        events=tuple(found.event for found in kept),
        selections=tuple(s for found in kept for s in found.selections),
        listed=tuple(ref.event_id for ref in refs),
    )


@dataclass(slots=True)
class _Job:
    client: DraftKingsClient
    settings: Settings
    league: str
    now: datetime
    bounds: tuple[datetime, datetime]
    limit: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CONCURRENCY))

    def inside(self, start: datetime) -> bool:
        return self.bounds[0] <= start < self.bounds[1]

    async def event(self, ref: parse.EventRef) -> tuple[Outcome, parse.EventCategories | None]:
        """One event's start and categories; a failure of this event never raises."""
        extra = {"league": self.league, "event_id": ref.event_id}
        try:
            async with self.limit:
                found = await self._fetch(ref)
        except (ProviderError, InvalidPrice) as exc:
            detail = {"error": type(exc).__name__, "detail": str(exc)}
            logger.warning("draftkings event skipped", extra={**extra, **detail})
            return Outcome.FAILED, None
        if found is None or not self.inside(found.event.starts_at):
            return Outcome.OUTSIDE, None
        if not found.selections:
            logger.warning("draftkings event without selections", extra=extra)
        return Outcome.KEPT, found

    async def _fetch(self, ref: parse.EventRef) -> parse.EventCategories | None:
        """None when the event page already shows a start outside the window."""
        page = await self.client.event_page(ref.url)
        try:
            start: datetime | None = parse.start_from_event_page(page, self.now, self.settings.tz)
        except ParseError:
            logger.info("draftkings start read from categories", extra={"event_id": ref.event_id})
            start = None
        if start is not None and not self.inside(start):
            return None
        data = await self.client.categories(ref.event_id)
        return parse.parse_categories(data, ref, self.league, start, self.now)
