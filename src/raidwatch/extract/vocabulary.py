"""Tactics, venues, publicity flags and immigration involvement from cue phrases."""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from ..model import Evidence
from .literals import CuePattern, PatternIndex
from .registry import lexicon
from .text import Sentence


@lru_cache(maxsize=1)
def _cues() -> dict[str, tuple[list[tuple[str, CuePattern]], PatternIndex]]:
    """Per family: (value, compiled cue alternation) pairs and an index of their required words."""
    lex = lexicon("vocabulary")
    sources = {family: {value: "|".join(cues) for value, cues in lex[family].items()}
               for family in ("tactics", "venues", "publicity")}
    sources["immigration"] = {"cues": "|".join(lex["immigration"]["cues"])}
    return {family: ([(value, CuePattern(source)) for value, source in values.items()],
                     PatternIndex(list(values.values())))
            for family, values in sources.items()}





def immigration_agencies() -> frozenset[str]:
    return frozenset(lexicon("vocabulary")["immigration"]["agencies"])


_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")


@lru_cache(maxsize=4096)
def _unquoted(text: str) -> str:
    """The sentence with quotations blanked out (same length, so offsets still hold)."""
    return _QUOTED.sub(lambda m: " " * len(m.group()), text)


@lru_cache(maxsize=16)
def _prepared(sentences: tuple[Sentence, ...], require: "re.Pattern | CuePattern | None"):
    """The usable sentences' unquoted texts joined by line breaks, with each one's offset.

    Cached: the four cue families of one report search the same sentences. One search per cue
    over the joined text (no cue spans a line break), mapped back to the sentence it fell in,
    gives the same first match as searching sentence by sentence.
    """
    usable = [(s, _unquoted(s.text)) for s in sentences]
    if require is not None:
        usable = [(s, t) for s, t in usable if require.search(t)]
    joined = "\n".join(t for _, t in usable)
    starts, offset = [], 0
    for _, t in usable:
        starts.append(offset)
        offset += len(t) + 1
    return usable, joined, starts


def find_cues(family: str, sentences: list[Sentence], require: "re.Pattern | CuePattern | None" = None) -> dict[str, Evidence]:
    """First cue of each value of `family` ("tactics", "venues", "publicity", "immigration").

    With `require`, only sentences matching it count (venues are where an action happened, so
    "a neighbour who lives opposite" says nothing about the venue); quotations never count.
    """
    found: dict[str, Evidence] = {}
    usable, joined, starts = _prepared(tuple(sentences), require)
    if not usable:
        return found
    values, index = _cues()[family]
    lowered = joined.lower()
    for i in index.candidates(joined):  # values none of whose required words occur cannot match
        value, cue = values[i]
        pattern, haystack = cue.pick(joined, lowered)
        m = pattern.search(haystack)
        while m is not None:
            k = bisect_right(starts, m.start()) - 1
            sent, plain = usable[k]
            local_start, local_end = m.start() - starts[k], m.end() - starts[k]
            if local_end <= len(plain):
                found[value] = Evidence(sent.start + local_start, sent.start + local_end, sent.start, sent.end,
                                        f"{family}:{value}")
                break
            m = pattern.search(haystack, starts[k + 1]) if k + 1 < len(starts) else None
    return found
