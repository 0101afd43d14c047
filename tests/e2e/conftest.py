"""End-to-end fixtures: the simulator over real sockets, Celery worker subprocesses and a
client Celery app, all on the test Redis databases and the test Postgres database."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from celery import Celery

import simulator
from tests.conftest import BROKER_URL
from tests.e2e.harness import SimControl, Worker, client_app

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e/ `e2e`, so `pytest -m "not e2e"` leaves them out
    (a conftest's `pytestmark` applies to no test module)."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def sim() -> Iterator[Any]:
    config = simulator.SimConfig(
        port=0, seed=11, leagues=("nba",), games_per_league=6, live_games=3, updates_per_s=2.0
    )
    handle = simulator.run_in_thread(config)
    yield handle
    handle.stop()


@pytest.fixture
def sim_control(sim: Any) -> SimControl:
    return SimControl(sim.url)


@pytest.fixture
def broker(redis_available: None) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(BROKER_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def worker_env(
    sim: Any, pg: psycopg.Connection, redis_data: redis.Redis, broker: redis.Redis, settings: Any
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OW_")}
    env.update(
        OW_MODE="demo",
        OW_SIMULATOR_URL=sim.url,
        OW_BROKER_URL=settings.broker_url,
        OW_REDIS_URL=settings.redis_url,
        OW_DATABASE_URL=settings.database_url,
        OW_LEAGUES='["nba"]',
        OW_LEASE_TTL_MS="3000",
        OW_LEASE_RENEW_S="0.5",
        OW_HEARTBEAT_S="1",
        OW_DISPATCH_TTL_S="30",
        OW_PERSIST_BLOCK_MS="200",
        OW_PERSIST_CLAIM_IDLE_MS="2000",
        OW_BACKOFF_BASE_S="0.1",
        OW_BACKOFF_CAP_S="1",
        OW_LOG_LEVEL="INFO",
    )
    return env


@pytest.fixture
def start_worker(worker_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def start(queues: str, name: str = "w1") -> Worker:
        worker = Worker(worker_env, queues, name, tmp_path)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop(timeout_s=20)


@pytest.fixture
def celery_client(broker: redis.Redis) -> Iterator[Celery]:
    app = client_app(BROKER_URL)
    yield app
    app.close()
