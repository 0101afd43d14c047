"""The monitor engine in-process (no Celery) on BetMGM: a dropped poll reconnects and the
updates go on, each written once. Needs Redis; the database is dead on purpose (the game
comes from the Redis snapshot)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import redis
from bmgm_helpers import fixture_of, live_game, sim_call, sim_config

from oddswatch.codec import decode_update, snapshot_to_dict
from oddswatch.model import Snapshot, utcnow
from oddswatch.settings import Settings
from providers.betmgm import BetMGM, BetMGMSettings
from simulator import SimHandle, run_in_thread
from sinks.keys import snapshot_key
from tasks.engine import Runtime
from tasks.monitoring import Monitor
from tests.conftest import BROKER_URL, DATA_URL
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(60)
DEAD_DATABASE = "postgresql://postgres@127.0.0.1:9/nowhere"


@pytest.fixture
def sim() -> Iterator[SimHandle]:
    with run_in_thread(sim_config(live_games=2)) as handle:
        yield handle


@pytest.fixture
def runtime(sim: SimHandle, redis_data: redis.Redis) -> Iterator[Runtime]:
    settings = Settings(
        _env_file=None, simulator_url=sim.url, broker_url=BROKER_URL, redis_url=DATA_URL,
        database_url=DEAD_DATABASE, heartbeat_s=0.5, lease_ttl_ms=2000, lease_renew_s=0.3,
        backoff_base_s=0.1,
    )  # type: ignore[call-arg]  # fmt: skip
    rt = Runtime(settings.with_group("betmgm", BetMGMSettings(poll_interval_s=0.1)))
    yield rt
    rt.close()


def polls(sim: SimHandle, model_id: str) -> int:
    """How many fixture-view requests the fake book answered for a game."""
    games = sim_call(sim, "GET", "state")["games"]
    return int(next(g for g in games if g["event_id"] == model_id)["books"]["betmgm"]["polls"])


def store_snapshot(rt: Runtime, game: dict[str, Any], redis_data: redis.Redis) -> str:
    provider = rt.provider("betmgm")
    assert isinstance(provider, BetMGM)
    event, selections = rt.run(fixture_of(provider, game))
    snapshot = Snapshot("betmgm", "nba", utcnow(), (event,), tuple(selections), (event.event_id,))
    redis_data.set(snapshot_key("betmgm", "nba"), orjson.dumps(snapshot_to_dict(snapshot)))
    return event.event_id


def test_a_dropped_poll_reconnects_and_updates_go_on(
    runtime: Runtime, sim: SimHandle, redis_data: redis.Redis
) -> None:
    game = live_game(sim)
    event_id = store_snapshot(runtime, game, redis_data)
    monitor = Monitor(runtime, "betmgm", "nba", event_id)
    future = asyncio.run_coroutine_threadsafe(monitor.run(), runtime.loop)
    wait_for(lambda: polls(sim, game["event_id"]) >= 2)
    key = f"ow:odds:betmgm:nba:{event_id}"
    move = {"event_id": game["event_id"], "market": "moneyline", "side": "home"}
    sim_call(sim, "POST", "move", move | {"american": -175})
    wait_for(lambda: redis_data.llen(key) == 1)
    sim_call(sim, "POST", "misbehave", {"action": "drop", "book": "betmgm", "count": 2})
    wait_for(lambda: monitor.stats.reconnects >= 1)
    sim_call(sim, "POST", "move", move | {"american": -185})
    wait_for(lambda: redis_data.llen(key) == 2)
    time.sleep(0.5)  # more polls of an unchanged book write nothing
    runtime.request_shutdown()
    result = future.result(timeout=15)
    assert result.reason == "shutdown"
    assert result.stats["written"] == 2 and result.stats["reconnects"] >= 1
    written = [decode_update(raw) for raw in reversed(redis_data.lrange(key, 0, -1))]
    assert [(u.market.value, u.side.value, u.price_american) for u in written] == [
        ("moneyline", "home", -175),
        ("moneyline", "home", -185),
    ]
