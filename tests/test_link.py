"""Linking: reports of the same real-world operation grouped across documents.

Three levels:
- pure: `raidwatch.link.link` on hand-built LinkReports, `pair_score` vetoes,
  and the merge policy `raidwatch.link.merge.resolve` on hand-built claims;
- stored: the fixture articles in tests/fixtures/linking/ go through the real
  pipeline (ingest -> extract -> link) on SQLite and PostgreSQL (db_url), then
  reviewers' merges, splits and locks, and the CLI on the same database;
- corpus: linking quality on ../shared/corpus/dev, scored by the independent
  scorer and by `raidwatch eval`.

The fixture articles are fictional (real places and agencies, invented
people); `raidwatch predict` reads each of them as the tests expect (checked
in test_fixtures_are_read_as_intended, so a change in the extractor shows up
there rather than as a puzzling linking failure).
"""
from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from raidwatch import cli, pipeline
from raidwatch.link import (
    Constraints,
    LinkReport,
    constraints_from_decisions,
    fingerprint,
    link,
    similarity,
)
from raidwatch.link.features import rules
from raidwatch.link.matching import pair_score
from raidwatch.link.merge import REASONS, SourceClaim, resolve
from raidwatch.store import OperationNotFound, Store
from raidwatch.store.schema import OperationRow, ReportRow

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "linking"
SHARED = Path(__file__).resolve().parents[2] / "shared"

RELEASE, FOLLOWUP = "sheriff-release", "followup-charges"  # Volusia County, 43 then 41 arrested
WIRE, WIRE_COPY = "wire-original", "wire-copy"  # Sacramento, syndicated
JUNE, JULY, UNDATED = "tulsa-june", "tulsa-july", "tulsa-undated"  # Tulsa PD, three different stings
CARDIFF = "cardiff-brothels"  # unrelated to everything else


# =================================================================== helpers


def path(name: str) -> Path:
    return FIXTURES / f"{name}.txt"


def text(name: str) -> str:
    return path(name).read_text(encoding="utf-8")


def _day(value: str | date | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def rep(document, index: int = 0, *, start="2024-03-08", end=None, precision="day", published="2024-03-12",
        country="us", admin1="florida", locality="volusia county",
        agencies=("volusia county sheriffs office",), name=None, counts=(), fingerprint=None,
        operation=None, **other) -> LinkReport:
    """A LinkReport with the (already folded) facts of the Volusia sting by default."""
    return LinkReport(
        document=document, index=index, published=_day(published), name=name,
        agencies=frozenset(agencies), country=country, admin1=admin1, locality=locality,
        start=_day(start), end=_day(end) if end else None, precision=precision if start else None,
        counts=tuple(counts), fingerprint=fingerprint, operation=operation, **other,
    )


def groups(assignments: dict) -> set[frozenset]:
    """The partition of report refs, whatever the ids."""
    by_op: dict[int, set] = {}
    for ref, op in assignments.items():
        by_op.setdefault(op, set()).add(ref)
    return {frozenset(refs) for refs in by_op.values()}


@pytest.fixture
def store(db_url):
    with Store.open(db_url) as opened:
        yield opened


def ingest(store: Store, *names: str):
    summary = pipeline.ingest_into(store, [path(n) for n in names], progress=False)
    assert not summary.errors, summary.errors
    return summary


def op_by_source(store: Store) -> dict[str, int]:
    """source_id (the fixture's file stem) -> id of the operation it reports."""
    return {s["source_id"]: op["id"] for op in store.operations() for s in op["sources"]}


def doc_id(store: Store, name: str) -> int:
    stored = store.get_document(name)
    assert stored is not None, name
    return stored.id


def operation_rows(store: Store) -> dict[int, tuple]:
    """id -> (created_at, anchor, merged_into) of every operation row (updated_at left out)."""
    with Session(store.engine) as session:
        return {
            row.id: (row.created_at, row.anchor_document_id, row.anchor_report_index, row.merged_into)
            for row in session.scalars(select(OperationRow))
        }


def report_rows(store: Store, document: int) -> list[tuple]:
    with Session(store.engine) as session:
        return [tuple(r) for r in session.execute(
            select(ReportRow.id, ReportRow.report_index, ReportRow.operation_id, ReportRow.link_score,
                   ReportRow.link_note).where(ReportRow.document_id == document).order_by(ReportRow.id))]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# ======================================================= the fixtures themselves


def test_fixtures_are_read_as_intended():
    """The extractor reads each fixture article as the linking tests assume
    (agencies, place, action date, counts)."""
    records = {r["id"]: r for r in pipeline.predict_records(sorted(FIXTURES.glob("*.txt")), link=False)}
    assert set(records) == {RELEASE, FOLLOWUP, WIRE, WIRE_COPY, JUNE, JULY, UNDATED, CARDIFF}

    def only(name):
        record = records[name]
        assert record["relevant"], name
        assert len(record["operations"]) == 1, name
        return record["operations"][0]

    release, followup = only(RELEASE), only(FOLLOWUP)
    assert records[RELEASE]["published"] == "2024-03-12" and records[FOLLOWUP]["published"] == "2024-04-04"
    assert release["agencies"] == followup["agencies"] == ["Volusia County Sheriff's Office"]
    assert release["date"] == followup["date"] == {"start": "2024-03-08", "end": "2024-03-08", "precision": "day"}
    assert (release["counts"]["arrested_total"], followup["counts"]["arrested_total"]) == (43, 41)

    wire, copy = only(WIRE), only(WIRE_COPY)
    assert wire == copy
    assert wire["place"] == {"country": "US", "admin1": "California", "locality": "Sacramento"}
    assert wire["counts"]["arrested_total"] == 18

    june, july, undated = only(JUNE), only(JULY), only(UNDATED)
    assert june["agencies"] == july["agencies"] == undated["agencies"] == ["Tulsa Police Department"]
    assert june["place"] == july["place"] == undated["place"]
    assert june["date"]["start"] == "2024-06-12" and july["date"]["start"] == "2024-07-17"
    assert june["date"]["precision"] == july["date"]["precision"] == "day"
    assert undated["date"]["start"] is None and records[UNDATED]["published"] == "2024-11-30"

    cardiff = only(CARDIFF)
    assert cardiff["place"]["country"] == "GB"


# ============================================================ pure: link()


def test_vetoes_keep_reports_apart_whatever_else_agrees():
    """Different countries, regions, operation names, or day-precise action
    dates more than max_day_gap apart: never one operation, even with the
    same agencies, counts and near-identical text."""
    settings = rules()
    gap = settings["dates"]["max_day_gap"]
    same = dict(name="cold harbor", fingerprint=fingerprint(text(WIRE)), counts=(("arrested_total", 43),))
    base = rep("a", **same)
    vetoed = {
        "different countries": rep("b", country="ca", admin1=None, **same),
        "different regions": rep("b", admin1="georgia", **same),
        "different operation names": rep("b", **{**same, "name": "lantern drift"}),
        f"action dates {gap + 1} days apart": rep("b", start=base.start + timedelta(days=gap + 1), **same),
    }
    for reason, other in vetoed.items():
        assert pair_score(base, other, settings) == (None, [reason])
        assert pair_score(other, base, settings) == (None, [reason])
        result = link([base, other])
        assert result.assignments[("a", 0)] != result.assignments[("b", 0)], reason

    # the limits themselves are not vetoes
    within = rep("b", start=base.start + timedelta(days=gap), **same)
    score, reasons = pair_score(base, within, settings)
    assert score is not None and f"action dates within {gap} day(s)" in reasons
    assert len(groups(link([base, within]).assignments)) == 1
    # a missing region or country is not a different one; a fuzzy-equal name is the same name
    assert pair_score(base, rep("b", admin1=None, **same), settings)[0] is not None
    assert pair_score(base, rep("b", country=None, **same), settings)[0] is not None
    assert pair_score(base, rep("b", **{**same, "name": "cold harbour"}), settings)[0] is not None


def test_undated_report_placed_by_publication_date():
    """An undated report may be a follow-up within the window after the
    operation, never long after it (nor before it)."""
    settings = rules()["dates"]
    operation = rep("a", start="2024-07-17", published="2024-07-19")
    follow_up = settings["follow_up_days"]
    inside = rep("b", start=None, published=date(2024, 7, 17) + timedelta(days=follow_up))
    outside = rep("c", start=None, published=date(2024, 7, 17) + timedelta(days=follow_up + 1))
    before = rep("d", start=None, published="2024-07-10")
    assert pair_score(operation, inside, rules())[0] is not None
    assert pair_score(operation, outside, rules()) == (None, ["published outside the operation's window"])
    assert pair_score(operation, before, rules()) == (None, ["published outside the operation's window"])
    result = link([operation, inside, outside, before])
    assert result.assignments[("b", 0)] == result.assignments[("a", 0)]
    assert len({result.assignments[r] for r in (("a", 0), ("c", 0), ("d", 0))}) == 3


def test_near_duplicate_text_links_even_without_a_place():
    """Syndicated copies: near-identical fingerprints link a report that lost
    its place (and agencies and date) to the original, found through the text
    index, not the place/date blocks. A report with the same thin facts and
    unrelated text does not."""
    original, copy = fingerprint(text(WIRE)), fingerprint(text(WIRE_COPY))
    assert similarity(original, copy) >= rules()["text"]["near_duplicate"]
    unrelated = fingerprint(text(CARDIFF))
    assert similarity(original, unrelated) < 0.2

    full = rep("wire", country="us", admin1="california", locality="sacramento",
               agencies=("sacramento police department",), start="2024-05-07", published="2024-05-09",
               fingerprint=original)
    thin = dict(country=None, admin1=None, locality=None, agencies=(), start=None, published=None)
    result = link([full, rep("copy", fingerprint=copy, **thin), rep("other", fingerprint=unrelated, **thin)])
    assert result.assignments[("copy", 0)] == result.assignments[("wire", 0)]
    assert result.assignments[("other", 0)] != result.assignments[("wire", 0)]
    decision = result.decisions[("copy", 0)]
    assert decision.score is not None and any(r.startswith("near-duplicate text") for r in decision.reasons)


@pytest.mark.parametrize("thin", [
    pytest.param(dict(admin1=None), id="locality-without-region"),
    pytest.param(dict(admin1=None, locality="daytona beach", latitude=29.21, longitude=-81.02,
                      counts=(("arrested_total", 43),)), id="nearby-locality-without-region"),
    pytest.param(dict(admin1=None, locality=None, counts=(("arrested_total", 43), ("arrested_buyers", 31))),
                 id="country-only"),
])
@pytest.mark.parametrize("older", ["full", "thin"])
def test_blocking_finds_every_report_the_scores_would_link(thin, older):
    """Blocking only narrows the search: a pair that scores above the
    threshold must be compared, whichever of the two reports is stored first
    (a report without a region is blocked by its locality or its agencies)."""
    full = rep("full", latitude=29.06, longitude=-81.18, counts=(("arrested_total", 43), ("arrested_buyers", 31)))
    other = rep("thin", start="2024-03-09", **thin)
    score, reasons = pair_score(full, other, rules())
    assert score is not None and score >= rules()["threshold"], reasons
    first, second = (full, other) if older == "full" else (other, full)
    result = link([replace(first, operation=1), second])
    assert result.assignments[second.ref] == 1, result.decisions[second.ref]
    assert groups(link([full, other]).assignments) == {frozenset({full.ref, other.ref})}


def test_a_report_never_joins_an_operation_with_a_report_from_its_own_document():
    # two reports of one document with identical facts are two operations
    result = link([rep("a", 0), rep("a", 1)])
    assert result.assignments[("a", 0)] != result.assignments[("a", 1)]
    # an existing operation holding a:0 and b:0 does not take b:1, however well it matches
    existing = [rep("a", 0, operation=7), rep("b", 0, operation=7)]
    result = link([*existing, rep("b", 1)])
    assert result.assignments[("b", 1)] not in (7,)
    assert result.assignments[("b", 1)] < 0 and result.new_operations == [-1]
    # ... while a report of a third document does
    assert link([*existing, rep("c", 0)]).assignments[("c", 0)] == 7


def test_must_link_and_cannot_link_are_respected():
    a, b = rep("a"), rep("b")
    assert len(groups(link([a, b]).assignments)) == 1
    apart = link([a, b], Constraints(cannot_link=((("a", 0), ("b", 0)),)))
    assert apart.assignments[("a", 0)] != apart.assignments[("b", 0)]

    # reports that would never link on their own (a veto) are kept together when a reviewer said so
    far = rep("z", country="gb", admin1="wales", locality="cardiff", agencies=("south wales police",),
              start="2024-10-21")
    assert len(groups(link([a, far]).assignments)) == 2
    together = link([a, far], Constraints(must_link=((("a", 0), ("z", 0)),)))
    assert together.assignments[("a", 0)] == together.assignments[("z", 0)]
    assert together.decisions[("z", 0)].reasons == ("kept with another report by a reviewer",)
    # also when the reviewer's partner is already in a stored operation
    stored = link([replace(a, operation=4), far], Constraints(must_link=((("z", 0), ("a", 0)),)))
    assert stored.assignments == {("a", 0): 4, ("z", 0): 4}

    # cannot-link holds against every report of the operation, not only the one named
    c = rep("c")
    result = link([a, b, c], Constraints(cannot_link=((("c", 0), ("a", 0)),)))
    assert result.assignments[("a", 0)] == result.assignments[("b", 0)] != result.assignments[("c", 0)]


def test_constraints_from_decisions_merge_then_split():
    merge = {"kind": "merge", "refs": {"kept": [[1, 0], [2, 0]], "absorbed": [[3, 0]]}}
    split = {"kind": "split", "refs": {"moved": [[3, 0]], "kept": [[1, 0], [2, 0]]}}
    after_merge = constraints_from_decisions([merge])
    assert set(after_merge.must_link) == {((1, 0), (2, 0)), ((2, 0), (3, 0))}
    assert after_merge.cannot_link == ()
    after_split = constraints_from_decisions([merge, split])
    assert set(after_split.must_link) == {((1, 0), (2, 0))}  # the split cut 3:0 loose
    assert set(after_split.cannot_link) == {((3, 0), (1, 0)), ((3, 0), (2, 0))}
    # a later merge undoes the split's cannot-links again
    again = constraints_from_decisions([merge, split, {"kind": "merge", "refs": {"kept": [[1, 0], [2, 0]],
                                                                                  "absorbed": [[3, 0]]}}])
    assert again.cannot_link == ()


def test_rebuild_keeps_old_ids_by_majority_overlap():
    volusia = [rep("a"), rep("b"), rep("c")]
    tulsa = rep("d", admin1="oklahoma", locality="tulsa", agencies=("tulsa police department",),
                start="2024-06-12", published="2024-06-14")
    # stored state (say, from older rules): a and b in 10, c wrongly with d in 20
    old = {"a": 10, "b": 10, "c": 20, "d": 20}
    reports = [replace(r, operation=old[r.document]) for r in (*volusia, tulsa)]

    assert link(reports).assignments == {(r.document, 0): old[r.document] for r in reports}  # no rebuild: stays
    result = link(reports, rebuild=True)
    # the Volusia group shares 2 reports with 10 (1 with 20): it keeps 10; 20 goes to what is left of it
    assert result.assignments == {("a", 0): 10, ("b", 0): 10, ("c", 0): 10, ("d", 0): 20}
    assert {d.operation for d in result.decisions.values()} == {10, 20}

    # one old operation split in two by the rebuild: the bigger part keeps the id, the rest is new
    reports = [replace(r, operation=10) for r in (*volusia, tulsa)]
    result = link(reports, rebuild=True)
    assert [result.assignments[(d, 0)] for d in "abcd"] == [10, 10, 10, -1]
    assert result.new_operations == [-1]


def _varied_reports() -> list[LinkReport]:
    wire, copy = fingerprint(text(WIRE)), fingerprint(text(WIRE_COPY))
    sacramento = dict(admin1="california", locality="sacramento", agencies=("sacramento police department",),
                      start="2024-05-07", published="2024-05-09")
    tulsa = dict(admin1="oklahoma", locality="tulsa", agencies=("tulsa police department",))
    return [
        rep(1), rep(2, published="2024-04-04", counts=(("arrested_total", 41),)),
        rep(3, start=None, published="2024-04-20"),
        rep(4, fingerprint=wire, **sacramento), rep(5, fingerprint=copy, **{**sacramento, "published": "2024-05-10"}),
        rep(6, fingerprint=copy, country=None, admin1=None, locality=None, agencies=(), start=None, published=None),
        rep(7, start="2024-06-12", published="2024-06-14", **tulsa),
        rep(8, start="2024-06-13", published="2024-06-13", **tulsa),
        rep(9, start="2024-07-17", published="2024-07-19", **tulsa),
        rep(10, start=None, published="2024-11-30", **tulsa),
        rep(11, 0, start="2024-07-17", published="2024-07-18", **tulsa),
        rep(11, 1, start="2024-07-18", published="2024-07-18", **tulsa),
    ]


def test_result_does_not_depend_on_input_order():
    reports = _varied_reports()
    reference = link(reports)
    assert groups(reference.assignments) == {
        frozenset({(1, 0), (2, 0), (3, 0)}),
        frozenset({(4, 0), (5, 0), (6, 0)}),
        frozenset({(7, 0), (8, 0)}),
        frozenset({(9, 0), (11, 0)}),
        frozenset({(11, 1)}),
        frozenset({(10, 0)}),
    }
    shuffler = random.Random(20240308)
    orders = [list(reversed(reports))] + [shuffler.sample(reports, len(reports)) for _ in range(8)]
    for order in orders:
        result = link(order)
        assert result.assignments == reference.assignments
        assert result.decisions == reference.decisions

    # the same with some of them already in stored operations
    stored = [replace(r, operation=100 + i) if r.document in (1, 4, 7) else r for i, r in enumerate(reports)]
    reference = link(stored)
    for order in orders[:4]:
        shuffled = [next(s for s in stored if s.ref == r.ref) for r in order]
        result = link(shuffled)
        assert result.assignments == reference.assignments
        assert result.decisions == reference.decisions


def test_from_gold_folds_names_and_places():
    gold = {
        "name": "Operation Lantern Drift", "agencies": ["Lake County Sheriff's Office"],
        "place": {"country": "US", "admin1": "Florida", "locality": "St. Cloud"},
        "date": {"start": "2025-02-18", "end": "2025-02-21", "precision": "day"},
        "counts": {"arrested_total": 41, "arrested_buyers": None, "minors_identified": True},
    }
    report = LinkReport.from_gold(5, 0, gold, "2025-02-24")
    assert report.name == "lantern drift"
    assert report.agencies == frozenset({"lake county sheriffs office"})
    assert (report.country, report.admin1, report.locality) == ("us", "florida", "st cloud")
    assert report.interval == (date(2025, 2, 18), date(2025, 2, 21))
    assert report.counts == (("arrested_total", 41),)  # None and non-integers left out
    other = LinkReport.from_gold(6, 0, {**gold, "name": "Lantern Drift"}, "2025-02-26")
    assert pair_score(report, other, rules())[1][0] == "same operation name"


# ========================================================= pure: merge policy


def claim(field, value, doc, published, **extra) -> SourceClaim:
    return SourceClaim(field=field, value=value, document_id=doc, report_index=0, published=published, **extra)


def test_merge_single_source_and_agreement():
    single = resolve([claim("counts.arrested_total", 43, 1, "2024-03-12")])["counts.arrested_total"]
    assert (single.value, single.reason, single.disputed) == (43, REASONS["single"], False)
    agreed = resolve([claim("counts.arrested_total", 43, 1, "2024-03-12"),
                      claim("counts.arrested_total", 43, 2, "2024-04-04")])["counts.arrested_total"]
    assert (agreed.value, agreed.reason, agreed.disputed) == (43, REASONS["agree"], False)
    assert len(agreed.claims) == 2


def test_merge_counts_most_recent_source_wins():
    assert rules()["merge"]["counts"][0] == "most_recent"
    old, new = claim("counts.arrested_total", 43, 1, "2024-03-12"), claim("counts.arrested_total", 41, 2, "2024-04-04")
    for claims in ([old, new], [new, old]):
        value = resolve(claims)["counts.arrested_total"]
        assert (value.value, value.reason, value.disputed) == (41, "most recent source", True)
        assert {c.value for c in value.claims} == {41, 43}
    # same day: most_sources decides
    third = claim("counts.arrested_total", 43, 3, "2024-04-04")
    value = resolve([old, new, third])["counts.arrested_total"]
    assert (value.value, value.reason) == (43, REASONS["most_sources"])


def test_merge_date_most_specific_from_one_source():
    month = [claim("date.start", "2024-03-01", 1, "2024-04-04"), claim("date.end", "2024-03-31", 1, "2024-04-04"),
             claim("date.precision", "month", 1, "2024-04-04")]
    day = [claim("date.start", "2024-03-08", 2, "2024-03-12"), claim("date.end", "2024-03-09", 2, "2024-03-12"),
           claim("date.precision", "day", 2, "2024-03-12")]
    for claims in (month + day, day + month):
        resolved = resolve(claims)
        assert {f: resolved[f].value for f in ("date.start", "date.end", "date.precision")} == {
            "date.start": "2024-03-08", "date.end": "2024-03-09", "date.precision": "day"}
        assert resolved["date.start"].reason == REASONS["most_specific"]
        assert resolved["date.start"].disputed and resolved["date.end"].disputed
    # the day source had no end: the month source's end is not borrowed
    resolved = resolve(month + [day[0], day[2]])
    assert (resolved["date.start"].value, resolved["date.end"].value) == ("2024-03-08", None)


def test_merge_place_fields_chosen_together():
    def place(doc, published, locality, lat, lon):
        return [claim("place.country", "US", doc, published), claim("place.admin1", "Florida", doc, published),
                claim("place.locality", locality, doc, published),
                claim("place.latitude", lat, doc, published), claim("place.longitude", lon, doc, published)]

    county = place(1, "2024-03-12", "Volusia County", 29.06, -81.18)
    city = place(2, "2024-04-04", "Daytona Beach", 29.21, -81.02)
    state_only = [claim("place.country", "US", 3, "2024-04-10"), claim("place.admin1", "Florida", 3, "2024-04-10")]
    resolved = resolve(county + city + state_only)
    # equally specific, one source each: the earliest; its coordinates come with it
    assert [resolved[f].value for f in ("place.locality", "place.latitude", "place.longitude")] == [
        "Volusia County", 29.06, -81.18]
    assert resolved["place.locality"].reason == REASONS["earliest"]
    assert resolved["place.locality"].disputed and not resolved["place.country"].disputed
    # a second source for the city: most sources, and the city's coordinates
    resolved = resolve(county + city + place(4, "2024-04-05", "Daytona Beach", 29.21, -81.02))
    assert [resolved[f].value for f in ("place.locality", "place.latitude", "place.longitude")] == [
        "Daytona Beach", 29.21, -81.02]
    assert resolved["place.locality"].reason == REASONS["most_sources"]
    # a place with a locality beats one without, whatever the dates
    resolved = resolve(state_only + place(5, "2024-01-01", "DeLand", 29.03, -81.30))
    assert (resolved["place.locality"].value, resolved["place.locality"].reason) == ("DeLand", "most specific")


def test_merge_union_and_any_true():
    claims = [claim("agencies", "Volusia County Sheriff's Office", 1, "2024-03-12"),
              claim("agencies", "Volusia County Sheriff's Office", 2, "2024-04-04"),
              claim("agencies", "Florida Department of Law Enforcement", 2, "2024-04-04"),
              claim("publicity.press_conference", True, 1, "2024-03-12"),
              claim("publicity.press_conference", False, 2, "2024-04-04"),
              claim("immigration_involved", False, 1, "2024-03-12")]
    resolved = resolve(claims)
    agencies = resolved["agencies"]
    assert agencies.value == ["Volusia County Sheriff's Office", "Florida Department of Law Enforcement"]
    assert (agencies.reason, agencies.disputed) == (REASONS["union"], False)
    press = resolved["publicity.press_conference"]
    assert (press.value, press.reason, press.disputed) == (True, REASONS["any_true"], True)
    immigration = resolved["immigration_involved"]
    assert (immigration.value, immigration.reason, immigration.disputed) == (False, REASONS["single"], False)


def test_merge_reviewer_correction_and_lock_win_and_keep_the_dispute():
    t0 = datetime(2024, 5, 1, tzinfo=timezone.utc)
    extracted = [claim("counts.arrested_total", 43, 1, "2024-03-12"),
                 claim("counts.arrested_total", 41, 2, "2024-04-04")]
    corrections = [claim("counts.arrested_total", 42, 1, None, author="alice", created_at=t0),
                   claim("counts.arrested_total", 40, 2, None, author="bob", created_at=t0 + timedelta(hours=1))]
    value = resolve(extracted + corrections[:1])["counts.arrested_total"]
    assert (value.value, value.reason, value.disputed) == (42, "corrected by reviewer alice", True)
    assert [c.value for c in value.claims] == [43, 41, 42]
    newest = resolve(corrections[::-1] + extracted)["counts.arrested_total"]
    assert (newest.value, newest.reason) == (40, "corrected by reviewer bob")
    # a correction on an undisputed field is not disputed
    agreed = resolve(extracted[:1] + corrections[:1])["counts.arrested_total"]
    assert (agreed.value, agreed.disputed) == (42, False)
    # a lock beats corrections and sources; a lock on a field no source gives still shows
    locked = resolve(extracted + corrections, locks={"counts.arrested_total": 39, "name": "Cold Harbor"})
    assert (locked["counts.arrested_total"].value, locked["counts.arrested_total"].reason) == (
        39, "locked by a reviewer")
    assert locked["counts.arrested_total"].disputed and len(locked["counts.arrested_total"].claims) == 4
    assert (locked["name"].value, locked["name"].claims, locked["name"].disputed) == ("Cold Harbor", [], False)


# ================================================ stored: the real pipeline


def test_syndicated_copy_is_one_operation_with_two_sources(store):
    ingest(store, WIRE, WIRE_COPY, CARDIFF)
    ops = op_by_source(store)
    assert ops[WIRE] == ops[WIRE_COPY] != ops[CARDIFF]
    op = store.operation(ops[WIRE])
    assert [s["source_id"] for s in op["sources"]] == [WIRE, WIRE_COPY]
    assert op["disputed"] == []
    assert op["counts"]["arrested_total"] == 18
    joined = next(r for r in op["reports"] if r["link_score"] is not None)
    assert any(reason.startswith("near-duplicate text") for reason in joined["link_reasons"])


def _check_follow_up(store) -> int:
    ops = op_by_source(store)
    assert ops[RELEASE] == ops[FOLLOWUP]
    op = store.operation(ops[RELEASE])
    assert [s["source_id"] for s in op["sources"]] == [RELEASE, FOLLOWUP]
    assert "counts.arrested_total" in op["disputed"]
    field = op["fields"]["counts.arrested_total"]
    assert field["disputed"] is True
    # counts: the most recent source (the follow-up) wins, and the reason says so
    assert rules()["merge"]["counts"][0] == "most_recent"
    assert (field["value"], field["reason"]) == (41, "most recent source")
    assert op["counts"]["arrested_total"] == 41
    by_value = {c["value"]: c for c in field["claims"]}
    assert set(by_value) == {43, 41}
    assert by_value[43]["document_id"] == doc_id(store, RELEASE)
    assert by_value[41]["document_id"] == doc_id(store, FOLLOWUP)
    assert "arrested 43 people" in by_value[43]["evidence"]["sentence"]
    assert "show 41 people were booked, not 43" in by_value[41]["evidence"]["sentence"]
    assert by_value[43]["published"] == "2024-03-12" and by_value[41]["published"] == "2024-04-04"
    # the fields both agree on are not disputed
    assert not op["fields"]["date.start"]["disputed"] and op["date"]["start"] == "2024-03-08"
    return op["id"]


def test_follow_up_with_changed_figures(store, db_url, capsys, tmp_path):
    ingest(store, RELEASE, FOLLOWUP, CARDIFF)
    op_id = _check_follow_up(store)

    code, out, err = run_cli(capsys, "show-operation", op_id, "--db", db_url)
    assert code == 0 and err == ""
    line = next(line for line in out.splitlines() if line.strip().startswith("counts.arrested_total"))
    assert "41" in line and "most recent source" in line and "DISPUTED" in line
    assert "43" in out and "from sheriff-release (2024-03-12)" in out and "from followup-charges (2024-04-04)" in out
    assert "show 41 people were booked, not 43" in " ".join(out.split())

    code, out, _ = run_cli(capsys, "export", "--with-claims", "--format", "json", "--db", db_url)
    assert code == 0
    exported = {op["id"]: op for op in json.loads(out)["operations"]}
    field = exported[op_id]["fields"]["counts.arrested_total"]
    assert field["value"] == 41 and sorted(c["value"] for c in field["claims"]) == [41, 43]
    assert "counts.arrested_total" in exported[op_id]["disputed"]

    target = tmp_path / "ops.csv"
    code, _, _ = run_cli(capsys, "export", "--with-claims", "--format", "csv", "-o", target, "--db", db_url)
    assert code == 0
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(target.read_text(encoding="utf-8")))}
    assert rows[op_id]["arrested_total"] == "41"
    assert "counts.arrested_total" in rows[op_id]["disputed"].split("; ")
    claims = json.loads(rows[op_id]["claims"])["counts.arrested_total"]["claims"]
    assert sorted(c["value"] for c in claims) == [41, 43]
    # without --with-claims: no claims column
    code, out, _ = run_cli(capsys, "export", "--format", "csv", "--db", db_url)
    assert "claims" not in next(csv.reader(io.StringIO(out)))


def test_same_agency_a_month_apart_stays_apart(store):
    ingest(store, JUNE, JULY, UNDATED)
    ops = op_by_source(store)
    assert len({ops[JUNE], ops[JULY], ops[UNDATED]}) == 3
    assert store.operation(ops[JUNE])["date"]["start"] == "2024-06-12"
    assert store.operation(ops[JULY])["date"]["start"] == "2024-07-17"
    assert all(len(store.operation(ops[n])["sources"]) == 1 for n in (JUNE, JULY, UNDATED))


def test_incremental_linking_keeps_ids(store):
    ingest(store, RELEASE)
    [x] = op_by_source(store).values()
    release_id = doc_id(store, RELEASE)
    rows_before, release_reports = operation_rows(store), report_rows(store, release_id)

    summary = ingest(store, FOLLOWUP)
    assert summary.linking.as_dict() == {"reports": 2, "reports_placed": 1, "reports_joined_existing": 1,
                                         "operations_created": 0}
    assert op_by_source(store) == {RELEASE: x, FOLLOWUP: x}
    assert operation_rows(store) == rows_before  # X: same row, same anchor (the release)
    assert report_rows(store, release_id) == release_reports  # the release's report was not touched
    _check_follow_up(store)

    ingest(store, CARDIFF)
    ops = op_by_source(store)
    assert ops[RELEASE] == ops[FOLLOWUP] == x
    assert ops[CARDIFF] > x and ops[CARDIFF] > max(rows_before)

    snapshot = store.tables_snapshot()
    again = pipeline.link_stored(store, progress=False)
    assert (again.placed, again.joined, again.new_operations) == (0, 0, 0)
    assert store.tables_snapshot() == snapshot
    again = pipeline.link_stored(store, rebuild=True, progress=False)
    assert again.placed == 0
    assert store.tables_snapshot() == snapshot

    # re-extraction replaces the reports but not their operations
    assert pipeline.extract_stored(store, everything=True, progress=False) == 3
    assert op_by_source(store) == ops
    assert set(operation_rows(store)) == set(snapshot_ids(snapshot))
    _check_follow_up(store)


def snapshot_ids(snapshot) -> set[int]:
    return {row[0] for row in snapshot["operations"]}


def test_reviewer_split_survives_rebuild(store):
    ingest(store, RELEASE, FOLLOWUP)
    x = op_by_source(store)[RELEASE]
    follow = (doc_id(store, FOLLOWUP), 0)
    with pytest.raises(ValueError, match="reviewer"):
        store.split_operation(x, [follow], author="  ")
    y = store.split_operation(x, [follow], author="alice", note="the follow-up is about court records")
    assert y > x
    assert op_by_source(store) == {RELEASE: x, FOLLOWUP: y}
    assert store.operation(y)["reports"][0]["link_reasons"] == ["split off by a reviewer"]

    snapshot = store.tables_snapshot()
    pipeline.link_stored(store, progress=False)
    assert store.tables_snapshot() == snapshot
    summary = pipeline.link_stored(store, rebuild=True, progress=False)
    assert summary.placed == 0 and summary.new_operations == 0
    assert op_by_source(store) == {RELEASE: x, FOLLOWUP: y}
    # new documents and re-extraction do not undo it either
    ingest(store, CARDIFF)
    pipeline.extract_stored(store, everything=True, progress=False)
    pipeline.link_stored(store, rebuild=True, progress=False)
    ops = op_by_source(store)
    assert (ops[RELEASE], ops[FOLLOWUP]) == (x, y)
    assert [d["kind"] for d in store.link_decisions()] == ["split"]


def test_reviewer_merge_survives_rebuild(store, db_url, capsys):
    ingest(store, JUNE, JULY, UNDATED)
    ops = op_by_source(store)
    june, july = ops[JUNE], ops[JULY]
    with pytest.raises(ValueError):
        store.merge_operations(june, june, author="alice")
    store.merge_operations(june, july, author="alice", note="one operation in two phases")
    assert op_by_source(store) == {JUNE: june, JULY: june, UNDATED: ops[UNDATED]}
    pipeline.link_stored(store, rebuild=True, progress=False)
    assert op_by_source(store) == {JUNE: june, JULY: june, UNDATED: ops[UNDATED]}
    # the merged-away id leads to the kept one
    assert store.resolve_operation_id(july) == june
    assert store.operation(july)["id"] == june
    assert {s["source_id"] for s in store.operation(july)["sources"]} == {JUNE, JULY}
    with pytest.raises(OperationNotFound, match=f"merged into operation {june}"):
        store.lock_field(july, "name", "x", author="alice")
    code, out, err = run_cli(capsys, "show-operation", july, "--db", db_url)
    assert code == 0 and f"operation {july} was merged into operation {june}" in err
    assert out.startswith(f"operation #{june}")

    # a later split undoes the merge, for good
    july_ref = (doc_id(store, JULY), 0)
    new = store.split_operation(june, [july_ref], author="bob")
    pipeline.link_stored(store, rebuild=True, progress=False)
    assert op_by_source(store) == {JUNE: june, JULY: new, UNDATED: ops[UNDATED]}


def test_locks_win_and_survive_relinking(store):
    ingest(store, RELEASE, FOLLOWUP)
    x = op_by_source(store)[RELEASE]
    with pytest.raises(ValueError, match="unknown field"):
        store.lock_field(x, "counts.arrests", 42, author="alice")
    with pytest.raises(ValueError, match="reviewer"):
        store.lock_field(x, "counts.arrested_total", 42, author="")
    with pytest.raises(OperationNotFound):
        store.lock_field(x + 100, "counts.arrested_total", 42, author="alice")
    assert store.link_decisions() == []

    store.lock_field(x, "counts.arrested_total", 42, author="alice", note="checked with the jail")
    op = store.operation(x)
    field = op["fields"]["counts.arrested_total"]
    assert (op["counts"]["arrested_total"], field["value"], field["reason"]) == (42, 42, "locked by a reviewer")
    assert field["disputed"] and sorted(c["value"] for c in field["claims"]) == [41, 43]

    pipeline.link_stored(store, rebuild=True, progress=False)
    ingest(store, CARDIFF)
    pipeline.extract_stored(store, everything=True, progress=False)
    assert store.operation(x)["counts"]["arrested_total"] == 42
    assert store.operation(x)["fields"]["counts.arrested_total"]["reason"] == "locked by a reviewer"
    assert store.operation(op_by_source(store)[CARDIFF])["counts"]["arrested_total"] == 2  # only x is locked

    store.unlock_field(x, "counts.arrested_total", author="alice")
    field = store.operation(x)["fields"]["counts.arrested_total"]
    assert (field["value"], field["reason"], field["disputed"]) == (41, "most recent source", True)
    assert [d["kind"] for d in store.link_decisions()] == ["lock", "unlock"]
    assert store.link_decisions()[0]["value"] == 42 and store.link_decisions()[0]["author"] == "alice"


# ======================================================================= CLI


def test_cli_review_errors_change_nothing(store, db_url, capsys):
    ingest(store, RELEASE, FOLLOWUP, JUNE)
    ops = op_by_source(store)
    x, june = ops[RELEASE], ops[JUNE]
    release, follow = doc_id(store, RELEASE), doc_id(store, FOLLOWUP)
    missing = max(ops.values()) + 50
    cases = [
        (["review", "merge", x, missing], f"no operation {missing}"),
        (["review", "merge", missing, x], f"no operation {missing}"),
        (["review", "merge", x, x], "itself"),
        (["review", "split", missing, f"{follow}:0"], f"no operation {missing}"),
        (["review", "split", x, "not-a-ref"], "is not a report reference"),
        (["review", "split", x, f"{follow}:x"], "is not a report reference"),
        (["review", "split", x, f"{follow + 100}:0"], f"is not in operation {x}"),
        (["review", "split", x, f"{follow}:3"], f"is not in operation {x}"),
        (["review", "split", x, f"{release}:0", f"{follow}"], "some, but not all"),
        (["review", "lock", missing, "counts.arrested_total", "41"], f"no operation {missing}"),
        (["review", "lock", x, "counts.arrests", "41"], "unknown field 'counts.arrests'"),
        (["review", "unlock", missing, "counts.arrested_total"], f"no operation {missing}"),
        (["review", "lock", x, "counts.arrested_total", "41", "--by", " "], "reviewer's name"),
        (["show-operation", missing], f"no operation {missing}"),
        (["show-operation", 0], "no operation 0"),
        (["show-operation", -3], "no operation -3"),
        # ids beyond the database's integer range are unknown ids, not database errors
        (["show-operation", 2**40], f"no operation {2**40}"),
        (["review", "merge", x, 2**40], f"no operation {2**40}"),
        (["review", "split", x, f"{2**40}:0"], f"is not in operation {x}"),
        (["review", "split", x, f"{follow}:{2**40}"], f"is not in operation {x}"),
        (["review", "lock", 2**40, "name", "Cold Harbor"], f"no operation {2**40}"),
    ]
    snapshot = store.tables_snapshot()
    for argv, message in cases:
        if argv[0] == "review" and "--by" not in argv:
            argv = [*argv, "--by", "alice"]
        code, out, err = run_cli(capsys, *argv, "--db", db_url)
        assert code == 2, (argv, code, out, err)
        assert err.startswith("raidwatch: ") and message in err, (argv, err)
        assert "Traceback" not in err and out == "", argv
        assert store.tables_snapshot() == snapshot, argv

    # --by is required (argparse: usage error, code 2)
    with pytest.raises(SystemExit) as exc:
        cli.main(["review", "merge", str(x), str(june), "--db", db_url])
    assert exc.value.code == 2
    assert "--by" in capsys.readouterr().err
    assert store.tables_snapshot() == snapshot

    # and the same commands work on good input
    code, out, _ = run_cli(capsys, "review", "split", x, f"{follow}:0", "--by", "alice", "--json", "--db", db_url)
    assert code == 0
    new = json.loads(out)["new_operation"]
    assert op_by_source(store)[FOLLOWUP] == new
    code, out, _ = run_cli(capsys, "review", "lock", x, "counts.arrested_total", "42", "--by", "bob", "--db", db_url)
    assert code == 0 and "locked to 42" in out
    assert store.operation(x)["counts"]["arrested_total"] == 42
    code, _, _ = run_cli(capsys, "review", "merge", x, new, "--by", "carol", "--db", db_url)
    assert code == 0 and op_by_source(store)[FOLLOWUP] == x
    assert [d["author"] for d in store.link_decisions()] == ["alice", "bob", "carol"]


def test_cli_link_json_summary(store, db_url, capsys):
    ingest(store, RELEASE, WIRE, FOLLOWUP, WIRE_COPY)
    snapshot = store.tables_snapshot()
    code, out, err = run_cli(capsys, "link", "--json", "--db", db_url)
    assert code == 0 and err == ""
    assert json.loads(out) == {"reports": 4, "reports_placed": 0, "reports_joined_existing": 0,
                               "operations_created": 0}
    code, out, _ = run_cli(capsys, "link", "--rebuild", "--json", "--db", db_url)
    assert code == 0 and json.loads(out)["reports_placed"] == 0
    assert store.tables_snapshot() == snapshot
    code, out, _ = run_cli(capsys, "link", "--db", db_url)
    assert code == 0 and out.startswith("Linking: 0 report(s) placed")


def test_cli_link_places_new_reports(store, db_url, capsys):
    """Reports saved without linking (Store.save_extraction alone) wait for `raidwatch link`."""
    from raidwatch.extract import extract

    pipeline.ingest_into(store, [path(RELEASE), path(FOLLOWUP), path(CARDIFF)], run_extract=False, progress=False)
    for stored in store.iter_documents():
        store.save_extraction(stored.id, extract(stored.document))
    assert store.operations() == [] and store.stats()["reports"] == 3
    code, out, _ = run_cli(capsys, "link", "--json", "--db", db_url)
    assert code == 0
    assert json.loads(out) == {"reports": 3, "reports_placed": 3, "reports_joined_existing": 1,
                               "operations_created": 2}
    ops = op_by_source(store)
    assert ops[RELEASE] == ops[FOLLOWUP] != ops[CARDIFF]
    _check_follow_up(store)


# ==================================================================== corpus


@pytest.mark.corpus
def test_linking_quality_on_dev_corpus(tmp_path, capsys):
    if not (SHARED / "corpus" / "dev").is_dir() or not (SHARED / "tools" / "score.py").is_file():
        pytest.skip("../shared (corpus and reference scorer) is not present in this clone; CI always has it")
    corpus = SHARED / "corpus" / "dev"
    txts = sorted(str(p) for p in corpus.glob("*.txt"))

    def predict(*flags) -> list[dict]:
        code, out, _ = run_cli(capsys, "predict", *flags, *txts)
        assert code == 0
        return [json.loads(line) for line in out.splitlines()]

    def reference_score(records, name) -> dict:
        pred = tmp_path / name
        pred.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        done = subprocess.run([sys.executable, str(SHARED / "tools" / "score.py"), str(corpus / "dev.gold.jsonl"),
                               str(pred), "--json"], capture_output=True, text=True, check=True)
        return json.loads(done.stdout)

    linked, unlinked = predict(), predict("--no-link")
    theirs = reference_score(linked, "linked.jsonl")
    code, out, _ = run_cli(capsys, "eval", corpus, "--json")
    assert code == 0
    ours = json.loads(out)
    print(f"dev linking: scorer {theirs['linking']}, eval {ours['linking']}")
    assert theirs["linking"] is not None and theirs["linking"]["f1"] >= 0.90, theirs["linking"]
    assert ours["linking"] == theirs["linking"]
    assert theirs["linking"]["tp"] > 0  # the corpus does have cross-document pairs

    operations = [op for record in linked for op in record["operations"]]
    assert operations and all(op.get("key") for op in operations)
    # --no-link: no keys, everything else the same, and the same extraction scores
    assert not any("key" in op for record in unlinked for op in record["operations"])
    stripped = [{**r, "operations": [{k: v for k, v in op.items() if k != "key"} for op in r["operations"]]}
                for r in linked]
    assert stripped == unlinked
    plain = reference_score(unlinked, "unlinked.jsonl")
    assert plain["linking"] is None
    assert plain["micro"] == theirs["micro"] == ours["micro"]
    assert plain["fields"] == theirs["fields"]


def test_reviewer_values_are_type_checked_and_locks_move_with_a_merge(tmp_path) -> None:
    """A lock or correction of the wrong type is refused; a merged-away
    operation's locks move to the operation that absorbs it."""
    from raidwatch.store import Store

    with Store.open(tmp_path / "x.sqlite") as store:
        pipeline.ingest_into(store, [FIXTURES / "tulsa-june.txt", FIXTURES / "tulsa-july.txt"], progress=False)
        june, july = sorted(op["id"] for op in store.operations())
        for field, bad in (("counts.arrested_total", "41"), ("counts.arrested_total", -1),
                           ("publicity.press_conference", "yes"), ("tactics", ["not_a_tactic"]),
                           ("place.country", "usa"), ("date.start", "March 3"), ("name", "")):
            with pytest.raises(ValueError):
                store.lock_field(june, field, bad, "alice")
            with pytest.raises(ValueError):
                store.correct_field(june, field, bad, "alice")
        store.lock_field(july, "counts.arrested_total", 7, "alice")
        store.merge_operations(june, july, "alice")
        assert store.operation(june)["counts"]["arrested_total"] == 7
