"""Held updates: bounded, the newest kept past the bound, what was dropped counted; a write
that finds the lease vanished takes it back and writes the batch; one that finds it taken
drops what is held (another run owns the game) and says so once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import redis.asyncio as aioredis

from oddswatch.metrics import StreamStats
from oddswatch.model import Market, OddsUpdate, Side
from sinks.keys import lease_key
from sinks.leases import Lease, LeaseState
from sinks.redis import RedisSink
from tasks.writes import PendingWrites


def _updates(n: int) -> list[OddsUpdate]:
    now = datetime.now(UTC)
    return [
        OddsUpdate("draftkings", "nba", "9", "m", f"s{i}", Market.SPREAD, Side.HOME,
                   -6.5, -110 - i, 1.9, now, seq=i + 1)
        for i in range(n)
    ]  # fmt: skip


def test_held_updates_are_bounded_newest_kept_and_drops_counted(settings, redis_data) -> None:  # type: ignore[no-untyped-def]
    async def body() -> None:
        client = aioredis.Redis.from_url(settings.redis_url)
        stats, heard = StreamStats(), []
        lease = Lease(client, lease_key("draftkings", "9"), "me", 5000)
        writes = PendingWrites(RedisSink(client, settings), lease, stats, heard.append, limit=3)
        writes.add(_updates(5))
        assert (len(writes), stats.dropped) == (3, 2)
        writes.close()
        await writes.run()  # the lease is missing: taken back, the three written
        assert (stats.written, heard) == (3, [LeaseState.REACQUIRED])
        assert await client.get(lease.key) == b"me"
        seqs = [
            int(u.seq) for u in await RedisSink(client, settings).read("draftkings", "nba", "9")
        ]
        assert seqs == [3, 4, 5], "the newest kept"
        await client.set(lease.key, "other")
        writes = PendingWrites(RedisSink(client, settings), lease, stats, heard.append, limit=3)
        writes.add(_updates(2))
        writes.close()
        await writes.run()
        assert (stats.written, heard[-1], len(writes)) == (3, LeaseState.TAKEN, 0)
        await client.aclose()

    asyncio.run(body())
