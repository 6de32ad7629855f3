"""Tables of the raidwatch database, as typed SQLAlchemy declarative models.

The models describe the schema at the newest migration; the migrations in
`migrations/versions/` create it (tests check that the two agree). A change
here needs a new migration.

Row classes end in `Row` so they never clash with the plain dataclasses of
`raidwatch.model` (a `DocumentRow` stores a `model.Document`).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Deterministic constraint names on every backend, so later migrations (and
# SQLite batch migrations) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL stores `timestamp with time zone`; SQLite has no such type, so
    the value is stored as naive UTC text and gets its UTC tzinfo back when
    read. Naive datetimes are refused on the way in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must carry a timezone")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class DocumentRow(Base):
    """A source text, stored once by content hash."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex, lower case
    source_id: Mapped[str] = mapped_column(Text, index=True)  # not unique
    title: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(10))  # ISO 'YYYY-MM-DD'
    language: Mapped[str | None] = mapped_column(Text)
    source_path: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    ingested_at: Mapped[datetime]
    # MinHash of the text's word shingles (raidwatch.link.fingerprint), for linking
    fingerprint: Mapped[bytes | None] = mapped_column(LargeBinary)
    # A reviewer said the document is not about a raid: its reports leave
    # their operations and linking skips it.
    irrelevant_at: Mapped[datetime | None]
    irrelevant_by: Mapped[str | None] = mapped_column(Text)
    # Version of the redaction rules whose private spans are stored (null: not yet decided)
    redaction_version: Mapped[str | None] = mapped_column(Text)


class ExtractionRunRow(Base):
    """One run of the extractor over one document.

    Old runs are kept as history (without their reports, claims and quotes,
    which are replaced); exactly one run per extracted document has
    is_current = true, and a partial unique index makes a second one
    impossible.
    """

    __tablename__ = "extraction_runs"
    __table_args__ = (
        Index(
            "ux_extraction_runs_current",
            "document_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    extractor_version: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime]
    relevant: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float] = mapped_column(Float)
    is_current: Mapped[bool] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)  # JSON list of the extractor's notes


class OperationRow(Base):
    """A real-world operation: one or more reports describe it.

    Ids are never reused or renumbered (AUTOINCREMENT on SQLite, a sequence on
    PostgreSQL), so they can be cited. The anchor is the (document, report
    index) whose report created the operation.
    """

    __tablename__ = "operations"
    __table_args__ = (
        UniqueConstraint("anchor_document_id", "anchor_report_index"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    anchor_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )
    anchor_report_index: Mapped[int | None] = mapped_column(Integer)
    # Set when a reviewer (or a rebuild) folded this operation into another:
    # /operations/<id> then leads there. A plain integer, see migration 0002.
    merged_into: Mapped[int | None] = mapped_column(Integer)
    reviewed_at: Mapped[datetime | None]  # last marked reviewed (the public pages say so)
    reviewed_by: Mapped[str | None] = mapped_column(Text)


class ReportRow(Base):
    """One operation as one document describes it (an `OperationReport`)."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("run_id", "report_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # (run_id, report_index) is unique, which also indexes run_id
    run_id: Mapped[int] = mapped_column(ForeignKey("extraction_runs.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    report_index: Mapped[int] = mapped_column(Integer)
    operation_id: Mapped[int | None] = mapped_column(
        ForeignKey("operations.id", ondelete="SET NULL"), index=True
    )  # null until linking places the report
    link_score: Mapped[float | None] = mapped_column(Float)  # the match score that placed it (null: it started the operation)
    link_note: Mapped[str | None] = mapped_column(Text)  # JSON list of the reasons


class ClaimRow(Base):
    """One value of one field, with its evidence.

    author is null for the extractor's claims and a reviewer's name for a
    reviewer's; re-extraction replaces only the extractor's. Reviewers' claims
    may lack a span, so the evidence columns are nullable.
    """

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="SET NULL"), index=True
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(Text, index=True)  # dotted path, e.g. "counts.arrested_total"
    value_json: Mapped[str] = mapped_column(Text)  # the value, JSON-encoded
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    sentence_start: Mapped[int | None] = mapped_column(Integer)
    sentence_end: Mapped[int | None] = mapped_column(Integer)
    rule: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class QuoteRow(Base):
    """A direct quotation of the current run. The quote's evidence span is the
    quote span itself (span_start, span_end)."""

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("extraction_runs.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(Text)
    sentence_start: Mapped[int] = mapped_column(Integer)
    sentence_end: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class LinkDecisionRow(Base):
    """A reviewer's decision about an operation, respected by every later
    linking run: 'merge' (other_operation_id was folded into operation_id),
    'split' (the reports in refs_json left operation_id for
    other_operation_id), 'lock' and 'unlock' (a field's displayed value).
    refs_json holds report references [[document_id, report_index], ...]
    taken when the decision was made."""

    __tablename__ = "link_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    operation_id: Mapped[int] = mapped_column(Integer, index=True)
    other_operation_id: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(Text)
    value_json: Mapped[str | None] = mapped_column(Text)
    refs_json: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class OperationSummaryRow(Base):
    """One live operation as the public sees it: the merge policy's values,
    flat, so the dashboard and the API filter, sort and add up in SQL.
    Derived from the claims (Store.refresh_summaries); never edited."""

    __tablename__ = "operation_summaries"

    operation_id: Mapped[int] = mapped_column(
        ForeignKey("operations.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(2))
    admin1: Mapped[str | None] = mapped_column(Text)
    locality: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    date_start: Mapped[str | None] = mapped_column(String(10), index=True)
    date_end: Mapped[str | None] = mapped_column(String(10))
    date_precision: Mapped[str | None] = mapped_column(String(5))
    arrested_total: Mapped[int | None] = mapped_column(Integer)
    arrested_sex_workers: Mapped[int | None] = mapped_column(Integer)
    arrested_buyers: Mapped[int | None] = mapped_column(Integer)
    charged_trafficking: Mapped[int | None] = mapped_column(Integer)
    potential_victims: Mapped[int | None] = mapped_column(Integer)
    minors_identified: Mapped[int | None] = mapped_column(Integer)
    immigration_detained: Mapped[int | None] = mapped_column(Integer)
    premises_closed: Mapped[int | None] = mapped_column(Integer)
    detained_not_arrested: Mapped[int | None] = mapped_column(Integer)
    press_conference: Mapped[bool | None] = mapped_column(Boolean)
    names_or_photos_published: Mapped[bool | None] = mapped_column(Boolean)
    immigration_involved: Mapped[bool | None] = mapped_column(Boolean)
    agencies_json: Mapped[str] = mapped_column(Text)
    tactics_json: Mapped[str] = mapped_column(Text)
    venues_json: Mapped[str] = mapped_column(Text)
    disputed_json: Mapped[str] = mapped_column(Text)
    sources: Mapped[int] = mapped_column(Integer)
    first_published: Mapped[str | None] = mapped_column(String(10))
    last_published: Mapped[str | None] = mapped_column(String(10))
    reviewed_at: Mapped[datetime | None] = mapped_column(index=True)
    reviewed_by: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]

    # Indexes for the API's filters and orders (migration 0004): a country
    # or region filter read in date order, the arrests order, and the
    # timeline read from an index alone.
    __table_args__ = (
        Index("ix_operation_summaries_country", "country", "admin1"),
        Index("ix_operation_summaries_country_date", "country", "date_start", "arrested_total"),
        Index("ix_operation_summaries_updated_at", "updated_at"),
        Index("ix_operation_summaries_region_date", func.lower(text("admin1")), "date_start"),
        Index("ix_operation_summaries_arrested_total", "arrested_total"),
        Index("ix_operation_summaries_date_arrests", "date_start", "arrested_total"),
    )


class OperationFacetRow(Base):
    """The agencies, tactics and venues of a summarised operation, one row
    each (kind 'agency', 'tactic', 'venue'), for filtering."""

    __tablename__ = "operation_facets"
    __table_args__ = (Index("ix_operation_facets_kind", "kind", "value", "operation_id"),)

    operation_id: Mapped[int] = mapped_column(
        ForeignKey("operations.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(Text, primary_key=True)


class UserRow(Base):
    """A reviewer account. password_hash is Argon2id (argon2-cffi)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    failed_logins: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    locked_until: Mapped[datetime | None]


class SessionRow(Base):
    """A reviewer's login session. The cookie holds a random token; only its
    SHA-256 is stored, so a copy of the database opens no session."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class AuditRow(Base):
    """Every change a reviewer made: who, when, what, old and new value."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(32))
    operation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    document_id: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(Text)
    old_json: Mapped[str | None] = mapped_column(Text)
    new_json: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class PrivateSpanRow(Base):
    """A span of a document's text that names a private individual (or
    gives their age or address): every public output replaces it with a
    placeholder. Rows with author null come from the redaction rules and are
    replaced when the rules change; a reviewer's row (author set) adds a
    span (hidden) or keeps a rule's span visible (hidden false, same span)."""

    __tablename__ = "private_spans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # person | age | address
    reason: Mapped[str] = mapped_column(Text)  # the rule, or the reviewer's note
    hidden: Mapped[bool] = mapped_column(Boolean)
    author: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class TestimonyRow(Base):
    """One testimony, sealed (libsodium sealed box) to the organisation's
    public key before it is stored: the server cannot read it. Only the day
    it arrived is kept; no address, user agent or time of day."""

    __tablename__ = "testimonies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_on: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD
    key_id: Mapped[str] = mapped_column(String(64))  # which public key sealed it (hex fingerprint)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


# Tables in dependency order (parents first).
TABLES: tuple[str, ...] = (
    "documents", "extraction_runs", "operations", "reports", "claims", "quotes", "link_decisions",
    "operation_summaries", "operation_facets", "users", "sessions", "audit_log", "private_spans", "testimonies",
)
