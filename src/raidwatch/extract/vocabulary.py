"""Tactics, venues, publicity flags and immigration involvement from cue phrases."""
from __future__ import annotations

import re
from functools import lru_cache

from ..model import Evidence
from .registry import lexicon
from .text import Sentence


@lru_cache(maxsize=1)
def _cues() -> dict[str, dict[str, re.Pattern]]:
    lex = lexicon("vocabulary")
    compiled: dict[str, dict[str, re.Pattern]] = {}
    for family in ("tactics", "venues", "publicity"):
        compiled[family] = {value: re.compile(r"(?i)\b(?:" + "|".join(cues) + r")") for value, cues in lex[family].items()}
    compiled["immigration"] = {"cues": re.compile(r"(?i)\b(?:" + "|".join(lex["immigration"]["cues"]) + r")")}
    return compiled


def immigration_agencies() -> frozenset[str]:
    return frozenset(lexicon("vocabulary")["immigration"]["agencies"])


_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")


def _unquoted(text: str) -> str:
    """The sentence with quotations blanked out (same length, so offsets still hold)."""
    return _QUOTED.sub(lambda m: " " * len(m.group()), text)


def find_cues(family: str, sentences: list[Sentence], require: re.Pattern | None = None) -> dict[str, Evidence]:
    """First cue of each value of `family` ("tactics", "venues", "publicity", "immigration").

    With `require`, only sentences matching it count (venues are where an action happened, so
    "a neighbour who lives opposite" says nothing about the venue); quotations never count.
    """
    found: dict[str, Evidence] = {}
    usable = [(s, _unquoted(s.text)) for s in sentences]
    if require is not None:
        usable = [(s, t) for s, t in usable if require.search(t)]
    for value, pattern in _cues()[family].items():
        for sent, plain in usable:
            m = pattern.search(plain)
            if m:
                found[value] = Evidence(sent.start + m.start(), sent.start + m.end(), sent.start, sent.end,
                                        f"{family}:{value}")
                break
    return found
