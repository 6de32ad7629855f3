"""What the form asks, how answers are checked, and the sealed payload.

The payload (before sealing) is JSON:

    {"format": "raidwatch-testimony/1", "received_on": "YYYY-MM-DD",
     "language": "es", "answers": {question: text or choice, ...},
     "photos": [{"type": "image/jpeg", "width": .., "height": .., "data": base64}, ...]}

padded with spaces to a multiple of `PAD_TO` bytes so the stored size says
little about how much was written. Photo file names are not kept (phones
put the date and time in them).
"""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any

from .images import CleanImage

FORMAT = "raidwatch-testimony/1"
PAD_TO = 16 * 1024

# question -> longest answer in characters
TEXT_FIELDS: dict[str, int] = {
    "when": 300,
    "where": 300,
    "what_happened": 20_000,
    "damage_details": 5_000,
    "detention_details": 5_000,
    "immigration_details": 5_000,
    "press_details": 5_000,
    "support": 5_000,
}
YES_NO = ("yes", "no", "not_sure")
CHOICE_FIELDS: dict[str, tuple[str, ...]] = {
    "role": ("lived_through", "witnessed", "other"),
    "damage": YES_NO,
    "detention": YES_NO,
    "immigration": YES_NO,
    "press": YES_NO,
    "quote": ("yes", "no"),
}
FIELDS = tuple(TEXT_FIELDS) + tuple(CHOICE_FIELDS)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Checked:
    answers: dict[str, str] = field(default_factory=dict)  # what was given, cleaned (kept to re-show)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (question or "form", problem key)


def check_answers(form: dict[str, Any], has_photos: bool = False) -> Checked:
    """Clean and check the posted answers. Problems: 'too_long', 'choice',
    'empty' (nothing at all was told)."""
    checked = Checked()
    for name, limit in TEXT_FIELDS.items():
        value = form.get(name)
        text = value if isinstance(value, str) else ""
        text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
        checked.answers[name] = text
        if len(text) > limit:
            checked.errors.append((name, "too_long"))
    for name, allowed in CHOICE_FIELDS.items():
        value = form.get(name)
        value = value.strip() if isinstance(value, str) else ""
        if value and value not in allowed:
            checked.errors.append((name, "choice"))
            value = ""
        checked.answers[name] = value
    if not has_photos and not any(checked.answers[name] for name in TEXT_FIELDS):
        checked.errors.append(("form", "empty"))
    return checked


def payload(answers: dict[str, str], photos: list[CleanImage], received_on: str, language: str) -> bytes:
    """The JSON to seal, padded."""
    given = {name: answers.get(name, "") for name in FIELDS}
    given["quote"] = given.get("quote") or "no"  # not answered: do not quote
    document = {
        "format": FORMAT,
        "received_on": received_on,
        "language": language,
        "answers": given,
        "photos": [{"type": p.media_type, "extension": p.extension, "width": p.width, "height": p.height,
                    "data": base64.b64encode(p.data).decode("ascii")} for p in photos],
    }
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return data + b" " * (-len(data) % PAD_TO)


def read_payload(data: bytes) -> dict[str, Any]:
    return json.loads(data.decode("utf-8"))
