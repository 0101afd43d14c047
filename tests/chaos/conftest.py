"""Fault-test fixtures: a private Postgres cluster (tests/chaos/pgserver.py) a test may
stop and start, Celery worker subprocesses pointed at it, and the test Redis databases.

Every test here is also marked `e2e` (real worker subprocesses, up to a minute or more),
so `pytest -m "not e2e"` leaves them out.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from celery import Celery

from oddswatch.settings import Settings
from tests.chaos.pgserver import PgServer, PgServerMissing, wait_until_up
from tests.conftest import BROKER_URL, DATA_URL
from tests.e2e.harness import Worker, client_app

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One private cluster for the session (initdb once), migrated."""
    try:
        server = PgServer()
    except PgServerMissing as exc:
        message = f"a private Postgres cannot be made: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        server.start()
        server.create_database()
        yield server
    finally:
        server.destroy()


@pytest.fixture
def private_pg(pg_server: PgServer) -> str:
    """The private database, running and with empty data tables; returns its URL."""
    if not pg_server.running():
        pg_server.start()
        wait_until_up(pg_server)
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute("TRUNCATE snapshots, events, selections, odds_updates, monitor_runs")
    return pg_server.url


@pytest.fixture
def chaos_settings(private_pg: str, redis_data: redis.Redis, broker: redis.Redis) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        broker_url=BROKER_URL,
        redis_url=DATA_URL,
        database_url=private_pg,
    )


@pytest.fixture
def broker(redis_available: None) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(BROKER_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def chaos_env(chaos_settings: Settings) -> dict[str, str]:
    """A worker's environment: production timings for the persister (backoff up to 30 s,
    probe every 0.5 s), short leases so a dead persister's slot frees in 3 s."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OW_")}
    env.update(
        OW_MODE="demo",
        OW_BROKER_URL=chaos_settings.broker_url,
        OW_REDIS_URL=chaos_settings.redis_url,
        OW_DATABASE_URL=chaos_settings.database_url,
        OW_LEAGUES='["nba"]',
        OW_LEASE_TTL_MS="3000",
        OW_LEASE_RENEW_S="0.5",
        OW_DISPATCH_TTL_S="10",
        OW_PERSIST_BLOCK_MS="200",
        OW_LOG_LEVEL="INFO",
    )
    return env


@pytest.fixture
def start_worker(chaos_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def start(queues: str, name: str) -> Worker:
        worker = Worker(chaos_env, queues, name, tmp_path)
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
