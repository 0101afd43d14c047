"""`oddswatch status` against real Redis and Postgres: what it reports and when it says
unhealthy."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import redis
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
    redis_data.zadd("ow:monitors", {"draftkings:nba:77": utcnow().timestamp()})
    redis_data.hset(
        "ow:monitor:draftkings:77",
        mapping={
            "run_id": "token", "label": "BOS Celtics @ NY Knicks", "worker": "w:1",
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
        redis_data.zadd("ow:monitors", {f"{provider}:nba:{event_id}": utcnow().timestamp()})
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
    redis_data.zadd("ow:monitors", {"fanduel:nba:9": utcnow().timestamp()})
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


def _heartbeat(redis_data, event_id: str, run_id: str, age_s: float, lease: str | None) -> None:
    """What a monitor's heartbeat leaves in Redis, `age_s` old, and its game's lease."""
    redis_data.zadd("ow:monitors", {f"draftkings:nba:{event_id}": utcnow().timestamp() - age_s})
    redis_data.hset(
        f"ow:monitor:draftkings:{event_id}",
        mapping={"run_id": run_id, "label": "BOS Celtics @ NY Knicks", "worker": "w1@vm:42",
                 "started_at": utcnow().isoformat(), "written_1m": 5,
                 "last_update_age_s": "1", "reconnects": "0"},
    )  # fmt: skip
    if lease is not None:
        redis_data.set(f"ow:lease:draftkings:{event_id}", lease)


def test_a_monitor_whose_heartbeat_stopped_is_dead_until_a_live_one_replaces_it(
    settings, redis_data, catalog, no_workers
):
    catalog.save_scrape(_snapshot(started_ago_s=600))
    silent_s = 3 * settings.heartbeat_s
    _heartbeat(redis_data, "77", "run-a", age_s=silent_s + 5, lease="run-a")
    status = collect(settings, no_workers, redis_data, catalog)
    assert status.monitors == []
    [dead] = status.dead_monitors
    assert (dead["run_id"], dead["worker"], dead["why"]) == (
        "run-a",
        "w1@vm:42",
        "no heartbeat for 35s",
    )
    problem = (
        "draftkings nba BOS Celtics @ NY Knicks:"
        " monitor dead (no heartbeat for 35s, worker w1@vm:42)"
    )
    assert problem in status.problems
    assert not any("due, no monitor" in p for p in status.problems), "one problem per game"

    _heartbeat(redis_data, "77", "run-b", age_s=0, lease="run-b")  # the replacement beats
    status = collect(settings, no_workers, redis_data, catalog)
    assert [m["run_id"] for m in status.monitors] == ["run-b"]
    assert status.dead_monitors == []
    assert not any("draftkings nba" in p for p in status.problems)


def test_a_monitor_without_its_lease_or_state_is_dead(settings, redis_data, catalog, no_workers):
    _heartbeat(redis_data, "1", "run-1", age_s=0, lease=None)  # lease expired: worker killed
    _heartbeat(redis_data, "2", "run-2", age_s=0, lease="run-other")
    redis_data.zadd("ow:monitors", {"draftkings:nba:3": utcnow().timestamp() - 1})  # no state
    status = collect(settings, no_workers, redis_data, catalog)
    assert {m["event_id"]: m["why"] for m in status.dead_monitors} == {
        "1": "its lease is gone",
        "2": "another run holds its lease",
        "3": "no heartbeat for 1s",
    }
    assert status.monitors == [] and not status.healthy


def test_postgres_unreachable_is_a_problem_and_the_rest_is_shown(
    settings, redis_data, catalog, no_workers
):
    _heartbeat(redis_data, "77", "run-a", age_s=0, lease="run-a")
    down = Catalog(settings.database_url.replace(":5432/", ":1/"), connect_timeout_s=2)
    try:
        status = collect(settings, no_workers, redis_data, down)
    finally:
        down.close()
    assert list(status.unreachable) == ["postgres"]
    [problem] = [p for p in status.problems if "unreachable" in p]
    assert problem.startswith("Postgres (OW_DATABASE_URL) unreachable (connection failed:")
    assert problem.endswith("): last scrapes and due games unknown")
    assert [m["run_id"] for m in status.monitors] == ["run-a"]  # Redis is still read
    assert status.scrapes == [] and not status.healthy


def test_redis_or_broker_unreachable_is_a_problem_and_the_rest_is_shown(
    settings, redis_data, catalog, no_workers
):
    catalog.save_scrape(_snapshot(started_ago_s=600))
    dead_redis = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    no_broker = settings.model_copy(update={"broker_url": "redis://127.0.0.1:1/0"})
    started = time.monotonic()
    status = collect(no_broker, no_workers, dead_redis, catalog)
    assert time.monotonic() - started < 10, "no long retries"
    assert sorted(status.unreachable) == ["broker", "redis"]
    assert any(p.startswith("Redis (OW_REDIS_URL) unreachable (Error 111") for p in status.problems)
    assert any(p.startswith("Broker (OW_BROKER_URL) unreachable (") for p in status.problems)
    assert status.scrapes[0]["game_count"] == 1  # Postgres is still read
    assert not any("no worker consumes" in p for p in status.problems), "workers unknown"
    assert status.persist == {} and status.monitors == []


def test_the_screen_shows_dead_monitors_and_unknown_sections(
    settings, redis_data, catalog, no_workers
):
    from rich.console import Console

    from workers.status_view import render

    _heartbeat(redis_data, "77", "run-a", age_s=100, lease=None)
    down = Catalog(settings.database_url.replace(":5432/", ":1/"), connect_timeout_s=2)
    console = Console(record=True, width=200)
    try:
        render(collect(settings, no_workers, redis_data, down), console)
    finally:
        down.close()
    text = " ".join(console.export_text().split())  # titles wrap
    assert "Dead monitors (1)" in text and "no heartbeat for 100s" in text
    assert "Last scrapes (unknown: postgres unreachable)" in text
