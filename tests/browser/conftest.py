"""Real-browser tests of the web app: `raidwatch serve` in a subprocess over a
SQLite database filled by the real pipeline, driven by Debian's Chromium
through Playwright (never `playwright install`: no download at run time).

Skipped with the reason when Chromium (/usr/bin/chromium, installed by
scripts/install-system-deps.sh) or the front-end packages (node_modules/, by
`make setup`) are missing. Every request any page makes is recorded; a test
whose pages reach anything but the local server fails at teardown.
Screenshots go to test-artifacts/screenshots/ at the repository root.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("RAIDWATCH_TEST_CHROMIUM", "/usr/bin/chromium"))
ASSETS = Path(os.environ.get("RAIDWATCH_ASSETS") or ROOT / "node_modules")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Schemes that never leave the browser.
LOCAL_SCHEMES = {"data", "blob", "about"}
REVIEWER_NAME = "browser-reviewer"
REVIEWER_PASSWORD = "correct horse battery staple 42"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real Chromium against `raidwatch serve`")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: run scripts/install-system-deps.sh (as root) to install Debian's chromium"
    if not (ASSETS / "leaflet").is_dir() or not (ASSETS / "swagger-ui-dist").is_dir():
        return f"front-end packages missing in {ASSETS}: run `make setup`"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -e '.[test]')"
    return None


# ------------------------------------------------------------------ the server


def _dataset():
    path = ROOT / "tests" / "fixtures" / "web" / "dataset.py"
    spec = importlib.util.spec_from_file_location("raidwatch_web_dataset", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _add_reviewer(db: Path) -> tuple[str, str] | None:
    """A reviewer account made with `raidwatch users add NAME --password-stdin`
    (None when this raidwatch has no such command yet)."""
    command = _cli() + ["users", "add", REVIEWER_NAME, "--password-stdin", "--db", str(db)]
    done = subprocess.run(command, input=REVIEWER_PASSWORD + "\n", capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        return None
    return REVIEWER_NAME, REVIEWER_PASSWORD


def _cli() -> list[str]:
    probe = subprocess.run([sys.executable, "-c", "import raidwatch.cli"], capture_output=True)
    if probe.returncode == 0:
        return [sys.executable, "-m", "raidwatch.cli"]
    return [str(Path(sys.executable).with_name("raidwatch"))]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    db: Path
    info: dict
    process: subprocess.Popen
    log: Path

    def get_json(self, path: str):
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.load(response)


def _wait_until_up(process: subprocess.Popen, url: str, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"raidwatch serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/api/v1/summary", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"raidwatch serve did not answer on {url} within {timeout:.0f}s:\n{log.read_text()}")


def _serve_command(db: Path, port: int) -> list[str]:
    return _cli() + ["serve", "--db", str(db), "--port", str(port), "--quiet"]


@pytest.fixture(scope="session")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    db, info = _dataset().copy_of_database(request.config, tmp_path_factory, "browser-server")
    workdir = db.parent
    info["reviewer"] = _add_reviewer(db)
    port = _free_port()
    log = workdir / "serve.log"
    env = {**os.environ, "RAIDWATCH_ASSETS": str(ASSETS)}
    with open(log, "wb") as out:
        process = subprocess.Popen(_serve_command(db, port), stdout=out, stderr=subprocess.STDOUT, env=env,
                                   cwd=str(workdir))
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, url, log)
        yield Server(url=url, db=db, info=info, process=process, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# ------------------------------------------------------------------ the browser


@pytest.fixture(scope="session")
def browser(server: Server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# Collects Content-Security-Policy violations in the page (init scripts are
# injected by the browser, not subject to the page's CSP).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""


@dataclass
class Recorder:
    """What the pages of one browser context did."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        bad = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in LOCAL_SCHEMES:
                continue
            if parts.scheme not in ("http", "https", "ws", "wss") or parts.hostname not in LOCAL_HOSTS:
                bad.append(url)
        return bad


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def _new_context(browser, server: Server, recorder: Recorder, width: int = 1280, height: int = 900):
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": height},
                                  service_workers="block")
    context.set_default_timeout(15_000)
    context.add_init_script(CSP_LISTENER)
    context.on("request", lambda request: recorder.requests.append(request.url))
    def request_failed(request) -> None:
        # The browser aborts a page's in-flight requests (the favicon, say)
        # when the test moves on to the next page: that is not a failure.
        if "ERR_ABORTED" not in (request.failure or ""):
            recorder.failed.append(f"{request.url} {request.failure}")

    context.on("requestfailed", request_failed)

    def on_page(page):
        page.on("console", lambda msg: recorder.console_errors.append(f"{page.url}: {msg.text}")
                if msg.type == "error" else None)
        page.on("pageerror", lambda error: recorder.page_errors.append(f"{page.url}: {error}"))

    context.on("page", on_page)
    return context


@pytest.fixture
def new_context(browser, server: Server, recorder: Recorder):
    """Factory for more contexts (another viewport) recorded like `page`'s."""
    contexts = []

    def make(width: int = 1280, height: int = 900):
        context = _new_context(browser, server, recorder, width, height)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    outside = recorder.outside()
    assert not outside, f"pages made requests outside the local server: {outside}"


@pytest.fixture
def page(new_context, recorder: Recorder):
    """A desktop-sized page; at teardown the test fails if any request left
    127.0.0.1/localhost."""
    context = new_context()
    return context.new_page()


@pytest.fixture(scope="session", autouse=True)
def _clean_screenshots() -> None:
    """Screenshots of this run only."""
    if SCREENSHOTS.is_dir():
        shutil.rmtree(SCREENSHOTS)
