"""One monitor run of one game, Celery-free: lease → stream → change filter → live sink.

The run holds the game's lease (kept by the process's `LeaseKeeper` in one batch with every
other lease; fencing on every write; taken back when it vanished, e.g. after a Redis
restart, so only another run holding it stops this one), reconnects with capped
exponential backoff and jitter, heartbeats into `monitor_runs` and Redis, and ends on the
game's final status, its maximum duration, an idle limit, a lost lease or a warm
shutdown. Nothing a book sends can crash it: providers count bad frames, and failures of
Redis or Postgres are counted, logged and retried.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from oddswatch.backoff import Backoff
from oddswatch.changes import ChangeFilter
from oddswatch.errors import TransportError
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, EventStatus, OddsUpdate, utcnow
from providers.base import GameStream
from sinks.keys import dispatch_key, lease_key
from sinks.leases import Lease, LeaseState
from sinks.redis import UNAVAILABLE
from tasks.engine import Runtime
from tasks.games import load_game
from tasks.heartbeat import Heartbeat
from tasks.writes import PendingWrites

logger = logging.getLogger(__name__)

PENDING_LIMIT = 100_000  # updates kept while Redis is down, newest kept
FLUSH_TIMEOUT_S = 10.0  # how long a stopping monitor waits for its last write
STABLE_SESSION_S = 30.0  # a session this long (or with data) resets the backoff


@dataclass
class MonitorResult:
    reason: str
    run_id: str
    stats: dict[str, int] = field(default_factory=dict)


class Monitor:
    def __init__(self, rt: Runtime, provider: str, league: str, event_id: str) -> None:
        self.rt, self.settings = rt, rt.settings
        self.provider_name, self.league, self.event_id = provider, league, event_id
        self.run_id = uuid.uuid4().hex
        self.stats = StreamStats()
        self.lease = Lease(
            rt.aioredis, lease_key(provider, event_id), self.run_id, self.settings.lease_ttl_ms
        )
        self.reason = ""
        self._stop = asyncio.Event()
        self._writes = PendingWrites(rt.live, self.lease, self.stats, self._on_lease, PENDING_LIMIT)
        self._last_update = time.monotonic()
        self._filter = ChangeFilter()

    def stop(self, reason: str) -> None:
        if not self.reason:
            self.reason = reason
        self._stop.set()

    @property
    def held(self) -> int:
        """Updates waiting to be written (Redis down, or a write in flight)."""
        return len(self._writes)

    def _on_lease(self, state: LeaseState) -> None:
        """What the lease keeper or a write found: another run's token, or ours again."""
        if state is LeaseState.TAKEN:
            self.stop("lease_lost")
        elif state is LeaseState.REACQUIRED:
            self.stats.lease_reacquired += 1
            logger.warning("lease vanished, taken back", extra=self._log_extra(held=self.held))

    async def run(self) -> MonitorResult:
        if not await self.lease.acquire():
            return MonitorResult("lease_held", self.run_id)
        self.rt.leases.add(self.lease, self._on_lease)
        try:
            await self.rt.aioredis.delete(dispatch_key(self.provider_name, self.event_id))
            await self._run_leased()
        finally:
            await self._finish()
        return MonitorResult(self.reason, self.run_id, self.stats.as_dict())

    async def _run_leased(self) -> None:
        game = await load_game(self.rt, self.provider_name, self.league, self.event_id)
        if game is None:
            return self.stop("unknown_event")
        event, selections = game
        if event.status.is_over:
            return self.stop("final")
        # The one change filter: seeded with the scraped prices, then what the board holds
        # (newer), so neither a scraped price nor one a previous run wrote is written again.
        board = await self.rt.live.board(self.provider_name, self.league, self.event_id)
        self._filter = ChangeFilter([*selections, *board])
        provider = self.rt.provider(self.provider_name)
        stream = provider.stream(event, selections, self.stats)
        heartbeat = Heartbeat(self.rt, self, event)
        await heartbeat.start()
        consume = asyncio.create_task(self._consume(stream), name=f"monitor:{self.event_id}")
        drain = asyncio.create_task(self._writes.run(), name=f"drain:{self.event_id}")
        try:
            await self._supervise(consume, event, heartbeat)
        finally:
            consume.cancel()
            await asyncio.gather(consume, return_exceptions=True)
            await stream.aclose()
            await self._flush(drain)
            await heartbeat.end(self.reason)

    async def _consume(self, stream: GameStream) -> None:
        backoff = Backoff(self.settings.backoff_base_s, self.settings.backoff_cap_s)
        while not self._stop.is_set():
            started, got_data = time.monotonic(), False
            try:
                async for batch in stream.session():
                    got_data = got_data or bool(batch)
                    self._handle(batch)
                    await asyncio.sleep(0)  # recv() does not yield while frames are queued
            except TransportError as exc:
                logger.warning("stream disconnected", extra=self._log_extra(error=str(exc)))
            except Exception:  # the kit's guard lets none through: this is a bug
                self.stats.bugs += 1
                logger.exception("stream failed", extra=self._log_extra())
            if got_data or time.monotonic() - started > STABLE_SESSION_S:
                backoff.reset()
            self.stats.reconnects += 1
            await asyncio.sleep(backoff.next_delay())

    def _handle(self, batch: list[OddsUpdate]) -> None:
        if not batch:
            return
        self._last_update = time.monotonic()
        changed = self._filter.changed(batch)
        self.stats.unchanged += len(batch) - len(changed)
        self._writes.add(changed)

    async def _flush(self, drain: asyncio.Task[None]) -> None:
        """Let the drain write what is left (bounded), then stop it."""
        self._writes.close()
        try:
            await asyncio.wait_for(drain, timeout=FLUSH_TIMEOUT_S)
        except TimeoutError:
            logger.warning("flush timed out", extra=self._log_extra())

    async def _supervise(
        self, consume: asyncio.Task[None], event: Event, heartbeat: Heartbeat
    ) -> None:
        deadline = event.starts_at + timedelta(seconds=self.settings.max_duration_s(self.league))
        while not self._stop.is_set():
            self._check_limits(consume, deadline)
            status = await heartbeat.beat_if_due()
            if status is not None and status.is_over:
                self.stop("final")
            stop_wait = asyncio.ensure_future(self._stop.wait())
            await asyncio.wait({consume, stop_wait}, timeout=1.0)
            stop_wait.cancel()

    @property
    def idle_s(self) -> float:
        """Seconds since the stream last delivered an update."""
        return time.monotonic() - self._last_update

    def _check_limits(self, consume: asyncio.Task[None], deadline: datetime) -> None:
        if consume.done():
            self.stop(self.reason or "stream_ended")
        elif self.rt.shutting_down.is_set():
            self.stop("shutdown")
        elif utcnow() >= deadline:
            self.stop("max_duration")
        elif self.idle_s > self.settings.idle_limit_s:
            self.stop("idle")

    async def _finish(self) -> None:
        if self.reason == "lease_lost":
            self.rt.leases.discard(self.lease)
            return
        try:
            await self.rt.leases.release(self.lease)
        except UNAVAILABLE as exc:
            logger.warning("lease release failed", extra=self._log_extra(error=str(exc)))

    def _log_extra(self, **more: object) -> dict[str, object]:
        return {
            "provider": self.provider_name,
            "league": self.league,
            "event_id": self.event_id,
            "run_id": self.run_id,
            **more,
        }


__all__ = ["EventStatus", "Monitor", "MonitorResult"]
