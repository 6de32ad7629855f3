"""Tactics, venues, publicity flags and immigration involvement from cue phrases."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from operator import is_

from ..model import Evidence
from .literals import (CuePattern, PatternIndex, RequirementIndex, folds_like_lower, lowercase_source,
                       starts_with_character, within_line)
from .registry import lexicon
from .text import Sentence


def _is_word(char: str) -> bool:
    """A word character as the regex engine's \\b sees it."""
    return char.isalnum() or char == "_"


class _WordStartCue:
    """A cue that starts with a literal or a character class, searched without the leading \\b.

    The regex engine scans quickly for a pattern's first character but tries every position of
    one that starts with \\b; the word boundary is checked here at each match instead, which
    finds the same first match start.
    """

    __slots__ = ("body",)

    def __init__(self, body: str):
        self.body = CuePattern(body, "(?:", ")")

    def start(self, text: str, lowered: str, pos: int) -> int | None:
        pattern, haystack = self.body.pick(text, lowered)
        m = pattern.search(haystack, pos)
        while m is not None:
            at = m.start()
            if (at > 0 and _is_word(haystack[at - 1])) != (at < len(haystack) and _is_word(haystack[at])):
                return at
            m = pattern.search(haystack, at + 1)
        return None


class _CueRun:
    """Cues searched as one alternation (with the leading \\b)."""

    __slots__ = ("pattern",)

    def __init__(self, cues: list[str]):
        self.pattern = CuePattern("|".join(cues))

    def start(self, text: str, lowered: str, pos: int) -> int | None:
        pattern, haystack = self.pattern.pick(text, lowered)
        m = pattern.search(haystack, pos)
        return None if m is None else m.start()


def _part(cue: str) -> _WordStartCue | None:
    """The cue as a _WordStartCue when it starts with a literal or a character class."""
    body = cue
    while body.startswith("\\b"):
        body = body[2:]  # \b\b is \b: the outer \b, checked by _WordStartCue, stands for them
    return _WordStartCue(body) if starts_with_character(body) else None


class _Cues:
    """One value's cues: a case-insensitive alternation ("whole").

    When the text folds like its lower-cased copy (`folds_like_lower`), the alternation is
    searched in parts whose first match starts are cheaper to find: cues that start with a
    literal or a character class one by one (_WordStartCue), the others in runs that can or
    cannot run on lower-cased text (a case-sensitive "(?-i:...)" cue would put the whole
    alternation on the slow path). No cue matches before the earliest of those starts, so the
    whole alternation's match there is its first match. When only some cues may match
    (`only`), those are searched one by one.
    """

    __slots__ = ("whole", "parts", "each")

    def __init__(self, cues: list[str]):
        self.whole = CuePattern("|".join(cues))
        self.each = [_part(cue) or _CueRun([cue]) for cue in cues]
        runs: dict[bool, list[str]] = {}
        for cue, part in zip(cues, self.each):
            if isinstance(part, _CueRun):
                runs.setdefault(lowercase_source(cue) is not None, []).append(cue)
        parts = [part for part in self.each if isinstance(part, _WordStartCue)] + [_CueRun(r) for r in runs.values()]
        self.parts = parts if len(parts) > 1 or not runs else None

    def search(self, text: str, lowered: str, pos: int, faithful: bool,
               only: list[int] | None = None) -> "re.Match | None":
        """The first match at or after `pos`; `faithful`: folds_like_lower(text); `only`: the
        positions of the cues that may match, when known (and `faithful`)."""
        pattern, haystack = self.whole.pick(text, lowered)
        if not faithful or (only is None and self.parts is None):
            return pattern.search(haystack, pos)
        parts = self.parts if only is None else [self.each[j] for j in only]
        starts = [at for at in (part.start(text, lowered, pos) for part in parts) if at is not None]
        if not starts:
            return None
        return pattern.match(haystack, min(starts))


class _Vocabulary:
    """Every family's values, and one index of the required words of all their cues.

    A value runs only the cues all of whose required words (`required_factor_sets`) occur in the
    text, from the first sentence that can hold them all: an alternation without alternatives that
    cannot match anywhere finds the same matches, and a match lies in a sentence holding a required
    word of each of its cue's sets. So "ice" in
    "police" costs one short cue, not the whole immigration alternation. That needs every
    required word of a (?i) match to occur in the lower-cased text (`folds_like_lower`, ASCII
    words without line breaks); otherwise values are filtered as a whole, as their alternation.
    """

    def __init__(self, families: dict[str, dict[str, list[str]]]):
        self.values = {family: [(value, _Cues(cues)) for value, cues in values.items()]
                       for family, values in families.items()}
        self.value_index = {family: PatternIndex(["|".join(cues) for cues in values.values()])
                            for family, values in families.items()}
        # (family, the value's position in it, the cue's position in the value), over all families
        self.cue_owner = [(family, k, j) for family, values in families.items()
                          for k, cues in enumerate(values.values()) for j in range(len(cues))]
        cues = [cue for values in families.values() for cues in values.values() for cue in cues]
        self.cue_index = RequirementIndex(cues)
        self.per_cue = all(word.isascii() and "\n" not in word for word in self.cue_index.words())

    def candidates(self, family: str, prepared: "_Prepared") -> list[tuple[str, _Cues, int, list[int] | None]]:
        """(value, cues, offset to search from, positions of the cues that may match or None) for
        the values of `family` that may match, in lexicon order."""
        values = self.values[family]
        if prepared.present is None:
            return [(*values[i], 0, None) for i in self.value_index[family].candidates(prepared.joined, prepared.lowered)]
        return [(*values[k], prepared.starts[first], only) for k, (only, first) in prepared.present.get(family, {}).items()]

    def present(self, lowered: str, starts: list[int]) -> "_Present":
        """The cues all of whose required words occur in `lowered` (sentences starting at `starts`),
        and the first sentence where one of each value's may match."""
        present: _Present = {}
        ends = self.cue_index.earliest_ends(lowered)
        for i in sorted(ends):
            family, k, j = self.cue_owner[i]
            sentence = max(0, bisect_right(starts, ends[i]) - 1)
            only, first = present.setdefault(family, {}).get(k, ([], sentence))
            only.append(j)
            present[family][k] = (only, min(first, sentence))
        return present


# {family: {value position: (positions of its cues that may match, index of the first sentence where one may)}}
_Present = dict[str, dict[int, tuple[list[int], int]]]


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    lex = lexicon("vocabulary")
    families = {family: dict(lex[family]) for family in ("tactics", "venues", "publicity")}
    families["immigration"] = {"cues": lex["immigration"]["cues"]}
    return _Vocabulary(families)


def immigration_agencies() -> frozenset[str]:
    return frozenset(lexicon("vocabulary")["immigration"]["agencies"])


_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")


@lru_cache(maxsize=4096)
def _unquoted(text: str) -> str:
    """The sentence with quotations blanked out (same length, so offsets still hold)."""
    if "“" not in text and '"' not in text:
        return text  # no opening mark: nothing for _QUOTED to blank
    return _QUOTED.sub(lambda m: " " * len(m.group()), text)


class _Prepared:
    """The usable sentences' unquoted texts joined by line breaks, with each one's offset.

    One search per cue over the joined text (no cue spans a line break), mapped back to the
    sentence it fell in, gives the same first match as searching sentence by sentence.
    """

    __slots__ = ("usable", "joined", "starts", "lowered", "faithful", "present")

    def __init__(self, usable: list[tuple[Sentence, str]], whole: "_Prepared | None" = None,
                 positions: list[int] | None = None):
        """`whole`: a preparation of more sentences, `positions`: where these are among them."""
        self.usable = usable
        self.joined = "\n".join(t for _, t in usable)
        self.starts, offset = [], 0
        for _, t in usable:
            self.starts.append(offset)
            offset += len(t) + 1
        self.lowered = self.joined.lower()
        self.faithful = folds_like_lower(self.joined)
        self.present: _Present | None = None  # the cues that may match (see _Vocabulary), when that can be relied on
        if whole is not None and whole.present is not None:
            # A cue whose words occur in none of the sentences occurs in none of these; one may
            # match from the first of these at or after the first of those holding its words.
            self.present = {}
            for family, values in whole.present.items():
                for k, (only, first) in values.items():
                    mine = bisect_left(positions, first)
                    if mine < len(positions):
                        self.present.setdefault(family, {})[k] = (only, mine)
        elif usable and self.faithful and _vocabulary().per_cue:
            self.present = _vocabulary().present(self.lowered, self.starts)


@lru_cache(maxsize=8)
def _searched_per_line(require: "re.Pattern | CuePattern") -> bool:
    """Whether `require` finds in the joined sentences what it finds in each (see `within_line`)."""
    if isinstance(require, CuePattern):
        return within_line(require.slow) and (require.fast is None or within_line(require.fast))
    return within_line(require)


def _matching_positions(require: "re.Pattern | CuePattern", whole: _Prepared) -> list[int]:
    """Positions of the usable sentences in which `require` matches: one search per matching
    sentence over the joined text when the pattern stays within a line and the lower-cased text
    keeps its offsets (then each sentence's lower-cased copy does too), else sentence by sentence."""
    if not (len(whole.lowered) == len(whole.joined) and _searched_per_line(require)):
        return [i for i, (_, t) in enumerate(whole.usable) if require.search(t)]
    if isinstance(require, CuePattern):
        pattern, haystack = require.pick(whole.joined, whole.lowered)
    else:
        pattern, haystack = require, whole.joined
    starts = whole.starts
    positions: list[int] = []
    m = pattern.search(haystack)
    while m is not None:
        k = bisect_right(starts, m.start()) - 1
        positions.append(k)
        if k + 1 == len(starts):
            break
        m = pattern.search(haystack, starts[k + 1])
    return positions


# The last few preparations, newest last: the four cue families of one report search the same
# sentences. Looked up by identity (sentences are immutable), which is cheaper than hashing them.
_recent: list[tuple[tuple[Sentence, ...], object, _Prepared]] = []


def _prepared(sentences: list[Sentence], require: "re.Pattern | CuePattern | None") -> _Prepared:
    for seen, seen_require, prepared in _recent:
        if seen_require is require and len(seen) == len(sentences) and all(map(is_, seen, sentences)):
            return prepared
    if require is None:
        prepared = _Prepared([(s, _unquoted(s.text)) for s in sentences])
    else:
        whole = _prepared(sentences, None)
        positions = _matching_positions(require, whole)
        prepared = _Prepared([whole.usable[i] for i in positions], whole, positions)
    _recent.append((tuple(sentences), require, prepared))
    del _recent[:-4]
    return prepared


def find_cues(family: str, sentences: list[Sentence], require: "re.Pattern | CuePattern | None" = None) -> dict[str, Evidence]:
    """First cue of each value of `family` ("tactics", "venues", "publicity", "immigration").

    With `require`, only sentences matching it count (venues are where an action happened, so
    "a neighbour who lives opposite" says nothing about the venue); quotations never count.
    """
    found: dict[str, Evidence] = {}
    prepared = _prepared(sentences, require)
    usable, joined, starts, lowered, faithful = (prepared.usable, prepared.joined, prepared.starts,
                                                 prepared.lowered, prepared.faithful)
    if not usable:
        return found
    for value, cues, pos, only in _vocabulary().candidates(family, prepared):
        m = cues.search(joined, lowered, pos, faithful, only)
        while m is not None:
            k = bisect_right(starts, m.start()) - 1
            sent, plain = usable[k]
            local_start, local_end = m.start() - starts[k], m.end() - starts[k]
            if local_end <= len(plain):
                found[value] = Evidence(sent.start + local_start, sent.start + local_end, sent.start, sent.end,
                                        f"{family}:{value}")
                break
            m = cues.search(joined, lowered, starts[k + 1], faithful, only) if k + 1 < len(starts) else None
    return found
