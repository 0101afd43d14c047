"""Alembic environment for oddswatch.

The URL comes, first found wins, from `config.attributes["url"]` (set by
`sinks.db.migrate`), `alembic -x url=...`, `sqlalchemy.url` in alembic.ini, and finally
the settings' `database_url` (OW_DATABASE_URL). Migrations run under an advisory lock so
that processes starting together migrate once.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

from oddswatch.settings import get_settings
from sinks.db import UTC_OPTIONS, Base, sqlalchemy_url
from sinks.partitions import PREFIX

config = context.config
if config.config_file_name is not None and not config.attributes.get("url"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata
MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(hashtext('oddswatch:migrations'))"


def database_url() -> str:
    url = (
        config.attributes.get("url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
        or get_settings().database_url
    )
    return sqlalchemy_url(str(url))


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Daily partitions are made at run time, not by migrations: autogenerate skips them."""
    return not (type_ == "table" and name is not None and name.startswith(PREFIX))


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(
        database_url(), poolclass=pool.NullPool, connect_args={"options": UTC_OPTIONS}
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, include_name=include_name
        )
        with context.begin_transaction():
            connection.exec_driver_sql(MIGRATION_LOCK)
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
