"""A monitor's updates on their way to Redis.

The stream appends changed updates; one drain task per monitor writes whatever has
accumulated, with one write in flight at a time. Reading never waits for a write, so a
backlog merges into one bigger batch instead of one round trip per frame (measured by
bench/ingest.py: 18.1k → 20.5k updates/s at saturation).

While Redis is down the updates are held, up to a limit past which the oldest are dropped
and counted (`stats.dropped`, in the heartbeat), and written when it returns. A write that
finds the lease vanished (Redis restarted empty, or it expired) takes the lease back and
writes again; only a lease another run holds stops the monitor, and its held updates are
that run's to write, not ours.
"""

from __future__ import annotations

import asyncio
import logging

from oddswatch.errors import LeaseLost, LeaseVanished, SinkError
from oddswatch.metrics import StreamStats
from oddswatch.model import OddsUpdate
from sinks.leases import Lease, LeaseState, OnLease
from sinks.redis import UNAVAILABLE, RedisSink

logger = logging.getLogger(__name__)

RETRY_S = 1.0


class PendingWrites:
    def __init__(
        self,
        sink: RedisSink,
        lease: Lease,
        stats: StreamStats,
        on_lease: OnLease,
        limit: int,
    ) -> None:
        self.sink, self.lease, self.stats = sink, lease, stats
        self._on_lease = on_lease
        self._limit = limit
        self._pending: list[OddsUpdate] = []
        self._dirty = asyncio.Event()
        self._closing = False
        self._fenced = False

    def __len__(self) -> int:
        """Updates held, not yet written."""
        return len(self._pending)

    def add(self, updates: list[OddsUpdate]) -> None:
        if not updates or self._fenced:
            return
        self._pending.extend(updates)
        overflow = len(self._pending) - self._limit
        if overflow > 0:
            del self._pending[:overflow]
            self.stats.dropped += overflow
        self._dirty.set()

    async def run(self) -> None:
        """The drain: write what accumulated until closed and empty (or fenced off)."""
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            written = await self._write()
            if self._fenced or (self._closing and (written or not self._pending)):
                return
            if not written:
                await asyncio.sleep(RETRY_S)
                self._dirty.set()

    def close(self) -> None:
        """Ask the drain to write what is left and stop."""
        self._closing = True
        self._dirty.set()

    async def _write(self) -> bool:
        batch, self._pending = self._pending, []
        if not batch:
            return True
        try:
            await self._write_fenced(batch)
        except LeaseVanished:  # gone again at once: try again shortly
            self._pending = batch + self._pending
            return False
        except LeaseLost:
            self._fenced = True
            self._on_lease(LeaseState.TAKEN)
            return False
        except (SinkError, *UNAVAILABLE) as exc:
            self._pending = batch + self._pending
            logger.warning("live write failed", extra={"key": self.lease.key, "error": str(exc)})
            return False
        self.stats.written += len(batch)
        return True

    async def _write_fenced(self, batch: list[OddsUpdate]) -> None:
        """One fenced write; a vanished lease is taken back and the batch written again."""
        try:
            await self.sink.write_fenced(self.lease, batch)
        except LeaseVanished:
            if await self.lease.keep() is LeaseState.TAKEN:
                raise LeaseLost(f"lease {self.lease.key} taken") from None
            self._on_lease(LeaseState.REACQUIRED)
            await self.sink.write_fenced(self.lease, batch)
