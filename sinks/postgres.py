"""The history sink: `odds_updates` in Postgres, written by COPY through a staging table.

One batch is one transaction: COPY into a per-connection TEMP staging table (emptied at
commit), then `INSERT INTO odds_updates SELECT ... ON CONFLICT DO NOTHING`. A re-sent
batch therefore inserts nothing twice; `last_inserted` says how many rows were new.
A row whose UTC day has no partition yet makes the sink create the batch's partitions
and retry once. psycopg 3 directly (no ORM) on this hot path; one lazily opened
connection per sink, reopened after a failure.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from datetime import UTC, date
from typing import Any, Self, TypeVar

import psycopg
from psycopg import AsyncConnection

from oddswatch.errors import SinkError, SinkUnavailable
from oddswatch.model import Market, OddsUpdate, PriceStatus, Side
from oddswatch.settings import Settings
from sinks.base import RecordRefused, Sink, register
from sinks.db import UTC_OPTIONS, describe, psycopg_url
from sinks.partitions import ensure_partitions_for

logger = logging.getLogger(__name__)
T = TypeVar("T")

COLUMNS = (
    *("received_at", "update_id", "provider", "league", "event_id", "market_id"),
    *("selection_id", "market", "period", "side", "line", "price_american"),
    *("price_decimal", "status", "source_ts", "seq"),
)
STAGING = "ow_odds_staging"
_COLS = ", ".join(COLUMNS)
# Staging differs from odds_updates in two columns, cast by the INSERT: update_id travels
# as text (cheaper than uuid.UUID() per row) and price_american as int8 (psycopg's binary
# int4 dumper silently keeps the low 32 bits; the server's cast raises on overflow).
_CREATE_STAGING = (
    f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} "
    "(LIKE odds_updates INCLUDING DEFAULTS) ON COMMIT DELETE ROWS; "
    f"ALTER TABLE {STAGING} ALTER COLUMN update_id TYPE text, "
    "ALTER COLUMN price_american TYPE bigint"
)
_COPY = f"COPY {STAGING} ({_COLS}) FROM STDIN (FORMAT BINARY)"
_CASTS = {"update_id": "update_id::uuid", "price_american": "price_american::int"}
_INSERT = (
    f"INSERT INTO odds_updates ({_COLS}) "
    f"SELECT {', '.join(_CASTS.get(c, c) for c in COLUMNS)} FROM {STAGING} "
    "ON CONFLICT DO NOTHING"
)
_READ = (
    f"SELECT {_COLS} FROM odds_updates WHERE provider = %s AND event_id = %s AND league = %s "
    "ORDER BY received_at, seq, update_id"
)
# Binary COPY: measured ≈20% faster than text COPY or text-mode write_row, with less CPU.
COPY_TYPES = (
    *("timestamptz", "text", "text", "text", "text", "text", "text", "text", "text"),
    *("text", "float8", "int8", "float8", "text", "timestamptz", "int8"),
)


def copy_row(u: OddsUpdate) -> tuple[Any, ...]:
    """One update as a COPY row in COLUMNS order."""
    return (
        u.received_at,
        u.update_id,
        u.provider,
        u.league,
        u.event_id,
        u.market_id,
        u.selection_id,
        u.market.value,
        u.period,
        u.side.value,
        None if u.line is None else float(u.line),
        u.price_american,
        float(u.price_decimal),
        u.status.value,
        u.source_ts,
        u.seq,
    )


def update_from_row(r: tuple[Any, ...]) -> OddsUpdate:
    return OddsUpdate(
        received_at=r[0],
        update_id=r[1].hex,
        provider=r[2],
        league=r[3],
        event_id=r[4],
        market_id=r[5],
        selection_id=r[6],
        market=Market(r[7]),
        period=r[8],
        side=Side(r[9]),
        line=r[10],
        price_american=r[11],
        price_decimal=r[12],
        status=PriceStatus(r[13]),
        source_ts=r[14],
        seq=r[15],
    )


def batch_days(batch: Sequence[OddsUpdate]) -> set[date]:
    return {u.received_at.astimezone(UTC).date() for u in batch}


@register
class PostgresSink(Sink):
    name = "postgres"

    def __init__(self, database_url: str, connect_timeout_s: int = 5) -> None:
        super().__init__()
        self.database_url = psycopg_url(database_url)
        self.connect_timeout_s = connect_timeout_s
        self.inserted = 0  # rows new to the table since start
        self._conn: AsyncConnection[Any] | None = None
        self._lock = asyncio.Lock()  # one transaction at a time on the one connection

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(settings.database_url)

    async def _write(self, batch: Sequence[OddsUpdate]) -> None:
        async with self._lock:
            inserted = await self._guard("write", self._write_batch(batch))
        self.last_inserted = inserted
        self.inserted += inserted

    async def read(self, provider: str, league: str, event_id: str) -> list[OddsUpdate]:
        async with self._lock:
            found = await self._guard("read", self._select(provider, league, event_id))
        return [update_from_row(r) for r in found]

    async def ping(self) -> None:
        """One `SELECT 1` on the sink's connection (opened again if it was lost)."""
        async with self._lock:
            await self._guard("ping", self._select_one())

    async def aclose(self) -> None:
        async with self._lock:
            await self._discard()

    async def _write_batch(self, batch: Sequence[OddsUpdate]) -> int:
        conn = await self._connection()
        try:
            return await self._copy_insert(conn, batch)
        except psycopg.errors.CheckViolation:  # no partition for some row's day
            await ensure_partitions_for(conn, batch_days(batch))
            return await self._copy_insert(conn, batch)

    async def _copy_insert(self, conn: AsyncConnection[Any], batch: Sequence[OddsUpdate]) -> int:
        rows = [copy_row(u) for u in batch]
        async with conn.transaction(), conn.cursor() as cur:
            async with cur.copy(_COPY) as copy:
                copy.set_types(COPY_TYPES)
                for row in rows:
                    await copy.write_row(row)
            await cur.execute(_INSERT)
            return cur.rowcount

    async def _select_one(self) -> None:
        conn = await self._connection()
        await conn.execute("SELECT 1")

    async def _select(self, provider: str, league: str, event_id: str) -> list[tuple[Any, ...]]:
        conn = await self._connection()
        cur = await conn.execute(_READ, (provider, event_id, league))
        return await cur.fetchall()

    async def _guard(self, what: str, op: Awaitable[T]) -> T:
        """Run `op`; connection trouble → SinkUnavailable (and a fresh connection next
        time), any other database error → SinkError."""
        try:
            return await op
        except psycopg.OperationalError as exc:
            await self._discard()
            raise SinkUnavailable(f"postgres unavailable ({what}): {describe(exc)}") from exc
        except (psycopg.DataError, psycopg.IntegrityError) as exc:
            raise RecordRefused(f"postgres refused a record ({what}): {describe(exc)}") from exc
        except psycopg.Error as exc:
            raise SinkError(f"postgres error ({what}): {describe(exc)}") from exc
        except (AttributeError, TypeError, ValueError, OverflowError) as exc:
            raise RecordRefused(f"a record cannot be written ({what}): {exc}") from exc
        except BaseException:  # cancelled mid-transaction: the connection state is unknown
            await self._discard()
            raise

    async def _connection(self) -> AsyncConnection[Any]:
        if self._conn is None or self._conn.closed:
            conn = await AsyncConnection.connect(
                self.database_url,
                autocommit=True,
                connect_timeout=self.connect_timeout_s,
                options=UTC_OPTIONS,
            )
            try:
                await conn.execute(_CREATE_STAGING)
            except BaseException:
                await conn.close()
                raise
            self._conn = conn
        return self._conn

    async def _discard(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.closed:
            try:
                await conn.close()
            except psycopg.Error:
                logger.debug("closing a broken connection failed", exc_info=True)
