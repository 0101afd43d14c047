"""A steady load for fault tests: updates written through the live sink's own code path
(`sinks.redis.RedisSink`: the Lua script that LPUSHes, HSETs and XADDs to `ow:updates`)
at a fixed rate from a thread, remembering every update id it got into Redis."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from typing import Any

import psycopg

from oddswatch.model import Market, OddsUpdate, Side, utcnow
from oddswatch.settings import Settings
from sinks.redis import RedisSink

PROVIDER = "chaos"  # rows of the feed, apart from anything else in the tables
TICK_S = 0.02


def _update(seq: int, games: int) -> OddsUpdate:
    return OddsUpdate(
        provider=PROVIDER,
        league="nba",
        event_id=f"g{seq % games}",
        market_id="ml",
        selection_id=f"s{seq % (2 * games)}",
        market=Market.MONEYLINE,
        side=Side.HOME if seq % 2 else Side.AWAY,
        line=None,
        price_american=-110 - seq % 50,
        price_decimal=1.0 + 100 / (110 + seq % 50),
        received_at=utcnow(),
        seq=seq,
        update_id=uuid.uuid4().hex,
    )


class Feeder:
    """`start()` writes `rate` updates a second until `stop()`; `ids` holds every update
    the live sink took (a write Redis refused is not counted: it never entered the stream)."""

    def __init__(self, settings: Settings, rate: float, games: int = 10) -> None:
        self.settings, self.rate, self.games = settings, rate, games
        self.ids: list[str] = []
        self.failed_writes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def start(self) -> Feeder:
        self._thread.start()
        return self

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(10)
        return len(self.ids)

    async def _run(self) -> None:
        sink = RedisSink.from_settings(self.settings)
        started, seq = time.monotonic(), 0
        try:
            while not self._stop.is_set():
                due = int((time.monotonic() - started) * self.rate)
                batch = [_update(n, self.games) for n in range(seq, due)]
                seq = due
                await self._write(sink, batch)
                await asyncio.sleep(TICK_S)
        finally:
            await sink.aclose()

    async def _write(self, sink: RedisSink, batch: list[OddsUpdate]) -> None:
        if not batch:
            return
        try:
            await sink.write(batch)
        except Exception:
            self.failed_writes += 1
            return
        self.ids.extend(u.update_id for u in batch)


def stored(url: str) -> dict[str, Any]:
    """What Postgres holds of the feed: rows, distinct update ids, the ids themselves."""
    with psycopg.connect(url, connect_timeout=3) as conn:
        ids = [
            row[0].hex
            for row in conn.execute(
                "SELECT update_id FROM odds_updates WHERE provider = %s", (PROVIDER,)
            )
        ]
    return {"rows": len(ids), "distinct": len(set(ids)), "ids": set(ids)}


def row_count(url: str) -> int | None:
    """Rows of the feed in Postgres, or None while it is unreachable."""
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            row = conn.execute(
                "SELECT count(*) FROM odds_updates WHERE provider = %s", (PROVIDER,)
            ).fetchone()
    except psycopg.OperationalError:
        return None
    return int(row[0]) if row else 0
