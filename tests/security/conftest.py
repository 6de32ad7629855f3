"""Shared fixtures of the attack-minded tests.

One SQLite database is filled once per test session by the real pipeline
(`pipeline.ingest_into`) from the repository's `examples/`, the payload
documents of `tests/fixtures/security/xss/` and the privacy articles of
`tests/fixtures/security/privacy/`, and gets one reviewer account (Argon2id
with tiny costs: argon2 reads the costs from the hash, so even a real
`raidwatch serve` subprocess checks it quickly). Every user gets its own copy
of the file, so tests that write cannot disturb others.

`serve(db)` starts a real `raidwatch serve` on a free loopback port (access
log on) for the tests where the transport matters.
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from _helpers import (
    CHEAP,
    PASSWORD,
    REVIEWER,
    SOURCES,
    Server,
    start_server,
    stop_server,
)

from raidwatch.store import Store, accounts


@pytest.fixture(autouse=True, scope="session")
def cheap_hashing():
    """Argon2id with tiny costs in this process (test_login checks the
    policy, not the cost)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", CHEAP)
        patch.setattr(accounts, "_dummy_hash", None)
        yield


@pytest.fixture(scope="session")
def master_db(tmp_path_factory, cheap_hashing) -> Path:
    from raidwatch.pipeline import ingest_into

    path = tmp_path_factory.mktemp("security-master") / "raidwatch.sqlite"
    with Store.open(str(path)) as store:
        summary = ingest_into(store, SOURCES, progress=False)
        assert not summary.errors, summary.errors
        accounts.add_user(store, REVIEWER, PASSWORD)
    return path


@pytest.fixture
def db_path(master_db: Path, tmp_path: Path) -> Path:
    """A fresh copy of the filled database for one test."""
    target = tmp_path / "raidwatch.sqlite"
    shutil.copyfile(master_db, target)
    return target


@pytest.fixture(scope="module")
def module_db(master_db: Path, tmp_path_factory) -> Path:
    """A copy of the filled database shared by one module's tests."""
    target = tmp_path_factory.mktemp("security-module") / "raidwatch.sqlite"
    shutil.copyfile(master_db, target)
    return target


@pytest.fixture(scope="module")
def server(module_db: Path) -> Iterator[Server]:
    """`raidwatch serve` (access log on) over the module's database copy."""
    started = start_server(module_db, module_db.parent)
    try:
        yield started
    finally:
        stop_server(started)
