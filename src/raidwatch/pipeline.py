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
class IngestSummary:
    files: int = 0
    documents_added: int = 0
    documents_known: int = 0
    extracted: int = 0
    errors: list[IngestError] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "documents_added": self.documents_added,
            "documents_already_stored": self.documents_known,
            "documents_extracted": self.extracted,
            "errors": [{"path": e.path, "reason": e.reason} for e in self.errors],
        }


def _progress(items: list, label: str, enabled: bool):
    if not enabled or len(items) <= 3:
        return items
    from tqdm import tqdm
    return tqdm(items, desc=label, unit="file", leave=False, disable=None)


def ingest_into(store, paths: Iterable[str | Path], run_extract: bool = True, max_bytes: int = MAX_BYTES,
                progress: bool = True, on_error: Callable[[IngestError], None] | None = None) -> IngestSummary:
    """Read every source, store new documents and extract them. Each document commits on its own."""
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
    return summary


def extract_stored(store, everything: bool = False, progress: bool = True) -> int:
    """(Re-)extract stored documents whose current results came from another extractor version."""
    version = extractor_version()
    todo = list(store.iter_documents(None if everything else version))
    for stored in _progress(todo, "extract", progress):
        store.save_extraction(stored.id, extract(stored.document))
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


def predict_records(paths: Iterable[str | Path], **kwargs) -> Iterator[dict]:
    """`predict` in the gold format of SCHEMA.md, one dict per document."""
    for doc, extraction in predict(paths, **kwargs):
        yield gold_record(doc, extraction)
