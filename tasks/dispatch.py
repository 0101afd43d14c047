"""Dispatching monitors: one per due game that holds no live lease, never twice while
one is still queued (a dispatch marker with a TTL stands for the queued task)."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import current_app

from oddswatch.model import Event, utcnow
from sinks.keys import dispatch_key, lease_key
from tasks.engine import Runtime

logger = logging.getLogger(__name__)

MONITOR_TASK = "tasks.monitor"


def monitor_queue(league: str) -> str:
    return f"monitor.{league}"


def claim_dispatch(rt: Runtime, lease: str, marker: str, *, force: bool = False) -> bool:
    """Whether to send a leased long-running task: not while its lease is held, and not
    twice while one is queued (the marker, with a TTL, stands for the queued task; the
    task deletes it when it starts). `force` skips both checks: a task re-queuing itself
    at shutdown."""
    if force:
        rt.redis.set(marker, "1", ex=rt.settings.dispatch_ttl_s)
        return True
    if rt.redis.exists(lease):
        return False
    return bool(rt.redis.set(marker, "1", nx=True, ex=rt.settings.dispatch_ttl_s))


def dispatch_monitor(rt: Runtime, event: Event, *, force: bool = False) -> bool:
    """Send `tasks.monitor` for a game unless it is leased or already queued."""
    lease = lease_key(event.provider, event.event_id)
    if not claim_dispatch(rt, lease, dispatch_key(event.provider, event.event_id), force=force):
        return False
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
    leased = _leased(rt, events)
    return [e.event_id for e, held in zip(events, leased, strict=True)
            if not held and dispatch_monitor(rt, e)]  # fmt: skip


def _leased(rt: Runtime, events: list[Event]) -> list[bool]:
    """Which games hold a lease, in one round trip (reconcile runs every few seconds over
    every due game; most are leased)."""
    pipe = rt.redis.pipeline(transaction=False)
    for event in events:
        pipe.exists(lease_key(event.provider, event.event_id))
    return [bool(n) for n in pipe.execute()]
