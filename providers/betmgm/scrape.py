"""Today's BetMGM games of a league: league page → event links → each event page's own
fixture-view request, all in one browser context.

Kept: fixtures whose start lies in [start of today's window − the league's maximum game
duration, end of today's window), so a game that began last night and may still be live
is kept; today is the configured timezone's day. `listed` holds every fixture id the
league page linked. One event failing is logged and skipped; a league page without event
links, or a scrape where every event failed, raises ScrapeError so that an empty result
is never mistaken for a quiet day.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from oddswatch.errors import InvalidPrice, ParseError, ProviderError, ScrapeError
from oddswatch.model import Event, Selection, Snapshot, utcnow
from oddswatch.settings import Settings
from providers.scraping import Outcome, assemble, window

from . import parse
from .client import BetMGMClient, PageSession
from .settings import BetMGMSettings

logger = logging.getLogger(__name__)

CONCURRENCY = 4  # event pages open at once in the scrape's browser context


@dataclass(frozen=True, slots=True)
class Found:
    event: Event
    selections: tuple[Selection, ...]
    skipped: int


async def scrape(
    client: BetMGMClient, settings: Settings, league: str, now: datetime | None = None
) -> Snapshot:
    now = now or utcnow()
    async with client.pages() as pages:
        refs = parse.event_refs(await pages.league_hrefs(league), client.site_url)
        if not refs:
            endpoint = settings.group(parse.PROVIDER, BetMGMSettings).league_paths[league]
            raise ScrapeError(
                "league page has no event links", provider=parse.PROVIDER, endpoint=endpoint
            )
        job = _Job(pages, league, now, window(settings, league, now))
        results = await asyncio.gather(*(job.event(ref) for ref in refs))
    listed = [ref.event_id for ref in refs]
    return assemble(parse.PROVIDER, league, now, listed, results)


@dataclass(slots=True)
class _Job:
    pages: PageSession
    league: str
    now: datetime
    bounds: tuple[datetime, datetime]
    limit: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CONCURRENCY))

    async def event(self, ref: parse.EventRef) -> tuple[Outcome, Found | None]:
        """One event's fixture; a failure of this event never raises."""
        extra = {"league": self.league, "event_id": ref.event_id}
        try:
            async with self.limit:
                found = self._read(ref, await self.pages.fixture_view(ref))
        except (ProviderError, InvalidPrice) as exc:
            detail = {"error": type(exc).__name__, "detail": str(exc)}
            logger.warning("betmgm event skipped", extra={**extra, **detail})
            return Outcome.FAILED, None
        if not self.bounds[0] <= found.event.starts_at < self.bounds[1]:
            return Outcome.OUTSIDE, None
        if not found.selections:
            logger.warning("betmgm event without selections", extra=extra)
        return Outcome.KEPT, found

    def _read(self, ref: parse.EventRef, body: bytes) -> Found:
        view = parse.read_fixture_view(parse.decode_body(body), ref.event_id, ref.slug)
        if view is None:
            raise ParseError("fixture-view lacks its fixture", provider=parse.PROVIDER)
        if view.drift:
            logger.warning(
                "betmgm fixture-view shape drift",
                extra={"event_id": ref.event_id, "fields": view.drift},
            )
        event = parse.event_from_view(view, ref, self.league, self.now)
        selections, skipped = parse.selections_from_view(view, event)
        return Found(event, tuple(selections), skipped)
