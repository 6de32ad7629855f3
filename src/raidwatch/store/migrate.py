"""Alembic migrations, run from code.

The migration scripts ship inside the package (`raidwatch/store/migrations`),
so upgrading works from an installed wheel and from any working directory.
`Store.open` calls `upgrade()`; developers can also use the alembic command
line with `src/raidwatch/store/alembic.ini` (see the comments there).
"""
from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from .engine import writer

# Alembic keeps the running migration in module-level proxies (alembic.context,
# alembic.op), so two upgrades must never run at once in one process. Between
# processes the database serialises them (BEGIN IMMEDIATE on SQLite, an
# advisory lock on PostgreSQL; see migrations/env.py).
_UPGRADE_LOCK = threading.Lock()


def migrations_dir() -> Path:
    return Path(str(resources.files("raidwatch.store") / "migrations"))


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config built in code: no alembic.ini, no dependence on the cwd."""
    cfg = Config()
    # configparser interpolation: a '%' in the path must be doubled
    cfg.set_main_option("script_location", str(migrations_dir()).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to `revision` in one transaction (on both backends:
    DDL is transactional on PostgreSQL and, as configured here, on SQLite)."""
    with _UPGRADE_LOCK, writer(engine).begin() as connection:
        command.upgrade(alembic_config(connection), revision)
