"""Initial schema: snapshots, events, selections, odds_updates (partitioned), monitor_runs.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql

from sinks.partitions import create_statement, day_range, ensure_partitions, utc_today

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTITION_DAYS_AHEAD = 7
TSTZ = sa.DateTime(timezone=True)
NOW = sa.text("now()")
ZERO = sa.text("0")


def _snapshots() -> None:
    op.create_table(
        "snapshots",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("league", sa.Text(), nullable=False),
        sa.Column("scraped_at", TSTZ, nullable=False),
        sa.Column("game_count", sa.Integer(), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.UniqueConstraint("provider", "league", "scraped_at"),
    )


def _events() -> None:
    op.create_table(
        "events",
        sa.Column("provider", sa.Text(), primary_key=True),
        sa.Column("event_id", sa.Text(), primary_key=True),
        *(sa.Column(c, sa.Text(), nullable=False) for c in ("league", "home", "home_key")),
        *(sa.Column(c, sa.Text(), nullable=False) for c in ("away", "away_key")),
        sa.Column("starts_at", TSTZ, nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False, server_default=""),
        sa.Column("first_seen", TSTZ, nullable=False, server_default=NOW),
        sa.Column("updated_at", TSTZ, nullable=False, server_default=NOW),
    )
    op.create_index("ix_events_due", "events", ["status", "starts_at"])


def _selections() -> None:
    texts = ("event_id", "league", "market_id", "market", "period", "side")
    op.create_table(
        "selections",
        sa.Column("provider", sa.Text(), primary_key=True),
        sa.Column("selection_id", sa.Text(), primary_key=True),
        *(sa.Column(c, sa.Text(), nullable=False) for c in texts),
        sa.Column("line", sa.Double(), nullable=True),
        sa.Column("price_american", sa.Integer(), nullable=False),
        sa.Column("price_decimal", sa.Double(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("updated_at", TSTZ, nullable=False, server_default=NOW),
    )
    op.create_index("ix_selections_event", "selections", ["provider", "event_id"])


ODDS_UPDATES = """
CREATE TABLE odds_updates (
    received_at     timestamptz      NOT NULL,
    update_id       uuid             NOT NULL,
    provider        text             NOT NULL,
    league          text             NOT NULL,
    event_id        text             NOT NULL,
    market_id       text             NOT NULL,
    selection_id    text             NOT NULL,
    market          text             NOT NULL,
    period          text             NOT NULL,
    side            text             NOT NULL,
    line            double precision,
    price_american  integer          NOT NULL,
    price_decimal   double precision NOT NULL,
    status          text             NOT NULL,
    source_ts       timestamptz,
    seq             bigint           NOT NULL,
    inserted_at     timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (received_at, update_id)
) PARTITION BY RANGE (received_at)
"""


def _odds_updates() -> None:
    op.execute(ODDS_UPDATES)
    op.create_index("ix_odds_updates_game", "odds_updates", ["provider", "event_id", "received_at"])
    first_day, days = utc_today() - timedelta(days=1), PARTITION_DAYS_AHEAD + 2
    if context.is_offline_mode():
        for day in day_range(first_day, days):
            op.execute(create_statement(day))
    else:
        ensure_partitions(op.get_bind(), first_day, days)


def _monitor_runs() -> None:
    op.create_table(
        "monitor_runs",
        sa.Column("run_id", sa.Uuid(), primary_key=True),
        *(sa.Column(c, sa.Text(), nullable=False) for c in ("provider", "league", "event_id")),
        sa.Column("worker", sa.Text(), nullable=False),
        sa.Column("started_at", TSTZ, nullable=False, server_default=NOW),
        sa.Column("last_heartbeat", TSTZ, nullable=False, server_default=NOW),
        sa.Column("ended_at", TSTZ, nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        *(
            sa.Column(c, sa.BigInteger(), nullable=False, server_default=ZERO)
            for c in ("frames", "updates", "written", "reconnects", "errors", "drift")
        ),
    )
    op.create_index("ix_monitor_runs_game", "monitor_runs", ["provider", "event_id", "started_at"])


def upgrade() -> None:
    _snapshots()
    _events()
    _selections()
    _odds_updates()
    _monitor_runs()


def downgrade() -> None:
    for table in ("monitor_runs", "odds_updates", "selections", "events", "snapshots"):
        op.drop_table(table)
