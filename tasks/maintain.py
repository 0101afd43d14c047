"""`tasks.maintain()`: daily partitions ahead and retention of `odds_updates`."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from sinks.partitions import maintain as maintain_partitions
from tasks.engine import get_runtime


@shared_task(name="tasks.maintain")
def maintain() -> dict[str, Any]:
    settings = get_runtime().settings
    return maintain_partitions(
        settings.database_url, settings.partition_days_ahead, settings.retention_days
    )
