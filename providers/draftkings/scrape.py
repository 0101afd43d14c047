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
from datetime import datetime

from oddswatch.errors import InvalidPrice, ParseError, ProviderError, ScrapeError
from oddswatch.model import Snapshot, utcnow
from oddswatch.settings import Settings
from providers.scraping import Outcome, assemble, window

from . import parse
from .client import DraftKingsClient
from .settings import DraftKingsSettings

logger = logging.getLogger(__name__)

CONCURRENCY = 4  # events whose page and categories are fetched at once


async def scrape(
    client: DraftKingsClient, settings: Settings, league: str, now: datetime | None = None
) -> Snapshot:
    now = now or utcnow()
    dk = settings.group(parse.PROVIDER, DraftKingsSettings)
    refs = parse.event_refs(await client.league_hrefs(league), dk.site_url)
    if not refs:
        endpoint = dk.league_paths[league]
        raise ScrapeError(
            "league page has no event links", provider=parse.PROVIDER, endpoint=endpoint
        )
    job = _Job(client, settings, league, now, window(settings, league, now))
    results = await asyncio.gather(*(job.event(ref) for ref in refs))
    listed = [ref.event_id for ref in refs]
    return assemble(parse.PROVIDER, league, now, listed, results)


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
