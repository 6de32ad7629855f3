"""The one way out: operations as the public may see them.

Every public output (web pages, API responses, downloads, `raidwatch
export`) takes operations from here. Each text quoted from a source
(evidence sentences, titles) goes through the document's stored redaction
decision (`Store.private_spans`, made once by the pipeline with
`raidwatch.privacy`), so private individuals' names, ages and addresses are
replaced by placeholders and no output path can forget it.
"""
from __future__ import annotations

import re
from typing import Any

from raidwatch.store import Store


class Redactor:
    """Applies the stored redaction decisions of documents (one lookup per
    document per request). A document without a stored decision is decided
    here with the same rules, so nothing is ever shown unredacted."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._spans: dict[int, tuple] = {}

    def spans(self, document_id: int, text: str) -> tuple:
        if document_id not in self._spans:
            from raidwatch.privacy import PrivateSpan, find_private_spans

            stored = self.store.private_spans(document_id)
            if stored is None:
                self._spans[document_id] = tuple(find_private_spans(text))
            else:
                self._spans[document_id] = tuple(
                    PrivateSpan(s["start"], s["end"], s["kind"], s["reason"]) for s in stored
                )
        return self._spans[document_id]

    def excerpt(self, document_id: int, text: str, start: int, end: int) -> str:
        """text[start:end] with the private spans replaced by placeholders."""
        from raidwatch.privacy import redact

        return " ".join(redact(text, self.spans(document_id, text), start, end).split())

    def title(self, document_id: int, text: str, title: str | None) -> str | None:
        """A document's title, redacted: through the text's own spans when
        the text starts with it, else by the rules on the title plus every
        word of the private names found in the text."""
        if not title:
            return title
        if text.startswith(title):
            return self.excerpt(document_id, text, 0, len(title))
        from raidwatch.privacy import find_private_spans, redact

        shown = redact(title, find_private_spans(title))
        words = {
            word for span in self.spans(document_id, text) if span.kind == "person"
            for word in re.findall(r"[^\W\d_][\w'’-]{2,}", text[span.start:span.end])
        }
        for word in sorted(words, key=len, reverse=True):
            shown = re.sub(rf"(?<![\w]){re.escape(word)}(?![\w])", "[person]", shown)
        return " ".join(shown.split())



def _redact_operation(op: dict[str, Any], redactor: Redactor, texts: dict[int, str]) -> dict[str, Any]:
    def text_of(doc_id: int) -> str:
        if doc_id not in texts:
            stored = redactor.store.get_document(doc_id)
            texts[doc_id] = stored.document.text if stored else ""
        return texts[doc_id]

    for field in op.get("fields", {}).values():
        for claim in field["claims"]:
            evidence = claim.get("evidence")
            if evidence:
                doc_id = claim["document_id"]
                evidence["sentence"] = redactor.excerpt(
                    doc_id, text_of(doc_id), evidence["sentence_start"], evidence["sentence_end"]
                )
    for source in op["sources"]:
        source["title"] = redactor.title(source["document_id"], text_of(source["document_id"]), source.get("title"))
        source["url"] = safe_url(source.get("url"))
    return op


def safe_url(url: str | None) -> str | None:
    """A source's URL if it is a web address (http/https), else None: a
    `javascript:` or `data:` URL read from a source file must never become
    a link on a page or in a download."""
    if not url:
        return None
    cleaned = re.sub(r"[\x00-\x20]", "", url).lower()
    return url if cleaned.startswith(("http://", "https://")) else None


def public_operations(store: Store, ids: list[int] | None = None, with_claims: bool = False) -> list[dict[str, Any]]:
    """`Store.operations(...)`, redacted."""
    redactor, texts = Redactor(store), {}
    return [_redact_operation(op, redactor, texts) for op in store.operations(with_claims=with_claims, ids=ids)]


def public_operation(store: Store, operation_id: int) -> dict[str, Any] | None:
    """`Store.operation(id)` (with claims and evidence), redacted."""
    op = store.operation(operation_id)
    return None if op is None else _redact_operation(op, Redactor(store), {})
