"""The guard over real sockets, per book: the monitor engine in-process (no Celery) on two
live games of the simulator while the book poisons one record of the first game. That
game keeps streaming (the poisoned selection's next good price, every other selection),
with no reconnect and no bug; on Bovada the second game shares the socket and is
untouched. The game comes from the Redis snapshot (the database is dead on purpose)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

import orjson
import pytest
import redis

import simulator
from oddswatch.codec import decode_update, snapshot_to_dict
from oddswatch.settings import Settings
from tasks.engine import Runtime
from tasks.games import snapshot_key
from tasks.monitoring import Monitor, MonitorResult
from tests.conftest import BROKER_URL, DATA_URL
from tests.e2e.harness import SimControl, wait_for
from tests.providers.simtools import need_chromium

pytestmark = pytest.mark.timeout(90)
DEAD_DATABASE = "postgresql://postgres@127.0.0.1:9/nowhere"
BOOKS = ("draftkings", "bovada", "betmgm", "fanduel")


@pytest.fixture
def sim() -> Iterator[simulator.SimHandle]:
    config = simulator.SimConfig(port=0, seed=21, leagues=("nba",), games_per_league=2,
                                 live_games=2, frozen=True)  # fmt: skip
    with simulator.run_in_thread(config) as handle:
        yield handle


@pytest.fixture
def runtime(sim: simulator.SimHandle, redis_data: redis.Redis) -> Iterator[Runtime]:
    settings = Settings(
        _env_file=None, simulator_url=sim.url, broker_url=BROKER_URL, redis_url=DATA_URL,
        database_url=DEAD_DATABASE, heartbeat_s=0.5, lease_ttl_ms=5000, lease_renew_s=1.0,
        backoff_base_s=0.1,
    )  # type: ignore[call-arg]  # fmt: skip
    need_chromium(settings)
    rt = Runtime(settings)
    yield rt
    rt.close()


def prices(data: redis.Redis, book: str, event_id: str) -> list[tuple[str, str, int]]:
    raw = data.lrange(f"ow:odds:{book}:nba:{event_id}", 0, -1)
    return [(u.market.value, u.side.value, u.price_american) for u in map(decode_update, raw)]


def start(rt: Runtime, book: str, event_id: str) -> tuple[Monitor, Future[MonitorResult]]:
    monitor = Monitor(rt, book, "nba", event_id)
    return monitor, asyncio.run_coroutine_threadsafe(monitor.run(), rt.loop)


def move(control: SimControl, game: dict[str, Any], market: str, side: str, american: int) -> None:
    control.post("move", {"event_id": game["event_id"], "market": market, "side": side,
                          "american": american})  # fmt: skip


@pytest.mark.parametrize("book", BOOKS)
def test_a_poisoned_record_leaves_the_game_streaming_without_a_reconnect(
    book: str, runtime: Runtime, sim: simulator.SimHandle, redis_data: redis.Redis
) -> None:
    control = SimControl(sim.url)
    snapshot = runtime.run(runtime.provider(book).scrape("nba"))
    redis_data.set(snapshot_key(book, "nba"), orjson.dumps(snapshot_to_dict(snapshot)))
    first, second = control.state()["games"][:2]
    ids = [game["books"][book]["event_id"] for game in (first, second)]
    (poisoned, poisoned_run), (other, other_run) = (start(runtime, book, i) for i in ids)
    stats = lambda: control.http.get("/_sim/stats").json()["books"][book]  # noqa: E731
    wait_for(lambda: stats().get("subscriptions", 1) >= 2 or book in ("betmgm", "fanduel"), 20,
             "both games subscribed")  # fmt: skip

    control.post("misbehave", {"action": "poison", "book": book, "rate": 1.0, "count": 1,
                               "event_id": first["event_id"]})  # fmt: skip
    move(control, first, "moneyline", "home", -175)  # pushed or polled next: poisoned
    wait_for(lambda: stats()["poisoned"] == 1, 20, "one poisoned record delivered")
    move(control, first, "moneyline", "home", -185)  # the selection's next good price
    move(control, first, "total", "over", 120)  # another selection of the game
    move(control, second, "moneyline", "away", 240)  # the other game
    wait_for(lambda: ("moneyline", "home", -185) in prices(redis_data, book, ids[0]), 20,
             "the poisoned selection's next good price")  # fmt: skip
    wait_for(lambda: ("total", "over", 120) in prices(redis_data, book, ids[0]), 20,
             "the game's other selection")  # fmt: skip
    wait_for(lambda: ("moneyline", "away", 240) in prices(redis_data, book, ids[1]), 20,
             "the other game's move")  # fmt: skip

    runtime.request_shutdown()
    results = poisoned_run.result(timeout=20), other_run.result(timeout=20)
    assert [r.reason for r in results] == ["shutdown", "shutdown"]
    for monitor in (poisoned, other):
        assert (monitor.stats.reconnects, monitor.stats.bugs) == (0, 0), monitor.stats
    assert other.stats.invalid_values == other.stats.parse_errors == 0
    if book == "bovada":  # one socket for both games: the other game saw nothing bad
        assert (stats()["connections_total"], other.stats.drift) == (1, 0)
