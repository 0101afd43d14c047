"""Reconcile's view of vanished monitor runs, against real Postgres and Redis: a run with
no heartbeat for 3 intervals, no lease and no fresh Redis state is closed as `lost`; one
that still holds its lease or beats in Redis is left open."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
import redis

from oddswatch.model import Event, EventStatus, Snapshot, Team, utcnow
from oddswatch.settings import Settings
from tasks.engine import Runtime
from tasks.lost import close_lost_runs, prune_dead_entries


@pytest.fixture
def rt(settings: Settings, pg: psycopg.Connection, redis_data: redis.Redis) -> Iterator[Runtime]:
    runtime = Runtime(settings.model_copy(update={"heartbeat_s": 2.0}))  # silent after 6 s
    yield runtime
    runtime.close()


def _run(rt: Runtime, pg: psycopg.Connection, event_id: str, silent_s: float) -> str:
    run_id = uuid.uuid4().hex
    rt.catalog.start_run(run_id, "draftkings", "nba", event_id, "w1@vm:42")
    pg.execute(
        "UPDATE monitor_runs SET last_heartbeat = now() - make_interval(secs => %s)"
        " WHERE run_id = %s",
        (silent_s, run_id),
    )
    return run_id


def _row(pg: psycopg.Connection, run_id: str) -> tuple[object, ...]:
    row = pg.execute(
        "SELECT end_reason, ended_at = last_heartbeat FROM monitor_runs WHERE run_id = %s",
        (run_id,),
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_a_silent_run_without_lease_or_fresh_state_is_closed_as_lost(
    rt: Runtime, pg: psycopg.Connection, redis_data: redis.Redis
) -> None:
    killed = _run(rt, pg, "1", silent_s=60)
    holds_lease = _run(rt, pg, "2", silent_s=60)  # alive, Postgres was down for it
    redis_data.set("ow:lease:draftkings:2", holds_lease)
    beats_in_redis = _run(rt, pg, "3", silent_s=60)
    redis_data.hset("ow:monitor:draftkings:3", "run_id", beats_in_redis)
    redis_data.zadd("ow:monitors", {"draftkings:nba:3": utcnow().timestamp()})
    recent = _run(rt, pg, "4", silent_s=1)
    ended = _run(rt, pg, "5", silent_s=60)
    rt.catalog.end_run(ended, "final", {})
    stale_state = _run(rt, pg, "6", silent_s=60)  # its Redis state is as old as its row
    redis_data.hset("ow:monitor:draftkings:6", "run_id", stale_state)
    redis_data.zadd("ow:monitors", {"draftkings:nba:6": utcnow().timestamp() - 60})
    redis_data.set("ow:lease:draftkings:6", "the-next-run")

    assert close_lost_runs(rt) == sorted([killed, stale_state])
    assert _row(pg, killed) == ("lost", True)  # ended when it was last seen
    for run_id in (holds_lease, beats_in_redis, recent):
        assert _row(pg, run_id) == (None, None)
    assert _row(pg, ended)[0] == "final"
    assert close_lost_runs(rt) == []  # closed once


def test_a_run_closed_as_lost_that_beats_again_is_open_again(
    rt: Runtime, pg: psycopg.Connection
) -> None:
    run_id = _run(rt, pg, "1", silent_s=60)
    assert close_lost_runs(rt) == [run_id]
    rt.catalog.heartbeat_run(run_id, {"written": 3})
    assert _row(pg, run_id) == (None, None)
    rt.catalog.end_run(run_id, "final", {})
    rt.catalog.heartbeat_run(run_id, {})  # a late beat does not reopen a real end
    assert _row(pg, run_id)[0] == "final"


def test_dead_entries_of_games_no_longer_due_leave_ow_monitors(
    rt: Runtime, redis_data: redis.Redis
) -> None:
    now = utcnow()
    due = Event(
        "draftkings", "nba", "due", Team("A"), Team("B"), now - timedelta(hours=1),
        EventStatus.LIVE,
    )  # fmt: skip
    rt.catalog.save_scrape(Snapshot("draftkings", "nba", now, (due,), ()))
    redis_data.zadd(
        "ow:monitors",
        {
            "draftkings:nba:due": now.timestamp() - 60,  # dead, game due: status shows it
            "draftkings:nba:over": now.timestamp() - 60,  # dead, game gone: removed
            "draftkings:nba:fresh": now.timestamp(),  # live
        },
    )
    assert prune_dead_entries(rt) == 1
    assert sorted(m.decode() for m in redis_data.zrange("ow:monitors", 0, -1)) == [
        "draftkings:nba:due",
        "draftkings:nba:fresh",
    ]
