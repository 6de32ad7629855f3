"""Public pages (server-rendered HTML) and downloads."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from raidwatch import export
from raidwatch.model import TACTICS, VENUES
from raidwatch.publish import public_operation, public_operations
from raidwatch.store.summaries import Filters

from .app import html
from .filters import has_control_characters, int_param, parse_filters, query_string
from .views import COUNT_LABELS, FIELD_LABELS, citation, count_rows, gap_statement

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


def _store(request: Request):
    return request.app.state.store


def _filter_context(request: Request, filters: Filters) -> dict[str, Any]:
    queries = _store(request).summaries()
    return {
        "filters": filters,
        "filter_query": query_string(filters),
        "choices": {
            "country": [v for v, _ in queries.facet_values("country")],
            "region": [v for v, _ in queries.facet_values("region")],
            "agency": [v for v, _ in queries.facet_values("agency")],
            "tactic": list(TACTICS),
            "venue": list(VENUES),
        },
    }


@router.get("/")
def home(request: Request):
    filters = parse_filters(request)
    queries = _store(request).summaries()
    totals = queries.totals(filters)
    latest, _ = queries.list(filters, limit=10, sort="date")
    timeline = queries.timeline(filters)
    return html(request, "home.html", {
        **_filter_context(request, filters),
        "totals": totals,
        "gap": gap_statement(totals),
        "count_rows": count_rows(totals["counts"]),
        "items": latest,  # the table of latest operations (_op_table.html)
        "timeline": _timeline_bars(timeline),
        "map_data": "/downloads/operations.geojson" + (f"?{query_string(filters)}" if filters.active() else ""),
        "has_map": request.app.state.vendor.get("leaflet", False),
    })


def _timeline_bars(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Monthly bars for an SVG drawn by the template (no script needed)."""
    if not rows:
        return {"bars": [], "max_ops": 0, "max_arrests": 0}
    max_ops = max(r["operations"] for r in rows) or 1
    max_arrests = max(r["arrests"] for r in rows) or 1
    width = max(4, min(24, 720 // len(rows)))
    bars = [
        {**r, "x": i * width, "w": max(1, width - 1), "h_ops": round(60 * r["operations"] / max_ops),
         "h_arrests": round(60 * r["arrests"] / max_arrests)}
        for i, r in enumerate(rows)
    ]
    return {"bars": bars, "max_ops": max_ops, "max_arrests": max_arrests, "width": len(rows) * width}


@router.get("/operations")
def operations_page(request: Request):
    filters = parse_filters(request)
    page = int_param(request, "page", 1, 1, 100_000)
    items, total = _store(request).summaries().list(filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    return html(request, "operations.html", {
        **_filter_context(request, filters), "items": items, "total": total, "page": page, "pages": pages,
    })


@router.get("/operations/{operation_id}")
def operation_page(request: Request, operation_id: int):
    store = _store(request)
    live = store.resolve_operation_id(operation_id)  # None for an unknown or out-of-range id
    if live is None:
        raise HTTPException(404, f"There is no operation {operation_id}.")
    if live != operation_id:
        return RedirectResponse(f"/operations/{live}", status_code=301)
    op = public_operation(store, operation_id)
    if op is None:
        raise HTTPException(404, f"Operation {operation_id} has no sources any more.")
    sources = {s["document_id"]: s for s in op["sources"]}
    # per source, each evidence sentence once (in text order) with the values read from it
    sentences: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for name, field in op["fields"].items():
        if name in ("place.latitude", "place.longitude", "date.precision"):
            continue
        for claim in field["claims"]:
            ev = claim.get("evidence")
            if ev and claim["document_id"] in sources:
                entry = sentences[claim["document_id"]].setdefault(
                    ev["sentence_start"], {"sentence": ev["sentence"], "values": []}
                )
                value = claim["value"]
                shown = "; ".join(map(str, value)) if isinstance(value, list) else value
                entry["values"].append(f"{FIELD_LABELS.get(name, name)}: {shown}")
    evidence_by_source = {doc: [v for _, v in sorted(entries.items())] for doc, entries in sentences.items()}
    return html(request, "operation.html", {
        "op": op,
        "fields": [(name, FIELD_LABELS.get(name, name), field) for name, field in op["fields"].items()
                   if name not in ("place.latitude", "place.longitude")],
        "evidence": evidence_by_source,
        "citation": citation(op, str(request.url)),
    })


@router.get("/agencies")
def agencies_page(request: Request):
    filters = parse_filters(request)
    agencies = _store(request).summaries().facet_values("agency", filters, limit=2000)
    return html(request, "agencies.html", {**_filter_context(request, filters), "agencies": agencies})


@router.get("/agencies/{name:path}")
def agency_page(request: Request, name: str):
    queries = _store(request).summaries()
    if has_control_characters(name):
        raise HTTPException(404, "No agency has that name.")
    filters = Filters(agency=name)
    totals = queries.totals(filters)
    if not totals["operations"]:
        raise HTTPException(404, f"No operation names the agency {name!r}.")
    items, total = queries.list(filters, limit=500)
    years: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in queries.timeline(filters):
        year = years[row["month"][:4]]
        year["operations"] += row["operations"]
        year["arrests"] += row["arrests"]
    return html(request, "agency.html", {
        "name": name, "totals": totals, "gap": gap_statement(totals), "count_rows": count_rows(totals["counts"]),
        "items": items, "total": total, "years": sorted(years.items()),
    })


@router.get("/downloads")
def downloads_page(request: Request):
    filters = parse_filters(request)
    return html(request, "downloads.html", {**_filter_context(request, filters)})


@router.get("/data-dictionary")
def data_dictionary(request: Request):
    return html(request, "dictionary.html", {"columns": export.COLUMNS, "count_labels": COUNT_LABELS})


DOWNLOADS = {"csv": ("text/csv; charset=utf-8", export.to_csv), "json": ("application/json", export.to_json),
             "geojson": ("application/geo+json", export.to_geojson)}


@router.get("/downloads/operations.{fmt}")
def download(request: Request, fmt: str):
    if fmt not in DOWNLOADS:
        raise HTTPException(404, "Downloads are operations.csv, operations.json and operations.geojson.")
    filters = parse_filters(request)
    store = _store(request)
    ids = store.summaries().ids(filters)
    ops = []
    for start in range(0, len(ids), 1000):
        ops.extend(public_operations(store, ids=ids[start:start + 1000]))
    order = {op_id: i for i, op_id in enumerate(ids)}
    ops.sort(key=lambda op: order[op["id"]])
    media, writer = DOWNLOADS[fmt]
    return Response(writer(ops), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="operations.{fmt}"'})
