"""Oversized and malformed request bodies (raidwatch.web.limits and the
forms' own parsing): a huge Content-Length is refused before any body is
sent, a chunked body is cut off once it passes the limit, malformed lengths,
multipart, JSON, content types and forms with thousands of fields get a 4xx,
never a 500, and the server keeps answering.

Transport matters here, so most requests go over raw sockets to a real
`raidwatch serve`.
"""
from __future__ import annotations

import socket

import pytest
from _helpers import csrf_of, login, make_client

from raidwatch.web.limits import DEFAULT_LIMIT, TESTIMONY_LIMIT, limit_for

GB = 1024 ** 3


def _connect(server) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=15)
    return sock


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One response: status, headers, body (by Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0") or 0)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def _headers(path: str, server, extra: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n{extra}\r\n").encode("latin-1")


def test_limits():
    assert limit_for("/login") == DEFAULT_LIMIT == 256 * 1024
    assert limit_for("/review/operations/1/field") == DEFAULT_LIMIT
    assert limit_for("/testimony") == TESTIMONY_LIMIT == 12 * 1024 * 1024
    assert limit_for("/testimonyx") == DEFAULT_LIMIT


@pytest.mark.parametrize("path", ["/login", "/logout", "/review/operations/1/field", "/testimony",
                                  "/api/v1/operations", "/"])
def test_huge_content_length_is_refused_before_the_body(server, path):
    """Headers announce 1 GB; the 413 arrives while not one byte of body has
    been sent (the socket would wait forever otherwise: read timeout 15 s)."""
    with _connect(server) as sock:
        sock.sendall(_headers(path, server, f"Content-Type: application/x-www-form-urlencoded\r\n"
                                            f"Content-Length: {GB}\r\n"))
        status, headers, body = _read_response(sock)
    assert status == 413, (path, status, body[:200])
    assert b"too large" in body.lower()
    assert headers.get("connection") == "close"
    assert server.alive()


def test_expect_continue_is_refused_without_100(server):
    with _connect(server) as sock:
        sock.sendall(_headers("/login", server, f"Content-Type: application/x-www-form-urlencoded\r\n"
                                                f"Content-Length: {GB}\r\nExpect: 100-continue\r\n"))
        status, _, _ = _read_response(sock)
    assert status == 413


@pytest.mark.parametrize("path, limit", [("/login", DEFAULT_LIMIT), ("/testimony", TESTIMONY_LIMIT)])
def test_chunked_body_over_the_limit(server, path, limit):
    """No length announced: the body is counted as it streams and refused
    once it passes the limit, without waiting for the end."""
    chunk = b"a=" + b"x" * (64 * 1024 - 2)
    sent = 0
    with _connect(server) as sock:
        sock.sendall(_headers(path, server, "Content-Type: application/x-www-form-urlencoded\r\n"
                                            "Transfer-Encoding: chunked\r\n"))
        try:
            while sent < limit + 4 * len(chunk):
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while we were still sending
        # Never sent the final 0-chunk: the answer must not wait for it.
        status, _, body = _read_response(sock)
    # /testimony on a server without a testimony key says 503 (closed) without reading the body.
    assert status == 413 or (path == "/testimony" and status == 503), (status, body[:200])
    assert server.alive()


@pytest.mark.parametrize("length", ["abc", "-1", "1.5", "0x10", "99999999999999999999999999", " ", "1, 2"])
def test_malformed_content_length(server, length):
    with _connect(server) as sock:
        sock.sendall(_headers("/login", server, f"Content-Type: application/x-www-form-urlencoded\r\n"
                                                f"Content-Length: {length}\r\n") + b"a=b")
        try:
            status, _, _ = _read_response(sock)
        except (ConnectionResetError, IndexError, ValueError):
            status = 400  # uvicorn's HTTP parser may drop the connection itself
    assert status in (400, 413), (length, status)
    assert server.alive()


def test_conflicting_content_lengths(server):
    with _connect(server) as sock:
        sock.sendall(_headers("/login", server, "Content-Type: application/x-www-form-urlencoded\r\n"
                                                "Content-Length: 3\r\nContent-Length: 300000000\r\n") + b"a=b")
        try:
            status, _, _ = _read_response(sock)
        except (ConnectionResetError, IndexError, ValueError):
            status = 400
    assert status in (400, 413)


def test_middleware_refuses_malformed_lengths_itself(db_path):
    """The same refusals when no HTTP server sits in front (any ASGI server)."""
    import asyncio

    from raidwatch.web.limits import BodyLimit

    async def app(scope, receive, send):  # never reached
        raise AssertionError("the app was called")

    async def run(headers):
        sent = []

        async def receive():
            raise AssertionError("the body was read")

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "path": "/login", "method": "POST", "headers": headers}
        await BodyLimit(app)(scope, receive, send)
        return sent[0]["status"]

    def status(headers):
        # in a thread of its own: another test (Playwright's sync API) may
        # have left an event loop running in this one
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, run(headers)).result()

    assert status([(b"content-length", b"abc")]) == 400
    assert status([(b"content-length", b"1"), (b"content-length", b"2")]) == 400
    assert status([(b"content-length", str(DEFAULT_LIMIT + 1).encode())]) == 413


def test_malformed_bodies_through_the_forms(db_path):
    client = make_client(db_path)
    page = client.get("/login")
    token = csrf_of(page.text)
    cases = [
        ({"content-type": "multipart/form-data; boundary=xyz"}, b"--xyz\r\nContent-Disposition: form-data\r\n\r\n"),
        ({"content-type": "multipart/form-data"}, b"garbage"),
        ({"content-type": "multipart/form-data; boundary=" + "a" * 2000}, b"--a\r\n"),
        ({"content-type": "multipart/form-data; boundary=b"},
         b"--b\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + token.encode() + b"\r\n--b"),
        ({"content-type": "application/json"}, b'{"name": "x", "password": '),
        ({"content-type": "application/json"}, b'{"csrf_token": "' + token.encode() + b'"}'),
        ({"content-type": "text/plain"}, b"csrf_token=" + token.encode()),
        ({"content-type": "application/x-www-form-urlencoded"}, b"%%%&&&==\xff\xfe"),
        ({"content-type": "application/x-www-form-urlencoded; charset=utf-16"}, "a=b".encode("utf-16")),
        ({"content-type": "application/xml"}, b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>"),
        ({}, b""),
    ]
    for headers, body in cases:
        response = client.post("/login", content=body, headers=headers, follow_redirects=False)
        assert 400 <= response.status_code < 500, (headers, body[:40], response.status_code)
        assert "root:x" not in response.text
    for path in ("/api/v1/operations", "/api/v1/summary", "/downloads/operations.csv"):
        response = client.post(path, content=b'{"bad json', headers={"content-type": "application/json"})
        assert response.status_code in (400, 405, 422), path
    client.close()


def test_thousands_of_repeated_fields(db_path):
    client = make_client(db_path)
    token = csrf_of(client.get("/login").text)
    body = "&".join(["name=x"] * 20000 + [f"csrf_token={token}", "password=y"])
    assert len(body) < DEFAULT_LIMIT
    response = client.post("/login", content=body,
                           headers={"content-type": "application/x-www-form-urlencoded"}, follow_redirects=False)
    assert response.status_code in (400, 401, 403, 413), response.status_code
    multipart = b"".join(b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n" for _ in range(3000))
    response = client.post("/login", content=multipart + b"--b--\r\n",
                           headers={"content-type": "multipart/form-data; boundary=b"})
    assert response.status_code in (400, 403, 413), response.status_code
    # A reviewer's split form with thousands of report checkboxes.
    assert login(client).status_code == 303
    csrf = csrf_of(client.get("/review/operations/1").text)
    body = "&".join([f"csrf_token={csrf}"] + ["reports=1:0"] * 15000)
    response = client.post("/review/operations/1/split", content=body,
                           headers={"content-type": "application/x-www-form-urlencoded"}, follow_redirects=False)
    assert response.status_code in (400, 413), response.status_code
    assert client.get("/api/v1/summary").status_code == 200
    client.close()


def test_server_still_healthy(server):
    assert server.alive()
    assert server.process.poll() is None
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-2000:]
