"""The monitor engine in-process (no Celery) on a Bovada game: a dropped websocket is
reconnected with a new client id and updates keep flowing into Redis."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import redis

import simulator
from oddswatch.codec import snapshot_to_dict
from oddswatch.settings import Settings
from sinks.keys import snapshot_key
from tasks.engine import Runtime
from tasks.monitoring import Monitor
from tests.conftest import BROKER_URL, DATA_URL
from tests.e2e.harness import SimControl
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(60)
DEAD_DATABASE = "postgresql://postgres@127.0.0.1:9/nowhere"  # the snapshot comes from Redis


@pytest.fixture
def sim() -> Iterator[simulator.SimHandle]:
    config = simulator.SimConfig(port=0, seed=5, leagues=("nba",), games_per_league=2,
                                 live_games=2, frozen=True)  # fmt: skip
    with simulator.run_in_thread(config) as handle:
        yield handle


@pytest.fixture
def runtime(sim: simulator.SimHandle, redis_data: redis.Redis) -> Iterator[Runtime]:
    settings = Settings(
        _env_file=None, simulator_url=sim.url, broker_url=BROKER_URL, redis_url=DATA_URL,
        database_url=DEAD_DATABASE, heartbeat_s=0.5, lease_ttl_ms=2000, lease_renew_s=0.3,
        backoff_base_s=0.1,
    )  # type: ignore[call-arg]  # fmt: skip
    rt = Runtime(settings)
    yield rt
    rt.close()


def book_stats(control: SimControl) -> dict[str, Any]:
    return dict(control.http.get("/_sim/stats").json()["books"]["bovada"])


def test_monitor_reconnects_after_a_drop_and_updates_continue(
    runtime: Runtime, sim: simulator.SimHandle, redis_data: redis.Redis
) -> None:
    control = SimControl(sim.url)
    snapshot = runtime.run(runtime.provider("bovada").scrape("nba"))
    redis_data.set(snapshot_key("bovada", "nba"), orjson.dumps(snapshot_to_dict(snapshot)))
    game = control.state()["games"][0]
    event_id = game["books"]["bovada"]["event_id"]
    assert event_id in {e.event_id for e in snapshot.events}
    monitor = Monitor(runtime, "bovada", "nba", event_id)
    future = asyncio.run_coroutine_threadsafe(monitor.run(), runtime.loop)
    wait_for(lambda: book_stats(control)["subscriptions"] == 1, 20)

    key = f"ow:odds:bovada:nba:{event_id}"
    move = {"event_id": game["event_id"], "market": "moneyline", "side": "home"}
    control.post("move", {**move, "american": -175})
    wait_for(lambda: redis_data.llen(key) == 1, 20)
    control.post("misbehave", {"action": "drop", "book": "bovada"})
    wait_for(lambda: book_stats(control)["connections_total"] == 2, 20)
    wait_for(lambda: book_stats(control)["subscriptions"] == 1, 20)
    control.post("move", {**move, "american": -180})
    wait_for(lambda: redis_data.llen(key) == 2, 20)

    runtime.request_shutdown()
    result = future.result(timeout=15)
    assert result.reason == "shutdown"
    assert result.stats["reconnects"] >= 1
    assert result.stats["written"] == 2
    assert (result.stats["parse_errors"], result.stats["drift"]) == (0, 0)
    latest = orjson.loads(redis_data.lindex(key, 0) or b"{}")
    assert (latest["market"], latest["side"], latest["price_american"]) == (
        "moneyline",
        "home",
        -180,
    )
    # The monitor's session sent UNSUBSCRIBE on the shared socket, which stays open a while.
    wait_for(lambda: book_stats(control)["unsubscribes"] == 1, 20)
    stats = book_stats(control)
    assert (stats["handshakes_refused"], stats["unsubscribes"], stats["bad_commands"]) == (0, 1, 0)
    assert (stats["connections_total"], stats["subscriptions"]) == (2, 0)
