"""The reviewers' part of the web app: accounts, login, sessions, CSRF, the
queue, corrections and the other decisions, the audit log and the
`raidwatch users` command.

One SQLite database is filled by the real pipeline from `examples/` and
gets one reviewer account (Argon2 is slow on purpose, so it is hashed once);
each test works on its own copy of that file.
"""
from __future__ import annotations

import html as htmllib
import io
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from argon2 import PasswordHasher, Type
from fastapi.testclient import TestClient
from sqlalchemy import select

from raidwatch import cli
from raidwatch.pipeline import ingest_into
from raidwatch.store import Store, accounts
from raidwatch.store.schema import ClaimRow, UserRow, utcnow
from raidwatch.web import create_app
from raidwatch.web.review import parse_value

ROOT = Path(__file__).resolve().parents[1]
NAME, PASSWORD = "alice", "correct horse battery staple"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


# Argon2id with the defaults takes most of a second per check here; the tests
# use Argon2id with tiny costs (one test checks the real defaults).
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True, scope="module")
def cheap_hashing():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", CHEAP)
        patch.setattr(accounts, "_dummy_hash", None)
        yield


@pytest.fixture(scope="module")
def template_db(tmp_path_factory, cheap_hashing) -> Path:
    path = tmp_path_factory.mktemp("review") / "template.sqlite"
    with Store.open(path) as store:
        ingest_into(store, [str(ROOT / "examples")], progress=False)
        accounts.add_user(store, NAME, PASSWORD)
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "raidwatch.sqlite"
    shutil.copy(template_db, path)
    return path


@pytest.fixture
def store(db_path: Path):
    with Store.open(db_path) as opened:
        yield opened


@pytest.fixture
def client(store) -> TestClient:
    return TestClient(create_app(store=store), base_url="http://127.0.0.1")


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "no csrf_token in the page"
    return found.group(1)


def login(client: TestClient, name: str = NAME, password: str = PASSWORD, next_path: str = "/review"):
    page = client.get(f"/login?next={next_path}")
    assert page.status_code == 200
    return client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_of(page.text),
                                       "next": next_path}, follow_redirects=False)


@pytest.fixture
def reviewer(client: TestClient) -> TestClient:
    assert login(client).status_code == 303
    return client


def page_csrf(client: TestClient, op_id: int) -> str:
    return csrf_of(client.get(f"/review/operations/{op_id}").text)


def flash(html: str) -> list[str]:
    return [m.strip() for m in re.findall(r'class="(?:flash[^"]*|error)"[^>]*>([^<]*)<', html)]


def op_with_sources(store: Store, n: int) -> dict:
    return next(op for op in store.operations() if len(op["sources"]) >= n)


# ---------------------------------------------------------------- accounts


def test_passwords_are_hashed_with_argon2id_defaults(store, monkeypatch):
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher())
    assert PasswordHasher().type is Type.ID
    accounts.add_user(store, "bob", "a long enough password")
    with store._read() as session:
        stored = session.scalar(select(UserRow.password_hash).where(UserRow.name == "bob"))
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert "a long enough password" not in stored
    assert accounts.verify_login(store, "bob", "a long enough password").name == "bob"


def test_add_user_refuses_bad_names_and_short_passwords(store):
    with pytest.raises(ValueError, match="at least 12 characters"):
        accounts.add_user(store, "bob", "short")
    with pytest.raises(ValueError, match="must not be empty"):
        accounts.add_user(store, "  ", "a long enough password")
    with pytest.raises(ValueError, match="already a user named 'alice'"):
        accounts.add_user(store, NAME, "a long enough password")


def test_verify_login(store):
    assert accounts.verify_login(store, NAME, PASSWORD).name == NAME
    assert accounts.verify_login(store, NAME, "wrong password!!") is None
    assert accounts.verify_login(store, "nobody", PASSWORD) is None


def test_lock_period_doubles_up_to_an_hour():
    assert [accounts.lock_period(n) for n in (4, 5, 6, 7)] == [None, timedelta(minutes=1), timedelta(minutes=2),
                                                                timedelta(minutes=4)]
    assert accounts.lock_period(30) == timedelta(hours=1)


def test_lockout_after_five_failures_refuses_even_the_right_password(store, client):
    for _ in range(5):
        response = login(client, password="not the password")
        assert response.status_code == 401
    with pytest.raises(accounts.AccountLocked):
        accounts.verify_login(store, NAME, PASSWORD)
    response = login(client)
    assert response.status_code == 429
    assert "Try again later" in response.text
    assert "rw_session" not in client.cookies
    # The lock runs out: the right password works and the count starts again.
    with store._write() as session:
        session.scalar(select(UserRow).where(UserRow.name == NAME)).locked_until = utcnow() - timedelta(seconds=1)
    assert login(client).status_code == 303
    assert accounts.get_user(store, NAME).failed_logins == 0


def test_sessions_store_only_a_hash_and_expire(store, monkeypatch):
    user = accounts.get_user(store, NAME)
    token, csrf = accounts.create_session(store, user.id)
    found = accounts.session_user(store, token)
    assert found[0].name == NAME and found[1] == csrf
    assert store.tables_snapshot()["sessions"][0][0] != token  # the SHA-256, not the token
    short, _ = accounts.create_session(store, user.id, ttl=timedelta(0))
    assert accounts.session_user(store, short) is None
    later = utcnow() + timedelta(hours=8, seconds=1)
    monkeypatch.setattr(accounts, "utcnow", lambda: later)
    assert accounts.session_user(store, token) is None
    accounts.end_session(store, token)
    assert accounts.session_user(store, "not a token") is None


def test_set_password_ends_sessions(store):
    user = accounts.get_user(store, NAME)
    token, _ = accounts.create_session(store, user.id)
    accounts.set_password(store, NAME, "a brand new password")
    assert accounts.session_user(store, token) is None
    assert accounts.verify_login(store, NAME, "a brand new password") is not None


# ------------------------------------------------------------------ login


def test_login_sets_a_strict_httponly_session_cookie(client):
    response = login(client)
    assert response.status_code == 303 and response.headers["location"] == "/review"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("rw_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie and "expires=" in cookie
    assert "Secure" not in cookie  # plain http to 127.0.0.1 only
    assert client.get("/review").status_code == 200


def test_cookies_are_secure_over_https_and_elsewhere(store):
    for base in ("https://review.example.org", "http://review.example.org"):
        client = TestClient(create_app(store=store), base_url=base)
        page = client.get("/login")
        cookie = page.headers["set-cookie"]
        assert cookie.startswith("rw_csrf=") and "Secure" in cookie and "HttpOnly" in cookie
        assert "SameSite=strict" in cookie


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    wrong, unknown = login(client, password="not the password"), login(client, name="mallory")
    assert wrong.status_code == unknown.status_code == 401
    assert flash(wrong.text) == flash(unknown.text) == ["Wrong user name or password."]
    assert "rw_session" not in client.cookies


def test_oversized_forms_are_refused(client):
    response = client.post("/login", content=b"name=" + b"x" * 300_000,
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_login_only_redirects_within_the_site(client):
    assert login(client, next_path="//evil.example/x").headers["location"] == "/review"


def test_logout_ends_the_session(reviewer):
    csrf = csrf_of(reviewer.get("/review").text)
    token = reviewer.cookies["rw_session"]
    assert reviewer.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    reviewer.cookies.set("rw_session", token)
    assert reviewer.get("/review", follow_redirects=False).status_code == 303


def test_expired_session_cookie_leads_to_login(store, client):
    token, _ = accounts.create_session(store, accounts.get_user(store, NAME).id, ttl=timedelta(0))
    client.cookies.set("rw_session", token)
    response = client.get("/review", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/review"


# ------------------------------------------------------------------- CSRF


def test_login_without_the_double_submit_token_is_refused(client):
    client.get("/login")
    data = {"name": NAME, "password": PASSWORD}
    assert client.post("/login", data=data).status_code == 403
    response = client.post("/login", data={**data, "csrf_token": "forged"})
    assert response.status_code == 403 and "security token" in response.text


@pytest.mark.parametrize("action,data", [
    ("field", {"field": "name", "value": "x"}),
    ("reviewed", {}),
    ("irrelevant", {"document": "1"}),
    ("merge", {"other": "2"}),
    ("split", {"reports": "1:0"}),
])
def test_reviewer_posts_without_the_right_token_are_refused(reviewer, store, action, data):
    op_id = store.operations()[0]["id"]
    before = store.tables_snapshot()
    for token in (None, "wrong-token"):
        body = {**data, **({"csrf_token": token} if token else {})}
        response = reviewer.post(f"/review/operations/{op_id}/{action}", data=body)
        assert response.status_code == 403
        assert "security token" in response.text
    assert reviewer.post("/logout", data={"csrf_token": "wrong"}).status_code == 403
    assert store.tables_snapshot()["audit_log"] == before["audit_log"]


def test_anonymous_posts_go_to_login(client, store):
    op_id = store.operations()[0]["id"]
    response = client.post(f"/review/operations/{op_id}/reviewed", data={}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/review/operations/{op_id}"


# ------------------------------------------------------------------ pages


@pytest.mark.parametrize("path", ["/review", "/review/audit", "/review/operations/1"])
def test_reviewer_pages_require_login(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


def test_queue_lists_unreviewed_operations_newest_first(reviewer, store):
    ops = store.operations()
    html = reviewer.get("/review").text
    listed = [int(i) for i in re.findall(r'href="/review/operations/(\d+)"', html)]
    assert sorted(listed) == sorted(op["id"] for op in ops)
    dates = {op["id"]: op["date"]["start"] or "" for op in ops}
    assert [dates[i] for i in listed] == sorted((dates[i] for i in listed), reverse=True)
    assert reviewer.get("/review?page=abc").status_code == 400


def test_review_page_shows_unredacted_evidence_and_is_not_cached(reviewer, store):
    op = op_with_sources(store, 2)
    full = store.operation(op["id"])
    sentence = next(c["evidence"]["sentence"] for f in full["fields"].values() for c in f["claims"]
                    if c.get("evidence"))
    response = reviewer.get(f"/review/operations/{op['id']}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "Content-Security-Policy" in response.headers
    text = re.sub(r"\s+", " ", htmllib.unescape(response.text))
    assert " ".join(sentence.split()) in text
    for path in ("/review", "/review/audit", f"/review/operations/{op['id']}", "/login"):
        html = reviewer.get(path).text
        assert "<script" not in html and "style=" not in html and "<style" not in html
    # every input has a label
    html = response.text
    ids = set(re.findall(r'<(?:input|select)(?![^>]*type="hidden")[^>]*id="([^"]+)"', html))
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    assert ids and ids <= labelled


def test_merged_id_redirects_to_the_live_operation(reviewer, store):
    keep, absorb = [op["id"] for op in store.operations()[:2]]
    store.merge_operations(keep, absorb, "someone")
    response = reviewer.get(f"/review/operations/{absorb}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/review/operations/{keep}"


# -------------------------------------------------------------- decisions


def claim_count(store: Store) -> int:
    with store._read() as session:
        return len(session.scalars(select(ClaimRow.id)).all())


def test_correction_is_a_new_claim_shown_everywhere_and_audited(reviewer, store):
    op = next(o for o in store.operations() if o["counts"]["arrested_total"] is not None)
    op_id, old = op["id"], op["counts"]["arrested_total"]
    claims_before = claim_count(store)
    response = reviewer.post(f"/review/operations/{op_id}/field", follow_redirects=False, data={
        "csrf_token": page_csrf(reviewer, op_id), "field": "counts.arrested_total", "value": str(old + 7),
        "note": "press release says more", "action": "correct"})
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/review/operations/{op_id}?done=corrected")
    assert "Saved the value of People arrested." in flash(reviewer.get(response.headers["location"]).text)
    assert claim_count(store) == claims_before + 1
    field = store.operation(op_id)["fields"]["counts.arrested_total"]
    assert field["value"] == old + 7 and field["reason"] == f"corrected by reviewer {NAME}"
    assert any(c["author"] is None and c["value"] == old for c in field["claims"])  # the source's claim stays
    public = reviewer.get(f"/operations/{op_id}").text
    row = re.search(r'id="field-counts-arrested_total".*?<td class="value">([^<]*)<', public, re.DOTALL)
    assert row and row.group(1).strip() == str(old + 7)
    assert reviewer.get(f"/api/v1/operations/{op_id}").json()["counts"]["arrested_total"] == old + 7
    entry = store.audit_log(limit=1)[0]
    assert (entry["actor"], entry["action"], entry["operation_id"], entry["field"], entry["old"], entry["new"]) == \
        (NAME, "correct", op_id, "counts.arrested_total", old, old + 7)
    audit = reviewer.get("/review/audit").text
    assert NAME in audit and "People arrested" in audit and str(old + 7) in audit and "press release" in audit


def test_confirming_a_value_is_recorded_as_confirm(reviewer, store):
    op = store.operations()[0]
    reviewer.post(f"/review/operations/{op['id']}/field", data={
        "csrf_token": page_csrf(reviewer, op["id"]), "field": "place.country", "value": op["place"]["country"]})
    assert store.audit_log(limit=1)[0]["action"] == "confirm"


def test_lists_flags_and_dates_through_the_form(reviewer, store):
    op_id = store.operations()[0]["id"]
    csrf = page_csrf(reviewer, op_id)
    for field, text in (("agencies", "Police A; Police B"), ("tactics", "street_sweep; online_sting"),
                        ("publicity.press_conference", "true"), ("date.start", "2024-01-31"),
                        ("name", "Operation Test")):
        assert reviewer.post(f"/review/operations/{op_id}/field", follow_redirects=False,
                             data={"csrf_token": csrf, "field": field, "value": text}).status_code == 303
    op = store.operation(op_id)
    assert op["agencies"] == ["Police A", "Police B"] and op["tactics"] == ["street_sweep", "online_sting"]
    assert op["publicity"]["press_conference"] is True and op["date"]["start"] == "2024-01-31"
    assert op["name"] == "Operation Test"


def test_lock_field_through_the_form(reviewer, store):
    op_id = store.operations()[0]["id"]
    reviewer.post(f"/review/operations/{op_id}/field", data={
        "csrf_token": page_csrf(reviewer, op_id), "field": "counts.premises_closed", "value": "3",
        "action": "lock"})
    field = store.operation(op_id)["fields"]["counts.premises_closed"]
    assert field["value"] == 3 and field["reason"] == "locked by a reviewer"
    assert store.link_decisions()[-1]["author"] == NAME


def test_mark_reviewed_shows_on_the_public_page(reviewer, store):
    op_id = store.operations()[0]["id"]
    assert "not yet reviewed" in reviewer.get(f"/operations/{op_id}").text
    response = reviewer.post(f"/review/operations/{op_id}/reviewed", data={"csrf_token": page_csrf(reviewer, op_id)})
    assert response.status_code == 200 and "Marked this operation as reviewed." in flash(response.text)
    public = reviewer.get(f"/operations/{op_id}").text
    assert "badge ok\">reviewed" in public
    assert store.operation(op_id)["reviewed"]["by"] == NAME
    assert f'href="/review/operations/{op_id}"' not in reviewer.get("/review").text


def test_mark_irrelevant_removes_the_document_from_the_sources(reviewer, store):
    op = op_with_sources(store, 2)
    doc_id = op["sources"][-1]["document_id"]
    response = reviewer.post(f"/review/operations/{op['id']}/irrelevant", follow_redirects=False,
                             data={"csrf_token": page_csrf(reviewer, op["id"]), "document": str(doc_id)})
    assert response.status_code == 303
    assert doc_id not in [s["document_id"] for s in store.operation(op["id"])["sources"]]
    assert store.audit_log(limit=1)[0]["document_id"] == doc_id
    other = next(o for o in store.operations() if o["id"] != op["id"])
    response = reviewer.post(f"/review/operations/{op['id']}/irrelevant", data={
        "csrf_token": page_csrf(reviewer, op["id"]), "document": str(other["sources"][0]["document_id"])})
    assert response.status_code == 400 and "is not a source of this operation" in response.text


def test_merge_through_the_form(reviewer, store):
    keep, absorb = [op["id"] for op in store.operations()[:2]]
    response = reviewer.post(f"/review/operations/{keep}/merge", follow_redirects=False,
                             data={"csrf_token": page_csrf(reviewer, keep), "other": str(absorb)})
    assert response.status_code == 303
    assert store.resolve_operation_id(absorb) == keep
    assert f"Operation #{absorb} was merged into this one." in flash(reviewer.get(response.headers["location"]).text)
    assert reviewer.get(f"/operations/{absorb}", follow_redirects=False).headers["location"] == f"/operations/{keep}"


def test_split_through_the_form(reviewer, store):
    op = op_with_sources(store, 2)
    moved = store.operation(op["id"])["reports"][-1]
    ref = f"{moved['document_id']}:{moved['report_index']}"
    assert f'value="{ref}"' in reviewer.get(f"/review/operations/{op['id']}").text
    response = reviewer.post(f"/review/operations/{op['id']}/split", follow_redirects=False,
                             data={"csrf_token": page_csrf(reviewer, op["id"]), "reports": [ref]})
    assert response.status_code == 303
    new_id = int(re.search(r"new=(\d+)", response.headers["location"]).group(1))
    assert [s["document_id"] for s in store.operation(new_id)["sources"]] == [moved["document_id"]]
    assert moved["document_id"] not in [s["document_id"] for s in store.operation(op["id"])["sources"]]


# -------------------------------------------------------------- bad input


def test_bad_input_gets_a_message_never_a_500(reviewer, store):
    op = op_with_sources(store, 2)
    op_id, csrf = op["id"], page_csrf(reviewer, op["id"])
    other = next(o["id"] for o in store.operations() if o["id"] != op_id)

    def post(route, **data):
        return reviewer.post(f"/review/operations/{op_id}/{route}", data={"csrf_token": csrf, **data})

    cases = [
        (post("field", field="counts.arrested_total", value="many"), 400, "must be a whole number"),
        (post("field", field="counts.arrested_total", value="-3"), 400, "must be a whole number"),
        (post("field", field="no.such.field", value="1"), 400, "Unknown field"),
        (post("field", field="date.start", value="31/01/2024"), 400, "YYYY-MM-DD"),
        (post("field", field="tactics", value="kicking doors"), 400, "not known"),
        (post("field", field="publicity.press_conference", value="maybe"), 400, "true, false or unknown"),
        (post("field", field="name", value="x", action="explode"), 400, "correct or lock"),
        (post("merge", other="seven"), 400, "positive whole number"),
        (post("merge", other=str(op_id)), 400, "itself"),
        (post("merge", other="999999"), 400, "no operation 999999"),
        (post("split"), 400, "Select the reports"),
        (post("split", reports="x:y"), 400, "is not a report"),
        (post("split", reports=[f"{r['document_id']}:{r['report_index']}"
                                for r in store.operation(op_id)["reports"]]), 400, "not all"),
        (post("irrelevant", document="abc"), 400, "positive whole number"),
        (reviewer.get("/review/operations/999999"), 404, "no operation 999999"),
        (reviewer.get("/review/operations/abc"), 404, "no operation"),
        (reviewer.post("/review/operations/999999/field",
                       data={"csrf_token": csrf, "field": "name", "value": "x"}), 404, "no operation 999999"),
        (reviewer.post("/review/operations/999999/reviewed", data={"csrf_token": csrf}), 404, "no operation"),
    ]
    for response, status, message in cases:
        assert response.status_code == status, (message, response.text[-600:])
        assert message.lower() in response.text.lower(), message
    assert store.operation(other) is not None


@pytest.mark.parametrize("field,text,value", [
    ("counts.arrested_total", "1,204", 1204),
    ("counts.arrested_total", "", None),
    ("publicity.press_conference", "False", False),
    ("immigration_involved", "unknown", None),
    ("venues", "hotel_motel;  street; hotel_motel", ["hotel_motel", "street"]),
    ("agencies", "", []),
    ("date.end", "2024-02-29", "2024-02-29"),
    ("date.precision", "Month", "month"),
    ("place.country", "gb", "GB"),
    ("place.locality", "  Leeds ", "Leeds"),
])
def test_parse_value(field, text, value):
    assert parse_value(field, text) == value


# -------------------------------------------------------------------- CLI


def test_cli_users_add_with_password_stdin(db_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert cli.main(["users", "add", "carol", "--password-stdin", "--db", str(db_path)]) == 0
    assert "user 'carol' added" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["users", "add", "dave", "--password-stdin", "--db", str(db_path)]) == 2
    assert "at least 12 characters" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert cli.main(["users", "add", "carol", "--password-stdin", "--db", str(db_path)]) == 2
    assert "already a user named 'carol'" in capsys.readouterr().err
    assert cli.main(["users", "list", "--db", str(db_path)]) == 0
    assert "carol" in capsys.readouterr().out
    with Store.open(db_path) as store:
        assert accounts.verify_login(store, "carol", "a long enough password").name == "carol"
