"""Path traversal in download names and static paths: nothing outside the
static roots (`web/static/` under /static/app, the npm packages' dist
folders under /static/vendor/...) and the three downloads is ever served.

HTTP clients (httpx) remove `../` segments before sending, so literal dot
segments are sent over a raw socket to a real `raidwatch serve`; encoded
forms (`%2e%2e%2f`, `..%2f`, backslashes) go through both.
"""
from __future__ import annotations

import socket

import pytest
from _helpers import ROOT, make_client

from raidwatch.web.app import assets_dir

# Text that must never come back: files outside the static roots.
SECRETS = {
    "root:x:0:", "root:*:0:",            # /etc/passwd
    "class DocumentRow",                 # src/raidwatch/store/schema.py
    '"name": "leaflet"',                 # node_modules/leaflet/package.json (outside leaflet/dist)
    '"name": "raidwatch-web-assets"',    # the repository's package.json
    "SQLite format 3",                   # a database file
    "def create_app",                    # src/raidwatch/web/app.py
    "[project]",                         # pyproject.toml
}
PATHS = [
    "/downloads/../../etc/passwd",
    "/downloads/operations.csv/../../x",
    "/downloads/operations.csv/../../../../../../etc/passwd",
    "/downloads/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/downloads/operations.%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/downloads/operations.csv%2f..%2f..%2f..%2fpyproject.toml",
    "/downloads/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/app/../../store/schema.py",
    "/static/app/../app.py",
    "/static/app/%2e%2e/%2e%2e/store/schema.py",
    "/static/app/%2e%2e%2f%2e%2e%2fstore%2fschema.py",
    "/static/app/..%2f..%2fstore%2fschema.py",
    "/static/app/..%2fapp.py",
    "/static/app/%252e%252e%252fapp.py",
    "/static/app/....//....//store/schema.py",
    "/static/app/..%5c..%5cstore%5cschema.py",
    "/static/app/..\\..\\store\\schema.py",
    "/static/app/%2fetc%2fpasswd",
    "/static/app//etc/passwd",
    "/static/app/%00../app.py",
    "/static/app/.%2e/.%2e/.%2e/.%2e/.%2e/.%2e/.%2e/etc/passwd",
    "/static/vendor/leaflet/../package.json",
    "/static/vendor/leaflet/../../package.json",
    "/static/vendor/leaflet/../../../package.json",
    "/static/vendor/leaflet/%2e%2e/package.json",
    "/static/vendor/leaflet/..%2f..%2f..%2fpackage.json",
    "/static/vendor/leaflet/..%2f..%2f..%2fpyproject.toml",
    "/static/vendor/world-atlas/../../../src/raidwatch/store/schema.py",
    "/static/vendor/swagger-ui/%2e%2e%2f%2e%2e%2f%2e%2e%2fsrc%2fraidwatch%2fweb%2fapp.py",
    "/static/../../pyproject.toml",
    "/../../../etc/passwd",
    "/api/v1/../../../etc/passwd",
    "/agencies/..%2f..%2f..%2fetc%2fpasswd",
]


def _check(status: int, body: bytes, path: str) -> None:
    assert status < 500, f"{path}: {status}"
    text = body.decode("utf-8", "replace")
    for secret in SECRETS:
        assert secret not in text, f"{path}: served a file outside the static roots ({secret!r})"


def _raw_get(host: str, port: int, path: str) -> tuple[int, bytes]:
    """GET `path` exactly as written (no client normalisation)."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode("latin-1"))
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def test_the_secrets_exist():
    """The files the paths aim at are really there (else the test proves nothing)."""
    assert "class DocumentRow" in (ROOT / "src" / "raidwatch" / "store" / "schema.py").read_text()
    assert '"name": "raidwatch-web-assets"' in (ROOT / "package.json").read_text()
    if not (assets_dir() / "leaflet" / "package.json").is_file():
        pytest.skip("node_modules/ is not installed (make setup)")


def test_traversal_through_the_app(db_path):
    client = make_client(db_path)
    for path in PATHS:
        response = client.get(path, follow_redirects=True)
        _check(response.status_code, response.content, path)
    client.close()


def test_traversal_over_a_raw_socket(server):
    for path in PATHS:
        status, body = _raw_get(server.host, server.port, path)
        _check(status, body, path)
    # Legitimate static files are still served, with nosniff.
    status, body = _raw_get(server.host, server.port, "/static/app/app.css")
    assert status == 200 and body
    if (assets_dir() / "leaflet" / "dist" / "leaflet.js").is_file():
        status, body = _raw_get(server.host, server.port, "/static/vendor/leaflet/leaflet.js")
        assert status == 200 and b"leaflet" in body[:5000].lower()
    assert server.alive()


def test_downloads_only_serve_the_three_formats(db_path):
    client = make_client(db_path)
    for name in ("operations.sqlite", "operations.py", "raidwatch.sqlite", "operations.csv.bak", "operations.",
                 "operations.CSV", ".env", "operations.json%00.csv"):
        response = client.get(f"/downloads/{name}")
        assert response.status_code == 404, name
    client.close()
