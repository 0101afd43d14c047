"""Postgres ceilings on the same server, measured while nothing else of the benchmark runs.

- `copy_ceiling`: raw binary COPY through psycopg (the sink's row shape, types and
  dumpers) into an UNLOGGED table shaped like `odds_updates`, no keys, no indexes: the
  most rows per second this server takes from one Python connection.
- `sink_ceiling`: the pipeline's own Postgres step alone, `PostgresSink.write` (COPY →
  staging → INSERT … ON CONFLICT DO NOTHING into the partitioned, indexed table) in
  batches of the persister's size, from `OddsUpdate` records.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import timedelta
from typing import Any

import psycopg

from oddswatch.model import Market, OddsUpdate, Side, utcnow
from oddswatch.odds import american_to_decimal
from sinks.db import UTC_OPTIONS
from sinks.postgres import COLUMNS, COPY_TYPES, PostgresSink, copy_row

TABLE = "bench_copy_ceiling"
_MARKETS = (
    (Market.MONEYLINE, "ML", (Side.AWAY, Side.HOME)),
    (Market.SPREAD, "HC", (Side.AWAY, Side.HOME)),
    (Market.TOTAL, "OU", (Side.OVER, Side.UNDER)),
)


def synthetic_updates(count: int, games: int = 100, seed: int = 7) -> list[OddsUpdate]:
    """Updates shaped like the DraftKings stream's: ids, markets, lines, juice, times."""
    rng = random.Random(seed)
    event_ids = [str(rng.randrange(30_000_000, 40_000_000)) for _ in range(games)]
    base = utcnow()
    out = []
    for i in range(count):
        event_id = rng.choice(event_ids)
        market, code, sides = rng.choice(_MARKETS)
        side = rng.choice(sides)
        american = rng.choice((-125, -120, -115, -110, -105, 100, 105, 140, -160, 210, -260))
        line = None if market is Market.MONEYLINE else rng.randrange(-30, 460) / 2
        received = base + timedelta(microseconds=i * 50)
        out.append(
            OddsUpdate(
                provider="draftkings",
                league="nba",
                event_id=event_id,
                market_id=f"2_{event_id}_{code}",
                selection_id=f"0{code}{event_id}_{1 if side in (Side.AWAY, Side.OVER) else 3}",
                market=market,
                side=side,
                line=line,
                price_american=american,
                price_decimal=american_to_decimal(american),
                received_at=received,
                source_ts=received - timedelta(milliseconds=2),
                seq=i,
            )
        )
    return out


def copy_ceiling(database_url: str, updates: list[OddsUpdate]) -> dict[str, Any]:
    rows = [copy_row(u) for u in updates]
    columns = ", ".join(COLUMNS)
    with psycopg.connect(database_url, autocommit=True, options=UTC_OPTIONS) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
        conn.execute(f"CREATE UNLOGGED TABLE {TABLE} (LIKE odds_updates INCLUDING DEFAULTS)")
        conn.execute(
            f"ALTER TABLE {TABLE} ALTER COLUMN update_id TYPE text, "
            "ALTER COLUMN price_american TYPE bigint"
        )
        started = time.perf_counter()
        statement = f"COPY {TABLE} ({columns}) FROM STDIN (FORMAT BINARY)"
        with conn.transaction(), conn.cursor() as cur, cur.copy(statement) as copy:
            copy.set_types(COPY_TYPES)
            for row in rows:
                copy.write_row(row)
        elapsed = time.perf_counter() - started
        conn.execute(f"DROP TABLE {TABLE}")
    return {
        "rows": len(rows),
        "seconds": round(elapsed, 3),
        "rows_per_s": round(len(rows) / elapsed),
    }


def sink_ceiling(database_url: str, updates: list[OddsUpdate], batch: int) -> dict[str, Any]:
    async def run() -> float:
        sink = PostgresSink(database_url)
        try:
            await sink.write(updates[:batch])  # connection, staging table, partition
            started = time.perf_counter()
            for i in range(batch, len(updates), batch):
                await sink.write(updates[i : i + batch])
            return time.perf_counter() - started
        finally:
            await sink.aclose()

    elapsed = asyncio.run(run())
    rows = len(updates) - batch
    return {
        "rows": rows,
        "batch": batch,
        "seconds": round(elapsed, 3),
        "rows_per_s": round(rows / elapsed),
    }
