"""The filters every list, figure and download accepts, read from the query
string. Bad values are refused with a message (400), never a 500."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import HTTPException, Request

from raidwatch.model import TACTICS, VENUES
from raidwatch.store.summaries import Filters

FILTER_PARAMS = ("country", "region", "agency", "tactic", "venue", "from", "to")
MAX_TEXT = 200


def has_control_characters(value: str) -> bool:
    """NUL and other control characters: PostgreSQL refuses NUL in text, and
    no name or filter value has any."""
    return any(ord(ch) < 32 for ch in value)


def _text(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    value = value.strip()
    if has_control_characters(value):
        raise HTTPException(400, f"'{name}' must not contain control characters")
    if len(value) > MAX_TEXT:
        raise HTTPException(400, f"'{name}' is too long (at most {MAX_TEXT} characters)")
    return value or None


def _date(request: Request, name: str) -> date | None:
    value = _text(request, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"'{name}' must be a date written YYYY-MM-DD, got {value!r}") from None


def parse_filters(request: Request) -> Filters:
    country = _text(request, "country")
    if country and not (len(country) == 2 and country.isalpha()):
        raise HTTPException(400, f"'country' must be a two-letter ISO code such as US or GB, got {country!r}")
    tactic, venue = _text(request, "tactic"), _text(request, "venue")
    if tactic and tactic not in TACTICS:
        raise HTTPException(400, f"'tactic' must be one of {', '.join(TACTICS)}")
    if venue and venue not in VENUES:
        raise HTTPException(400, f"'venue' must be one of {', '.join(VENUES)}")
    date_from, date_to = _date(request, "from"), _date(request, "to")
    if date_from and date_to and date_from > date_to:
        raise HTTPException(400, "'from' must not be after 'to'")
    return Filters(
        country=country.upper() if country else None,
        region=_text(request, "region"),
        agency=_text(request, "agency"),
        tactic=tactic,
        venue=venue,
        date_from=date_from,
        date_to=date_to,
    )


def query_string(filters: Filters, **extra) -> str:
    """The filters (and extra parameters) as a query string, for links."""
    params = {
        "country": filters.country, "region": filters.region, "agency": filters.agency,
        "tactic": filters.tactic, "venue": filters.venue,
        "from": filters.date_from.isoformat() if filters.date_from else None,
        "to": filters.date_to.isoformat() if filters.date_to else None,
        **extra,
    }
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    value = request.query_params.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise HTTPException(400, f"'{name}' must be a whole number, got {value[:40]!r}") from None
    if not low <= number <= high:
        raise HTTPException(400, f"'{name}' must be between {low} and {high}, got {number}")
    return number
