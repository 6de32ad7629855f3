"""Counts of people and premises: a small grammar over number, noun and predicate.

For every number in a sentence we look at the noun it counts ("37 women"),
the predicate of its clause ("were charged", "rescued", "closed") and any
charge wording ("with solicitation of prostitution"), and map that triple
to one of the nine count fields. Parts of a breakdown ("Of the 58 arrested,
37 ...") are recognised so a part never replaces the total.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from ..model import Evidence
from .dates import find_dates
from .literals import CuePattern, PatternIndex, folds_like_lower, lowers_in_place
from .numbers import NumberMention, find_numbers
from .registry import charge_vocabulary, lexicon
from .text import Sentence


@dataclass(frozen=True)
class CountFinding:
    field: str
    value: int
    evidence: Evidence
    is_part: bool  # inside a breakdown ("Of the 58 arrested, 37 were ...")
    in_headline: bool = False  # headlines round figures and drop qualifiers: the body wins
    group: bool = False  # a separate group of arrestees; groups add up to a total when none is stated
    superseded: bool = False  # the text corrects this figure ("56 people were booked, not 58")
    revised: bool = False  # stated as an update ("in updated figures, 43 people were arrested")


def _alternation(items: list[str]) -> str:
    return "|".join(sorted(items, key=len, reverse=True))


@lru_cache(maxsize=1)
def _grammar():
    lex = lexicon("counts")
    nouns = [(cls, CuePattern(_alternation(words), r"^(?:[\w'-]+\s+){0,3}?(?:", r")\b"))
             for cls, words in lex["nouns"].items()]
    predicates = {cls: CuePattern(_alternation(words), r"\b(?:", r")\b") for cls, words in lex["predicates"].items()}
    vocabulary = charge_vocabulary()
    charges = [(CuePattern(c["pattern"], r"\b(?:", r")\b"), c["category"], c["jurisdiction"]) for c in vocabulary]
    charges_index = PatternIndex([c["pattern"] for c in vocabulary])
    zeros = {f: CuePattern(_alternation(p), r"\b(?:", r")\b") for f, p in lex["zero_patterns"].items()}
    opener = (re.compile(rf"(?i)\b(?:{_alternation(lex['breakdown_wholes'])})\s*$"),
              re.compile(rf"(?i)\b(?:{_alternation(lex['part_markers'])})\s*$"))
    # Matched against lower-cased text (the words are lower case): much faster than (?i).
    before = re.compile(rf"(?:{_alternation([w.lower() for w in lex['not_counts']['before']])})\s*$")
    after = CuePattern(_alternation(lex['not_counts']['after']), r"^\s*(?:", ")")
    return nouns, predicates, (charges, charges_index), zeros, opener, before, after


_LED_TO = re.compile(r"(?:led to|resulted in)\s*$")
# Matched against lower-cased text.
_CHARGE_LINK = re.compile(
    r"\b(?:for|with|of|over|in connection with|accused of|suspicion of|charges? of|counts? of|offences? of)"
    r"(?:\s+(?:allegedly|attempting to|trying to|agreeing to|offering|committing|engaging in|the offen[cs]es? of|"
    r"a|an|one|two|several|multiple|felony|misdemeanou?r|[\w-]+-degree|[\w-]+-related|criminal|related)){0,3}\s*$")


# "arrested on prostitution charges", "prostitution-related offences": the charge names its own noun.
_CHARGE_NOUN_AFTER = re.compile(r"(?i)(?:-related)?\s*(?:charges?|offen[cs]es|counts?|violations?)\b")


def charge_categories(text: str, linked: bool = False) -> list[tuple[int, int, str, str]]:
    """Charge mentions in `text` as (start, end, category, jurisdiction), leftmost-longest, no overlaps.

    With `linked`, only charges introduced by a linking word ("charged with", "arrested for",
    "accused of") count, so "a sting aimed at men trying to buy sex" assigns no charge.
    """
    _, _, (_, index), *_ = _grammar()
    return _charge_mentions(text, text.lower(), index.candidates(text), linked)


def _charge_mentions(text: str, lowered: str, candidates, linked: bool) -> list[tuple[int, int, str, str]]:
    """charge_categories, given text.lower() and the charge patterns whose required words occur."""
    charges = _grammar()[2][0]
    found = []
    for i in candidates:
        pattern, category, jurisdiction = charges[i]
        compiled, haystack = pattern.pick(text, lowered)
        for m in compiled.finditer(haystack):
            if linked and not (_CHARGE_LINK.search(text[max(0, m.start() - 60):m.start()].lower())
                               or _CHARGE_NOUN_AFTER.match(text, m.end())):
                continue
            found.append((m.start(), m.end(), category, jurisdiction))
    found.sort(key=_leftmost_longest)
    kept: list[tuple[int, int, str, str]] = []
    for item in found:
        if kept and item[0] < kept[-1][1]:
            continue
        kept.append(item)
    return kept


def _leftmost_longest(hit: tuple[int, int, str, str]) -> tuple[int, int]:
    return hit[0], hit[0] - hit[1]


_PERSON_WORDS = ("man", "person", "juvenile", "teenager", "girl", "boy")
# Case-insensitive patterns searched in lower-cased text where that finds the same (CuePattern.pick, strict).
_ARREST_NOUN = CuePattern("arrests?", r"\b(?:", r")\b")
_DATE_GATE = CuePattern(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|\d\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\b(?:19|20)\d\d\b",
    "", "")
# Every _DATE_GATE match holds one of these: a quick test that skips its slower scan in most sentences.
_DATE_GATE_LITERALS = re.compile(r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|19|20")
_APPOSITION = re.compile(
    r"\s[—–]\s[^—–]{1,160}?\s[—–]\s|\s\([^()]{1,160}\)"
    r"|,\s(?:a|an)\s[^,;]{0,40}?\d+-year-old[^,;]{0,40},|,\s(?:aged\s)?\d{1,2}(?:\s(?:and|to)\s\d{1,2})?,")
_CONTRAST = CuePattern(r"\b(?:but|while|whereas|although|though|however)\b|;", "", "")
_NEAR_AFTER = 70
_NEAR_BEFORE = 40


def _within(hits: list[tuple[int, int, str, str]], start: int, end: int) -> list[tuple[int, int, str, str]]:
    return [h for h in hits if start <= h[0] and h[1] <= end]


@lru_cache(maxsize=1)
def _sentence_index() -> tuple[PatternIndex, list[int]]:
    """One required-word index (see literals.py) over the noun classes, predicate classes, zero
    patterns, charges and the correction pattern, so each sentence is scanned once for all of
    them; with the index where each of those groups starts."""
    lex = lexicon("counts")
    groups = [[_alternation(words) for words in lex["nouns"].values()],
              [_alternation(words) for words in lex["predicates"].values()],
              [_alternation(p) for p in lex["zero_patterns"].values()],
              [c["pattern"] for c in charge_vocabulary()],
              [_CORRECTION.pattern]]
    starts = [0]
    for group in groups:
        starts.append(starts[-1] + len(group))
    return PatternIndex([p for group in groups for p in group]), starts


@dataclass(frozen=True)
class _Scan:
    """A sentence's lower-cased text and the lexicon patterns that may match it, worked out once."""
    text: str
    lowered: str
    per_char: bool  # lowered[a:b] == text[a:b].lower() for every slice
    noun_classes: frozenset[str]
    predicate_classes: tuple[str, ...]
    zero_fields: tuple[str, ...]
    charges: tuple[int, ...]  # indexes into the charge vocabulary
    may_correct: bool  # _CORRECTION may match

    def lower(self, start: int, end: int | None = None) -> str | None:
        """text[start:end].lower() cut from `lowered`, or None (compute it) when that could differ."""
        return self.lowered[start:end] if self.per_char else None


@lru_cache(maxsize=4096)
def _scan(sentence: str) -> _Scan:
    """Cached: the counts of a sentence, its corrections and its restatements all start here."""
    index, starts = _sentence_index()
    found = index.candidates(sentence)  # sorted
    groups = [[i - lo for i in found[bisect_left(found, lo):bisect_left(found, hi)]] for lo, hi in zip(starts, starts[1:])]
    nouns, predicates, _, zeros, *_ = _grammar()
    lowered = sentence.lower()
    per_char = lowers_in_place(sentence, lowered)
    # A lower-cased required word proves nothing about a (?i) match when case folding and lower() differ.
    may_correct = bool(groups[4]) or not folds_like_lower(sentence)
    predicate_names, zero_names = list(predicates), list(zeros)
    return _Scan(sentence, lowered, per_char, frozenset(nouns[i][0] for i in groups[0]),
                 tuple(predicate_names[i] for i in groups[1]), tuple(zero_names[i] for i in groups[2]),
                 tuple(groups[3]), may_correct)


def _searches(pattern: CuePattern, text: str, lowered: str | None, strict: bool = False) -> bool:
    """Whether pattern.search(text) finds something, given text.lower() (or None)."""
    compiled, haystack = pattern.pick(text, lowered, strict)
    return compiled.search(haystack) is not None


def _matches(pattern: CuePattern, text: str, lowered: str | None, strict: bool = False) -> bool:
    """Whether pattern.match(text) matches, given text.lower() (or None)."""
    compiled, haystack = pattern.pick(text, lowered, strict)
    return compiled.match(haystack) is not None


def _noun_class(following: str, lowered: str | None, allowed: frozenset[str]) -> str | None:
    """The class of the noun a number counts; `lowered`: following.lower() (or None);
    `allowed`: classes whose words occur in the sentence."""
    nouns = _grammar()[0]
    best = None
    for cls, pattern in nouns:
        if cls not in allowed:
            continue
        compiled, haystack = pattern.pick(following, lowered)
        m = compiled.match(haystack)
        if m and (best is None or m.end() < best[1]):
            best = (cls, m.end())
    return best[0] if best else None


def _clause_bounds(sentence: str, start: int, end: int, numbers: list[NumberMention], offset: int) -> tuple[int, int]:
    """The clause of a number: from the previous number (or clause mark) to the next one."""
    left = 0
    right = len(sentence)
    for n in numbers:
        ns, ne = n.start - offset, n.end - offset
        if ne <= start:
            left = max(left, ne)
        elif ns >= end:
            right = min(right, ns)
    semicolon = sentence.rfind(";", left, start)
    if semicolon >= 0:
        left = semicolon + 1
    next_semi = sentence.find(";", end, right)
    if next_semi >= 0:
        right = next_semi
    return left, right


GROUP = "group"  # is_part marker: a separate group of arrestees (see CountFinding.group)


_MINORS_AFTER = re.compile(r"(?i)\s*(?:of them |of whom )?(?:were |was )?(?:under 18|minors|juveniles)")


def _classify(noun: str | None, preds: set[str], charge: str | None, after_text: str) -> list[tuple[str, bool]]:
    """Map (noun class, predicate classes, charge category) to count fields.

    Returns (field, is_part) pairs: one number can fill several fields ("seven women were taken
    to a place of safety and treated as potential victims"), and an arrest figure for a charge
    outside the count categories ("2 arrested for deriving support") is only part of the total.
    """
    if noun == "arrest":
        if charge == "buying":
            return [("arrested_buyers", False)]
        if charge == "sex_work":
            return [("arrested_sex_workers", False)]
        if charge == "trafficking" and "suspicion" not in preds:
            return [("charged_trafficking", False)]
        return [("arrested_total", charge is not None)]
    if noun == "premises":
        return [("premises_closed", False)] if "close" in preds else []
    if noun == "offence":
        return []
    if noun == "minor" or (noun in ("person", "woman", "man", None) and _MINORS_AFTER.match(after_text)):
        return [("minors_identified", False)]
    fields: list[tuple[str, bool]] = []
    if noun == "victim" or "victim" in preds:
        fields.append(("potential_victims", False))
    if "immigration" in preds:
        fields.append(("immigration_detained", False))
        if "arrest" in preds:
            fields.append(("arrested_total", GROUP))  # "arrested on suspicion of immigration offences"
    if "safety" in preds and "arrest" not in preds:
        fields.append(("detained_not_arrested", False))
    if fields:
        return fields
    if "arrest" in preds:
        if charge == "trafficking":
            return [] if "suspicion" in preds else [("charged_trafficking", False)]
        if charge == "buying" or noun == "buyer":
            return [("arrested_buyers", False)]
        if charge == "sex_work" or noun == "worker":
            return [("arrested_sex_workers", False)]
        if charge == "other":
            return [("arrested_total", GROUP)]
        if noun in ("person", "man", "woman", "buyer", "worker", None):
            return [("arrested_total", False)]
    return []


def find_counts(text: str, sentences: list[Sentence]) -> list[CountFinding]:
    """Every count statement in the given sentences of `text`, in document order."""
    findings: list[CountFinding] = []
    corrected: set[int] = set()
    for sent in sentences:
        corrected.update(_corrected_values(sent.text))
    for sent in sentences:
        headline = sent.paragraph == 0 and sent.index == 0 and not sent.text.rstrip().endswith(".")
        revised = _restates_figures(sent.text)
        for f in _sentence_counts_cached(text, sent):
            if headline or revised or f.value in corrected:
                f = CountFinding(f.field, f.value, f.evidence, f.is_part, headline, f.group, f.value in corrected,
                                 revised and not headline)
            findings.append(f)
    return findings


@lru_cache(maxsize=4096)
def _corrected_values(sentence: str) -> frozenset[int]:
    """Figures a sentence says are superseded ("..., not 58")."""
    if not _scan(sentence).may_correct:
        return frozenset()
    return frozenset(n.value for m in _CORRECTION.finditer(sentence) for n in find_numbers(m.group("old")))


def _rank(f: CountFinding) -> tuple[bool, bool, bool, bool]:
    return (f.superseded, f.is_part, not f.revised, f.in_headline)


# Sentences that restate figures as final: "In updated figures released Wednesday, ...".
_REVISION = CuePattern(
    r"\b(?:updated|revised|corrected|final|latest|new) (?:figures?|numbers?|totals?|count|tally)\b"
    r"|\b(?:rises|rose|risen|climbed|grew|fell|dropped) to\b|\bnow (?:says?|puts|stands)\b|\bhas since (?:risen|grown)\b",
    "", "")


@lru_cache(maxsize=4096)
def _restates_figures(sentence: str) -> bool:
    """Cached: relevance and every report ask about the same sentences."""
    pattern, haystack = _REVISION.pick(sentence, _scan(sentence).lowered, strict=True)
    return pattern.search(haystack) is not None


# A figure the text itself corrects: "56 people were booked ..., not 58", "first reported 43".
_CORRECTION = re.compile(
    r"(?i)(?:,\s*not|rather than|instead of|(?:first|initially|originally|previously) (?:reported|announced|said|gave)"
    r"|up from|down from|revised (?:up|down) from)\s+(?P<old>(?:\d[\d,]*|[a-z]+(?:-[a-z]+)?))\b")


# "A woman, 29, was also arrested": an indefinite article before a person noun counts one.
_SINGLE_PERSON = re.compile(
    r"(?<![\w,] )(?<!\w)(?P<art>\b(?:A|a|An|an))(?= (?:[\w-]+ ){0,2}?(?:woman|man|person|juvenile|teenager|girl|boy)\b)")

_FOUND_MINOR = re.compile(r"(?i)\b(?:recovered|rescued|found|identified|located|including|among them)\b")
# An officer posing as a minor is no minor found: "told they would be meeting a 17-year-old".
_DECOY = re.compile(r"(?i)\b(?:posing as|posed as|pretend\w*|decoy|would be meeting|believed (?:they|he|she) (?:was|were))\b")
_MINOR_AGE = re.compile(r"(?i)\b(?:a|an|one)\s+(?:1[0-7]|[1-9])-year-old\b")

_GROUP_SUM = re.compile(
    r"(?i)\b(?P<a>\w+(?:-\w+)?) (?P<na>women|men|people|adults|juveniles)(?:,[^,;]{1,30},)? and "
    r"(?P<b>\w+(?:-\w+)?) (?P<nb>women|men|man|woman|juveniles?)\b")


_AGE_BESIDE_NAME = re.compile(r",\s*(?:of|from)\b")
_WORD_COMMA_AT_END = re.compile(r"\w,\s*$")
_APPOSED_AGE_AFTER = re.compile(r"\s*(?:,|and\s+\d)")
_AGED_AT_END = CuePattern(r"\baged?\s+(?:between\s+|from\s+)?(?:\d+\s*(?:,|and|or|to|-)\s*)*$", "", "")
_DETERMINER_AT_END = CuePattern(r"\b(?:a|an|the|this|that|another)(?:\s+[\w-]+)?\s+$", "", "")


def _is_count_candidate(n: NumberMention, scan: _Scan, offset: int, date_spans, before_re, after_re) -> bool:
    """False for numbers that are never counts of people or premises: ages, dates, times, amounts."""
    s_text = scan.text
    rs, re_ = n.start - offset, n.end - offset
    before, after = s_text[:rs], s_text[re_:]
    tail = scan.lower(max(0, rs - 25), rs) if scan.per_char else before[-25:].lower()
    if before_re.search(tail) and not _LED_TO.search(tail):
        return False
    if _matches(after_re, after, scan.lower(re_), strict=True):
        return False
    if _AGE_BESIDE_NAME.match(after) or after.startswith(")"):
        return False  # "Wei Zhang, 47, of Orlando": an age beside a name
    if _APPOSED_AGE_AFTER.match(after) and _WORD_COMMA_AT_END.search(before):
        return False  # "A woman, 29, was ...": an age in apposition
    # _AGED_AT_END needs "age" (no other letters fold to a, g or e): most sentences skip the scan.
    if ("age" in before.lower() if not scan.per_char else scan.lowered.find("age", 0, rs) >= 0) and _searches(
            _AGED_AT_END, before, scan.lower(0, rs), strict=True):
        return False  # "aged 38 and 45", "aged between 22 and 58"
    if any(ds <= n.start < de for ds, de in date_spans):
        return False
    if s_text[rs:re_].lower() == "one" and _searches(_DETERMINER_AT_END, before, scan.lower(0, rs), strict=True):
        return False  # "a similar one", "another one": a pronoun, not a count
    return n.value <= 100000


@lru_cache(maxsize=2048)
def _sentence_counts_cached(text: str, sent: Sentence) -> tuple[CountFinding, ...]:
    """Counts of one sentence; cached because relevance and every report ask for the same sentences."""
    return tuple(_sentence_counts(text, sent))


def _sentence_counts(text: str, sent: Sentence) -> list[CountFinding]:
    nouns, predicates, charges, zeros, opener, before_re, after_re = _grammar()
    findings: list[CountFinding] = []
    s_text = sent.text
    scan = _scan(s_text)
    numbers = find_numbers(s_text, sent.start)
    taken = [(n.start, n.end) for n in numbers]
    lowered = scan.lowered
    single_people = _SINGLE_PERSON.finditer(s_text) if any(w in lowered for w in _PERSON_WORDS) else ()
    for m in single_people:
        a, b = sent.start + m.start("art"), sent.start + m.end("art")
        if all(b <= x or a >= y for x, y in taken):
            numbers.append(NumberMention(a, b, 1, None))
    numbers.sort(key=lambda n: n.start)
    # Only sentences naming a month or a year can hold a date that would be mistaken for a count.
    date_spans = ([d.span for d in find_dates(text, [(sent.start, sent.end)], "2000-01-01")]
                  if numbers and _names_month_or_year(s_text, lowered) else [])
    numbers = [n for n in numbers if _is_count_candidate(n, scan, sent.start, date_spans, before_re, after_re)]
    if numbers:
        _number_findings(findings, scan, sent, numbers)
    _statement_findings(findings, scan, sent)
    return findings


def _names_month_or_year(sentence: str, lowered: str) -> bool:
    """_DATE_GATE.search(sentence); `lowered`: sentence.lower()."""
    compiled, haystack = _DATE_GATE.pick(sentence, lowered, strict=True)
    if compiled is _DATE_GATE.fast and not _DATE_GATE_LITERALS.search(lowered):
        return False  # the lower-cased pattern runs on `lowered`, which has none of its literals
    return compiled.search(haystack) is not None


_OF_THE_GROUP = re.compile(r"(?i)\s*of (?:them|whom|those|the)")
_SEPARATE_GROUP = re.compile(r"(?i)\s*(?:other|more|additional|further)\b")


def _number_findings(findings: list[CountFinding], scan: _Scan, sent: Sentence, numbers: list[NumberMention]) -> None:
    """Findings for each number that is a count candidate in the sentence."""
    nouns, predicates, charges, zeros, opener, before_re, after_re = _grammar()
    s_text = sent.text
    preds_here = scan.predicate_classes
    noun_of = {}
    for n in numbers:
        following = s_text[n.end - sent.start:].lstrip()
        noun_of[n] = _noun_class(following, scan.lower(len(s_text) - len(following)), scan.noun_classes)
    # Numbers of charges ("a total of 58 offences") do not end the clause of the people charged.
    people_numbers = [n for n in numbers if noun_of[n] != "offence"]
    # Every apposition has a dash, a parenthesis or a comma: most sentences skip the scan.
    may_appose = any(mark in s_text for mark in ",(\u2014\u2013")
    appositions = [(m.start(), m.end()) for m in _APPOSITION.finditer(s_text)] if may_appose else []
    # Charges are scanned once per sentence; each number then takes those inside its clause.
    # Charge wording only decides arrest figures: sentences without an arrest word skip the scan.
    needs_charges = (_searches(predicates["arrest"], s_text, scan.lowered)
                     or _searches(_ARREST_NOUN, s_text, scan.lowered, strict=True))
    sentence_charges = _charge_mentions(s_text, scan.lowered, scan.charges, linked=True) if needs_charges else []
    breakdown_total_seen = False
    for n in numbers:
        rs, re_ = n.start - sent.start, n.end - sent.start
        before, after = s_text[:rs], s_text[re_:]
        inside = next(((a, b) for a, b in appositions if a <= rs < b), None)
        # Numbers inside a following apposition ("Nine people — six women and three men — were ...")
        # are parts of this one: they neither end its clause nor lend it their words.
        following = [(a, b) for a, b in appositions if a >= re_]
        skip = following[0] if following and not s_text[re_:following[0][0]].strip(" ,").count(" ") > 3 else None
        clause_numbers = [m for m in people_numbers
                          if not (skip and skip[0] <= m.start - sent.start < skip[1])
                          and not (inside and not (inside[0] <= m.start - sent.start < inside[1]))]
        left, right = _clause_bounds(s_text, rs, re_, clause_numbers, sent.start)
        clause_after, lowered_after = s_text[re_:right], scan.lower(re_, right)
        if skip and skip[1] <= right:
            clause_after = s_text[re_:skip[0]] + " " + s_text[skip[1]:right]
            lowered_after = scan.lower(re_, skip[0]) + " " + scan.lower(skip[1], right) if scan.per_char else None
        # (text, its lower-cased form or None) for _searches
        near_after = (clause_after[:_NEAR_AFTER], lowered_after[:_NEAR_AFTER] if scan.per_char else None)
        near_before = (s_text[left:rs][-_NEAR_BEFORE:], scan.lower(max(left, rs - _NEAR_BEFORE), rs))
        noun = noun_of[n]
        # Arrest verbs must sit next to the counted noun ("61 men were charged", "arrested 22 people");
        # a verb further away usually belongs to someone else ("... the men accused of trafficking them").
        preds = {cls for cls in preds_here
                 if _searches(predicates[cls], *(near_after if cls in ("arrest", "suspicion") else (clause_after, lowered_after)))
                 or _searches(predicates[cls], *near_before)}
        charge_hits = _within(sentence_charges, re_, right)
        if not charge_hits:
            # A charge before the number ("charged with solicitation were 21 men") unless a
            # contrast starts a new clause in between ("none ... for prostitution, but two ...").
            back = max(left, rs - 60)
            contrast, haystack = _CONTRAST.pick(s_text, scan.lowered, strict=True)
            cut = max((m.end() for m in contrast.finditer(haystack, back, rs)), default=back)
            charge_hits = _within(sentence_charges, cut, rs)
        charge = charge_hits[0][2] if charge_hits else None
        rule = f"counts:{noun or 'implicit'}+{'/'.join(sorted(preds)) or 'nopred'}" + (f"+charge:{charge}" if charge else "")
        # "Of the 58 arrested, 37 were ...": the first number is the whole, later ones are parts.
        whole_opener, part_marker = opener
        if whole_opener.search(before[-12:]):
            breakdown_total_seen = True
            if noun in (None, "person") and "arrest" in preds and not charge:
                targets = [("arrested_total", False)]
            else:
                targets = _classify(noun, preds, charge, after)
            for field, _ in targets:
                findings.append(_finding(field, n, sent, "counts:breakdown-whole"))
            continue
        is_part = (
            inside is not None
            or (breakdown_total_seen and not _within(sentence_charges, re_, right)
             and noun in (None, "man", "woman", "person"))
            or bool(part_marker.search(before[-20:]))
            or bool(_OF_THE_GROUP.match(after)))
        single = n.end - n.start <= 2 and s_text[rs:re_].lower() in ("a", "an")
        separate = bool(_SEPARATE_GROUP.match(after))  # "two other men"
        for field, part in _classify(noun, preds, charge, after):
            group = part == GROUP or (single and field == "arrested_total") or separate
            findings.append(_finding(field, n, sent, rule, bool(is_part or part or single), group))


def _statement_findings(findings: list[CountFinding], scan: _Scan, sent: Sentence) -> None:
    """Findings that need no count candidate: zero statements, minors by age, group sums."""
    nouns, predicates, charges, zeros, opener, before_re, after_re = _grammar()
    s_text = sent.text
    for field in scan.zero_fields:
        compiled, haystack = zeros[field].pick(s_text, scan.lowered)
        for m in compiled.finditer(haystack):
            ev = Evidence(sent.start + m.start(), sent.start + m.end(), sent.start, sent.end, f"counts:zero:{field}")
            findings.append(CountFinding(field, 0, ev, False))
    # "recovered a 16-year-old girl", "including a 17-year-old": one minor the authorities found.
    lowered = scan.lowered
    for m in (_MINOR_AGE.finditer(s_text) if "year-old" in lowered else ()):
        context = s_text[max(0, m.start() - 120):m.end() + 80]
        if (predicates["victim"].search(context) or _FOUND_MINOR.search(context)) and not _DECOY.search(context):
            ev = Evidence(sent.start + m.start(), sent.start + m.end(), sent.start, sent.end, "counts:minor-by-age")
            findings.append(CountFinding("minors_identified", 1, ev, False))
            if re.search(r"(?i)\b(?:recovered|rescued|found|located)\s*$", s_text[max(0, m.start() - 25):m.start()]):
                findings.append(CountFinding("potential_victims", 1, ev, True))
    # "the arrests of 11 women and one man": two disjoint groups of one predicate make a total.
    group_words = " and " in lowered and any(w in lowered for w in ("men", "people", "adults", "juveniles"))
    for m in (_GROUP_SUM.finditer(s_text) if group_words else ()):
        values = [find_numbers(m.group(k)) or ([NumberMention(0, len(m.group(k)), 1, None)]
                                                if m.group(k).lower() in ("a", "an") else [])
                  for k in ("a", "b")]
        if all(v and v[0].start == 0 and v[0].end == len(m.group(k)) for v, k in zip(values, ("a", "b"))):
            clause = s_text[max(0, m.start() - 60):m.end() + 60]
            if predicates["arrest"].search(clause) and not predicates["immigration"].search(clause):
                total = values[0][0].value + values[1][0].value
                ev = Evidence(sent.start + m.start(), sent.start + m.end(), sent.start, sent.end,
                              "counts:sum-of-groups", f"{values[0][0].value} + {values[1][0].value}")
                findings.insert(0, CountFinding("arrested_total", total, ev, False))


def _finding(field: str, n: NumberMention, sent: Sentence, rule: str, is_part: bool = False,
             group: bool = False) -> CountFinding:
    ev = Evidence(n.start, n.end, sent.start, sent.end, rule, n.qualifier)
    return CountFinding(field, n.value, ev, is_part, group=group)


def choose_counts(findings: list[CountFinding]) -> dict[str, CountFinding]:
    """One finding per field: the first whole figure the body states.

    Figures the text corrects, parts of breakdowns and headline figures are used only when the
    body gives no better one; a figure stated as an update beats an earlier one.
    """
    chosen: dict[str, CountFinding] = {}
    for f in findings:
        current = chosen.get(f.field)
        if current is None or _rank(current) > _rank(f):
            chosen[f.field] = f
    return chosen
