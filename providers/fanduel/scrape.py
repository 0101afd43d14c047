"""Today's FanDuel games of a league: league page → event links → each page's event JSON.

One browser context per scrape. Kept: events whose start lies in [start of today's
window − the league's maximum game duration, end of today's window), so a game that began
last night and may still be live is kept; today is the configured timezone's day. The
snapshot lists every linked event id (`listed`), read or not. One event failing is
logged and skipped; a league page without event links, or a scrape where every event
failed, raises ScrapeError so that an empty result is never mistaken for a quiet day
(`providers.scraping`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from oddswatch.model import Snapshot
from oddswatch.settings import Settings
from providers.scraping import Day, Found

from . import parse
from .client import FanDuelClient, Pages

logger = logging.getLogger(__name__)


async def scrape(
    client: FanDuelClient, settings: Settings, league: str, now: datetime | None = None
) -> Snapshot:
    day = Day.of(parse.PROVIDER, settings, league, now)
    path = client.group.league_paths[league]
    async with client.pages() as pages:
        refs = parse.event_refs(await pages.league_hrefs(league), client.site_url, path)
        return await day.read_links(refs, partial(_read, pages, day), path)


async def _read(pages: Pages, day: Day, ref: parse.EventRef) -> Found:
    """One event's JSON read from its page."""
    data = await pages.event_json(ref.url, ref.event_id)
    found = parse.parse_event(data, ref, day.league, day.now)
    if found.drift:
        extra = {"league": day.league, "event_id": ref.event_id, "fields": found.drift}
        logger.warning("fanduel event JSON shape drift", extra=extra)
    return found
