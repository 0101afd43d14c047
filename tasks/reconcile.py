"""`tasks.reconcile()`: every few seconds, a monitor for every due game without a live
lease (the recovery path when a worker dies), a persister for every free slot, and the
`monitor_runs` rows of runs that vanished closed as `lost` (tasks/lost.py)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from sinks.enabled import history_sink_names
from tasks.dispatch import dispatch_due
from tasks.engine import Runtime, get_runtime
from tasks.lost import close_lost_runs, prune_dead_entries
from tasks.persist import dispatch_persister


def ensure_persisters(rt: Runtime) -> list[int]:
    """A persister for every free slot (none when no history sink is enabled); returns the
    slots dispatched."""
    if not history_sink_names(rt.settings):
        return []
    return [s for s in range(rt.settings.persist_consumers) if dispatch_persister(rt, s)]


@shared_task(name="tasks.reconcile")
def reconcile() -> dict[str, Any]:
    rt = get_runtime()
    return {
        "monitors": dispatch_due(rt),
        "persisters": ensure_persisters(rt),
        "lost_runs": close_lost_runs(rt),
        "dead_entries_removed": prune_dead_entries(rt),
    }
