"""`tasks.persist(slot=0)`: a long-running consumer of `ow:updates` writing history to
Postgres (COPY → staging → INSERT … ON CONFLICT DO NOTHING, XACK after commit).

Each slot is held by a lease, so exactly one consumer per slot runs; reconcile starts a
persister for every free slot. On warm shutdown the consumer stops and re-queues itself.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from celery import current_app, shared_task

from sinks.keys import persist_dispatch_key, persist_lease_key
from sinks.persist import Persister
from sinks.postgres import PostgresSink
from sinks.redis import UNAVAILABLE, Lease
from tasks.dispatch import claim_dispatch
from tasks.engine import Runtime, get_runtime

logger = logging.getLogger(__name__)

PERSIST_TASK = "tasks.persist"


def dispatch_persister(rt: Runtime, slot: int, *, force: bool = False) -> bool:
    """Send `tasks.persist(slot)` unless the slot is leased or already queued."""
    lease, marker = persist_lease_key(slot), persist_dispatch_key(slot)
    if not claim_dispatch(rt, lease, marker, force=force):
        return False
    current_app.send_task(PERSIST_TASK, args=(slot,), queue="persist")
    return True


async def _hold(rt: Runtime, lease: Lease, stop: asyncio.Event) -> None:
    """Renew the slot's lease until shutdown or loss, then stop the consumer."""
    while not stop.is_set():
        await asyncio.sleep(min(1.0, rt.settings.lease_renew_s))
        if rt.shutting_down.is_set():
            break
        try:
            if not await lease.renew():
                logger.warning("persist lease lost", extra={"key": lease.key})
                break
        except UNAVAILABLE as exc:
            logger.warning("persist lease renew failed", extra={"error": str(exc)})
    stop.set()


async def run_persister(rt: Runtime, slot: int) -> dict[str, Any]:
    settings = rt.settings
    lease = Lease(rt.aioredis, persist_lease_key(slot), uuid.uuid4().hex, settings.lease_ttl_ms)
    if not await lease.acquire():
        return {"reason": "lease_held", "slot": slot}
    await rt.aioredis.delete(persist_dispatch_key(slot))
    sink = PostgresSink.from_settings(settings)
    persister = Persister(rt.aioredis, sink, settings, consumer=f"persist-{slot}")
    stop = asyncio.Event()
    holder = asyncio.create_task(_hold(rt, lease, stop))
    try:
        await persister.run(stop)
    finally:
        stop.set()
        await asyncio.gather(holder, return_exceptions=True)
        await sink.aclose()
        await lease.release()
    reason = "shutdown" if rt.shutting_down.is_set() else "lease_lost"
    return {"reason": reason, "slot": slot, **persister.stats.as_dict()}


@shared_task(name=PERSIST_TASK, acks_late=False)
def persist(slot: int = 0) -> dict[str, Any]:
    rt = get_runtime()
    result = rt.run(run_persister(rt, slot))
    if result["reason"] == "shutdown":
        dispatch_persister(rt, slot, force=True)
    return result
