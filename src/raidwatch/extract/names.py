"""Operation code names: "Operation X", "Project X", "dubbed 'X'", "codenamed X"."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .literals import required_factors
from .registry import lexicon


@dataclass(frozen=True)
class NameMention:
    start: int
    end: int
    name: str


@lru_cache(maxsize=1)
def _patterns():
    """([(pattern, the lower-case words one of which its matches hold, or None)], stop names)."""
    lex = lexicon("names")
    patterns = [(re.compile(p), sorted(required_factors(p) or ()) or None) for p in lex["patterns"]]
    return patterns, {s.lower() for s in lex["stop_names"]}


def find_names(text: str) -> list[NameMention]:
    patterns, stop = _patterns()
    found = []
    lowered = text.lower()
    for pattern, words in patterns:
        if words is not None and not any(word in lowered for word in words):
            continue  # a match would hold one of the words (lower-cased)
        for m in pattern.finditer(text):
            name = m.group("name").strip("\"“”‘’' ")
            name = re.sub(r"['’]s$", "", name).strip()
            if name.lower() in stop or len(name.split()) < 2 and not name[0].isupper():
                continue
            if re.fullmatch(r"(?:Operation|Project|Strike Force|Taskforce|Task Force)", name):
                continue
            found.append(NameMention(m.start("name"), m.end("name"), name))
    found.sort(key=lambda n: n.start)
    return found
