"""Alembic environment for raidwatch.

Normally run from `raidwatch.store.migrate.upgrade`, which hands over an open
connection (already inside a transaction) in `config.attributes`. From the
alembic command line the database is `-x url=...`, else $RAIDWATCH_DB, else
./raidwatch.sqlite.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from raidwatch.store.engine import create_store_engine, default_db_path, to_url, writer
from raidwatch.store.schema import Base

config = context.config
target_metadata = Base.metadata

# Serialises concurrent upgrades of one PostgreSQL database (any constant will do).
PG_MIGRATION_LOCK = 0x7261696477617463  # "raidwatc"


def _database_url() -> str:
    x_args = context.get_x_argument(as_dictionary=True)
    return x_args.get("url") or config.get_main_option("sqlalchemy.url") or default_db_path()


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK})
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=to_url(_database_url()),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_store_engine(to_url(_database_url()))
    try:
        with writer(engine).begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
