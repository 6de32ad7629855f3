"""Exports of stored operations: JSON, CSV and GeoJSON.

Pure functions over the operation dicts that `Store.operations()` returns
(`id`, gold-format fields, `latitude`, `longitude`, `sources`); they touch no
database and no file. CSV and GeoJSON share one flat row per operation whose
columns, in order, are `COLUMNS` (each with a one-line description, for the
data dictionary).

These functions export what they are given: redacting private individuals'
names before publication is the caller's job.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from raidwatch.model import COUNT_NAMES, PUBLICITY_FLAGS

LIST_SEPARATOR = "; "

_COUNT_DESCRIPTIONS = {
    "arrested_total": "Everyone arrested or charged in the operation.",
    "arrested_sex_workers": "People arrested or charged for selling or offering sex.",
    "arrested_buyers": "People arrested for buying or soliciting sex.",
    "charged_trafficking": "People charged with human or sex trafficking offences.",
    "potential_victims": "People the authorities call victims, possible victims, 'rescued' or 'recovered'.",
    "minors_identified": "People under 18 the authorities say they found.",
    "immigration_detained": "People detained, referred to or removed by immigration authorities.",
    "premises_closed": "Workplaces, businesses or flats closed, shut down or served closure notices.",
    "detained_not_arrested": "People held, questioned or taken somewhere without arrest.",
}

COLUMNS: dict[str, str] = {
    "id": "Stable operation id (never reused).",
    "name": "The operation's code name as the sources give it; empty if none.",
    "agencies": "Law-enforcement or government bodies that took part, separated by '; '.",
    "country": "Country, ISO 3166-1 alpha-2 code.",
    "admin1": "State, province or nation (e.g. Florida, England).",
    "locality": "Most specific place named for the action (city, county, borough, district).",
    "latitude": "Latitude of the place in decimal degrees (WGS 84), from the gazetteer.",
    "longitude": "Longitude of the place in decimal degrees (WGS 84), from the gazetteer.",
    "date_start": "First day of the action, YYYY-MM-DD.",
    "date_end": "Last day of the action, YYYY-MM-DD.",
    "date_precision": "How precise the dates are: day, month or year.",
    "tactics": "Tactics used (premises_raid, online_sting, ...), separated by '; '.",
    "venues": "Kinds of venue targeted (massage_business, hotel_motel, ...), separated by '; '.",
    **{name: _COUNT_DESCRIPTIONS[name] + " Empty if not stated." for name in COUNT_NAMES},
    "press_conference": "true if the authorities held a press conference, false if not, empty if unknown.",
    "names_or_photos_published": (
        "true if the authorities published names or photos of those arrested, false if not, empty if unknown."
    ),
    "immigration_involved": "true if immigration authorities took part, false if not, empty if unknown.",
    "disputed": "Fields whose sources give different values, separated by '; ' (export --with-claims lists them all).",
    "source_urls": "URLs of the documents reporting the operation, separated by '; '.",
    "source_titles": "Titles of the documents reporting the operation, separated by '; '.",
}


def _join(items: Iterable[Any]) -> str:
    return LIST_SEPARATOR.join(str(item) for item in items if item not in (None, ""))


def flatten(op: Mapping[str, Any]) -> dict[str, Any]:
    """One operation as a flat row with the `COLUMNS` keys. Lists become
    '; '-joined strings; numbers, booleans and None are kept as they are."""
    place = op.get("place") or {}
    date = op.get("date") or {}
    counts = op.get("counts") or {}
    publicity = op.get("publicity") or {}
    sources = op.get("sources") or []
    row: dict[str, Any] = {
        "id": op.get("id"),
        "name": op.get("name"),
        "agencies": _join(op.get("agencies") or []),
        "country": place.get("country"),
        "admin1": place.get("admin1"),
        "locality": place.get("locality"),
        "latitude": op.get("latitude"),
        "longitude": op.get("longitude"),
        "date_start": date.get("start"),
        "date_end": date.get("end"),
        "date_precision": date.get("precision"),
        "tactics": _join(op.get("tactics") or []),
        "venues": _join(op.get("venues") or []),
        **{name: counts.get(name) for name in COUNT_NAMES},
        **{flag: publicity.get(flag) for flag in PUBLICITY_FLAGS},
        "immigration_involved": op.get("immigration_involved"),
        "disputed": _join(op.get("disputed") or []),
        "source_urls": _join(s.get("url") for s in sources),
        "source_titles": _join(s.get("title") for s in sources),
    }
    return row


CLAIMS_COLUMN = (
    "claims",
    "With --with-claims: per field, the displayed value, the reason it was chosen, whether sources disagree, "
    "and every source's value with its evidence, as JSON.",
)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> str:
    """A CSV cell. Text that a spreadsheet would take for a formula (it
    starts with = + - @, a tab or a carriage return: a source title such as
    '=HYPERLINK(...)') gets a leading ' so it is shown as text; numbers
    (negative longitudes) are left as they are."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return str(value)


def to_json(ops: Iterable[Mapping[str, Any]]) -> str:
    """`{"operations": [...]}` with every operation dict as given (nested
    place, date, counts, publicity; sources as a list of objects; `fields`
    with every claim when the store was asked for them)."""
    return json.dumps({"operations": [dict(op) for op in ops]}, ensure_ascii=False, indent=2, default=str)


def to_csv(ops: Iterable[Mapping[str, Any]]) -> str:
    """One row per operation with the `COLUMNS` header. Booleans are
    true/false, unknown values are empty cells, lists are joined with '; '."""
    ops = list(ops)
    with_claims = any("fields" in op for op in ops)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS) + ([CLAIMS_COLUMN[0]] if with_claims else []))
    writer.writeheader()
    for op in ops:
        row = {key: _csv_cell(value) for key, value in flatten(op).items()}
        if with_claims:
            row[CLAIMS_COLUMN[0]] = json.dumps(op.get("fields") or {}, ensure_ascii=False, default=str)
        writer.writerow(row)
    return out.getvalue()


def _coordinate(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def to_geojson(ops: Iterable[Mapping[str, Any]]) -> str:
    """A GeoJSON FeatureCollection with one Point feature per operation.

    Only operations with both a latitude and a longitude get a feature: an
    operation without coordinates (its place was not found in the gazetteer,
    or not named) is left out of the map export; it is still in the CSV and
    JSON exports. Feature properties are the flat `COLUMNS` values (numbers,
    booleans and null kept as JSON types); the feature id is the operation id.
    """
    features = []
    for op in ops:
        lat, lon = _coordinate(op.get("latitude")), _coordinate(op.get("longitude"))
        if lat is None or lon is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": op.get("id"),
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {**flatten(op), **({"fields": op["fields"]} if "fields" in op else {})},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=2)
