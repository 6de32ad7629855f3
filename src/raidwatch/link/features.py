"""What linking compares: one report's facts, normalised once, and the
document's text fingerprint (MinHash of word shingles)."""
from __future__ import annotations

import calendar
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from raidwatch.model import COUNT_NAMES, OperationReport

RULES_PATH = Path(__file__).with_name("linking.yaml")
_FOLD_RE = re.compile(r"[^\w]+")
_WORD_RE = re.compile(r"\w+")


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    """linking.yaml, parsed once."""
    with RULES_PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def fold(text: str | None) -> str | None:
    """Case, accents and punctuation folded: "St. John's" -> "st johns"."""
    if not text:
        return None
    decomposed = unicodedata.normalize("NFKD", text.replace("'", "").replace("\u2019", ""))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = " ".join(_FOLD_RE.sub(" ", plain.casefold()).split())
    return folded or None


def _as_date(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _as_float(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def distance_km(a: LinkReport, b: LinkReport) -> float | None:
    """Great-circle distance between the two reports' localities."""
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def date_interval(start: date | None, end: date | None, precision: str | None) -> tuple[date, date] | None:
    """The days an action date can mean: a day, a whole month or a whole year."""
    if start is None:
        return None
    if precision == "month":
        last = calendar.monthrange(start.year, start.month)[1]
        return start.replace(day=1), max(end or start, start.replace(day=last))
    if precision == "year":
        return start.replace(month=1, day=1), max(end or start, start.replace(month=12, day=31))
    return start, max(end or start, start)


@dataclass(frozen=True)
class LinkReport:
    """One report as linking sees it. `document` is any hashable document key
    (a database id, or a file name in `predict`); (document, index) is the
    report's reference. `operation` is the operation it belongs to already
    (None: not linked yet). `fingerprint` is the document's MinHash."""

    document: Any
    index: int
    published: date | None = None
    name: str | None = None
    agencies: frozenset[str] = frozenset()
    country: str | None = None
    admin1: str | None = None
    locality: str | None = None
    latitude: float | None = None  # of the locality, when the gazetteer knew it
    longitude: float | None = None
    start: date | None = None
    end: date | None = None
    precision: str | None = None
    tactics: frozenset[str] = frozenset()
    venues: frozenset[str] = frozenset()
    counts: tuple[tuple[str, int], ...] = ()
    fingerprint: bytes | None = field(default=None, repr=False)  # see fingerprint(); a tuple of ints is converted
    operation: int | None = None
    # Derived once (linking compares each report many times): the action
    # date's interval as (date, date) and as day ordinals.
    interval: tuple[date, date] | None = field(init=False, repr=False, compare=False)
    days: tuple[int, int] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.fingerprint is not None and not isinstance(self.fingerprint, bytes):
            object.__setattr__(self, "fingerprint", fingerprint_bytes(self.fingerprint))
        interval = date_interval(self.start, self.end, self.precision)
        object.__setattr__(self, "interval", interval)
        object.__setattr__(self, "days", (interval[0].toordinal(), interval[1].toordinal()) if interval else None)

    @property
    def ref(self) -> tuple[Any, int]:
        return (self.document, self.index)

    @property
    def when(self) -> date | None:
        """The date used for blocking: the action date, else publication."""
        return self.start or self.published

    @classmethod
    def from_gold(
        cls,
        document: Any,
        index: int,
        op: dict[str, Any],
        published: Any = None,
        fingerprint: bytes | None = None,
        operation: int | None = None,
    ) -> LinkReport:
        """From an operation in the gold format (`OperationReport.to_gold()`),
        with the locality's coordinates as optional "latitude"/"longitude"."""
        place = op.get("place") or {}
        when = op.get("date") or {}
        counts = op.get("counts") or {}
        return cls(
            document=document,
            index=index,
            published=_as_date(published),
            name=_name_key(op.get("name")),
            agencies=frozenset(filter(None, (fold(a) for a in op.get("agencies") or ()))),
            country=fold(place.get("country")),
            admin1=fold(place.get("admin1")),
            locality=fold(place.get("locality")),
            latitude=_as_float(op.get("latitude")),
            longitude=_as_float(op.get("longitude")),
            start=_as_date(when.get("start")),
            end=_as_date(when.get("end")),
            precision=when.get("precision"),
            tactics=frozenset(op.get("tactics") or ()),
            venues=frozenset(op.get("venues") or ()),
            counts=tuple(
                (name, counts[name])
                for name in COUNT_NAMES
                if isinstance(counts.get(name), int) and not isinstance(counts.get(name), bool)
            ),
            fingerprint=fingerprint,
            operation=operation,
        )


def report_link_input(report: OperationReport) -> dict[str, Any]:
    """A report's gold-format fields plus its locality's coordinates: what
    `LinkReport.from_gold` reads."""
    return {**report.to_gold(), "latitude": report.value("place.latitude"), "longitude": report.value("place.longitude")}


def _name_key(name: str | None) -> str | None:
    """An operation name without the word that introduces it ("Operation
    Velvet Rope" and "Velvet Rope" are one name)."""
    folded = fold(name)
    if not folded:
        return None
    for prefix in ("operation ", "project ", "strike force ", "task force "):
        if folded.startswith(prefix) and len(folded) > len(prefix):
            return folded[len(prefix):]
    return folded


def fingerprint(text: str) -> bytes:
    """MinHash signature of the text's word shingles (datasketch): `text.num_perm`
    unsigned 32-bit integers, little-endian. Similar texts have similar
    signatures: the share of equal positions estimates the Jaccard similarity
    of their shingle sets."""
    from datasketch import MinHash

    settings = rules()["text"]
    size = settings["shingle_words"]
    words = _WORD_RE.findall(text.casefold())
    if len(words) < size:
        shingles = {" ".join(words).encode("utf-8")}
    else:
        shingles = {" ".join(words[i:i + size]).encode("utf-8") for i in range(len(words) - size + 1)}
    minhash = MinHash(num_perm=settings["num_perm"], seed=settings["seed"])
    minhash.update_batch(list(shingles))
    return minhash.hashvalues.astype("<u4").tobytes()


def fingerprint_bytes(signature: bytes | Sequence[int]) -> bytes:
    """A signature as stored: bytes stay bytes, a sequence of ints is packed."""
    if isinstance(signature, bytes):
        return signature
    return b"".join(int(v).to_bytes(4, "little") for v in signature)


def fingerprint_from_bytes(data: bytes | None) -> bytes | None:
    """A stored signature, or None when it is missing or malformed."""
    if not data or len(data) % 4:
        return None
    return bytes(data)


def similarity(a: bytes | None, b: bytes | None) -> float:
    """Estimated Jaccard similarity of two fingerprints (0 when either is missing)."""
    if not a or not b or len(a) != len(b):
        return 0.0
    import numpy as np

    left, right = np.frombuffer(a, dtype="<u4"), np.frombuffer(b, dtype="<u4")
    return float(np.count_nonzero(left == right)) / len(left)


def add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)
