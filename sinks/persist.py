"""The persister: the `ow:updates` stream → one history sink, acked only after the write.

A consumer in the sink's group (`persist` for Postgres, `persist:<sink>` for the others;
sinks/keys.py) reads a batch (XREADGROUP), decodes it, writes it through the sink
(Postgres: COPY → staging → INSERT ... ON CONFLICT DO NOTHING; files: appended) and XACKs
it after the write. Nothing is acked that the sink does not hold, so a crash or an outage
re-reads the batch and the sink drops what it holds already (Postgres by its primary key,
the file sink by update id): at-least-once delivery, exactly-once rows and lines.

- After a restart, or after a failed write, a consumer first re-reads its own pending
  entries (id `0`) before asking for new ones (`>`).
- `claim()` takes over entries a dead consumer left pending for longer than
  `persist_claim_idle_ms` (XAUTOCLAIM) and handles them the same way.
- A malformed entry is copied verbatim to `<stream>:dead` (with `_id`, `_error` and the
  `_group` that set it aside) and acked; so is a record the sink refuses (`RecordRefused`:
  found by bisecting the batch).
- When the sink or Redis is unreachable, `run()` leaves the batch pending and probes
  both every `persist_probe_s` (0.5 s: `Sink.ping()`, Redis PING) instead of backing off,
  so it is writing again within a probe interval of their return, and then drains the
  backlog at full speed (batches back to back until the stream is caught up). A sink
  failing otherwise (a missing table, a full disk) is retried with capped backoff.
- Acknowledged entries leave the stream once every enabled history sink's group has
  acknowledged them (`sinks/streams.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from oddswatch.backoff import Backoff
from oddswatch.codec import decode_update
from oddswatch.errors import ConfigError, ParseError, SinkError, SinkUnavailable
from oddswatch.model import OddsUpdate
from oddswatch.settings import Settings
from sinks.base import RecordRefused, Sink
from sinks.enabled import history_groups
from sinks.keys import (
    DEAD_ERROR_FIELD,
    DEAD_GROUP_FIELD,
    DEAD_ID_FIELD,
    UPDATE_FIELD_BYTES,
    dead_stream,
    persist_group,
)
from sinks.streams import trim_acknowledged

logger = logging.getLogger(__name__)

DEAD_MAXLEN = 100_000
# The sink or Redis unreachable: entries wait, both are probed until they answer.
UNREACHABLE = (SinkUnavailable, RedisConnectionError, RedisTimeoutError, OSError)
# The sink broken otherwise (e.g. a missing table, a full disk): entries wait, backoff.
PAUSE_ON = (SinkError, *UNREACHABLE)
STILL_PAUSED_LOG_S = 30.0  # while paused, a reminder in the log this often

Entry = tuple[bytes, dict[bytes, bytes] | None]  # (stream id, fields; None when trimmed)
Decoded = tuple[bytes, dict[bytes, bytes], OddsUpdate]
Unusable = tuple[bytes, dict[bytes, bytes], str]  # (stream id, fields, why)


@dataclass(slots=True)
class Counts:
    read: int = 0
    inserted: int = 0
    duplicates: int = 0
    malformed: int = 0
    trimmed: int = 0  # pending entries whose data the stream no longer holds

    def add(self, other: Counts) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


TRIM_EVERY_S = 1.0  # how often acknowledged entries leave the stream


@dataclass(slots=True)
class PersistStats(Counts):
    claimed: int = 0
    batches: int = 0
    failures: int = 0  # steps that left their batch pending (the sink or Redis down)
    released: int = 0  # acknowledged entries trimmed from the stream


class Persister:
    def __init__(
        self, client: aioredis.Redis, sink: Sink, settings: Settings, consumer: str
    ) -> None:
        self.client, self.sink, self.consumer = client, sink, consumer
        self.group = persist_group(sink.name)
        # The groups whose acknowledgements let an entry leave the stream.
        self.trim_groups = list(dict.fromkeys([*history_groups(settings), self.group]))
        self.stream = settings.stream_key
        self.dead_stream = dead_stream(settings.stream_key)
        self.batch = settings.persist_batch
        self.block_ms = settings.persist_block_ms
        self.claim_idle_ms = settings.persist_claim_idle_ms
        self.backoff = Backoff(settings.backoff_base_s, settings.backoff_cap_s)
        self.probe_s = settings.persist_probe_s
        self.stats = PersistStats()
        self._group_ready = False
        self._pending_first = True  # re-read our own pending entries before new ones
        self._claim_cursor: bytes | str = "0-0"
        self._next_claim = 0.0  # loop time of the next claim()
        self._next_trim = 0.0  # loop time of the next trim of acknowledged entries
        if client.connection_pool.connection_kwargs.get("decode_responses"):
            raise ConfigError("the persister needs a Redis client with decode_responses=False")

    async def aclose(self) -> None:
        await self.sink.aclose()
        await self.client.aclose()

    async def ensure_group(self) -> None:
        try:
            await self.client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):  # the group exists already: fine
                raise
        self._group_ready = True

    async def step(self) -> Counts:
        """Persist one batch: own pending entries first, then new ones (blocking)."""
        if not self._group_ready:
            await self.ensure_group()
        entries: list[Entry] = []
        if self._pending_first:
            entries = await self._read("0")
            self._pending_first = bool(entries)
        if not entries:
            entries = await self._read(">")
        return await self.process(entries)

    async def claim(self) -> Counts:
        """Take over and persist entries idle longer than the claim limit."""
        if not self._group_ready:
            await self.ensure_group()
        reply = await self.client.xautoclaim(
            self.stream,
            self.group,
            self.consumer,
            min_idle_time=self.claim_idle_ms,
            start_id=self._claim_cursor,
            count=self.batch,
        )
        self._claim_cursor, entries = reply[0], reply[1]
        if entries:
            self.stats.claimed += len(entries)
            logger.info(
                "entries claimed",
                extra={"count": len(entries), "consumer": self.consumer, "group": self.group},
            )
        return await self.process(entries)

    async def run(self, stop: asyncio.Event) -> None:
        """step()/claim() until `stop` is set; outages pause, never drop: an unreachable
        sink or Redis is probed until it answers, another sink failure backs off."""
        while not stop.is_set():
            try:
                await self._tick()
            except UNREACHABLE as exc:
                self.stats.failures += 1
                # Failing again although the last probe passed: back off before probing.
                if self.backoff.attempt > 0:
                    await _wait(stop, self.backoff.next_delay())
                else:
                    self.backoff.next_delay()  # counts this pause
                await self._paused(stop, exc)
            except PAUSE_ON as exc:
                self.stats.failures += 1
                delay = self.backoff.next_delay()
                logger.warning("persist failing", extra={**self._why(exc), "retry_in_s": delay})
                await _wait(stop, delay)
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                logger.warning(
                    "consumer group gone, recreating it",
                    extra={"stream": self.stream, "group": self.group},
                )
                self._group_ready = False  # Redis lost the stream (e.g. restarted empty)
            else:
                self.backoff.reset()

    async def _paused(self, stop: asyncio.Event, exc: BaseException) -> None:
        """Probe the sink and Redis every `probe_s` until both answer (or `stop`)."""
        loop = asyncio.get_running_loop()
        started = reminded = loop.time()
        logger.warning("persist paused", extra={**self._why(exc), "probe_every_s": self.probe_s})
        while not stop.is_set():
            await _wait(stop, self.probe_s)
            try:
                await self.client.ping()
                await self.sink.ping()
            except UNREACHABLE as again:
                if loop.time() - reminded >= STILL_PAUSED_LOG_S:
                    reminded = loop.time()
                    paused_s = round(reminded - started, 1)
                    logger.warning(
                        "persist still paused", extra={**self._why(again), "paused_s": paused_s}
                    )
                continue
            paused_s = round(loop.time() - started, 1)
            logger.info("persist resumed", extra={"sink": self.sink.name, "paused_s": paused_s})
            return

    def _why(self, exc: BaseException) -> dict[str, str]:
        return {"sink": self.sink.name, "error": type(exc).__name__, "detail": str(exc)}

    async def _tick(self) -> None:
        now = asyncio.get_running_loop().time()
        if now >= self._next_claim:
            counts = await self.claim()
            more = counts.read > 0 or self._claim_cursor not in (b"0-0", "0-0")
            self._next_claim = 0.0 if more else now + max(1.0, self.claim_idle_ms / 2000)
        await self.step()
        if now >= self._next_trim:
            self._next_trim = now + TRIM_EVERY_S
            self.stats.released += await trim_acknowledged(
                self.client, self.stream, self.trim_groups
            )

    async def process(self, entries: Sequence[Entry]) -> Counts:
        """Decode, write, ack. Raises (leaving the good entries pending) when a backend is
        down; the next step re-reads them."""
        counts = Counts(read=len(entries))
        try:
            await self._process(entries, counts)
        except BaseException:
            self._pending_first = True
            raise
        finally:
            self.stats.add(counts)
        return counts

    async def _process(self, entries: Sequence[Entry], counts: Counts) -> None:
        good: list[Decoded] = []
        bad: list[Unusable] = []
        trimmed: list[bytes] = []
        for entry_id, fields in entries:
            if fields is None:
                trimmed.append(entry_id)
                continue
            try:
                good.append((entry_id, fields, decode_update(fields.get(UPDATE_FIELD_BYTES, b""))))
            except ParseError as exc:
                bad.append((entry_id, fields, str(exc)))
        await self._settle_unusable(bad, trimmed, counts)
        if good:
            await self._write(good, counts)
            await self.client.xack(self.stream, self.group, *(entry[0] for entry in good))

    async def _write(self, good: list[Decoded], counts: Counts) -> None:
        """Write; a batch the sink refuses is bisected down to the records it refuses."""
        try:
            await self.sink.write([entry[2] for entry in good])
        except RecordRefused as exc:
            if len(good) == 1:
                entry_id, fields, _ = good[0]
                await self._settle_unusable([(entry_id, fields, str(exc))], [], counts)
                return
            half = len(good) // 2
            await self._write(good[:half], counts)
            await self._write(good[half:], counts)
            return
        self.stats.batches += 1
        counts.inserted += self.sink.last_inserted
        counts.duplicates += len(good) - self.sink.last_inserted

    async def _settle_unusable(
        self, bad: list[Unusable], trimmed: list[bytes], counts: Counts
    ) -> None:
        """Copy malformed entries to the dead stream and ack them with the trimmed ones."""
        if not bad and not trimmed:
            return
        pipe = self.client.pipeline(transaction=True)
        for entry_id, fields, error in bad:
            dead: dict[Any, Any] = {
                **fields,
                DEAD_ID_FIELD.encode(): entry_id,
                DEAD_ERROR_FIELD.encode(): error[:300].encode(),
                DEAD_GROUP_FIELD.encode(): self.group.encode(),
            }
            pipe.xadd(self.dead_stream, dead, maxlen=DEAD_MAXLEN, approximate=True)
        pipe.xack(self.stream, self.group, *(e for e, _, _ in bad), *trimmed)
        await pipe.execute()
        counts.malformed += len(bad)
        counts.trimmed += len(trimmed)
        logger.error(
            "unusable stream entries set aside",
            extra={
                "malformed": len(bad),
                "trimmed": len(trimmed),
                "group": self.group,
                "dead_stream": self.dead_stream,
            },
        )

    async def _read(self, start: str) -> list[Entry]:
        block = None if start == "0" else self.block_ms
        reply = await self.client.xreadgroup(
            self.group, self.consumer, {self.stream: start}, count=self.batch, block=block
        )
        return _entries(reply)


def _entries(reply: Any) -> list[Entry]:
    """XREADGROUP's reply ([[stream, [(id, fields), ...]]]) as a list of entries."""
    return [entry for _stream, entries in reply or () for entry in entries]


async def _wait(stop: asyncio.Event, delay_s: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=delay_s)
