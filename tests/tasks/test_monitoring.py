"""The monitor engine in-process (no Celery): a dead database does not stop a monitor, a
lost lease stops its writes at once (fencing), a vanished one is taken back, and updates
held while Redis restarts are written when it returns, by the same run."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import orjson
import pytest
import redis

import simulator
from oddswatch.codec import snapshot_to_dict
from oddswatch.settings import Settings
from sinks.keys import snapshot_key
from tasks.engine import Runtime
from tasks.monitoring import Monitor
from tests.chaos.redisserver import RedisServer, redis_server
from tests.conftest import BROKER_URL, DATA_URL
from tests.e2e.harness import SimControl
from tests.waiting import wait_for

DEAD_DATABASE = "postgresql://postgres@127.0.0.1:9/nowhere"
__all__ = ["redis_server"]  # a fixture


@pytest.fixture
def sim() -> Iterator[simulator.SimHandle]:
    handle = simulator.run_in_thread(
        simulator.SimConfig(port=0, seed=5, leagues=("nba",), games_per_league=2, live_games=2,
                            frozen=True)
    )  # fmt: skip
    yield handle
    handle.stop()


def _runtime(sim: simulator.SimHandle, broker_url: str, redis_url: str) -> Runtime:
    return Runtime(Settings(
        _env_file=None, simulator_url=sim.url, broker_url=broker_url, redis_url=redis_url,
        database_url=DEAD_DATABASE, heartbeat_s=0.5, lease_ttl_ms=2000, lease_renew_s=0.3,
    ))  # type: ignore[call-arg]  # fmt: skip


@pytest.fixture
def runtime(sim: simulator.SimHandle, redis_data: object) -> Iterator[Runtime]:
    rt = _runtime(sim, BROKER_URL, DATA_URL)
    yield rt
    rt.close()


def _start(runtime: Runtime, sim: simulator.SimHandle, redis_data):  # type: ignore[no-untyped-def]
    event_id, future, _ = _start_monitor(runtime, sim, redis_data)
    return event_id, future


def _start_monitor(runtime: Runtime, sim: simulator.SimHandle, redis_data):  # type: ignore[no-untyped-def]
    snapshot = runtime.run(runtime.provider("draftkings").scrape("nba"))
    redis_data.set(snapshot_key("draftkings", "nba"), orjson.dumps(snapshot_to_dict(snapshot)))
    event_id = snapshot.events[0].event_id
    monitor = Monitor(runtime, "draftkings", "nba", event_id)
    future = asyncio.run_coroutine_threadsafe(monitor.run(), runtime.loop)
    wait_for(lambda: redis_data.exists(f"ow:monitor:draftkings:{event_id}"), 20)
    wait_for(lambda: SimControl(sim.url).state_subscribers(event_id), 20)
    return event_id, future, monitor


def _move(sim: simulator.SimHandle, event_id: str, american: int) -> None:
    move = {"event_id": event_id, "selection_id": f"0ML{event_id}_3", "american": american}
    SimControl(sim.url).post("move", move)


def test_a_dead_database_does_not_stop_a_monitor(runtime, sim, redis_data) -> None:  # type: ignore[no-untyped-def]
    event_id, future = _start(runtime, sim, redis_data)
    _move(sim, event_id, -175)
    key = f"ow:odds:draftkings:nba:{event_id}"
    wait_for(lambda: redis_data.llen(key) == 1, 20)
    time.sleep(1.2)  # a few heartbeats against the dead database
    _move(sim, event_id, -180)
    wait_for(lambda: redis_data.llen(key) == 2, 20)
    assert not future.done()
    runtime.request_shutdown()
    result = future.result(timeout=15)
    assert result.reason == "shutdown"
    assert result.stats["written"] == 2
    assert not redis_data.exists(f"ow:lease:draftkings:{event_id}")


def test_a_lost_lease_fences_writes_and_stops_the_run(runtime, sim, redis_data) -> None:  # type: ignore[no-untyped-def]
    event_id, future = _start(runtime, sim, redis_data)
    redis_data.set(f"ow:lease:draftkings:{event_id}", "someone-else")
    _move(sim, event_id, -190)
    result = future.result(timeout=15)
    assert result.reason == "lease_lost"
    assert redis_data.llen(f"ow:odds:draftkings:nba:{event_id}") == 0
    assert redis_data.get(f"ow:lease:draftkings:{event_id}") == b"someone-else"


def test_an_unknown_provider_is_a_clear_error(runtime) -> None:  # type: ignore[no-untyped-def]
    from oddswatch.errors import UnknownPlugin

    with pytest.raises(UnknownPlugin, match=r"unknown provider 'nosuchbook' \(known: .*draftkings"):
        runtime.provider("nosuchbook")
    result = runtime.run(Monitor(runtime, "nosuchbook", "nba", "1").run(), timeout_s=10)
    assert result.reason == "unknown_event"  # no such game: the run ends at once


def test_a_vanished_lease_is_taken_back_and_the_run_goes_on(runtime, sim, redis_data) -> None:  # type: ignore[no-untyped-def]
    event_id, future = _start(runtime, sim, redis_data)
    lease = f"ow:lease:draftkings:{event_id}"
    run_id = redis_data.get(lease)
    redis_data.delete(lease)  # expired, or lost with a Redis restart; nobody else holds it
    _move(sim, event_id, -195)
    wait_for(lambda: redis_data.llen(f"ow:odds:draftkings:nba:{event_id}") == 1, 10, "the write")
    assert redis_data.get(lease) == run_id, "the same run holds the game again"
    assert not future.done()
    runtime.request_shutdown()
    result = future.result(timeout=15)
    assert result.reason == "shutdown"
    assert result.stats["lease_reacquired"] >= 1
    assert result.stats["written"] == 1


def test_updates_held_across_a_redis_restart_are_written_by_the_same_run(
    sim: simulator.SimHandle, redis_server: RedisServer
) -> None:
    """SHUTDOWN NOSAVE of a private redis-server: the monitor holds what it reads while Redis
    is down, takes its vanished lease back when Redis returns and writes every held update."""
    data = redis.Redis.from_url(redis_server.url(1))
    rt = _runtime(sim, redis_server.url(0), redis_server.url(1))
    try:
        event_id, future, monitor = _start_monitor(rt, sim, data)
        monitor_run = data.get(f"ow:lease:draftkings:{event_id}")
        redis_server.shutdown_nosave()
        for price in (-200, -205, -210):
            _move(sim, event_id, price)
        wait_for(lambda: monitor.held == 3, 10, "the updates held while Redis is down")
        redis_server.start()
        key = f"ow:odds:draftkings:nba:{event_id}"
        wait_for(lambda: data.llen(key) == 3, 10, "the held updates written after the restart")
        assert data.get(f"ow:lease:draftkings:{event_id}") == monitor_run
        assert not future.done(), "the run goes on"
        rt.request_shutdown()
        result = future.result(timeout=15)
        assert (result.reason, result.stats["written"], result.stats["dropped"]) == (
            "shutdown",
            3,
            0,
        )
    finally:
        rt.close()
        data.close()
