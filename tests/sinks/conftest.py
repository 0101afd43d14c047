"""Fixtures for the sink tests: update factories and sinks built inside an event loop."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sinkdata import SinkFactory, redis_sink_class, sink_names

from oddswatch.settings import Settings
from sinks.fs import FsSink
from sinks.memory import MemorySink
from sinks.partitions import partition_day
from sinks.postgres import PostgresSink


@pytest.fixture(params=sink_names())
def make_sink(request: pytest.FixtureRequest, tmp_path: Path) -> SinkFactory:
    """A factory (call it inside the event loop) for each sink of the contract."""
    name = request.param
    if name == "memory":
        return MemorySink
    if name == "fs":
        return lambda: FsSink(tmp_path / "odds")
    if name == "postgres":
        url = request.getfixturevalue("pg_database")
        request.getfixturevalue("pg")
        return lambda: PostgresSink(url)
    request.getfixturevalue("redis_data")
    settings: Settings = request.getfixturevalue("settings")
    redis_sink = redis_sink_class()
    assert redis_sink is not None
    return lambda: redis_sink.from_settings(settings)


@pytest.fixture
def old_partitions(pg: psycopg.Connection) -> Iterator[None]:
    """Drops, after the test, partitions for days before 2010 that a test created."""
    yield
    for (name,) in pg.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'odds_updates'::regclass"
    ).fetchall():
        day = partition_day(name)
        if day is not None and day < date(2010, 1, 1):
            pg.execute(f"DROP TABLE {name}")
