"""Shared fixtures.

`db_url` runs a test once per database backend:
- sqlite: a fresh file in the test's tmp_path;
- postgres: a fresh database on the server named by $RAIDWATCH_TEST_POSTGRES_URL
  (created for the test, dropped after it). Without that variable the
  postgres case is skipped; `eval "$(scripts/pg-test-server.sh start)"` starts
  a throwaway server and sets it. Deselect with `-m "not postgres"`.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_ENV = "RAIDWATCH_TEST_POSTGRES_URL"
POSTGRES_SKIP = (
    "PostgreSQL not available: set RAIDWATCH_TEST_POSTGRES_URL "
    "(scripts/pg-test-server.sh start does this)"
)


def _postgres_database(base_url: str) -> Iterator[str]:
    """Create a uniquely named database next to the one in base_url, yield its
    URL, drop it afterwards (even if a test left connections open)."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(base_url)
    maintenance = base.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"raidwatch_t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'raidwatch.sqlite'}"
        return
    base_url = os.environ.get(POSTGRES_ENV)
    if not base_url:
        pytest.skip(POSTGRES_SKIP)
    yield from _postgres_database(base_url)


@pytest.fixture
def corpus_dir() -> Path:
    """The shared evaluation corpus (../shared/corpus beside the clone)."""
    path = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    if not path.is_dir():
        pytest.skip("../shared/corpus is not present in this clone (CI always has it)")
    return path
