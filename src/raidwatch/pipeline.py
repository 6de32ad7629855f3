"""Runs the stages in order: ingest -> extract -> store, or in memory for predict.

The CLI and the tests call these functions; each stage function stays pure
and this module is the only place that strings them together.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .extract import extract, extractor_version
from .ingest import MAX_BYTES, IngestError, iter_sources, read
from .model import Document, Extraction, gold_record


@dataclass
class LinkSummary:
    reports: int = 0
    placed: int = 0
    joined: int = 0
    new_operations: int = 0

    def as_dict(self) -> dict:
        return {"reports": self.reports, "reports_placed": self.placed, "reports_joined_existing": self.joined,
                "operations_created": self.new_operations}


@dataclass
class IngestSummary:
    files: int = 0
    documents_added: int = 0
    documents_known: int = 0
    extracted: int = 0
    errors: list[IngestError] = field(default_factory=list)
    linking: LinkSummary | None = None

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "documents_added": self.documents_added,
            "documents_already_stored": self.documents_known,
            "documents_extracted": self.extracted,
            "linking": self.linking.as_dict() if self.linking else None,
            "errors": [{"path": e.path, "reason": e.reason} for e in self.errors],
        }


def _progress(items: list, label: str, enabled: bool):
    if not enabled or len(items) <= 3:
        return items
    from tqdm import tqdm
    return tqdm(items, desc=label, unit="file", leave=False, disable=None)


def ingest_into(store, paths: Iterable[str | Path], run_extract: bool = True, max_bytes: int = MAX_BYTES,
                progress: bool = True, on_error: Callable[[IngestError], None] | None = None) -> IngestSummary:
    """Read every source, store new documents, extract and link them. Each
    document commits on its own; linking runs once at the end."""
    summary = IngestSummary()
    sources = iter_sources(paths)
    version = extractor_version()
    for source in _progress(sources, "ingest", progress):
        if isinstance(source, IngestError):
            summary.errors.append(source)
            if on_error:
                on_error(source)
            continue
        summary.files += 1
        for item in read(source, max_bytes):
            if isinstance(item, IngestError):
                summary.errors.append(item)
                if on_error:
                    on_error(item)
                continue
            doc_id, created = store.add_document(item)
            if created:
                summary.documents_added += 1
            else:
                summary.documents_known += 1
            if run_extract and (created or store.needs_extraction(doc_id, version)):
                store.save_extraction(doc_id, extract(item))
                summary.extracted += 1
    if run_extract:
        summary.linking = link_stored(store, progress=progress)
    decide_redactions(store, progress=progress)
    return summary


def decide_redactions(store, progress: bool = True) -> int:
    """Decide (once per document and version of the rules) which spans of
    each stored text are private, so every public output can hide them."""
    from .privacy import find_private_spans, redaction_version

    version = redaction_version()
    todo = list(store.documents_needing_redaction(version))
    for doc_id, text in _progress(todo, "redact", progress):
        store.save_private_spans(doc_id, find_private_spans(text), version)
    return len(todo)


def link_stored(store, rebuild: bool = False, progress: bool = True) -> LinkSummary:
    """Fingerprint new documents, then link every report not yet in an
    operation (all of them with `rebuild`), respecting reviewers' decisions."""
    from .link import LinkReport, constraints_from_decisions, fingerprint, fingerprint_bytes, fingerprint_from_bytes
    from .link import link as link_reports

    todo = list(store.documents_without_fingerprint())
    batch: dict[int, bytes] = {}
    for doc_id, text in _progress(todo, "fingerprint", progress):
        batch[doc_id] = fingerprint_bytes(fingerprint(text))
        if len(batch) >= 500:
            store.save_fingerprints(batch)
            batch = {}
    store.save_fingerprints(batch)

    inputs = store.link_inputs()
    reports = [
        LinkReport.from_gold(row["document_id"], row["report_index"], row["fields"], row["published"],
                             fingerprint_from_bytes(row["fingerprint"]), row["operation_id"])
        for row in inputs
    ]
    result = link_reports(reports, constraints_from_decisions(store.link_decisions()), rebuild=rebuild)
    before = {(row["document_id"], row["report_index"]): row["operation_id"] for row in inputs}
    changed = {ref: op for ref, op in result.assignments.items() if before.get(ref) != op}
    explanations = {ref: (d.score, list(d.reasons)) for ref, d in result.decisions.items() if ref in changed}
    store.apply_links(changed, explanations)
    summary = LinkSummary(reports=len(reports), placed=len(changed), new_operations=len(result.new_operations))
    summary.joined = sum(1 for ref in changed if result.decisions.get(ref) and result.decisions[ref].score is not None)
    return summary


def link_in_memory(items: list[tuple[Document, Extraction]]) -> list[list[str]]:
    """Link the reports of documents held in memory (`predict`, `eval`): per
    document, the key (operation number, as text) of each of its reports."""
    from .link import LinkReport, fingerprint
    from .link import link as link_reports
    from .link.features import report_link_input

    reports = []
    for position, (doc, extraction) in enumerate(items):
        if not extraction.reports:
            continue
        signature = fingerprint(doc.text)
        for report in extraction.reports:
            reports.append(LinkReport.from_gold(position, report.index, report_link_input(report), doc.published,
                                                signature))
    result = link_reports(reports)
    numbers: dict[int, int] = {}
    for op in sorted(set(result.assignments.values()), reverse=True):
        numbers[op] = len(numbers) + 1
    return [
        [f"op-{numbers[result.assignments[(position, report.index)]]}" for report in extraction.reports]
        for position, (_, extraction) in enumerate(items)
    ]


def extract_stored(store, everything: bool = False, progress: bool = True) -> int:
    """(Re-)extract stored documents whose current results came from another
    extractor version, then link the reports that are new."""
    version = extractor_version()
    todo = list(store.iter_documents(None if everything else version))
    for stored in _progress(todo, "extract", progress):
        store.save_extraction(stored.id, extract(stored.document))
    link_stored(store, progress=progress)
    decide_redactions(store, progress=progress)
    return len(todo)


def predict(paths: Iterable[str | Path], max_bytes: int = MAX_BYTES,
            on_error: Callable[[IngestError], None] | None = None) -> Iterator[tuple[Document, Extraction]]:
    """Ingest and extract in memory: no database is touched."""
    for source in iter_sources(paths):
        if isinstance(source, IngestError):
            if on_error:
                on_error(source)
            continue
        for item in read(source, max_bytes):
            if isinstance(item, IngestError):
                if on_error:
                    on_error(item)
                continue
            yield item, extract(item)


def predict_records(paths: Iterable[str | Path], link: bool = True, **kwargs) -> Iterator[dict]:
    """`predict` in the gold format of SCHEMA.md, one dict per document.
    With `link`, the documents are linked to each other first and each
    operation carries the `key` of the operation it joined."""
    if not link:
        for doc, extraction in predict(paths, **kwargs):
            yield gold_record(doc, extraction)
        return
    items = list(predict(paths, **kwargs))
    for (doc, extraction), keys in zip(items, link_in_memory(items)):
        yield gold_record(doc, extraction, keys)
