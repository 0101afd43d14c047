"""PostgresSink: dedupe by primary key, partitions on demand, outages, refused records."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime

import psycopg
import pytest
from sinkdata import count, make_updates

from oddswatch.errors import SinkUnavailable
from sinks.postgres import PostgresSink, RecordRefused


def test_same_batch_twice_is_inserted_once(pg: psycopg.Connection, pg_database: str) -> None:
    batch = make_updates(50)

    async def body() -> list[int]:
        sink = PostgresSink(pg_database)
        try:
            inserted = []
            for _ in range(2):
                await sink.write(batch)
                inserted.append(sink.last_inserted)
            return [*inserted, sink.inserted, sink.stats.written]
        finally:
            await sink.aclose()

    assert asyncio.run(body()) == [50, 0, 50, 100]
    assert count(pg, "SELECT count(*) FROM odds_updates") == 50


def test_missing_partition_is_created_on_demand(
    pg: psycopg.Connection, pg_database: str, old_partitions: None
) -> None:
    batch = make_updates(6, start=datetime(2001, 6, 15, 23, 59, 59, 997000, tzinfo=UTC))

    async def body() -> int:
        sink = PostgresSink(pg_database)
        try:
            await sink.write(batch)
            return sink.last_inserted
        finally:
            await sink.aclose()

    assert asyncio.run(body()) == 6
    assert count(pg, "SELECT count(*) FROM odds_updates_p20010615") == 3
    assert count(pg, "SELECT count(*) FROM odds_updates_p20010616") == 3


def test_unreachable_postgres_raises_unavailable_and_recovers(pg_database: str) -> None:
    async def body() -> None:
        sink = PostgresSink(pg_database.replace(":5432/", ":1/"), connect_timeout_s=2)
        sink.retry_base_s = 0.01
        with pytest.raises(SinkUnavailable):
            await sink.write(make_updates(3))
        assert sink.stats.failures == 1
        with pytest.raises(SinkUnavailable):
            await sink.read("draftkings", "nba", "g1")
        sink.database_url = pg_database  # the server "comes back": next call reconnects
        await sink.write(make_updates(3))
        assert sink.last_inserted == 3
        await sink.aclose()

    asyncio.run(body())


def test_a_connection_killed_by_the_server_is_replaced(
    pg: psycopg.Connection, pg_database: str
) -> None:
    async def body() -> int:
        sink = PostgresSink(pg_database)
        sink.retry_base_s = 0.01
        try:
            await sink.write(make_updates(2))
            pg.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            await sink.write(make_updates(2))
            return sink.stats.retries
        finally:
            await sink.aclose()

    assert asyncio.run(body()) == 1
    assert count(pg, "SELECT count(*) FROM odds_updates") == 4


def test_a_record_postgres_refuses_fails_the_batch_as_record_refused(
    pg: psycopg.Connection, pg_database: str
) -> None:
    good = make_updates(2)
    bad = dataclasses.replace(good[0], update_id="not-a-uuid")

    async def body() -> None:
        sink = PostgresSink(pg_database)
        try:
            with pytest.raises(RecordRefused):
                await sink.write([good[1], bad])
            too_big = dataclasses.replace(good[0], price_american=2**40)
            with pytest.raises(RecordRefused):
                await sink.write([too_big])
            with pytest.raises(RecordRefused):
                await sink.write([dataclasses.replace(good[0], market="moneyline")])
            await sink.write(good)  # the connection is still usable
        finally:
            await sink.aclose()

    asyncio.run(body())
    assert count(pg, "SELECT count(*) FROM odds_updates") == 2
