"""`raidwatch show`: a document with every extracted value beside its evidence."""
from __future__ import annotations

import textwrap

from .model import Claim, Extraction


def _claim_line(claim: Claim, text: str) -> list[str]:
    ev = claim.evidence
    span = ev.span_text(text).replace("\n", " ")
    sentence = ev.sentence(text).replace("\n", " ")
    note = f" ({ev.note})" if ev.note else ""
    lines = [f"  {claim.field:<38} {claim.value!s:<28} [{ev.start}:{ev.end}] \"{span}\"{note}  rule={ev.rule}"]
    lines += ["      " + chunk for chunk in textwrap.wrap("sentence: " + sentence, 100)]
    return lines


def render_document(stored, extraction: Extraction | None) -> str:
    doc = stored.document
    out = [f"document #{stored.id}  {doc.source_id}", f"title:     {doc.title or '-'}",
           f"published: {doc.published or '-'}", f"url:       {doc.url or '-'}",
           f"hash:      {doc.content_hash}", ""]
    if extraction is None:
        out.append("Not extracted yet: run `raidwatch extract`.")
        return "\n".join(out) + "\n"
    out.append(f"relevant: {extraction.relevant} (score {extraction.score}), extractor {extraction.extractor_version}")
    for report in extraction.reports:
        out += ["", f"operation report {report.index + 1}:"]
        for claim in sorted(report.claims, key=lambda c: (c.field, c.evidence.start)):
            out += _claim_line(claim, doc.text)
    if extraction.quotes:
        out += ["", "quotations:"]
        for q in extraction.quotes:
            snippet = doc.text[q.start:q.end].replace("\n", " ")
            if len(snippet) > 90:
                snippet = snippet[:87] + "..."
            out.append(f"  [{q.start}:{q.end}] {q.role:<16} speaker={q.speaker or '?'}  {snippet}")
    out += ["", "text:", doc.text]
    return "\n".join(out) + "\n"


def document_as_json(stored, extraction: Extraction | None) -> dict:
    doc = stored.document
    result = {"id": stored.id, "source_id": doc.source_id, "title": doc.title, "published": doc.published,
              "url": doc.url, "content_hash": doc.content_hash, "text": doc.text, "extraction": None}
    if extraction is not None:
        def claim(c: Claim) -> dict:
            ev = c.evidence
            return {"field": c.field, "value": c.value, "start": ev.start, "end": ev.end, "span": ev.span_text(doc.text),
                    "sentence": ev.sentence(doc.text), "rule": ev.rule, "note": ev.note}
        result["extraction"] = {
            "relevant": extraction.relevant, "score": extraction.score, "extractor_version": extraction.extractor_version,
            "reports": [{"index": r.index, "claims": [claim(c) for c in r.claims]} for r in extraction.reports],
            "quotes": [{"start": q.start, "end": q.end, "speaker": q.speaker, "role": q.role} for q in extraction.quotes],
        }
    return result


def render_operation(op: dict) -> str:
    """`raidwatch show-operation`: each field's displayed value and why, the
    disputed ones with every source's value and sentence, then the sources."""
    sources = {s["document_id"]: s for s in op["sources"]}
    out = [f"operation #{op['id']}  {op.get('name') or '(no name)'}", ""]
    disputed = set(op.get("disputed") or ())
    for name, field in op.get("fields", {}).items():
        mark = "  DISPUTED" if name in disputed else ""
        out.append(f"  {name:<34} {_show(field['value']):<30} ({field['reason']}){mark}")
        if name in disputed or any(c.get("author") for c in field["claims"]):
            for claim in field["claims"]:
                source = sources.get(claim["document_id"], {})
                who = f"reviewer {claim['author']}" if claim.get("author") else (
                    source.get("source_id") or f"document {claim['document_id']}")
                out.append(f"      {_show(claim['value']):<28} from {who} ({claim.get('published') or 'undated'})")
                sentence = (claim.get("evidence") or {}).get("sentence")
                if sentence:
                    out += ["          " + chunk for chunk in textwrap.wrap(" ".join(sentence.split()), 96)]
    out += ["", "sources:"]
    for source in op["sources"]:
        out.append(f"  #{source['document_id']} {source.get('published') or 'undated'}  "
                   f"{source.get('title') or source.get('source_id')}  {source.get('url') or ''}".rstrip())
    if op.get("reports"):
        out += ["", "reports (DOCUMENT:INDEX, why linked):"]
        for report in op["reports"]:
            why = "; ".join(report["link_reasons"]) or "-"
            score = f"score {report['link_score']}" if report["link_score"] is not None else "first report"
            out.append(f"  {report['document_id']}:{report['report_index']}  {score}  {why}")
    return "\n".join(out) + "\n"


def _show(value) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) or "-"
    return "-" if value is None else str(value)
