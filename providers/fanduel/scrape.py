"""Today's FanDuel games of a league: league page → event links → each page's event JSON.

One browser context per scrape. Kept: events whose start lies in [start of today's
window − the league's maximum game duration, end of today's window), so a game that began
last night and may still be live is kept; today is the configured timezone's day. The
snapshot lists every linked event id (`listed`), read or not. One event failing is
logged and skipped; a league page without event links, or a scrape where every event
failed, raises ScrapeError so that an empty result is never mistaken for a quiet day.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from oddswatch.errors import ProviderError, ScrapeError
from oddswatch.model import Snapshot, utcnow
from oddswatch.settings import Settings
from providers.scraping import Outcome, Result, assemble, window

from . import parse
from .client import FanDuelClient, Pages
from .settings import FanDuelSettings

logger = logging.getLogger(__name__)

CONCURRENCY = 4  # event pages open at once in the scrape's context


async def scrape(
    client: FanDuelClient, settings: Settings, league: str, now: datetime | None = None
) -> Snapshot:
    now = now or utcnow()
    async with client.pages() as pages:
        refs = await _links(pages, settings, league)
        job = _Job(pages, league, now, window(settings, league, now))
        results = await asyncio.gather(*(job.event(ref) for ref in refs))
    listed = [ref.event_id for ref in refs]
    return assemble(parse.PROVIDER, league, now, listed, results)


async def _links(pages: Pages, settings: Settings, league: str) -> list[parse.EventRef]:
    fd = settings.group(parse.PROVIDER, FanDuelSettings)
    hrefs = await pages.league_hrefs(league)
    refs = parse.event_refs(hrefs, fd.site_url, fd.league_paths[league])
    if not refs:
        raise ScrapeError(
            "league page has no event links",
            provider=parse.PROVIDER,
            endpoint=fd.league_paths[league],
        )
    return refs


@dataclass(slots=True)
class _Job:
    pages: Pages
    league: str
    now: datetime
    bounds: tuple[datetime, datetime]
    limit: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CONCURRENCY))

    async def event(self, ref: parse.EventRef) -> Result:
        """One event's JSON read from its page; a failure of this event never raises."""
        extra = {"league": self.league, "event_id": ref.event_id}
        try:
            async with self.limit:
                data = await self.pages.event_json(ref.url, ref.event_id)
            found = parse.parse_event(data, ref, self.league, self.now)
        except ProviderError as exc:
            detail = {"error": type(exc).__name__, "detail": str(exc)}
            logger.warning("fanduel event skipped", extra={**extra, **detail})
            return Outcome.FAILED, None
        if not self.bounds[0] <= found.event.starts_at < self.bounds[1]:
            return Outcome.OUTSIDE, None
        if found.drift:
            logger.warning("fanduel event JSON shape drift", extra={**extra, "fields": found.drift})
        if not found.selections:
            logger.warning("fanduel event without selections", extra=extra)
        return Outcome.KEPT, found
