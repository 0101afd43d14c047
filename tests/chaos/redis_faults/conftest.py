"""Redis fault fixtures (they override tests/chaos/conftest.py's for the tests here): a
private redis-server (broker db 0, data db 1) the test may stop, kill
and restart; the simulator; Celery worker subprocesses pointed at that server and the test
Postgres database; a stand-in for beat that sends `tasks.reconcile` on beat's schedule.

Leases, renewal and reconcile keep their defaults, so the figures are the defaults'."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import redis
from celery import Celery

import simulator
from oddswatch.settings import Settings
from tests.chaos.redisserver import RedisServer, env_for, redis_server
from tests.conftest import PG_URL
from tests.e2e.harness import SimControl, client_app

__all__ = ["redis_server"]
logger = logging.getLogger(__name__)


@pytest.fixture
def sim() -> Iterator[Any]:
    config = simulator.SimConfig(port=0, seed=17, leagues=("nba",), games_per_league=8,
                                 live_games=6, updates_per_s=4.0)  # fmt: skip
    with simulator.run_in_thread(config) as handle:
        yield handle


@pytest.fixture
def sim_control(sim: Any) -> SimControl:
    return SimControl(sim.url)


@pytest.fixture
def data(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url(1), socket_timeout=5)
    yield client
    client.close()


@pytest.fixture
def chaos_env(sim: Any, pg: psycopg.Connection, redis_server: RedisServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OW_")}
    env.update(
        OW_MODE="demo",
        OW_SIMULATOR_URL=sim.url,
        OW_DATABASE_URL=PG_URL,
        OW_PROVIDERS='["draftkings"]',
        OW_LEAGUES='["nba"]',
        OW_HEARTBEAT_S="1",
        OW_PERSIST_BLOCK_MS="200",
        OW_LOG_LEVEL="INFO",
    )
    return env_for(redis_server, env)


# start_worker is the parent conftest's: it asks for chaos_env, which resolves to this
# folder's override (the private redis-server), so no copy is needed here.


@pytest.fixture
def celery_client(redis_server: RedisServer) -> Iterator[Celery]:
    app = client_app(redis_server.url(0))
    yield app
    app.close()


class Beat:
    """What beat does for recovery: `tasks.reconcile` every `reconcile_every_s` (its
    default), going on through broker outages as a beat that survives them does."""

    def __init__(self, app: Celery, every_s: float) -> None:
        self.app, self.every_s = app, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="beat", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.app.send_task("tasks.reconcile", queue="control", expires=self.every_s * 2)
            except Exception as exc:  # the broker is down: beat retries at the next tick
                logger.info("reconcile not sent: %s", exc)
            self._stop.wait(self.every_s)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


@pytest.fixture
def beat(celery_client: Celery) -> Iterator[Beat]:
    every_s = Settings(_env_file=None).reconcile_every_s  # type: ignore[call-arg]
    handle = Beat(celery_client, every_s)
    yield handle
    handle.stop()
