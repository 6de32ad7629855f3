"""What the public sees of an operation: the stored operation with every
text from a source (evidence sentences, titles) passed through redaction,
so no page or API response shows a private individual's name or address."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from raidwatch.model import COUNT_NAMES
from raidwatch.store import Store

COUNT_LABELS = {
    "arrested_total": "people arrested",
    "arrested_sex_workers": "sex workers arrested",
    "arrested_buyers": "buyers arrested",
    "charged_trafficking": "trafficking charges",
    "potential_victims": "called victims",
    "minors_identified": "minors identified",
    "immigration_detained": "immigration detentions",
    "premises_closed": "premises closed",
    "detained_not_arrested": "held without arrest",
}
FIELD_LABELS = {
    "name": "Operation name", "agencies": "Agencies", "place.country": "Country", "place.admin1": "Region",
    "place.locality": "Place", "place.latitude": "Latitude", "place.longitude": "Longitude",
    "date.start": "Start", "date.end": "End", "date.precision": "Date precision", "tactics": "Tactics",
    "venues": "Venues", **{f"counts.{k}": v.capitalize() for k, v in COUNT_LABELS.items()},
    "publicity.press_conference": "Press conference held",
    "publicity.names_or_photos_published": "Names or photos published",
    "immigration_involved": "Immigration authorities involved",
}


@lru_cache(maxsize=256)
def _spans(text: str):
    from raidwatch.privacy.redact import find_private_spans

    return tuple(find_private_spans(text))


def public_excerpt(text: str, start: int, end: int) -> str:
    """text[start:end] with private individuals' names, ages and addresses
    replaced by placeholders (decided over the whole text, so a surname
    alone is caught when the full name appeared earlier)."""
    from raidwatch.privacy.redact import redact

    return " ".join(redact(text, _spans(text), start, end).split())


def public_title(title: str | None) -> str | None:
    if not title:
        return title
    return public_excerpt(title, 0, len(title))


def public_operation(store: Store, operation_id: int) -> dict[str, Any] | None:
    """The operation with claims, evidence sentences and titles redacted."""
    op = store.operation(operation_id)
    if op is None:
        return None
    texts: dict[int, str] = {}
    for field in op.get("fields", {}).values():
        for claim in field["claims"]:
            evidence = claim.get("evidence")
            if not evidence:
                continue
            doc_id = claim["document_id"]
            if doc_id not in texts:
                stored = store.get_document(doc_id)
                texts[doc_id] = stored.document.text if stored else ""
            text = texts[doc_id]
            evidence["sentence"] = public_excerpt(text, evidence["sentence_start"], evidence["sentence_end"])
    for source in op["sources"]:
        source["title"] = public_title(source.get("title"))
    return op


def gap_statement(totals: dict[str, Any]) -> str:
    """The headline in plain words: arrests against trafficking charges and
    the people the authorities called victims."""
    counts = totals["counts"]
    parts = [
        f"{counts['arrested_total']:,} arrests",
        f"{counts['charged_trafficking']:,} trafficking charges",
        f"{counts['potential_victims']:,} called possible victims",
    ]
    return f"{totals['operations']:,} operations: " + ", ".join(parts) + "."


def citation(op: dict[str, Any], url: str) -> str:
    place = ", ".join(p for p in (op["place"].get("locality"), op["place"].get("admin1"), op["place"].get("country"))
                      if p)
    when = op["date"].get("start") or "date unknown"
    name = op.get("name") or "Operation"
    return f"raidwatch, “{name}”, {place or 'place unknown'}, {when}. Operation #{op['id']}. {url}"


def count_rows(counts: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(COUNT_LABELS[name], counts.get(name)) for name in COUNT_NAMES]
