"""Today's BetMGM games of a league: league page → event links → each event page's own
fixture-view request, all in one browser context.

Kept: fixtures whose start lies in [start of today's window − the league's maximum game
duration, end of today's window), so a game that began last night and may still be live
is kept; today is the configured timezone's day. `listed` holds every fixture id the
league page linked. One event failing is logged and skipped; a league page without event
links, or a scrape where every event failed, raises ScrapeError so that an empty result
is never mistaken for a quiet day (`providers.scraping`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from oddswatch.errors import ParseError
from oddswatch.model import Snapshot
from oddswatch.settings import Settings
from providers.scraping import Day, Found

from . import parse
from .client import BetMGMClient, PageSession

logger = logging.getLogger(__name__)


async def scrape(
    client: BetMGMClient, settings: Settings, league: str, now: datetime | None = None
) -> Snapshot:
    day = Day.of(parse.PROVIDER, settings, league, now)
    async with client.pages() as pages:
        refs = parse.event_refs(await pages.league_hrefs(league), client.site_url)
        return await day.read_links(
            refs, partial(_read, pages, day), client.group.league_paths[league]
        )


async def _read(pages: PageSession, day: Day, ref: parse.EventRef) -> Found:
    """One event's fixture, from the fixture-view its page requests."""
    body = await pages.fixture_view(ref)
    view = parse.read_fixture_view(parse.decode_body(body), ref.event_id, ref.slug)
    if view is None:
        raise ParseError("fixture-view lacks its fixture", provider=parse.PROVIDER)
    if view.drift:
        logger.warning(
            "betmgm fixture-view shape drift",
            extra={"event_id": ref.event_id, "fields": view.drift},
        )
    event = parse.event_from_view(view, ref, day.league, day.now)
    selections, skipped = parse.selections_from_view(view, event)
    return Found(event, tuple(selections), skipped)
