"""Plain data passed between the pipeline stages.

Every stage takes and returns these frozen dataclasses, so a stage can run in
a test, in one process or in a worker pool without touching the database.
Values an extractor finds are never bare: each one is a `Claim` holding the
`Evidence` (span, sentence, rule) it was read from.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

COUNT_NAMES: tuple[str, ...] = (
    "arrested_total",
    "arrested_sex_workers",
    "arrested_buyers",
    "charged_trafficking",
    "potential_victims",
    "minors_identified",
    "immigration_detained",
    "premises_closed",
    "detained_not_arrested",
)
PUBLICITY_FLAGS: tuple[str, ...] = ("press_conference", "names_or_photos_published")
QUOTE_ROLES: tuple[str, ...] = ("law_enforcement", "official", "sex_worker", "advocate", "other")
TACTICS: tuple[str, ...] = (
    "premises_raid", "online_sting", "street_sweep", "reverse_sting", "code_enforcement",
    "immigration_enforcement", "closure_order", "eviction_pressure", "investigation",
)
VENUES: tuple[str, ...] = (
    "massage_business", "working_flat", "brothel", "hotel_motel", "residence", "street",
    "online", "club", "other",
)
SET_FIELDS: frozenset[str] = frozenset({"agencies", "tactics", "venues"})
# Every field of an operation in the gold format, as dotted paths.
OPERATION_FIELDS: tuple[str, ...] = (
    "name",
    "agencies",
    "place.country",
    "place.admin1",
    "place.locality",
    "date.start",
    "date.end",
    "date.precision",
    "tactics",
    "venues",
    *(f"counts.{c}" for c in COUNT_NAMES),
    *(f"publicity.{p}" for p in PUBLICITY_FLAGS),
    "immigration_involved",
)
# Fields that are not part of the gold format but are kept with the report.
EXTRA_FIELDS: tuple[str, ...] = ("place.latitude", "place.longitude")


def content_hash(text: str) -> str:
    """Identity of a document: SHA-256 of its text with normalised line ends."""
    normal = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Document:
    """One source text with its metadata, as ingest produces it."""

    text: str
    source_id: str  # a human handle: file stem or the JSON "id"; not unique
    title: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date YYYY-MM-DD
    language: str | None = None
    source_path: str | None = None
    content_hash: str = ""

    def __post_init__(self) -> None:
        if not self.content_hash:
            object.__setattr__(self, "content_hash", content_hash(self.text))


@dataclass(frozen=True)
class Evidence:
    """Where a value came from: a character span of the document text."""

    start: int
    end: int
    sentence_start: int
    sentence_end: int
    rule: str  # name of the lexicon rule or extractor function that fired
    note: str | None = None  # e.g. "lower bound" for "more than 100"

    def span_text(self, text: str) -> str:
        return text[self.start:self.end]

    def sentence(self, text: str) -> str:
        return text[self.sentence_start:self.sentence_end]


@dataclass(frozen=True)
class Claim:
    """One value of one field of one report, with its evidence."""

    field: str  # dotted path, e.g. "counts.arrested_total" or "agencies"
    value: Any  # JSON-compatible; a set field has one claim per element
    evidence: Evidence


@dataclass(frozen=True)
class Quote:
    """A direct quotation attributed to a speaker."""

    start: int
    end: int
    speaker: str | None
    role: str  # one of QUOTE_ROLES
    evidence: Evidence


@dataclass(frozen=True)
class OperationReport:
    """One operation as one document describes it: a bag of claims."""

    index: int  # position among the document's reports (0 = main operation)
    claims: tuple[Claim, ...] = ()

    def values(self, field_name: str) -> list[Any]:
        return [c.value for c in self.claims if c.field == field_name]

    def value(self, field_name: str) -> Any:
        found = self.values(field_name)
        return found[0] if found else None

    def to_gold(self) -> dict[str, Any]:
        """The report in the gold annotation format of SCHEMA.md."""
        return report_fields_to_gold(self.values, self.value)


def report_fields_to_gold(values, value) -> dict[str, Any]:
    """Build a gold-format operation from field accessors (shared by reports and operations)."""

    def unique(items: list[Any]) -> list[Any]:
        seen: list[Any] = []
        for item in items:
            if item not in seen:
                seen.append(item)
        return seen

    return {
        "name": value("name"),
        "agencies": unique(values("agencies")),
        "place": {k: value(f"place.{k}") for k in ("country", "admin1", "locality")},
        "date": {k: value(f"date.{k}") for k in ("start", "end", "precision")},
        "tactics": unique(values("tactics")),
        "venues": unique(values("venues")),
        "counts": {c: value(f"counts.{c}") for c in COUNT_NAMES},
        "publicity": {p: value(f"publicity.{p}") for p in PUBLICITY_FLAGS},
        "immigration_involved": value("immigration_involved"),
    }


@dataclass(frozen=True)
class Extraction:
    """Everything the extractor says about one document."""

    relevant: bool
    score: float
    reports: tuple[OperationReport, ...] = ()
    quotes: tuple[Quote, ...] = ()
    extractor_version: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def quote_counts(self) -> dict[str, int]:
        counts = {role: 0 for role in QUOTE_ROLES}
        for quote in self.quotes:
            counts[quote.role] = counts.get(quote.role, 0) + 1
        return counts


def gold_record(doc: Document, extraction: Extraction, keys: list[str | None] | None = None) -> dict[str, Any]:
    """One line of `raidwatch predict` output: the document in the gold format."""
    operations = []
    for i, report in enumerate(extraction.reports):
        op = report.to_gold()
        if keys is not None and keys[i] is not None:
            op = {"key": keys[i], **op}
        operations.append(op)
    return {
        "id": doc.source_id,
        "url": doc.url,
        "published": doc.published,
        "language": doc.language,
        "relevant": extraction.relevant,
        "operations": operations,
        "quotes": extraction.quote_counts(),
    }
