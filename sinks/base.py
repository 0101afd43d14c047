"""The sink contract: public behaviour (retry, metrics) lives here once; each sink writes
only its private primitive `_write` (dramatiq's backend shape).

`write(batch)` is atomic per call as far as the backend allows, keeps the batch order and
retries `SinkUnavailable` with capped exponential backoff before raising it. After it,
`last_inserted` says how many of the batch were new to the backend: history sinks drop
updates they hold already (a re-read stream batch), the others count every update.
A backend that will never take some record of a batch raises `RecordRefused`.
`ping()` raises SinkUnavailable while the backend is unreachable (the persister's probe).
`read(provider, league, event_id)` returns what the sink holds for one game, oldest first
(it exists for tests, `oddswatch tail` and the contract test, not for the hot path).
"""

from __future__ import annotations

import asyncio
import logging
import random
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Self

from oddswatch.errors import SinkError, SinkUnavailable
from oddswatch.model import OddsUpdate
from oddswatch.registry import Registry
from oddswatch.settings import Settings

logger = logging.getLogger(__name__)


class RecordRefused(SinkError):
    """A batch holds a record the backend will never take (bad value, out of range); the
    same batch without it would be written. Anything else wrong is a plain SinkError."""


@dataclass(slots=True)
class SinkStats:
    batches: int = 0
    written: int = 0
    retries: int = 0
    failures: int = 0


class Sink(ABC):
    name: ClassVar[str]
    retry_attempts: int = 3
    retry_base_s: float = 0.2

    def __init__(self) -> None:
        self.stats = SinkStats()
        self.last_inserted = 0  # updates of the last written batch new to the backend

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Settings) -> Self:
        """Build from settings; raise NotConfigured when something is missing."""

    async def write(self, batch: Sequence[OddsUpdate]) -> int:
        """Write a batch; returns how many updates were handed to the backend."""
        return await self._deliver(batch, lambda: self._write(batch))

    async def _deliver(
        self, batch: Sequence[OddsUpdate], op: Callable[[], Awaitable[object]]
    ) -> int:
        """Run a write of `batch` with retries and count it (for sinks with other write
        forms, such as the live sink's fenced write)."""
        self.last_inserted = len(batch)  # a sink that drops duplicates lowers it in _write
        if not batch:
            return 0
        await self._with_retry(op)
        self.stats.batches += 1
        self.stats.written += len(batch)
        return len(batch)

    async def _with_retry(self, op: Callable[[], Awaitable[object]]) -> None:
        """Run `op`, retrying SinkUnavailable with capped, jittered exponential backoff."""
        for attempt in range(self.retry_attempts):
            try:
                await op()
            except SinkUnavailable:
                self.stats.retries += 1
                if attempt + 1 == self.retry_attempts:
                    self.stats.failures += 1
                    raise
                delay = self.retry_base_s * 2**attempt * (0.5 + random.random())
                logger.warning("sink unavailable, retrying", extra={"sink": self.name})
                await asyncio.sleep(delay)
            else:
                return

    @abstractmethod
    async def _write(self, batch: Sequence[OddsUpdate]) -> None:
        """Write one batch; raise SinkUnavailable when the backend is unreachable."""

    @abstractmethod
    async def read(self, provider: str, league: str, event_id: str) -> list[OddsUpdate]:
        """Everything held for one game, oldest first."""

    async def ping(self) -> None:  # noqa: B027 - optional hook
        """Raise SinkUnavailable when the backend cannot be reached: the cheap check a
        paused persister repeats until the backend is back. A sink with nothing remote to
        reach (memory, files) is always there."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


sinks: Registry[Sink] = Registry("sink")
register = sinks.register
