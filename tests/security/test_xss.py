"""XSS: payloads in ingested documents (titles, operation names, quoted
sentences, URLs; see tests/fixtures/security/xss/), in values a reviewer
types (agency, place, name) and in query strings must come out escaped on
every public and reviewer page; JSON stays valid JSON; CSV cells cannot start
a spreadsheet formula.

HTML is parsed with lxml: no `<script>` except the app's own external
scripts, no `on*` attribute, no `javascript:`/`data:`/`vbscript:` link, no
iframe/object/embed/base element; and the raw payload markup never appears
unescaped in the text of the response.
"""
from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import quote

import lxml.html
import pytest
from _helpers import csrf_of, login, make_client
from fastapi.testclient import TestClient

from raidwatch import export
from raidwatch.store import Store

# Markup from the fixtures and the reviewer's values; none may reach a page
# as markup.
RAW_PAYLOADS = [
    "<script>alert(", "<img src=x onerror", "<svg onload", "<svg/onload", "</textarea><svg", "<iframe",
    "onmouseover=\"alert", "onfocus='alert", '<a href="javascript:',
]
AGENCY = '<script>alert("agency")</script> Police'
LOCALITY = '"><img src=x onerror=alert(1)>'
NAME = "</textarea><svg onload=alert(1)>"
QUERY_PAYLOADS = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
    "' onmouseover='alert(1)", "</title><svg/onload=alert(1)>", "\u202e<script>", "％3Cscript％3E",
]
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "poster", "background")


def assert_safe_html(text: str, where: str) -> None:
    for raw in RAW_PAYLOADS:
        assert raw not in text, f"{where}: unescaped {raw!r}"
    if not text.strip():
        return
    doc = lxml.html.fromstring(text)
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        assert tag not in ("iframe", "object", "embed", "base", "frame"), f"{where}: <{tag}> element"
        if tag == "script":
            src = element.get("src") or ""
            assert src.startswith("/static/"), f"{where}: script without a local src: {lxml.html.tostring(element)!r}"
            assert not (element.text or "").strip(), f"{where}: inline script"
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"{where}: <{tag} {name}={value!r}>"
            if name.lower() in URL_ATTRIBUTES:
                cleaned = re.sub(r"[\x00-\x20]", "", value).lower()
                assert not cleaned.startswith(BAD_SCHEMES), f"{where}: <{tag} {name}={value!r}>"


def assert_response_safe(response, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    kind = response.headers.get("content-type", "")
    if "html" in kind:
        assert_safe_html(response.text, where)
    elif "json" in kind:
        json.loads(response.text)
    assert response.headers.get("x-content-type-options") == "nosniff"


@pytest.fixture(scope="module")
def site(module_db):
    """The app over the module's copy, after a reviewer typed payloads into
    one operation's agency, place and name through the forms."""
    client = make_client(module_db)
    assert login(client).status_code == 303
    with Store.open(str(module_db)) as store:
        ops = store.operations()
    target = next(op for op in ops if op["place"].get("locality") == "Tucson")
    csrf = csrf_of(client.get(f"/review/operations/{target['id']}").text)
    for field, value in (("agencies", AGENCY), ("place.locality", LOCALITY), ("name", NAME)):
        done = client.post(f"/review/operations/{target['id']}/field",
                           data={"csrf_token": csrf, "field": field, "value": value, "action": "correct"},
                           follow_redirects=False)
        assert done.status_code == 303, done.text
    with Store.open(str(module_db)) as store:
        ops = store.operations()
    yield {"client": client, "ops": ops, "target": target["id"]}
    client.close()


def test_the_payloads_are_in_the_data(site):
    """The attack is real: the stored values carry the payloads."""
    names = [op["name"] or "" for op in site["ops"]]
    assert any("<script>" in n for n in names)
    assert any(AGENCY in op["agencies"] for op in site["ops"])
    titles = [s.get("title") or "" for op in site["ops"] for s in op["sources"]]
    assert any("onerror" in t for t in titles) and any("onmouseover" in t for t in titles)
    urls = [s.get("url") or "" for op in site["ops"] for s in op["sources"]]
    assert any(u.lower().startswith("javascript:") for u in urls)


def _public_paths(ops) -> list[str]:
    paths = ["/", "/operations", "/agencies", "/downloads", "/data-dictionary", "/api/v1/docs",
             f"/agencies/{quote(AGENCY, safe='')}", "/agencies/" + quote("<svg onload=alert(1)>", safe=""),
             "/operations?page=2", "/operations/999999", "/no/such/<script>alert(1)</script>",
             "/operations/" + quote("1<script>", safe="")]
    paths += [f"/operations/{op['id']}" for op in ops]
    for payload in QUERY_PAYLOADS:
        q = quote(payload, safe="")
        for name in ("agency", "region", "country", "tactic", "venue", "from", "to"):
            paths.append(f"/operations?{name}={q}")
        paths += [f"/?agency={q}", f"/downloads?region={q}", f"/agencies?agency={q}", f"/operations?page={q}"]
    return paths


def test_every_public_page_escapes_payloads(site):
    client = site["client"]
    for path in _public_paths(site["ops"]):
        response = client.get(path, follow_redirects=True)
        assert_response_safe(response, path)


def test_the_agency_page_with_a_payload_name_shows_it_as_text(site):
    response = site["client"].get(f"/agencies/{quote(AGENCY, safe='')}")
    assert response.status_code == 200
    assert_safe_html(response.text, "agency page")
    headings = lxml.html.fromstring(response.text).xpath("//h1")
    assert AGENCY in headings[0].text_content()


def test_operation_page_shows_the_payload_values_as_text(site):
    response = site["client"].get(f"/operations/{site['target']}")
    assert response.status_code == 200
    text = lxml.html.fromstring(response.text).text_content()
    assert NAME in text and LOCALITY in text and AGENCY in text


def test_reflected_filters_are_escaped_in_attributes(site):
    """A payload in ?agency= and ?region= is echoed in the filter form and
    links; it must stay one attribute value."""
    q = quote('"><img src=x onerror=alert(1)>', safe="")
    for path in (f"/operations?region={q}", f"/?region={q}", f"/downloads?region={q}"):
        response = site["client"].get(path)
        assert response.status_code == 200
        assert_safe_html(response.text, path)
        for form in lxml.html.fromstring(response.text).xpath("//form"):
            for element in form.iter():
                assert not any(k.startswith("on") for k in element.attrib), path


def test_reviewer_pages_escape_payloads(site):
    client = site["client"]
    paths = ["/review", "/review?page=1", "/review/audit", f"/review/operations/{site['target']}",
             "/review/operations/" + quote("<script>", safe=""), "/review?sort=" + quote("<script>", safe=""),
             "/review/operations/1?done=corrected&field=" + quote("<script>alert(1)</script>", safe="")]
    paths += [f"/review/operations/{op['id']}" for op in site["ops"]]
    for path in paths:
        response = client.get(path, follow_redirects=True)
        assert_response_safe(response, path)


def test_login_page_escapes_next(site):
    client = make_client(site["client"].app.state.store.url.replace("sqlite:///", ""))
    for payload in ('"><script>alert(1)</script>', "javascript:alert(1)", "//evil.example/", "/\\evil.example"):
        response = client.get("/login", params={"next": payload})
        assert response.status_code == 200
        assert_safe_html(response.text, f"login next={payload}")
        assert 'value="/review"' in response.text  # an unsafe next falls back to the queue


def test_api_answers_are_valid_json(site):
    client = site["client"]
    paths = ["/api/v1/operations?limit=500", "/api/v1/summary", "/api/v1/timeline", "/api/v1/agencies",
             f"/api/v1/agencies/{quote(AGENCY, safe='')}", "/api/v1/agencies/" + quote("<b>x</b>", safe=""),
             "/api/v1/operations?agency=" + quote(AGENCY, safe=""), "/api/v1/openapi.json"]
    paths += [f"/api/v1/operations/{op['id']}" for op in site["ops"]]
    for path in paths:
        response = client.get(path, follow_redirects=True)
        assert response.status_code < 500, path
        assert "json" in response.headers["content-type"], path
        json.loads(response.text)
    one = client.get(f"/api/v1/operations/{site['target']}").json()
    assert one["name"] == NAME  # the value is kept as data, JSON-escaped, not mangled


def test_downloads_are_well_formed(site):
    client = site["client"]
    for fmt in ("json", "geojson"):
        response = client.get(f"/downloads/operations.{fmt}")
        assert response.status_code == 200
        json.loads(response.text)
    response = client.get("/downloads/operations.csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(site["ops"])


def _number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def test_csv_cells_cannot_start_a_formula(site):
    """Spreadsheet formula injection: a text cell starting with = + - @ (or
    a tab / carriage return) is prefixed with ' so a spreadsheet shows it as
    text; numbers (negative longitudes) are left alone."""
    response = site["client"].get("/downloads/operations.csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    seen_titles = " ".join(cell for row in rows for cell in row)
    assert "HYPERLINK" in seen_titles and "@SUM" in seen_titles  # the attack is in the data
    for row in rows:
        for cell in row:
            if cell and not _number(cell):
                assert cell[0] not in "=+-@\t\r", f"formula-like CSV cell {cell[:60]!r}"
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)


@pytest.mark.parametrize("value, shown", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-cmd", "'-cmd"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("plain", "plain"), (-81.5, "-81.5"), (12, "12"), (None, ""), (True, "true"),
])
def test_csv_cell_neutralises_formulas(value, shown):
    assert export._csv_cell(value) == shown


def test_error_pages_escape_the_path(site):
    for path in ("/%3Cscript%3Ealert(1)%3C/script%3E", "/operations/%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E",
                 "/api/v1/operations/%3Cscript%3E", "/downloads/operations.%3Cscript%3E"):
        response = site["client"].get(path)
        assert 400 <= response.status_code < 500, path
        assert_response_safe(response, path)


def _testimony_client(path):
    """A client over an app that accepts testimony (a throwaway key), or
    None when this tree has no testimony form."""
    from raidwatch.web import create_app

    try:
        from nacl.public import PrivateKey

        app = create_app(db=str(path), testimony_public_key=PrivateKey.generate().public_key)
    except (ImportError, TypeError):
        return None
    client = TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)
    return client if client.get("/testimony").status_code != 404 else None


def test_testimony_echo_is_escaped(db_path):
    """If the testimony form exists: payloads posted to it come back (the
    form is re-shown with the person's words when the signed token says it
    was sent too quickly) only as text. Its own tests check the rest."""
    client = _testimony_client(db_path)
    if client is None:
        pytest.skip("no /testimony route in this tree yet")
    form = client.get("/testimony")
    assert_response_safe(form, "/testimony")
    page = lxml.html.fromstring(form.text)
    forms = page.xpath("//form[@method='post' or @method='POST']")
    assert forms, "the testimony page has no form"
    payload = '</textarea><script>alert(1)</script>"><img src=x onerror=alert(1)>'
    fields = {}
    for element in forms[0].xpath(".//input|.//textarea|.//select"):
        name, kind = element.get("name"), (element.get("type") or "").lower()
        if not name or kind in ("file", "submit"):
            continue
        if kind == "hidden":
            fields[name] = element.get("value") or ""
        elif element.tag == "select":
            options = element.xpath("./option/@value")
            fields[name] = options[-1] if options else ""
        elif kind in ("checkbox", "radio"):
            fields.setdefault(name, element.get("value") or "on")
        elif name == "website":  # the honeypot: a filled one gets a thank-you and nothing else
            fields[name] = ""
        else:
            fields[name] = payload
    action = forms[0].get("action") or "/testimony"
    response = client.post(action, data=fields, follow_redirects=True)
    assert_response_safe(response, "testimony answer")
    bad = dict(fields, **{k: payload for k in fields if k not in ("website",)})
    response = client.post(action, data=bad, follow_redirects=True)
    assert_response_safe(response, "testimony answer with a broken token")
