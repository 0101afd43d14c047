"""A FanDuel game monitored by the real monitor engine (in process, no Celery): moves land
in Redis once each, and a dropped poll makes it reconnect and carry on."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import orjson
import pytest
import redis
from fd_helpers import event_and_selections, fd_settings, live_game, sim_call

from oddswatch.codec import snapshot_to_dict
from oddswatch.model import Snapshot, utcnow
from simulator import SimHandle
from sinks.keys import snapshot_key
from tasks.engine import Runtime
from tasks.monitoring import Monitor
from tests.conftest import BROKER_URL, DATA_URL
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(60)
DEAD_DATABASE = "postgresql://postgres@127.0.0.1:9/nowhere"  # the game comes from Redis


@pytest.fixture
def runtime(sim: SimHandle, redis_data: redis.Redis) -> Iterator[Runtime]:
    settings = fd_settings(sim).model_copy(
        update={
            "broker_url": BROKER_URL,
            "redis_url": DATA_URL,
            "database_url": DEAD_DATABASE,
            "heartbeat_s": 0.5,
            "backoff_base_s": 0.1,
        }
    )
    rt = Runtime(settings)
    yield rt
    rt.close()


def test_moves_land_once_and_a_dropped_poll_reconnects(
    runtime: Runtime, sim: SimHandle, redis_data: redis.Redis
) -> None:
    game = live_game(sim)
    event, selections = event_and_selections(sim, game)
    snapshot = Snapshot("fanduel", "nba", utcnow(), (event,), tuple(selections), (event.event_id,))
    redis_data.set(snapshot_key("fanduel", "nba"), orjson.dumps(snapshot_to_dict(snapshot)))
    monitor = Monitor(runtime, "fanduel", "nba", event.event_id)
    future = asyncio.run_coroutine_threadsafe(monitor.run(), runtime.loop)
    model_id, odds_key = game["event_id"], f"ow:odds:fanduel:nba:{event.event_id}"

    def polls() -> int:
        games = sim_call(sim, "GET", "state")["games"]
        return int(next(g for g in games if g["event_id"] == model_id)["books"]["fanduel"]["polls"])

    def move(american: int) -> None:
        body = {"event_id": model_id, "market": "moneyline", "side": "home", "american": american}
        sim_call(sim, "POST", "move", body)

    wait_for(lambda: polls() >= 2)
    move(-175)
    wait_for(lambda: redis_data.llen(odds_key) == 1)
    drop = {"action": "drop", "book": "fanduel", "event_id": model_id, "count": 2}
    sim_call(sim, "POST", "misbehave", drop)
    wait_for(lambda: monitor.stats.reconnects >= 2)
    move(-180)
    wait_for(lambda: redis_data.llen(odds_key) == 2)
    time.sleep(0.3)  # more polls of the same prices write nothing
    runtime.request_shutdown()
    result = future.result(timeout=15)
    assert result.reason == "shutdown"
    assert result.stats["written"] == 2 and result.stats["reconnects"] >= 2
    assert result.stats["parse_errors"] == result.stats["drift"] == 0
    prices = [orjson.loads(raw)["price_american"] for raw in redis_data.lrange(odds_key, 0, -1)]
    assert sorted(prices) == [-180, -175]
