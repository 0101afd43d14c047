"""`tasks.scrape(provider, league)`: the day's games into Postgres and Redis, then
monitors for the games due now. Idempotent: a repeat stores another snapshot row (the
append-only history of scrapes) and upserts the same catalog rows."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from celery import shared_task

from oddswatch.codec import snapshot_to_dict
from oddswatch.errors import SinkUnavailable, TransportError
from oddswatch.model import Snapshot
from sinks.keys import snapshot_key
from tasks.dispatch import dispatch_due
from tasks.engine import Runtime, get_runtime

logger = logging.getLogger(__name__)


def store_snapshot(rt: Runtime, snapshot: Snapshot) -> int:
    """Postgres (snapshot row, catalog upserts) and the Redis snapshot key."""
    snapshot_id = rt.catalog.save_scrape(snapshot)
    rt.redis.set(
        snapshot_key(snapshot.provider, snapshot.league),
        orjson.dumps(snapshot_to_dict(snapshot)),
        ex=2 * 86_400,
    )
    return snapshot_id


def close_unlisted(rt: Runtime, snapshot: Snapshot) -> list[str]:
    """Games that started and that the book no longer lists are over: their monitors end
    at the next heartbeat and reconcile stops dispatching them."""
    if not snapshot.listed:
        return []
    return rt.catalog.close_unlisted(
        snapshot.provider, snapshot.league, snapshot.listed, snapshot.scraped_at
    )


def run_scrape(rt: Runtime, provider: str, league: str) -> dict[str, Any]:
    snapshot = rt.run(rt.provider(provider).scrape(league))
    snapshot_id = store_snapshot(rt, snapshot)
    closed = close_unlisted(rt, snapshot)
    dispatched = dispatch_due(rt, providers=[provider], leagues=[league])
    summary = {
        "provider": provider,
        "league": league,
        "snapshot_id": snapshot_id,
        "games": len(snapshot.events),
        "selections": len(snapshot.selections),
        "closed": closed,
        "dispatched": dispatched,
    }
    logger.info("scrape stored", extra=summary)
    return summary


@shared_task(
    name="tasks.scrape",
    ignore_result=False,
    autoretry_for=(TransportError, SinkUnavailable),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def scrape(provider: str, league: str) -> dict[str, Any]:
    return run_scrape(get_runtime(), provider, league)
