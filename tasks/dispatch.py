"""Dispatching monitors: one per due game that holds no live lease, never twice while
one is still queued (a dispatch marker with a TTL stands for the queued task)."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import current_app

from oddswatch.model import Event, utcnow
from sinks.redis import lease_key
from tasks.engine import Runtime
from tasks.monitoring import dispatch_key

logger = logging.getLogger(__name__)

MONITOR_TASK = "tasks.monitor"


def monitor_queue(league: str) -> str:
    return f"monitor.{league}"


def dispatch_monitor(rt: Runtime, event: Event, *, force: bool = False) -> bool:
    """Send `tasks.monitor` for a game unless it is leased or already queued.

    `force` skips both checks (a monitor re-queuing itself at shutdown still holds the
    marker's place)."""
    key = dispatch_key(event.provider, event.event_id)
    if not force:
        if rt.redis.exists(lease_key(event.provider, event.event_id)):
            return False
        if not rt.redis.set(key, "1", nx=True, ex=rt.settings.dispatch_ttl_s):
            return False
    else:
        rt.redis.set(key, "1", ex=rt.settings.dispatch_ttl_s)
    current_app.send_task(
        MONITOR_TASK,
        args=(event.provider, event.league, event.event_id),
        queue=monitor_queue(event.league),
    )
    logger.info(
        "monitor dispatched",
        extra={"provider": event.provider, "league": event.league, "event_id": event.event_id},
    )
    return True


def dispatch_due(
    rt: Runtime,
    now: datetime | None = None,
    providers: list[str] | None = None,
    leagues: list[str] | None = None,
) -> list[str]:
    """Dispatch a monitor for every due game; returns the dispatched event ids."""
    settings = rt.settings
    events = rt.catalog.due_events(
        now or utcnow(),
        providers or settings.providers,
        leagues or settings.leagues,
        settings.monitor_lead_s,
        settings.max_duration_s,
    )
    return [e.event_id for e in events if dispatch_monitor(rt, e)]
