"""Mapping between the domain records and catalog rows, and the catalog's upserts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, and_, case, func, literal, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert

from oddswatch.model import Event, EventStatus, Market, PriceStatus, Selection, Side, Team
from sinks.db import RUN_STAT_COLUMNS, Base

SNAPSHOTS: Table = Base.metadata.tables["snapshots"]
EVENTS: Table = Base.metadata.tables["events"]
SELECTIONS: Table = Base.metadata.tables["selections"]
RUNS: Table = Base.metadata.tables["monitor_runs"]

# literals, not an expanding IN list: these statements run as executemany
_OVER = [literal(s.value) for s in EventStatus if s.is_over]
_EVENT_DATA = ("league", "home", "home_key", "away", "away_key", "starts_at", "status", "url")
_SELECTION_DATA = (
    *("event_id", "league", "market_id", "market", "period", "side", "line"),
    *("price_american", "price_decimal", "label", "status"),
)


def event_row(e: Event) -> dict[str, Any]:
    return {
        "provider": e.provider,
        "event_id": e.event_id,
        "league": e.league,
        "home": e.home.name,
        "home_key": e.home.key,
        "away": e.away.name,
        "away_key": e.away.key,
        "starts_at": e.starts_at,
        "status": e.status.value,
        "url": e.url,
    }


def event_from_row(r: Mapping[Any, Any]) -> Event:
    return Event(
        provider=r["provider"],
        league=r["league"],
        event_id=r["event_id"],
        home=Team(r["home"], r["home_key"]),
        away=Team(r["away"], r["away_key"]),
        starts_at=r["starts_at"],
        status=EventStatus(r["status"]),
        url=r["url"],
    )


def selection_row(s: Selection) -> dict[str, Any]:
    return {
        "provider": s.provider,
        "selection_id": s.selection_id,
        "event_id": s.event_id,
        "league": s.league,
        "market_id": s.market_id,
        "market": s.market.value,
        "period": s.period,
        "side": s.side.value,
        "line": s.line,
        "price_american": s.price_american,
        "price_decimal": s.price_decimal,
        "label": s.label,
        "status": s.status.value,
    }


def selection_from_row(r: Mapping[Any, Any]) -> Selection:
    return Selection(
        provider=r["provider"],
        league=r["league"],
        event_id=r["event_id"],
        market_id=r["market_id"],
        selection_id=r["selection_id"],
        market=Market(r["market"]),
        side=Side(r["side"]),
        label=r["label"],
        price_american=r["price_american"],
        price_decimal=r["price_decimal"],
        line=r["line"],
        period=r["period"],
        status=PriceStatus(r["status"]),
    )


def upsert_events(conn: Connection, events: Sequence[Event]) -> None:
    """Insert or update events. A game already final/cancelled keeps that status against a
    scrape that still lists it as open, unless its start time moved (rescheduled).
    Rows that would not change are not rewritten (updated_at = last change)."""
    if not events:
        return
    unique = {(e.provider, e.event_id): event_row(e) for e in events}
    stmt = pg_insert(EVENTS)
    new, old = stmt.excluded, EVENTS.c
    sticky = and_(old.status.in_(_OVER), new.status.not_in(_OVER), old.starts_at == new.starts_at)
    values: dict[str, Any] = {c: new[c] for c in _EVENT_DATA}
    values["status"] = case((sticky, old.status), else_=new.status)
    values["updated_at"] = func.now()
    changed = tuple_(*(old[c] for c in _EVENT_DATA)).is_distinct_from(
        tuple_(*(new[c] for c in _EVENT_DATA))
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["provider", "event_id"], set_=values, where=changed
    )
    conn.execute(stmt, list(unique.values()))


def upsert_selections(conn: Connection, selections: Sequence[Selection]) -> None:
    """Insert or update selections (the last one wins for a repeated id)."""
    if not selections:
        return
    unique = {(s.provider, s.selection_id): selection_row(s) for s in selections}
    stmt = pg_insert(SELECTIONS)
    new, old = stmt.excluded, SELECTIONS.c
    values: dict[str, Any] = {c: new[c] for c in _SELECTION_DATA}
    values["updated_at"] = func.now()
    changed = tuple_(*(old[c] for c in _SELECTION_DATA)).is_distinct_from(
        tuple_(*(new[c] for c in _SELECTION_DATA))
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["provider", "selection_id"], set_=values, where=changed
    )
    conn.execute(stmt, list(unique.values()))


def run_stats(stats: Mapping[str, int]) -> dict[str, int]:
    """monitor_runs counters from a stats mapping (e.g. `StreamStats.as_dict()`).

    Known columns are taken as given; when `errors` is absent it is the sum of
    the skips by reason (parse_errors, unknown_records, drift, invalid_values, skipped,
    bugs). Other keys are ignored.
    """
    values = {c: int(stats[c]) for c in RUN_STAT_COLUMNS if c in stats}
    if "errors" not in values:
        parts = ("parse_errors", "unknown_records", "drift", "invalid_values", "skipped", "bugs")
        if any(p in stats for p in parts):
            values["errors"] = sum(int(stats.get(p, 0)) for p in parts)
    return values
