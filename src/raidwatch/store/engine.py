"""Turning a database location into a configured SQLAlchemy engine."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from .errors import StoreError

DEFAULT_DB_FILE = "raidwatch.sqlite"
# Write transactions on SQLite take the write lock at BEGIN (BEGIN IMMEDIATE)
# so two writers queue on the busy timeout instead of failing half-way.
SQLITE_BEGIN_OPTION = "raidwatch_sqlite_begin"
SQLITE_BUSY_TIMEOUT_S = 30.0
PG_CONNECT_TIMEOUT_S = 10


def default_db_path() -> str:
    """Where the database is when none is named: $RAIDWATCH_DB (a path or a
    SQLAlchemy URL) if set, else ./raidwatch.sqlite."""
    return os.environ.get("RAIDWATCH_DB") or f".{os.sep}{DEFAULT_DB_FILE}"


def to_url(location: str | os.PathLike[str]) -> URL:
    """A SQLAlchemy URL for a URL string or a plain file path.

    A plain path becomes `sqlite:///<absolute path>`; `postgresql://` (and
    `postgres://`) URLs get the psycopg 3 driver.
    """
    text = os.fspath(location).strip()
    if not text:
        raise StoreError("empty database location: give a file path or a SQLAlchemy URL")
    if "://" not in text:
        path = Path(text).expanduser().resolve()
        return URL.create("sqlite", database=str(path))
    try:
        url = make_url(text)
    except ArgumentError as exc:
        raise StoreError(f"invalid database URL {text!r}: {exc}") from exc
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def display_url(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL, or None for an in-memory or URI-style database."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    if url.query.get("mode") == "memory":
        return None
    return Path(database)


def create_store_engine(url: URL) -> Engine:
    """An engine for `url`, set up for raidwatch.

    SQLite: WAL journal, foreign keys enforced, a 30 s busy timeout, parent
    directory created, and SQLAlchemy (not the sqlite3 module) emitting BEGIN
    so that DDL and savepoints are transactional. PostgreSQL: the psycopg 3
    driver with a connect timeout.
    """
    kwargs: dict[str, Any] = {}
    backend = url.get_backend_name()
    if backend == "sqlite":
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S}
        path = _sqlite_file(url)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the directory for {path}: {exc}") from exc
    elif backend == "postgresql" and "connect_timeout" not in url.query:
        kwargs["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"unsupported database URL {display_url(url)!r}: {exc}") from exc
    if backend == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (see _on_begin); the sqlite3
        # module's implicit transactions are not transactional for DDL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def writer(engine: Engine) -> Engine:
    """The same engine (same pool), but write transactions on SQLite start
    with BEGIN IMMEDIATE."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
    return engine
