"""Exports of hand-made operation dicts parse back with the right values."""
from __future__ import annotations

import csv
import io
import json

from raidwatch import export
from raidwatch.model import COUNT_NAMES


def make_op(op_id: int, **overrides):
    op = {
        "id": op_id,
        "name": "Spring Clean",
        "agencies": ["Springfield Police Department", "FBI"],
        "place": {"country": "US", "admin1": "Illinois", "locality": "Springfield"},
        "date": {"start": "2021-03-03", "end": "2021-03-04", "precision": "day"},
        "tactics": ["premises_raid", "online_sting"],
        "venues": ["massage_business"],
        "counts": {**{name: None for name in COUNT_NAMES}, "arrested_total": 12, "charged_trafficking": 0},
        "publicity": {"press_conference": True, "names_or_photos_published": False},
        "immigration_involved": None,
        "latitude": 39.8017,
        "longitude": -89.6436,
        "sources": [
            {"document_id": 1, "source_id": "dev-001", "title": "Raid, \"rescue\"; arrests",
             "url": "https://example.org/a", "published": "2021-03-05"},
            {"document_id": 2, "source_id": "dev-002", "title": "Second story",
             "url": None, "published": None},
        ],
    }
    op.update(overrides)
    return op


OPS = [
    make_op(1),
    make_op(7, name=None, agencies=[], tactics=[], venues=[], latitude=None, longitude=None,
            place={"country": None, "admin1": None, "locality": None},
            date={"start": None, "end": None, "precision": None}, sources=[]),
]


def test_columns_are_documented_and_match_rows() -> None:
    names = list(export.COLUMNS)
    assert names[:13] == [
        "id", "name", "agencies", "country", "admin1", "locality", "latitude", "longitude",
        "date_start", "date_end", "date_precision", "tactics", "venues",
    ]
    assert names[13:22] == list(COUNT_NAMES)
    assert names[22:] == [
        "press_conference", "names_or_photos_published", "immigration_involved", "disputed", "source_urls",
        "source_titles",
    ]
    assert all(isinstance(text, str) and text and "\n" not in text for text in export.COLUMNS.values())
    assert list(export.flatten(OPS[0])) == names


def test_csv_parses_back() -> None:
    rows = list(csv.DictReader(io.StringIO(export.to_csv(OPS))))
    assert len(rows) == 2
    first, second = rows
    assert list(first) == list(export.COLUMNS)
    assert first["id"] == "1"
    assert first["name"] == "Spring Clean"
    assert first["agencies"] == "Springfield Police Department; FBI"
    assert (first["country"], first["admin1"], first["locality"]) == ("US", "Illinois", "Springfield")
    assert float(first["latitude"]) == 39.8017 and float(first["longitude"]) == -89.6436
    assert (first["date_start"], first["date_end"], first["date_precision"]) == ("2021-03-03", "2021-03-04", "day")
    assert first["tactics"] == "premises_raid; online_sting"
    assert first["venues"] == "massage_business"
    assert first["arrested_total"] == "12"
    assert first["charged_trafficking"] == "0"  # a stated zero is not empty
    assert first["potential_victims"] == ""
    assert first["press_conference"] == "true"
    assert first["names_or_photos_published"] == "false"
    assert first["immigration_involved"] == ""
    assert first["source_urls"] == "https://example.org/a"
    assert first["source_titles"] == 'Raid, "rescue"; arrests; Second story'
    assert second["id"] == "7"
    filled = ("id", "arrested_total", "charged_trafficking", "press_conference", "names_or_photos_published")
    assert all(second[key] == "" for key in export.COLUMNS if key not in filled)


def test_csv_of_nothing_has_just_the_header() -> None:
    assert list(csv.reader(io.StringIO(export.to_csv([])))) == [list(export.COLUMNS)]


def test_json_parses_back() -> None:
    data = json.loads(export.to_json(OPS))
    assert list(data) == ["operations"]
    assert data["operations"] == OPS
    assert data["operations"][0]["sources"][0]["title"] == 'Raid, "rescue"; arrests'
    assert json.loads(export.to_json([])) == {"operations": []}


def test_geojson_leaves_out_operations_without_coordinates() -> None:
    data = json.loads(export.to_geojson(OPS))
    assert data["type"] == "FeatureCollection"
    [feature] = data["features"]  # operation 7 has no coordinates
    assert feature["type"] == "Feature"
    assert feature["id"] == 1
    assert feature["geometry"] == {"type": "Point", "coordinates": [-89.6436, 39.8017]}
    props = feature["properties"]
    assert list(props) == list(export.COLUMNS)
    assert props["id"] == 1
    assert props["arrested_total"] == 12
    assert props["potential_victims"] is None
    assert props["press_conference"] is True
    assert props["agencies"] == "Springfield Police Department; FBI"
    assert props["latitude"] == 39.8017


def test_geojson_needs_both_coordinates() -> None:
    only_lat = make_op(3, longitude=None)
    zero = make_op(4, latitude=0.0, longitude=0.0)  # 0,0 is a coordinate, not a missing one
    data = json.loads(export.to_geojson([only_lat, zero]))
    assert [f["id"] for f in data["features"]] == [4]
