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
from providers.scraping import Outcome, Result, assemble, window

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
    low, high = window(settings, league, now)
    results: list[Result] = []
    for raw in raws:
        found = _event(raw, bv.site_url, league, now)
        if found is None:
            results.append((Outcome.FAILED, None))
        elif not low <= found.event.starts_at < high:
            results.append((Outcome.OUTSIDE, None))
        else:
            results.append((Outcome.KEPT, found))
    listed = coupon.listed_ids(raws)
    return assemble(PROVIDER, league, now, listed, results, groups=len(groups))


def _event(raw: Any, site_url: str, league: str, now: datetime) -> coupon.CouponEvent | None:
    """One event; a failure of this event is logged and never raises."""
    try:
        found = coupon.parse_event(raw, league, site_url, now)
    except (ParseError, InvalidPrice) as exc:
        logger.warning(
            "bovada event skipped",
            extra={"league": league, "error": type(exc).__name__, "detail": str(exc)},
        )
        return None
    extra = {"league": league, "event_id": found.event.event_id}
    if found.drift:
        logger.warning("bovada market shape drift", extra={**extra, "fields": found.drift})
    if not found.selections:
        logger.warning("bovada event without selections", extra=extra)
    return found
