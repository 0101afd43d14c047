"""`tasks.persist(slot=0)`: a long-running consumer of `ow:updates` writing history to
every enabled history sink (`OW_SINKS`: Postgres by COPY → staging → INSERT … ON CONFLICT
DO NOTHING, files by append), one persister per sink, each in its own consumer group and
acking after its write.

Each slot is held by a lease, so exactly one consumer per slot and sink runs; reconcile
starts a persister task for every free slot. On warm shutdown the consumers stop and the
task re-queues itself.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from celery import current_app, shared_task

from sinks.base import Sink
from sinks.enabled import build_history_sinks
from sinks.keys import persist_dispatch_key, persist_lease_key
from sinks.leases import Lease
from sinks.persist import Persister
from sinks.redis import UNAVAILABLE
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
    sinks = build_history_sinks(settings)
    persisters = [Persister(rt.aioredis, s, settings, consumer=f"persist-{slot}") for s in sinks]
    stop = asyncio.Event()
    holder = asyncio.create_task(_hold(rt, lease, stop))
    try:
        await _run_all(persisters, stop)
    finally:
        stop.set()
        await asyncio.gather(holder, return_exceptions=True)
        await _close(sinks)
        await lease.release()
    reason = "shutdown" if rt.shutting_down.is_set() else "lease_lost"
    stats = {p.sink.name: p.stats.as_dict() for p in persisters}
    return {"reason": reason, "slot": slot, "sinks": stats}


async def _run_all(persisters: list[Persister], stop: asyncio.Event) -> None:
    """Every persister until `stop`; one that fails stops the others (the task fails)."""
    if not persisters:  # no history sink configured: hold the slot until shutdown
        await stop.wait()
        return
    running = [asyncio.create_task(p.run(stop), name=f"persist:{p.group}") for p in persisters]
    try:
        await asyncio.gather(*running)
    finally:
        stop.set()
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)


async def _close(sinks: list[Sink]) -> None:
    for sink in sinks:
        try:
            await sink.aclose()
        except Exception:
            logger.exception("sink close failed", extra={"sink": sink.name})


@shared_task(name=PERSIST_TASK, acks_late=False)
def persist(slot: int = 0) -> dict[str, Any]:
    rt = get_runtime()
    result = rt.run(run_persister(rt, slot))
    if result["reason"] == "shutdown":
        dispatch_persister(rt, slot, force=True)
    return result
