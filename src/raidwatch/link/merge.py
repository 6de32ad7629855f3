"""The merge policy: one displayed value per field of an operation, with the
reason it won, from the claims of all its sources. No claim is dropped: every
field keeps all its claims, and a field whose sources give different values
is marked disputed.

Pure entry point: `resolve(claims, locks)`. The policy per field family is
data (`merge:` in linking.yaml). Fields that must stay consistent are chosen
together from one source report: the date (start, end, precision) and the
place (country, region, locality, coordinates).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from raidwatch.model import COUNT_NAMES, PUBLICITY_FLAGS, SET_FIELDS

from .features import rules

DATE_FIELDS = ("date.start", "date.end", "date.precision")
PLACE_FIELDS = ("place.country", "place.admin1", "place.locality", "place.latitude", "place.longitude")
_PRECISION_RANK = {"day": 3, "month": 2, "year": 1}

REASONS = {
    "single": "one source",
    "agree": "all sources agree",
    "most_recent": "most recent source",
    "most_sources": "most sources",
    "most_specific": "most specific",
    "earliest": "earliest source",
    "first": "first source",
    "union": "every source's values together",
    "any_true": "at least one source says so",
}


@dataclass(frozen=True)
class SourceClaim:
    """A claim with where it came from. `author` is None for the extractor,
    a reviewer's name for a correction. `published` orders sources in time."""

    field: str
    value: Any
    document_id: Any
    report_index: int | None = None
    published: str | None = None
    author: str | None = None
    created_at: datetime | None = None
    evidence: dict[str, Any] | None = None  # span, sentence span, rule, note, sentence text

    @property
    def source(self) -> tuple[Any, int | None]:
        return (self.document_id, self.report_index)


@dataclass
class FieldValue:
    """The displayed value of one field, why, and every claim behind it."""

    field: str
    value: Any
    reason: str
    disputed: bool = False
    claims: list[SourceClaim] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "reason": self.reason,
            "disputed": self.disputed,
            "claims": [
                {
                    "value": c.value,
                    "document_id": c.document_id,
                    "report_index": c.report_index,
                    "published": c.published,
                    "author": c.author,
                    "created_at": c.created_at.isoformat() if c.created_at else None,
                    **({"evidence": c.evidence} if c.evidence else {}),
                }
                for c in self.claims
            ],
        }


def _family(field_name: str) -> str:
    return field_name.split(".", 1)[0]


def resolve(
    claims: list[SourceClaim], locks: dict[str, Any] | None = None, settings: dict[str, Any] | None = None
) -> dict[str, FieldValue]:
    """Every field that has a claim or a lock -> its FieldValue."""
    policy = (settings or rules())["merge"]
    locks = locks or {}
    extracted: dict[str, list[SourceClaim]] = defaultdict(list)
    reviewed: dict[str, list[SourceClaim]] = defaultdict(list)
    for claim in claims:
        (reviewed if claim.author else extracted)[claim.field].append(claim)

    result: dict[str, FieldValue] = {}
    result.update(_resolve_group(DATE_FIELDS, extracted, policy["date"], _date_rank))
    result.update(_resolve_group(PLACE_FIELDS, extracted, policy["place"], _place_rank))
    for name, field_claims in extracted.items():
        if name in result or name in DATE_FIELDS or name in PLACE_FIELDS:
            continue
        if name in SET_FIELDS:
            result[name] = _union(name, field_claims)
        elif _family(name) in ("publicity", "immigration_involved"):
            result[name] = _any_true(name, field_claims)
        else:
            result[name] = _resolve_single(name, field_claims, policy[_family(name)])

    for name, corrections in reviewed.items():
        newest = max(corrections, key=lambda c: (c.created_at or datetime.min, str(c.document_id)))
        base = result.get(name)
        result[name] = FieldValue(
            field=name,
            value=newest.value,
            reason=f"corrected by reviewer {newest.author}",
            disputed=bool(base and base.disputed),
            claims=(base.claims if base else []) + sorted(corrections, key=lambda c: c.created_at or datetime.min),
        )
    for name, value in locks.items():
        base = result.get(name)
        result[name] = FieldValue(
            field=name,
            value=value,
            reason="locked by a reviewer",
            disputed=bool(base and base.disputed),
            claims=base.claims if base else [],
        )
    return result


def _by_source(claims: list[SourceClaim]) -> dict[tuple, list[SourceClaim]]:
    grouped: dict[tuple, list[SourceClaim]] = defaultdict(list)
    for claim in claims:
        grouped[claim.source].append(claim)
    return grouped


def _choose(candidates: list[tuple[Any, list[SourceClaim], int]], steps: list[str]) -> tuple[int, str]:
    """candidates: (value, the sources' claims, specificity). Index of the
    winner and the reason."""
    values = {_key(value) for value, _, _ in candidates}
    if len(candidates) == 1:
        return 0, REASONS["single"]
    if len(values) == 1:
        return 0, REASONS["agree"]
    alive = list(range(len(candidates)))
    for step in steps:
        if step == "most_recent":
            scores = [max((c.published or "") for c in candidates[i][1]) for i in alive]
        elif step == "earliest":
            scores = [_negate_date(min((c.published or "9999") for c in candidates[i][1])) for i in alive]
        elif step == "most_sources":
            scores = [sum(1 for v, _, _ in candidates if _key(v) == _key(candidates[i][0])) for i in alive]
        elif step == "most_specific":
            scores = [candidates[i][2] for i in alive]
        else:
            raise ValueError(f"unknown merge step {step!r} in linking.yaml")
        best = max(scores)
        winners = [i for i, s in zip(alive, scores) if s == best]
        if len({_key(candidates[i][0]) for i in winners}) == 1:
            return winners[0], REASONS[step]
        alive = winners
    return alive[0], REASONS["first"]


def _negate_date(iso: str) -> tuple:
    return tuple(-ord(ch) for ch in iso)


def _key(value: Any) -> str:
    return repr(value)


def _resolve_single(name: str, claims: list[SourceClaim], steps: list[str]) -> FieldValue:
    candidates = [(group[0].value, group, 0) for group in _by_source(claims).values()]
    winner, reason = _choose(candidates, steps)
    disputed = len({_key(v) for v, _, _ in candidates}) > 1
    return FieldValue(name, candidates[winner][0], reason, disputed, list(claims))


def _resolve_group(
    names: tuple[str, ...], extracted: dict[str, list[SourceClaim]], steps: list[str], rank
) -> dict[str, FieldValue]:
    """Choose one source report for a group of fields that belong together."""
    group_claims = [c for name in names for c in extracted.get(name, ())]
    if not group_claims:
        return {}
    candidates = []
    for group in _by_source(group_claims).values():
        values = {c.field: c.value for c in group}
        candidates.append((tuple(values.get(n) for n in names), group, rank(values)))
    winner, reason = _choose(candidates, steps)
    chosen = candidates[winner][0]
    result = {}
    for i, name in enumerate(names):
        field_claims = extracted.get(name, [])
        if not field_claims:
            continue
        distinct = {_key(c.value) for c in field_claims}
        result[name] = FieldValue(name, chosen[i], reason, len(distinct) > 1, list(field_claims))
    return result


def _date_rank(values: dict[str, Any]) -> int:
    return _PRECISION_RANK.get(values.get("date.precision") or "", 0) if values.get("date.start") else 0


def _place_rank(values: dict[str, Any]) -> int:
    return sum(1 for k in ("place.country", "place.admin1", "place.locality") if values.get(k))


def _union(name: str, claims: list[SourceClaim]) -> FieldValue:
    seen: list[Any] = []
    for claim in claims:
        if claim.value not in seen:
            seen.append(claim.value)
    return FieldValue(name, seen, REASONS["union"] if len(_by_source(claims)) > 1 else REASONS["single"], False,
                      list(claims))


def _any_true(name: str, claims: list[SourceClaim]) -> FieldValue:
    values = {bool(c.value) for c in claims}
    value = True in values
    reason = REASONS["single"] if len(_by_source(claims)) == 1 else (
        REASONS["agree"] if len(values) == 1 else REASONS["any_true"])
    return FieldValue(name, value, reason, len(values) > 1, list(claims))


def gold_fields(resolved: dict[str, FieldValue]) -> dict[str, Any]:
    """The operation in the gold format, from its resolved fields."""
    from raidwatch.model import report_fields_to_gold

    def value(name: str) -> Any:
        found = resolved.get(name)
        return found.value if found else None

    def values(name: str) -> list[Any]:
        found = resolved.get(name)
        if not found:
            return []
        return list(found.value) if isinstance(found.value, list) else [found.value]

    return report_fields_to_gold(values, value)


ALL_FIELDS = (
    "name", "agencies", *DATE_FIELDS, *PLACE_FIELDS, "tactics", "venues",
    *(f"counts.{c}" for c in COUNT_NAMES), *(f"publicity.{p}" for p in PUBLICITY_FLAGS), "immigration_involved",
)
