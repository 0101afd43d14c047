"""Monitor heartbeats: `monitor_runs` in Postgres (history) and Redis (live state for
`oddswatch status`), plus the provider's drift counters. A dead database or Redis is
logged and counted; it never stops a monitor."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from oddswatch.errors import SinkError
from oddswatch.model import Event, EventStatus, utcnow
from sinks.keys import MONITORS_KEY, metrics_key, monitor_key, monitor_member, recent_key
from sinks.redis import UNAVAILABLE

if TYPE_CHECKING:
    from tasks.engine import Runtime
    from tasks.monitoring import Monitor

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Skip counters by reason (providers.kit.skips), published per provider and per minute.
DRIFT_FIELDS = ("parse_errors", "unknown_records", "drift", "invalid_values", "skipped", "bugs")
RECENT_TTL_S = 3600  # per-minute drift buckets live this long
# A run whose heartbeat is this many intervals old is gone (its Redis state expires then).
SILENT_AFTER_BEATS = 3


def silent_after_s(heartbeat_s: float) -> float:
    """How old a monitor's last heartbeat may be before status and reconcile count the
    run as dead (status) or lost (reconcile, when no lease is held by it either)."""
    return heartbeat_s * SILENT_AFTER_BEATS


class Heartbeat:
    def __init__(self, rt: Runtime, monitor: Monitor, event: Event) -> None:
        self.rt, self.monitor, self.event = rt, monitor, event
        self.interval_s = rt.settings.heartbeat_s
        self._next = 0.0
        self._reported = dict.fromkeys(DRIFT_FIELDS, 0)
        self.started_at = utcnow()
        self.started_mono = time.monotonic()
        self.member = monitor_member(monitor.provider_name, monitor.league, monitor.event_id)
        self._written: deque[tuple[float, int]] = deque()  # (monotonic, written) ≤ 60 s old

    async def start(self) -> None:
        m = self.monitor
        await self._db(
            self.rt.catalog.start_run,
            m.run_id,
            m.provider_name,
            m.league,
            m.event_id,
            self.rt.worker,
        )
        await self._publish()
        self._next = time.monotonic() + self.interval_s

    async def beat_if_due(self) -> EventStatus | None:
        """Publish when due; returns the game's status from the catalog, or None."""
        if time.monotonic() < self._next:
            return None
        self._next = time.monotonic() + self.interval_s
        await self._db(self.rt.catalog.heartbeat_run, self.monitor.run_id, self._stats())
        await self._publish()
        event = await self._db(self.rt.catalog.event, self.event.provider, self.event.event_id)
        return None if event is None else event.status

    async def end(self, reason: str) -> None:
        await self._db(self.rt.catalog.end_run, self.monitor.run_id, reason, self._stats())
        try:
            await self._publish_drift()
            pipe = self.rt.aioredis.pipeline(transaction=False)
            pipe.delete(monitor_key(self.monitor.provider_name, self.monitor.event_id))
            pipe.zrem(MONITORS_KEY, self.member)
            await pipe.execute()
        except UNAVAILABLE as exc:
            logger.warning("heartbeat end failed", extra={"error": str(exc)})

    def _stats(self) -> dict[str, int]:
        return self.monitor.stats.as_dict()

    async def _publish(self) -> None:
        m, now = self.monitor, utcnow()
        state: dict[Any, Any] = {  # redis-py's mapping type is invariant
            "run_id": m.run_id,
            "worker": self.rt.worker,
            "provider": m.provider_name,
            "league": m.league,
            "event_id": m.event_id,
            "label": self.event.label,
            "started_at": self.started_at.isoformat(),
            "heartbeat_at": now.isoformat(),
            "last_update_age_s": f"{m.idle_s:.1f}",
            "written_1m": str(self._written_last_minute()),
            "held": str(m.held),
            **{k: str(v) for k, v in self._stats().items()},
        }
        key = monitor_key(m.provider_name, m.event_id)
        try:
            pipe = self.rt.aioredis.pipeline(transaction=False)
            pipe.hset(key, mapping=state)
            pipe.expire(key, int(silent_after_s(self.interval_s)) + 1)
            pipe.zadd(MONITORS_KEY, {self.member: now.timestamp()})
            await pipe.execute()
            await self._publish_drift()
        except UNAVAILABLE as exc:
            logger.warning("heartbeat publish failed", extra={"error": str(exc)})

    def _written_last_minute(self) -> int:
        now, written = time.monotonic(), self.monitor.stats.written
        self._written.append((now, written))
        while len(self._written) > 1 and now - self._written[1][0] >= 60:
            self._written.popleft()
        return written - self._written[0][1] if now - self.started_mono >= 60 else written

    async def _publish_drift(self) -> None:
        stats = self._stats()
        deltas = {k: stats[k] - self._reported[k] for k in DRIFT_FIELDS}
        if not any(deltas.values()):
            return
        pipe = self.rt.aioredis.pipeline(transaction=False)
        provider = self.monitor.provider_name
        recent = recent_key(provider, int(time.time()) // 60)
        for name, delta in deltas.items():
            if delta:
                pipe.hincrby(metrics_key(provider), name, delta)
                pipe.hincrby(recent, name, delta)
        pipe.expire(recent, RECENT_TTL_S)
        await pipe.execute()
        self._reported = {k: stats[k] for k in DRIFT_FIELDS}

    async def _db(self, fn: Callable[..., T], *args: object) -> T | None:
        """A catalog call off the loop; a database failure is logged, never raised."""
        try:
            return await asyncio.to_thread(fn, *args)
        except SinkError as exc:
            logger.warning("monitor_runs write failed", extra={"error": str(exc)})
            return None
