"""The public pages in a real browser (see conftest.py for the set-up).

Every test fails at teardown if a page made a request outside the local
server (the `page`/`new_context` fixtures record all of them).
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def csp_violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    path = SCREENSHOTS / f"{name}-{width}px.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def figure(page, name: str = "operations") -> int:
    return int(page.locator(f'[data-figure="{name}"]').inner_text().replace(",", ""))


def markers(page) -> int:
    """Waits until the map script has drawn the operations; their number."""
    page.wait_for_selector("#map[data-markers], #map[data-error]", state="attached")
    error = page.get_attribute("#map", "data-error")
    assert error is None, f"the map could not load its data: {error}"
    return int(page.get_attribute("#map", "data-markers"))


def assert_clean(page, recorder) -> None:
    assert not recorder.console_errors, recorder.console_errors
    assert not recorder.page_errors, recorder.page_errors
    assert not csp_violations(page), csp_violations(page)


def agency_with_most_operations(server) -> str:
    return server.get_json("/api/v1/agencies")["items"][0]["agency"]


# ------------------------------------------------------------------ dashboard


def test_dashboard_shows_figures_and_map_markers(page, server, recorder):
    page.goto("/")
    total = server.get_json("/api/v1/summary")["operations"]
    assert figure(page) == total > 0
    assert figure(page, "people arrested") == server.get_json("/api/v1/summary")["counts"]["arrested_total"] > 0
    on_map = markers(page)
    geojson = server.get_json("/downloads/operations.geojson")
    assert on_map == len(geojson["features"]) > 0
    assert page.locator(".op-marker").count() == on_map
    # Country outlines (world-atlas) are drawn too: more paths than markers.
    page.wait_for_function("document.querySelectorAll('#map path').length > %d" % on_map)
    assert page.locator(".timeline svg rect").count() > 0
    assert page.locator("table.ops tbody tr").count() == min(10, total)
    assert_clean(page, recorder)


def test_map_marker_opens_a_popup_linking_to_the_operation(page, server):
    page.goto("/")
    assert markers(page) > 0
    page.locator("#map").scroll_into_view_if_needed()
    marker = page.locator(".op-marker").first
    # fitBounds animates the zoom: wait until the marker stops moving.
    page.wait_for_selector(".leaflet-zoom-anim", state="detached")
    previous = None
    for _ in range(50):
        box = marker.bounding_box()
        if box == previous:
            break
        previous = box
        page.wait_for_timeout(100)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    link = page.locator(".leaflet-popup-content a")
    link.wait_for()
    assert re.fullmatch(r"/operations/\d+", link.get_attribute("href"))
    link.click()
    page.wait_for_url(re.compile(r"/operations/\d+$"))
    assert page.locator("h2#sources-h").is_visible()


def test_choosing_a_filter_narrows_the_figures_and_the_url_keeps_it(page, new_context, server, recorder):
    page.goto("/")
    before, before_markers = figure(page), markers(page)
    page.select_option('form.filters select[name="country"]', "GB")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"country=GB"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["country"] == ["GB"]
    after = figure(page)
    assert 0 < after < before
    assert after == server.get_json("/api/v1/summary?country=GB")["operations"]
    assert 0 < markers(page) < before_markers
    assert page.locator("h2#figures-h").inner_text() == "Figures for these filters"
    rows = page.locator("table.ops tbody tr")
    assert rows.count() == after
    for i in range(rows.count()):
        assert rows.nth(i).locator("td").nth(2).inner_text().endswith("GB")
    # Shareable: the same URL in a fresh browser shows the same selection.
    shared = new_context().new_page()
    shared.goto(page.url)
    assert figure(shared) == after
    assert shared.locator('select[name="country"]').input_value() == "GB"
    # And "Clear filters" goes back to everything.
    shared.get_by_role("link", name="Clear filters").click()
    shared.wait_for_url(re.compile(r"/$"))
    assert figure(shared) == before
    assert_clean(page, recorder)


def test_date_filter_from_the_form(page, server):
    page.goto("/operations")
    total = int(re.search(r"([\d,]+) operation", page.locator("main p").first.inner_text()).group(1))
    page.fill('input[name="from"]', "2024-06-01")
    page.fill('input[name="to"]', "2024-12-31")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"from=2024-06-01"))
    assert "to=2024-12-31" in page.url
    want = server.get_json("/api/v1/operations?from=2024-06-01&to=2024-12-31")["total"]
    assert 0 < want < total
    assert page.locator("table.ops tbody tr").count() == want
    for cell in page.locator("table.ops tbody tr td:first-child").all_inner_texts():
        assert "2024-06-01" <= cell <= "2024-12-31"


# ------------------------------------------------------------------ operation and agency pages


def test_operation_page_shows_sources_with_evidence_sentences(page, server, recorder):
    op_id = server.info["two_sources"]
    page.goto(f"/operations/{op_id}")
    sources = page.locator("ol.sources > li")
    assert sources.count() == 2
    for i in range(2):
        source = sources.nth(i)
        assert source.locator("strong").inner_text().strip()
        quotes = source.locator("ul.evidence q")
        assert quotes.count() >= 2
        assert all(len(q.strip()) > 10 for q in quotes.all_inner_texts())
    # The disputed arrest count: both sources' values are listed.
    row = page.locator("#field-counts-arrested_total")
    assert "disputed" in (row.get_attribute("class") or "")
    claims = row.locator("ul.claims li").all_inner_texts()
    assert len(claims) == 2 and len({c.split(" ")[0] for c in claims}) == 2
    assert page.locator("p.citation").inner_text().endswith(f"/operations/{op_id}")
    assert_clean(page, recorder)


def test_merged_operation_url_lands_on_the_operation(page, server):
    page.goto(f"/operations/{server.info['merged']}")
    assert urlsplit(page.url).path == f"/operations/{server.info['two_sources']}"


def test_script_in_a_source_title_is_shown_as_text(page, server, recorder):
    items = server.get_json("/api/v1/operations?agency=Houston%20Police%20Department")["items"]
    assert len(items) == 1
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"/operations/{items[0]['id']}")
    assert "<script>alert(1)</script>" in page.locator("ol.sources strong").first.inner_text()
    assert page.locator("main script").count() == 0
    assert dialogs == []
    assert_clean(page, recorder)


def test_agency_page_from_the_agencies_list(page, server, recorder):
    name = agency_with_most_operations(server)
    page.goto("/agencies")
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_url(re.compile(r"/agencies/.+"))
    assert page.locator("h1").inner_text() == name
    expected = server.get_json("/api/v1/agencies")["items"][0]["operations"]
    assert page.locator("#ops-h").inner_text() == f"Operations ({expected})"
    assert page.locator("table.ops").last.locator("tbody tr").count() == expected
    assert_clean(page, recorder)


# ------------------------------------------------------------------ keyboard


def test_tab_reaches_skip_to_content_first(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]")
    assert focused == ["Skip to content", "#main"]
    skip = page.locator("a.skip")
    assert skip.is_visible()
    box = skip.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0 and box["y"] >= 0
    page.keyboard.press("Enter")
    assert urlsplit(page.url).fragment == "main"
    # The next Tab lands inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_filters_form_works_with_the_keyboard_alone(page):
    page.goto("/operations")
    page.focus('select[name="tactic"]')
    page.keyboard.press("ArrowDown")  # the first tactic after "any"
    chosen = page.locator('select[name="tactic"]').input_value()
    assert chosen
    for _ in range(12):  # on past the venue and the date fields to the button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "BUTTON":
            break
    assert page.evaluate("document.activeElement.textContent") == "Apply"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(f"tactic={chosen}"))
    assert page.locator('select[name="tactic"]').input_value() == chosen


# ------------------------------------------------------------------ API docs


def test_api_docs_render_swagger_ui_from_local_files(page, server, recorder):
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    paths = page.locator(".swagger-ui .opblock-summary-path").all_inner_texts()
    assert any("/api/v1/operations" in p for p in paths)
    assert any("/api/v1/summary" in p for p in paths)
    scripts = [u for u in recorder.requests if u.endswith(".js")]
    assert any(u.endswith("/static/vendor/swagger-ui/swagger-ui-bundle.js") for u in scripts)
    assert all(u.startswith(server.url) for u in scripts)
    assert f"{server.url}/api/v1/openapi.json" in recorder.requests
    assert_clean(page, recorder)


# ------------------------------------------------------------------ errors and screenshots


MAIN_PAGES = ["/", "/operations", "/agencies", "/downloads", "/data-dictionary", "/api/v1/docs",
              "/?country=US&tactic=online_sting", "/operations?page=1&venue=street"]


def test_no_console_errors_or_csp_violations_on_the_main_pages(page, server, recorder):
    op_id = server.info["two_sources"]
    agency = agency_with_most_operations(server)
    for path in MAIN_PAGES + [f"/operations/{op_id}", f"/agencies/{agency}"]:
        response = page.goto(path)
        assert response.status == 200, path
        if path.startswith("/?") or path == "/":
            markers(page)  # the map has fetched its outlines and operations
        if path.startswith("/api/"):
            page.wait_for_selector(".swagger-ui .opblock")
        assert not csp_violations(page), (path, csp_violations(page))
    assert not recorder.console_errors, recorder.console_errors
    assert not recorder.page_errors, recorder.page_errors
    assert not recorder.failed, recorder.failed
    assert len(recorder.requests) > len(MAIN_PAGES)


def test_error_pages_are_pages(page):
    response = page.goto("/operations/999999")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Not found"
    response = page.goto("/operations?from=not-a-date")
    assert response.status == 400
    assert "YYYY-MM-DD" in page.locator("p.error").inner_text()


# How far the page scrolls sideways, and the innermost elements sticking out.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth, wide = [];
  for (const e of document.querySelectorAll("main *")) {
    const r = e.getBoundingClientRect();
    if (r.right > width + 1 && ![...e.children].some(c => c.getBoundingClientRect().right > width + 1)) {
      wide.push(e.tagName.toLowerCase() + (e.className ? "." + e.className : "") + ": "
                + (e.textContent || "").trim().slice(0, 60));
    }
  }
  return [document.documentElement.scrollWidth - width, wide.slice(0, 5)];
}"""


def test_pages_fit_a_phone_screen(new_context, server):
    """At 390px nothing sticks out sideways (no horizontal scrolling)."""
    page = new_context(width=390, height=844).new_page()
    paths = MAIN_PAGES + [f"/agencies/{agency_with_most_operations(server)}"]
    paths += [f"/operations/{item['id']}" for item in server.get_json("/api/v1/operations?limit=500")["items"]]
    too_wide = {}
    for path in paths:
        page.goto(path)
        if path.startswith("/api/"):
            page.wait_for_selector(".swagger-ui .opblock")
        overflow, wide = page.evaluate(OVERFLOW_JS)
        if overflow > 0:
            too_wide[path] = (overflow, wide)
    assert not too_wide, too_wide


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots(new_context, server, recorder, width):
    page = new_context(width=width, height=844 if width == 390 else 900).new_page()
    agency = agency_with_most_operations(server)
    shots = {
        "dashboard": "/",
        "operation": f"/operations/{server.info['two_sources']}",
        "agency": f"/agencies/{agency}",
        "downloads": "/downloads",
        "api-docs": "/api/v1/docs",
    }
    for name, path in shots.items():
        page.goto(path)
        if name == "dashboard":
            assert markers(page) > 0
        if name == "api-docs":
            page.wait_for_selector(".swagger-ui .opblock")
        written = screenshot(page, name)
        assert written.stat().st_size > 5_000
    assert_clean(page, recorder)


# ------------------------------------------------------------------ reviewers


def test_reviewer_corrects_a_count_and_the_public_page_and_audit_log_show_it(new_context, server, recorder):
    """Log in, correct a count on the review page, see the corrected value on
    the public page and in the API, and the change in the audit log."""
    page = new_context().new_page()
    if page.goto("/login").status == 404:
        pytest.skip("the reviewers' pages (/login) are not in this version of the app yet")
    if server.info.get("reviewer") is None:
        pytest.skip("`raidwatch users add NAME --password-stdin` is not available to create a reviewer")
    name, password = server.info["reviewer"]
    items = server.get_json("/api/v1/operations?agency=West%20Yorkshire%20Police")["items"]
    assert len(items) == 1
    op_id, old = items[0]["id"], items[0]["counts"]["arrested_total"]
    new = old + 3

    # A wrong password is refused, then the right one lets the reviewer in.
    page.fill('input[name="name"]', name)
    page.fill('input[name="password"]', password + "-wrong")
    page.get_by_role("button", name="Log in").click()
    assert page.locator('input[name="password"]').is_visible()
    page.fill('input[name="name"]', name)
    page.fill('input[name="password"]', password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/review"))

    page.goto(f"/review/operations/{op_id}")
    form = page.locator('form.field-form:has(input[name="field"][value="counts.arrested_total"])')
    form.locator('input[name="value"]').fill(str(new))
    form.locator('input[name="note"]').fill("browser test: recount")
    form.get_by_role("button", name="Save").click()
    page.wait_for_load_state()

    # The public page (logged out: a fresh browser) shows the corrected value.
    public = new_context().new_page()
    public.goto(f"/operations/{op_id}")
    assert public.locator("#field-counts-arrested_total td.value").inner_text().strip() == str(new)
    assert server.get_json(f"/api/v1/operations/{op_id}")["counts"]["arrested_total"] == new

    page.goto("/review/audit")
    row = page.locator("table.audit tbody tr").first
    cells = row.locator("td").all_inner_texts()
    assert cells[1] == name
    assert cells[2] == "correct"
    assert f"#{op_id}" in cells[3]
    assert f"{old}" in cells[5] and f"{new}" in cells[5]
    assert cells[6] == "browser test: recount"
    # The refused password's 401 is the only resource error the browser logs.
    unexpected = [e for e in recorder.console_errors if not (e.endswith("/login: Failed to load resource: the "
                                                                        "server responded with a status of 401 "
                                                                        "(Unauthorized)"))]
    assert not unexpected, unexpected
    assert not recorder.page_errors, recorder.page_errors
