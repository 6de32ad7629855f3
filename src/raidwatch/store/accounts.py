"""Reviewer accounts and login sessions, over a `Store`.

Passwords are hashed with Argon2id (argon2-cffi's `PasswordHasher()`
defaults). Repeated wrong passwords lock the account for a time that
doubles with every further failure, so guessing online is slow; unknown
names cost the same hashing time as wrong passwords, so timing does not
tell which names exist.

A session is a random token held by the browser; the database keeps only
its SHA-256, so a copy of the database opens no session. Each session has
its own CSRF token for the reviewer's forms.
"""
from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select, update

from .repository import Store
from .schema import SessionRow, UserRow, utcnow

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # hashing megabytes of "password" is a denial of service, not security
MAX_NAME = 64
FAILURES_BEFORE_LOCK = 5
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
SESSION_TTL = timedelta(hours=8)

_hasher = PasswordHasher()
_dummy_hash: str | None = None


@dataclass(frozen=True)
class User:
    """A reviewer, without the password hash (which never leaves this module)."""

    id: int
    name: str
    created_at: datetime
    failed_logins: int = 0
    locked_until: datetime | None = None


class AccountLocked(Exception):
    """Too many wrong passwords: no login is accepted before `until`."""

    def __init__(self, until: datetime):
        super().__init__(f"account locked until {until.isoformat(timespec='seconds')}")
        self.until = until


def _user(row: UserRow) -> User:
    return User(id=row.id, name=row.name, created_at=row.created_at, failed_logins=row.failed_logins or 0,
                locked_until=row.locked_until)


def _clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        raise ValueError("the user name must not be empty")
    if len(name) > MAX_NAME:
        raise ValueError(f"the user name must be at most {MAX_NAME} characters")
    if any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in name):
        raise ValueError("the user name must not contain control characters, tabs or line breaks")
    return name


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValueError(f"the password must be at least {MIN_PASSWORD} characters long")
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"the password must be at most {MAX_PASSWORD} characters long")


# ------------------------------------------------------------------ users


def add_user(store: Store, name: str, password: str) -> int:
    """Create a reviewer account; its id. ValueError for an empty, too long
    or taken name, or a password shorter than 12 characters."""
    name = _clean_name(name)
    _check_password(password)
    password_hash = _hasher.hash(password)
    with store._write() as session:
        if session.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
            raise ValueError(f"there is already a user named {name!r}")
        row = UserRow(name=name, password_hash=password_hash, created_at=utcnow(), failed_logins=0)
        session.add(row)
        session.flush()
        return row.id


def set_password(store: Store, name: str, password: str) -> None:
    """Change a reviewer's password, clear any lock and end their sessions
    (a password is changed because it may be known to someone else)."""
    name = _clean_name(name)
    _check_password(password)
    password_hash = _hasher.hash(password)
    with store._write() as session:
        row = session.scalar(select(UserRow).where(UserRow.name == name))
        if row is None:
            raise ValueError(f"there is no user named {name!r}")
        row.password_hash, row.failed_logins, row.locked_until = password_hash, 0, None
        session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))


def get_user(store: Store, name: str) -> User | None:
    with store._read() as session:
        row = session.scalar(select(UserRow).where(UserRow.name == (name or "").strip()))
        return _user(row) if row else None


def list_users(store: Store) -> list[User]:
    with store._read() as session:
        return [_user(row) for row in session.scalars(select(UserRow).order_by(UserRow.name))]


def lock_period(failures: int) -> timedelta | None:
    """How long an account stays locked after `failures` wrong passwords in
    a row: none before the fifth, then 1 minute, doubling, at most 1 hour."""
    if failures < FAILURES_BEFORE_LOCK:
        return None
    doublings = min(failures - FAILURES_BEFORE_LOCK, 12)
    return min(FIRST_LOCK * (2 ** doublings), LONGEST_LOCK)


def _verify_dummy(password: str) -> None:
    """Spend the time a real check takes, for names that do not exist."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_urlsafe(16))
    try:
        _hasher.verify(_dummy_hash, password)
    except VerificationError:
        pass


def verify_login(store: Store, name: str, password: str) -> User | None:
    """The user if the password is right, else None (same answer and about
    the same time for unknown names). Raises AccountLocked while the account
    is locked, even for the right password; attempts then are not checked."""
    name = (name or "").strip()
    password = password or ""
    if len(password) > MAX_PASSWORD or len(name) > MAX_NAME:
        _verify_dummy("x")
        return None
    with store._read() as session:
        row = session.scalar(select(UserRow).where(UserRow.name == name))
        found = (row.id, row.password_hash, row.locked_until) if row else None
    if found is None:
        _verify_dummy(password)
        return None
    user_id, password_hash, locked_until = found
    now = utcnow()
    if locked_until is not None and locked_until > now:
        raise AccountLocked(locked_until)
    try:
        _hasher.verify(password_hash, password)
        ok = True
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    with store._write() as session:
        if not ok:
            # Counted in SQL so simultaneous wrong attempts all count.
            session.execute(update(UserRow).where(UserRow.id == user_id)
                            .values(failed_logins=UserRow.failed_logins + 1))
            row = session.get(UserRow, user_id)
            period = lock_period(row.failed_logins)
            if period is not None:
                row.locked_until = now + period
            return None
        row = session.get(UserRow, user_id)
        row.failed_logins, row.locked_until = 0, None
        if _hasher.check_needs_rehash(row.password_hash):
            row.password_hash = _hasher.hash(password)
        return _user(row)


# --------------------------------------------------------------- sessions


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(store: Store, user_id: int, ttl: timedelta = SESSION_TTL) -> tuple[str, str]:
    """A new session: (token for the cookie, CSRF token for the forms).
    Expired sessions of every user are cleared on the way."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    with store._write() as session:
        session.execute(delete(SessionRow).where(SessionRow.expires_at <= now))
        session.add(SessionRow(token_hash=_token_hash(token), user_id=user_id, csrf_token=csrf,
                               created_at=now, expires_at=now + ttl))
    return token, csrf


def session_user(store: Store, token: str | None) -> tuple[User, str, datetime] | None:
    """(user, CSRF token, expiry) of a live session, or None for a missing,
    unknown or expired token."""
    if not token or len(token) > 128:
        return None
    with store._read() as session:
        found = session.execute(
            select(SessionRow, UserRow).join(UserRow, UserRow.id == SessionRow.user_id)
            .where(SessionRow.token_hash == _token_hash(token))
        ).first()
        if found is None:
            return None
        row, user = found
        if row.expires_at <= utcnow():
            return None
        return _user(user), row.csrf_token, row.expires_at


def end_session(store: Store, token: str | None) -> None:
    """Log out: the token opens nothing any more."""
    if token and len(token) <= 128:
        with store._write() as session:
            session.execute(delete(SessionRow).where(SessionRow.token_hash == _token_hash(token)))
