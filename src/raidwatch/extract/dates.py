"""Action dates resolved against the publication date, with precision.

News text dates raids relative to the story ("Monday and Tuesday", "over
the weekend", "from Tuesday to Thursday last week") or with partial dates
("April 22 through May 1"). dateparser does not split ranges and is slow on
whole documents, so expressions are found here with patterns and resolved
with calendar arithmetic against the publication date.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from .literals import CuePattern, PatternIndex

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS.update({"sept": 9})
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}

_MONTH = r"(?P<{n}>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_WEEKDAY = r"(?P<{n}>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?P<{n}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{n}>(?:19|20)\d\d)"


def _g(pattern: str, name: str) -> str:
    return pattern.format(n=name)


# A single day: "Monday, March 4, 2024", "March 4", "4 March 2024", "Tuesday".
_DAY_EXPR = (
    rf"(?:{_g(_WEEKDAY, '{p}wd')},?\s+)?(?:the\s+)?"
    rf"(?:{_g(_MONTH, '{p}m')}\s+{_g(_DAY, '{p}d')}|{_g(_DAY, '{p}d2')}(?:\s+of)?\s+{_g(_MONTH, '{p}m2')})"
    rf"(?:,?\s+{_g(_YEAR, '{p}y')})?(?![\d:])"
    rf"|{_g(_WEEKDAY, '{p}wd2')}(?:\s+(?:morning|afternoon|evening|night))?"
)


def _day_expr(prefix: str) -> str:
    return _DAY_EXPR.replace("{p}", prefix)


class _DatePattern:
    """A case-insensitive date pattern, run on the lower-cased sentence when lengths allow.

    Case-sensitive scans are several times faster; the code reads every group through
    `.lower()`, so lower-cased groups change nothing. On the lower-cased sentence the
    pattern is skipped when none of the literal words it requires is there.
    """

    def __init__(self, source: str):
        self.slow = re.compile(source)
        self.fast = re.compile(source.replace("(?i)", "").lower().replace("(?p<", "(?P<"))

    def finditer(self, chunk: str, lowered: str | None, runnable: frozenset[_DatePattern]):
        """Matches in `chunk`, or in `lowered` (its lower-cased copy) when given; in
        `lowered` only if the pattern is among the `runnable` ones (see `_runnable`)."""
        if lowered is None:
            return self.slow.finditer(chunk)
        return self.fast.finditer(lowered) if self in runnable else ()


_RELATIVE_WEEK = r"(?:\s+(?P<week>last week|this week|the previous week|the week before))?"
RANGE = _DatePattern(
    rf"(?i)\b(?:from\s+|between\s+)?(?P<first>{_day_expr('a')})\s*(?:,\s*)?(?:through|thru|to|until|till|and|-|–)\s+(?P<second>{_day_expr('b')}){_RELATIVE_WEEK}"
)
SHORT_RANGE = _DatePattern(rf"(?i)\b{_g(_MONTH, 'm')}\s+(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?\s*(?:[-–]|and|through|to)\s*(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?(?:,?\s+{_g(_YEAR, 'y')})?\b")
MONTH_RANGE = _DatePattern(
    rf"(?i)\bfrom\s+{_g(_MONTH, 'm1')}(?:\s+{_g(_YEAR, 'y1')})?\s+(?:to|until|through)\s+{_g(_MONTH, 'm2')}(?:\s+{_g(_YEAR, 'y2')})?\b")
SINGLE = _DatePattern(rf"(?i)\b(?:on\s+)?(?P<one>{_day_expr('c')}){_RELATIVE_WEEK}")
MONTH_ONLY = _DatePattern(rf"(?i)\b(?:in|during|since|throughout|early|late|mid-?)\s+(?:early\s+|late\s+|mid-?)?{_g(_MONTH, 'm')}(?:\s+{_g(_YEAR, 'y')})?\b")
YEAR_ONLY = _DatePattern(rf"(?i)\b(?:in|during|earlier in|throughout)\s+{_g(_YEAR, 'y')}\b")
WEEKEND = _DatePattern(r"(?i)\b(?:over|during|on|at)\s+the\s+(?P<which>past\s+|last\s+)?weekend\b|\blast weekend\b")
YESTERDAY = _DatePattern(r"(?i)\byesterday\b|\blast night\b|\bovernight\b")
MONTH_RELATIVE = _DatePattern(r"(?i)\b(?P<which>last|this|earlier this)\s+month\b")

_ALL_PATTERNS = (MONTH_RANGE, SHORT_RANGE, RANGE, WEEKEND, SINGLE, YESTERDAY, MONTH_ONLY, MONTH_RELATIVE, YEAR_ONLY)
_PATTERN_INDEX = PatternIndex([p.fast.pattern for p in _ALL_PATTERNS])


def _runnable(lowered: str) -> frozenset[_DatePattern]:
    """The patterns whose fast form can match the lower-cased sentence: those having one of
    the literal words they require in it (or requiring none)."""
    return frozenset(_ALL_PATTERNS[i] for i in _PATTERN_INDEX.candidates(lowered))

_DATE_WORDS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "mon", "tue",
               "wed", "thu", "fri", "sat", "sun", "weekend", "yesterday", "night", "overnight", "month")
# Every date expression contains one of these words at a word start (or a year): a cheap test first.
# "\bword" is written "word(?<!\w...)" (no word character before the word): with every alternative
# starting with a letter or digit, the regex engine jumps between the characters that can start one.
_ANY_DATE_WORD = CuePattern(
    "|".join(rf"{word}(?<!\w{'.' * len(word)})" for word in _DATE_WORDS) + r"|19\d\d|20\d\d", "", "")

# Words right before a date that make it the date of the announcement, not of the action.
ANNOUNCE_BEFORE = re.compile(
    r"(?i)(?:announced|said|says|told|reported|released|statement|conference|briefing|published|posted|confirmed|added|updated)"
    r"(?:\s+\w+){0,2}\s*,?\s*$")


@dataclass(frozen=True)
class DateFinding:
    start: str  # ISO date
    end: str
    precision: str  # "day" | "month" | "year"
    span: tuple[int, int]
    rule: str


def _resolve_weekday(weekday: int, base: date, week: str | None) -> date:
    """The weekday meant by a story published on `base`."""
    if week and week.lower() in ("last week", "the previous week", "the week before"):
        monday = base - timedelta(days=base.weekday() + 7)
        return monday + timedelta(days=weekday)
    if week and week.lower() == "this week":
        monday = base - timedelta(days=base.weekday())
        return monday + timedelta(days=weekday)
    delta = (base.weekday() - weekday) % 7
    return base - timedelta(days=delta)


def _year_for(month: int, day: int, base: date) -> int:
    """A month and day without a year: the latest one not after the publication date."""
    try:
        candidate = date(base.year, month, min(day, 28) if month == 2 and day > 28 else day)
    except ValueError:
        return base.year
    return base.year if candidate <= base + timedelta(days=1) else base.year - 1


def _day_from(m: re.Match, prefix: str, base: date, week: str | None) -> date | None:
    gd = m.groupdict()
    month = gd.get(f"{prefix}m") or gd.get(f"{prefix}m2")
    day = gd.get(f"{prefix}d") or gd.get(f"{prefix}d2")
    year = gd.get(f"{prefix}y")
    if month and day:
        mi, di = MONTHS[month.lower().rstrip(".")], int(day)
        yi = int(year) if year else _year_for(mi, di, base)
        try:
            return date(yi, mi, di)
        except ValueError:
            return None
    weekday = gd.get(f"{prefix}wd2") or gd.get(f"{prefix}wd")
    if weekday:
        return _resolve_weekday(WEEKDAYS[weekday.lower()], base, week)
    return None


def find_dates(text: str, spans: list[tuple[int, int]], published: str | None) -> list[DateFinding]:
    """Date expressions inside the given (start, end) spans of `text`, resolved against `published`."""
    if not published:
        base = None
    else:
        try:
            base = date.fromisoformat(published)
        except ValueError:
            base = None
    found: list[DateFinding] = []
    for s_start, s_end in spans:
        chunk = text[s_start:s_end]
        lowered = chunk.lower()
        pattern, haystack = _ANY_DATE_WORD.pick(chunk, lowered, strict=True)
        if not pattern.search(haystack):
            continue  # most sentences name no date: skip the expression patterns
        if len(lowered) != len(chunk):
            lowered = None
            runnable = frozenset(_ALL_PATTERNS)
        else:
            runnable = _runnable(lowered)
        taken: list[tuple[int, int]] = []

        def free(a: int, b: int) -> bool:
            return all(b <= x or a >= y for x, y in taken)

        def add(a: int, b: int, start: date, end: date, precision: str, rule: str) -> None:
            if ANNOUNCE_BEFORE.search(chunk[max(0, a - 40):a]):
                rule += ":announcement"
            taken.append((a, b))
            found.append(DateFinding(start.isoformat(), end.isoformat(), precision, (s_start + a, s_start + b), rule))

        for m in MONTH_RANGE.finditer(chunk, lowered, runnable):
            ref = base or date(int(m.group("y2") or m.group("y1") or 2000), 12, 31)
            m1, m2 = MONTHS[m.group("m1").lower().rstrip(".")], MONTHS[m.group("m2").lower().rstrip(".")]
            y2 = int(m.group("y2")) if m.group("y2") else _year_for(m2, 1, ref)
            y1 = int(m.group("y1")) if m.group("y1") else (y2 if m1 <= m2 else y2 - 1)
            add(m.start(), m.end(), date(y1, m1, 1), date(y2, m2, 1), "month", "date:month-range")
        for m in SHORT_RANGE.finditer(chunk, lowered, runnable):
            if not free(m.start(), m.end()) or base is None and not m.group("y") or int(m.group("d2")) <= int(m.group("d1")):
                continue
            mi = MONTHS[m.group("m").lower().rstrip(".")]
            ref = base or date(int(m.group("y")), 12, 31)
            yi = int(m.group("y")) if m.group("y") else _year_for(mi, int(m.group("d1")), ref)
            try:
                add(m.start(), m.end(), date(yi, mi, int(m.group("d1"))), date(yi, mi, int(m.group("d2"))), "day", "date:short-range")
            except ValueError:
                continue
        if base is not None or True:
            for m in RANGE.finditer(chunk, lowered, runnable):
                if not free(m.start(), m.end()):
                    continue
                week = m.group("week")
                ref = base
                year_b = m.group("by")
                if ref is None and year_b is None:
                    continue
                ref = ref or date(int(year_b), 12, 31)
                second = _day_from(m, "b", ref, week)
                first = _day_from(m, "a", ref, week)
                if not first or not second:
                    continue
                if year_b and not m.group("ay") and (m.group("am") or m.group("am2")):
                    first = first.replace(year=int(year_b)) if first.month <= second.month else first.replace(year=int(year_b) - 1)
                if first > second:
                    first -= timedelta(days=7) if (m.group("awd2") and not m.group("am")) else timedelta(days=0)
                if first > second or (second - first).days > 120:
                    continue
                add(m.start(), m.end(), first, second, "day", "date:range")
        for m in WEEKEND.finditer(chunk, lowered, runnable):
            if base is None or not free(m.start(), m.end()):
                continue
            saturday = base - timedelta(days=(base.weekday() - 5) % 7 or 7)
            if base.weekday() == 6:
                saturday = base - timedelta(days=1)
            add(m.start(), m.end(), saturday, saturday + timedelta(days=1), "day", "date:weekend")
        for m in SINGLE.finditer(chunk, lowered, runnable):
            if not free(m.start(), m.end()):
                continue
            if base is None and not m.group("cy"):
                continue
            ref = base or date(int(m.group("cy")), 12, 31)
            day = _day_from(m, "c", ref, m.group("week"))
            if day:
                add(m.start(), m.end(), day, day, "day", "date:day")
        for m in YESTERDAY.finditer(chunk, lowered, runnable):
            if base is not None and free(m.start(), m.end()):
                day = base - timedelta(days=1)
                add(m.start(), m.end(), day, day, "day", "date:yesterday")
        for m in MONTH_ONLY.finditer(chunk, lowered, runnable):
            if not free(m.start(), m.end()):
                continue
            mi = MONTHS[m.group("m").lower().rstrip(".")]
            if m.group("y"):
                yi = int(m.group("y"))
            elif base is not None:
                yi = base.year if mi <= base.month else base.year - 1
            else:
                continue
            add(m.start(), m.end(), date(yi, mi, 1), date(yi, mi, 1), "month", "date:month")
        for m in MONTH_RELATIVE.finditer(chunk, lowered, runnable):
            if base is None or not free(m.start(), m.end()):
                continue
            first = base.replace(day=1)
            if m.group("which").lower() == "last":
                first = (first - timedelta(days=1)).replace(day=1)
            add(m.start(), m.end(), first, first, "month", "date:relative-month")
        for m in YEAR_ONLY.finditer(chunk, lowered, runnable):
            if free(m.start(), m.end()):
                y = int(m.group("y"))
                add(m.start(), m.end(), date(y, 1, 1), date(y, 1, 1), "year", "date:year")
    found.sort(key=lambda f: f.span[0])
    return found
