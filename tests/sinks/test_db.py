"""Database URLs, creation and migration."""

from __future__ import annotations

import psycopg
import pytest

from oddswatch.errors import SinkUnavailable
from sinks.db import ensure_database, migrate, psycopg_url, sqlalchemy_url
from sinks.partitions import partition_name, utc_today


def test_urls() -> None:
    assert sqlalchemy_url("postgresql://u@h:5432/db") == "postgresql+psycopg://u@h:5432/db"
    assert sqlalchemy_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert sqlalchemy_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert psycopg_url("postgresql+psycopg://u@h/db") == "postgresql://u@h/db"
    assert psycopg_url("postgresql://u@h/db") == "postgresql://u@h/db"
    with pytest.raises(ValueError):
        sqlalchemy_url("mysql://u@h/db")


def test_ensure_database_and_migrate_from_nothing(pg_database: str) -> None:
    name = "oddswatch_test_migrate"
    url = pg_database.rsplit("/", 1)[0] + "/" + name
    admin = pg_database.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    try:
        migrate(url)  # creates the database too
        assert not ensure_database(url)
        migrate(url)  # at head already: nothing to do
        with psycopg.connect(url) as conn:
            version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            tables = conn.execute(
                "SELECT count(*) FROM pg_class WHERE relname = %s", (partition_name(utc_today()),)
            ).fetchone()
        assert version == ("0001",)
        assert tables == (1,)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_migrate_against_a_server_that_is_down(pg_database: str) -> None:
    with pytest.raises(SinkUnavailable):
        migrate(pg_database.replace(":5432/", ":1/"))
