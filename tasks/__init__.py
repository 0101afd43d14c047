"""Celery tasks: thin adapters over providers/ and sinks/.

Importing this package registers every task under its stable name
(`tasks.scrape`, `tasks.monitor`, `tasks.reconcile`, `tasks.persist`, `tasks.maintain`).
"""

from tasks import maintain, monitor, persist, reconcile, scrape  # noqa: F401
