"""Sentence and paragraph segmentation with character offsets.

Evidence is a span of the original text, so segmentation never rewrites the
text: it only returns (start, end) pairs into it.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from .registry import lexicon


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int  # index of the paragraph (block separated by a line break)
    index: int      # position among all sentences of the document


_BOUNDARY = re.compile(r"""[.!?]+["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9•\-–—])""")


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    return frozenset(a.lower() for a in lexicon("text")["abbreviations"])


_ABBREVIATION_END = re.compile(r"(\b[\w.]+)\.$")
_CLOSERS = "\"'”’)]"


def word_run_start(text: str, end: int) -> int:
    """Where the run of word characters (as the regex \\w sees them) and dots ending at `end` starts:
    a pattern of them anchored at `end` matches nowhere before, so it need not be searched for there."""
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_."):
        start -= 1
    return start


def _is_abbreviation(chunk: str) -> bool:
    """True when the text before a full stop ends with a known abbreviation or an initial."""
    stripped = chunk.rstrip(_CLOSERS)
    if not stripped.endswith((".", ".\n")):
        return False  # cannot match _ABBREVIATION_END: skip the search
    match = _ABBREVIATION_END.search(stripped, word_run_start(stripped, len(stripped.rstrip("\n"))))
    if not match:
        return False
    word = match.group(1)
    if len(word) == 1 and word.isupper():  # an initial: "John F. Smith"
        return True
    return word.lower() in _abbreviations() or word.lower().rstrip(".") in _abbreviations()


# A line's text without its outer spaces (\s is what str.strip() strips).
_LINE_CORE = re.compile(r"\S(?:[^\n]*\S)?")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of non-empty lines (one line = one paragraph in news text), without their outer spaces."""
    return [m.span() for m in _LINE_CORE.finditer(text)]


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with offsets; a line break always ends a sentence."""
    sentences: list[Sentence] = []
    for p_index, m in enumerate(_LINE_CORE.finditer(text)):
        # The paragraph is searched in place: _BOUNDARY looks at nothing outside its match and
        # lookahead, so the end position stands for the end of the paragraph.
        cursor, p_end = m.span()
        for match in _BOUNDARY.finditer(text, cursor, p_end):
            # only a full stop can end an abbreviation (see _is_abbreviation)
            if text[match.start()] == "." and _is_abbreviation(text[cursor:match.start() + 1]):
                punctuation = match.group()
                if "!" not in punctuation and "?" not in punctuation:
                    continue
            # pieces start at a paragraph's first character or after a boundary's spaces: never
            # with a space, so one that is not empty has text
            piece = text[cursor:match.end()].rstrip()
            if piece:
                sentences.append(Sentence(cursor, cursor + len(piece), piece, p_index, len(sentences)))
            cursor = match.end()
        rest = text[cursor:p_end].rstrip()
        if rest:
            sentences.append(Sentence(cursor, cursor + len(rest), rest, p_index, len(sentences)))
    return sentences


def iter_sentences_matching(pattern: re.Pattern, text: str, sentences: list[Sentence]) -> Iterator[int]:
    """Indexes (into `sentences`, in order) of the sentences in which `pattern` matches, found as
    they are asked for.

    One pass over the text instead of one search per sentence; a match must lie inside a
    sentence, as it would when each sentence is searched on its own.
    """
    if not sentences:
        return
    starts = [s.start for s in sentences]
    pos, end = sentences[0].start, sentences[-1].end
    while pos < end:
        m = pattern.search(text, pos, end)
        if m is None:
            break
        k = bisect_right(starts, m.start()) - 1
        if k >= 0 and m.end() <= sentences[k].end:
            yield k
        pos = sentences[k + 1].start if k + 1 < len(sentences) else end


class SentenceTest:
    """Whether `pattern` matches in a sentence, as `iter_sentences_matching` decides it (the first match
    from the sentence's start lies inside it), for sentences asked in text order: a search whose
    match lies beyond a sentence answers for the sentences up to that match."""

    __slots__ = ("pattern", "text", "sentences", "searched_from", "match")

    def __init__(self, pattern: re.Pattern, text: str, sentences: list[Sentence]):
        self.pattern, self.text, self.sentences = pattern, text, sentences
        self.searched_from: int | None = None
        self.match: re.Match | None = None

    def __call__(self, k: int) -> bool:
        sentences = self.sentences
        start = sentences[k].start
        if self.searched_from is None or self.searched_from > start or (
                self.match is not None and self.match.start() < start):
            self.match = self.pattern.search(self.text, start, sentences[-1].end)
            self.searched_from = start
        m = self.match
        return (m is not None and (k + 1 == len(sentences) or m.start() < sentences[k + 1].start)
                and m.end() <= sentences[k].end)
