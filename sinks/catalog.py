"""The catalog: snapshots, events and selections as scraped, and the monitor runs.

Synchronous SQLAlchemy Core on one engine (the catalog is small and written a few times a
minute; the hot path is `sinks.postgres`). Every database failure surfaces as
`SinkUnavailable` (connection trouble: retry) or `SinkError` (anything else), with the
operation and its ids in the message.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Self

from sqlalchemy import Connection, and_, case, create_engine, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from oddswatch.codec import snapshot_to_dict
from oddswatch.errors import SinkError, SinkUnavailable
from oddswatch.model import Event, EventStatus, Selection, Snapshot
from oddswatch.settings import Settings
from sinks import rows
from sinks.db import UTC_OPTIONS, describe, sqlalchemy_url

logger = logging.getLogger(__name__)

_OVER = [s.value for s in EventStatus if s.is_over]
LOST = "lost"  # the end reason of a run that vanished (closed by reconcile)


class Catalog:
    def __init__(self, database_url: str, connect_timeout_s: int = 5) -> None:
        self.engine = create_engine(
            sqlalchemy_url(database_url),
            pool_pre_ping=True,
            connect_args={"options": UTC_OPTIONS, "connect_timeout": connect_timeout_s},
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(settings.database_url)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _begin(self, what: str) -> Iterator[Connection]:
        """One transaction; database errors become SinkUnavailable / SinkError."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            raise SinkUnavailable(f"postgres unavailable ({what}): {describe(exc)}") from exc
        except SQLAlchemyError as exc:
            raise SinkError(f"postgres error ({what}): {describe(exc)}") from exc

    # scrapes ------------------------------------------------------------------------------

    def store_snapshot(self, snapshot: Snapshot) -> int:
        with self._begin(f"store_snapshot {_scope(snapshot)}") as conn:
            return _store_snapshot(conn, snapshot)

    def upsert_events(self, events: Sequence[Event]) -> None:
        with self._begin(f"upsert_events n={len(events)}") as conn:
            rows.upsert_events(conn, events)

    def upsert_selections(self, selections: Sequence[Selection]) -> None:
        with self._begin(f"upsert_selections n={len(selections)}") as conn:
            rows.upsert_selections(conn, selections)

    def save_scrape(self, snapshot: Snapshot) -> int:
        """Snapshot row + events + selections in one transaction; returns the snapshot id.

        Saving the same snapshot again changes nothing and returns the same id.
        """
        with self._begin(f"save_scrape {_scope(snapshot)}") as conn:
            snapshot_id = _store_snapshot(conn, snapshot)
            rows.upsert_events(conn, snapshot.events)
            rows.upsert_selections(conn, snapshot.selections)
        logger.info(
            "scrape saved",
            extra={"snapshot_id": snapshot_id, "games": len(snapshot.events), **_ids(snapshot)},
        )
        return snapshot_id

    def last_scrapes(self) -> list[dict[str, Any]]:
        """The latest snapshot per provider × league: provider, league, scraped_at,
        game_count, snapshot_id."""
        t = rows.SNAPSHOTS
        latest = (
            select(t.c.provider, t.c.league, func.max(t.c.scraped_at).label("at"))
            .group_by(t.c.provider, t.c.league)
            .subquery()
        )
        on = and_(
            t.c.provider == latest.c.provider,
            t.c.league == latest.c.league,
            t.c.scraped_at == latest.c.at,
        )
        stmt = (
            select(t.c.provider, t.c.league, t.c.scraped_at, t.c.game_count, t.c.id)
            .join_from(t, latest, on)
            .order_by(t.c.provider, t.c.league)
        )
        with self._begin("last_scrapes") as conn:
            found = conn.execute(stmt).all()
        keys = ("provider", "league", "scraped_at", "game_count", "snapshot_id")
        return [dict(zip(keys, row, strict=True)) for row in found]

    # events -------------------------------------------------------------------------------

    def due_events(
        self,
        now: datetime,
        providers: Sequence[str],
        leagues: Sequence[str],
        lead_s: float,
        max_duration_s: Callable[[str], int],
    ) -> list[Event]:
        """Games not over with starts_at - lead <= now < starts_at + max duration(league)."""
        if not providers or not leagues:
            return []
        t = rows.EVENTS
        windows = [
            and_(t.c.league == lg, t.c.starts_at > now - timedelta(seconds=max_duration_s(lg)))
            for lg in leagues
        ]
        stmt = (
            select(t)
            .where(t.c.provider.in_(providers), t.c.status.not_in(_OVER))
            .where(t.c.starts_at <= now + timedelta(seconds=lead_s), or_(*windows))
            .order_by(t.c.starts_at, t.c.provider, t.c.event_id)
        )
        with self._begin("due_events") as conn:
            return [rows.event_from_row(r._mapping) for r in conn.execute(stmt)]

    def event(self, provider: str, event_id: str) -> Event | None:
        t = rows.EVENTS
        stmt = select(t).where(t.c.provider == provider, t.c.event_id == event_id)
        with self._begin(f"event provider={provider} event_id={event_id}") as conn:
            row = conn.execute(stmt).first()
        return None if row is None else rows.event_from_row(row._mapping)

    def selections(self, provider: str, event_id: str) -> list[Selection]:
        t = rows.SELECTIONS
        stmt = (
            select(t)
            .where(t.c.provider == provider, t.c.event_id == event_id)
            .order_by(t.c.market_id, t.c.selection_id)
        )
        with self._begin(f"selections provider={provider} event_id={event_id}") as conn:
            return [rows.selection_from_row(r._mapping) for r in conn.execute(stmt)]

    def set_event_status(self, provider: str, event_id: str, status: EventStatus | str) -> bool:
        """Set a game's status; returns False when the game is not in the catalog."""
        t = rows.EVENTS
        stmt = (
            update(t)
            .where(t.c.provider == provider, t.c.event_id == event_id)
            .values(status=EventStatus(status).value, updated_at=func.now())
        )
        with self._begin(f"set_event_status provider={provider} event_id={event_id}") as conn:
            return conn.execute(stmt).rowcount > 0

    def close_unlisted(
        self, provider: str, league: str, listed: Sequence[str], now: datetime
    ) -> list[str]:
        """Mark final every started, open game of a league the book no longer lists."""
        t = rows.EVENTS
        stmt = (
            update(t)
            .where(
                t.c.provider == provider,
                t.c.league == league,
                t.c.status.not_in([EventStatus.FINAL.value, EventStatus.CANCELLED.value]),
                t.c.starts_at <= now,
                t.c.event_id.not_in(list(listed)),
            )
            .values(status=EventStatus.FINAL.value, updated_at=func.now())
            .returning(t.c.event_id)
        )
        with self._begin(f"close_unlisted provider={provider} league={league}") as conn:
            return sorted(row[0] for row in conn.execute(stmt))

    # monitor runs -------------------------------------------------------------------------

    def start_run(
        self, run_id: str | uuid.UUID, provider: str, league: str, event_id: str, worker: str
    ) -> None:
        """Record a monitor run's start (repeating it is harmless)."""
        values = {"run_id": uuid.UUID(str(run_id)), "provider": provider, "league": league}
        stmt = pg_insert(rows.RUNS).values(**values, event_id=event_id, worker=worker)
        with self._begin(f"start_run run_id={run_id} event_id={event_id}") as conn:
            conn.execute(stmt.on_conflict_do_nothing(index_elements=["run_id"]))

    def heartbeat_run(self, run_id: str | uuid.UUID, stats: Mapping[str, int]) -> None:
        """Refresh last_heartbeat and the counters (see `rows.run_stats`). A run closed as
        `lost` that beats again was not lost: it is open again."""
        t = rows.RUNS
        lost = t.c.end_reason == LOST
        self._update_run(
            run_id,
            "heartbeat_run",
            last_heartbeat=func.now(),
            ended_at=case((lost, None), else_=t.c.ended_at),
            end_reason=case((lost, None), else_=t.c.end_reason),
            **rows.run_stats(stats),
        )

    def end_run(self, run_id: str | uuid.UUID, reason: str, stats: Mapping[str, int]) -> None:
        values = rows.run_stats(stats)
        now = func.now()
        self._update_run(
            run_id, "end_run", ended_at=now, last_heartbeat=now, end_reason=reason, **values
        )

    def silent_runs(self, beat_before: datetime, limit: int = 500) -> list[dict[str, Any]]:
        """Open runs whose last heartbeat is older than `beat_before`, oldest first:
        run_id (hex), provider, league, event_id, worker, last_heartbeat."""
        t = rows.RUNS
        stmt = (
            select(t.c.run_id, t.c.provider, t.c.league, t.c.event_id, t.c.worker,
                   t.c.last_heartbeat)
            .where(t.c.ended_at.is_(None), t.c.last_heartbeat < beat_before)
            .order_by(t.c.last_heartbeat)
            .limit(limit)
        )  # fmt: skip
        with self._begin("silent_runs") as conn:
            found = conn.execute(stmt).all()
        keys = ("run_id", "provider", "league", "event_id", "worker", "last_heartbeat")
        return [{**dict(zip(keys, row, strict=True)), "run_id": row[0].hex} for row in found]

    def close_lost_runs(self, run_ids: Sequence[str], beat_before: datetime) -> list[str]:
        """End runs that vanished: `ended_at` = their last heartbeat (the last time they
        were seen), reason `lost`; only those still open and still silent since
        `beat_before` (a run that beat meanwhile is left alone). Returns the ids closed."""
        if not run_ids:
            return []
        t = rows.RUNS
        stmt = (
            update(t)
            .where(
                t.c.run_id.in_([uuid.UUID(r) for r in run_ids]),
                t.c.ended_at.is_(None),
                t.c.last_heartbeat < beat_before,
            )
            .values(ended_at=t.c.last_heartbeat, end_reason=LOST)
            .returning(t.c.run_id)
        )
        with self._begin(f"close_lost_runs n={len(run_ids)}") as conn:
            return sorted(row[0].hex for row in conn.execute(stmt))

    def _update_run(self, run_id: str | uuid.UUID, what: str, **values: Any) -> None:
        t = rows.RUNS
        stmt = update(t).where(t.c.run_id == uuid.UUID(str(run_id))).values(**values)
        with self._begin(f"{what} run_id={run_id}") as conn:
            conn.execute(stmt)


def _store_snapshot(conn: Connection, snapshot: Snapshot) -> int:
    t = rows.SNAPSHOTS
    key = {"provider": snapshot.provider, "league": snapshot.league}
    stmt = (
        pg_insert(t)
        .values(
            **key,
            scraped_at=snapshot.scraped_at,
            game_count=len(snapshot.events),
            payload=snapshot_to_dict(snapshot),
        )
        .on_conflict_do_nothing(index_elements=["provider", "league", "scraped_at"])
        .returning(t.c.id)
    )
    new_id = conn.execute(stmt).scalar()
    if new_id is not None:
        return int(new_id)
    existing = select(t.c.id).where(
        t.c.provider == snapshot.provider,
        t.c.league == snapshot.league,
        t.c.scraped_at == snapshot.scraped_at,
    )
    return int(conn.execute(existing).scalar_one())


def _ids(snapshot: Snapshot) -> dict[str, str]:
    return {"provider": snapshot.provider, "league": snapshot.league}


def _scope(snapshot: Snapshot) -> str:
    return f"provider={snapshot.provider} league={snapshot.league}"
