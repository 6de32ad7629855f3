"""Sentence and paragraph segmentation with character offsets.

Evidence is a span of the original text, so segmentation never rewrites the
text: it only returns (start, end) pairs into it.
"""
from __future__ import annotations

import re
from bisect import bisect_right
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


def _is_abbreviation(chunk: str) -> bool:
    """True when the text before a full stop ends with a known abbreviation or an initial."""
    match = re.search(r"(\b[\w.]+)\.$", chunk.rstrip("\"'”’)]"))
    if not match:
        return False
    word = match.group(1)
    if len(word) == 1 and word.isupper():  # an initial: "John F. Smith"
        return True
    return word.lower() in _abbreviations() or word.lower().rstrip(".") in _abbreviations()


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of non-empty lines (one line = one paragraph in news text)."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        if match.group().strip():
            lead = len(match.group()) - len(match.group().lstrip())
            spans.append((match.start() + lead, match.end() - (len(match.group()) - len(match.group().rstrip()))))
    return spans


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with offsets; a line break always ends a sentence."""
    sentences: list[Sentence] = []
    for p_index, (p_start, p_end) in enumerate(paragraphs(text)):
        block = text[p_start:p_end]
        cursor = 0
        for match in _BOUNDARY.finditer(block):
            piece = block[cursor:match.end()].rstrip()
            before = block[cursor:match.start() + 1]
            if _is_abbreviation(before) and not re.search(r"[!?]", match.group()):
                continue
            if piece.strip():
                s = p_start + cursor
                sentences.append(Sentence(s, s + len(piece), piece, p_index, len(sentences)))
            cursor = match.end()
        rest = block[cursor:].rstrip()
        if rest.strip():
            s = p_start + cursor
            sentences.append(Sentence(s, s + len(rest), rest, p_index, len(sentences)))
    return sentences


def sentences_matching(pattern: re.Pattern, text: str, sentences: list[Sentence]) -> set[int]:
    """Indexes (into `sentences`) of the sentences in which `pattern` matches.

    One pass over the text instead of one search per sentence; a match must lie inside a
    sentence, as it would when each sentence is searched on its own.
    """
    hits: set[int] = set()
    if not sentences:
        return hits
    starts = [s.start for s in sentences]
    pos, end = sentences[0].start, sentences[-1].end
    while pos < end:
        m = pattern.search(text, pos, end)
        if m is None:
            break
        k = bisect_right(starts, m.start()) - 1
        if k >= 0 and m.end() <= sentences[k].end:
            hits.add(k)
            pos = sentences[k + 1].start if k + 1 < len(sentences) else end
        else:
            pos = sentences[k + 1].start if k + 1 < len(sentences) else end
    return hits
