"""The live Redis path: fencing by lease, one pipeline for concurrent writers, and
recovery when Redis lost its script cache."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import redis.asyncio as aioredis

from oddswatch.errors import LeaseLost
from oddswatch.model import Market, OddsUpdate, Side
from sinks.keys import lease_key
from sinks.leases import Lease, LeaseState
from sinks.redis import RedisSink


def _updates(event_id: str, n: int) -> list[OddsUpdate]:
    now = datetime.now(UTC)
    return [
        OddsUpdate("draftkings", "nba", event_id, "m", f"s{i}", Market.SPREAD, Side.HOME,
                   -6.5, -110 - i, 1.9, now, seq=i)
        for i in range(n)
    ]  # fmt: skip


def _run(settings, body):  # type: ignore[no-untyped-def]
    async def main() -> None:
        sink = RedisSink(aioredis.Redis.from_url(settings.redis_url), settings)
        try:
            await body(sink)
        finally:
            await sink.aclose()

    asyncio.run(main())


def test_fenced_writes_need_the_lease(settings, redis_data) -> None:  # type: ignore[no-untyped-def]
    async def body(sink: RedisSink) -> None:
        mine = Lease(sink.client, lease_key("draftkings", "1"), "me", 5000)
        assert await mine.acquire()
        assert await sink.write_fenced(mine, _updates("1", 3)) == 3
        thief = Lease(sink.client, mine.key, "thief", 5000)
        assert not await thief.acquire()
        try:
            await sink.write_fenced(thief, _updates("1", 2))
        except LeaseLost:
            pass
        else:
            raise AssertionError("a write without the lease went through")
        assert len(await sink.read("draftkings", "nba", "1")) == 3
        assert await mine.release()
        assert not await mine.release(), "only while it holds our token"
        assert await mine.keep() is LeaseState.REACQUIRED, "a vanished lease is taken back"

    _run(settings, body)


def test_concurrent_writers_share_a_flush_and_survive_a_script_flush(settings, redis_data) -> None:  # type: ignore[no-untyped-def]
    async def body(sink: RedisSink) -> None:
        await sink.client.script_flush()
        games = [str(g) for g in range(5)]
        await asyncio.gather(*(sink.write(_updates(g, 4)) for g in games))
        for game in games:
            assert [u.seq for u in await sink.read("draftkings", "nba", game)] == [0, 1, 2, 3]
        assert await sink.client.xlen(settings.stream_key) == 20
        assert len(await sink.board("draftkings", "nba", "0")) == 4

    _run(settings, body)
