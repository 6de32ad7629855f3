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


# Anchors that see a line break differently from the end of the text
_LINE_ANCHORS = {sre_constants.AT_BEGINNING, sre_constants.AT_BEGINNING_STRING, sre_constants.AT_BEGINNING_LINE,
                 sre_constants.AT_END, sre_constants.AT_END_STRING, sre_constants.AT_END_LINE}
# Character classes without a line break
_LINE_CATEGORIES = {sre_constants.CATEGORY_DIGIT, sre_constants.CATEGORY_WORD, sre_constants.CATEGORY_NOT_SPACE,
                    sre_constants.CATEGORY_UNI_DIGIT, sre_constants.CATEGORY_UNI_WORD,
                    sre_constants.CATEGORY_UNI_NOT_SPACE}


def _within_line(items, dotall: bool) -> bool:
    for op, arg in items:
        if op is sre_constants.LITERAL:
            ok = arg != 10
        elif op is sre_constants.ANY:
            ok = not dotall
        elif op is sre_constants.IN:
            ok = all((item_op is sre_constants.LITERAL and item_arg != 10)
                     or (item_op is sre_constants.RANGE and not item_arg[0] <= 10 <= item_arg[1])
                     or (item_op is sre_constants.CATEGORY and item_arg in _LINE_CATEGORIES)
                     for item_op, item_arg in arg)
        elif op is sre_constants.AT:
            ok = arg not in _LINE_ANCHORS
        elif op is sre_constants.SUBPATTERN:
            ok = _within_line(arg[-1], dotall)
        elif op is sre_constants.BRANCH:
            ok = all(_within_line(branch, dotall) for branch in arg[1])
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
            ok = _within_line(arg[2], dotall)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT, sre_constants.ATOMIC_GROUP):
            ok = _within_line(arg[-1], dotall)
        else:
            ok = False  # anything else (back-references, conditionals ...) counts as unknown
        if not ok:
            return False
    return True


def within_line(pattern: "str | re.Pattern") -> bool:
    """Whether no part of `pattern` can match or look at a line break or a text's start or end
    (^, $, \\A, \\Z): it then finds in lines joined by line breaks exactly what it finds in each
    line on its own (a line break looks to it like the end of the text)."""
    compiled = re.compile(pattern) if isinstance(pattern, str) else pattern
    try:
        parsed = sre_parse.parse(compiled.pattern, compiled.flags)
    except re.error:
        return False
    dotall = bool(parsed.state.flags & re.DOTALL)
    return _within_line(list(parsed), dotall) and not compiled.flags & re.MULTILINE


# Items that match no text: a run of literals on both sides of them is one run in the match.
_ZERO_WIDTH = (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT)
_MAX_SPELLINGS = 32


def _spellings(op, arg) -> set[str] | None:
    """The few lower-case strings an item always matches exactly (a literal, [cs], (?:e|ing)), or None."""
    if op is sre_constants.LITERAL:
        return {chr(arg).lower()}
    if op is sre_constants.IN:
        if len(arg) <= 4 and all(item_op is sre_constants.LITERAL for item_op, _ in arg):
            return {chr(code).lower() for _, code in arg}
        return None
    if op is sre_constants.SUBPATTERN:
        return _exact(arg[-1])
    if op is sre_constants.BRANCH:
        result: set[str] = set()
        for branch in arg[1]:
            sub = _exact(branch)
            if sub is None:
                return None
            result |= sub
        return result if len(result) <= _MAX_SPELLINGS else None
    return None


def _exact(items) -> set[str] | None:
    """The strings a whole sequence matches exactly, when they are few, else None."""
    result = {""}
    for op, arg in items:
        if op in _ZERO_WIDTH:
            continue
        sub = _spellings(op, arg)
        if sub is None:
            return None
        result = {a + b for a in result for b in sub}
        if len(result) > _MAX_SPELLINGS:
            return None
    return result


def _requirements(items) -> list[set[str]]:
    """Sets of strings, each of which has a member in every match of the sequence."""
    found: list[set[str]] = []
    run = {""}

    def close_run() -> None:
        nonlocal run
        if min(map(len, run)) >= _MIN_FACTOR:
            found.append(run)
        run = {""}

    for op, arg in items:
        if op in _ZERO_WIDTH:
            continue
        spellings = _spellings(op, arg)
        if spellings is not None and len(run) * len(spellings) <= _MAX_SPELLINGS:
            run = {a + b for a in run for b in spellings}
            continue
        close_run()
        if spellings is not None:
            run = spellings
        elif op is sre_constants.SUBPATTERN:
            found += _requirements(arg[-1])
        elif op is sre_constants.BRANCH:
            sub = _branch(arg[1])
            if sub:
                found.append(sub)
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and arg[0] >= 1:
            found += _requirements(arg[2])
    close_run()
    return found


def required_factor_sets(pattern: str) -> list[set[str]] | None:
    """Sets of lower-case strings such that every match of `pattern` contains a member of each
    set: all of its literal runs (joined with the few spellings of the items between them, as in
    ", (?:of|from)"), not only the most selective one as `required_factors` gives. None if unknown."""
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return None
    return _requirements(list(parsed)) or None


_SELECTIVE_FACTOR = 4


def _selective(sets: list[set[str]]) -> list[set[str]]:
    """The most selective requirement and the others without very short words: looking for
    words like "in " that most texts hold costs more than it saves."""
    if not sets:
        return []
    best = max(sets, key=lambda s: (min(map(len, s)), -len(s)))
    return [s for s in sets if s is best or min(map(len, s)) >= _SELECTIVE_FACTOR]


class RequirementIndex:
    """Which of many patterns may match a lower-cased text, and from where: a pattern may match
    only when each of its `required_factor_sets` has a member in the text."""

    def __init__(self, patterns: Sequence[str]):
        self._always: list[int] = []
        self._set_counts: dict[int, int] = {}
        self._automaton = ahocorasick.Automaton()
        owners: dict[str, list[tuple[int, int]]] = {}
        for i, pattern in enumerate(patterns):
            sets = _selective(required_factor_sets(pattern) or [])
            if not sets:
                self._always.append(i)
                continue
            self._set_counts[i] = len(sets)
            for k, factors in enumerate(sets):
                for factor in factors:
                    owners.setdefault(factor, []).append((i, k))
        for factor, owned in owners.items():
            self._automaton.add_word(factor, tuple(owned))
        if owners:
            self._automaton.make_automaton()

    def words(self) -> set[str]:
        """Every required string."""
        return set(self._automaton.keys()) if self._set_counts else set()

    def earliest_ends(self, lowered: str) -> dict[int, int]:
        """{index: offset in `lowered` by which every requirement of the pattern has occurred (the
        end of the first member of the requirement met last)} for the patterns that may match;
        -1 for those without requirements. A match cannot end before that offset's word does."""
        first_ends: dict[tuple[int, int], int] = {}
        if self._set_counts:
            for end, owned in self._automaton.iter(lowered):
                for owner in owned:
                    first_ends.setdefault(owner, end)
        met: dict[int, list[int]] = {}
        for (i, _), end in first_ends.items():
            met.setdefault(i, []).append(end)
        found = {i: -1 for i in self._always}
        for i, ends in met.items():
            if len(ends) == self._set_counts[i]:
                found[i] = max(ends)
        return found


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


def lowers_in_place(text: str, lowered: str | None = None) -> bool:
    """Whether `lowered` (text.lower()) holds each character of `text` lower-cased on its own, so that
    lowered[a:b] == text[a:b].lower() for every slice: no character lower-cases to two (İ), and no
    capital sigma (the only letter lower() reads in context: σ or final ς)."""
    if lowered is None:
        lowered = text.lower()
    return len(lowered) == len(text) and "\u03a3" not in text


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
