"""Daily partitions: made ahead, idempotent, dropped after retention."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from sqlalchemy import Engine, create_engine

from sinks.db import sqlalchemy_url
from sinks.partitions import (
    drop_partitions_before,
    ensure_partitions,
    maintain,
    partition_day,
    partition_name,
    utc_today,
)


@pytest.fixture
def engine(pg_database: str) -> Iterator[Engine]:
    eng = create_engine(sqlalchemy_url(pg_database))
    yield eng
    eng.dispose()


def partitions(pg: psycopg.Connection) -> list[str]:
    rows = pg.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'odds_updates'::regclass ORDER BY 1"
    ).fetchall()
    return [name for (name,) in rows]


def test_migration_made_yesterday_to_a_week_ahead(pg: psycopg.Connection) -> None:
    today = utc_today()
    names = partitions(pg)
    for offset in range(-1, 8):
        assert partition_name(date.fromordinal(today.toordinal() + offset)) in names


def test_ensure_is_idempotent_and_drop_keeps_recent(
    engine: Engine, pg: psycopg.Connection, old_partitions: None
) -> None:
    with engine.begin() as conn:
        created = ensure_partitions(conn, date(2001, 1, 1), 5)
        assert created == [f"odds_updates_p2001010{d}" for d in range(1, 6)]
        assert ensure_partitions(conn, date(2001, 1, 1), 5) == []
    with engine.begin() as conn:
        dropped = drop_partitions_before(conn, date(2001, 1, 3))
    assert dropped == ["odds_updates_p20010101", "odds_updates_p20010102"]
    assert "odds_updates_p20010103" in partitions(pg)
    assert partition_name(utc_today()) in partitions(pg)


def test_maintain_summary(pg_database: str, pg: psycopg.Connection, old_partitions: None) -> None:
    first = maintain(pg_database, days_ahead=2, retention_days=0, today=date(2001, 3, 10))
    assert first["created"] == [
        "odds_updates_p20010309",
        "odds_updates_p20010310",
        "odds_updates_p20010311",
        "odds_updates_p20010312",
    ]
    assert first["dropped"] == []
    again = maintain(pg_database, days_ahead=2, retention_days=1, today=date(2001, 3, 12))
    assert again["created"] == ["odds_updates_p20010313", "odds_updates_p20010314"]
    assert again["dropped"] == ["odds_updates_p20010309", "odds_updates_p20010310"]
    assert again["partitions"] == len(partitions(pg))


def test_partition_names() -> None:
    assert partition_name(date(2026, 1, 2)) == "odds_updates_p20260102"
    assert partition_day("odds_updates_p20260102") == date(2026, 1, 2)
    assert partition_day("odds_updates_pkey") is None
