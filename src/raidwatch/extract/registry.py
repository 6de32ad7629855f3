"""One registry for every rule and vocabulary file the extractor uses.

Lexicons are YAML files under `lexicons/`; code asks for them by name
(`lexicon("counts")`) and never opens files itself, so adding a country's
agencies or a new charge wording is a data change. Each file declares the
top-level keys it must have in `REQUIRED_KEYS`; a file that lacks one fails
loudly at load time with the file name, not later with a KeyError.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LEXICON_DIR = Path(__file__).with_name("lexicons")

REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "text": ("abbreviations",),
    "numbers": ("units", "tens", "scales", "multiples", "lower_bound", "upper_bound", "approximate"),
    "relevance": ("topic_terms", "action_terms", "negative_terms", "threshold"),
    "agencies": ("patterns", "known", "folding", "not_agencies"),
    "counts": ("nouns", "predicates", "zero_patterns", "breakdown_wholes", "part_markers", "not_counts"),
    "segments": ("background_markers", "roundup_opener", "aggregate_markers"),
    "vocabulary": ("tactics", "venues", "publicity", "immigration"),
    "quotes": ("speech_verbs", "roles", "role_order"),
    "names": ("patterns",),
}


class LexiconError(Exception):
    """A lexicon file is missing or malformed."""


def _read(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except OSError as exc:
        raise LexiconError(f"cannot read lexicon {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise LexiconError(f"lexicon {path} is not valid YAML: {exc}") from None


@lru_cache(maxsize=None)
def lexicon(name: str) -> dict[str, Any]:
    """The parsed lexicon `lexicons/<name>.yaml`, checked for its required keys."""
    path = LEXICON_DIR / f"{name}.yaml"
    if not path.exists():
        raise LexiconError(f"no lexicon named {name!r} (expected {path})")
    data = _read(path)
    if not isinstance(data, dict):
        raise LexiconError(f"lexicon {path} must be a mapping at the top level")
    missing = [k for k in REQUIRED_KEYS.get(name, ()) if k not in data]
    if missing:
        raise LexiconError(f"lexicon {path} lacks required key(s): {', '.join(missing)}")
    return data


@lru_cache(maxsize=1)
def charge_vocabulary() -> list[dict[str, Any]]:
    """Charge wordings of every jurisdiction (`lexicons/charges/*.yaml`), each tagged with its file."""
    entries: list[dict[str, Any]] = []
    for path in sorted((LEXICON_DIR / "charges").glob("*.yaml")):
        data = _read(path)
        if not isinstance(data, dict) or not isinstance(data.get("charges"), list):
            raise LexiconError(f"charge lexicon {path} must have a 'charges' list")
        for i, entry in enumerate(data["charges"]):
            if not isinstance(entry, dict) or "pattern" not in entry or "category" not in entry:
                raise LexiconError(f"charge lexicon {path}, entry {i + 1}: needs 'pattern' and 'category'")
            entries.append({**entry, "jurisdiction": data.get("jurisdiction", path.stem)})
    return entries


@lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """Hash of every lexicon file and extractor module: part of the extractor version, so a
    change to a rule or to the code that applies it marks stored results for re-extraction."""
    digest = hashlib.sha256()
    package = LEXICON_DIR.parent
    files = sorted(LEXICON_DIR.rglob("*.yaml")) + sorted(LEXICON_DIR.rglob("*.json")) + sorted(package.glob("*.py"))
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
