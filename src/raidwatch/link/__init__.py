"""Linking: group reports of the same real-world operation.

Pure entry point: `link(reports, constraints)`. Reports already in an
operation stay there (operation ids are cited, so they never move except by
a reviewer's decision); each new report, oldest first, joins the candidate
operation it matches best (`matching.pair_score` against each of the
operation's reports, the best pair counts) when the score reaches the
threshold, else starts a new operation. Candidates come from blocking (same
region in the weeks the date rules allow, same operation name) and from
MinHash LSH over the documents' text (near-duplicates wherever they are), so
the cost grows with the number of reports, not with its square.

`rebuild=True` re-links every report from scratch and then gives each new
group the id of the old operation it shares most reports with, so ids
survive a change of rules. Reviewers' merges and splits reach this module as
must-link and cannot-link constraints between reports.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .features import (
    LinkReport,
    fingerprint,
    fingerprint_bytes,
    fingerprint_from_bytes,
    rules,
    similarity,
)
from .matching import pair_score

__all__ = [
    "Constraints",
    "constraints_from_decisions",
    "LinkDecision",
    "LinkReport",
    "LinkResult",
    "fingerprint",
    "fingerprint_bytes",
    "fingerprint_from_bytes",
    "link",
    "similarity",
]

Ref = tuple[Any, int]


@dataclass(frozen=True)
class Constraints:
    """Reviewers' decisions as pairs of report references."""

    must_link: tuple[tuple[Ref, Ref], ...] = ()
    cannot_link: tuple[tuple[Ref, Ref], ...] = ()


@dataclass(frozen=True)
class LinkDecision:
    """Why a report went where it went."""

    operation: int
    score: float | None  # None: it started the operation, or a reviewer's decision put it there
    reasons: tuple[str, ...] = ()


@dataclass
class LinkResult:
    """`assignments`: every report's operation. New operations have negative
    ids (-1, -2, ... in creation order) for the caller to replace with real
    ones. `decisions` explains the reports this run placed."""

    assignments: dict[Ref, int] = field(default_factory=dict)
    decisions: dict[Ref, LinkDecision] = field(default_factory=dict)

    @property
    def new_operations(self) -> list[int]:
        return sorted({op for op in self.assignments.values() if op < 0}, reverse=True)


class _Index:
    """Operations by block key, and documents by text similarity (LSH)."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.blocks: dict[tuple, set[int]] = defaultdict(set)
        self.members: dict[int, list[LinkReport]] = defaultdict(list)
        self.documents: dict[Any, set[int]] = defaultdict(set)  # document -> operations of its reports
        self.lsh_docs: set[Any] = set()
        from datasketch import MinHashLSH

        text = settings["text"]
        self.lsh = MinHashLSH(threshold=text["lsh_threshold"], num_perm=text["num_perm"])

    def add(self, operation: int, report: LinkReport) -> None:
        self.members[operation].append(report)
        self.documents[report.document].add(operation)
        for key in self._keys(report):
            self.blocks[key].add(operation)
        if report.fingerprint and report.document not in self.lsh_docs:
            self.lsh.insert(report.document, _lean(report.fingerprint, self.settings))
            self.lsh_docs.add(report.document)

    def candidates(self, report: LinkReport) -> tuple[set[int], set[Any]]:
        """Candidate operations, and the documents whose text is similar."""
        found: set[int] = set()
        for key in self._query_keys(report):
            found |= self.blocks.get(key, set())
        similar: set[Any] = set()
        if report.fingerprint and self.lsh_docs:
            similar = set(self.lsh.query(_lean(report.fingerprint, self.settings)))
            for doc in similar:
                found |= self.documents.get(doc, set())
        return found, similar

    @staticmethod
    def _places(report: LinkReport, indexing: bool = False) -> list[tuple]:
        """Place keys. A report with a region is looked up by its region; one
        without (a city-state's district, a locality the gazetteer could not
        place in a region, only a country) by its locality and its agencies,
        a whole country being too wide a block. Every report is indexed under
        its region, its locality and its agencies; reports without a region
        also under "regionless" keys, which reports with a region look up, so
        that whichever of two reports comes first, the other finds it."""
        agencies = sorted(report.agencies)
        if not indexing:
            if report.admin1:
                keys = [("place", report.country, report.admin1)]
                if report.locality:
                    keys.append(("regionless-locality", report.country, report.locality))
                return keys + [("regionless-agency", agency) for agency in agencies]
            keys = [("locality", report.country, report.locality)] if report.locality else []
            return keys + [("agency", agency) for agency in agencies]
        keys = [("place", report.country, report.admin1)] if report.admin1 else []
        if report.locality:
            keys.append(("locality", report.country, report.locality))
        keys += [("agency", agency) for agency in agencies]
        if not report.admin1:
            if report.locality:
                keys.append(("regionless-locality", report.country, report.locality))
            keys += [("regionless-agency", agency) for agency in agencies]
        return keys

    def _keys(self, report: LinkReport) -> Iterable[tuple]:
        """Index keys: place x week of the action (dated reports, "d") or of
        publication (undated ones, "u")."""
        if report.name:
            yield ("name", report.name)
        if report.days:
            kind, weeks = "d", range(_week(report.days[0]), _week(report.days[1]) + 1)
        elif report.published:
            kind, weeks = "u", range(_week(report.published.toordinal()), _week(report.published.toordinal()) + 1)
        else:
            kind, weeks = "u", [None]
        for place in self._places(report, indexing=True):
            for week in weeks:
                yield (kind, *place, week)

    def _query_keys(self, report: LinkReport) -> Iterable[tuple]:
        """The weeks in which a matching report can have been indexed: for a
        dated report, action dates within the day gap and undated reports
        published up to the follow-up window after; for an undated one,
        action dates up to the follow-up window before its publication and
        undated reports published within the undated window."""
        if report.name:
            yield ("name", report.name)
        dates = self.settings["dates"]
        gap, follow_up, undated = dates["max_day_gap"], dates["follow_up_days"], dates["undated_window_days"]
        if report.days:
            first, last = report.days
            ranges = [("d", first - gap, last + gap), ("u", first - 1, last + follow_up)]
        elif report.published:
            day = report.published.toordinal()
            ranges = [("d", day - follow_up, day + 1), ("u", day - undated, day + undated)]
        else:
            ranges = []
        for place in self._places(report):
            if not ranges:
                yield ("u", *place, None)
            for kind, low, high in ranges:
                for week in range(_week(low), _week(high) + 1):
                    yield (kind, *place, week)


def _week(ordinal: int) -> int:
    return ordinal // 7


def _lean(signature: bytes, settings: dict[str, Any]):
    import numpy as np
    from datasketch import LeanMinHash

    return LeanMinHash(
        seed=settings["text"]["seed"], hashvalues=np.frombuffer(signature, dtype="<u4"), scheme="affine32"
    )


def link(
    reports: Sequence[LinkReport],
    constraints: Constraints = Constraints(),
    rebuild: bool = False,
    settings: dict[str, Any] | None = None,
) -> LinkResult:
    """Assign every report to an operation (see the module docstring)."""
    settings = settings or rules()
    threshold = settings["threshold"]
    must: dict[Ref, set[Ref]] = defaultdict(set)
    for a, b in constraints.must_link:
        must[a].add(b)
        must[b].add(a)
    cannot: dict[Ref, set[Ref]] = defaultdict(set)
    for a, b in constraints.cannot_link:
        cannot[a].add(b)
        cannot[b].add(a)

    result = LinkResult()
    index = _Index(settings)
    refs_of: dict[int, set[Ref]] = defaultdict(set)
    pending: list[LinkReport] = []
    for report in reports:
        if report.operation is not None and not rebuild:
            result.assignments[report.ref] = report.operation
            refs_of[report.operation].add(report.ref)
            index.add(report.operation, report)
        else:
            pending.append(report)
    pending.sort(key=lambda r: (r.when or date.max, r.published or date.max, str(r.document), r.index))

    next_id = -1
    for report in pending:
        ref = report.ref
        target, decision = None, None
        for partner in sorted(must.get(ref, ()), key=str):
            if partner in result.assignments:
                target = result.assignments[partner]
                decision = LinkDecision(target, None, ("kept with another report by a reviewer",))
                break
        if target is None:
            best, best_score, best_reasons = None, 0.0, ()
            candidates, similar = index.candidates(report)
            for operation in sorted(candidates):
                if cannot.get(ref) and cannot[ref] & refs_of[operation]:
                    continue
                if any(member.document == report.document for member in index.members[operation]):
                    continue  # one document's reports are different operations
                op_score, op_reasons = _operation_score(report, index.members[operation], similar, settings)
                if op_score is not None and op_score >= threshold and (best is None or op_score > best_score):
                    best, best_score, best_reasons = operation, op_score, op_reasons
            if best is not None:
                target = best
                decision = LinkDecision(best, round(best_score, 3), best_reasons)
        if target is None:
            target = next_id
            next_id -= 1
            decision = LinkDecision(target, None, ("first report of this operation",))
        result.assignments[ref] = target
        result.decisions[ref] = decision
        refs_of[target].add(ref)
        index.add(target, report)

    if rebuild:
        _keep_old_ids(result, {r.ref: r.operation for r in reports if r.operation is not None})
    return result


def constraints_from_decisions(decisions: Iterable[dict[str, Any]]) -> Constraints:
    """Reviewers' merges and splits (as `Store.link_decisions()` gives them,
    oldest first) as must-link / cannot-link pairs of (document_id,
    report_index). A later split undoes the must-links of an earlier merge
    that it cuts through."""
    must: set[tuple[Ref, Ref]] = set()
    cannot: set[tuple[Ref, Ref]] = set()

    def refs(items: Any) -> list[Ref]:
        return [(int(d), int(i)) for d, i in items or ()]

    for decision in decisions:
        kind, saved = decision.get("kind"), decision.get("refs") or {}
        if kind == "merge":
            together = refs(saved.get("kept")) + refs(saved.get("absorbed"))
            must.update(zip(together, together[1:]))
            kept, absorbed = set(refs(saved.get("kept"))), set(refs(saved.get("absorbed")))
            cannot.difference_update({p for p in cannot if (p[0] in kept and p[1] in absorbed)
                                      or (p[1] in kept and p[0] in absorbed)})
        elif kind == "split":
            moved, kept = refs(saved.get("moved")), refs(saved.get("kept"))
            moved_set, kept_set = set(moved), set(kept)
            must.difference_update({p for p in must if (p[0] in moved_set) != (p[1] in moved_set)
                                    and (p[0] in kept_set or p[1] in kept_set)})
            must.update(zip(moved, moved[1:]))
            cannot.update((a, b) for a in moved for b in kept)
    return Constraints(must_link=tuple(sorted(must)), cannot_link=tuple(sorted(cannot)))


def _operation_score(
    report: LinkReport, members: list[LinkReport], similar: set[Any], settings: dict[str, Any]
) -> tuple[float | None, tuple[str, ...]]:
    """The best pair score against the operation's reports; None when any of
    them vetoes (an operation is one place, one time, one name). Text
    similarity counts for the documents LSH found similar (others: 0)."""
    best, best_reasons = None, ()
    for member in members:
        sim = similarity(report.fingerprint, member.fingerprint) if member.document in similar else 0.0
        score, reasons = pair_score(report, member, settings, sim)
        if score is None:
            return None, tuple(reasons)
        if best is None or score > best:
            best, best_reasons = score, tuple(reasons)
    return best, best_reasons


def _keep_old_ids(result: LinkResult, old: dict[Ref, int]) -> None:
    """Give each new group the old id it shares most reports with (each old id
    once, larger overlaps first), so a rebuild does not renumber."""
    overlap: dict[tuple[int, int], int] = defaultdict(int)
    for ref, group in result.assignments.items():
        if ref in old:
            overlap[(group, old[ref])] += 1
    mapping: dict[int, int] = {}
    used: set[int] = set()
    for (group, old_id), size in sorted(overlap.items(), key=lambda item: (-item[1], item[0][1], item[0][0])):
        if group in mapping or old_id in used:
            continue
        mapping[group] = old_id
        used.add(old_id)
    renumber: dict[int, int] = {}
    next_id = -1
    for group in sorted(set(result.assignments.values()), reverse=True):
        if group in mapping:
            renumber[group] = mapping[group]
        else:
            renumber[group] = next_id
            next_id -= 1
    for ref, group in result.assignments.items():
        result.assignments[ref] = renumber[group]
    for ref, decision in result.decisions.items():
        result.decisions[ref] = LinkDecision(renumber[decision.operation], decision.score, decision.reasons)
