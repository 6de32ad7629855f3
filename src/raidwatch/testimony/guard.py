"""Flood and forgery guards for the testimony form that track no one.

- `FormTokens`: a stateless form token instead of a cookie. The token is
  `ISSUED.NONCE.MAC` with MAC = HMAC-SHA256(secret, "testimony-form|ISSUED|NONCE").
  A POST needs a token this server signed, at least `min_age` seconds old
  (a person reads the form; bots post at once) and at most `max_age` old,
  whose nonce was not used before. Used nonces are kept in memory only
  until their token would have expired anyway. The secret is
  $RAIDWATCH_SECRET or random per process (a restart then asks people to
  press Send again; their answers are kept on the page).
- `TokenBucket`: one global bucket over all submissions (not per person):
  `rate` submissions per minute with bursts up to `burst`.

Neither keeps an address, a user agent or anything else about a person.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections.abc import Callable

OK, MISSING, FORGED, TOO_FAST, EXPIRED, REPLAYED = "ok", "missing", "forged", "too_fast", "expired", "replayed"


def server_secret() -> bytes:
    configured = os.environ.get("RAIDWATCH_SECRET", "")
    if configured:
        return hashlib.sha256(b"raidwatch-testimony-secret|" + configured.encode()).digest()
    return secrets.token_bytes(32)


class FormTokens:
    MAX_REMEMBERED = 200_000

    def __init__(self, secret: bytes | None = None, min_age: float = 3.0, max_age: float = 6 * 3600,
                 clock: Callable[[], float] = time.time) -> None:
        self.secret = secret or server_secret()
        self.min_age = min_age
        self.max_age = max_age
        self.clock = clock
        self._used: dict[str, float] = {}  # nonce -> when it may be forgotten
        self._lock = threading.Lock()

    def _mac(self, issued: str, nonce: str) -> str:
        return hmac.new(self.secret, f"testimony-form|{issued}|{nonce}".encode(), hashlib.sha256).hexdigest()

    def issue(self) -> str:
        issued = str(int(self.clock()))
        nonce = secrets.token_hex(16)
        return f"{issued}.{nonce}.{self._mac(issued, nonce)}"

    def check(self, token: str | None) -> tuple[str, str | None]:
        """(verdict, nonce): OK, MISSING, FORGED, TOO_FAST or EXPIRED. Does not
        use the nonce up; call `use` once the submission is going ahead."""
        if not token:
            return MISSING, None
        parts = str(token).split(".")
        if len(parts) != 3 or len(token) > 200:
            return FORGED, None
        issued, nonce, mac = parts
        if not issued.isdigit() or not hmac.compare_digest(mac.encode(), self._mac(issued, nonce).encode()):
            return FORGED, None
        age = self.clock() - int(issued)
        if age < self.min_age:
            return TOO_FAST, nonce
        if age > self.max_age:
            return EXPIRED, nonce
        return OK, nonce

    def use(self, nonce: str) -> bool:
        """Mark a nonce used: False if it already was (a replay)."""
        now = self.clock()
        with self._lock:
            if len(self._used) > self.MAX_REMEMBERED // 2:
                self._used = {n: t for n, t in self._used.items() if t > now}
            if self._used.get(nonce, 0) > now:
                return False
            if len(self._used) >= self.MAX_REMEMBERED:
                return False  # refuse rather than forget a live nonce
            self._used[nonce] = now + self.max_age + 60
            return True


class TokenBucket:
    def __init__(self, rate_per_minute: float = 30, burst: int = 30, clock: Callable[[], float] = time.monotonic):
        self.rate = rate_per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self._tokens = float(burst)
        self._last = clock()
        self._lock = threading.Lock()

    def take(self) -> float:
        """0 if a submission may go ahead now, else the seconds to wait."""
        with self._lock:
            now = self.clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate if self.rate > 0 else 60.0
