"""Ingest: source files -> `Document`s, with no database and no network.

    iter_sources(paths)   files to read (folders walked), or IngestErrors
    read(path)            one file -> its Documents (a .jsonl gives many) or IngestErrors
    read_all(paths)       both together, lazily

Problems never raise: a file (or one record of a JSON file) that cannot be
read becomes an `IngestError(path, reason)` with a one-sentence reason.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from raidwatch.model import Document

from .common import MAX_BYTES, IngestError
from .html import read_html
from .jsonl import read_json, read_jsonl
from .text import read_txt

__all__ = ["MAX_BYTES", "SUPPORTED_SUFFIXES", "IngestError", "iter_sources", "read", "read_all"]

Reader = Callable[[Path, int], list[Document | IngestError]]

READERS: dict[str, Reader] = {
    ".txt": read_txt,
    ".html": read_html,
    ".htm": read_html,
    ".json": read_json,
    ".jsonl": read_jsonl,
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(READERS)


def iter_sources(paths: Iterable[str | Path]) -> list[Path | IngestError]:
    """The files to read, in order.

    Folders are walked recursively in sorted order, skipping hidden files and
    folders (names starting with '.') and files of unsupported types. Files
    given directly are kept whatever their suffix (`read` reports unsupported
    ones). A path that does not exist becomes an IngestError. A file reached
    twice is listed once.
    """
    out: list[Path | IngestError] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            out.append(path)

    for given in paths:
        path = Path(given)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            reason = "broken symbolic link" if path.is_symlink() else "no such file or directory"
            out.append(IngestError(str(path), reason))
            continue
        except OSError as exc:
            out.append(IngestError(str(path), exc.strerror or str(exc)))
            continue
        if stat.S_ISDIR(st.st_mode):
            for found in _walk(path):
                if isinstance(found, IngestError):
                    out.append(found)
                else:
                    add(found)
        else:
            add(path)
    return out


def _walk(folder: Path) -> Iterator[Path | IngestError]:
    """Supported, non-hidden files under `folder`, depth first, names sorted.

    Symbolic links to folders are not followed (no loops); links to files are.
    """
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield IngestError(str(folder), f"cannot list folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            is_file = not is_dir and entry.is_file()
        except OSError:
            continue
        if is_dir:
            yield from _walk(Path(entry.path))
        elif is_file and Path(entry.name).suffix.lower() in READERS:
            yield Path(entry.path)


def read(path: str | Path, max_bytes: int = MAX_BYTES) -> list[Document | IngestError]:
    """One file -> its documents or errors; a folder is walked like in read_all."""
    path = Path(path)
    try:
        if path.is_dir():
            return list(read_all([path], max_bytes))
        reader = READERS.get(path.suffix.lower())
        if reader is None:
            kind = f"'{path.suffix}'" if path.suffix else "(no file extension)"
            supported = ", ".join(SUPPORTED_SUFFIXES)
            return [IngestError(str(path), f"unsupported file type {kind} (supported: {supported})")]
        return reader(path, max_bytes)
    except Exception as exc:  # the contract: nothing escapes read()
        return [IngestError(str(path), f"unexpected error while reading ({type(exc).__name__}: {exc})")]


def read_all(paths: Iterable[str | Path], max_bytes: int = MAX_BYTES) -> Iterator[Document | IngestError]:
    """Documents and errors of all files under `paths`, file by file."""
    for source in iter_sources(paths):
        if isinstance(source, IngestError):
            yield source
        else:
            yield from read(source, max_bytes)
