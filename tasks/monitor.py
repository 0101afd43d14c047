"""`tasks.monitor(provider, league, event_id)`: one monitor run on the worker's engine.

Acked early, never redelivered: a duplicate finds the lease taken and exits at once. On
warm shutdown the run releases its lease and the task re-queues the game."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from tasks.dispatch import dispatch_monitor
from tasks.engine import get_runtime
from tasks.monitoring import Monitor

logger = logging.getLogger(__name__)


@shared_task(name="tasks.monitor", acks_late=False, ignore_result=False)
def monitor(provider: str, league: str, event_id: str) -> dict[str, Any]:
    rt = get_runtime()
    result = rt.run(Monitor(rt, provider, league, event_id).run())
    logger.info(
        "monitor ended",
        extra={"provider": provider, "event_id": event_id, "reason": result.reason},
    )
    if result.reason == "shutdown":
        event = rt.catalog.event(provider, event_id)
        if event is not None:
            dispatch_monitor(rt, event, force=True)
    return {"reason": result.reason, "run_id": result.run_id, **result.stats}
