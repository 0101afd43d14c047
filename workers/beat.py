"""Beat's scheduler: RedBeat that survives its broker.

RedBeat renews its lock at the start of every tick and lets any Redis error escape beat's
loop, which ends the process about a second after Redis goes away; a beat killed
uncleanly holds the lock for its timeout. `Scheduler` keeps RedBeat's storage and
scheduling and changes three things:

- A Redis `ConnectionError` or `TimeoutError` in a tick (lock renewal, schedule reads,
  installing entries) is logged and the tick returns a capped, jittered backoff delay as
  beat's sleep; the process never exits for it. Recovery is logged with the outage length.
- The lock is taken without blocking, at every tick while this beat does not hold it: a
  standby beat checks once per loop interval and takes over as soon as the holder's
  lock expires (its timeout is short: `schedule.beat_lock_timeout_s`). A lock that
  vanished (Redis restarted without persistence) or was lost is taken again.
- The static schedule is installed whenever this beat takes the lock, so entries lost
  with a Redis restart come back, and a beat started while Redis is down starts anyway.
  A new entry of the shortest interval (reconcile: the recovery path) is due at once.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

import redis
from celery.signals import beat_init
from redbeat.schedulers import (
    LUA_EXTEND_TO_SCRIPT,
    RedBeatScheduler,
    acquire_distributed_beat_lock,
    get_redis,
)

from oddswatch.backoff import Backoff
from oddswatch.settings import get_settings
from workers.schedule import shortest_interval_s

logger = logging.getLogger(__name__)

BROKER_DOWN = (redis.ConnectionError, redis.TimeoutError)

# RedBeat takes its lock in a beat_init receiver that blocks (polling every max interval)
# and whose errors Celery swallows, leaving no lock at all; here the tick takes it.
beat_init.disconnect(acquire_distributed_beat_lock)


class Scheduler(RedBeatScheduler):  # type: ignore[misc]  # redbeat ships no type hints
    """`beat_scheduler = "workers.beat:Scheduler"`; see the module docstring."""

    lock: Any = None  # redis-py's Lock while this beat holds it

    def __init__(self, app: Any, **kwargs: Any) -> None:
        self._installed = False
        self._standing_by = False
        self._down_since: float | None = None
        super().__init__(app, **kwargs)
        # Capped at half the lock's timeout: back within that long of the broker's return.
        self._backoff = Backoff(get_settings().backoff_base_s, self.lock_timeout / 2)

    def setup_schedule(self) -> None:
        """Deferred to the first tick that holds the lock (see `_ensure_installed`)."""
        self._installed = False

    def tick(self, min: Any = min, **kwargs: Any) -> float:
        try:
            if not self._hold_lock():
                return float(self.max_interval)
            self._ensure_installed()
            interval = float(super().tick(min=min, **kwargs))
        except BROKER_DOWN as exc:
            return self._broker_down(exc)
        except redis.exceptions.LockError:
            self._lock_lost()
            return 0.0
        self._broker_up()
        return interval

    def close(self) -> None:
        lock, self.lock = self.lock, None
        try:
            if lock is not None and lock.owned():
                lock.release()
                logger.info("beat: released the lock")
        except (*BROKER_DOWN, redis.exceptions.LockError) as exc:
            logger.warning("beat: could not release the lock", extra={"error": repr(exc)})
        super().close()

    def _hold_lock(self) -> bool:
        """True when this beat holds the lock (or runs without one); else tries to take it."""
        if not self.lock_key or self.lock is not None:
            return True
        client = get_redis(self.app)
        lock = client.lock(self.lock_key, timeout=self.lock_timeout, sleep=self.max_interval)
        lock.lua_extend = client.register_script(LUA_EXTEND_TO_SCRIPT)  # extend *to* timeout
        if not lock.acquire(blocking=False):
            if not self._standing_by:
                logger.info("beat: standing by, another beat holds the lock")
                self._standing_by = True
            return False
        self.lock, self._standing_by, self._installed = lock, False, False
        logger.info("beat: acquired the lock", extra={"lock_timeout_s": self.lock_timeout})
        return True

    def _ensure_installed(self) -> None:
        if self._installed:
            return
        schedule: dict[str, dict[str, Any]] = self.app.conf.beat_schedule or {}
        client = get_redis(self.app)
        lost = [name for name in schedule if not client.exists(self._key(name))]
        super().setup_schedule()
        self._installed = True
        self._run_now(schedule, lost)
        logger.info("beat: schedule installed", extra={"entries": len(schedule), "new": len(lost)})

    def _run_now(self, schedule: dict[str, dict[str, Any]], names: list[str]) -> None:
        """New entries of the shortest interval (reconcile, the recovery path) are due at
        once, not an interval after a start or a Redis that came back empty."""
        shortest = shortest_interval_s(schedule)
        for name in names:
            every = schedule[name]["schedule"]
            if isinstance(every, timedelta) and every.total_seconds() <= shortest:
                entry = self.Entry.from_key(self._key(name), app=self.app)
                entry.reschedule(self.app.now() - every)

    def _key(self, name: str) -> str:
        return str(self.Entry.generate_key(self.app, name))

    def _lock_lost(self) -> None:
        """The lock expired or vanished (e.g. Redis restarted): take it again next tick."""
        logger.warning("beat: lost the lock; taking it again")
        self.lock = None

    def _broker_down(self, exc: Exception) -> float:
        now = time.monotonic()
        if self._down_since is None:
            self._down_since = now
        delay = self._backoff.next_delay()
        logger.warning(
            "beat: broker unreachable, retrying",
            extra={
                "error": repr(exc),
                "attempt": self._backoff.attempt,
                "down_s": round(now - self._down_since, 1),
                "retry_in_s": round(delay, 2),
            },
        )
        return delay

    def _broker_up(self) -> None:
        if self._down_since is not None:
            down_s = time.monotonic() - self._down_since
            logger.info("beat: broker reachable again", extra={"down_s": round(down_s, 1)})
            self._down_since = None
            self._backoff.reset()
