"""Daily partitions of `odds_updates`: `odds_updates_pYYYYMMDD` holds one UTC day.

Created ahead by the daily maintenance (`maintain`), on demand by the Postgres sink when a
row's day has none, and dropped after the retention period. Creation is serialized across
processes by a transaction-level advisory lock, so concurrent callers never collide.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import psycopg
from sqlalchemy import Connection, create_engine
from sqlalchemy.exc import OperationalError

from oddswatch.errors import SinkUnavailable
from sinks.db import UTC_OPTIONS, describe, sqlalchemy_url

logger = logging.getLogger(__name__)

PARENT = "odds_updates"
PREFIX = f"{PARENT}_p"
_NAME = re.compile(rf"^{PREFIX}(\d{{8}})$")
_LOCK = f"SELECT pg_advisory_xact_lock(hashtext('{PARENT}:partitions'))"
_LIST = (
    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
    f"WHERE i.inhparent = '{PARENT}'::regclass"
)


def utc_today() -> date:
    return datetime.now(UTC).date()


def partition_name(day: date) -> str:
    return f"{PREFIX}{day:%Y%m%d}"


def partition_day(name: str) -> date | None:
    """The day of a partition named by `partition_name`; None for any other table."""
    match = _NAME.match(name)
    return None if match is None else datetime.strptime(match[1], "%Y%m%d").date()


def create_statement(day: date) -> str:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    end = start + timedelta(days=1)
    return (
        f"CREATE TABLE IF NOT EXISTS {partition_name(day)} PARTITION OF {PARENT} "
        f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
    )


def day_range(first_day: date, days: int) -> list[date]:
    return [first_day + timedelta(days=i) for i in range(days)]


def ensure_partitions(conn: Connection, first_day: date, days: int) -> list[str]:
    """Create the missing partitions for `days` UTC days from `first_day`; returns them."""
    conn.exec_driver_sql(_LOCK)
    existing = set(conn.exec_driver_sql(_LIST).scalars())
    created = []
    for day in day_range(first_day, days):
        if partition_name(day) not in existing:
            conn.exec_driver_sql(create_statement(day))
            created.append(partition_name(day))
    if created:
        logger.info("partitions created", extra={"partitions": created})
    return created


def drop_partitions_before(conn: Connection, day: date) -> list[str]:
    """Drop every daily partition of a day before `day` (retention); returns them."""
    conn.exec_driver_sql(_LOCK)
    dropped = []
    for name in sorted(conn.exec_driver_sql(_LIST).scalars()):
        part_day = partition_day(name)
        if part_day is not None and part_day < day:
            conn.exec_driver_sql(f"DROP TABLE {name}")
            dropped.append(name)
    if dropped:
        logger.info("partitions dropped", extra={"partitions": dropped})
    return dropped


async def ensure_partitions_for(
    conn: psycopg.AsyncConnection[Any], days: Iterable[date]
) -> list[str]:
    """The async twin of `ensure_partitions` for given days, in its own transaction."""
    async with conn.transaction():
        await conn.execute(_LOCK)
        cur = await conn.execute(_LIST)
        existing = {row[0] for row in await cur.fetchall()}
        created = []
        for day in sorted(set(days)):
            if partition_name(day) not in existing:
                await conn.execute(create_statement(day))
                created.append(partition_name(day))
    if created:
        logger.info("partitions created on demand", extra={"partitions": created})
    return created


def maintain(
    database_url: str, days_ahead: int, retention_days: int, today: date | None = None
) -> dict[str, Any]:
    """Daily maintenance: partitions from yesterday to today+days_ahead (UTC days) exist,
    and with `retention_days` > 0 partitions older than today-retention_days are dropped.
    """
    today = today or utc_today()
    engine = create_engine(sqlalchemy_url(database_url), connect_args={"options": UTC_OPTIONS})
    try:
        with engine.begin() as conn:
            created = ensure_partitions(conn, today - timedelta(days=1), days_ahead + 2)
            dropped: list[str] = []
            if retention_days > 0:
                dropped = drop_partitions_before(conn, today - timedelta(days=retention_days))
            count = len(conn.exec_driver_sql(_LIST).all())
    except OperationalError as exc:
        raise SinkUnavailable(
            f"postgres unavailable (partition maintenance): {describe(exc)}"
        ) from exc
    finally:
        engine.dispose()
    return {"created": created, "dropped": dropped, "partitions": count}
