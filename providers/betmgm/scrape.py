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
from datetime import datetime, timedelta
from enum import Enum

from oddswatch.errors import InvalidPrice, ParseError, ProviderError, ScrapeError
from oddswatch.model import Event, Selection, Snapshot, utcnow
from oddswatch.settings import Settings

from . import parse
from .client import BetMGMClient, PageSession

logger = logging.getLogger(__name__)

CONCURRENCY = 4  # event pages open at once in the scrape's browser context


class Outcome(Enum):
    KEPT = "kept"
    OUTSIDE = "outside"  # starts outside the window
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Found:
    event: Event
    selections: tuple[Selection, ...]
    skipped: int


def window(settings: Settings, league: str, now: datetime) -> tuple[datetime, datetime]:
    """[today's start − the league's max game duration, today's end), in UTC."""
    start, end = settings.day_window(settings.today(now))
    return start - timedelta(seconds=settings.max_duration_s(league)), end


async def scrape(
    client: BetMGMClient, settings: Settings, league: str, now: datetime | None = None
) -> Snapshot:
    now = now or utcnow()
    async with client.pages() as pages:
        refs = parse.event_refs(await pages.league_hrefs(league), client.site_url)
        if not refs:
            endpoint = settings.betmgm.league_paths[league]
            raise ScrapeError(
                "league page has no event links", provider=parse.PROVIDER, endpoint=endpoint
            )
        job = _Job(pages, league, now, window(settings, league, now))
        results = await asyncio.gather(*(job.event(ref) for ref in refs))
    kept = sorted(
        (found for _, found in results if found is not None),
        key=lambda found: (found.event.starts_at, found.event.event_id),
    )
    counts = {o.value: sum(outcome is o for outcome, _ in results) for o in Outcome}
    skipped = sum(found.skipped for found in kept)
    logger.info(
        "betmgm scrape done",
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
