"""Helpers of the attack-minded tests (imported by conftest.py and the tests)."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from raidwatch.web import create_app

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "security"
XSS_DIR = FIXTURES / "xss"
PRIVACY_DIR = FIXTURES / "privacy"
# The privacy articles are .txt and .jsonl; their .json sidecars are annotations.
PRIVACY_SOURCES = sorted(PRIVACY_DIR.glob("*.txt")) + sorted(PRIVACY_DIR.glob("*.jsonl"))
SOURCES = [ROOT / "examples", XSS_DIR, *PRIVACY_SOURCES]
REVIEWER, PASSWORD = "sec-reviewer", "a long and correct passphrase 7"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def make_client(path: Path) -> TestClient:
    # base_url on loopback over http: cookies without Secure, as for a
    # reviewer on their own machine.
    return TestClient(create_app(db=str(path)), base_url="http://127.0.0.1", raise_server_exceptions=False)


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "no csrf_token in the page"
    return found.group(1)


def login(client, name: str = REVIEWER, password: str = PASSWORD, next_path: str = "/review"):
    page = client.get("/login", params={"next": next_path})
    assert page.status_code == 200, page.text
    return client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_of(page.text),
                                       "next": next_path}, follow_redirects=False)


def private_annotations() -> dict[str, dict]:
    """stem -> {"private": [...], "official": [...]} of the privacy fixtures."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(PRIVACY_DIR.glob("*.json"))}


# ------------------------------------------------------------ real server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    host: str
    port: int
    db: Path
    log: Path
    process: subprocess.Popen

    def alive(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/api/v1/summary", timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False


def start_server(db: Path, workdir: Path, quiet: bool = False) -> Server:
    port = _free_port()
    log = workdir / f"serve-{port}.log"
    command = [sys.executable, "-m", "raidwatch.cli", "serve", "--db", str(db), "--port", str(port)]
    if quiet:
        command.append("--quiet")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=str(workdir))
    server = Server(url=f"http://127.0.0.1:{port}", host="127.0.0.1", port=port, db=db, log=log, process=process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"raidwatch serve exited with {process.returncode}:\n{log.read_text()}")
        if server.alive():
            return server
        time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"raidwatch serve did not start:\n{log.read_text()}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


