"""Login, sessions, cookies and headers, attacked through HTTP.

- brute force through the login form: after 5 wrong passwords the right one
  is refused too, and each further failure after a lock doubles it;
- cookies are HttpOnly, SameSite=Strict (Secure over https), sessions end at
  logout and at expiry, a session id chosen by an attacker is never adopted;
- every response (pages, API, downloads, static files, errors, refusals by
  the body limit) carries the security headers;
- `raidwatch serve` does not believe X-Forwarded-For from loopback: the
  access log has the real peer address, never the spoofed one.
"""
from __future__ import annotations

import http.client
import re
from datetime import timedelta

import lxml.html
import pytest
from _helpers import PASSWORD, REVIEWER, csrf_of, login, make_client
from fastapi.testclient import TestClient
from sqlalchemy import update

from raidwatch.store import Store, accounts
from raidwatch.store.schema import SessionRow, UserRow, utcnow
from raidwatch.web import create_app


def _error_text(html: str) -> str:
    found = lxml.html.fromstring(html).xpath("//*[contains(@class, 'error')]")
    return " ".join(e.text_content().strip() for e in found)


def _attempt(client, password: str, name: str = REVIEWER):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token},
                       follow_redirects=False)


def _locked_for(db) -> timedelta:
    with Store.open(str(db)) as store:
        user = accounts.get_user(store, REVIEWER)
    return user.locked_until - utcnow()


def _unlock_clock(db) -> None:
    """Move the lock into the past (as if the time had passed); the count
    of failures stays."""
    with Store.open(str(db)) as store, store._write() as session:
        session.execute(update(UserRow).values(locked_until=utcnow() - timedelta(seconds=1)))


def test_brute_force_locks_the_account(db_path):
    client = make_client(db_path)
    for attempt in range(accounts.FAILURES_BEFORE_LOCK):
        response = _attempt(client, f"guess number {attempt}")
        assert response.status_code == 401, attempt
        assert "Wrong user name or password" in response.text
    # Locked: the right password is refused like a wrong one, with the same words.
    right = _attempt(client, PASSWORD)
    wrong = _attempt(client, "yet another guess")
    assert right.status_code == wrong.status_code == 429
    assert "rw_session" not in right.cookies
    assert _error_text(right.text) == _error_text(wrong.text)
    first = _locked_for(db_path)
    assert timedelta(0) < first <= accounts.FIRST_LOCK

    # The lock grows: once it has passed, one more wrong password locks for twice as long.
    _unlock_clock(db_path)
    assert _attempt(client, "after the lock").status_code == 401
    second = _locked_for(db_path)
    assert second > first and second > accounts.FIRST_LOCK
    _unlock_clock(db_path)
    assert _attempt(client, "and again").status_code == 401
    assert _locked_for(db_path) > second
    assert accounts.lock_period(100) == accounts.LONGEST_LOCK

    # After the lock, the right password works and the count starts again.
    _unlock_clock(db_path)
    assert _attempt(client, PASSWORD).status_code == 303
    with Store.open(str(db_path)) as store:
        assert accounts.get_user(store, REVIEWER).failed_logins == 0
    client.close()


def test_unknown_names_answer_like_wrong_passwords(db_path):
    client = make_client(db_path)
    unknown = _attempt(client, "whatever password", name="nobody-here")
    wrong = _attempt(client, "whatever password")
    assert unknown.status_code == wrong.status_code == 401
    assert _error_text(unknown.text) == _error_text(wrong.text)
    for _ in range(10):  # unknown names never lock anything (nothing to lock)
        assert _attempt(client, "x" * 20, name="nobody-here").status_code == 401
    client.close()


def _set_cookie_headers(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def test_cookie_flags(db_path):
    client = make_client(db_path)
    page = client.get("/login")
    csrf_cookie = _set_cookie_headers(page)["rw_csrf"]
    response = login(client)
    session_cookie = _set_cookie_headers(response)["rw_session"]
    for cookie in (csrf_cookie, session_cookie):
        lowered = cookie.lower()
        assert "httponly" in lowered and "samesite=strict" in lowered and "path=/" in lowered, cookie
        assert "domain=" not in lowered
    client.close()
    # Over https (or any non-loopback host) the cookies are Secure too.
    secure = TestClient(create_app(db=str(db_path)), base_url="https://raidwatch.example")
    page = secure.get("/login")
    assert "secure" in _set_cookie_headers(page)["rw_csrf"].lower()
    response = secure.post("/login", data={"name": REVIEWER, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
                           follow_redirects=False)
    assert response.status_code == 303
    assert "secure" in _set_cookie_headers(response)["rw_session"].lower()
    secure.close()


def test_session_ends_at_logout_and_expiry(db_path):
    client = make_client(db_path)
    assert login(client).status_code == 303
    token = client.cookies.get("rw_session")
    assert client.get("/review", follow_redirects=False).status_code == 200
    # expiry: the stored session's end moved into the past
    with Store.open(str(db_path)) as store, store._write() as session:
        session.execute(update(SessionRow).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = client.get("/review", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    # logout: the old token opens nothing even when replayed
    assert login(client).status_code == 303
    token = client.cookies.get("rw_session")
    csrf = csrf_of(client.get("/review").text)
    assert client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    replay = make_client(db_path)
    replay.cookies.set("rw_session", token)
    assert replay.get("/review", follow_redirects=False).status_code == 303
    replay.close()
    client.close()


def test_session_fixation(db_path):
    """A session id planted by an attacker is not adopted at login."""
    client = make_client(db_path)
    client.cookies.set("rw_session", "attacker-chosen-session-id", domain="127.0.0.1")
    response = login(client)
    assert response.status_code == 303
    issued = _set_cookie_headers(response)["rw_session"].split(";")[0].split("=", 1)[1]
    assert issued and issued != "attacker-chosen-session-id"
    with Store.open(str(db_path)) as store:
        assert accounts.session_user(store, "attacker-chosen-session-id") is None
        assert accounts.session_user(store, issued) is not None
    for forged in ("", "x" * 10_000, "' OR 1=1 --", "\u0000"):
        other = make_client(db_path)
        other.cookies.set("rw_session", forged)
        assert other.get("/review", follow_redirects=False).status_code == 303
        other.close()
    client.close()


def check_security_headers(response, where: str) -> None:
    headers = response.headers
    csp = headers.get("content-security-policy", "")
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in csp.split(";") if d.strip()}
    assert "script-src" in directives or "default-src" in directives, where
    script = directives.get("script-src", directives.get("default-src"))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script and "*" not in script, where
    assert "http:" not in csp and "https:" not in csp, f"{where}: CSP allows other sites: {csp}"
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'", where
    assert directives.get("object-src") == "object-src 'none'", where
    assert headers.get("referrer-policy") in ("same-origin", "no-referrer", "strict-origin"), where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("x-frame-options", "").upper() == "DENY", where
    assert "server" not in {k.lower() for k in headers} or "uvicorn" not in headers.get("server", ""), where


def test_security_headers_on_every_response(db_path):
    client = make_client(db_path)
    paths = ["/", "/operations", "/operations/1", "/operations/999999", "/agencies", "/downloads",
             "/downloads/operations.csv", "/downloads/operations.json", "/downloads/operations.geojson",
             "/data-dictionary", "/api/v1/operations", "/api/v1/operations/1", "/api/v1/operations/abc",
             "/api/v1/openapi.json", "/api/v1/docs", "/static/app/app.css", "/static/app/map.js",
             "/static/app/favicon.svg", "/static/app/missing.js", "/no/such/page", "/login", "/review",
             "/review/audit", "/operations?country=XYZ", "/testimony"]
    for path in paths:
        check_security_headers(client.get(path, follow_redirects=False), path)
    check_security_headers(client.post("/api/v1/operations"), "POST api (405)")
    check_security_headers(client.post("/login", content=b"x" * 300_000), "413 from the body limit")
    check_security_headers(client.post("/login", data={}), "403 login")
    assert login(client).status_code == 303
    for path in ("/review", "/review/operations/1", "/review/audit"):
        response = client.get(path)
        check_security_headers(response, path)
        assert "no-store" in response.headers.get("cache-control", ""), path
    client.close()


def test_pages_load_nothing_from_other_sites(db_path):
    """No CDN, no fonts, no analytics: every src/href of a page is local
    (links to the sources' own articles are the only outside hrefs, on <a>)."""
    client = make_client(db_path)
    for path in ("/", "/operations", "/operations/1", "/downloads", "/api/v1/docs", "/login"):
        page = lxml.html.fromstring(client.get(path).text)
        for element in page.iter():
            if not isinstance(element.tag, str):
                continue
            for attribute in ("src", "href", "action", "data"):
                value = element.get(attribute)
                if value is None or element.tag == "a":
                    continue
                assert value.startswith(("/", "#", "data:")) and not value.startswith("//"), \
                    f"{path}: <{element.tag} {attribute}={value!r}>"
    client.close()


def test_spoofed_forwarded_for_is_not_logged(server):
    """The access log has the peer's real address (127.0.0.1), never the one
    a client claims in X-Forwarded-For / Forwarded / X-Real-IP."""
    spoofed = "203.0.113.77"
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    for path in ("/api/v1/summary", "/operations", "/login"):
        connection.request("GET", path, headers={"X-Forwarded-For": spoofed, "X-Real-IP": spoofed,
                                                 "Forwarded": f"for={spoofed};proto=https",
                                                 "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200, path
        if path == "/login":
            # not taken for https: the loopback http cookies carry no Secure flag
            # (the proxy headers were ignored), and no evil.example anywhere
            assert "secure" not in (response.getheader("set-cookie") or "").lower()
            assert b"evil.example" not in body
    connection.close()
    assert server.alive()
    log = server.log.read_text(errors="replace")
    assert re.search(r"127\.0\.0\.1:\d+ - \"GET /api/v1/summary", log), log[-1500:]
    assert spoofed not in log, log[-1500:]


@pytest.mark.parametrize("header", ["X-Forwarded-For", "X-Real-IP", "Forwarded"])
def test_forwarded_headers_do_not_reset_the_lockout(db_path, header):
    """The lock is per account, not per claimed address."""
    client = make_client(db_path)
    for attempt in range(accounts.FAILURES_BEFORE_LOCK):
        client.headers[header] = f"198.51.100.{attempt}"
        _attempt(client, f"guess {attempt}")
    client.headers[header] = "198.51.100.200"
    assert _attempt(client, PASSWORD).status_code == 429
    client.close()
