"""`tasks.reconcile()`: every few seconds, a monitor for every due game without a live
lease (the recovery path when a worker dies), and a persister for every free slot."""

from __future__ import annotations

from typing import Any

from celery import current_app, shared_task

from tasks.dispatch import dispatch_due
from tasks.engine import Runtime, get_runtime
from tasks.persist import PERSIST_TASK, persist_lease_key


def ensure_persisters(rt: Runtime) -> list[int]:
    started = []
    for slot in range(rt.settings.persist_consumers):
        if rt.redis.exists(persist_lease_key(slot)):
            continue
        marker = f"ow:dispatch:persist:{slot}"
        if rt.redis.set(marker, "1", nx=True, ex=rt.settings.dispatch_ttl_s):
            current_app.send_task(PERSIST_TASK, args=(slot,), queue="persist")
            started.append(slot)
    return started


@shared_task(name="tasks.reconcile")
def reconcile() -> dict[str, Any]:
    rt = get_runtime()
    return {"monitors": dispatch_due(rt), "persisters": ensure_persisters(rt)}
