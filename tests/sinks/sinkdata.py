"""Test data for the sink tests (a plain module: tests import it, conftest uses it)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import psycopg

from oddswatch.model import Market, OddsUpdate, PriceStatus, Side
from sinks.base import Sink

SinkFactory = Callable[[], Sink]
PLUS_2 = timezone(timedelta(hours=2))


def redis_sink_class() -> type[Sink] | None:
    """`sinks.redis.RedisSink` when it exists and is a Sink."""
    try:
        module = importlib.import_module("sinks.redis")
    except ImportError:
        return None
    cls = getattr(module, "RedisSink", None)
    return cls if isinstance(cls, type) and issubclass(cls, Sink) else None


def sink_names() -> list[str]:
    """Every sink the contract test covers."""
    names = ["memory", "fs", "postgres"]
    return [*names, "redis"] if redis_sink_class() else names


def make_updates(
    n: int,
    event_ids: tuple[str, ...] = ("g1", "g2"),
    start: datetime | None = None,
    provider: str = "draftkings",
    league: str = "nba",
) -> list[OddsUpdate]:
    """`n` updates alternating over games, 1 ms apart, covering the optional fields."""
    t0 = start or datetime.now(UTC).replace(microsecond=123456) - timedelta(minutes=5)
    markets = [
        (Market.MONEYLINE, Side.HOME, None),
        (Market.SPREAD, Side.AWAY, -3.5),
        (Market.TOTAL, Side.OVER, 221.5),
    ]
    updates = []
    for i in range(n):
        market, side, line = markets[i % len(markets)]
        updates.append(
            OddsUpdate(
                provider=provider,
                league=league,
                event_id=event_ids[i % len(event_ids)],
                market_id=f"m{i % 3}",
                selection_id=f"s{i % 6}",
                market=market,
                side=side,
                line=line,
                price_american=-110 - i,
                price_decimal=1.0 + 100 / (110 + i),
                received_at=t0 + timedelta(milliseconds=i),
                period="game" if i % 4 else "1h",
                status=PriceStatus.SUSPENDED if i % 5 == 4 else PriceStatus.OPEN,
                source_ts=_source_ts(t0, i),
                seq=i,
            )
        )
    return updates


def _source_ts(t0: datetime, i: int) -> datetime | None:
    """Every other pair of updates has none; the others carry one in a +02:00 zone."""
    return None if (i // 2) % 2 else (t0 + timedelta(milliseconds=i - 7)).astimezone(PLUS_2)


def count(pg: psycopg.Connection, sql: str) -> int:
    row = pg.execute(sql).fetchone()
    assert row is not None
    return int(row[0])
