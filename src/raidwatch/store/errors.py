"""Errors raised by the storage layer."""
from __future__ import annotations


class StoreError(Exception):
    """A database problem, with a message that says what to do about it.

    Every database error that escapes a `Store` method is a `StoreError`
    (the driver's exception is kept as `__cause__`).
    """


class DocumentNotFound(StoreError, LookupError):
    """The document id given to a `Store` method does not exist."""


class OperationNotFound(StoreError, LookupError):
    """The operation id given to a `Store` method does not exist (or was merged away)."""
