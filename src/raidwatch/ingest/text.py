"""Plain-text sources (.txt): a headline line, a date line, then the article.

The document text is the file content unchanged except for a removed BOM and
\\r\\n -> \\n, so character offsets into it are offsets into the file text.
"""
from __future__ import annotations

import re
from pathlib import Path

from raidwatch.model import Document

from .common import MAX_BYTES, IngestError, guess_language, load_text, parse_date

TITLE_MAX_CHARS = 200
DATE_LINE_MAX_CHARS = 80
DATE_SEARCH_LINES = 6  # the date line is looked for in this many non-empty lines

# "Published:", "Last updated", "Posted on", "Updated at" ... before a date.
_LABEL_RE = re.compile(
    r"^\s*(?:(?:first|originally)\s+published|published|last\s+(?:updated|modified)|updated|"
    r"posted|modified|dated?|released|issued)\b\s*(?:(?:on|at)\b)?\s*[:\-\u2013\u2014]?\s*",
    re.IGNORECASE,
)
# A line may hold several parts: "Published 3 May 2024 | Updated 4 May 2024".
_SEGMENT_SPLIT_RE = re.compile(r"\s*[|\u00b7\u2022]\s*|\s+[\-\u2013\u2014]\s+")
_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_WEEKDAYS = (
    "monday tuesday wednesday thursday friday saturday sunday "
    "mon tue tues wed thu thur thurs fri sat sun"
).split()
_TIMEZONES = (
    "utc gmt bst ist cet cest eet eest wet west msk "
    "est edt cst cdt mst mdt pst pdt akst akdt hst et ct mt pt "
    "aest aedt acst acdt awst nzst nzdt sast jst kst hkt sgt"
).split()
# Words allowed in a date line besides month, weekday and zone names.
_FILLERS = "am pm a m p at on of the st nd rd th t z".split()
_DATE_WORDS = frozenset(_MONTHS + _WEEKDAYS + _TIMEZONES + _FILLERS)
_ALPHA_RE = re.compile(r"[A-Za-z]+")


def read_txt(path: Path, max_bytes: int = MAX_BYTES) -> list[Document | IngestError]:
    text = load_text(path, max_bytes)
    if isinstance(text, IngestError):
        return [text]
    return [parse_txt(text, source_id=path.stem, source_path=str(path))]


def parse_txt(text: str, source_id: str, source_path: str | None = None) -> Document:
    """A Document from already decoded plain text (kept as given)."""
    return Document(
        text=text,
        source_id=source_id,
        title=find_title(text),
        published=find_published(text),
        language=guess_language(text),
        source_path=source_path,
    )


def find_title(text: str) -> str | None:
    """The first non-empty line when it reads like a headline.

    A headline is at most 200 characters, is not a date line, and does not
    end like a sentence (with a period or a comma/colon), unless it is
    directly followed by a short line such as a date or a byline.
    """
    lines = text.split("\n")
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if len(line) > TITLE_MAX_CHARS or not re.search(r"[^\W\d_]", line):
            return None
        if date_from_line(line) is not None:
            return None
        ending = line.rstrip("\"'\u201d\u2019)]")[-1:]
        if ending in {",", ";", ":"}:
            return None
        if ending == "." and not line.endswith("..."):
            following = lines[i + 1].strip() if i + 1 < len(lines) else ""
            if not following or len(following) >= DATE_LINE_MAX_CHARS:
                return None
        return line
    return None


def find_published(text: str) -> str | None:
    """The first date line among the first few non-empty lines, as YYYY-MM-DD."""
    seen = 0
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        seen += 1
        if seen > DATE_SEARCH_LINES:
            break
        found = date_from_line(line)
        if found:
            return found
    return None


def date_from_line(line: str) -> str | None:
    """The date of a short line that is (almost) nothing but a date.

    Labels such as "Published:" or "Updated" are removed first; a line made of
    parts separated by '|', '·', '•' or a spaced dash is tried part by part.
    """
    if len(line) >= DATE_LINE_MAX_CHARS:
        return None
    for segment in _SEGMENT_SPLIT_RE.split(line.strip()):
        candidate = _LABEL_RE.sub("", segment, count=1).strip(" ,;")
        if not _looks_like_date(candidate):
            continue
        found = parse_date(candidate)
        if found:
            return found
    return None


def _looks_like_date(candidate: str) -> bool:
    if not re.search(r"\d", candidate):
        return False
    words = _ALPHA_RE.findall(candidate)
    return all(w.lower() in _DATE_WORDS for w in words)
