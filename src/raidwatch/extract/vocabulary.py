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


def find_cues(family: str, sentences: list[Sentence]) -> dict[str, Evidence]:
    """First cue of each value of `family` ("tactics", "venues", "publicity", "immigration")."""
    found: dict[str, Evidence] = {}
    for value, pattern in _cues()[family].items():
        for sent in sentences:
            m = pattern.search(sent.text)
            if m:
                found[value] = Evidence(sent.start + m.start(), sent.start + m.end(), sent.start, sent.end,
                                        f"{family}:{value}")
                break
    return found
