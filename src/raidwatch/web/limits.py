"""Request body limits, enforced before the app reads a byte of the body.

A pure ASGI middleware (not Starlette's BaseHTTPMiddleware, which would hand
the route a body it has already started reading):

- a `Content-Length` above the route's limit is answered 413 at once, with
  the body never read (the client can stop sending);
- a malformed `Content-Length` (not digits, several different values) is
  answered 400;
- a body without a length (chunked transfer) is counted as it streams and
  answered 413 as soon as it passes the limit; the route sees an error
  instead of the rest of the body.

Limits: `DEFAULT_LIMIT` for every route (the reviewers' forms are a few
kilobytes), `TESTIMONY_LIMIT` for paths under `/testimony` (text plus a few
photos).
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_LIMIT = 256 * 1024
TESTIMONY_LIMIT = 12 * 1024 * 1024
PREFIX_LIMITS: tuple[tuple[str, int], ...] = (("/testimony", TESTIMONY_LIMIT),)


def limit_for(path: str) -> int:
    """The largest body (bytes) a request to `path` may send."""
    for prefix, limit in PREFIX_LIMITS:
        if path == prefix or path.startswith((prefix + "/", prefix + ".")):
            return limit
    return DEFAULT_LIMIT


def _human(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


class BodyTooLarge(Exception):
    """Raised to the route when a streamed body passes the limit."""


class BodyLimit:
    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int] = limit_for) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = self.limit_for(path)
        lengths = [v for k, v in scope.get("headers", ()) if k.lower() == b"content-length"]
        if lengths:
            values = {v.strip() for v in lengths}
            value = next(iter(values))
            if len(values) != 1 or not value.isdigit() or len(value) > 20:
                await _refuse(scope, send, 400, "The request's Content-Length header is not a valid length.")
                return
            if int(value) > limit:
                await _refuse(scope, send, 413, f"The request is too large (at most {_human(limit)}).")
                return

        received = 0
        response_started = False
        too_large = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise BodyTooLarge(f"body over {limit} bytes")
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                await _refuse(scope, send, 413, f"The request is too large (at most {_human(limit)}).")
        except Exception:
            # A route that caught BodyTooLarge and failed otherwise: still a 413.
            if too_large and not response_started:
                await _refuse(scope, send, 413, f"The request is too large (at most {_human(limit)}).")
                return
            raise


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    """A short answer in the form the client expects (JSON under /api/,
    plain text elsewhere), closing the connection so the unread body is
    not taken for the next request."""
    path = scope.get("path", "")
    if path.startswith("/api/"):
        body = json.dumps({"error": message, "status": status}).encode()
        media = b"application/json"
    else:
        body = (message + "\n").encode()
        media = b"text/plain; charset=utf-8"
    # Imported here to avoid a cycle (app.py registers this middleware).
    from .app import SECURITY_HEADERS

    headers = [(b"content-type", media), (b"content-length", str(len(body)).encode()), (b"connection", b"close"),
               *((k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
