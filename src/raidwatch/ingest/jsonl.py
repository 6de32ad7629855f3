"""JSON sources: .jsonl (one object per line) and .json (an object or a list).

Each object needs a non-empty string "text"; "title", "url", "published",
"language" and "id" are optional. A bad record becomes an IngestError
("line 3: ..." / "item 2: ...") and the other records still become documents.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from raidwatch.model import Document

from .common import (
    MAX_BYTES,
    IngestError,
    guess_language,
    load_text,
    normalise_language,
    normalise_newlines,
    parse_date,
)

OPTIONAL_STRING_FIELDS = ("title", "url", "language")


def read_jsonl(path: Path, max_bytes: int = MAX_BYTES) -> list[Document | IngestError]:
    content = load_text(path, max_bytes)
    if isinstance(content, IngestError):
        return [content]
    out: list[Document | IngestError] = []
    for number, line in enumerate(content.split("\n"), start=1):
        if not line.strip():
            continue  # blank lines (e.g. a trailing newline) are not records
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append(IngestError(str(path), f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        out.append(record_to_document(obj, path, f"{path.stem}-{number}", f"line {number}: "))
    return out


def read_json(path: Path, max_bytes: int = MAX_BYTES) -> list[Document | IngestError]:
    content = load_text(path, max_bytes)
    if isinstance(content, IngestError):
        return [content]
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        hint = "; one object per line belongs in a .jsonl file" if exc.msg == "Extra data" else ""
        return [IngestError(str(path), f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}){hint}")]
    if isinstance(data, dict):
        return [record_to_document(data, path, path.stem, "")]
    if isinstance(data, list):
        if not data:
            return [IngestError(str(path), "no documents (the JSON list is empty)")]
        return [
            record_to_document(obj, path, f"{path.stem}-{number}", f"item {number}: ")
            for number, obj in enumerate(data, start=1)
        ]
    return [IngestError(str(path), f"expected a JSON object or a list of objects, got {_kind(data)}")]


def record_to_document(obj: Any, path: Path, default_id: str, where: str) -> Document | IngestError:
    """One JSON object -> Document; `where` prefixes error reasons ("line 3: ")."""
    def error(reason: str) -> IngestError:
        return IngestError(str(path), where + reason)

    if not isinstance(obj, dict):
        return error(f"expected a JSON object, got {_kind(obj)}")
    text = obj.get("text")
    if text is None:
        return error("missing the required field 'text'")
    if not isinstance(text, str):
        return error(f"'text' must be a string, got {_kind(text)}")
    if not text.strip():
        return error("'text' is empty")
    for name in OPTIONAL_STRING_FIELDS:
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            return error(f"'{name}' must be a string, got {_kind(value)}")
    source_id = obj.get("id")
    if source_id is None or (isinstance(source_id, str) and not source_id.strip()):
        source_id = default_id
    elif isinstance(source_id, (str, int)) and not isinstance(source_id, bool):
        source_id = str(source_id).strip()
    else:
        return error(f"'id' must be a string or an integer, got {_kind(source_id)}")
    return Document(
        text=normalise_newlines(text),
        source_id=source_id,
        title=_text_or_none(obj.get("title")),
        url=_text_or_none(obj.get("url")),
        published=parse_date(obj.get("published")),  # unparseable -> None
        language=(normalise_language(obj["language"]) if obj.get("language") else None) or guess_language(text),
        source_path=str(path),
    )


def _text_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
