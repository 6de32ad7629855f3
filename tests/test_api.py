"""The web app's JSON API, downloads and HTML pages over a real SQLite
database filled by the real pipeline.

The data: the repository's `examples/` folder plus the fictional articles in
`tests/fixtures/web/` (operations in four countries, several agencies and
tactics, one operation with two sources that disagree on the arrest count,
one source title carrying `<script>alert(1)</script>`). The fixture then acts
as a reviewer would: one operation marked reviewed, and one operation split
off and merged back so that its id is a merged id that must redirect.

Every expected figure is computed here from `Store.operations()`, not from the
summaries the app reads.
"""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from raidwatch.export import COLUMNS  # noqa: E402
from raidwatch.model import COUNT_NAMES, TACTICS  # noqa: E402
from raidwatch.store import Store  # noqa: E402
from raidwatch.web import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
XSS = "<script>alert(1)</script>"



def _has_redaction() -> bool:
    try:
        return importlib.util.find_spec("raidwatch.privacy.redact") is not None
    except ImportError:
        return False


needs_privacy = pytest.mark.skipif(
    not _has_redaction(),
    reason="raidwatch.privacy (redaction, used by operation pages and downloads) is not in this tree yet",
)


def _dataset():
    path = ROOT / "tests" / "fixtures" / "web" / "dataset.py"
    spec = importlib.util.spec_from_file_location("raidwatch_web_dataset", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def web(request, tmp_path_factory):
    path, info = _dataset().copy_of_database(request.config, tmp_path_factory, "api")
    store = Store.open(str(path))
    ops = store.operations()
    app = create_app(db=str(path))
    with TestClient(app) as client:
        yield {"client": client, "ops": ops, "store": store, **info}
    store.close()


@pytest.fixture(scope="module")
def client(web) -> TestClient:
    return web["client"]


@pytest.fixture(scope="module")
def ops(web) -> list[dict]:
    return web["ops"]


# ------------------------------------------------------------------ helpers


def matches(op: dict, **f) -> bool:
    """The filters, applied here to `Store.operations()` dicts."""
    if "country" in f and op["place"]["country"] != f["country"].upper():
        return False
    if "region" in f and (op["place"]["admin1"] or "").lower() != f["region"].lower():
        return False
    if "agency" in f and f["agency"] not in op["agencies"]:
        return False
    if "tactic" in f and f["tactic"] not in op["tactics"]:
        return False
    if "venue" in f and f["venue"] not in op["venues"]:
        return False
    start = op["date"]["start"]
    if "from" in f and not (start and start >= f["from"]):
        return False
    if "to" in f and not (start and start <= f["to"]):
        return False
    if "reviewed" in f and (op["reviewed"] is not None) != (f["reviewed"] == "true"):
        return False
    return True


def expected_ids(ops: list[dict], **f) -> set[int]:
    return {op["id"] for op in ops if matches(op, **f)}


def all_items(client: TestClient, params: dict) -> list[dict]:
    """Every item of /api/v1/operations for `params`, following `next`."""
    response = client.get("/api/v1/operations", params={**params, "limit": 500})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next"] is None
    assert len(body["items"]) == body["total"]
    return body["items"]


def assert_error(response, statuses=(400, 422)) -> str:
    assert response.status_code in statuses, (response.status_code, response.text)
    body = response.json()
    assert isinstance(body.get("error"), str) and body["error"].strip(), body
    assert body["status"] == response.status_code
    return body["error"]


def expected_totals(ops: list[dict]) -> dict:
    return {
        "operations": len(ops),
        "counts": {n: sum(op["counts"][n] or 0 for op in ops) for n in COUNT_NAMES},
        "operations_stating": {n: sum(op["counts"][n] is not None for op in ops) for n in COUNT_NAMES},
        "press_conferences": sum(op["publicity"]["press_conference"] is True for op in ops),
        "names_or_photos_published": sum(op["publicity"]["names_or_photos_published"] is True for op in ops),
        "immigration_involved": sum(op["immigration_involved"] is True for op in ops),
        "reviewed": sum(op["reviewed"] is not None for op in ops),
    }


# ------------------------------------------------------------------ the data


def test_the_fixture_data_covers_what_the_tests_need(web, ops):
    assert len({op["place"]["country"] for op in ops}) >= 2
    assert len({a for op in ops for a in op["agencies"]}) >= 4
    assert len({t for op in ops for t in op["tactics"]}) >= 3
    two = next(op for op in ops if op["id"] == web["two_sources"])
    assert len(two["sources"]) == 2 and two["disputed"]
    assert sum(op["reviewed"] is not None for op in ops) == 1
    assert web["merged"] not in {op["id"] for op in ops}


# ------------------------------------------------------------------ /api/v1/operations


def test_operations_lists_every_live_operation_with_a_total(client, ops):
    body = client.get("/api/v1/operations").json()
    assert body["total"] == len(ops)
    assert {item["id"] for item in body["items"]} == {op["id"] for op in ops}
    assert body["limit"] == 50 and body["offset"] == 0 and body["next"] is None


def test_operation_items_use_the_json_export_field_names_and_values(client, ops):
    exported = {op["id"]: op for op in ops}  # what raidwatch.export.to_json writes for each operation
    for item in client.get("/api/v1/operations").json()["items"]:
        op = exported[item["id"]]
        # Every export key except the source list is there under the same name;
        # the list gives the number of sources instead of the sources themselves.
        assert set(op) - {"sources"} <= set(item), set(op) - set(item)
        assert set(item) - set(op) <= {"sources_count"}, set(item) - set(op)
        for key in ("place", "date", "counts", "publicity"):
            assert item[key] == op[key], key
        for key in ("id", "name", "agencies", "tactics", "venues", "immigration_involved", "latitude",
                    "longitude"):
            assert item[key] == op[key], key
        assert sorted(item["disputed"]) == sorted(op["disputed"])
        assert item["sources_count"] == len(op["sources"])
        assert item["reviewed"] == op["reviewed"]


@needs_privacy
def test_json_export_keys_are_the_store_keys(client, ops):
    response = client.get("/downloads/operations.json")
    assert response.status_code == 200, response.text
    exported = json.loads(response.text)["operations"]
    assert len(exported) == len(ops)
    by_id = {op["id"]: op for op in ops}
    for op in exported:
        assert set(op) == set(by_id[op["id"]]), op["id"]


def test_pagination_follows_next_through_every_operation(client, ops):
    seen, url, pages = [], "/api/v1/operations?limit=2&sort=id&order=asc", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == len(ops)
        assert len(body["items"]) <= 2
        seen.extend(item["id"] for item in body["items"])
        if body["next"]:
            query = parse_qs(urlsplit(body["next"]).query)
            assert query["limit"] == ["2"] and query["sort"] == ["id"] and query["order"] == ["asc"]
            assert query["offset"] == [str(body["offset"] + 2)]
        url = body["next"]
        pages += 1
        assert pages < 50
    assert seen == sorted(op["id"] for op in ops)
    assert pages == -(-len(ops) // 2)


def test_pagination_keeps_the_filters_in_next(client, ops):
    gb = expected_ids(ops, country="GB")
    assert len(gb) >= 2
    body = client.get("/api/v1/operations", params={"country": "GB", "limit": 1}).json()
    assert body["total"] == len(gb)
    assert parse_qs(urlsplit(body["next"]).query)["country"] == ["GB"]


def test_offset_past_the_end_gives_an_empty_page(client, ops):
    body = client.get("/api/v1/operations", params={"offset": len(ops) + 5}).json()
    assert body["items"] == [] and body["total"] == len(ops) and body["next"] is None


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sort_by_date_puts_unknown_dates_last(client, ops, order):
    items = all_items(client, {"sort": "date", "order": order})
    dates = [item["date"]["start"] for item in items]
    known = [d for d in dates if d]
    assert known == sorted(known, reverse=order == "desc")
    assert dates[: len(known)] == known
    assert len(set(known)) >= 3


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sort_by_arrests(client, ops, order):
    items = all_items(client, {"sort": "arrests", "order": order})
    arrests = [item["counts"]["arrested_total"] for item in items]
    known = [a for a in arrests if a is not None]
    assert known == sorted(known, reverse=order == "desc")
    assert arrests[: len(known)] == known
    assert len(set(known)) >= 3


def test_sort_by_id(client, ops):
    ids = [item["id"] for item in all_items(client, {"sort": "id", "order": "desc"})]
    assert ids == sorted((op["id"] for op in ops), reverse=True)


def _filter_cases(ops: list[dict]) -> list[dict]:
    agencies = Counter(a for op in ops for a in op["agencies"])
    tactics = Counter(t for op in ops for t in op["tactics"])
    venues = Counter(v for op in ops for v in op["venues"])
    dates = sorted(op["date"]["start"] for op in ops if op["date"]["start"])
    middle = dates[len(dates) // 2]
    return [
        {"country": "GB"}, {"country": "us"}, {"country": "CA"},
        {"region": "england"}, {"region": "Florida"},
        {"agency": agencies.most_common(1)[0][0]}, {"agency": "Houston Police Department"},
        {"tactic": tactics.most_common(1)[0][0]}, {"tactic": "street_sweep"},
        {"venue": venues.most_common(1)[0][0]}, {"venue": "massage_business"},
        {"from": middle}, {"to": middle}, {"from": dates[1], "to": dates[-2]},
        {"reviewed": "true"}, {"reviewed": "false"},
        {"country": "US", "tactic": "online_sting"}, {"country": "GB", "venue": "street", "from": "2025-01-01"},
    ]


def test_every_filter_narrows_to_the_matching_operations(client, ops):
    for params in _filter_cases(ops):
        want = expected_ids(ops, **params)
        assert 0 < len(want) < len(ops), (params, want)
        body = client.get("/api/v1/operations", params=params).json()
        assert body["total"] == len(want), params
        assert {item["id"] for item in body["items"]} == want, params


def test_filters_with_no_match_give_an_empty_list(client):
    for params in ({"country": "ZZ"}, {"agency": "No Such Agency"}, {"from": "2030-01-01"}, {"to": "1990-01-01"}):
        body = client.get("/api/v1/operations", params=params).json()
        assert body == {"items": [], "total": 0, "limit": 50, "offset": 0, "next": None}, params


# ------------------------------------------------------------------ bad parameters


@pytest.mark.parametrize("query", [
    "limit=0", "limit=100000", "limit=-1", "limit=abc", "limit=1.5", "offset=-1", "offset=abc",
    "offset=99999999999999999999", "limit=99999999999999999999999",
    "sort=bogus", "order=sideways", "reviewed=perhaps",
])
def test_out_of_range_paging_and_sorting_is_refused_with_a_message(client, query):
    message = assert_error(client.get(f"/api/v1/operations?{query}"))
    assert query.split("=")[0] in message


@pytest.mark.parametrize("query", [
    "from=2024-13-01", "from=yesterday", "to=2024-02-30", "from=2024-05-01&to=2024-01-01",
    "tactic=teleportation", "venue=moon", "country=USA", "country=1",
    "region=" + "x" * 500,
])
@pytest.mark.parametrize("path", ["/api/v1/operations", "/api/v1/summary", "/api/v1/agencies", "/api/v1/timeline"])
def test_bad_filters_are_refused_with_a_message(client, path, query):
    assert_error(client.get(f"{path}?{query}"))


@pytest.mark.parametrize("query", [
    "from=2024-13-01", "tactic=teleportation", "venue=moon", "country=USA", "from=2024-05-01&to=2024-01-01",
])
@pytest.mark.parametrize("path", ["/", "/operations", "/agencies", "/downloads", "/downloads/operations.csv",
                                  "/downloads/operations.json", "/downloads/operations.geojson"])
def test_pages_and_downloads_refuse_bad_filters_with_400(client, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400, (response.status_code, response.text[:300])
    if path.endswith(".json"):
        assert response.json()["error"]
    else:
        assert "could not be understood" in response.text


@pytest.mark.parametrize("query", ["page=0", "page=abc", "page=100001", "page=-3"])
def test_operations_page_refuses_bad_page_numbers(client, query):
    response = client.get(f"/operations?{query}")
    assert response.status_code == 400
    assert "page" in response.text


# ------------------------------------------------------------------ one operation


@needs_privacy
def test_operation_has_fields_with_claims_evidence_and_sources(client, web, ops):
    op_id = web["two_sources"]
    response = client.get(f"/api/v1/operations/{op_id}")
    assert response.status_code == 200, response.text
    op = response.json()
    assert op["id"] == op_id
    assert len(op["sources"]) == 2
    for source in op["sources"]:
        assert {"document_id", "source_id", "title", "url", "published"} <= set(source)
    doc_ids = {s["document_id"] for s in op["sources"]}
    fields = op["fields"]
    assert "counts.arrested_total" in fields
    for name, field in fields.items():
        assert {"value", "reason", "disputed", "claims"} <= set(field), name
    sentences = [c["evidence"]["sentence"] for f in fields.values() for c in f["claims"] if c.get("evidence")]
    assert len(sentences) >= 5 and all(s.strip() for s in sentences)
    arrests = fields["counts.arrested_total"]
    assert arrests["disputed"] is True
    values = {c["document_id"]: c["value"] for c in arrests["claims"] if c.get("document_id") in doc_ids}
    assert len(values) == 2 and len(set(values.values())) == 2, values
    assert arrests["value"] in values.values()
    for claim in arrests["claims"]:
        sentence = claim["evidence"]["sentence"]
        assert str(claim["value"]) in sentence, (claim["value"], sentence)
    assert "counts.arrested_total" in op["disputed"]


@needs_privacy
def test_operation_detail_agrees_with_the_list(client, ops):
    for op in ops:
        detail = client.get(f"/api/v1/operations/{op['id']}").json()
        for key in ("name", "agencies", "place", "date", "counts", "publicity", "tactics", "venues"):
            assert detail[key] == op[key], (op["id"], key)


def test_merged_operation_id_redirects_to_the_operation_it_joined(client, web):
    response = client.get(f"/api/v1/operations/{web['merged']}", follow_redirects=False)
    assert response.status_code in (301, 307, 308)
    assert response.headers["location"].endswith(f"/api/v1/operations/{web['two_sources']}")
    page = client.get(f"/operations/{web['merged']}", follow_redirects=False)
    assert page.status_code in (301, 302, 307, 308)
    assert page.headers["location"].endswith(f"/operations/{web['two_sources']}")


@needs_privacy
def test_merged_operation_id_redirect_can_be_followed(client, web):
    response = client.get(f"/api/v1/operations/{web['merged']}")
    assert response.status_code == 200
    assert response.json()["id"] == web["two_sources"]


@pytest.mark.parametrize("op_id", ["999999", "0", "-1", "2147483648", "99999999999999999999999"])
def test_unknown_operation_id_is_404(client, op_id):
    response = client.get(f"/api/v1/operations/{op_id}")
    assert response.status_code == 404, (response.status_code, response.text)
    assert "error" in response.json()
    assert client.get(f"/operations/{op_id}").status_code == 404


def test_non_numeric_operation_id_is_refused(client):
    assert_error(client.get("/api/v1/operations/abc"), statuses=(404, 422))


# ------------------------------------------------------------------ summary, agencies


@pytest.mark.parametrize("params", [{}, {"country": "US"}, {"tactic": "premises_raid"}, {"from": "2024-01-01"},
                                    {"agency": "Houston Police Department"}, {"country": "ZZ"}])
def test_summary_figures_are_the_sums_over_the_operations(client, ops, params):
    response = client.get("/api/v1/summary", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    chosen = [op for op in ops if matches(op, **params)]
    want = expected_totals(chosen)
    for key, value in want.items():
        assert body[key] == value, (params, key)
    assert isinstance(body["statement"], str)
    assert f"{body['counts']['arrested_total']:,} arrests" in body["statement"]


def test_summary_of_everything_is_not_trivial(client, ops):
    body = client.get("/api/v1/summary").json()
    assert body["operations"] >= 6
    assert body["counts"]["arrested_total"] > 50
    assert body["reviewed"] == 1


def test_timeline_counts_operations_per_month(client, ops):
    items = client.get("/api/v1/timeline").json()["items"]
    per_month = Counter(op["date"]["start"][:7] for op in ops if op["date"]["start"])
    assert {row["month"]: row["operations"] for row in items} == dict(per_month)
    arrests = Counter()
    for op in ops:
        if op["date"]["start"]:
            arrests[op["date"]["start"][:7]] += op["counts"]["arrested_total"] or 0
    assert {row["month"]: row["arrests"] for row in items} == {m: arrests[m] for m in per_month}


@pytest.mark.parametrize("params", [{}, {"country": "US"}, {"tactic": "immigration_enforcement"}])
def test_agencies_with_their_number_of_operations(client, ops, params):
    response = client.get("/api/v1/agencies", params=params)
    assert response.status_code == 200, response.text
    got = {row["agency"]: row["operations"] for row in response.json()["items"]}
    want = Counter(a for op in ops if matches(op, **params) for a in set(op["agencies"]))
    assert got == dict(want)
    counts = [row["operations"] for row in response.json()["items"]]
    assert counts == sorted(counts, reverse=True)


def test_agencies_limit_is_checked(client):
    assert_error(client.get("/api/v1/agencies?limit=0"))
    assert_error(client.get("/api/v1/agencies?limit=99999"))
    assert len(client.get("/api/v1/agencies?limit=2").json()["items"]) == 2


def test_one_agency(client, ops):
    name = "Nottinghamshire Police"
    body = client.get(f"/api/v1/agencies/{name}").json()
    chosen = [op for op in ops if name in op["agencies"]]
    assert body["agency"] == name
    assert body["operations"] == len(chosen)
    assert body["counts"] == expected_totals(chosen)["counts"]
    assert client.get("/api/v1/agencies/No%20Such%20Agency").status_code == 404


# ------------------------------------------------------------------ OpenAPI and docs


def test_openapi_description_is_valid_and_lists_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert re.fullmatch(r"3\.\d+\.\d+", spec["openapi"])
    assert spec["info"]["title"] and spec["info"]["version"]
    paths = spec["paths"]
    for path in ("/api/v1/operations", "/api/v1/operations/{operation_id}", "/api/v1/summary",
                 "/api/v1/agencies", "/api/v1/agencies/{name}", "/api/v1/timeline"):
        assert "get" in paths[path], path
        assert "200" in paths[path]["get"]["responses"], path
    assert "/api/v1/docs" not in paths
    assert not any(p.startswith("/review") or p.startswith("/downloads") for p in paths)
    params = {p["name"]: p for p in paths["/api/v1/operations"]["get"]["parameters"]}
    assert {"country", "region", "agency", "tactic", "venue", "from", "to", "reviewed", "limit", "offset",
            "sort", "order"} <= set(params)
    tactic_schema = json.dumps(params["tactic"]["schema"])
    assert all(t in tactic_schema for t in TACTICS)
    # Every $ref points at a schema that exists.
    schemas = spec.get("components", {}).get("schemas", {})
    for ref in re.findall(r'"\$ref": "([^"]+)"', json.dumps(spec)):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
    try:
        from openapi_spec_validator import validate
    except ImportError:
        return
    validate(spec)


def test_api_docs_page_uses_local_scripts_only(client):
    response = client.get("/api/v1/docs")
    if response.status_code == 503:
        pytest.skip("node_modules/swagger-ui-dist missing (run `make setup`)")
    assert response.status_code == 200
    urls = re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]+)"', response.text)
    assert any(u.endswith("swagger-ui-bundle.js") for u in urls)
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        assert client.get(url).status_code == 200, url
    assert "<script>" not in response.text  # no inline script
    assert "/api/v1/openapi.json" in response.text


# ------------------------------------------------------------------ downloads


def _rows(client, fmt: str, params: dict) -> tuple[int, object]:
    response = client.get(f"/downloads/operations.{fmt}", params=params)
    assert response.status_code == 200, response.text[:500]
    assert f'filename="operations.{fmt}"' in response.headers["content-disposition"]
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(response.text)))
        return len(rows), rows
    body = json.loads(response.text)
    if fmt == "json":
        return len(body["operations"]), body["operations"]
    assert body["type"] == "FeatureCollection"
    return len(body["features"]), body["features"]


@needs_privacy
@pytest.mark.parametrize("params", [{}, {"country": "GB"}, {"agency": "Houston Police Department"},
                                    {"tactic": "immigration_enforcement"}, {"venue": "street"},
                                    {"region": "Florida"}, {"from": "2024-06-01", "to": "2025-01-31"},
                                    {"country": "ZZ"}])
def test_downloads_honour_the_filters(client, ops, params):
    total = client.get("/api/v1/operations", params=params).json()["total"]
    assert total == len(expected_ids(ops, **params))
    n_csv, rows = _rows(client, "csv", params)
    n_json, items = _rows(client, "json", params)
    n_geo, features = _rows(client, "geojson", params)
    assert n_csv == n_json == total
    with_coordinates = sum(1 for op in ops if matches(op, **params) and op["latitude"] is not None
                           and op["longitude"] is not None)
    assert n_geo == with_coordinates
    want = expected_ids(ops, **params)
    assert {int(r["id"]) for r in rows} == want
    assert {op["id"] for op in items} == want
    assert {f["id"] for f in features} <= want
    if rows:
        assert list(rows[0]) == list(COLUMNS)


@pytest.mark.parametrize("fmt", ["xml", "xlsx", "csv.exe", "CSV"])
def test_unknown_download_format_is_404(client, fmt):
    assert client.get(f"/downloads/operations.{fmt}").status_code == 404


def test_downloads_page_links_carry_the_filters(client):
    page = client.get("/downloads?country=GB&tactic=street_sweep")
    assert page.status_code == 200
    for fmt in ("csv", "json", "geojson"):
        assert f"/downloads/operations.{fmt}?country=GB&amp;tactic=street_sweep" in page.text


# ------------------------------------------------------------------ HTML pages


@pytest.mark.parametrize("path", ["/", "/operations", "/agencies", "/downloads", "/data-dictionary",
                                  "/?country=GB", "/operations?tactic=online_sting&page=1",
                                  "/agencies/Nottinghamshire%20Police", "/agencies/Lake%20County%20Sheriff's%20Office"])
def test_public_pages_answer(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert '<a class="skip" href="#main">' in response.text


@needs_privacy
def test_operation_pages_answer(client, ops):
    for op in ops:
        response = client.get(f"/operations/{op['id']}")
        assert response.status_code == 200, (op["id"], response.text[:500])


@needs_privacy
def test_operation_page_shows_sources_and_evidence(client, web):
    text = client.get(f"/operations/{web['two_sources']}").text
    assert text.count('<li id="source-') == 2
    assert text.count("<q>") >= 5
    assert "disputed" in text


@needs_privacy
def test_title_with_a_script_tag_is_shown_escaped(client, web):
    response = client.get(f"/operations/{web['xss']}")
    assert response.status_code == 200
    assert XSS not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "alert(1)" in response.text  # the title is shown, as text


def test_reflected_values_are_escaped(client):
    for path in (f"/agencies/{XSS}", f"/operations?region={XSS}", f"/agencies?agency={XSS}",
                 f"/api/v1/docs?x={XSS}", f"/nowhere/{XSS}", f"/operations?page={XSS}", f"/?from={XSS}"):
        response = client.get(path)
        assert response.status_code < 500, path
        assert XSS not in response.text, path
        assert "<script>alert" not in response.text, path


def test_dashboard_lists_the_latest_operations(client, ops):
    text = client.get("/").text
    latest = text[text.index('id="latest-h"'):]
    dated = sorted((op for op in ops if op["date"]["start"]), key=lambda op: op["date"]["start"], reverse=True)
    for op in dated[:10]:
        assert f'href="/operations/{op["id"]}"' in latest, op["id"]
    assert "No operations match" not in latest
    gb = client.get("/?country=GB").text
    gb_latest = gb[gb.index('id="latest-h"'):]
    for op in ops:
        linked = f'href="/operations/{op["id"]}"' in gb_latest
        assert linked == (op["place"]["country"] == "GB"), op["id"]


def test_unknown_page_is_an_html_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


# ------------------------------------------------------------------ headers


@pytest.mark.parametrize("path", ["/", "/operations", "/api/v1/operations", "/api/v1/openapi.json",
                                  "/api/v1/operations/999999", "/no-such-page", "/static/app/app.css",
                                  "/api/v1/operations?limit=0", "/downloads/operations.csv?country=ZZ"])
def test_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers.get("x-frame-options") == "DENY"
    assert "server" not in {k.lower() for k in headers if headers[k].lower().startswith("uvicorn")}
