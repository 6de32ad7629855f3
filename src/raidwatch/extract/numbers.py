"""Numbers in digits or words, with bounds ("more than 100") kept as a note."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .literals import folds_like_lower
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
    pattern = re.compile(rf"(?i)\b(?:{number})\b")
    qualifier = re.compile(rf"(?i)\b(?P<qual>{qual_re})\s+$")
    # The same patterns without (?i), for lower-cased text (see find_numbers): the lexicon's words
    # are lower case, so these are the lower-cased forms; None if some word is not.
    vocabulary = [*words, *lex["multiples"], *lex["articles"], *lex["pairs"], *(q for q, _ in qualifiers)]
    lower_case = all(w == w.lower() for w in vocabulary)
    fast = (re.compile(rf"\b(?:{number})\b"), re.compile(rf"\b(?P<qual>{qual_re})\s+$")) if lower_case else None
    starts = frozenset(w.lower() for w in [*words, *lex["articles"], *lex["pairs"]])
    # Where a number may start, found in lower-cased text (a case-sensitive alternation is fast).
    start_re = re.compile(r"\d+|\b(?:" + "|".join(sorted(map(re.escape, starts), key=len, reverse=True)) + r")\b")
    return lex, words, dict(qualifiers), (pattern, qualifier), fast, starts, start_re


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
    lex, words, qualifiers, (pattern, qualifier), fast, starts, start_re = _tables()
    found = []
    lowered = text.lower()
    if fast is not None and len(lowered) == len(text) and folds_like_lower(text):
        # The lower-cased patterns on the lower-cased text find what the (?i) ones find in `text`
        # (CuePattern's rule); every group is read through .lower() (digits have no case).
        (pattern, qualifier), haystack = fast, lowered
        matches = pattern.finditer(lowered)
    else:
        haystack = text
        matches = _matches_at_starts(text, lowered, pattern, starts, start_re)
    for m in matches:
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
        q = qualifier.search(haystack, max(0, m.start() - 40), m.start())
        start = q.start() if q else m.start()
        found.append(NumberMention(start + offset, m.end() + offset, value,
                                   qualifiers.get(q.group("qual").lower()) if q else None))
    return found


def _matches_at_starts(text: str, lowered: str, pattern: re.Pattern, starts, start_re):
    """pattern.finditer(text), trying only places that can start a number (digits, number
    words, "a"/"an"/"couple"): every match starts at one of them, and a digit run or a number
    word (with a word boundary either side) starts there in the lower-cased text.

    Used where the lower-cased patterns may not find the same (see find_numbers): with
    lengths equal, the places are found in `lowered`; otherwise word by word."""
    end = 0
    if len(lowered) == len(text):
        positions = (m.start() for m in start_re.finditer(lowered))
    else:  # a few characters change length when lower-cased: look word by word instead
        positions = (t.start() for t in _TOKEN.finditer(text)
                     if t.group()[0].isdigit() or t.group().lower() in starts)
    for position in positions:
        if position < end:
            continue
        m = pattern.match(text, position)
        if m is not None:
            end = m.end()
            yield m


_TOKEN = re.compile(r"\d+|[^\W\d_]+")
