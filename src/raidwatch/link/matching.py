"""Does report A describe the same operation as report B? A score from what
the two say (weights in linking.yaml), or None when they cannot be the same
operation (a veto)."""
from __future__ import annotations

from typing import Any

from .features import LinkReport, add_days, distance_km, similarity


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def same_name(a: str, b: str, rules: dict[str, Any]) -> bool:
    if a == b:
        return True
    from rapidfuzz import fuzz

    return fuzz.token_set_ratio(a, b) >= rules["name"]["fuzzy_ratio"]


def pair_score(
    a: LinkReport, b: LinkReport, rules: dict[str, Any], text_similarity: float | None = None
) -> tuple[float | None, list[str]]:
    """(score, reasons); score None means a veto (reasons say which).
    `text_similarity` saves computing it from the fingerprints when the
    caller knows it (0 for documents the LSH index did not find similar)."""
    reasons: list[str] = []
    if a.days and b.days and a.precision == "day" and b.precision == "day":
        gap = max(a.days[0], b.days[0]) - min(a.days[1], b.days[1])  # cheapest veto first
        if gap > rules["dates"]["max_day_gap"]:
            return None, [f"action dates {gap} days apart"]
    if a.document == b.document:
        return None, ["same document"]
    if a.country and b.country and a.country != b.country:
        return None, ["different countries"]
    if a.admin1 and b.admin1 and a.admin1 != b.admin1:
        return None, ["different regions"]
    score = 0.0
    if a.name and b.name:
        if not same_name(a.name, b.name, rules):
            return None, ["different operation names"]
        score += rules["name"]["same"]
        reasons.append("same operation name")
    date_score, date_reason = _date_score(a, b, rules["dates"])
    if date_score is None:
        return None, [date_reason]
    if date_reason:
        score += date_score
        reasons.append(date_reason)

    text = rules["text"]
    sim = similarity(a.fingerprint, b.fingerprint) if text_similarity is None else text_similarity
    if sim >= text["near_duplicate"]:
        score += text["near_duplicate_score"]
        reasons.append(f"near-duplicate text ({sim:.2f})")
    elif sim > 0:
        score += text["weight"] * sim
        if sim >= 0.2:
            reasons.append(f"similar text ({sim:.2f})")

    if a.agencies and b.agencies:
        overlap = _jaccard(a.agencies, b.agencies)
        if overlap:
            score += rules["agencies"]["overlap_weight"] * overlap
            reasons.append(f"agencies {len(a.agencies & b.agencies)}/{len(a.agencies | b.agencies)} shared")
        else:
            score += rules["agencies"]["disjoint"]
            reasons.append("no agency in common")

    place = rules["place"]
    if a.locality and b.locality:
        if a.locality == b.locality:
            score += place["same_locality"]
            reasons.append("same locality")
        else:
            km = distance_km(a, b)
            if km is not None and km <= place["near_km"]:
                score += place["near_locality"]  # a suburb and its city, a county and its seat
                reasons.append(f"localities {km:.0f} km apart")
            else:
                score += place["different_locality"]
                reasons.append("different localities")
    if a.admin1 and a.admin1 == b.admin1:
        score += place["same_admin1"]

    if a.tactics and b.tactics:
        score += rules["tactics_weight"] * _jaccard(a.tactics, b.tactics)
    if a.venues and b.venues:
        score += rules["venues_weight"] * _jaccard(a.venues, b.venues)

    count_score, count_reason = _count_score(a, b, rules["counts"])
    if count_reason:
        score += count_score
        reasons.append(count_reason)
    return score, reasons


def _date_score(a: LinkReport, b: LinkReport, rules: dict[str, Any]) -> tuple[float | None, str]:
    """Score and reason for the two reports' dates; (None, why) for a veto;
    (0, "") when the dates say nothing."""
    ia, ib = a.interval, b.interval
    if ia and ib:
        if a.precision == "day" and b.precision == "day":
            gap = max(ia[0], ib[0]) - min(ia[1], ib[1])  # negative when the ranges overlap
            days = max(gap.days, 0)
            if days > rules["max_day_gap"]:
                return None, f"action dates {days} days apart"
            if a.start == b.start:
                return rules["same_day"], "same action date"
            return rules["close"], f"action dates within {days} day(s)"
        if ia[0] <= ib[1] and ib[0] <= ia[1]:
            return rules["compatible"], "compatible action dates"
        return None, "action dates do not overlap"
    if ia or ib:
        dated, undated = (a, b) if ia else (b, a)
        interval = ia or ib
        if undated.published is None:
            return 0.0, ""
        if not add_days(interval[0], -1) <= undated.published <= add_days(interval[1], rules["follow_up_days"]):
            return None, "published outside the operation's window"
        if undated.published <= add_days(interval[1], rules["soon_days"]):
            return rules["published_soon"], "published just after the action date"
        return 0.0, ""
    if a.published and b.published:
        if abs((a.published - b.published).days) > rules["undated_window_days"]:
            return None, "undated reports published far apart"
    return 0.0, ""


def _count_score(a: LinkReport, b: LinkReport, rules: dict[str, Any]) -> tuple[float, str]:
    if not a.counts or not b.counts:
        return 0.0, ""
    other = dict(b.counts)
    agree, disagree = [], []
    for name, value in a.counts:
        if name not in other:
            continue
        theirs = other[name]
        high, low = max(value, theirs), min(value, theirs)
        if high == low or (high - low) <= rules["tolerance"] * high:
            agree.append(name)
        elif low == 0 or high / low > rules["disagree_ratio"]:
            disagree.append(name)
    score = min(rules["max_bonus"], rules["agree"] * len(agree)) + rules["disagree"] * len(disagree)
    parts = []
    if agree:
        parts.append("counts agree (" + ", ".join(agree) + ")")
    if disagree:
        parts.append("counts differ (" + ", ".join(disagree) + ")")
    return score, "; ".join(parts)
