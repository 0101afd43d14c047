"""`oddswatch status` against real Redis and Postgres: what it reports and when it says
unhealthy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery import Celery

from oddswatch.model import Event, EventStatus, Snapshot, Team, utcnow
from sinks.catalog import Catalog
from workers.status import collect


@pytest.fixture
def catalog(settings, pg):
    catalog = Catalog(settings.database_url)
    yield catalog
    catalog.close()


@pytest.fixture
def no_workers(settings):
    app = Celery("status-test", broker=settings.broker_url)
    yield app
    app.close()


def _snapshot(started_ago_s: float) -> Snapshot:
    now = utcnow()
    event = Event(
        "draftkings", "nba", "77", Team("NY Knicks"), Team("BOS Celtics"),
        now - timedelta(seconds=started_ago_s), EventStatus.LIVE,
    )  # fmt: skip
    return Snapshot("draftkings", "nba", now, (event,), ())


def test_a_due_game_without_monitor_or_worker_is_unhealthy(
    settings, redis_data, catalog, no_workers
):
    catalog.save_scrape(_snapshot(started_ago_s=600))
    status = collect(settings, no_workers, redis_data, catalog)
    assert not status.healthy
    assert any("no worker consumes monitor.nba" in p for p in status.problems)
    assert any("BOS Celtics @ NY Knicks: due, no monitor" in p for p in status.problems)
    assert status.scrapes[0]["game_count"] == 1
    assert status.as_dict()["healthy"] is False


def test_monitor_heartbeat_and_persist_lag_are_reported(settings, redis_data, catalog, no_workers):
    redis_data.zadd("ow:monitors", {"draftkings:nba:77": 1.0})
    redis_data.hset(
        "ow:monitor:draftkings:77",
        mapping={
            "label": "BOS Celtics @ NY Knicks", "worker": "w:1",
            "started_at": utcnow().isoformat(), "written_1m": "42",
            "last_update_age_s": "1.5", "reconnects": "2", "parse_errors": "0", "drift": "3",
        },
    )  # fmt: skip
    redis_data.hset("ow:metrics:draftkings", mapping={"drift": 3, "parse_errors": 1})
    redis_data.set("ow:lease:draftkings:77", "token")
    for _ in range(5):
        redis_data.xadd(settings.stream_key, {"u": b"{}"})
    redis_data.xgroup_create(settings.stream_key, "persist", id="0")
    redis_data.xreadgroup("persist", "c1", {settings.stream_key: ">"}, count=2)
    catalog.save_scrape(_snapshot(started_ago_s=600))

    status = collect(settings, no_workers, redis_data, catalog)
    monitor = status.monitors[0]
    assert (monitor["game"], monitor["updates_1m"], monitor["reconnects"]) == (
        "BOS Celtics @ NY Knicks", 42, 2,
    )  # fmt: skip
    assert status.drift["draftkings"] == {"drift": 3, "parse_errors": 1}
    assert status.persist["length"] == 5 and status.persist["pending"] == 2
    assert status.persist["lag"] == 3
    assert not any("due, no monitor" in p for p in status.problems)  # the lease is held


def test_recent_format_drift_makes_the_status_unhealthy(settings, redis_data, catalog, no_workers):
    minute = int(utcnow().timestamp()) // 60
    redis_data.hset(f"ow:metrics:bovada:m:{minute - 2}", mapping={"drift": 4, "parse_errors": 1})
    redis_data.hset(f"ow:metrics:bovada:m:{minute}", mapping={"drift": 1})
    redis_data.hset(f"ow:metrics:fanduel:m:{minute - 20}", mapping={"drift": 9})  # too old
    status = collect(settings, no_workers, redis_data, catalog)
    assert status.drift_recent == {"bovada": {"parse_errors": 1, "drift": 5}}
    drift = [p for p in status.problems if "format drift" in p]
    assert drift == [
        "bovada: format drift in the last 15 min (parse_errors 1, drift 5);"
        " run `oddswatch probe bovada`"
    ]
    assert not status.healthy


def test_skipped_records_alone_are_not_an_alarm(settings, redis_data, catalog, no_workers):
    minute = int(utcnow().timestamp()) // 60
    redis_data.hset(f"ow:metrics:draftkings:m:{minute}", mapping={"skipped": 7})
    status = collect(settings, no_workers, redis_data, catalog)
    assert status.drift_recent == {"draftkings": {"skipped": 7}}
    assert not [p for p in status.problems if "format drift" in p]


def test_the_screen_sums_monitors_per_book(settings, redis_data, catalog, no_workers):
    from rich.console import Console

    from workers.status_view import render

    for provider, event_id, written in (
        ("bovada", "1", 10),
        ("bovada", "2", 5),
        ("betmgm", "3", 7),
    ):
        redis_data.zadd("ow:monitors", {f"{provider}:nba:{event_id}": 1.0})
        redis_data.hset(
            f"ow:monitor:{provider}:{event_id}",
            mapping={"label": f"game {event_id}", "worker": "w", "started_at": utcnow().isoformat(),
                     "written_1m": written, "last_update_age_s": "1", "reconnects": "0"},
        )  # fmt: skip
    console = Console(record=True, width=160)
    render(collect(settings, no_workers, redis_data, catalog), console)
    rows = [
        [c.strip() for c in line.split("│") if c.strip()]
        for line in console.export_text().splitlines()
    ]
    assert ["betmgm", "nba", "1", "7"] in rows
    assert ["bovada", "nba", "2", "15"] in rows


def test_a_game_with_bug_skips_is_unhealthy(settings, redis_data, catalog, no_workers):
    redis_data.zadd("ow:monitors", {"fanduel:nba:9": 1.0})
    redis_data.hset(
        "ow:monitor:fanduel:9",
        mapping={"label": "A @ B", "worker": "w", "started_at": utcnow().isoformat(),
                 "written_1m": 3, "last_update_age_s": "1", "reconnects": "0", "bugs": "2",
                 "invalid_values": "5", "skipped": "1"},
    )  # fmt: skip
    minute = int(utcnow().timestamp()) // 60
    redis_data.hset(f"ow:metrics:fanduel:m:{minute}", mapping={"bugs": 2, "invalid_values": 5})
    status = collect(settings, no_workers, redis_data, catalog)
    [monitor] = status.monitors
    assert (monitor["bugs"], monitor["invalid_values"], monitor["skipped"]) == (2, 5, 1)
    assert (
        "fanduel nba A @ B: 2 bug skips; see the worker log ('unexpected error on a record')"
        in (status.problems)
    )
    assert "fanduel: 2 bug skips in the last 15 min" in status.problems
    assert [p for p in status.problems if "format drift" in p and "invalid_values 5" in p]
    assert not status.healthy


def test_persist_lag_is_reported_per_history_sink(settings, redis_data, catalog, no_workers):
    both = settings.model_copy(update={"sinks": ["redis", "postgres", "fs"]})
    for _ in range(4):
        redis_data.xadd(both.stream_key, {"u": b"{}"})
    redis_data.xgroup_create(both.stream_key, "persist", id="$")  # Postgres caught up
    status = collect(both, no_workers, redis_data, catalog)
    assert status.persist["groups"] == {
        "persist": {"pending": 0, "lag": 0, "oldest_pending_age_s": 0.0},
        "persist:fs": {"pending": 0, "lag": 4, "oldest_pending_age_s": 0.0},  # not started
    }
    assert (status.persist["length"], status.persist["lag"]) == (4, 4)  # the worst group
    assert "no worker consumes the persist queue" in status.problems

    live_only = collect(
        settings.model_copy(update={"sinks": ["redis"]}), no_workers, redis_data, catalog
    )
    assert live_only.persist["groups"] == {}
    assert "no worker consumes the persist queue" not in live_only.problems

    broken = collect(
        settings.model_copy(update={"sinks": ["postgres"]}), no_workers, redis_data, catalog
    )
    assert any(p.startswith("OW_SINKS: OW_SINKS must include 'redis'") for p in broken.problems)
