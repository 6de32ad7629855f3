"""Numbers in digits or words, with bounds ("more than 100") kept as a note."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .registry import lexicon


@dataclass(frozen=True)
class NumberMention:
    start: int
    end: int
    value: int
    qualifier: str | None  # "lower bound", "upper bound", "approximate" or None


@lru_cache(maxsize=1)
def _tables():
    lex = lexicon("numbers")
    words = {**lex["units"], **lex["tens"]}
    word_re = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    mult_re = "|".join(map(re.escape, lex["multiples"]))
    art_re = "|".join(map(re.escape, {**lex["articles"], **lex["pairs"]}))
    number = (
        rf"(?<![\d.,/$£€#-])(?P<digits>\d{{1,3}}(?:,\d{{3}})+|\d+)(?![.,]?\d)(?!%)(?![-–]\d)(?!-year)"
        rf"|(?P<words>(?:{word_re})(?:[- ](?:{word_re}))?(?:\s+(?:hundred|thousand)(?:\s+(?:and\s+)?(?:{word_re})(?:[- ](?:{word_re}))?)?)?)"
        rf"(?:\s+(?P<mult>{mult_re}))?"
        rf"|(?P<article>{art_re})\s+(?P<mult2>{mult_re})"
    )
    qualifiers = []
    for kind, key in (("lower bound", "lower_bound"), ("upper bound", "upper_bound"), ("approximate", "approximate")):
        for phrase in lex[key]:
            qualifiers.append((phrase, kind))
    qual_re = "|".join(sorted((re.escape(q) for q, _ in qualifiers), key=len, reverse=True))
    pattern = re.compile(rf"(?i)(?:\b(?P<qual>{qual_re})\s+)?\b(?:{number})\b")
    return lex, words, dict(qualifiers), pattern


def _words_value(text: str, words: dict[str, int]) -> int | None:
    total, current = 0, 0
    for token in re.split(r"[\s-]+", text.lower()):
        if token == "and":
            continue
        if token == "hundred":
            current = (current or 1) * 100
        elif token == "thousand":
            total += (current or 1) * 1000
            current = 0
        elif token in words:
            current += words[token]
        else:
            return None
    return total + current


def find_numbers(text: str, offset: int = 0) -> list[NumberMention]:
    """Every number in `text`; offsets are shifted by `offset` (a sentence's start)."""
    lex, words, qualifiers, pattern = _tables()
    found = []
    for m in pattern.finditer(text):
        if m.group("digits"):
            value = int(m.group("digits").replace(",", ""))
        elif m.group("words"):
            value = _words_value(m.group("words"), words)
            if value is None:
                continue
            if m.group("mult"):
                value *= lex["multiples"][m.group("mult").lower()]
        else:
            article = m.group("article").lower()
            base = {**lex["articles"], **lex["pairs"]}[article]
            value = base * lex["multiples"][m.group("mult2").lower()]
        qual = m.group("qual")
        found.append(NumberMention(m.start() + offset, m.end() + offset, value,
                                   qualifiers.get(qual.lower()) if qual else None))
    return found
