"""HTML pages (.html/.htm): main text, title, date and URL via trafilatura.

The document text is the headline, a blank line, then the main text with one
blank line between paragraphs, so it looks like a .txt source.
"""
from __future__ import annotations

import codecs
import re
from datetime import datetime
from pathlib import Path

from raidwatch.model import Document

from .common import (
    MAX_BYTES,
    IngestError,
    check_not_blank,
    guess_language,
    load_bytes,
    normalise_language,
    normalise_newlines,
    parse_date,
    utf8_error_reason,
)
from .text import find_published

MIN_SENTENCE_WORDS = 6  # main text needs at least one line this long

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_HTML_LANG_RE = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)""", re.IGNORECASE)


def read_html(path: Path, max_bytes: int = MAX_BYTES) -> list[Document | IngestError]:
    data = load_bytes(path, max_bytes)
    if isinstance(data, IngestError):
        return [data]
    page = decode_html(path, data)
    if isinstance(page, IngestError):
        return [page]
    blank = check_not_blank(path, page)
    if blank:
        return [blank]
    return [parse_html(page, source_id=path.stem, source_path=str(path))]


def decode_html(path: Path, data: bytes) -> str | IngestError:
    """UTF-8, or the charset the page declares in a <meta> tag."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        utf8_problem = utf8_error_reason(data, exc)
    declared = _CHARSET_RE.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii", "replace")
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            return IngestError(str(path), f"{utf8_problem}, and the declared charset '{name}' is unknown")
        if codec != "utf-8":
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return IngestError(str(path), f"{utf8_problem}, nor valid '{name}' as declared")
    return IngestError(str(path), utf8_problem)


def parse_html(page: str, source_id: str, source_path: str | None = None) -> Document | IngestError:
    """A Document from the HTML source of one article page."""
    import trafilatura  # slow import; only when HTML is read

    where = source_path or source_id
    try:
        result = trafilatura.bare_extraction(
            page,
            with_metadata=True,
            include_comments=False,
            # Without the extensive search htmldate only trusts markup
            # (<meta>, <time>, JSON-LD); the extensive search takes any date
            # in the body, e.g. the date of the raid, as the publication date.
            date_extraction_params={
                "original_date": True,
                "extensive_search": False,
                "max_date": datetime.now().strftime("%Y-%m-%d"),
            },
        )
    except Exception as exc:  # lxml/trafilatura errors on malformed pages
        return IngestError(where, f"could not parse the HTML ({type(exc).__name__}: {exc})")

    title = _clean(getattr(result, "title", None)) if result is not None else None
    paragraphs = _paragraphs(getattr(result, "text", None) if result is not None else None)
    if paragraphs and title and _same(paragraphs[0], title):
        paragraphs = paragraphs[1:]  # trafilatura keeps the <h1> as the first line
    if not any(len(p.split()) >= MIN_SENTENCE_WORDS for p in paragraphs):
        # trafilatura falls back to nav links and the like ("Home\nNews")
        return IngestError(where, "no article text found in the HTML")

    body = "\n\n".join(paragraphs)
    text = f"{title}\n\n{body}" if title else body
    published = parse_date(getattr(result, "date", None)) or find_published(body)
    lang = _HTML_LANG_RE.search(page[:4096])
    language = normalise_language(lang.group(1)) if lang else None
    return Document(
        text=text,
        source_id=source_id,
        title=title,
        url=_clean(getattr(result, "url", None)),
        published=published,
        language=language or guess_language(text),
        source_path=source_path,
    )


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _paragraphs(text: str | None) -> list[str]:
    if not text:
        return []
    return [line.strip() for line in normalise_newlines(text).split("\n") if line.strip()]


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
