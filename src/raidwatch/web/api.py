"""The JSON API under /api/v1 (described by /api/v1/openapi.json; docs page
at /api/v1/docs). Field names match the JSON export."""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from raidwatch.model import TACTICS, VENUES
from raidwatch.publish import public_operation
from raidwatch.store.summaries import Filters

from .filters import has_control_characters
from .views import gap_statement

router = APIRouter(prefix="/api/v1", tags=["operations"])

Tactic = Literal[TACTICS]  # type: ignore[valid-type]
Venue = Literal[VENUES]  # type: ignore[valid-type]


def _filters(
    country: str | None = Query(None, min_length=2, max_length=2, pattern="^[A-Za-z]{2}$",
                                description="ISO 3166-1 alpha-2 country code, e.g. US"),
    region: str | None = Query(None, max_length=200, description="state, province or nation, e.g. Florida"),
    agency: str | None = Query(None, max_length=200, description="an agency's canonical name"),
    tactic: Tactic | None = Query(None, description="a tactic"),
    venue: Venue | None = Query(None, description="a kind of venue"),
    date_from: date | None = Query(None, alias="from", description="operations starting on or after (YYYY-MM-DD)"),
    date_to: date | None = Query(None, alias="to", description="operations starting on or before (YYYY-MM-DD)"),
) -> Filters:
    if date_from and date_to and date_from > date_to:
        raise HTTPException(422, "'from' must not be after 'to'")
    for name, value in (("region", region), ("agency", agency)):
        if value and has_control_characters(value):
            raise HTTPException(422, f"'{name}' must not contain control characters")
    return Filters(country=country.upper() if country else None, region=region, agency=agency, tactic=tactic,
                   venue=venue, date_from=date_from, date_to=date_to)




@router.get("/operations", summary="List operations")
def list_operations(
    request: Request,
    filters: Filters = Depends(_filters),
    reviewed: bool | None = Query(None, description="only reviewed (true) or unreviewed (false) operations"),
    limit: int = Query(50, ge=1, le=500, description="page size"),
    offset: int = Query(0, ge=0, le=10_000_000, description="items to skip"),
    sort: Literal["date", "arrests", "id", "updated"] = Query("date"),
    order: Literal["asc", "desc"] = Query("desc"),
) -> dict[str, Any]:
    """Operations matching the filters, a page at a time (`limit`/`offset`);
    `next` is the URL of the next page, or null. Items have the JSON
    export's field names and values, except that `sources_count` stands for
    the list of `sources` (in `/api/v1/operations/{id}`)."""
    if reviewed is not None:
        filters = Filters(**{**filters.__dict__, "reviewed": reviewed})
    items, total = request.app.state.store.summaries().list(
        filters, limit=limit, offset=offset, sort=sort, descending=order == "desc"
    )
    next_url = None
    if offset + limit < total:
        next_url = str(request.url.include_query_params(offset=offset + limit, limit=limit))
    return {"items": items, "total": total, "limit": limit, "offset": offset, "next": next_url}


@router.get("/operations/{operation_id}", summary="One operation with its claims and sources")
def get_operation(request: Request, operation_id: int) -> Any:
    """Every field with the displayed value, the reason it was chosen,
    whether sources disagree and every claim with its (redacted) evidence
    sentence; the sources; the reports and why they were linked. An id that
    was merged into another redirects there."""
    store = request.app.state.store
    live = store.resolve_operation_id(operation_id)  # None for an unknown or out-of-range id
    if live is None:
        raise HTTPException(404, f"no operation {operation_id}")
    if live != operation_id:
        return RedirectResponse(f"/api/v1/operations/{live}", status_code=308)
    op = public_operation(store, operation_id)
    if op is None:
        raise HTTPException(404, f"operation {operation_id} has no sources any more")
    return op


@router.get("/summary", summary="Headline figures for the filters")
def summary(request: Request, filters: Filters = Depends(_filters)) -> dict[str, Any]:
    """Number of operations, the sum of each count over them (and how many
    operations state it), publicity and immigration involvement, reviewed
    operations, and the gap between arrests, trafficking charges and people
    called victims in one sentence."""
    totals = request.app.state.store.summaries().totals(filters)
    return {**totals, "statement": gap_statement(totals)}


@router.get("/timeline", summary="Operations and arrests per month")
def timeline(request: Request, filters: Filters = Depends(_filters)) -> dict[str, Any]:
    return {"items": request.app.state.store.summaries().timeline(filters)}


@router.get("/agencies", summary="Agencies with their number of operations")
def agencies(request: Request, filters: Filters = Depends(_filters),
             limit: int = Query(500, ge=1, le=5000)) -> dict[str, Any]:
    rows = request.app.state.store.summaries().facet_values("agency", filters, limit=limit)
    return {"items": [{"agency": name, "operations": count} for name, count in rows]}


@router.get("/agencies/{name}", summary="One agency: totals and practice")
def agency(request: Request, name: str) -> dict[str, Any]:
    queries = request.app.state.store.summaries()
    if has_control_characters(name):
        raise HTTPException(404, "No agency has that name.")
    filters = Filters(agency=name)
    totals = queries.totals(filters)
    if not totals["operations"]:
        raise HTTPException(404, f"no operation names the agency {name!r}")
    return {"agency": name, **totals, "statement": gap_statement(totals), "timeline": queries.timeline(filters)}


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    """Interactive docs (Swagger UI from the app's own static files)."""
    if not request.app.state.vendor.get("swagger-ui"):
        raise HTTPException(503, "The API docs page needs the front-end packages: run `make setup`. "
                                 "The description itself is at /api/v1/openapi.json.")
    return request.app.state.templates.TemplateResponse(request, "api_docs.html", {})
