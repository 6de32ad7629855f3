"""Labels and wording of the public pages. What the public sees of an
operation comes from `raidwatch.publish` (redacted), never from the store
directly."""
from __future__ import annotations

from typing import Any

from raidwatch.model import COUNT_NAMES

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
