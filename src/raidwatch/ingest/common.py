"""Shared pieces of the ingest stage: the error record, safe file loading,
date normalisation and a cheap language guess.

Nothing here raises for bad input: every problem with a file becomes an
`IngestError` with one plain sentence as its reason.
"""
from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024  # default size limit for one source file
BINARY_SNIFF_BYTES = 8192  # NUL bytes in this many leading bytes mean "binary"


@dataclass(frozen=True)
class IngestError:
    """A source (or one record of it) that could not become a `Document`."""

    path: str
    reason: str  # one plain sentence, e.g. "empty file"


# --------------------------------------------------------------------------
# Loading bytes and text
# --------------------------------------------------------------------------

def format_limit(max_bytes: int) -> str:
    """'5 MB', '64 KB' or '100-byte', for 'larger than the ... limit'."""
    mb, kb = 1024 * 1024, 1024
    if max_bytes >= mb and max_bytes % mb == 0:
        return f"{max_bytes // mb} MB"
    if max_bytes >= kb and max_bytes % kb == 0:
        return f"{max_bytes // kb} KB"
    return f"{max_bytes}-byte"


def _too_large(path: Path, size: int, max_bytes: int) -> IngestError:
    return IngestError(str(path), f"larger than the {format_limit(max_bytes)} limit ({size} bytes)")


def load_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes | IngestError:
    """The raw content of a regular file, checked for size (before reading),
    emptiness and NUL bytes."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return IngestError(str(path), "no such file or directory")
    except OSError as exc:
        return IngestError(str(path), _os_reason(exc))
    if stat.S_ISDIR(st.st_mode):
        return IngestError(str(path), "is a directory")
    if not stat.S_ISREG(st.st_mode):
        return IngestError(str(path), "not a regular file")
    if st.st_size > max_bytes:
        return _too_large(path, st.st_size, max_bytes)
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        return IngestError(str(path), _os_reason(exc))
    if len(data) > max_bytes:
        return _too_large(path, len(data), max_bytes)
    if not data:
        return IngestError(str(path), "empty file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return IngestError(str(path), "not UTF-8 text (starts with a UTF-16 byte order mark)")
    nul = data.find(b"\x00", 0, BINARY_SNIFF_BYTES)
    if nul >= 0:
        return IngestError(str(path), f"binary file (NUL byte at offset {nul})")
    return data


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def decode_utf8(path: Path, data: bytes) -> str | IngestError:
    """UTF-8 text without a BOM, or an error naming the first bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return IngestError(str(path), utf8_error_reason(data, exc))
    return text.removeprefix("\ufeff")


def utf8_error_reason(data: bytes, exc: UnicodeDecodeError) -> str:
    line = data.count(b"\n", 0, exc.start) + 1
    return f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}, line {line})"


def check_not_blank(path: Path, text: str) -> IngestError | None:
    if not text.strip():
        return IngestError(str(path), "empty file (only whitespace)")
    return None


def normalise_newlines(text: str) -> str:
    """\\r\\n -> \\n and nothing else, so character offsets stay meaningful."""
    return text.replace("\r\n", "\n")


def load_text(path: Path, max_bytes: int = MAX_BYTES) -> str | IngestError:
    """load_bytes + UTF-8 decoding + BOM/CRLF normalisation + blank check."""
    data = load_bytes(path, max_bytes)
    if isinstance(data, IngestError):
        return data
    text = decode_utf8(path, data)
    if isinstance(text, IngestError):
        return text
    return check_not_blank(path, text) or normalise_newlines(text)


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------

_DATEPARSER_SETTINGS = {
    "PREFER_DATES_FROM": "past",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "REQUIRE_PARTS": ["day", "month", "year"],
}
_ISO_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.,+\-Z ]*)?\s*$")


def parse_date(value: object) -> str | None:
    """A full calendar date (day, month and year) as 'YYYY-MM-DD', else None.

    ISO dates and datetimes are read directly; anything else goes through
    dateparser (English, day/month/year all required, no time-zone shift).
    """
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        return None
    m = _ISO_RE.match(value)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return None
    import dateparser  # slow import; only when needed

    try:
        parsed = dateparser.parse(value, languages=["en"], settings=_DATEPARSER_SETTINGS)
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    return parsed.date().isoformat() if parsed else None


# --------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------

# Frequent English function words that are rare as words in other languages
# written in Latin script ("a", "in", "on", "die" ... left out on purpose).
_EN_STOPWORDS = frozenset(
    "the and of to is was were that for with by from it he she they his her their "
    "have has had be been are this which who not or but said would will after "
    "than there when what about into also its could".split()
)
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)


def guess_language(text: str) -> str | None:
    """'en' when the text is plainly English, else None (no guess)."""
    words = _WORD_RE.findall(text[:20000].lower())
    if len(words) < 20:
        return None
    hits = sum(1 for w in words if w in _EN_STOPWORDS)
    return "en" if hits / len(words) >= 0.15 else None


def normalise_language(value: str) -> str | None:
    """'en-GB' / 'EN_us' / ' en ' -> 'en'; '' -> None."""
    primary = re.split(r"[-_]", value.strip(), maxsplit=1)[0].lower()
    return primary or None
