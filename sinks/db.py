"""The Postgres schema (SQLAlchemy 2 models), database URLs, creation and migration.

Tables: `snapshots` (append-only, one row per scrape), `events` and `selections` (the
upserted catalog), `odds_updates` (append-only, partitioned by UTC day on `received_at`,
written by COPY in `sinks.postgres`) and `monitor_runs` (one row per monitor run).
The schema itself is created by Alembic (`migrations/`); these models are its catalog
and the target of `alembic revision --autogenerate`.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from psycopg import sql
from sqlalchemy import (
    BigInteger,
    DateTime,
    Double,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from oddswatch.errors import SinkUnavailable

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
UTC_OPTIONS = "-c timezone=UTC"  # every session reads and writes timestamps in UTC

TimestampTZ = DateTime(timezone=True)


class Base(DeclarativeBase):
    pass


class SnapshotRow(Base):
    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("provider", "league", "scraped_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(Text)
    league: Mapped[str] = mapped_column(Text)
    scraped_at: Mapped[datetime] = mapped_column(TimestampTZ)
    game_count: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, object]] = mapped_column(JSONB)


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_due", "status", "starts_at"),)

    provider: Mapped[str] = mapped_column(Text, primary_key=True)
    event_id: Mapped[str] = mapped_column(Text, primary_key=True)
    league: Mapped[str] = mapped_column(Text)
    home: Mapped[str] = mapped_column(Text)
    home_key: Mapped[str] = mapped_column(Text)
    away: Mapped[str] = mapped_column(Text)
    away_key: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(TimestampTZ)
    status: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text, server_default="")
    first_seen: Mapped[datetime] = mapped_column(TimestampTZ, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(TimestampTZ, server_default=func.now())


class SelectionRow(Base):
    __tablename__ = "selections"
    __table_args__ = (Index("ix_selections_event", "provider", "event_id"),)

    provider: Mapped[str] = mapped_column(Text, primary_key=True)
    selection_id: Mapped[str] = mapped_column(Text, primary_key=True)
    event_id: Mapped[str] = mapped_column(Text)
    league: Mapped[str] = mapped_column(Text)
    market_id: Mapped[str] = mapped_column(Text)
    market: Mapped[str] = mapped_column(Text)
    period: Mapped[str] = mapped_column(Text)
    side: Mapped[str] = mapped_column(Text)
    line: Mapped[float | None] = mapped_column(Double)
    price_american: Mapped[int] = mapped_column(Integer)
    price_decimal: Mapped[float] = mapped_column(Double)
    label: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(TimestampTZ, server_default=func.now())


class OddsUpdateRow(Base):
    __tablename__ = "odds_updates"
    __table_args__ = (
        Index("ix_odds_updates_game", "provider", "event_id", "received_at"),
        {"postgresql_partition_by": "RANGE (received_at)"},
    )

    received_at: Mapped[datetime] = mapped_column(TimestampTZ, primary_key=True)
    update_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    provider: Mapped[str] = mapped_column(Text)
    league: Mapped[str] = mapped_column(Text)
    event_id: Mapped[str] = mapped_column(Text)
    market_id: Mapped[str] = mapped_column(Text)
    selection_id: Mapped[str] = mapped_column(Text)
    market: Mapped[str] = mapped_column(Text)
    period: Mapped[str] = mapped_column(Text)
    side: Mapped[str] = mapped_column(Text)
    line: Mapped[float | None] = mapped_column(Double)
    price_american: Mapped[int] = mapped_column(Integer)
    price_decimal: Mapped[float] = mapped_column(Double)
    status: Mapped[str] = mapped_column(Text)
    source_ts: Mapped[datetime | None] = mapped_column(TimestampTZ)
    seq: Mapped[int] = mapped_column(BigInteger)
    inserted_at: Mapped[datetime] = mapped_column(TimestampTZ, server_default=func.now())


class MonitorRunRow(Base):
    __tablename__ = "monitor_runs"
    __table_args__ = (Index("ix_monitor_runs_game", "provider", "event_id", "started_at"),)

    run_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    provider: Mapped[str] = mapped_column(Text)
    league: Mapped[str] = mapped_column(Text)
    event_id: Mapped[str] = mapped_column(Text)
    worker: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(TimestampTZ, server_default=func.now())
    last_heartbeat: Mapped[datetime] = mapped_column(TimestampTZ, server_default=func.now())
    ended_at: Mapped[datetime | None] = mapped_column(TimestampTZ)
    end_reason: Mapped[str | None] = mapped_column(Text)
    frames: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    updates: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    written: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    reconnects: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    errors: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))  # parse+drift+skip
    drift: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


RUN_STAT_COLUMNS = ("frames", "updates", "written", "reconnects", "errors", "drift")


def sqlalchemy_url(url: str) -> str:
    """`postgresql://...` (or `postgres://`) as SQLAlchemy's psycopg 3 URL."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError("not a PostgreSQL URL")


def psycopg_url(url: str) -> str:
    """A SQLAlchemy-style URL as a plain libpq URL for psycopg."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def ensure_database(url: str) -> bool:
    """Create the URL's database when it is missing (via the `postgres` database).

    Returns True when it was created.
    """
    parsed = make_url(sqlalchemy_url(url))
    name = parsed.database or "postgres"
    admin = psycopg_url(parsed.set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if found:
            return False
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.DuplicateDatabase:  # created concurrently by another process
            return False
    logger.info("database created", extra={"database": name})
    return True


def migrate(url: str, revision: str = "head") -> None:
    """Create the database if needed and run Alembic up to `revision`.

    Without access to the `postgres` database (a managed server), creation is skipped and
    the migration itself says whether the database is there.
    """
    try:
        ensure_database(url)
    except psycopg.OperationalError as exc:
        logger.warning("database not checked for existence", extra={"error": describe(exc)})
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = sqlalchemy_url(url)
    try:
        command.upgrade(config, revision)
    except OperationalError as exc:
        raise SinkUnavailable(f"postgres unavailable (migrate): {describe(exc)}") from exc


def describe(exc: BaseException) -> str:
    """The first line of a driver error, short (no URLs or parameters attached)."""
    orig = getattr(exc, "orig", None) or exc
    first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return first[:200]
