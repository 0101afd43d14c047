"""Catalog: scrapes saved idempotently, the due-games window, monitor runs."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sinkdata import count

from oddswatch.errors import SinkUnavailable
from oddswatch.metrics import StreamStats
from oddswatch.model import (
    Event,
    EventStatus,
    Market,
    Selection,
    Side,
    Snapshot,
    Team,
)
from sinks.catalog import Catalog

NOW = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
DURATIONS = {"nba": 4 * 3600, "mlb": 6 * 3600}


@pytest.fixture
def catalog(pg: psycopg.Connection, pg_database: str) -> Iterator[Catalog]:
    cat = Catalog(pg_database)
    yield cat
    cat.close()


def event(event_id: str, starts_in_s: float, league: str = "nba", **kw: object) -> Event:
    fields: dict[str, object] = {
        "provider": "draftkings",
        "league": league,
        "event_id": event_id,
        "home": Team("Boston Celtics"),
        "away": Team("New York Knicks"),
        "starts_at": NOW + timedelta(seconds=starts_in_s),
        "url": f"https://example.test/{event_id}",
    }
    return Event(**{**fields, **kw})  # type: ignore[arg-type]


def selection(event_id: str, selection_id: str, price: int, line: float | None) -> Selection:
    return Selection(
        provider="draftkings",
        league="nba",
        event_id=event_id,
        market_id=f"{event_id}-spread",
        selection_id=selection_id,
        market=Market.SPREAD if line is not None else Market.MONEYLINE,
        side=Side.HOME,
        label="Celtics",
        price_american=price,
        price_decimal=1 + 100 / abs(price),
        line=line,
    )


def snapshot(scraped_at: datetime = NOW, price: int = -110) -> Snapshot:
    return Snapshot(
        provider="draftkings",
        league="nba",
        scraped_at=scraped_at,
        events=(event("e1", 3600), event("e2", 7200)),
        selections=(
            selection("e1", "s1", price, -3.5),
            selection("e1", "s2", 150, None),
            selection("e2", "s3", -105, 1.5),
        ),
    )


def test_save_scrape_is_idempotent(catalog: Catalog, pg: psycopg.Connection) -> None:
    snap = snapshot()
    first = catalog.save_scrape(snap)
    assert catalog.save_scrape(snap) == first
    assert count(pg, "SELECT count(*) FROM snapshots") == 1
    assert count(pg, "SELECT count(*) FROM events") == 2
    assert count(pg, "SELECT count(*) FROM selections") == 3
    assert catalog.event("draftkings", "e1") == snap.events[0]
    assert catalog.selections("draftkings", "e1") == list(snap.selections_for("e1"))
    assert catalog.event("draftkings", "nope") is None

    later = snapshot(NOW + timedelta(minutes=15), price=-120)
    second = catalog.save_scrape(later)
    assert second > first  # ids are not consecutive: a skipped insert uses a sequence value
    assert catalog.selections("draftkings", "e1")[0].price_american == -120
    payload = pg.execute("SELECT payload FROM snapshots WHERE id = %s", (first,)).fetchone()
    assert payload is not None and payload[0]["selections"][0]["price_american"] == -110
    [last] = catalog.last_scrapes()
    assert last == {
        "provider": "draftkings",
        "league": "nba",
        "scraped_at": later.scraped_at,
        "game_count": 2,
        "snapshot_id": second,
    }


def test_due_events_window(catalog: Catalog) -> None:
    catalog.upsert_events(
        [
            event("soon", 10 * 60),  # within the 15 min lead
            event("later", 20 * 60),  # outside the lead
            event("live", -3600),
            event("nba-over", -(4 * 3600 + 1)),  # beyond the nba maximum
            event("mlb-long", -5 * 3600, league="mlb"),  # within the mlb maximum
            event("final", -600, status=EventStatus.FINAL),
            event("other-book", 0, provider="fanduel"),
            event("nfl", 0, league="nfl"),  # league not asked for
        ]
    )
    due = catalog.due_events(NOW, ["draftkings"], ["nba", "mlb"], 900, DURATIONS.__getitem__)
    assert [e.event_id for e in due] == ["mlb-long", "live", "soon"]
    assert catalog.due_events(NOW, [], ["nba"], 900, DURATIONS.__getitem__) == []

    assert catalog.set_event_status("draftkings", "live", EventStatus.FINAL)
    assert not catalog.set_event_status("draftkings", "missing", "final")
    due = catalog.due_events(NOW, ["draftkings"], ["nba"], 900, DURATIONS.__getitem__)
    assert [e.event_id for e in due] == ["soon"]


def test_a_final_game_stays_final_unless_rescheduled(catalog: Catalog) -> None:
    catalog.upsert_events([event("e1", -600, status=EventStatus.LIVE)])
    catalog.set_event_status("draftkings", "e1", EventStatus.FINAL)
    catalog.upsert_events([event("e1", -600, status=EventStatus.LIVE)])
    found = catalog.event("draftkings", "e1")
    assert found is not None and found.status is EventStatus.FINAL
    catalog.upsert_events([event("e1", 86_400, status=EventStatus.SCHEDULED)])
    found = catalog.event("draftkings", "e1")
    assert found is not None and found.status is EventStatus.SCHEDULED


def test_upsert_with_repeated_ids_keeps_the_last(catalog: Catalog) -> None:
    s = selection("e1", "s1", -110, -3.5)
    catalog.upsert_selections([s, dataclasses.replace(s, price_american=-115)])
    assert catalog.selections("draftkings", "e1")[0].price_american == -115


def test_monitor_run_lifecycle(catalog: Catalog, pg: psycopg.Connection) -> None:
    run_id = uuid.uuid4().hex
    catalog.start_run(run_id, "draftkings", "nba", "e1", "worker-1@host")
    catalog.start_run(run_id, "draftkings", "nba", "e1", "worker-1@host")
    stats = StreamStats(frames=10, updates=8, parse_errors=1, drift=2, skipped=3, reconnects=1)
    catalog.heartbeat_run(run_id, stats.as_dict())
    stats.written = 7
    catalog.end_run(run_id, "final", stats.as_dict())
    row = pg.execute(
        "SELECT frames, updates, written, reconnects, errors, drift, end_reason, "
        "ended_at IS NOT NULL, last_heartbeat >= started_at FROM monitor_runs"
    ).fetchall()
    assert row == [(10, 8, 7, 1, 6, 2, "final", True, True)]


def test_unreachable_database_raises_sink_unavailable(pg_database: str) -> None:
    catalog = Catalog(pg_database.replace(":5432/", ":1/"), connect_timeout_s=2)
    with pytest.raises(SinkUnavailable, match="event provider=draftkings event_id=e1"):
        catalog.event("draftkings", "e1")
    with pytest.raises(SinkUnavailable):
        catalog.save_scrape(snapshot())
    catalog.close()
