"""Receiving testimony: seal to the organisation's public key and store the
ciphertext with the day (UTC) it arrived. Nothing else about the sender or
the request is stored or logged.

The coarse date is the day, not the time: enough for reviewers to place a
testimony next to a raid, without a timestamp to match against network
records. Rows are numbered in order of arrival within a day.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timezone

from nacl.public import PublicKey
from sqlalchemy import func, select

from raidwatch.store.schema import TestimonyRow

from . import crypto
from .guard import FormTokens, TokenBucket
from .images import CleanImage
from .submission import payload

ACCESS_LOGGER = "uvicorn.access"
PATH = "/testimony"


def today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


class Intake:
    """The server's side: a public key (never a private one), the form
    tokens and the global rate limit."""

    def __init__(self, public_key: PublicKey | None, tokens: FormTokens | None = None,
                 bucket: TokenBucket | None = None) -> None:
        self.public_key = public_key
        self.key_id = crypto.key_id(public_key) if public_key is not None else None
        self.tokens = tokens or FormTokens()
        self.bucket = bucket or TokenBucket()

    @property
    def accepting(self) -> bool:
        return self.public_key is not None

    def seal(self, answers: dict[str, str], photos: list[CleanImage], language: str) -> tuple[str, bytes]:
        received_on = today()
        return received_on, crypto.seal(self.public_key, payload(answers, photos, received_on, language))

    def store(self, store, received_on: str, ciphertext: bytes) -> None:
        save(store, received_on, self.key_id, ciphertext)


def save(store, received_on: str, key_id: str, ciphertext: bytes) -> int:
    with store._write() as session:
        row = TestimonyRow(received_on=received_on, key_id=key_id, ciphertext=ciphertext)
        session.add(row)
        session.flush()
        return row.id


def rows(store, batch: int = 200) -> Iterator[tuple[int, str, str, bytes]]:
    """(id, received_on, key_id, ciphertext) of every stored testimony."""
    last = 0
    while True:
        with store._read() as session:
            found = session.execute(
                select(TestimonyRow.id, TestimonyRow.received_on, TestimonyRow.key_id, TestimonyRow.ciphertext)
                .where(TestimonyRow.id > last).order_by(TestimonyRow.id).limit(batch)
            ).all()
        if not found:
            return
        for row in found:
            yield row.id, row.received_on, row.key_id, bytes(row.ciphertext)
        last = found[-1].id


def counts(store) -> list[tuple[str, str, int]]:
    """(key_id, received_on, number) for every key and day."""
    with store._read() as session:
        result = session.execute(
            select(TestimonyRow.key_id, TestimonyRow.received_on, func.count())
            .group_by(TestimonyRow.key_id, TestimonyRow.received_on)
            .order_by(TestimonyRow.received_on, TestimonyRow.key_id)
        ).all()
    return [(k, d, n) for k, d, n in result]


class DropTestimonyAccess(logging.Filter):
    """Drops access-log lines for the testimony form (uvicorn's access
    record args are (client, method, path, http version, status))."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            return not is_testimony_path(args[2])
        try:
            message = record.getMessage()
        except Exception:  # a record we cannot format: keep nothing about it
            return False
        return f" {PATH}" not in message and f"\"{PATH}" not in message


def is_testimony_path(path: str) -> bool:
    path = path.split("?", 1)[0].split("#", 1)[0]
    return path == PATH or path.startswith(PATH + "/") or path.startswith(PATH + ".")


def install_log_filter() -> None:
    """Idempotent: add the filter to uvicorn's access logger (and its handlers)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, DropTestimonyAccess) for f in logger.filters):
        logger.addFilter(DropTestimonyAccess())
    for handler in logger.handlers:
        if not any(isinstance(f, DropTestimonyAccess) for f in handler.filters):
            handler.addFilter(DropTestimonyAccess())
