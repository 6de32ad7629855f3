"""SQL injection: classic payloads in every filter parameter and in the ids
and names of paths, on pages, the API and downloads.

Each answer is either 200 with no extra rows (the result equals the result
of a filter that matches nothing, or the normal result for parameters that
do not filter) or a 400/422 with a message; never a 500. The database is
byte-for-byte the same afterwards (`Store.tables_snapshot()`).
"""
from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import lxml.html
import pytest
from _helpers import csrf_of, login, make_client

from raidwatch.store import Store

PAYLOADS = [
    "' OR 1=1 --",
    "' OR '1'='1",
    "\"; DROP TABLE operations; --",
    "'); DELETE FROM documents; --",
    "1 UNION SELECT name, password_hash FROM users --",
    "US' --",
    "%",
    "_",
    "\\",
    "\x00",
    "a\x00' OR 1=1 --",
    "x" * 5000,
    "ünïcødé ' \u202e 𝔘𝔖 \u200b",
    "１' ＯＲ １＝１",
    "2024-01-01' OR '1'='1",
    "-1",
    "99999999999999999999999",
    "1e9",
    "NaN",
]
# The few that differ most, for the endpoints that share the same filter code.
SHORT = ["' OR 1=1 --", "\"; DROP TABLE operations; --", "a\x00' OR 1=1 --", "x" * 5000, "１' ＯＲ １＝１"]
TEXT_FILTERS = ("region", "agency")
STRICT_FILTERS = ("country", "tactic", "venue", "from", "to")


@pytest.fixture(scope="module")
def site(module_db):
    client = make_client(module_db)
    with Store.open(str(module_db)) as store:
        before = store.tables_snapshot()
        total = len(store.operations())
    yield {"client": client, "db": module_db, "total": total}
    client.close()
    with Store.open(str(module_db)) as store:
        after = store.tables_snapshot()
    # The reviewer's own login (test_reviewer_paths_and_login) adds a session: nothing else may change.
    before.pop("sessions"), after.pop("sessions")
    assert after == before, "an injection attempt changed the database"


def _ok_or_refused(response, where: str) -> bool:
    """True for a 200; False for a refusal with a message; fails otherwise."""
    assert response.status_code != 500 and response.status_code < 500, \
        f"{where}: {response.status_code} {response.text[:300]}"
    if response.status_code == 200:
        return True
    assert response.status_code in (400, 404, 422), f"{where}: {response.status_code}"
    kind = response.headers.get("content-type", "")
    if "json" in kind:
        body = response.json()
        assert body.get("error") or body.get("detail"), where
    else:
        assert "<h1" in response.text and len(lxml.html.fromstring(response.text).text_content().strip()) > 20, where
    return False


def _table_rows(html: str) -> int:
    """Operations listed in the page's table."""
    return len(lxml.html.fromstring(html).xpath("//table//a[starts-with(@href, '/operations/')]"))


def _payloads(name: str) -> list[str]:
    """Every payload for the free-text filters; the strictly validated ones
    (codes, choices, dates) share one validator, so fewer."""
    return PAYLOADS if name in TEXT_FILTERS else SHORT + ["-1", "\x00"]


def test_api_filters(site):
    client = site["client"]
    for name in TEXT_FILTERS + STRICT_FILTERS:
        for payload in _payloads(name):
            where = f"/api/v1/operations?{name}={payload[:40]!r}"
            response = client.get("/api/v1/operations", params={name: payload, "limit": 500})
            if _ok_or_refused(response, where):
                body = response.json()
                assert body["items"] == [] and body["total"] == 0, where
            for path in ("/api/v1/summary", "/api/v1/timeline", "/api/v1/agencies") if payload in SHORT else ():
                response = client.get(path, params={name: payload})
                if _ok_or_refused(response, f"{path} {name}"):
                    body = response.json()
                    if path == "/api/v1/summary":
                        assert body["operations"] == 0, where
                    else:
                        assert body["items"] == [], where


def test_api_paging_and_sorting(site):
    client = site["client"]
    normal = client.get("/api/v1/operations", params={"limit": 500}).json()
    assert normal["total"] == site["total"]
    for name in ("limit", "offset", "sort", "order", "reviewed"):
        for payload in PAYLOADS + ["date; DROP TABLE operations", "id desc, (select 1)", "1 OR 1=1"]:
            params = {"limit": 500, name: payload} if name != "limit" else {name: payload}
            response = client.get("/api/v1/operations", params=params)
            if _ok_or_refused(response, f"{name}={payload[:40]!r}"):
                body = response.json()
                assert body["total"] <= normal["total"]
                assert {i["id"] for i in body["items"]} <= {i["id"] for i in normal["items"]}


def test_page_filters(site):
    client = site["client"]
    empty = client.get("/operations", params={"agency": "no agency has this name"})
    assert empty.status_code == 200 and _table_rows(empty.text) == 0
    for name in TEXT_FILTERS + STRICT_FILTERS + ("page",):
        for payload in _payloads(name):
            where = f"/operations?{name}={payload[:40]!r}"
            response = client.get("/operations", params={name: payload})
            if _ok_or_refused(response, where) and name != "page":
                assert _table_rows(response.text) == 0, where
            for path in ("/", "/agencies", "/downloads") if payload in SHORT else ():
                _ok_or_refused(client.get(path, params={name: payload}), f"{path} {name}")


def test_download_filters(site):
    client = site["client"]
    for name in TEXT_FILTERS + STRICT_FILTERS:
        for payload in _payloads(name):
            for fmt in ("csv", "json", "geojson") if payload in SHORT else ("csv",):
                where = f"operations.{fmt}?{name}={payload[:40]!r}"
                response = client.get(f"/downloads/operations.{fmt}", params={name: payload})
                if not _ok_or_refused(response, where):
                    continue
                if fmt == "csv":
                    assert list(csv.DictReader(io.StringIO(response.text))) == [], where
                elif fmt == "json":
                    assert json.loads(response.text)["operations"] == [], where
                else:
                    assert json.loads(response.text)["features"] == [], where


def test_ids_and_names_in_paths(site):
    client = site["client"]
    templates = ["/operations/{}", "/api/v1/operations/{}", "/agencies/{}", "/api/v1/agencies/{}",
                 "/downloads/operations.{}"]
    for payload in PAYLOADS + ["1 OR 1=1", "1;DROP TABLE operations", "0x1", "-1", "1.5", "2147483648"]:
        for template in templates:
            path = template.format(quote(payload, safe=""))
            response = client.get(path, follow_redirects=False)
            assert response.status_code in (301, 308, 400, 404, 405, 422), f"{path[:80]}: {response.status_code}"


def test_reviewer_paths_and_login(site):
    client = make_client(site["db"])
    for payload in ("' OR 1=1 --", "admin'--", "\x00", "x" * 5000):
        page = client.get("/login")
        response = client.post("/login", data={"name": payload, "password": payload, "csrf_token": csrf_of(page.text)},
                               follow_redirects=False)
        assert response.status_code == 401, payload[:20]
    assert login(client).status_code == 303
    for payload in PAYLOADS + ["1 OR 1=1"]:
        for path in ("/review/operations/{}", "/review?page={}", "/review?sort={}", "/review/audit?page={}"):
            target = path.format(quote(payload, safe=""))
            response = client.get(target, follow_redirects=False)
            assert response.status_code in (200, 303, 400, 404, 422), f"{target[:60]}: {response.status_code}"
    client.close()


@pytest.mark.parametrize("path", [
    "/?agency=a%00b", "/operations?region=x%00", "/api/v1/operations?agency=a%00b", "/api/v1/summary?region=%00",
    "/agencies/a%00b", "/api/v1/agencies/a%00b", "/downloads/operations.csv?agency=%00",
])
def test_nul_bytes_are_refused_on_every_backend(db_url: str, path: str) -> None:
    """PostgreSQL refuses NUL in text parameters: the app must answer 4xx
    with a message before the database sees one, never 500."""
    from fastapi.testclient import TestClient

    from raidwatch.store import Store
    from raidwatch.web import create_app

    with Store.open(db_url) as store, TestClient(create_app(store=store)) as client:
        response = client.get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code)
