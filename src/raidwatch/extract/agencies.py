"""Agencies: which bodies a text names, and which of them took part in an operation.

Two entry points:

* `find_agencies(text)`: every agency the text names, each normalised to one
  canonical name: the long form the text gives ("LCSO" -> "Lake County
  Sheriff's Office" when the text introduces it, "HPD" when it is the initials
  of a body the text names), a well-known long form for a known short form
  ("HSI", "the Met", "gardaí"), internal units folded into their parent
  ("GNPSB" -> "An Garda Síochána"), "<Place> police" resolved to the force the
  text names, a territorial force, or (by country, from the gazetteer) the
  usual name ("Fresno police" -> "Fresno Police Department" in a US story).
* `operation_agencies(text, sentences)`: the bodies that took part in the
  operation the sentences describe. Each mention is judged from its sentence:
  subject of an action verb, named after a partner cue ("with help from",
  "supported by", "officers from"), agent of a passive action ("carried out
  by"), modifier of an action noun ("a Garda operation"), receiver of people
  handed over; against: quotations, helplines and contact lines, "did not
  respond", generic statements, a body named only as a speaker's affiliation.
  Police and other law-enforcement bodies named in a sentence about the action
  count unless the context is against them; councils, cities, departments and
  attorneys general need a participation cue; prosecutors need a cue that they
  directed or carried out the action (not that they charged or dismissed).

Every rule and cue list is in `lexicons/agencies.yaml`.

Speed: the lexicon's regexes are never tried at every position of a text. A "{P} <keyword>" pattern is
tried only just before its keyword (found for all patterns at once with an Aho-Corasick automaton over
the lower-cased text), at the capitals within the four words before it; names and units are looked up
with automata too; cue regexes are tried where their first word is; regexes anchored at the end of a
string are searched over its end only, and case-insensitive context regexes search the lower-cased string
where literals.CuePattern finds that equivalent. Each of these gives exactly the matches the plain regex
would (tests/test_agencies.py checks them against it). The gazetteer is asked for the document's country only
when a name needs it, and what operation_agencies needs of the whole text is kept for the next operation
report of the same text.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Iterator

import ahocorasick

from .literals import CuePattern, folds_like_lower, lowers_in_place
from .registry import LexiconError, lexicon

try:  # the regex parser, to read the literal words a lexicon pattern starts with (see _literal_prefixes)
    from re import _constants as _sre_c, _parser as _sre_parse
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _sre_c  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_UPPER = "A-ZÀ-ÖØ-ÞŁŒŠŽ"
_WORD = rf"(?:St\.|[{_UPPER}](?:[\w-]|['’](?!s\b))*)"
_PLACE = rf"{_WORD}(?:[ \t\u00a0]+(?:{_WORD}|of|de|and|upon|on)){{0,3}}?"  # never across a line break

# Scanning helpers (see _place_matches). A {P} place is at most four runs of word characters, apostrophes
# and dots ("St.") separated by spaces, tabs or no-break spaces; read backwards from where a pattern's
# keyword begins, _BACK_WINDOW (on the reversed text) finds the earliest point such a place can start.
_BACK_WINDOW = re.compile(r"[\w\-'’.]+(?:[ \t\u00a0]+[\w\-'’.]+){0,3}")
# Where a {P} place can start: a capital not preceded by a word character or hyphen.
_PLACE_START = re.compile(rf"[{_UPPER}](?<![\w-].)")
_WORD_CHAR = re.compile(r"[\w-]")
_ABBREVIATION = re.compile(r"\(([A-Z][A-Za-z&]{1,7})\)")
_ABBREVIATION_GAP = re.compile(r"(?:\s*['’]s)?(?:\s+(?:[A-Z][\w’'-]*|and|of|for|the|de|du|des|la|le|&))*\s*")
_CAPS_TOKEN = re.compile(r"[A-Z]{3,6}")
_AND = re.compile(r" (?:and|&) ")
_INITIAL_WORDS = re.compile(r"[\w]+")

_EXTRA_KEYS = ("lowercase_police", "place_stopwords", "place_of_heads", "compound_places", "forces",
               "place_police", "kinds", "anaphors", "action_verbs", "action_nouns", "partner_cues",
               "personnel_nouns", "speech_verbs", "contact_cues", "no_comment_cues", "prosecution_verbs",
               "civil_cues", "attributive_nouns", "generic_cues", "quote_pairs")

_ACTION, _ACTION_NOUN, _CIVIL, _GENERIC = range(4)  # indices of _Tables.cues
_WHOLE_KEY_CUES = (_GENERIC,)  # looked up in a sentence with quotations blanked, never mentions (see _judge)

LAW_ENFORCEMENT = "law_enforcement"
PROSECUTION = "prosecution"
GOVERNMENT = "government"


@dataclass(frozen=True)
class AgencyMention:
    start: int
    end: int
    name: str   # canonical
    rule: str
    kind: str = ""  # law_enforcement | prosecution | government


# --------------------------------------------------------------------------
# lexicon tables


def _alternation(items: Iterable[str]) -> str:
    return "|".join(sorted(items, key=len, reverse=True))


class _TooMany(Exception):
    pass


def _literal_prefixes(regex: str, limit: int = 64) -> frozenset[str] | None:
    """The lower-cased literal beginnings of `regex`: every match starts, in any letter case, with one of
    them (ASCII letters, digits and spaces up to the first other element; lookarounds are skipped).
    None when some match may start otherwise or the beginnings are too many to list."""
    try:
        parsed = _sre_parse.parse(regex)
        found = _prefix_seq(list(parsed), limit)
    except Exception:  # a construct the parser or this reader does not know, or too many beginnings
        return None
    if not found or any(not prefix for prefix, _ in found):
        return None
    return frozenset(prefix for prefix, _ in found)


def _prefix_seq(items: list, limit: int) -> set[tuple[str, bool]]:
    """(prefix, open) pairs for a sequence of parsed items; open: the whole sequence was literal so far."""
    results = {("", True)}
    for op, av in items:
        if not any(open_ for _, open_ in results):
            break
        nxt: set[tuple[str, bool]] = set()
        for prefix, open_ in results:
            if not open_:
                nxt.add((prefix, False))
                continue
            for more, open2 in _prefix_item(op, av, limit):
                nxt.add((prefix + more, open2))
        if len(nxt) > limit:
            raise _TooMany
        results = nxt
    return results


def _prefix_item(op, av, limit: int) -> set[tuple[str, bool]]:
    c = _sre_c
    if op is c.LITERAL:
        ch = chr(av)
        if ch.isascii() and (ch.isalnum() or ch == " "):
            return {(ch.lower(), True)}
        return {("", False)}
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):  # zero width
        return {("", True)}
    if op is c.SUBPATTERN:
        return _prefix_seq(list(av[3]), limit)
    if op is getattr(c, "ATOMIC_GROUP", None):
        return _prefix_seq(list(av), limit)
    if op is c.BRANCH:
        out: set[tuple[str, bool]] = set()
        for branch in av[1]:
            out |= _prefix_seq(list(branch), limit)
        return out
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        low, high, body = av
        out = {("", True)} if low == 0 else set()
        if high != 0:
            out |= {(prefix, False) for prefix, _ in _prefix_seq(list(body), limit)}
        return out
    return {("", False)}


_SPACE_RUN = re.compile(r"\s+")
_SPACE_PAIR = re.compile(r"\s\s")
_WORD_RUN = re.compile(r"\w+")


class _EndRegex:
    """A regex every match of which ends at its final `$`, searched only over the end of a string where a
    match can start: a match is at most `width` characters besides its unbounded runs of spaces (\\s+,
    \\s*) and word characters (\\w+), each no longer than the string's longest such run. `search` gives
    what `rx.search` gives (the spans: a case-insensitive regex searches the lower-cased string when
    literals.CuePattern finds that equivalent, several times faster); regexes of other shapes are
    searched whole."""

    def __init__(self, rx: re.Pattern):
        self.rx = rx
        self.pattern = rx.pattern
        bound = _end_bound(rx)
        self.width, self.spaces, self.words = bound if bound is not None else (-1, 0, 0)
        self.cased = CuePattern(rx.pattern[4:], "", "") if rx.pattern.startswith("(?i)") else None
        if self.cased is not None and self.cased.slow != rx:  # pragma: no cover - same source, same flags
            self.cased = None

    def search(self, s: str) -> re.Match | None:
        rx, haystack = self.cased.pick(s, strict=True) if self.cased is not None else (self.rx, s)
        # (searching a short string whole costs less than measuring its runs, and finds the same)
        if self.width < 0 or len(s) <= _END_SEARCH_WHOLE:
            return rx.search(haystack)
        span = self.width
        if self.spaces:
            span += self.spaces * _longest_space_run(s)
        if self.words:
            span += self.words * _longest_word_run(s)
        # ($ also matches before a final newline, hence the extra character)
        return rx.search(haystack, max(0, len(s) - span - 1))


_END_SEARCH_WHOLE = 120  # see _EndRegex.search


# (memoised: a mention's left context is searched with several end regexes)
@lru_cache(maxsize=32)
def _longest_space_run(s: str) -> int:
    """The length of the longest run of white space in `s` (1 when there is none)."""
    return 1 if _SPACE_PAIR.search(s) is None else max(map(len, _SPACE_RUN.findall(s)))


@lru_cache(maxsize=32)
def _longest_word_run(s: str) -> int:
    return max(map(len, _WORD_RUN.findall(s)), default=0)


def _end_bound(rx: re.Pattern) -> tuple[int, int, int] | None:
    """(width, space runs, word runs) of `rx` (see _EndRegex), or None if it has another shape."""
    c = _sre_c
    if rx.flags & re.MULTILINE or not isinstance(rx.pattern, str):
        return None
    try:
        items = list(_sre_parse.parse(rx.pattern, rx.flags & re.VERBOSE))
        if not items or items[-1] != (c.AT, c.AT_END) and items[-1] != (c.AT, c.AT_END_STRING):
            return None
        return _width(items)
    except Exception:  # unbounded in another way, or a construct this reader does not know
        return None


def _width(items: list) -> tuple[int, int, int]:
    c = _sre_c
    w = ks = kw = 0
    for op, av in items:
        if op in (c.LITERAL, c.NOT_LITERAL, c.ANY, c.IN):
            w += 1
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            pass
        elif op is c.SUBPATTERN or op is getattr(c, "ATOMIC_GROUP", None):
            bw, bks, bkw = _width(list(av[3] if op is c.SUBPATTERN else av))
            w, ks, kw = w + bw, ks + bks, kw + bkw
        elif op is c.BRANCH:
            widths = [_width(list(b)) for b in av[1]]
            w += max(x[0] for x in widths)
            ks += max(x[1] for x in widths)
            kw += max(x[2] for x in widths)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            low, high, body = av
            body = list(body)
            if high is c.MAXREPEAT or high == c.MAXREPEAT:
                if body in ([(c.IN, [(c.CATEGORY, c.CATEGORY_SPACE)])], [(c.LITERAL, 32)]):
                    ks += 1
                elif body == [(c.IN, [(c.CATEGORY, c.CATEGORY_WORD)])]:
                    kw += 1
                else:
                    raise ValueError("unbounded repeat")
            else:
                bw, bks, bkw = _width(body)
                w, ks, kw = w + high * bw, ks + high * bks, kw + high * bkw
        else:
            raise ValueError(f"unsupported {op}")
    return w, ks, kw


def _top_level_bar(rx: str) -> bool:
    """Whether `rx` has a "|" outside every group and character class."""
    depth, i, in_class = 0, 0, False
    while i < len(rx):
        ch = rx[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
            if rx[i + 1:i + 2] == "]":
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return True
        i += 1
    return False


@dataclass
class _Scanner:
    """How to find the matches of one {P} pattern fast, with exactly `pattern.finditer`'s results.

    mode "place": the pattern is "{P}<tail>"; candidates are where the tail's keyword begins (looked up in
    the lower-cased text), a match must start within the four words before it (see _place_matches).
    mode "literal": the pattern starts with plain words ("City of {P}"): candidates are where they occur.
    mode "full": anything else, `pattern.finditer`."""
    pattern: re.Pattern
    mode: str = "full"
    tail: re.Pattern | None = None
    keys: frozenset = frozenset()
    literal: str = ""


def _scanner(source: str, pattern: re.Pattern) -> _Scanner:
    if source.startswith("{P}") and "{P}" not in source[3:] and not _top_level_bar(source):
        tail_source = source[3:].replace("{N}", _WORD)
        keys = _literal_prefixes(tail_source)
        if keys:
            try:
                tail = re.compile(tail_source)
            except re.error:
                tail = None
            if tail is not None:
                return _Scanner(pattern, "place", tail, keys)
    head = source.split("{", 1)[0]
    if "{P}" in source and head and re.fullmatch(r"[A-Za-z ]+", head) and not _top_level_bar(source):
        return _Scanner(pattern, "literal", literal=head)
    return _Scanner(pattern)


def _alias_automaton(aliases: Iterable[str]) -> ahocorasick.Automaton:
    a = ahocorasick.Automaton()
    for alias in aliases:
        a.add_word(alias, alias)
    a.make_automaton()
    return a


def _automaton(keyed: dict[str, list]) -> ahocorasick.Automaton | None:
    """Aho-Corasick automaton over lower-cased keys; each key's value is (len(key), its targets)."""
    if not keyed:
        return None
    a = ahocorasick.Automaton()
    for key, targets in keyed.items():
        a.add_word(key, (len(key), tuple(targets)))
    a.make_automaton()
    return a


@dataclass
class _Tables:
    patterns: list
    lowercase_police: re.Pattern
    lowercase_words: set
    alias_to_name: dict
    known: re.Pattern
    alias_requires: dict
    alias_countries: dict
    alias_blockers: dict
    country_aliases: dict
    folding: dict
    fold_re: re.Pattern
    not_agencies: set
    stop: set
    of_heads: set
    compounds: list
    forces: dict
    place_police: dict
    kinds: list
    anaphors: list
    action: re.Pattern
    action_noun: re.Pattern
    action_noun_alt: str
    partner_end: re.Pattern
    personnel_end: re.Pattern
    personnel: re.Pattern
    speech: re.Pattern
    contact_end: re.Pattern
    no_comment: re.Pattern
    prosecution_verb: re.Pattern
    civil: re.Pattern
    attributive: re.Pattern
    generic: re.Pattern
    quote_pairs: list
    rename: list
    not_police_places: set
    us_min_population: int
    # fast scanning (same results as the plain regexes above)
    scanners: list = field(default_factory=list)        # one per pattern
    lower_scanner: _Scanner | None = None               # lowercase_police
    tail_keys: ahocorasick.Automaton | None = None      # keyword -> tail_base + indices of "place" scanners
    tail_base: int = 0                                  # (lower last; the automaton is anaphor_keys too)
    known_keys: ahocorasick.Automaton | None = None     # the aliases of `known`, as they are written
    known_in_text_keys: bool = False                    # tail_keys finds them too (lower-cased)
    fold_rest: re.Pattern | None = None                 # `fold_re` without its leading (?<![\w-])
    anaphor_keys: ahocorasick.Automaton | None = None   # keyword -> indices of anaphors
    anaphor_scannable: list = field(default_factory=list)  # per anaphor: found through anaphor_keys
    opener_close: dict = field(default_factory=dict)    # quote_pairs: opening character -> closing mark
    opener_re: re.Pattern | None = None
    cues: list = field(default_factory=list)            # [action, action_noun, civil, generic] (see _SentenceCues)
    cue_patterns: list = field(default_factory=list)    # the same as literals.CuePattern
    cue_keys: ahocorasick.Automaton | None = None       # first word -> indices of cues
    cue_scannable: list = field(default_factory=list)
    operation_right: re.Pattern | None = None           # "<body>'s undercover operation", "<body>-led raids"


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    lex = lexicon("agencies")
    missing = [k for k in _EXTRA_KEYS if k not in lex]
    if missing:
        raise LexiconError(f"lexicon agencies.yaml lacks required key(s): {', '.join(missing)}")
    place = f"(?P<place>{_PLACE})"
    patterns = [re.compile(r"(?<![\w-])(?P<full>" + p.replace("{P}", place).replace("{N}", _WORD) + r")(?![\w-])")
                for p in lex["patterns"]]
    lowercase_police = re.compile(r"(?<![\w-])(?P<full>" + lex["lowercase_police"].replace("{P}", place) + ")")
    alias_to_name: dict[str, str] = {}
    for name, aliases in lex["known"].items():
        for alias in aliases:
            alias_to_name[alias] = name
    known = re.compile(r"(?<![\w-])(?:" + _alternation(map(re.escape, alias_to_name)) + r")(?![\w-])")
    folding = dict(lex["folding"])
    fold_alt = r"(?:" + _alternation(map(re.escape, folding)) + r")(?![\w-])"
    fold_re = re.compile(r"(?<![\w-])" + fold_alt)
    ci = lambda items: re.compile(r"(?i)\b(?:" + _alternation(items) + r")\b")  # noqa: E731
    personnel = _alternation(lex["personnel_nouns"])
    # fast scanning
    scanners = [_scanner(src, rx) for src, rx in zip(lex["patterns"], patterns)]
    lower_scanner = _scanner(lex["lowercase_police"], lowercase_police)
    # One automaton for the anaphors' keywords (targets 0, 1, ...) and the patterns' tail keywords (targets
    # tail_base + scanner index): both are looked up in the lower-cased text, in one pass (_text_keywords).
    anaphor_sources = [r"(?i)(?<![\w-])" + rx + r"(?![\w-])" for rx in lex["anaphors"]]
    text_keys: dict[str, list[int]] = {}
    anaphor_scannable = []
    for j, src in enumerate(anaphor_sources):
        keys = _literal_prefixes(src)
        anaphor_scannable.append(bool(keys))
        for key in keys or ():
            text_keys.setdefault(key, []).append(j)
    tail_base = len(anaphor_sources)
    for i, sc in enumerate(scanners + [lower_scanner]):
        for key in sc.keys if sc.mode == "place" else ():
            text_keys.setdefault(key, []).append(tail_base + i)
    # And the known aliases (targets: the aliases themselves), by their lower-cased forms: see _known_matches.
    known_in_text_keys = bool(alias_to_name) and "" not in alias_to_name and all(map(lowers_in_place, alias_to_name))
    for alias in alias_to_name if known_in_text_keys else ():
        text_keys.setdefault(alias.lower(), []).append(alias)
    text_automaton = _automaton(text_keys)
    # (the same regexes as ci() gives, able to search lower-cased text: see _SentenceCues)
    cue_patterns = [CuePattern(_alternation(lex[key]), r"\b(?:", r")\b")
                    for key in ("action_verbs", "action_nouns", "civil_cues", "generic_cues")]
    cues = [cue.slow for cue in cue_patterns]
    cue_keys: dict[str, list[int]] = {}
    cue_scannable = []
    for j, rx in enumerate(cues):
        # first words only: blanking mentions out of a sentence turns letters into spaces, never the reverse
        # (but whole beginnings for cues looked up only where just quotations are blanked: see _SentenceCues)
        keys = _literal_prefixes(rx.pattern, limit=20000)
        words = set(keys or ()) if j in _WHOLE_KEY_CUES else {k.split(" ")[0] for k in keys or ()}
        cue_scannable.append(bool(words) and "" not in words)
        for word in words if cue_scannable[-1] else ():
            cue_keys.setdefault(word, []).append(j)
    opener_close: dict[str, str] = {}
    for pair in lex["quote_pairs"]:
        open_q, close_q = pair
        if len(open_q) == 1:
            opener_close.setdefault(open_q, close_q)
    return _Tables(
        patterns=patterns,
        lowercase_police=lowercase_police,
        lowercase_words=set(lex.get("lowercase_words", [])),
        alias_to_name=alias_to_name,
        known=known,
        alias_requires={a: re.compile(r) for a, r in (lex.get("alias_requires") or {}).items()},
        alias_countries={a: set(c) for a, c in (lex.get("alias_countries") or {}).items()},
        alias_blockers={a: re.compile(r) for a, r in (lex.get("alias_blockers") or {}).items()},
        country_aliases=dict(lex.get("country_aliases") or {}),
        folding=folding,
        fold_re=fold_re,
        not_agencies={_fold(n) for n in lex["not_agencies"]},
        stop=set(lex["place_stopwords"]),
        of_heads=set(lex["place_of_heads"]),
        compounds=sorted(lex["compound_places"], key=len, reverse=True),
        forces={cc: {_fold(f): f for f in names} for cc, names in lex["forces"].items()},
        place_police=dict(lex["place_police"]),
        kinds=[(kind, re.compile(rx)) for kind, rx in lex["kinds"].items()],
        anaphors=[(re.compile(src), re.compile(target))
                  for src, target in zip(anaphor_sources, lex["anaphors"].values())],
        action=cues[_ACTION],
        action_noun=cues[_ACTION_NOUN],
        action_noun_alt=_alternation(lex["action_nouns"]),
        partner_end=_EndRegex(re.compile(r"(?i)\b(?:" + _alternation(lex["partner_cues"]) +
                                         r")\s+(?:(?:the|its|their|local|a|an)\s+)?$")),
        personnel_end=_EndRegex(re.compile(r"(?i)\b(?:" + personnel + r")\s+(?:from|of|with|at)\s+(?:the\s+)?$")),
        personnel=re.compile(r"(?i)(?:" + personnel + r")\b"),
        speech=ci(lex["speech_verbs"]),
        contact_end=_EndRegex(re.compile(r"(?i)\b(?:" + _alternation(lex["contact_cues"]) +
                                         r")\s+(?:(?:the|your|a|an|local)\s+)?$")),
        no_comment=ci(lex["no_comment_cues"]),
        prosecution_verb=ci(lex["prosecution_verbs"]),
        civil=cues[_CIVIL],
        attributive=re.compile(r"(?i)^(?:['’]s)?\s+(?:[\w-]+\s+)?(?:" + _alternation(lex["attributive_nouns"]) + r")\b"),
        generic=cues[_GENERIC],
        quote_pairs=[tuple(p) for p in lex["quote_pairs"]],
        rename=[(re.compile(rx), rep) for rx, rep in (lex.get("rename") or {}).items()],
        not_police_places=set(lex.get("not_police_places") or []),
        us_min_population=int(lex.get("us_city_min_population", 50000)),
        scanners=scanners,
        lower_scanner=lower_scanner,
        tail_keys=text_automaton,
        tail_base=tail_base,
        known_keys=_alias_automaton(alias_to_name) if alias_to_name and "" not in alias_to_name else None,
        known_in_text_keys=known_in_text_keys,
        fold_rest=re.compile(fold_alt) if "" not in folding else None,
        anaphor_keys=text_automaton,
        anaphor_scannable=anaphor_scannable,
        opener_close=opener_close,
        opener_re=re.compile("[" + "".join(map(re.escape, opener_close)) + "]") if opener_close else None,
        cues=cues,
        cue_patterns=cue_patterns,
        cue_keys=_automaton(cue_keys),
        cue_scannable=cue_scannable,
        operation_right=re.compile(
            r"^(?:['’]s)?(?:-led)?\s+(?:(?:[A-Z][\w-]*|\w+-\w+|(?i:undercover|joint|covert|vice|sting|"
            r"prostitution|trafficking|human|sex|enforcement|compliance|licensing|immigration|"
            r"special|targeted|overnight|weekend|intelligence-led))\s+){0,2}(?i:" + _alternation(lex["action_nouns"]) +
            r")\b"),
    )


# --------------------------------------------------------------------------
# names


_POSSESSIVE_S = re.compile(r"'s\b")
_NON_WORD = re.compile(r"[^\w]+")
_SPACES = re.compile(r"\s+")
_LEADING_THE = re.compile(r"^(?:the|The)\s+")


@lru_cache(maxsize=8192)
def _fold(name: str) -> str:
    """Comparison form: case, apostrophes and punctuation folded."""
    name = name.replace("’", "'").lower()
    name = _POSSESSIVE_S.sub("s", name)
    return _NON_WORD.sub(" ", name).strip()


def _canonical(name: str) -> str:
    name = _SPACES.sub(" ", name.replace("’", "'")).strip()
    name = _LEADING_THE.sub("", name)
    return name.rstrip("'")  # plural possessive: "Department of Inspections' team"


@lru_cache(maxsize=4096)
def kind_of(name: str) -> str:
    """law_enforcement, prosecution or government, from the canonical name (`kinds` in agencies.yaml)."""
    for kind, rx in _tables().kinds:
        if rx.search(name):
            return kind
    return GOVERNMENT


def _title(words: str, lower: set[str]) -> str:
    out = []
    for w in words.split():
        if w.lower() in lower and out:
            out.append(w.lower())
        elif w[:1].islower():
            out.append(w[:1].upper() + w[1:])
        else:
            out.append(w)
    return " ".join(out)


def _clean_place(place: str, t: _Tables) -> str | None:
    """The place part of a pattern match without sentence openers, titles, people and lists."""
    words = place.split()
    while words and (words[0] in t.stop or words[0].rstrip(".") in t.stop or words[0][:-1] in t.stop
                     or words[0].lower() in ("the", "of", "and", "on", "upon", "de")):
        words.pop(0)
    if not words:
        return None
    text = " ".join(words)
    compound = next((c for c in t.compounds if c in text), None)
    if compound:
        return text[text.index(compound):]
    # "Raymond Cobb and Georgia" -> "Georgia"; "Paul Gervais of York" -> "York"; "City of London" stays.
    while True:
        words = text.split()
        if "and" in words:
            i = len(words) - 1 - words[::-1].index("and")
            if not _is_place(" ".join(words[max(0, i - 1):i + 2])):
                text = " ".join(words[i + 1:])
                continue
        if "of" in words:
            i = len(words) - 1 - words[::-1].index("of")
            head = words[i - 1] if i else ""
            if head not in t.of_heads and " ".join(words[max(0, i - 2):i]) not in t.of_heads:
                text = " ".join(words[i + 1:])
                continue
            text = " ".join(words[max(0, i - 2 if " ".join(words[max(0, i - 2):i]) in t.of_heads else i - 1):])
        break
    text = text.strip()
    if not text or text.split()[0] in t.stop or text.split()[0].lower() in ("and", "of", "on", "upon", "de"):
        return None
    return text


@lru_cache(maxsize=8192)
def _place_of(raw: str) -> str | None:
    """_clean_place of a pattern's place group (memoised: the same places recur across documents)."""
    return _clean_place(raw, _tables())


@lru_cache(maxsize=8192)
def _pattern_name(raw: str) -> str | None:
    """The canonical name of a pattern match's words (renamed, aliases resolved), None for a
    non-agency (memoised: the same names recur across documents)."""
    t = _tables()
    name = _canonical(raw)
    for rx, replacement in t.rename:
        name = rx.sub(replacement, name)
    name = t.alias_to_name.get(name, name)
    return None if _fold(name) in t.not_agencies else name


@lru_cache(maxsize=8192)
def _locate(raw: str, cleaned: str) -> int:
    r"""Offset in `raw` of its suffix `cleaned` (which has single spaces where `raw` may have any): where
    re.search(r"\s+".join(map(re.escape, cleaned.split())) + "$", raw) matches, else 0. Read from the
    end, word by word, without compiling that regex (its words hold no white space, so each \s+ takes
    a whole run and the match, if any, is the only one)."""
    if raw.endswith("\n"):  # pragma: no cover - a place never spans a line break ($ matches before it)
        m = re.search(r"\s+".join(map(re.escape, cleaned.split())) + r"$", raw)
        return m.start() if m else 0
    end = len(raw)
    for k, word in enumerate(reversed(cleaned.split())):
        if k:
            before = len(raw[:end].rstrip())
            if before == end:
                return 0
            end = before
        if not raw.endswith(word, 0, end):
            return 0
        end -= len(word)
    return end


# --------------------------------------------------------------------------
# gazetteer (optional): the document's country, and what a place name is


def _gazetteer():
    try:
        from .gazetteer import get_gazetteer
        return get_gazetteer()
    except Exception:  # gazetteer data or packages not installed: no country knowledge
        return None


@lru_cache(maxsize=4096)
def _is_place(name: str) -> bool:
    g = _gazetteer()
    return bool(g and g.lookup(name))


@lru_cache(maxsize=64)
def _document_place(text: str) -> tuple[str | None, str | None]:
    """(country, admin1) of the document as the gazetteer resolves it, or (None, None)."""
    g = _gazetteer()
    if g is None:
        return None, None
    try:
        r = g.resolve(text)
    except Exception:
        return None, None
    return (r.country, r.admin1) if r else (None, None)


@lru_cache(maxsize=4096)
def _place_candidates(place: str, country: str | None, admin1: str | None) -> tuple:
    """Gazetteer places called `place` in the document's country, those in its admin1 first;
    elsewhere in the country only sizeable ones."""
    g = _gazetteer()
    t = _tables()
    if g is None or not country or place in t.not_police_places:
        return ()
    try:
        hits = g.lookup(place, country)
    except Exception:
        return ()
    if admin1:
        same = [p for p in hits if p.admin1 == admin1 or p.kind == "admin1"]
        hits = same or [p for p in hits if p.population >= t.us_min_population]
    return tuple(hits)


def _police_by_place(place: str, text: str, t: _Tables) -> str | None:
    """The force a "<Place> police" phrase names, when the place settles it (else None)."""
    name = _police_by_place_raw(place, text, t)
    return t.alias_to_name.get(name, name) if name else None


def _police_by_place_raw(place: str, text: str, t: _Tables) -> str | None:
    for alias in (f"{place} Police", f"{place} police"):
        if alias in t.alias_to_name and _alias_allowed(alias, text, t):
            return t.alias_to_name[alias]
    country, admin1 = _document_place(text)
    if country in (None, "GB"):
        for suffix in ("Police", "Constabulary"):
            force = t.forces.get("GB", {}).get(_fold(f"{place} {suffix}"))
            if force:
                return force
    if not country:
        return None
    hits = _place_candidates(place, country, admin1)
    if not hits:
        return None
    best = hits[0]
    if country == "US":
        if best.kind == "city" and "US" in t.place_police:
            return t.place_police["US"].format(place=place)
        return None
    key = f"{country}/{best.admin1}"
    name = t.place_police.get(key) or t.place_police.get(country)
    return name.format(place=place) if name else None


# --------------------------------------------------------------------------
# scanning


@lru_cache(maxsize=256)
def _requirement_met(alias: str, text: str) -> bool:
    return bool(_tables().alias_requires[alias].search(text))


def _alias_allowed(alias: str, text: str, t: _Tables, at: int | None = None) -> bool:
    req = t.alias_requires.get(alias)
    if req is not None and not _requirement_met(alias, text) and \
            _document_place(text)[0] not in t.alias_countries.get(alias, ()):
        return False
    block = t.alias_blockers.get(alias)
    if block is not None and at is not None:
        for bm in block.finditer(text, max(0, at - 30), min(len(text), at + len(alias) + 40)):
            if bm.start() <= at < bm.end():
                return False
    return True


@lru_cache(maxsize=8192)
def _initials(name: str) -> str:
    words = _INITIAL_WORDS.findall(name.replace("'s", "").replace("’s", "").replace(".", ""))
    return "".join(w[0] for w in words if w.lower() not in ("of", "the", "and", "for", "de", "du", "la")).upper()


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


_PRIORITY = {"agency:known": 0, "agency:folded-unit": 0, "agency:pattern": 1, "agency:abbreviation": 1,
             "agency:initials": 2, "agency:place-police": 3}


def _resolve_overlaps(mentions: list[AgencyMention]) -> list[AgencyMention]:
    ordered = sorted(mentions, key=lambda m: (m.start, -(m.end - m.start), _PRIORITY.get(m.rule, 5)))
    kept: list[AgencyMention] = []
    for m in ordered:
        if kept and m.start < kept[-1].end:
            prev = kept[-1]
            if m.rule == "agency:folded-unit" and prev.rule == "agency:pattern":
                kept[-1] = AgencyMention(prev.start, max(prev.end, m.end), m.name, m.rule)
            continue
        kept.append(m)
    return kept


def _lookbehind_finditer(rest: re.Pattern, text: str) -> Iterator[re.Match]:
    """The matches of "(?<![\\w-])" + rest.pattern, as its finditer gives them. Without the leading
    look-behind the regex engine can skip ahead to the characters a match can start with."""
    pos = 0
    while True:
        m = rest.search(text, pos)
        if m is None:
            return
        s = m.start()
        if s and _WORD_CHAR.match(text, s - 1):
            pos = s + 1
            continue
        yield m
        pos = m.end() if m.end() > s else s + 1


def _lowered(text: str) -> str | None:
    """`text` lower-cased, or None when it has a character that folds to an ASCII letter in a
    case-insensitive regex (then the lower-cased text is not a faithful index of the words in it)."""
    if not folds_like_lower(text):  # İ ı ſ or the Kelvin sign: see literals.FOLD_SPECIALS
        return None
    return text.lower()


def _keyword_positions(automaton: ahocorasick.Automaton | None, text: str) -> dict | None:
    """target -> sorted offsets in `text` where one of its keys (lower-case words) begins in any case;
    None when the text cannot be indexed so (see _lowered)."""
    lower = _lowered(text) if automaton is not None else None
    if lower is None:
        return None
    found: dict = {}
    for end, (size, targets) in automaton.iter(lower):
        at = end - size + 1
        for i in targets:
            offsets = found.get(i)
            if offsets is None:
                found[i] = [at]
            else:
                offsets.append(at)
    for i, offsets in found.items():
        if len(offsets) > 1:  # (keys of one target may overlap or end in another order than they begin)
            found[i] = sorted(set(offsets))
    return found


@lru_cache(maxsize=8)
def _text_keywords(text: str) -> dict | None:
    """_keyword_positions of the anaphors' and the patterns' keywords and the known aliases (see
    _Tables.tail_keys), once per text."""
    return _keyword_positions(_tables().tail_keys, text)


def _place_matches(sc: _Scanner, text: str, rtext: str, keyword_at: list[int]) -> Iterator[re.Match]:
    """`sc.pattern.finditer(text)` for a "{P}<tail>" pattern, trying the pattern only where a place can
    start before a tail: from the earliest start the four words before the tail allow (_BACK_WINDOW),
    at capitals (_PLACE_START). Tails are tried in text order, so start positions are tried in text order
    and the first that matches is the one finditer gives."""
    n = len(text)
    pos = tried = 0  # next match starts at pos or later; every start before `tried` has been ruled out
    for at in keyword_at:
        lo = pos if pos > tried else tried
        if at <= lo or not sc.tail.match(text, at):
            continue
        bm = _BACK_WINDOW.match(rtext, n - at)
        if bm is None:
            continue
        w = at - (bm.end() - bm.start())
        if w > lo:
            lo = w
        for sm in _PLACE_START.finditer(text, lo, at):
            m = sc.pattern.match(text, sm.start())
            if m:
                yield m
                pos = m.end()
                tried = sm.start() + 1
                break
        else:
            tried = at


def _literal_matches(sc: _Scanner, text: str) -> Iterator[re.Match]:
    """`sc.pattern.finditer(text)` for a pattern that starts with the plain words `sc.literal`."""
    s = text.find(sc.literal)
    while s >= 0:
        m = sc.pattern.match(text, s)
        if m:
            yield m
            s = text.find(sc.literal, m.end())
        else:
            s = text.find(sc.literal, s + 1)


class _PatternScan:
    """The matches of the lexicon's {P} patterns in one text (keywords looked up once for all of them)."""

    def __init__(self, text: str, t: _Tables):
        self.text = text
        self.keyword_at = _text_keywords(text)
        self.base = t.tail_base
        self._rtext: str | None = None

    def candidates(self, scanners: list[_Scanner]) -> list[int]:
        """Indices of the `scanners` that may match, in order: a "place" scanner needs its keyword."""
        if self.keyword_at is None:
            return list(range(len(scanners)))
        return [i for i, sc in enumerate(scanners) if sc.mode != "place" or self.base + i in self.keyword_at]

    def matches(self, i: int, sc: _Scanner) -> Iterator[re.Match]:
        if sc.mode == "place" and self.keyword_at is not None:
            at = self.keyword_at.get(self.base + i)
            if not at:
                return iter(())
            if self._rtext is None:
                self._rtext = self.text[::-1]
            return _place_matches(sc, self.text, self._rtext, at)
        if sc.mode == "literal":
            return _literal_matches(sc, self.text)
        return sc.pattern.finditer(self.text)


def _known_matches(text: str, t: _Tables) -> list[tuple[int, int, str]]:
    """(start, end, alias) of `t.known`'s matches, as its finditer gives them: the aliases are literals in
    one alternation, longest first, so at a start the longest alias followed by no word character or
    hyphen wins, and a start needs no word character or hyphen before it. Where an alias is written its
    lower-cased form is in the lower-cased text (literals.lowers_in_place), so the aliases are found among the
    text's keywords (one pass with the patterns' and anaphors' keywords), then checked as written."""
    keyword_at = _text_keywords(text) if t.known_in_text_keys else None
    at: dict[int, list[str]] = {}
    if keyword_at is not None:
        for alias, offsets in keyword_at.items():
            if type(alias) is str:
                for s in offsets:
                    if text.startswith(alias, s):
                        at.setdefault(s, []).append(alias)
    elif t.known_keys is not None:
        for end, alias in t.known_keys.iter(text):
            at.setdefault(end - len(alias) + 1, []).append(alias)
    else:
        return [(m.start(), m.end(), m.group()) for m in t.known.finditer(text)]
    return _leftmost_longest(text, at)


def _leftmost_longest(text: str, at: dict[int, list[str]]) -> list[tuple[int, int, str]]:
    """(start, end, literal) of the matches of (?<![\\w-])(<the literals, longest first>)(?![\\w-]) in `text`,
    given where each literal occurs (`at`: start -> literals)."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    for s in sorted(at):
        if s < pos or (s and _WORD_CHAR.match(text, s - 1)):
            continue
        best = ""
        for alias in at[s]:
            if len(alias) > len(best) and not _WORD_CHAR.match(text, s + len(alias)):
                best = alias
        if best:
            out.append((s, s + len(best), best))
            pos = s + len(best)
    return out


def _token_in(text: str, token: str) -> bool:
    """Whether `token` occurs in `text` not touching a word character or hyphen on either side."""
    s = text.find(token)
    while s >= 0:
        e = s + len(token)
        if not (s and _WORD_CHAR.match(text, s - 1)) and not _WORD_CHAR.match(text, e):
            return True
        s = text.find(token, s + 1)
    return False


@lru_cache(maxsize=256)
def _scan(text: str) -> tuple[AgencyMention, ...]:
    """Every named agency in `text` (prosecutors included), canonical names settled over the whole text."""
    t = _tables()
    scan = _PatternScan(text, t)
    raw: list[AgencyMention] = []
    for i in scan.candidates(t.scanners):
        for m in scan.matches(i, t.scanners[i]):
            place = _place_of(m.group("place"))
            if not place:
                continue
            pstart = m.start("place") + _locate(m.group("place"), place)
            start = pstart if m.start("place") == m.start("full") else m.start("full")
            end = m.end("full")
            # "Department of Health and Homeland Security Investigations": two bodies, not one.
            for am in _AND.finditer(text, m.end("place"), end):
                tail = am.end()
                if t.known.match(text, tail) or any(p.match(text, tail) for p in t.patterns):
                    end = am.start()
                    break
            # Title-case the words the pattern added ("sheriff's office" -> "Sheriff's Office").
            if m.start("place") == m.start("full"):
                name = place + " " + _title(text[m.end("place"):end], t.lowercase_words)
            else:
                name = _title(text[start:m.start("place")], t.lowercase_words) + " " + place + text[m.end("place"):end]
            name = _pattern_name(name)
            if name is None:
                continue
            raw.append(AgencyMention(start, end, name, "agency:pattern"))
    for s, e, alias in _known_matches(text, t):
        if _alias_allowed(alias, text, t, s):
            raw.append(AgencyMention(s, e, t.alias_to_name[alias], "agency:known"))
    folded = _lookbehind_finditer(t.fold_rest, text) if t.fold_rest is not None else t.fold_re.finditer(text)
    for m in folded:
        raw.append(AgencyMention(m.start(), m.end(), t.folding[m.group()], "agency:folded-unit"))
    kept = _resolve_overlaps(raw)
    names = {k.name for k in kept}

    # "<Place> police": a force the text names, a known or territorial force, or the usual name by country.
    lower: list[AgencyMention] = []
    for m in scan.matches(len(t.scanners), t.lower_scanner):
        place = _place_of(m.group("place"))
        if not place:
            continue
        start = m.start("place") + _locate(m.group("place"), place)
        if any(k.start <= start < k.end or start <= k.start < m.end() for k in kept):
            continue
        named = [n for n in names if _fold(n).startswith(_fold(place) + " ") and kind_of(n) == LAW_ENFORCEMENT]
        name = named[0] if len(named) == 1 else _police_by_place(place, text, t)
        if name:
            lower.append(AgencyMention(start, m.end("full"), name, "agency:place-police"))
    kept = _resolve_overlaps(kept + lower)

    # Abbreviations the text introduces: "Lake County Sheriff's Office (LCSO)",
    # "the City of Toronto's Municipal Licensing and Standards (MLS)" (a unit: its parent).
    abbreviations: dict[str, str] = {}
    for pm in _ABBREVIATION.finditer(text):
        abbr = pm.group(1)
        if abbr in t.alias_to_name or abbr in abbreviations:
            continue
        before = [k for k in kept if k.end <= pm.start() and pm.start() - k.end <= 80]
        if not before:
            continue
        k = before[-1]
        gap = text[k.end:pm.start()]
        if not _ABBREVIATION_GAP.fullmatch(gap):
            continue
        letters = _initials(k.name + " " + gap)
        if not (_subsequence(abbr.upper(), letters) or (not gap.strip() and abbr[0].upper() in letters)):
            continue
        abbreviations[abbr] = k.name
    # Initials of a body the text names, used without being introduced ("GMP", "HPD").
    initials: dict[str, set[str]] = {}
    for n in names | set(abbreviations.values()):
        ini = _initials(n)
        if 2 <= len(ini) <= 6:
            initials.setdefault(ini, set()).add(n)
    # (a whole token of three to six capitals A-Z, as (?<![\w-])[A-Z]{3,6}(?![\w-]) finds them)
    for tok, bodies in initials.items():
        if len(bodies) != 1 or tok in abbreviations or tok in t.alias_to_name:
            continue
        if _CAPS_TOKEN.fullmatch(tok) and _token_in(text, tok):
            abbreviations[tok] = next(iter(bodies))
    if abbreviations:
        # (the matches of (?<![\w-])(<abbreviations, longest first>)(?![\w-]), found with str.find)
        at: dict[int, list[str]] = {}
        for abbr in abbreviations:
            s = text.find(abbr)
            while s >= 0:
                at.setdefault(s, []).append(abbr)
                s = text.find(abbr, s + 1)
        for s, e, abbr in _leftmost_longest(text, at):
            kept.append(AgencyMention(s, e, abbreviations[abbr], "agency:abbreviation"))
        kept = _resolve_overlaps(kept)

    # One name per body: a short form that begins or ends a longer name the text gives
    # ("Houston Police" / "Houston Police Department", "Border Force" / "Australian Border Force").
    # (The document's country is looked up only when a name needs it: the gazetteer's resolve is slow.)
    names = {k.name for k in kept}
    mapping: dict[str, str] = {}
    for n in names:
        fn = _fold(n)
        longer = [o for o in names if o != n and (_fold(o).startswith(fn + " ") or _fold(o).endswith(" " + fn))
                  and kind_of(o) == kind_of(n)]
        if len(longer) == 1:
            mapping[n] = longer[0]
        elif n in t.country_aliases and _document_place(text)[0] in t.country_aliases[n]:
            mapping[n] = t.country_aliases[n][_document_place(text)[0]]
        elif n.endswith(" Police") and "US" in t.place_police and _place_candidates(n[:-len(" Police")], "US", None) \
                and _document_place(text)[0] == "US":
            # (a US place of that name first, cheaply: without one the document's country does not matter)
            place = n[: -len(" Police")]
            hits = _place_candidates(place, *_document_place(text))
            if hits and hits[0].kind == "city":
                mapping[n] = t.place_police["US"].format(place=place)
    out = []
    for k in kept:
        name = mapping.get(k.name, k.name)
        if _fold(name) in t.not_agencies:
            continue
        out.append(AgencyMention(k.start, k.end, name, k.rule, kind_of(name)))
    return tuple(out)


def find_agencies(text: str, *, include_prosecutors: bool = False) -> list[AgencyMention]:
    """Every agency mention in `text`, canonicalised, in text order (overlaps resolved longest-first).

    Prosecutors' offices are left out unless `include_prosecutors` (they rarely take part in an operation;
    `operation_agencies` decides when they do)."""
    return [m for m in _scan(text) if include_prosecutors or m.kind != PROSECUTION]


# --------------------------------------------------------------------------
# participation


def _quote_spans(text: str, t: _Tables) -> list[tuple[int, int]]:
    """Spans inside quotation marks, per paragraph; a quotation still open at the end of a
    paragraph (continued UK-style into the next one) runs to the paragraph's end."""
    spans: list[tuple[int, int]] = []
    if t.opener_re is None:
        return spans
    i = 0
    while True:
        om = t.opener_re.search(text, i)
        if om is None:
            break
        i = om.start()
        paragraph_end = text.find("\n", i)
        if paragraph_end < 0:
            paragraph_end = len(text)
        j = text.find(t.opener_close[text[i]], i + 1, paragraph_end)
        end = j if j >= 0 else paragraph_end
        spans.append((i, end + 1))
        i = end + 1
    return spans


def _blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with every character inside one of `spans` replaced by a space (same length)."""
    out, cur = [], 0
    for a, b in sorted(spans):
        a, b = max(a, cur), min(b, len(text))
        if a >= b:
            continue
        out.append(text[cur:a])
        out.append(" " * (b - a))
        cur = b
    out.append(text[cur:])
    return "".join(out)


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _matches_at(rx: re.Pattern, text: str, starts: list[int]) -> Iterator[re.Match]:
    """`rx.finditer(text)` when every match of `rx` starts at one of `starts` (sorted)."""
    pos = 0
    for s in starts:
        if s < pos:
            continue
        m = rx.match(text, s)
        if m:
            yield m
            pos = m.end() if m.end() > s else s + 1


@lru_cache(maxsize=4096)
def _anaphors_fitting(name: str) -> tuple[int, ...]:
    """Indices of the anaphors that can refer to the body `name` (memoised: names recur across documents)."""
    return tuple(j for j, (_, target) in enumerate(_tables().anaphors) if target.search(name))


def _anaphors(text: str, mentions: tuple[AgencyMention, ...], t: _Tables) -> list[AgencyMention]:
    """References to a named body ("the sheriff's office", "the council", "police") when exactly one fits."""
    fits_of: dict[int, list[str]] = {}
    for name in {m.name for m in mentions}:
        for j in _anaphors_fitting(name):
            fits_of.setdefault(j, []).append(name)
    out = []
    keyword_at: dict[int, list[int]] | None | bool = False  # looked up when first needed
    ends: list[int] | None | bool = False  # likewise
    for j in sorted(fits_of):
        fits = fits_of[j]
        if len(fits) != 1:
            continue
        rx = t.anaphors[j][0]
        if keyword_at is False:
            keyword_at = _text_keywords(text)
        if keyword_at is not None and t.anaphor_scannable[j]:
            found = _matches_at(rx, text, keyword_at.get(j, []))
        else:
            found = rx.finditer(text)
        for m in found:
            if ends is False:
                ends = _ends_if_apart(mentions)
            if _overlaps_any(m.start(), m.end(), mentions, ends):
                continue
            out.append(AgencyMention(m.start(), m.end(), fits[0], "agency:anaphor", kind_of(fits[0])))
    return _resolve_overlaps(out)


def _ends_if_apart(mentions: tuple[AgencyMention, ...]) -> list[int] | None:
    """The ends of `mentions` when they are in text order and apart (as _scan's are), else None."""
    if any(a.end > b.start for a, b in zip(mentions, mentions[1:])):
        return None
    return [k.end for k in mentions]


def _overlaps_any(start: int, end: int, mentions: tuple[AgencyMention, ...], ends: list[int] | None) -> bool:
    """Whether start..end overlaps one of `mentions`. With their `ends` (_ends_if_apart), only the first
    ending after `start` can: found by bisection; else every one is tried."""
    if ends is None:
        return any(k.start < end and start < k.end for k in mentions)
    i = bisect_right(ends, start)
    return i < len(mentions) and mentions[i].start < end


_PLACEHOLDER = "\u2039A\u203a"  # ‹A›
_TOKEN = re.compile(r"\u2039A\u203a|[\w’'.&-]+|[^\w\s]")
_GAP_WORDS = {"and", "or", "&", "plus", "the", "its", "their", "his", "her", "also", "jointly", "together", "have",
              "has", "had", "were", "was", "been", "is", "are", "will", "would", "then", "later", "first", "both",
              "all", "who", "which", "subsequently", "reportedly", "allegedly", "recently", "yesterday", "today",
              "tonight", "this", "last", "week", "morning", "afternoon", "evening", "night", "on", "early", "late",
              "had", "successfully", "jointly", "initially", "additionally", "further", "then", "since", "'ve",
              "spokesman", "spokeswoman", "spokesperson", "spokespeople", "chief", "director", "commander",
              "statement", "in", "a", "an", "'s", "’s", "as", "well", "lead", "local", "state", "federal", "of"}
_LEFT_PREPOSITION = _EndRegex(re.compile(
    r"(?i)\b(?:of|for|to|at|in|on|from|into|against|about|than|as|like|over|under|between|"
    r"near|outside|inside|toward|towards|within|without|unlike|with|by)\s+(?:the\s+)?$"))
_SPEAKER_LEFT = _EndRegex(re.compile(
    r"(?i)(?:\b(?:spokes\w+|official|officer|chief|director|commander|head|sergeant|sgt\.?|"
    r"inspector|insp\.?|detective|lieutenant|lt\.?|captain|capt\.?|superintendent|sheriff|"
    r"member|leader|manager|representative|agent in charge)\s+(?:of|for|with|at)\s+(?:the\s+)?|"
    r",\s*(?:of|from)\s+(?:the\s+)?|according to\s+(?:the\s+)?)$"))
_SPEAKER_RIGHT = re.compile(r"(?i)^(?:['’]s\s+(?:[\w-]+\s+){0,5}?(?:member|leader|spokes\w+|convener|convenor|director|"
                            r"head|chair\w*|manager|councillor|councilor|cabinet|lead|representative|commissioner)\b|"
                            r"(?:['’]s)?\s+(?:[\w-]+\s+)?(?:spokes\w+|press officer|press office|statement)\b)")
_FORMER_LEFT = _EndRegex(re.compile(r"(?i)\b(?:former|retired|ex-?)\s*$"))
_BARE_WITH = _EndRegex(re.compile(r"(?i)\bwith\s+(?:the\s+)?$"))
_HANDED_TO = _EndRegex(re.compile(r"(?i)\b(?:handed|turned|transferred|passed|referred|released)(?: over)?"
                                  r"\s+(?:in)?to\s+(?:the\s+)?$"))
_TAKEN_INTO = _EndRegex(re.compile(r"(?i)\b(?:taken|took|placed|held|put|transferred)\s+(?:in|into)\s+(?:the\s+)?$"))
_BY_END = _EndRegex(re.compile(r"(?i)\bby\s+(?:the\s+)?$"))
_APPOSITION = re.compile(r"^\s*,\s*(?:the|a|an)\s[^,]{1,80},")
_PARENTHESES = re.compile(r"\([^)]*\)")
_POSSESSIVE_NAME = re.compile(r"[A-Z]\w*['’]s")
_CONTACT_NUMBER = re.compile(r"(?i)^\W*(?:on|at)\s+[\d(+]")
_CONTACT_LINE = re.compile(r"(?i)^(?:['’]s)?\s+(?:[\w-]+\s+){0,3}?(?:hotline|helpline|tip ?line|website)\b")
_NO_COMMENT_RIGHT = re.compile(r"(?i)^\s*(?:has |have |had )?(?:did not|didn't|declined|could not|would not|has not|"
                               r"was not)\b")
_CLAUSE_BREAK = re.compile(r"[;:]|\bwho\b|\bwhich\b")
_NOT_PARTNER_WITH = re.compile(r"(?i)\b(?:charged|cited|booked|familiar|contact|touch|along)\s*$")
_SPOKESPERSON_RIGHT = re.compile(r"(?i)^(?:['’]s)?\s+(?:spokes\w+|statement)")
_LIST_GAP = re.compile(r"(?:\s|,|&|['’]s\b|\b(?:and|or|as well as|plus|the|of|its|their|a|an|local|state|"
                       r"federal)\b|[A-Z][\w’'.-]*|(?i:officers?|agents?|detectives?|deputies|investigators?|"
                       r"inspectors?|troopers?|staff|officials?|personnel|units?|teams?|squads?|members))*")


def _walk_to_verb(right: str, t: _Tables) -> tuple[str, str] | None:
    """From just after a body, skip its staff, list partners, units, appositions and adverbs;
    return ("action"|"speech", verb) for the first verb reached, else None."""
    right = _APPOSITION.sub(" ,", right)  # apposition: ", the investigative arm of ‹A›,"
    right = _PARENTHESES.sub(" ", right)
    pos, steps = 0, 0
    while steps < 16:
        m = _TOKEN.search(right, pos)
        if not m:
            return None
        i = m.start()
        if t.no_comment.match(right, i):
            return "no-comment", t.no_comment.match(right, i).group()
        sm = t.speech.match(right, i)
        if sm:
            return "speech", sm.group()
        am = t.action.match(right, i)
        if am:
            return "action", am.group()
        tok = m.group()
        pm = t.personnel.match(right, i)
        if pm:
            pos = pm.end()
        elif (tok == _PLACEHOLDER or tok in ",()-–—" or tok.lower() in _GAP_WORDS or tok[0].isupper()
              or _POSSESSIVE_NAME.fullmatch(tok)):
            pos = m.end()
        else:
            return None
        steps += 1
    return None


@dataclass
class _Evidence:
    level: int      # 3 participant, 2 law-enforcement self-report/speaker, 1 named in an action sentence, 0 none
    reason: str
    strong: bool = False  # directed or carried out (what a prosecutor needs)


_STRONGEST = (3, True)  # (level, strong) of the best evidence there is


class _SentenceCues:
    """Whether a cue regex (_Tables.cues) matches a string of one sentence's length (the sentence with
    quotations, and maybe mentions, blanked). A match can only start where the cue's first word is in
    `masked_quotes`, the sentence with quotations blanked (`offsets`, looked up when first needed), which
    blanking more of the sentence (`spans`, the mentions: see blank) cannot add; answers are memoised
    per string. Case-insensitive regexes search the lower-cased string when literals.CuePattern finds
    that equivalent."""

    def __init__(self, t: _Tables, masked_quotes: str, spans: list[tuple[int, int]]):
        self.t = t
        self.masked_quotes, self.spans = masked_quotes, spans
        self.offsets: dict[int, list[int]] | None | bool = False
        self.memo: dict[tuple[int, str], bool] = {}
        self.blanks: dict[tuple[int, int] | None, str] = {}

    def blank(self, a: int, b: int) -> str:
        """The sentence with quotations, `spans` and the mention a..b blanked (for looking up cue words);
        the same string for every mention among `spans`, so built once for them."""
        key = None if (a, b) in self.spans else (a, b)
        s = self.blanks.get(key)
        if s is None:
            s = self.blanks[key] = _blank_spans(self.masked_quotes, self.spans + [(a, b)])
        return s

    def has_action(self, a: int, b: int) -> bool:
        """Whether the sentence has an action verb or noun outside quotations and mentions."""
        blank = self.blank(a, b)
        return self.search(_ACTION, blank) or self.search(_ACTION_NOUN, blank)

    def search(self, which: int, s: str) -> bool:
        key = (which, s)
        hit = self.memo.get(key)
        if hit is None:
            rx, haystack = self.t.cue_patterns[which].pick(s, strict=True)
            if self.offsets is False:
                self.offsets = _keyword_positions(self.t.cue_keys, self.masked_quotes)
            if self.offsets is None or not self.t.cue_scannable[which] or \
                    (which in _WHOLE_KEY_CUES and s != self.masked_quotes):
                hit = rx.search(haystack) is not None
            else:
                hit = any(rx.match(haystack, at) for at in self.offsets.get(which, ()))
            self.memo[key] = hit
        return hit


class _Deferred:
    """A mention's evidence, judged only if the next mention in its sentence asks for it (see
    operation_agencies): `judge(k, prev)` gives it."""
    __slots__ = ("judge", "k", "prev", "value")

    def __init__(self, judge, k: int, prev):
        self.judge, self.k, self.prev, self.value = judge, k, prev, None

    def get(self) -> _Evidence:
        if self.value is None:
            self.value = self.judge(self.k, self.prev)
        return self.value


_LIST_REASONS = ("partner", "personnel", "subject", "passive")


def _list_partner(prev: _Evidence | _Deferred | None, gap: str | None) -> _Evidence | None:
    """The previous mention's evidence when it took part and `gap` (the text since it) is a list's, so the
    mention after it shares that evidence; else None. (A deferred judgement is made only after the gap
    is found to be a list's: judging costs more than reading the gap.)"""
    if prev is None or gap is None:
        return None
    if isinstance(prev, _Deferred):
        if not _is_list_gap(gap):
            return None
        prev = prev.get()
        return prev if prev.level == 3 and prev.reason in _LIST_REASONS else None
    return prev if prev.level == 3 and prev.reason in _LIST_REASONS and _is_list_gap(gap) else None


def _judge(a: int, b: int, kind: str, sent_text: str, spans: list[tuple[int, int]], masked_quotes: str,
           t: _Tables, prev: _Evidence | _Deferred | None, prev_gap: str | None,
           cues: _SentenceCues | None = None) -> _Evidence:
    """Participation evidence of the mention sent_text[a:b]; `spans` are the mentions to mask around it;
    `prev` is the previous mention's in the sentence, `prev_gap` the text between them."""
    if cues is None:
        cues = _SentenceCues(t, masked_quotes, spans)
    left, right = sent_text[:a], sent_text[b:]
    others = [sp for sp in spans if sp != (a, b)]
    # masked: other mentions a placeholder
    if others:
        left_m = _mask(sent_text, others, masked_quotes, 0, a)
        right_m = _mask(sent_text, others, masked_quotes, b, len(sent_text))
    else:
        left_m, right_m = left, right
    if cues.search(_GENERIC, masked_quotes):
        return _Evidence(0, "generic")
    if _FORMER_LEFT.search(left):
        return _Evidence(0, "former")
    if t.contact_end.search(left) or _CONTACT_NUMBER.match(right) or _CONTACT_LINE.match(right):
        return _Evidence(0, "contact")
    if t.no_comment.match(right.strip()) or _NO_COMMENT_RIGHT.match(right):
        return _Evidence(0, "no-comment")
    # list partner: the previous body in the sentence took part and this one is in the same list
    partner = _list_partner(prev, prev_gap)
    if partner is not None:
        return _Evidence(3, partner.reason, partner.strong)
    if t.partner_end.search(left_m):
        return _Evidence(3, "partner", True)
    if t.personnel_end.search(left_m) and cues.has_action(a, b):
        return _Evidence(3, "personnel", True)
    with_ = _BARE_WITH.search(left_m)
    if with_:
        clause = _CLAUSE_BREAK.split(left_m[:with_.start()])[-1][-80:]
        verbs = [m.group() for m in t.action.finditer(clause)] + [m.group() for m in t.action_noun.finditer(clause)]
        if verbs and not _NOT_PARTNER_WITH.search(left_m[:with_.start()]):
            return _Evidence(3, "partner", not all(t.prosecution_verb.fullmatch(v) for v in verbs))
    if _HANDED_TO.search(left_m) or (_TAKEN_INTO.search(left_m) and t.attributive.match(right)):
        return _Evidence(3, "handover", True)
    by = _BY_END.search(left_m)
    if by:
        before = left_m[max(0, by.start() - 70):by.start()]
        verbs = [m.group() for m in t.action.finditer(before)] + [m.group() for m in t.action_noun.finditer(before)]
        if verbs:
            strong = not all(t.prosecution_verb.fullmatch(v) for v in verbs)
            return _Evidence(3, "passive", strong)
    if t.attributive.match(right) and not _SPOKESPERSON_RIGHT.match(right):
        return _Evidence(0, "attributive")
    if t.operation_right.match(right) and not _SPEAKER_RIGHT.match(right):
        return _Evidence(3, "operation", True)
    speaker = bool(_SPEAKER_LEFT.search(left_m) or _SPEAKER_RIGHT.match(right))
    walked = None if (speaker or _LEFT_PREPOSITION.search(left_m)) else _walk_to_verb(right_m, t)
    if walked and walked[0] == "no-comment":
        return _Evidence(0, "no-comment")
    if walked and walked[0] == "action":
        strong = not t.prosecution_verb.fullmatch(walked[1])
        return _Evidence(3, "subject", strong)
    if kind == GOVERNMENT and not speaker and cues.search(_CIVIL, cues.blank(a, b)):
        return _Evidence(3, "civil")
    if ((walked and walked[0] == "speech") or speaker) and t.no_comment.search(right_m):
        return _Evidence(0, "no-comment")
    if (walked and walked[0] == "speech") or speaker:
        return _Evidence(2 if cues.has_action(a, b) else 0, "speaker" if speaker else "self-report")
    if cues.has_action(a, b):
        return _Evidence(1, "action-sentence")
    return _Evidence(0, "none")


def _mask(sent_text: str, spans: list[tuple[int, int]], masked_quotes: str, lo: int, hi: int) -> str:
    """sent_text[lo:hi] with other mentions replaced by a placeholder (quotations kept)."""
    out, cur = [], lo
    for a, b in spans:
        if b <= lo or a >= hi:
            continue
        out.append(sent_text[cur:max(a, lo)])
        out.append(_PLACEHOLDER)
        cur = min(b, hi)
    out.append(sent_text[cur:hi])
    return "".join(out)


def _is_list_gap(gap: str) -> bool:
    gap = _PARENTHESES.sub(" ", gap)
    return bool(_LIST_GAP.fullmatch(gap))


@lru_cache(maxsize=8)
def _operation_context(text: str) -> tuple[list[AgencyMention], list[int], list[tuple[int, int]], str]:
    """What operation_agencies needs of the whole text, once per text (it is called once per operation
    report): every mention with the anaphors in text order, their starts, the quotation spans and the
    text with quotations blanked."""
    t = _tables()
    mentions = _scan(text)
    everything = sorted(list(mentions) + _anaphors(text, mentions, t), key=lambda m: m.start)
    quotes = _quote_spans(text, t)
    blanked = _blank_spans(text, quotes)
    return everything, [m.start for m in everything], quotes, blanked


def operation_agencies(text: str, sentences: list) -> list[AgencyMention]:
    """The bodies that took part in the operation described by `sentences` (spans of `text`).

    One mention per body (the first with the strongest evidence), in text order; the rule says why
    ("agency:participant:partner", "agency:participant:subject", ...)."""
    if not sentences:
        return []
    t = _tables()
    everything, starts, quotes, blanked = _operation_context(text)
    best: dict[str, tuple[_Evidence, AgencyMention]] = {}
    for sent in sentences:
        inside = []
        for i in range(bisect_left(starts, sent.start), len(everything)):
            m = everything[i]
            if m.start > sent.end:
                break
            if m.end <= sent.end:
                inside.append(m)
        if not inside:
            continue
        stext = text[sent.start:sent.end]
        spans = [(m.start - sent.start, m.end - sent.start) for m in inside]
        # bare personnel words that refer to a body ("deputies", "police") stay words when masking
        maskable = [sp for sp, m in zip(spans, inside)
                    if not (m.rule == "agency:anaphor" and not text[m.start:m.end].lower().startswith("the "))]
        if sent.start >= 0:
            masked_quotes = blanked[sent.start:sent.end]
        else:  # pragma: no cover - sentences are spans of the text
            masked_quotes = "".join(" " if _inside(sent.start + i, quotes) else c for i, c in enumerate(stext))
        cues = _SentenceCues(t, masked_quotes, maskable)

        def evidence(k: int, prev: _Evidence | _Deferred | None) -> _Evidence:
            m = inside[k]
            if _inside(m.start, quotes):
                return _Evidence(0, "quoted")
            gap = stext[spans[k - 1][1]:spans[k][0]] if k else None
            return _judge(spans[k][0], spans[k][1], m.kind or kind_of(m.name), stext, maskable, masked_quotes,
                          t, prev, gap, cues)

        prev: _Evidence | _Deferred | None = None
        for k, m in enumerate(inside):
            old = best.get(m.name)
            if old is not None and (old[0].level, old[0].strong) == _STRONGEST:
                # its evidence cannot beat the old; it matters only as the next mention's list partner
                if k == len(inside) - 1:
                    break
                prev = _Deferred(evidence, k, prev)
                continue
            ev = evidence(k, prev)
            prev = ev
            if old is None or (ev.level, ev.strong) > (old[0].level, old[0].strong):
                best[m.name] = (ev, m)
    out = []
    for name, (ev, m) in best.items():
        kind = m.kind or kind_of(name)
        if kind == PROSECUTION:
            ok = ev.level == 3 and ev.strong
        elif kind == GOVERNMENT:
            ok = ev.level == 3
        else:
            ok = ev.level >= 1
        if ok:
            out.append(AgencyMention(m.start, m.end, name, f"agency:participant:{ev.reason}", kind))
    return sorted(out, key=lambda m: m.start)
