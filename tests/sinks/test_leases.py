"""Leases: a fenced write tells a vanished lease from one another run holds, `keep()`
takes a vanished lease back, and the keeper renews every lease of a process in one
pipeline, telling each monitor what changed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis

from oddswatch.errors import LeaseLost, LeaseVanished
from oddswatch.model import Market, OddsUpdate, Side
from sinks.keys import lease_key
from sinks.leases import Lease, LeaseKeeper, LeaseState
from sinks.redis import RedisSink


def _update(event_id: str) -> OddsUpdate:
    return OddsUpdate("draftkings", "nba", event_id, "m", "s", Market.SPREAD, Side.HOME,
                      -6.5, -110, 1.9, datetime.now(UTC))  # fmt: skip


def _run(settings, body):  # type: ignore[no-untyped-def]
    async def main() -> None:
        client = aioredis.Redis.from_url(settings.redis_url)
        try:
            await body(client)
        finally:
            await client.aclose()

    asyncio.run(main())


def test_a_fenced_write_tells_vanished_from_taken(settings, redis_data) -> None:  # type: ignore[no-untyped-def]
    async def body(client: aioredis.Redis) -> None:
        sink = RedisSink(client, settings)
        mine = Lease(client, lease_key("draftkings", "1"), "me", 5000)
        with pytest.raises(LeaseVanished):
            await sink.write_fenced(mine, [_update("1")])
        await client.set(mine.key, "other")
        with pytest.raises(LeaseLost) as taken:
            await sink.write_fenced(mine, [_update("1")])
        assert not isinstance(taken.value, LeaseVanished)
        assert await client.llen("ow:odds:draftkings:nba:1") == 0, "neither wrote anything"
        assert await client.xlen(settings.stream_key) == 0

    _run(settings, body)


def test_keep_renews_takes_back_and_yields(settings, redis_data) -> None:  # type: ignore[no-untyped-def]
    async def body(client: aioredis.Redis) -> None:
        lease = Lease(client, lease_key("draftkings", "2"), "me", 5000)
        assert await lease.acquire()
        await client.pexpire(lease.key, 100)
        assert await lease.keep() is LeaseState.HELD
        assert await client.pttl(lease.key) > 4000
        await client.delete(lease.key)  # as after a Redis restart without persistence
        assert await lease.keep() is LeaseState.REACQUIRED
        assert await client.get(lease.key) == b"me"
        await client.set(lease.key, "other")
        assert await lease.keep() is LeaseState.TAKEN
        assert not await lease.renew()
        assert await client.get(lease.key) == b"other", "another run's lease is never touched"

    _run(settings, body)


def test_the_keeper_keeps_every_lease_in_one_pipeline(settings, redis_data) -> None:  # type: ignore[no-untyped-def]
    async def body(client: aioredis.Redis) -> None:
        keeper = LeaseKeeper(client, interval_s=0.05)
        heard: dict[str, list[LeaseState]] = {}
        leases = [Lease(client, lease_key("draftkings", str(g)), f"t{g}", 300) for g in range(200)]
        for lease in leases:
            assert await lease.acquire()
            keeper.add(lease, lambda state, key=lease.key: heard.setdefault(key, []).append(state))
        await client.script_flush()  # Redis restarted: the scripts are gone too
        await client.delete(leases[0].key)
        await client.set(leases[1].key, "other")
        await asyncio.sleep(0.6)  # twice the TTL: only renewal keeps them
        assert heard == {leases[0].key: [LeaseState.REACQUIRED], leases[1].key: [LeaseState.TAKEN]}
        assert all([await client.get(lease.key) == lease.token.encode() for lease in leases[2:]])
        assert await keeper.release(leases[2])
        await asyncio.sleep(0.2)
        assert not await client.exists(leases[2].key), "a released lease is not taken back"
        assert await client.get(leases[1].key) == b"other"
        assert len(keeper) == 198, "the taken one and the released one are no longer kept"
        for lease in leases:
            await keeper.release(lease)
        await asyncio.sleep(0.1)
        assert len(keeper) == 0

    _run(settings, body)
