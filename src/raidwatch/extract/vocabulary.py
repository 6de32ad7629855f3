"""Tactics, venues, publicity flags and immigration involvement from cue phrases."""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from ..model import Evidence
from .literals import CuePattern, PatternIndex, folds_like_lower, lowercase_source
from .registry import lexicon
from .text import Sentence


class _Cues:
    """One value's cues: a case-insensitive alternation, searched in runs when some cues cannot
    run on lower-cased text (a case-sensitive "(?-i:...)" part) so that they do not put the whole
    alternation on the slow path. The leftmost of the runs' matches, the earlier run winning a
    tie, is the match of the whole alternation."""

    __slots__ = ("whole", "runs")

    def __init__(self, cues: list[str]):
        self.whole = CuePattern("|".join(cues))
        runs: list[tuple[bool, list[str]]] = []
        for cue in cues:
            lowerable = lowercase_source(cue) is not None
            if runs and runs[-1][0] == lowerable:
                runs[-1][1].append(cue)
            else:
                runs.append((lowerable, [cue]))
        self.runs = [CuePattern("|".join(r)) for _, r in runs] if len(runs) > 1 else None

    def search(self, text: str, lowered: str, pos: int, faithful: bool) -> "re.Match | None":
        """The first match at or after `pos`; `faithful`: folds_like_lower(text)."""
        if self.runs is None or not faithful:
            pattern, haystack = self.whole.pick(text, lowered)
            return pattern.search(haystack, pos)
        best = None
        for run in self.runs:
            pattern, haystack = run.pick(text, lowered)
            m = pattern.search(haystack, pos)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
        return best


@lru_cache(maxsize=1)
def _cues() -> dict[str, tuple[list[tuple[str, _Cues]], PatternIndex]]:
    """Per family: (value, its cues) pairs and an index of their required words."""
    lex = lexicon("vocabulary")
    families = {family: dict(lex[family]) for family in ("tactics", "venues", "publicity")}
    families["immigration"] = {"cues": lex["immigration"]["cues"]}
    return {family: ([(value, _Cues(cues)) for value, cues in values.items()],
                     PatternIndex(["|".join(cues) for cues in values.values()]))
            for family, values in families.items()}





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
    faithful = folds_like_lower(joined)
    for i in index.candidates(joined):  # values none of whose required words occur cannot match
        value, cues = values[i]
        m = cues.search(joined, lowered, 0, faithful)
        while m is not None:
            k = bisect_right(starts, m.start()) - 1
            sent, plain = usable[k]
            local_start, local_end = m.start() - starts[k], m.end() - starts[k]
            if local_end <= len(plain):
                found[value] = Evidence(sent.start + local_start, sent.start + local_end, sent.start, sent.end,
                                        f"{family}:{value}")
                break
            m = cues.search(joined, lowered, starts[k + 1], faithful) if k + 1 < len(starts) else None
    return found
