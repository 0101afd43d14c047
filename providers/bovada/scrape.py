"""Today's Bovada games of a league: one coupon request, its league groups, their events.

Kept: events whose start lies in [start of today's window − the league's maximum game
duration, end of today's window), so a game that began last night and may still be live
is kept (the coupon lists live games: `preMatchOnly=false`). Today is the configured
timezone's day. `listed` holds every event id of the league's groups. One event failing
is logged and skipped; a coupon without a group of the league, or where every event
failed, raises ScrapeError so that an empty result is never mistaken for a quiet day.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from oddswatch.errors import InvalidPrice, ParseError, ScrapeError
from oddswatch.model import Snapshot, utcnow
from oddswatch.settings import Settings
from providers.scraping import Day, Result, assemble

from . import coupon
from .client import BovadaClient
from .parse import PROVIDER
from .settings import BovadaSettings

logger = logging.getLogger(__name__)


async def scrape(
    client: BovadaClient, settings: Settings, league: str, now: datetime | None = None
) -> Snapshot:
    now = now or utcnow()
    data = await client.coupon(league)
    return read_coupon(data, settings, league, now)


def read_coupon(data: Any, settings: Settings, league: str, now: datetime) -> Snapshot:
    """The Snapshot of a decoded coupon (pure: no I/O)."""
    bv = settings.group(PROVIDER, BovadaSettings)
    path = bv.league_paths[league]
    groups = coupon.league_groups(data, path, bv.league_names.get(league, []))
    if not groups:
        raise ScrapeError(
            "coupon has no group of the league",
            provider=PROVIDER,
            endpoint=path,
            payload=coupon.group_names(data),
        )
    raws = coupon.group_events(groups)
    day = Day.of(PROVIDER, settings, league, now)
    results = [_event(raw, bv.site_url, day) for raw in raws]
    listed = coupon.listed_ids(raws)
    return assemble(PROVIDER, league, now, listed, results, groups=len(groups))


def _event(raw: Any, site_url: str, day: Day) -> Result:
    """One event; a failure of this event is logged and never raises."""
    try:
        found = coupon.parse_event(raw, day.league, site_url, day.now)
    except (ParseError, InvalidPrice) as exc:
        return day.failed(exc, {"league": day.league})
    extra = {"league": day.league, "event_id": found.event.event_id}
    if found.drift:
        logger.warning("bovada market shape drift", extra={**extra, "fields": found.drift})
    return day.judge(found, extra)
