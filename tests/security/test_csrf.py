"""CSRF: every state-changing route refuses a form without the right token
(403) and changes nothing: login, logout, every /review POST (including the
redaction forms) and testimony; a form posted from another site (its
Origin) gets no further. The session cookie is SameSite=Strict, so a
cross-site form arrives without it; the token is checked anyway.
"""
from __future__ import annotations

import pytest
from _helpers import PASSWORD, REVIEWER, csrf_of, login, make_client

from raidwatch.store import Store

EVIL = {"Origin": "https://evil.example", "Referer": "https://evil.example/page", "Sec-Fetch-Site": "cross-site"}


@pytest.fixture
def reviewer(db_path):
    client = make_client(db_path)
    assert login(client).status_code == 303
    with Store.open(str(db_path)) as store:
        op = store.operations()[0]
        other = store.operations()[1]
    yield client, op, other, db_path
    client.close()


def _actions(op: dict, other: dict) -> list[tuple[str, dict]]:
    doc = op["sources"][0]["document_id"]
    ref = f"{op['sources'][0]['document_id']}:0"
    base = f"/review/operations/{op['id']}"
    return [
        (f"{base}/field", {"field": "counts.arrested_total", "value": "999", "action": "correct"}),
        (f"{base}/field", {"field": "counts.arrested_total", "value": "999", "action": "lock"}),
        (f"{base}/reviewed", {"note": "x"}),
        (f"{base}/irrelevant", {"document": doc}),
        (f"{base}/merge", {"other": other["id"]}),
        (f"{base}/split", {"reports": ref}),
        (f"{base}/redaction", {"document": doc, "action": "hide", "phrase": op["sources"][0]["title"].split()[0]}),
        (f"{base}/redaction", {"document": doc, "action": "show", "start": 0, "end": 1}),
    ]


def _snapshot(db) -> dict:
    with Store.open(str(db)) as store:
        snap = store.tables_snapshot()
    snap.pop("sessions")
    return snap


def test_review_posts_without_a_token(reviewer):
    client, op, other, db = reviewer
    before = _snapshot(db)
    session_token = csrf_of(client.get(f"/review/operations/{op['id']}").text)
    for path, data in _actions(op, other):
        for token in (None, "", "wrong", session_token[:-1], session_token + "x"):
            body = dict(data) if token is None else {**data, "csrf_token": token}
            response = client.post(path, data=body, follow_redirects=False)
            assert response.status_code == 403, (path, token, response.status_code)
        # A cross-site form with no token: refused the same way.
        response = client.post(path, data=data, headers=EVIL, follow_redirects=False)
        assert response.status_code == 403, (path, "cross-site")
        # The token in a query string or header is not the form's token.
        response = client.post(path + f"?csrf_token={session_token}", data=data,
                               headers={"X-CSRF-Token": session_token}, follow_redirects=False)
        assert response.status_code == 403, (path, "query/header token")
    assert _snapshot(db) == before


def test_another_sessions_token_is_refused(reviewer):
    client, op, other, db = reviewer
    second = make_client(db)
    assert login(second).status_code == 303
    foreign = csrf_of(second.get(f"/review/operations/{op['id']}").text)
    before = _snapshot(db)
    for path, data in _actions(op, other):
        response = client.post(path, data={**data, "csrf_token": foreign}, follow_redirects=False)
        assert response.status_code == 403, path
    assert _snapshot(db) == before
    second.close()


def test_anonymous_posts_change_nothing(db_path):
    client = make_client(db_path)
    with Store.open(str(db_path)) as store:
        ops = store.operations()
    before = _snapshot(db_path)
    for path, data in _actions(ops[0], ops[1]):
        response = client.post(path, data=data, headers=EVIL, follow_redirects=False)
        assert response.status_code in (303, 403), path  # to the login form, or refused
        if response.status_code == 303:
            assert response.headers["location"].startswith("/login")
    assert _snapshot(db_path) == before
    client.close()


def test_login_without_the_double_submit_token(db_path):
    client = make_client(db_path)
    page = client.get("/login")
    token = csrf_of(page.text)
    data = {"name": REVIEWER, "password": PASSWORD}
    # no token; a token but no cookie (a cross-site form); a token not matching the cookie
    assert client.post("/login", data=data, follow_redirects=False).status_code == 403
    assert client.post("/login", data={**data, "csrf_token": "forged"}, follow_redirects=False).status_code == 403
    fresh = make_client(db_path)
    response = fresh.post("/login", data={**data, "csrf_token": token}, headers=EVIL, follow_redirects=False)
    assert response.status_code == 403
    assert "rw_session" not in response.cookies
    fresh.close()
    # the right token (login CSRF is not a way to log someone in as the attacker)
    assert client.post("/login", data={**data, "csrf_token": token}, follow_redirects=False).status_code == 303
    client.close()


def test_logout_needs_the_token(reviewer):
    client, _op, _, _ = reviewer
    for data in ({}, {"csrf_token": "wrong"}):
        response = client.post("/logout", data=data, headers=EVIL, follow_redirects=False)
        assert response.status_code == 403
    assert client.get("/review", follow_redirects=False).status_code == 200  # still logged in
    token = csrf_of(client.get("/review").text)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/review", follow_redirects=False).status_code == 303


def test_state_is_never_changed_by_get(reviewer):
    """GET on every action URL is 405, not an action (a link or image cannot act)."""
    client, op, other, db = reviewer
    before = _snapshot(db)
    for path, data in _actions(op, other) + [("/logout", {}), ("/login", {})]:
        response = client.get(path, params=data, follow_redirects=False)
        assert response.status_code in (200, 303, 405), path  # /login GET is the form
    assert _snapshot(db) == before


def test_testimony_refuses_cross_site_and_tokenless_posts(db_path):
    try:
        from nacl.public import PrivateKey

        from raidwatch.web import create_app
        app = create_app(db=str(db_path), testimony_public_key=PrivateKey.generate().public_key)
    except (ImportError, TypeError):
        pytest.skip("no testimony form in this tree yet")
    from fastapi.testclient import TestClient

    client = TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)
    if client.get("/testimony").status_code == 404:
        pytest.skip("no /testimony route in this tree yet")
    before = _snapshot(db_path)
    data = {"what": "a testimony", "story": "a testimony"}
    assert client.post("/testimony", data=data, headers=EVIL).status_code == 403
    assert client.post("/testimony", data=data, headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post("/testimony", data=data).status_code == 403  # no signed form token
    assert client.post("/testimony", data={**data, "token": "forged"}).status_code == 403
    assert _snapshot(db_path) == before
    client.close()
