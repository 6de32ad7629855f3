"""Which sentences describe which operation.

A story usually reports one main operation, and sometimes more: background
actions ("The operation follows a similar one in Cork in February, when
gardaí arrested six men") and round-ups of several cities ("In Peel Region,
...", "And in Winnipeg, ..."). Each block of sentences becomes one report;
sentences that sum figures over several operations feed none.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from .literals import CuePattern, PatternIndex, required_factors
from .registry import lexicon
from .text import Sentence


@dataclass(frozen=True)
class Block:
    kind: str  # "main" | "background" | "roundup"
    sentences: tuple[Sentence, ...]


@lru_cache(maxsize=1)
def _patterns():
    lex = lexicon("segments")
    background = _Marker("|".join(lex["background_markers"]), ")")
    opener = re.compile(lex["roundup_opener"])
    aggregate = _Marker("|".join(lex["aggregate_markers"]), r")\b")
    return background, opener, aggregate


class _Marker:
    """A case-insensitive marker alternation, searched only in sentences holding one of its
    required words (see literals.py): on lower-cased text it cannot match in the others."""

    __slots__ = ("cue", "words", "words_in_line")

    def __init__(self, source: str, suffix: str):
        self.cue = CuePattern(source, r"\b(?:", suffix)
        self.words = PatternIndex([source])
        factors = required_factors(source)
        self.words_in_line = bool(factors) and not any("\n" in word for word in factors)

    def matches(self, texts: list[str]) -> list[bool]:
        """Whether the marker occurs in each text: the required words are looked for once in all
        the lower-cased texts joined by line breaks (no word spans one), and the marker is searched
        only in the texts holding one."""
        lowered = [text.lower() for text in texts]
        holding: set[int] | None = None  # the texts holding a required word, when known
        if self.words_in_line:
            starts, offset = [], 0
            for low in lowered:
                starts.append(offset)
                offset += len(low) + 1
            ends = self.words.ends("\n".join(lowered)).get(0, [])
            holding = {bisect_right(starts, end) - 1 for end in ends}
        found = []
        for i, (text, low) in enumerate(zip(texts, lowered)):
            pattern, haystack = self.cue.pick(text, low)
            if pattern is self.cue.fast and holding is not None and i not in holding:
                found.append(False)
            else:
                found.append(pattern.search(haystack) is not None)
        return found


def non_aggregate(sentences: list[Sentence]) -> list[Sentence]:
    """The sentences that do not sum figures over several operations ("Together, the three
    operations produced 86 arrests"), in order."""
    flags = _patterns()[2].matches([s.text for s in sentences])
    return [s for s, aggregate in zip(sentences, flags) if not aggregate]


def segment(sentences: list[Sentence]) -> list[Block]:
    """Split a document's sentences into operation blocks, main block first."""
    background, opener, _ = _patterns()
    first_of_paragraph: dict[int, Sentence] = {}
    for s in sentences:
        first_of_paragraph.setdefault(s.paragraph, s)
    roundup_starts = sorted(p for p, s in first_of_paragraph.items() if opener.match(s.text))
    blocks: dict[int, list[Sentence]] = {}
    owner_of_paragraph: dict[int, int] = {}
    current = -1  # -1 = the main block
    for s in sentences:
        if s.paragraph in roundup_starts and s is first_of_paragraph[s.paragraph]:
            current = s.paragraph
        owner_of_paragraph[s.paragraph] = current
        blocks.setdefault(current, []).append(s)
    result: list[Block] = []
    back_runs: list[list[Sentence]] = []
    for key in [-1, *roundup_starts]:
        main: list[Sentence] = []
        block = blocks.get(key, [])
        for s, is_background in zip(block, background.matches([s.text for s in block])):
            if is_background:
                if back_runs and back_runs[-1][-1].index == s.index - 1:
                    back_runs[-1].append(s)
                else:
                    back_runs.append([s])
            else:
                main.append(s)
        if main:
            result.append(Block("main" if key == -1 else "roundup", tuple(main)))
    result += [Block("background", tuple(run)) for run in back_runs]
    return result
