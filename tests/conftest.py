"""Shared fixtures: real Redis and Postgres on loopback, never mocks.

A missing service fails the run with a clear message under CI (CI=true) and skips
locally. Tests use their own Redis databases (14: broker, 15: data; `OW_TEST_REDIS_DBS`)
and their own Postgres database `oddswatch_test`, created and migrated once per session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
import redis

from oddswatch.settings import Settings

PG_ADMIN_URL = os.environ.get(
    "OW_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TEST_DB = os.environ.get("OW_TEST_DB", "oddswatch_test")
PG_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + TEST_DB
REDIS_BASE = os.environ.get("OW_TEST_REDIS", "redis://127.0.0.1:6379")
# Two Redis databases (broker, data); OW_TEST_REDIS_DBS="12,13" lets two checkouts test at once.
_BROKER_DB, _DATA_DB = os.environ.get("OW_TEST_REDIS_DBS", "14,15").split(",")
BROKER_URL = f"{REDIS_BASE}/{_BROKER_DB}"
DATA_URL = f"{REDIS_BASE}/{_DATA_DB}"


def _service_missing(what: str, exc: Exception) -> None:
    message = f"{what} is not reachable ({exc}); start it (see README, 'Services')"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_available() -> None:
    try:
        redis.Redis.from_url(DATA_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        _service_missing("Redis", exc)


@pytest.fixture(scope="session")
def pg_database() -> str:
    """A freshly created and migrated test database; returns its URL."""
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (TEST_DB,),
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{TEST_DB}"')
            conn.execute(f'CREATE DATABASE "{TEST_DB}"')
    except psycopg.OperationalError as exc:
        _service_missing("PostgreSQL", exc)
    from sinks.db import migrate

    migrate(PG_URL)
    return PG_URL


@pytest.fixture
def settings(redis_available: None) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        broker_url=BROKER_URL,
        redis_url=DATA_URL,
        database_url=PG_URL,
    )


@pytest.fixture
def redis_data(redis_available: None) -> Iterator[redis.Redis]:
    """The data Redis database, emptied before and after the test."""
    client = redis.Redis.from_url(DATA_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def pg(pg_database: str) -> Iterator[psycopg.Connection]:
    """A connection to the test database whose data tables are emptied first."""
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(
            "TRUNCATE snapshots, events, selections, odds_updates, monitor_runs RESTART IDENTITY"
        )
        yield conn
