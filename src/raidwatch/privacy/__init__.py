"""Privacy rules: find and redact private individuals before publishing.

`find_private_spans(text)` decides which spans of a text are private
(names of private individuals, ages attached to them, home and work
addresses); the pipeline stores the decision with the document
(`Store.save_private_spans`) and every public output applies the stored
spans with `redact`. `redaction_version()` changes with the rules, so stored
decisions are redone when the rules change.
"""
import hashlib
from functools import lru_cache
from pathlib import Path

from .redact import PLACEHOLDERS, PrivateSpan, find_private_spans, public_text, redact

__all__ = ["PLACEHOLDERS", "PrivateSpan", "find_private_spans", "public_text", "redact", "redaction_version"]


@lru_cache(maxsize=1)
def redaction_version() -> str:
    """A hash of the redaction rules and code."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for path in sorted(here.glob("*.py")) + sorted(here.glob("*.yaml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return "redact-" + digest.hexdigest()[:16]
