"""Today's DraftKings games of a league: league page → event links → start + categories.

Kept: events whose start lies in [start of today's window − the league's maximum game
duration, end of today's window), so a game that began last night and may still be live
is kept. Today is the configured timezone's day. One event failing is logged and
skipped; a league page without event links, or a scrape where every event failed,
raises ScrapeError so that an empty result is never mistaken for a quiet day
(`providers.scraping`). An event whose page already shows a start outside the window is
not asked for its categories.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from oddswatch.errors import ParseError
from oddswatch.model import Snapshot
from oddswatch.settings import Settings
from providers.scraping import Day, Found

from . import parse
from .client import DraftKingsClient

logger = logging.getLogger(__name__)


async def scrape(
    client: DraftKingsClient, settings: Settings, league: str, now: datetime | None = None
) -> Snapshot:
    day = Day.of(parse.PROVIDER, settings, league, now)
    refs = parse.event_refs(await client.league_hrefs(league), client.site_url)
    read = partial(_read, client, settings.tz, day)
    return await day.read_links(refs, read, client.group.league_paths[league])


async def _read(
    client: DraftKingsClient, tz: ZoneInfo, day: Day, ref: parse.EventRef
) -> Found | None:
    """One event's start and categories; None when the event page already shows a start
    outside the window."""
    page = await client.event_page(ref.url)
    try:
        start: datetime | None = parse.start_from_event_page(page, day.now, tz)
    except ParseError:
        logger.info("draftkings start read from categories", extra={"event_id": ref.event_id})
        start = None
    if start is not None and not day.keeps(start):
        return None
    data = await client.categories(ref.event_id)
    return parse.parse_categories(data, ref, day.league, start, day.now)
