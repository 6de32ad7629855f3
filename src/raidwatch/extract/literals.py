"""Skip regular expressions that cannot match, using the literal words they require.

Running a hundred lexicon patterns over every sentence costs more than the
rest of extraction. Most patterns require some literal text ("brothel",
"soliciting"): `required_factors` works out, from the parsed pattern, a set of
strings one of which every match must contain, and `PatternIndex` finds with
one Aho-Corasick pass which patterns have a required string in the text, so
only those run. Patterns whose requirements cannot be worked out always run,
so the result is the same as running every pattern.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

try:  # Python 3.11+: the parser moved into re._parser
    from re import _constants as sre_constants, _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

import ahocorasick

_MIN_FACTOR = 3


def _sequence(items) -> set[str] | None:
    """Required factors of a sequence: the best of its literal runs and its sub-parts."""
    candidates: list[set[str]] = []
    run = ""

    def close_run() -> None:
        nonlocal run
        if len(run) >= _MIN_FACTOR:
            candidates.append({run})
        run = ""

    for op, arg in items:
        if op is sre_constants.LITERAL:
            run += chr(arg).lower()
            continue
        close_run()
        if op is sre_constants.SUBPATTERN:
            sub = _sequence(arg[-1])
        elif op is sre_constants.BRANCH:
            sub = _branch(arg[1])
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and arg[0] >= 1:
            sub = _sequence(arg[2])
        else:
            sub = None
        if sub:
            candidates.append(sub)
    close_run()
    if not candidates:
        return None
    # The most selective requirement: the set whose shortest string is longest.
    return max(candidates, key=lambda s: (min(map(len, s)), -len(s)))


def _branch(branches) -> set[str] | None:
    result: set[str] = set()
    for branch in branches:
        sub = _sequence(branch)
        if sub is None:
            return None
        result |= sub
    return result


def required_factors(pattern: str) -> set[str] | None:
    """Lower-case strings one of which every match of `pattern` contains, or None if unknown."""
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return None
    return _sequence(list(parsed))


def starts_with_character(pattern: str) -> bool:
    """Whether every match of `pattern` starts with a literal character or one of a (positive)
    character class: the regex engine then scans for those instead of trying every position."""
    try:
        items = list(sre_parse.parse(pattern))
    except re.error:
        return False
    while items and items[0][0] is sre_constants.SUBPATTERN:
        items = list(items[0][1][-1])
    if not items:
        return False
    op, arg = items[0]
    if op is sre_constants.LITERAL:
        return True
    if op is sre_constants.IN:
        return not any(item_op is sre_constants.NEGATE for item_op, _ in arg)
    if op is sre_constants.BRANCH:
        return all(branch and list(branch)[0][0] is sre_constants.LITERAL for branch in arg[1])
    return False


class PatternIndex:
    """Which of many patterns may match a text, found in one pass over it."""

    def __init__(self, patterns: Sequence[str]):
        self._always: list[int] = []
        self._automaton = ahocorasick.Automaton()
        owners: dict[str, list[int]] = {}
        for i, pattern in enumerate(patterns):
            factors = required_factors(pattern)
            if not factors:
                self._always.append(i)
                continue
            for factor in factors:
                owners.setdefault(factor, []).append(i)
        for factor, indexes in owners.items():
            self._automaton.add_word(factor, tuple(indexes))
        if owners:
            self._automaton.make_automaton()
        self._has_words = bool(owners)

    def candidates(self, text: str, lowered: str | None = None) -> list[int]:
        """Indexes of the patterns that may match `text`, in pattern order.

        Pass `lowered` (text.lower()) when the caller has it already."""
        if not self._has_words:
            return list(self._always)
        # Each distinct owner tuple once: a common word may occur many times.
        owner_sets = {indexes for _, indexes in self._automaton.iter(text.lower() if lowered is None else lowered)}
        return sorted(set(self._always).union(*owner_sets))

    def ends(self, lowered: str) -> dict[int, list[int]]:
        """{index: offsets of the last characters of its required words in `lowered`, in text order}
        for the patterns that may match the lower-cased text `lowered`; [-1] for those without
        required words."""
        ends: dict[int, list[int]] = {i: [-1] for i in self._always}
        if self._has_words:
            for end, indexes in self._automaton.iter(lowered):
                for i in indexes:
                    ends.setdefault(i, []).append(end)
        return ends


def lowercase_source(pattern: str) -> str | None:
    """A case-sensitive equivalent of `(?i)pattern` for use on lower-cased text, or None.

    Python's regex engine scans a case-insensitive alternation several times slower than a
    case-sensitive one; lower-casing the text once and the pattern's literals gives the same
    matches. Escapes (\\S, \\W, \\D, \\B ...) keep their case; patterns with scoped flags or
    named groups are left alone (None).
    """
    if re.search(r"\\[xuUN0-7]", pattern):
        return None  # characters given by code keep their case: leave such patterns alone
    if "(?" in pattern.replace("(?:", "").replace("(?=", "").replace("(?!", "").replace("(?<=", "").replace("(?<!", ""):
        return None
    out = []
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        else:
            out.append(ch.lower())
    return "".join(out)


# Characters a case-insensitive regex takes for an ASCII letter though lower() keeps them apart
# (İ ı ſ and the Kelvin sign): in a text with one, the lower-cased copy may miss a (?i) match.
FOLD_SPECIALS = "\u0130\u0131\u017f\u212a"


def folds_like_lower(text: str) -> bool:
    """Whether a lower-cased pattern finds in text.lower() exactly what its (?i) form finds in `text`
    (given the same length)."""
    return text.isascii() or not any(c in text for c in FOLD_SPECIALS)


class CuePattern:
    """A case-insensitive cue pattern that searches lower-cased text when it safely can.

    Drop-in for the `search`/`match`/`finditer` of a compiled `(?i)` pattern where callers use
    match positions only: the text is lower-cased per call (cheap, in C), and `group()` returns
    lower-cased text.
    """

    __slots__ = ("fast", "slow")

    def __init__(self, source: str, prefix: str = r"\b(?:", suffix: str = ")"):
        self.slow = re.compile("(?i)" + prefix + source + suffix)
        lowered = lowercase_source(source)
        self.fast = re.compile(prefix + lowered + suffix) if lowered is not None else None

    def pick(self, text: str, lowered: str | None = None, strict: bool = False) -> tuple[re.Pattern, str]:
        """(compiled pattern, text to search): the fast form on the lower-cased text when the
        offsets stay the same. Pass `lowered` (text.lower()) when searching one text many times.
        With `strict`, also only when that finds exactly what the (?i) form finds (folds_like_lower)."""
        if self.fast is not None:
            if lowered is None:
                lowered = text.lower()
            if len(lowered) == len(text) and not (strict and not folds_like_lower(text)):
                return self.fast, lowered
        return self.slow, text

    def search(self, text: str, *args):
        pattern, haystack = self.pick(text)
        return pattern.search(haystack, *args)

    def match(self, text: str, *args):
        pattern, haystack = self.pick(text)
        return pattern.match(haystack, *args)

    def finditer(self, text: str, *args):
        pattern, haystack = self.pick(text)
        return pattern.finditer(haystack, *args)
