"""`Store`: every read and write of the raidwatch database.

Methods take and return the plain dataclasses of `raidwatch.model`; no row
object leaves this module. Each write method is one transaction: it either
happens completely or not at all.
"""
from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from alembic.util import CommandError
from sqlalchemy import Engine, delete, exists, func, insert, select, update
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from raidwatch import model

from . import migrate
from .engine import create_store_engine, default_db_path, display_url, to_url, writer
from .errors import DocumentNotFound, OperationNotFound, StoreError
from .schema import (
    TABLES,
    AuditRow,
    Base,
    ClaimRow,
    DocumentRow,
    ExtractionRunRow,
    LinkDecisionRow,
    OperationRow,
    OperationSummaryRow,
    PrivateSpanRow,
    QuoteRow,
    ReportRow,
    utcnow,
)

_HASH_RE = re.compile(r"[0-9a-f]{64}")
_HASH_PREFIX_RE = re.compile(r"[0-9a-fA-F]{8,64}")
_MAX_ID = 2**31 - 1  # INTEGER on PostgreSQL
_ITER_BATCH = 500


@dataclass(frozen=True)
class StoredDocument:
    """A document as stored: its database id, the document, and when it came in."""

    id: int
    document: model.Document
    ingested_at: datetime


class Store:
    """The raidwatch database (SQLite file or PostgreSQL server).

    Open with `Store.open(url_or_path)`; use as a context manager or call
    `close()`. A Store may be shared by threads; in a process pool, open one
    per process.
    """

    def __init__(self, engine: Engine, url: URL) -> None:
        """Use `Store.open`; this does not migrate."""
        self._engine = engine
        self._writer = writer(engine)
        self._url = url
        self._closed = False

    # ----------------------------------------------------------------- life

    @classmethod
    def open(cls, url: str | os.PathLike[str] | None = None) -> Store:
        """Open (creating if needed) the database and upgrade its schema.

        `url` is a SQLAlchemy URL (`sqlite:///...`, `postgresql://...`; plain
        `postgresql://` gets the psycopg 3 driver) or a plain file path, which
        means a SQLite file (parent directories are created). None means
        `default_db_path()`. Raises StoreError if the database cannot be
        reached, is not a database, or has a schema newer than this code.
        """
        parsed = to_url(default_db_path() if url is None else url)
        shown = display_url(parsed)
        engine = create_store_engine(parsed)
        try:
            with engine.connect():
                pass
        except DBAPIError as exc:
            engine.dispose()
            raise StoreError(f"cannot connect to the database {shown}: {_reason(exc)}") from exc
        except Exception:
            engine.dispose()
            raise
        try:
            migrate.upgrade(engine)
        except CommandError as exc:
            engine.dispose()
            raise StoreError(
                f"cannot upgrade the schema of {shown}: {exc}. The database may have been "
                "written by a newer raidwatch; upgrade raidwatch or use another database."
            ) from exc
        except DBAPIError as exc:
            engine.dispose()
            raise StoreError(f"cannot set up the schema of {shown}: {_reason(exc)}") from exc
        except Exception:
            engine.dispose()
            raise
        store = cls(engine, parsed)
        store._fill_missing_summaries()
        return store

    def _fill_missing_summaries(self) -> None:
        """A database upgraded from before the summaries has operations but
        no summary rows: build them once."""
        with self._read() as session:
            missing = session.scalar(
                select(OperationRow.id)
                .where(~exists().where(OperationSummaryRow.operation_id == OperationRow.id))
                .where(exists().where(ReportRow.operation_id == OperationRow.id))
                .limit(1)
            )
        if missing is not None:
            self.refresh_summaries()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r}{', closed' if self._closed else ''})"

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return display_url(self._url)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, for code inside `raidwatch.store` and tests."""
        return self._engine

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self._engine.dialect.name

    # -------------------------------------------------------------- helpers

    @contextmanager
    def _errors(self) -> Iterator[None]:
        if self._closed:
            raise StoreError("the store is closed")
        try:
            yield
        except StoreError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(f"database error on {self.url}: {_reason(exc)}") from exc

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._errors(), Session(self._engine) as session:
            yield session

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any exception."""
        with self._errors(), Session(self._writer, expire_on_commit=False) as session:
            with session.begin():
                yield session

    # ------------------------------------------------------------ documents

    def add_document(self, doc: model.Document) -> tuple[int, bool]:
        """Store `doc` once by content hash: (id, True) when it was new, else
        (id of the stored one, False) with nothing changed.

        Raises ValueError for a content_hash that is not 64 hex characters or
        a `published` that is not an ISO date.
        """
        content_hash = doc.content_hash.strip().lower()
        if not _HASH_RE.fullmatch(content_hash):
            raise ValueError(f"content_hash must be 64 hex characters, got {doc.content_hash!r}")
        published = _iso_date(doc.published)
        for attempt in range(2):
            try:
                with self._write() as session:
                    existing = session.scalar(
                        select(DocumentRow.id).where(DocumentRow.content_hash == content_hash)
                    )
                    if existing is not None:
                        return existing, False
                    row = DocumentRow(
                        content_hash=content_hash,
                        source_id=doc.source_id,
                        title=doc.title,
                        url=doc.url,
                        published=published,
                        language=doc.language,
                        source_path=doc.source_path,
                        text=doc.text,
                        ingested_at=utcnow(),
                    )
                    session.add(row)
                    session.flush()
                    return row.id, True
            except StoreError as exc:
                # Another writer stored the same text between our SELECT and
                # INSERT (possible on PostgreSQL): the second pass finds it.
                if attempt == 0 and isinstance(exc.__cause__, IntegrityError):
                    continue
                raise
        raise AssertionError("unreachable")

    def get_document(self, ref: str | int) -> StoredDocument | None:
        """Find a document by numeric id, by source_id (the most recently
        ingested one if several share it) or by a prefix of its content hash
        of at least 8 hex characters, tried in that order. None if nothing
        matches; StoreError if a hash prefix matches several documents."""
        text = str(ref).strip()
        if not text:
            return None
        with self._read() as session:
            if text.isascii() and text.isdigit() and int(text) <= _MAX_ID:
                row = session.get(DocumentRow, int(text))
                if row is not None:
                    return _stored(row)
            row = session.scalars(
                select(DocumentRow)
                .where(DocumentRow.source_id == text)
                .order_by(DocumentRow.ingested_at.desc(), DocumentRow.id.desc())
                .limit(1)
            ).first()
            if row is not None:
                return _stored(row)
            if _HASH_PREFIX_RE.fullmatch(text):
                rows = session.scalars(
                    select(DocumentRow)
                    .where(DocumentRow.content_hash.startswith(text.lower(), autoescape=True))
                    .order_by(DocumentRow.id)
                    .limit(2)
                ).all()
                if len(rows) > 1:
                    raise StoreError(
                        f"hash prefix {text!r} matches several documents "
                        f"(ids {rows[0].id}, {rows[1].id}, ...): give more characters"
                    )
                if rows:
                    return _stored(rows[0])
        return None

    def iter_documents(self, only_unextracted_for: str | None = None) -> Iterator[StoredDocument]:
        """All documents in id order, read in batches (no transaction is held
        open between batches, so the caller may write while iterating).

        With `only_unextracted_for=VERSION`: only documents whose current
        extraction run is not of that extractor version (or that have none).
        """
        last_id = 0
        while True:
            query = select(DocumentRow).where(DocumentRow.id > last_id)
            if only_unextracted_for is not None:
                query = query.where(
                    ~exists().where(
                        ExtractionRunRow.document_id == DocumentRow.id,
                        ExtractionRunRow.is_current.is_(True),
                        ExtractionRunRow.extractor_version == only_unextracted_for,
                    )
                )
            with self._read() as session:
                batch = [
                    _stored(row)
                    for row in session.scalars(query.order_by(DocumentRow.id).limit(_ITER_BATCH))
                ]
            if not batch:
                return
            yield from batch
            last_id = batch[-1].id

    # ----------------------------------------------------------- extraction

    def needs_extraction(self, document_id: int, extractor_version: str) -> bool:
        """True when the document's current extraction run is not of
        `extractor_version` (or it has none): the same test as
        `iter_documents(only_unextracted_for=...)`, for one document."""
        with self._read() as session:
            current = session.scalar(
                select(ExtractionRunRow.id).where(
                    ExtractionRunRow.document_id == document_id,
                    ExtractionRunRow.is_current.is_(True),
                    ExtractionRunRow.extractor_version == extractor_version,
                )
            )
            return current is None

    def save_extraction(self, document_id: int, extraction: model.Extraction) -> int:
        """Store `extraction` as the current run of the document; return the run id.

        In one transaction: older runs stop being current (they are kept),
        the run is inserted, the document's previous extractor claims (author
        null), reports and quotes are replaced by the new ones. Each report
        belongs to an operation: the one the document's previous report with
        the same index belonged to (so a link survives re-extraction), else
        the operation anchored at (document, index), else none: linking
        (`apply_links`) places it later. Operations left without reports are
        deleted. Reviewers' claims (author not null) are kept and moved to the
        new report with the same index (report_id null if there is none).

        Any exception rolls everything back: the database is as before.
        Raises DocumentNotFound for an unknown document_id, ValueError for
        duplicate report indexes or values that are not JSON.
        """
        indexes = [report.index for report in extraction.reports]
        if len(set(indexes)) != len(indexes):
            raise ValueError(f"report indexes must be unique within an extraction, got {indexes}")
        notes = json.dumps(list(extraction.notes), ensure_ascii=False) if extraction.notes else None

        with self._write() as session:
            if session.scalar(select(DocumentRow.id).where(DocumentRow.id == document_id)) is None:
                raise DocumentNotFound(f"no document with id {document_id}")
            now = utcnow()

            old_reports = session.execute(
                select(ReportRow.id, ReportRow.report_index, ReportRow.operation_id).where(
                    ReportRow.document_id == document_id
                )
            ).all()
            previous_operation = {r.report_index: r.operation_id for r in old_reports if r.operation_id is not None}
            anchored = {
                index: op_id
                for index, op_id in session.execute(
                    select(OperationRow.anchor_report_index, OperationRow.id).where(
                        OperationRow.anchor_document_id == document_id
                    )
                )
            }
            reviewer_claims = session.execute(
                select(ClaimRow.id, ReportRow.report_index)
                .join(ReportRow, ClaimRow.report_id == ReportRow.id)
                .where(ClaimRow.document_id == document_id, ClaimRow.author.is_not(None))
            ).all()

            session.execute(
                update(ExtractionRunRow)
                .where(ExtractionRunRow.document_id == document_id, ExtractionRunRow.is_current.is_(True))
                .values(is_current=False)
            )
            run = ExtractionRunRow(
                document_id=document_id,
                extractor_version=extraction.extractor_version,
                started_at=now,
                relevant=bool(extraction.relevant),
                score=float(extraction.score),
                is_current=True,
                notes=notes,
            )
            session.add(run)
            session.flush()

            session.execute(
                delete(ClaimRow).where(ClaimRow.document_id == document_id, ClaimRow.author.is_(None))
            )
            session.execute(delete(QuoteRow).where(QuoteRow.document_id == document_id))
            # reviewers' claims still pointing at these get report_id = NULL (ON DELETE SET NULL)
            session.execute(delete(ReportRow).where(ReportRow.document_id == document_id))

            new_report_ids: dict[int, int] = {}
            reused: set[int] = set()
            for report in extraction.reports:
                op_id = previous_operation.get(report.index) or anchored.get(report.index)
                if op_id is not None:
                    reused.add(op_id)
                row = ReportRow(
                    run_id=run.id, document_id=document_id, report_index=report.index, operation_id=op_id
                )
                session.add(row)
                session.flush()
                new_report_ids[report.index] = row.id
                claims = [_claim_values(document_id, row.id, claim, now) for claim in report.claims]
                if claims:
                    session.execute(insert(ClaimRow), claims)

            if reused:
                session.execute(
                    update(OperationRow).where(OperationRow.id.in_(reused)).values(updated_at=now)
                )
            moves: dict[int | None, list[int]] = defaultdict(list)
            for claim_id, index in reviewer_claims:
                moves[new_report_ids.get(index)].append(claim_id)
            for report_id, claim_ids in moves.items():
                session.execute(
                    update(ClaimRow).where(ClaimRow.id.in_(claim_ids)).values(report_id=report_id)
                )

            quotes = [_quote_values(document_id, run.id, quote) for quote in extraction.quotes]
            if quotes:
                session.execute(insert(QuoteRow), quotes)

            candidates = set(previous_operation.values()) | set(anchored.values())
            if candidates:
                session.execute(
                    delete(OperationRow).where(
                        OperationRow.id.in_(candidates),
                        ~exists().where(ReportRow.operation_id == OperationRow.id),
                    )
                )
                _refresh_summaries(session, candidates)
            return run.id

    def load_extraction(self, document_id: int) -> model.Extraction | None:
        """The document's current extraction rebuilt from the database (the
        extractor's claims only, reports in index order, quotes in stored
        order), or None if it has never been extracted."""
        with self._read() as session:
            run = session.scalars(
                select(ExtractionRunRow).where(
                    ExtractionRunRow.document_id == document_id, ExtractionRunRow.is_current.is_(True)
                )
            ).first()
            if run is None:
                return None
            reports = session.execute(
                select(ReportRow.id, ReportRow.report_index)
                .where(ReportRow.run_id == run.id)
                .order_by(ReportRow.report_index)
            ).all()
            claims_by_report: dict[int, list[model.Claim]] = defaultdict(list)
            for row in session.scalars(
                select(ClaimRow)
                .join(ReportRow, ClaimRow.report_id == ReportRow.id)
                .where(ReportRow.run_id == run.id, ClaimRow.author.is_(None))
                .order_by(ClaimRow.id)
            ):
                claims_by_report[row.report_id].append(_claim(row))  # type: ignore[index]
            quotes = tuple(
                _quote(row)
                for row in session.scalars(
                    select(QuoteRow).where(QuoteRow.run_id == run.id).order_by(QuoteRow.id)
                )
            )
            return model.Extraction(
                relevant=run.relevant,
                score=run.score,
                reports=tuple(
                    model.OperationReport(index=index, claims=tuple(claims_by_report[report_id]))
                    for report_id, index in reports
                ),
                quotes=quotes,
                extractor_version=run.extractor_version,
                notes=tuple(json.loads(run.notes)) if run.notes else (),
            )

    # -------------------------------------------------------------- privacy

    def documents_needing_redaction(self, version: str) -> Iterator[tuple[int, str]]:
        """(id, text) of documents whose private spans were decided by other
        redaction rules than `version` (or never), in id order, in batches."""
        return self._document_texts(
            (DocumentRow.redaction_version.is_(None)) | (DocumentRow.redaction_version != version))

    def save_private_spans(self, document_id: int, spans: Iterable[Any], version: str) -> None:
        """Store the redaction rules' decision for a document (objects with
        start, end, kind, reason), replacing the rules' earlier one;
        reviewers' decisions are kept."""
        now = utcnow()
        with self._write() as session:
            doc = session.get(DocumentRow, document_id)
            if doc is None:
                raise DocumentNotFound(f"no document with id {document_id}")
            session.execute(
                delete(PrivateSpanRow).where(PrivateSpanRow.document_id == document_id,
                                             PrivateSpanRow.author.is_(None))
            )
            rows = [
                {"document_id": document_id, "span_start": _int(span.start, "span start"),
                 "span_end": _int(span.end, "span end"), "kind": span.kind, "reason": span.reason,
                 "hidden": True, "author": None, "created_at": now}
                for span in spans
            ]
            if rows:
                session.execute(insert(PrivateSpanRow), rows)
            doc.redaction_version = version

    def private_spans(self, document_id: int) -> list[dict[str, Any]] | None:
        """The spans to hide in the document's public text: the rules' spans
        that no reviewer made visible, plus the spans reviewers added
        (dicts with start, end, kind, reason, author), sorted; None when no
        decision was stored yet (the caller must then decide itself)."""
        with self._read() as session:
            decided = session.scalar(select(DocumentRow.redaction_version).where(DocumentRow.id == document_id))
            if decided is None:
                return None
            rows = list(session.scalars(
                select(PrivateSpanRow).where(PrivateSpanRow.document_id == document_id).order_by(PrivateSpanRow.id)
            ))
        # The rules' rows first, then reviewers' decisions in the order they
        # were made: the latest word on a span wins.
        spans: dict[tuple[int, int], dict[str, Any]] = {}
        for r in sorted(rows, key=lambda r: (r.author is not None, r.id)):
            key = (r.span_start, r.span_end)
            if r.hidden:
                spans[key] = {"start": r.span_start, "end": r.span_end, "kind": r.kind, "reason": r.reason,
                              "author": r.author}
            else:
                spans.pop(key, None)
        return [spans[key] for key in sorted(spans)]

    def set_span_visibility(self, document_id: int, start: int, end: int, hidden: bool, author: str,
                            kind: str = "person", note: str | None = None) -> None:
        """A reviewer corrects a redaction decision: hide a span the rules
        missed (hidden=True) or show a span the rules hid (hidden=False)."""
        author = _author(author)
        if kind not in ("person", "age", "address"):
            raise ValueError("kind must be person, age or address")
        with self._write() as session:
            doc = session.get(DocumentRow, document_id) if 0 < document_id <= _MAX_ID else None
            if doc is None:
                raise DocumentNotFound(f"no document with id {document_id}")
            if not (0 <= start < end <= len(doc.text)):
                raise ValueError(f"the span {start}-{end} is not inside the document (0-{len(doc.text)})")
            session.add(PrivateSpanRow(
                document_id=document_id, span_start=start, span_end=end, kind=kind,
                reason=note or ("hidden by a reviewer" if hidden else "shown by a reviewer"),
                hidden=hidden, author=author, created_at=utcnow(),
            ))
            _audit(session, author, "redact" if hidden else "unredact", None, document_id=document_id,
                   new={"start": start, "end": end, "text_length": end - start}, note=note)

    # -------------------------------------------------------------- linking

    def documents_without_fingerprint(self) -> Iterator[tuple[int, str]]:
        """(id, text) of documents with a current extraction run but no text
        fingerprint yet, in id order, read in batches."""
        return self._document_texts(DocumentRow.fingerprint.is_(None),
                                    exists().where(ReportRow.document_id == DocumentRow.id))

    def _document_texts(self, *conditions) -> Iterator[tuple[int, str]]:
        """(id, text) of the documents meeting `conditions`, in id order, read in batches (each in
        its own short read, so writes can go on between them)."""
        last_id = 0
        while True:
            with self._read() as session:
                batch = session.execute(
                    select(DocumentRow.id, DocumentRow.text)
                    .where(DocumentRow.id > last_id, *conditions)
                    .order_by(DocumentRow.id)
                    .limit(_ITER_BATCH)
                ).all()
            if not batch:
                return
            yield from ((row.id, row.text) for row in batch)
            last_id = batch[-1].id

    def save_fingerprints(self, fingerprints: dict[int, bytes]) -> None:
        """Store text fingerprints by document id (one transaction)."""
        if not fingerprints:
            return
        with self._write() as session:
            for doc_id, value in fingerprints.items():
                session.execute(update(DocumentRow).where(DocumentRow.id == doc_id).values(fingerprint=value))

    def link_inputs(self) -> list[dict[str, Any]]:
        """Every current report, as linking needs it: document_id,
        report_index, operation_id (None: not linked yet), published,
        fingerprint (bytes or None) and `fields`: the report's extractor
        claims in the gold format plus "latitude"/"longitude"."""
        with self._read() as session:
            report_rows = session.execute(
                select(
                    ReportRow.id, ReportRow.document_id, ReportRow.report_index, ReportRow.operation_id,
                    DocumentRow.published, DocumentRow.fingerprint,
                )
                .join(DocumentRow, DocumentRow.id == ReportRow.document_id)
                .where(DocumentRow.irrelevant_at.is_(None))
                .order_by(ReportRow.id)
            ).all()
            claims: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
            for report_id, field_name, value_json in session.execute(
                select(ClaimRow.report_id, ClaimRow.field, ClaimRow.value_json)
                .where(ClaimRow.report_id.is_not(None), ClaimRow.author.is_(None))
                .order_by(ClaimRow.id)
            ):
                claims[report_id][field_name].append(json.loads(value_json))
        inputs = []
        for row in report_rows:
            by_field = claims.get(row.id, {})

            def values(name: str, _f: dict = by_field) -> list[Any]:
                return list(_f.get(name, ()))

            def value(name: str, _f: dict = by_field) -> Any:
                found = _f.get(name)
                return found[0] if found else None

            inputs.append({
                "document_id": row.document_id,
                "report_index": row.report_index,
                "operation_id": row.operation_id,
                "published": row.published,
                "fingerprint": row.fingerprint,
                "fields": {
                    **model.report_fields_to_gold(values, value),
                    "latitude": value("place.latitude"),
                    "longitude": value("place.longitude"),
                },
            })
        return inputs

    def apply_links(
        self,
        assignments: dict[tuple[int, int], int],
        explanations: dict[tuple[int, int], tuple[float | None, list[str]]] | None = None,
    ) -> dict[int, int]:
        """Put reports into operations, in one transaction.

        `assignments` maps (document_id, report_index) to an operation id;
        negative ids are new operations (created here, anchored at their
        first report) and the returned dict maps them to the real ids.
        `explanations` gives (score, reasons) per report for `link_note`.
        An operation left without reports is folded into the operation that
        received most of them (merged_into, so its address keeps leading
        somewhere) or deleted when its reports are gone altogether.
        """
        explanations = explanations or {}
        now = utcnow()
        with self._write() as session:
            rows = session.execute(
                select(ReportRow.id, ReportRow.document_id, ReportRow.report_index, ReportRow.operation_id)
            ).all()
            by_ref = {(r.document_id, r.report_index): r for r in rows}
            unknown = [ref for ref in assignments if ref not in by_ref]
            if unknown:
                raise ValueError(f"no current report {unknown[0]} (document id, report index)")
            existing = set(session.scalars(select(OperationRow.id)))
            bad = sorted(op for op in set(assignments.values()) if op >= 0 and op not in existing)
            if bad:
                raise ValueError(f"no operation {bad[0]}")
            real: dict[int, int] = {}
            for ref, op_id in sorted(assignments.items(), key=lambda item: (-item[1], item[0])):
                if op_id < 0 and op_id not in real:
                    session.execute(
                        update(OperationRow)
                        .where(OperationRow.anchor_document_id == ref[0], OperationRow.anchor_report_index == ref[1])
                        .values(anchor_document_id=None, anchor_report_index=None)
                    )
                    operation = OperationRow(
                        created_at=now, updated_at=now, anchor_document_id=ref[0], anchor_report_index=ref[1]
                    )
                    session.add(operation)
                    session.flush()
                    real[op_id] = operation.id
            moved_from: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
            touched: set[int] = set()
            for ref, op_id in assignments.items():
                target = real.get(op_id, op_id)
                row = by_ref[ref]
                values: dict[str, Any] = {}
                if row.operation_id != target:
                    values["operation_id"] = target
                    touched.add(target)
                    if row.operation_id is not None:
                        moved_from[row.operation_id][target] += 1
                if ref in explanations:
                    score, reasons = explanations[ref]
                    values["link_score"] = score
                    values["link_note"] = json.dumps(list(reasons), ensure_ascii=False)
                if values:
                    session.execute(update(ReportRow).where(ReportRow.id == row.id).values(**values))
            if touched:
                session.execute(update(OperationRow).where(OperationRow.id.in_(touched)).values(updated_at=now))
            self._retire_empty(session, moved_from, now)
            if touched or moved_from:
                _refresh_summaries(session, touched | set(moved_from))
            return real

    @staticmethod
    def _retire_empty(session: Session, moved_from: dict[int, dict[int, int]], now: datetime) -> None:
        for old_id, targets in moved_from.items():
            if session.scalar(select(ReportRow.id).where(ReportRow.operation_id == old_id).limit(1)) is not None:
                continue
            heir = max(targets.items(), key=lambda item: (item[1], -item[0]))[0]
            session.execute(
                update(OperationRow)
                .where(OperationRow.id == old_id)
                .values(merged_into=heir, updated_at=now, anchor_document_id=None, anchor_report_index=None)
            )
            session.execute(update(OperationRow).where(OperationRow.merged_into == old_id).values(merged_into=heir))

    # ------------------------------------------------- reviewers' decisions

    def _refs_of(self, session: Session, operation_id: int) -> list[list[int]]:
        return [
            [r.document_id, r.report_index]
            for r in session.execute(
                select(ReportRow.document_id, ReportRow.report_index)
                .where(ReportRow.operation_id == operation_id)
                .order_by(ReportRow.document_id, ReportRow.report_index)
            )
        ]

    def _live_operation(self, session: Session, operation_id: int) -> OperationRow:
        row = session.get(OperationRow, operation_id) if 0 < operation_id <= _MAX_ID else None
        if row is None:
            raise OperationNotFound(f"no operation {operation_id}")
        if row.merged_into is not None:
            raise OperationNotFound(f"operation {operation_id} was merged into operation {row.merged_into}")
        return row

    def merge_operations(self, keep: int, absorb: int, author: str, note: str | None = None) -> None:
        """A reviewer's merge: every report of `absorb` moves to `keep`;
        `absorb` then leads to `keep`. Later linking keeps them together."""
        author = _author(author)
        if keep == absorb:
            raise ValueError("cannot merge an operation with itself")
        now = utcnow()
        with self._write() as session:
            kept, absorbed = self._live_operation(session, keep), self._live_operation(session, absorb)
            refs = {"kept": self._refs_of(session, keep), "absorbed": self._refs_of(session, absorb)}
            session.execute(update(ReportRow).where(ReportRow.operation_id == absorb).values(operation_id=keep))
            absorbed.merged_into = keep
            absorbed.anchor_document_id = absorbed.anchor_report_index = None
            absorbed.updated_at = kept.updated_at = now
            session.execute(update(OperationRow).where(OperationRow.merged_into == absorb).values(merged_into=keep))
            session.add(LinkDecisionRow(
                kind="merge", operation_id=keep, other_operation_id=absorb, refs_json=json.dumps(refs),
                author=author, note=note, created_at=now,
            ))
            locks = _locks(session, [keep, absorb])
            kept_locks, absorbed_locks = locks[keep], locks[absorb]
            for field_name, value_json in absorbed_locks.items():
                if field_name not in kept_locks:  # the absorbed operation's locks move with it
                    session.add(LinkDecisionRow(
                        kind="lock", operation_id=keep, field=field_name, value_json=value_json, author=author,
                        note=f"carried over from operation {absorb}", created_at=now,
                    ))
            _audit(session, author, "merge", keep, new={"merged": absorb}, note=note)
            _refresh_summaries(session, {keep, absorb})

    def split_operation(
        self, operation_id: int, refs: list[tuple[int, int]], author: str, note: str | None = None
    ) -> int:
        """A reviewer's split: the reports `refs` ((document_id, report_index)
        pairs) leave the operation for a new one, whose id is returned. Later
        linking never puts them back together with the reports that stayed."""
        author = _author(author)
        wanted = {(int(d), int(i)) for d, i in refs}
        now = utcnow()
        with self._write() as session:
            self._live_operation(session, operation_id)
            current = {tuple(r) for r in self._refs_of(session, operation_id)}
            missing = sorted(wanted - current)
            if missing:
                raise ValueError(f"report {missing[0]} is not in operation {operation_id}")
            if not wanted or wanted == current:
                raise ValueError("a split must move some, but not all, of the operation's reports")
            first = min(wanted)
            session.execute(
                update(OperationRow)
                .where(OperationRow.anchor_document_id == first[0], OperationRow.anchor_report_index == first[1])
                .values(anchor_document_id=None, anchor_report_index=None)
            )
            new = OperationRow(created_at=now, updated_at=now, anchor_document_id=first[0],
                               anchor_report_index=first[1])
            session.add(new)
            session.flush()
            for document_id, index in wanted:
                session.execute(
                    update(ReportRow)
                    .where(ReportRow.document_id == document_id, ReportRow.report_index == index)
                    .values(operation_id=new.id, link_score=None, link_note=json.dumps(["split off by a reviewer"]))
                )
            session.execute(update(OperationRow).where(OperationRow.id == operation_id).values(updated_at=now))
            refs_json = {"moved": sorted(map(list, wanted)), "kept": sorted(map(list, current - wanted))}
            session.add(LinkDecisionRow(
                kind="split", operation_id=operation_id, other_operation_id=new.id, refs_json=json.dumps(refs_json),
                author=author, note=note, created_at=now,
            ))
            _audit(session, author, "split", operation_id, new={"new_operation": new.id, **refs_json}, note=note)
            _refresh_summaries(session, {operation_id, new.id})
            return new.id

    def lock_field(self, operation_id: int, field_name: str, value: Any, author: str, note: str | None = None) -> None:
        """A reviewer fixes the value the operation shows for a field."""
        _check_field_value(field_name, value)
        self._field_decision("lock", operation_id, field_name, _json(value, "locked value"), author, note)

    def unlock_field(self, operation_id: int, field_name: str, author: str, note: str | None = None) -> None:
        """Undo `lock_field`: the merge policy chooses again."""
        self._field_decision("unlock", operation_id, field_name, None, author, note)

    def _field_decision(
        self, kind: str, operation_id: int, field_name: str, value_json: str | None, author: str, note: str | None
    ) -> None:
        if field_name not in model.OPERATION_FIELDS:
            raise ValueError(f"unknown field {field_name!r}; fields are: {', '.join(model.OPERATION_FIELDS)}")
        author = _author(author)
        with self._write() as session:
            self._live_operation(session, operation_id)
            session.add(LinkDecisionRow(
                kind=kind, operation_id=operation_id, field=field_name, value_json=value_json,
                author=author, note=note, created_at=utcnow(),
            ))
            _audit(session, author, kind, operation_id, field=field_name,
                   new=json.loads(value_json) if value_json is not None else None, note=note)
            _refresh_summaries(session, {operation_id})

    def correct_field(
        self, operation_id: int, field_name: str, value: Any, author: str, note: str | None = None
    ) -> None:
        """A reviewer confirms (same value) or corrects a field: a new claim
        with the reviewer's name and the time, kept beside the sources'
        claims (nothing is overwritten); the newest such claim is shown."""
        if field_name not in model.OPERATION_FIELDS:
            raise ValueError(f"unknown field {field_name!r}; fields are: {', '.join(model.OPERATION_FIELDS)}")
        author = _author(author)
        _check_field_value(field_name, value)
        value_json = _json(value, "corrected value")
        with self._write() as session:
            self._live_operation(session, operation_id)
            report = session.execute(
                select(ReportRow.id, ReportRow.document_id)
                .where(ReportRow.operation_id == operation_id)
                .order_by(ReportRow.document_id, ReportRow.report_index)
                .limit(1)
            ).first()
            if report is None:
                raise OperationNotFound(f"operation {operation_id} has no sources left")
            before = _build_operations(session, False, [operation_id])
            old = _field_of(before[0], field_name) if before else None
            session.add(ClaimRow(
                report_id=report.id, document_id=report.document_id, field=field_name, value_json=value_json,
                rule="reviewer", note=note, author=author, created_at=utcnow(),
            ))
            session.flush()
            action = "confirm" if old == value else "correct"
            _audit(session, author, action, operation_id, field=field_name, old=old, new=value, note=note)
            _refresh_summaries(session, {operation_id})

    def mark_reviewed(self, operation_id: int, author: str, note: str | None = None) -> None:
        """Record that a reviewer checked the operation (shown on public pages)."""
        author = _author(author)
        with self._write() as session:
            row = self._live_operation(session, operation_id)
            row.reviewed_at, row.reviewed_by = utcnow(), author
            _audit(session, author, "mark_reviewed", operation_id, note=note)
            session.flush()
            _refresh_summaries(session, {operation_id})

    def mark_irrelevant(self, document_id: int, author: str, note: str | None = None) -> None:
        """A reviewer says a document is not about a raid: its reports leave
        their operations (which keep their ids) and linking skips it."""
        author = _author(author)
        with self._write() as session:
            doc = session.get(DocumentRow, document_id) if 0 < document_id <= _MAX_ID else None
            if doc is None:
                raise DocumentNotFound(f"no document with id {document_id}")
            affected = set(session.scalars(
                select(ReportRow.operation_id).where(ReportRow.document_id == document_id,
                                                     ReportRow.operation_id.is_not(None))
            ))
            doc.irrelevant_at, doc.irrelevant_by = utcnow(), author
            session.execute(update(ReportRow).where(ReportRow.document_id == document_id).values(operation_id=None))
            _audit(session, author, "mark_irrelevant", None, document_id=document_id, note=note)
            session.flush()
            _refresh_summaries(session, affected)

    def audit_log(self, limit: int = 200, offset: int = 0, operation_id: int | None = None) -> list[dict[str, Any]]:
        """Reviewers' changes, newest first."""
        with self._read() as session:
            query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit).offset(offset)
            if operation_id is not None:
                query = query.where(AuditRow.operation_id == operation_id)
            return [
                {
                    "id": row.id, "at": row.at, "actor": row.actor, "action": row.action,
                    "operation_id": row.operation_id, "document_id": row.document_id, "field": row.field,
                    "old": json.loads(row.old_json) if row.old_json is not None else None,
                    "new": json.loads(row.new_json) if row.new_json is not None else None,
                    "note": row.note,
                }
                for row in session.scalars(query)
            ]

    def link_decisions(self) -> list[dict[str, Any]]:
        """Every reviewer decision, oldest first."""
        with self._read() as session:
            return [
                {
                    "id": row.id, "kind": row.kind, "operation_id": row.operation_id,
                    "other_operation_id": row.other_operation_id, "field": row.field,
                    "value": json.loads(row.value_json) if row.value_json is not None else None,
                    "refs": json.loads(row.refs_json) if row.refs_json else None,
                    "author": row.author, "note": row.note, "created_at": row.created_at,
                }
                for row in session.scalars(select(LinkDecisionRow).order_by(LinkDecisionRow.id))
            ]

    def resolve_operation_id(self, operation_id: int) -> int | None:
        """The live operation an id leads to (following merges), or None."""
        seen: set[int] = set()
        with self._read() as session:
            current: int | None = operation_id
            while current is not None and current not in seen and 0 < current <= _MAX_ID:
                seen.add(current)
                row = session.get(OperationRow, current)
                if row is None:
                    return None
                if row.merged_into is None:
                    return row.id
                current = row.merged_into
        return None

    # ----------------------------------------------------------- operations

    def operations(self, with_claims: bool = False, ids: list[int] | None = None) -> list[dict[str, Any]]:
        """Every live operation (or those in `ids`) as a dict: `id`, the
        gold-format fields chosen by the merge policy
        (`raidwatch.link.merge.resolve` over all its sources' claims,
        reviewers' corrections and locks), `latitude`/`longitude`,
        `disputed` (fields whose sources disagree), `sources` (one per
        document: document_id, source_id, title, url, published) and, with
        `with_claims`, `fields`: per field the displayed value, the reason,
        whether it is disputed and every claim with its evidence (and the
        evidence sentence), and `reports`: each report with the score and
        reasons that linked it. Sorted by date.start (unknown last), then id."""
        with self._read() as session:
            return _build_operations(session, with_claims, ids)

    def refresh_summaries(self, ids: list[int] | None = None) -> None:
        """Rebuild the summary rows of the given operations (all when None)."""
        with self._write() as session:
            _refresh_summaries(session, ids)

    def summaries(self) -> Any:
        """Query helpers over the summaries (see `store.summaries`)."""
        from .summaries import SummaryQueries

        return SummaryQueries(self)

    def operation(self, operation_id: int) -> dict[str, Any] | None:
        """One operation with its claims (see `operations(with_claims=True)`),
        or None. An id that was merged leads to the operation it joined."""
        live = self.resolve_operation_id(operation_id)
        if live is None:
            return None
        found = self.operations(with_claims=True, ids=[live])
        return found[0] if found else None

    # ---------------------------------------------------------------- misc

    def stats(self) -> dict[str, int]:
        """Number of rows in each table."""
        tables = Base.metadata.tables
        with self._read() as session:
            return {
                name: session.scalar(select(func.count()).select_from(tables[name])) or 0
                for name in TABLES
            }

    def tables_snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table (alembic_version included), ordered by
        primary key: compare two snapshots to check that nothing changed."""
        tables = Base.metadata.tables
        snapshot: dict[str, list[tuple[Any, ...]]] = {}
        with self._read() as session:
            for name in TABLES:
                table = tables[name]
                rows = session.execute(select(table).order_by(*table.primary_key.columns))
                snapshot[name] = [tuple(row) for row in rows]
            snapshot["alembic_version"] = [
                (migrate.current_revision(session.connection()),)
            ]
        return snapshot

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at."""
        with self._read() as session:
            return migrate.current_revision(session.connection())


_SUMMARY_BATCH = 2000  # operations rebuilt at a time (bounds memory on a full rebuild)


def _refresh_summaries(session: Session, ids: Iterable[int] | None) -> None:
    """Rebuild the summary rows of `ids` (every operation when None), a
    batch of operations at a time."""
    from .summaries import write_summaries

    if ids is None:
        write_summaries(session, [], None)  # empties the tables
        wanted = list(session.scalars(select(OperationRow.id).order_by(OperationRow.id)))
    else:
        wanted = sorted(set(ids))
    for start in range(0, len(wanted), _SUMMARY_BATCH):
        chunk = wanted[start:start + _SUMMARY_BATCH]
        write_summaries(session, _build_operations(session, False, chunk), set(chunk))


def _build_operations(session: Session, with_claims: bool, ids: list[int] | None) -> list[dict[str, Any]]:
    """The body of `Store.operations`, inside a given session (so a write
    transaction can rebuild summaries from what it just wrote)."""
    from raidwatch.link.merge import SourceClaim, gold_fields, resolve

    op_query = select(OperationRow.id, OperationRow.reviewed_at, OperationRow.reviewed_by).where(
        OperationRow.merged_into.is_(None)
    )
    if ids is not None:
        op_query = op_query.where(OperationRow.id.in_(ids))
    op_rows = {row.id: row for row in session.execute(op_query)}
    op_ids = list(op_rows)
    report_query = (
        select(ReportRow.id, ReportRow.operation_id, ReportRow.document_id, ReportRow.report_index,
               ReportRow.link_score, ReportRow.link_note)
        .where(ReportRow.operation_id.is_not(None))
    )
    if ids is not None:
        report_query = report_query.where(ReportRow.operation_id.in_(ids))
    report_rows = session.execute(report_query).all()
    report_of = {r.id: r for r in report_rows}
    claim_columns = [ClaimRow.report_id, ClaimRow.document_id, ClaimRow.field, ClaimRow.value_json,
                     ClaimRow.author, ClaimRow.created_at]
    if with_claims:
        claim_columns += [ClaimRow.span_start, ClaimRow.span_end, ClaimRow.sentence_start, ClaimRow.sentence_end,
                          ClaimRow.rule, ClaimRow.note]
    claim_query = (
        select(*claim_columns)
        .join(ReportRow, ClaimRow.report_id == ReportRow.id)
        .where(ReportRow.operation_id.is_not(None))
        .order_by(ClaimRow.id)
    )
    if ids is not None:
        claim_query = claim_query.where(ReportRow.operation_id.in_(ids))
    claim_rows = session.execute(claim_query).all()
    doc_ids = {r.document_id for r in report_rows}
    doc_columns = [DocumentRow.id, DocumentRow.source_id, DocumentRow.title, DocumentRow.url,
                   DocumentRow.published]
    if with_claims:
        doc_columns.append(DocumentRow.text)
    documents = {}
    doc_list = sorted(doc_ids)
    for start in range(0, len(doc_list), _ITER_BATCH):
        for row in session.execute(
            select(*doc_columns).where(DocumentRow.id.in_(doc_list[start:start + _ITER_BATCH]))
        ):
            documents[row.id] = row
    locks = {
        op_id: {name: json.loads(value_json) for name, value_json in fields.items()}
        for op_id, fields in _locks(session, ids).items()
    }

    claims_of: dict[int, list[SourceClaim]] = defaultdict(list)
    for row in claim_rows:
        report = report_of[row.report_id]  # type: ignore[index]
        doc = documents[row.document_id]
        evidence = None
        if with_claims and row.span_start is not None:
            evidence = {
                "start": row.span_start, "end": row.span_end,
                "sentence_start": row.sentence_start, "sentence_end": row.sentence_end,
                "rule": row.rule, "note": row.note,
                "sentence": doc.text[row.sentence_start:row.sentence_end],
            }
        claims_of[report.operation_id].append(SourceClaim(
            field=row.field, value=json.loads(row.value_json), document_id=row.document_id,
            report_index=report.report_index, published=doc.published, author=row.author,
            created_at=row.created_at, evidence=evidence,
        ))
    docs_of: dict[int, set[int]] = defaultdict(set)
    reports_of: dict[int, list[Any]] = defaultdict(list)
    for report in report_rows:
        docs_of[report.operation_id].add(report.document_id)
        reports_of[report.operation_id].append(report)

    result = []
    for op_id in op_ids:
        if not docs_of.get(op_id):
            continue
        resolved = resolve(claims_of.get(op_id, []), locks.get(op_id))
        lat, lon = resolved.get("place.latitude"), resolved.get("place.longitude")
        op = {
            "id": op_id,
            **gold_fields(resolved),
            "latitude": lat.value if lat else None,
            "longitude": lon.value if lon else None,
            "disputed": sorted(name for name, fv in resolved.items() if fv.disputed),
            "reviewed": {"at": op_rows[op_id].reviewed_at.isoformat(), "by": op_rows[op_id].reviewed_by}
            if op_rows[op_id].reviewed_at else None,
            "sources": [
                {
                    "document_id": doc_id,
                    "source_id": documents[doc_id].source_id,
                    "title": documents[doc_id].title,
                    "url": documents[doc_id].url,
                    "published": documents[doc_id].published,
                }
                for doc_id in sorted(docs_of[op_id], key=lambda d: (documents[d].published or "", d))
            ],
        }
        if with_claims:
            op["fields"] = {name: fv.as_dict() for name, fv in sorted(resolved.items())}
            op["reports"] = [
                {
                    "document_id": r.document_id,
                    "report_index": r.report_index,
                    "link_score": r.link_score,
                    "link_reasons": json.loads(r.link_note) if r.link_note else [],
                }
                for r in sorted(reports_of[op_id], key=lambda r: (r.document_id, r.report_index))
            ]
        result.append(op)
    result.sort(key=lambda op: (op["date"]["start"] is None, op["date"]["start"] or "", op["id"]))
    return result


# ------------------------------------------------------------------ mapping


def _audit(session: Session, actor: str, action: str, operation_id: int | None = None, *,
           document_id: int | None = None, field: str | None = None, old: Any = None, new: Any = None,
           note: str | None = None) -> None:
    """One line of the audit log, in the same transaction as the change."""
    session.add(AuditRow(
        at=utcnow(), actor=actor, action=action, operation_id=operation_id, document_id=document_id, field=field,
        old_json=None if old is None else json.dumps(old, ensure_ascii=False, default=str),
        new_json=None if new is None else json.dumps(new, ensure_ascii=False, default=str),
        note=note,
    ))


def _locks(session: Session, ids: list[int] | None) -> dict[int, dict[str, str]]:
    """Locked fields (JSON values) per operation of `ids` (all when None),
    after later unlocks."""
    query = select(LinkDecisionRow).where(LinkDecisionRow.kind.in_(("lock", "unlock")))
    if ids is not None:
        query = query.where(LinkDecisionRow.operation_id.in_(ids))
    active: dict[int, dict[str, str]] = defaultdict(dict)
    for row in session.scalars(query.order_by(LinkDecisionRow.id)):
        if row.kind == "lock":
            active[row.operation_id][row.field] = row.value_json  # type: ignore[index,assignment]
        else:
            active[row.operation_id].pop(row.field, None)  # type: ignore[arg-type]
    return active


def _check_field_value(field_name: str, value: Any) -> None:
    """A reviewer's value must have the field's type (ValueError otherwise)."""
    if value is None:
        return
    family = field_name.split(".", 1)[0]
    if family == "counts":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{field_name} must be a whole number of at least 0, got {value!r}")
    elif family in ("publicity", "immigration_involved"):
        if not isinstance(value, bool):
            raise ValueError(f"{field_name} must be true or false, got {value!r}")
    elif field_name in model.SET_FIELDS:
        allowed = {"tactics": model.TACTICS, "venues": model.VENUES}.get(field_name)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError(f"{field_name} must be a list of names, got {value!r}")
        if allowed and any(v not in allowed for v in value):
            raise ValueError(f"{field_name} must be among {', '.join(allowed)}")
    elif field_name in ("date.start", "date.end"):
        _iso_date(value)
    elif field_name == "date.precision":
        if value not in ("day", "month", "year"):
            raise ValueError("date.precision must be day, month or year")
    elif field_name == "place.country":
        if not (isinstance(value, str) and len(value) == 2 and value.isalpha() and value.isupper()):
            raise ValueError(f"place.country must be a two-letter ISO code such as US, got {value!r}")
    elif not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field_name} must be a text, got {value!r}")


def _field_of(op: dict[str, Any], field_name: str) -> Any:
    """A dotted field of an operation dict ("counts.arrested_total")."""
    value: Any = op
    for part in field_name.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _author(author: str) -> str:
    name = (author or "").strip()
    if not name:
        raise ValueError("a reviewer decision needs the reviewer's name")
    return name


def _reason(exc: BaseException) -> str:
    """The driver's message, without SQLAlchemy's SQL dump and help links."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return " ".join(line.strip() for line in text.splitlines() if line.strip()) or type(exc).__name__


def _iso_date(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if len(text) >= 10 and (len(text) == 10 or text[10] in "T "):
        try:
            return date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            pass
    raise ValueError(f"published must be an ISO date YYYY-MM-DD, got {value!r}")


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, got {value!r}")
    return value


def _json(value: Any, what: str) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} is not JSON-compatible: {value!r} ({exc})") from exc


def _claim_values(document_id: int, report_id: int, claim: model.Claim, now: datetime) -> dict[str, Any]:
    ev = claim.evidence
    what = f"claim {claim.field!r}"
    return {
        "report_id": report_id,
        "document_id": document_id,
        "field": claim.field,
        "value_json": _json(claim.value, f"value of {what}"),
        "span_start": _int(ev.start, f"{what}: evidence.start"),
        "span_end": _int(ev.end, f"{what}: evidence.end"),
        "sentence_start": _int(ev.sentence_start, f"{what}: evidence.sentence_start"),
        "sentence_end": _int(ev.sentence_end, f"{what}: evidence.sentence_end"),
        "rule": ev.rule,
        "note": ev.note,
        "author": None,
        "created_at": now,
    }


def _quote_values(document_id: int, run_id: int, quote: model.Quote) -> dict[str, Any]:
    ev = quote.evidence
    return {
        "run_id": run_id,
        "document_id": document_id,
        "span_start": _int(quote.start, "quote.start"),
        "span_end": _int(quote.end, "quote.end"),
        "speaker": quote.speaker,
        "role": quote.role,
        "rule": ev.rule,
        "sentence_start": _int(ev.sentence_start, "quote evidence.sentence_start"),
        "sentence_end": _int(ev.sentence_end, "quote evidence.sentence_end"),
        "note": ev.note,
    }


def _claim(row: ClaimRow) -> model.Claim:
    return model.Claim(
        field=row.field,
        value=json.loads(row.value_json),
        evidence=model.Evidence(
            start=row.span_start,  # type: ignore[arg-type]
            end=row.span_end,  # type: ignore[arg-type]
            sentence_start=row.sentence_start,  # type: ignore[arg-type]
            sentence_end=row.sentence_end,  # type: ignore[arg-type]
            rule=row.rule or "",
            note=row.note,
        ),
    )


def _quote(row: QuoteRow) -> model.Quote:
    return model.Quote(
        start=row.span_start,
        end=row.span_end,
        speaker=row.speaker,
        role=row.role,
        evidence=model.Evidence(
            start=row.span_start,
            end=row.span_end,
            sentence_start=row.sentence_start,
            sentence_end=row.sentence_end,
            rule=row.rule,
            note=row.note,
        ),
    )


def _stored(row: DocumentRow) -> StoredDocument:
    return StoredDocument(
        id=row.id,
        document=model.Document(
            text=row.text,
            source_id=row.source_id,
            title=row.title,
            url=row.url,
            published=row.published,
            language=row.language,
            source_path=row.source_path,
            content_hash=row.content_hash,
        ),
        ingested_at=row.ingested_at,
    )
