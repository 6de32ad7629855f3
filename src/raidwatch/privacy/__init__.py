"""Privacy rules: find and redact private individuals before publishing."""
from .redact import PLACEHOLDERS, PrivateSpan, find_private_spans, public_text, redact

__all__ = ["PLACEHOLDERS", "PrivateSpan", "find_private_spans", "public_text", "redact"]
