"""Persister: stream → a history sink, acked only after the write, nothing lost, nothing
twice."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import psycopg
import pytest
import redis
import redis.asyncio as aioredis
from sinkdata import count, make_updates

from oddswatch.codec import encode_update
from oddswatch.errors import ConfigError, SinkError, SinkUnavailable
from oddswatch.model import OddsUpdate
from oddswatch.settings import Settings
from sinks.fs import FsSink
from sinks.keys import PERSIST_GROUP as GROUP
from sinks.memory import MemorySink
from sinks.persist import Persister
from sinks.postgres import PostgresSink, RecordRefused
from sinks.streams import trim_acknowledged
from tests.waiting import wait_for_async

T = TypeVar("T")
STREAM = "ow:updates"


@pytest.fixture
def fast(settings: Settings, pg: psycopg.Connection, redis_data: redis.Redis) -> Settings:
    return settings.model_copy(
        update={
            "persist_block_ms": 20,
            "backoff_base_s": 0.01,
            "backoff_cap_s": 0.05,
            "persist_probe_s": 0.02,
        }
    )


def publish(client: redis.Redis, updates: list[OddsUpdate]) -> None:
    for u in updates:
        client.xadd(STREAM, {"u": encode_update(u)})


def pending(client: redis.Redis, consumer: str | None = None) -> int:
    if consumer is None:
        return int(client.xpending(STREAM, GROUP)["pending"])
    return len(client.xpending_range(STREAM, GROUP, "-", "+", 10_000, consumername=consumer))


def persister(settings: Settings, consumer: str, database_url: str | None = None) -> Persister:
    client = aioredis.Redis.from_url(settings.redis_url, decode_responses=False)
    sink = PostgresSink(database_url or settings.database_url, connect_timeout_s=2)
    sink.retry_base_s = 0.01
    return Persister(client, sink, settings, consumer)


def run_with(
    settings: Settings, consumer: str, body: Callable[[Persister], Awaitable[T]], url: str = ""
) -> T:
    async def main() -> T:
        p = persister(settings, consumer, url or None)
        try:
            return await body(p)
        finally:
            await p.aclose()

    return asyncio.run(main())


def test_batch_is_persisted_and_acked(fast: Settings, redis_data: redis.Redis, pg) -> None:
    publish(redis_data, make_updates(30))

    async def body(p: Persister) -> tuple[int, int, int]:
        first = await p.step()
        second = await p.step()  # nothing new: blocks briefly, returns nothing
        return first.read, first.inserted, second.read

    assert run_with(fast, "c1", body) == (30, 30, 0)
    assert count(pg, "SELECT count(*) FROM odds_updates") == 30
    assert pending(redis_data) == 0


def test_crash_before_ack_rereads_pending_and_inserts_once(
    fast: Settings, redis_data: redis.Redis, pg, pg_database: str
) -> None:
    updates = make_updates(40)
    publish(redis_data, updates)
    redis_data.xgroup_create(STREAM, GROUP, id="0")
    # The crashed run: it read everything as c1 and committed half before dying unacked.
    redis_data.xreadgroup(GROUP, "c1", {STREAM: ">"}, count=100)

    async def half_committed() -> None:
        sink = PostgresSink(pg_database)
        await sink.write(updates[:20])
        await sink.aclose()

    asyncio.run(half_committed())
    assert pending(redis_data, "c1") == 40

    async def body(p: Persister) -> tuple[int, int, int]:
        counts = await p.step()
        return counts.read, counts.inserted, counts.duplicates

    assert run_with(fast, "c1", body) == (40, 20, 20)
    assert count(pg, "SELECT count(*) FROM odds_updates") == 40
    assert pending(redis_data) == 0


def test_claims_entries_of_a_dead_consumer(fast: Settings, redis_data: redis.Redis, pg) -> None:
    publish(redis_data, make_updates(25))
    redis_data.xgroup_create(STREAM, GROUP, id="0")
    redis_data.xreadgroup(GROUP, "dead", {STREAM: ">"}, count=100)

    async def body(p: Persister) -> tuple[int, int, int]:
        p.claim_idle_ms = 60_000
        too_fresh = await p.claim()
        await asyncio.sleep(0.05)
        p.claim_idle_ms = 10
        claimed = await p.claim()
        return too_fresh.read, claimed.inserted, p.stats.claimed

    assert run_with(fast, "alive", body) == (0, 25, 25)
    assert count(pg, "SELECT count(*) FROM odds_updates") == 25
    assert pending(redis_data) == 0


def test_malformed_entries_go_to_the_dead_stream_and_are_acked(
    fast: Settings, redis_data: redis.Redis, pg
) -> None:
    publish(redis_data, make_updates(3))
    redis_data.xadd(STREAM, {"u": b"not json"})
    redis_data.xadd(STREAM, {"u": b'{"provider": 1}'})
    redis_data.xadd(STREAM, {"other": b"field"})

    async def body(p: Persister) -> tuple[int, int, int]:
        counts = await p.step()
        return counts.read, counts.inserted, counts.malformed

    assert run_with(fast, "c1", body) == (6, 3, 3)
    dead = redis_data.xrange(f"{STREAM}:dead")
    assert [fields.get(b"u") for _, fields in dead] == [b"not json", b'{"provider": 1}', None]
    assert dead[2][1][b"other"] == b"field"
    assert all(b"_id" in fields and b"_error" in fields for _, fields in dead)
    assert pending(redis_data) == 0


def test_a_record_postgres_refuses_is_isolated(fast: Settings, redis_data: redis.Redis, pg) -> None:
    updates = make_updates(9)
    updates[4] = dataclasses.replace(updates[4], update_id="zz")
    publish(redis_data, updates)

    async def body(p: Persister) -> tuple[int, int]:
        counts = await p.step()
        return counts.inserted, counts.malformed

    assert run_with(fast, "c1", body) == (8, 1)
    assert len(redis_data.xrange(f"{STREAM}:dead")) == 1
    assert pending(redis_data) == 0


def test_postgres_down_leaves_entries_pending_then_recovers(
    fast: Settings, redis_data: redis.Redis, pg, pg_database: str
) -> None:
    publish(redis_data, make_updates(12))
    down = pg_database.replace(":5432/", ":1/")

    async def fails(p: Persister) -> int:
        with pytest.raises(SinkUnavailable):
            await p.step()
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(0.3, stop.set)
        await p.run(stop)  # pauses and probes, never acks
        return p.stats.failures

    assert run_with(fast, "c1", fails, url=down) >= 1
    assert pending(redis_data, "c1") == 12
    assert redis_data.xlen(STREAM) == 12

    async def recovers(p: Persister) -> int:
        return (await p.step()).inserted

    assert run_with(fast, "c1", recovers) == 12
    assert pending(redis_data) == 0
    assert count(pg, "SELECT count(*) FROM odds_updates") == 12


def test_a_paused_persister_is_back_within_a_probe_interval_of_postgres(
    settings: Settings, redis_data: redis.Redis, pg, pg_database: str
) -> None:
    """Down for a while (long enough for a 30 s-capped backoff to reach seconds), the sink
    is probed every `persist_probe_s`: rows land within about one interval of its return."""
    slow = settings.model_copy(
        update={"persist_block_ms": 20, "persist_probe_s": 0.1, "backoff_cap_s": 30.0}
    )
    publish(redis_data, make_updates(50))
    down = pg_database.replace(":5432/", ":1/")

    async def body(p: Persister) -> tuple[float, int]:
        stop = asyncio.Event()
        running = asyncio.create_task(p.run(stop))
        await asyncio.sleep(2.0)  # paused all along
        failures = p.stats.failures
        p.sink.database_url = pg_database  # type: ignore[attr-defined]  # Postgres is back
        back = time.monotonic()
        await wait_for_async(lambda: _inserted(p, 50), 5, "the backlog written", every_s=0.01)
        resumed_s = time.monotonic() - back
        stop.set()
        await running
        return resumed_s, failures

    resumed_s, failures = run_with(slow, "c1", body, url=down)
    assert failures == 1, "one pause, then probes (no failed write per probe)"
    assert resumed_s < 0.5, f"rows {resumed_s:.2f}s after Postgres came back"
    assert pending(redis_data) == 0
    assert count(pg, "SELECT count(*) FROM odds_updates") == 50


def test_a_sink_that_fails_after_its_probe_passes_backs_off(
    fast: Settings, redis_data: redis.Redis
) -> None:
    """A ping that passes while writes still fail does not spin: the pauses back off."""
    publish(redis_data, make_updates(3))

    class Flaky(MemorySink):
        async def _write(self, batch: Sequence[OddsUpdate]) -> None:
            raise SinkUnavailable("writes fail, pings pass")

    async def main() -> int:
        client = aioredis.Redis.from_url(fast.redis_url)
        sink = Flaky()
        sink.retry_base_s = 0.001
        p = Persister(client, sink, fast.model_copy(update={"backoff_cap_s": 0.2}), "c1")
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(1.0, stop.set)
        await p.run(stop)
        await p.aclose()
        return p.stats.failures

    failures = asyncio.run(main())
    assert 2 <= failures <= 12, f"{failures} pauses in 1 s"
    assert redis_data.xpending(STREAM, "persist:memory")["pending"] == 3


def test_a_broken_schema_pauses_instead_of_dead_lettering(
    fast: Settings, redis_data: redis.Redis, pg_database: str
) -> None:
    publish(redis_data, make_updates(4))
    admin = pg_database.rsplit("/", 1)[0] + "/postgres"
    empty = pg_database.rsplit("/", 1)[0] + "/oddswatch_test_empty"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS oddswatch_test_empty")
        conn.execute("CREATE DATABASE oddswatch_test_empty")  # no tables

    async def body(p: Persister) -> int:
        with pytest.raises(SinkError) as info:
            await p.step()
        assert not isinstance(info.value, (SinkUnavailable, RecordRefused))
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(0.2, stop.set)
        await p.run(stop)
        return p.stats.failures

    try:
        assert run_with(fast, "c1", body, url=empty) >= 1
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS oddswatch_test_empty (FORCE)")
    assert pending(redis_data, "c1") == 4
    assert redis_data.xlen(f"{STREAM}:dead") == 0


async def _inserted(p: Persister, rows: int) -> bool:
    return p.stats.inserted >= rows


def test_run_persists_until_stopped(fast: Settings, redis_data: redis.Redis, pg) -> None:
    publish(redis_data, make_updates(10))

    async def body(p: Persister) -> int:
        stop = asyncio.Event()

        async def stop_when_done() -> None:
            await wait_for_async(lambda: _inserted(p, 10), 10, "10 rows", every_s=0.01)
            stop.set()

        await asyncio.wait_for(asyncio.gather(p.run(stop), stop_when_done()), timeout=10)
        return p.stats.batches

    assert run_with(fast, "c1", body) >= 1
    assert count(pg, "SELECT count(*) FROM odds_updates") == 10


def test_a_vanished_stream_and_group_are_recreated(
    fast: Settings, redis_data: redis.Redis, pg
) -> None:
    async def body(p: Persister) -> int:
        await p.step()  # creates the group
        redis_data.delete(STREAM)  # Redis restarted without its data
        publish(redis_data, make_updates(5))
        stop = asyncio.Event()

        async def stop_when_done() -> None:
            await wait_for_async(lambda: _inserted(p, 5), 10, "5 rows", every_s=0.01)
            stop.set()

        await asyncio.wait_for(asyncio.gather(p.run(stop), stop_when_done()), timeout=10)
        return p.stats.inserted

    assert run_with(fast, "c1", body) == 5
    assert pending(redis_data) == 0


def test_refuses_a_client_that_decodes_responses(fast: Settings) -> None:
    client = aioredis.Redis.from_url(fast.redis_url, decode_responses=True)
    with pytest.raises(ConfigError):
        Persister(client, PostgresSink(fast.database_url), fast, "c1")


def test_acknowledged_entries_leave_the_stream_pending_ones_stay(
    fast: Settings, redis_data: redis.Redis
) -> None:
    publish(redis_data, make_updates(30))
    run_with(fast, "p1", lambda p: p.step())  # persists and acks all 30
    publish(redis_data, make_updates(10))
    redis_data.xreadgroup(GROUP, "slow", {STREAM: ">"}, count=4)  # 4 read, not acked

    async def trim(p: Persister) -> int:
        return await trim_acknowledged(p.client, STREAM)

    assert run_with(fast, "p1", trim) == 30
    assert redis_data.xlen(STREAM) == 10  # the 4 pending and the 6 undelivered stay
    assert pending(redis_data) == 4
    run_with(fast, "p1", lambda p: p.claim())  # nothing idle long enough: no change
    assert redis_data.xlen(STREAM) == 10


def test_a_file_persister_reads_in_its_own_group_and_writes_nothing_twice(
    fast: Settings, redis_data: redis.Redis, pg, tmp_path
) -> None:
    """Postgres and files each read the stream in a group of their own; a batch read again
    (here: the fs group rewound, as after a crash before its ack) appends nothing; and
    the stream keeps what one enabled sink's group has not acknowledged."""
    updates = make_updates(12)
    publish(redis_data, updates)
    both = fast.model_copy(update={"sinks": ["redis", "postgres", "fs"]})

    async def body() -> tuple[int, int, int, int, int]:
        client = aioredis.Redis.from_url(both.redis_url, decode_responses=False)
        files = Persister(client, FsSink(tmp_path), both, "c1")
        first = await files.step()
        await client.xgroup_setid(STREAM, "persist:fs", "0")
        again = await files.step()
        held = await trim_acknowledged(client, STREAM, files.trim_groups)  # no postgres group
        rows = Persister(client, PostgresSink(both.database_url), both, "c1")
        await rows.step()
        released = await trim_acknowledged(client, STREAM, files.trim_groups)
        await rows.sink.aclose()
        await client.aclose()
        return first.inserted, again.inserted, again.duplicates, held, released

    assert asyncio.run(body()) == (12, 0, 12, 0, 12)
    assert asyncio.run(FsSink(tmp_path).read("draftkings", "nba", "g1")) == updates[0::2]
    assert count(pg, "SELECT count(*) FROM odds_updates") == 12
