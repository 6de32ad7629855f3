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
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from .registry import LexiconError, lexicon

_UPPER = "A-ZÀ-ÖØ-ÞŁŒŠŽ"
_WORD = rf"(?:St\.|[{_UPPER}](?:[\w-]|['’](?!s\b))*)"
_PLACE = rf"{_WORD}(?:[ \t\u00a0]+(?:{_WORD}|of|de|and|upon|on)){{0,3}}?"  # never across a line break

_EXTRA_KEYS = ("lowercase_police", "place_stopwords", "place_of_heads", "compound_places", "forces",
               "place_police", "kinds", "anaphors", "action_verbs", "action_nouns", "partner_cues",
               "personnel_nouns", "speech_verbs", "contact_cues", "no_comment_cues", "prosecution_verbs",
               "civil_cues", "attributive_nouns", "generic_cues", "quote_pairs")

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
    fold_re = re.compile(r"(?<![\w-])(?:" + _alternation(map(re.escape, folding)) + r")(?![\w-])")
    ci = lambda items: re.compile(r"(?i)\b(?:" + _alternation(items) + r")\b")  # noqa: E731
    personnel = _alternation(lex["personnel_nouns"])
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
        anaphors=[(re.compile(r"(?i)(?<![\w-])" + rx + r"(?![\w-])"), re.compile(target))
                  for rx, target in lex["anaphors"].items()],
        action=ci(lex["action_verbs"]),
        action_noun=ci(lex["action_nouns"]),
        action_noun_alt=_alternation(lex["action_nouns"]),
        partner_end=re.compile(r"(?i)\b(?:" + _alternation(lex["partner_cues"]) +
                               r")\s+(?:(?:the|its|their|local|a|an)\s+)?$"),
        personnel_end=re.compile(r"(?i)\b(?:" + personnel + r")\s+(?:from|of|with|at)\s+(?:the\s+)?$"),
        personnel=re.compile(r"(?i)(?:" + personnel + r")\b"),
        speech=ci(lex["speech_verbs"]),
        contact_end=re.compile(r"(?i)\b(?:" + _alternation(lex["contact_cues"]) +
                               r")\s+(?:(?:the|your|a|an|local)\s+)?$"),
        no_comment=ci(lex["no_comment_cues"]),
        prosecution_verb=ci(lex["prosecution_verbs"]),
        civil=ci(lex["civil_cues"]),
        attributive=re.compile(r"(?i)^(?:['’]s)?\s+(?:[\w-]+\s+)?(?:" + _alternation(lex["attributive_nouns"]) + r")\b"),
        generic=ci(lex["generic_cues"]),
        quote_pairs=[tuple(p) for p in lex["quote_pairs"]],
        rename=[(re.compile(rx), rep) for rx, rep in (lex.get("rename") or {}).items()],
        not_police_places=set(lex.get("not_police_places") or []),
        us_min_population=int(lex.get("us_city_min_population", 50000)),
    )


# --------------------------------------------------------------------------
# names


def _fold(name: str) -> str:
    """Comparison form: case, apostrophes and punctuation folded."""
    name = name.replace("’", "'").lower()
    name = re.sub(r"'s\b", "s", name)
    return re.sub(r"[^\w]+", " ", name).strip()


def _canonical(name: str) -> str:
    name = re.sub(r"\s+", " ", name.replace("’", "'")).strip()
    name = re.sub(r"^(?:the|The)\s+", "", name)
    return name.rstrip("'")  # plural possessive: "Department of Inspections' team"


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


def _locate(raw: str, cleaned: str) -> int:
    """Offset in `raw` of its suffix `cleaned` (which has single spaces where `raw` may have any)."""
    rx = r"\s+".join(map(re.escape, cleaned.split())) + r"$"
    m = re.search(rx, raw)
    return m.start() if m else 0


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


def _place_candidates(place: str, country: str | None, admin1: str | None):
    """Gazetteer places called `place` in the document's country, those in its admin1 first;
    elsewhere in the country only sizeable ones."""
    g = _gazetteer()
    t = _tables()
    if g is None or not country or place in t.not_police_places:
        return []
    try:
        hits = g.lookup(place, country)
    except Exception:
        return []
    if admin1:
        same = [p for p in hits if p.admin1 == admin1 or p.kind == "admin1"]
        hits = same or [p for p in hits if p.population >= t.us_min_population]
    return hits


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


def _alias_allowed(alias: str, text: str, t: _Tables, at: int | None = None) -> bool:
    req = t.alias_requires.get(alias)
    if req is not None and not req.search(text) and _document_place(text)[0] not in t.alias_countries.get(alias, ()):
        return False
    block = t.alias_blockers.get(alias)
    if block is not None and at is not None:
        for bm in block.finditer(text, max(0, at - 30), min(len(text), at + len(alias) + 40)):
            if bm.start() <= at < bm.end():
                return False
    return True


def _initials(name: str) -> str:
    words = re.findall(r"[\w]+", name.replace("'s", "").replace("’s", "").replace(".", ""))
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


@lru_cache(maxsize=256)
def _scan(text: str) -> tuple[AgencyMention, ...]:
    """Every named agency in `text` (prosecutors included), canonical names settled over the whole text."""
    t = _tables()
    raw: list[AgencyMention] = []
    for pattern in t.patterns:
        for m in pattern.finditer(text):
            place = _clean_place(m.group("place"), t)
            if not place:
                continue
            pstart = m.start("place") + _locate(m.group("place"), place)
            start = pstart if m.start("place") == m.start("full") else m.start("full")
            end = m.end("full")
            # "Department of Health and Homeland Security Investigations": two bodies, not one.
            for am in re.finditer(r" (?:and|&) ", text[m.end("place"):end]):
                tail = m.end("place") + am.end()
                if t.known.match(text, tail) or any(p.match(text, tail) for p in t.patterns):
                    end = m.end("place") + am.start()
                    break
            # Title-case the words the pattern added ("sheriff's office" -> "Sheriff's Office").
            if m.start("place") == m.start("full"):
                name = place + " " + _title(text[m.end("place"):end], t.lowercase_words)
            else:
                name = _title(text[start:m.start("place")], t.lowercase_words) + " " + place + text[m.end("place"):end]
            name = _canonical(name)
            for rx, rep in t.rename:
                name = rx.sub(rep, name)
            name = t.alias_to_name.get(name, name)
            if _fold(name) in t.not_agencies:
                continue
            raw.append(AgencyMention(start, end, name, "agency:pattern"))
    for m in t.known.finditer(text):
        if _alias_allowed(m.group(), text, t, m.start()):
            raw.append(AgencyMention(m.start(), m.end(), t.alias_to_name[m.group()], "agency:known"))
    for m in t.fold_re.finditer(text):
        raw.append(AgencyMention(m.start(), m.end(), t.folding[m.group()], "agency:folded-unit"))
    kept = _resolve_overlaps(raw)
    names = {k.name for k in kept}

    # "<Place> police": a force the text names, a known or territorial force, or the usual name by country.
    lower: list[AgencyMention] = []
    for m in t.lowercase_police.finditer(text):
        place = _clean_place(m.group("place"), t)
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
    for pm in re.finditer(r"\(([A-Z][A-Za-z&]{1,7})\)", text):
        abbr = pm.group(1)
        if abbr in t.alias_to_name or abbr in abbreviations:
            continue
        before = [k for k in kept if k.end <= pm.start() and pm.start() - k.end <= 80]
        if not before:
            continue
        k = before[-1]
        gap = text[k.end:pm.start()]
        if not re.fullmatch(r"(?:\s*['’]s)?(?:\s+(?:[A-Z][\w’'-]*|and|of|for|the|de|du|des|la|le|&))*\s*", gap):
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
    for tok in set(re.findall(r"(?<![\w-])([A-Z]{3,6})(?![\w-])", text)):
        if tok in abbreviations or tok in t.alias_to_name:
            continue
        if len(initials.get(tok, ())) == 1:
            abbreviations[tok] = next(iter(initials[tok]))
    if abbreviations:
        abbr_re = re.compile(r"(?<![\w-])(" + _alternation(map(re.escape, abbreviations)) + r")(?![\w-])")
        for m in abbr_re.finditer(text):
            kept.append(AgencyMention(m.start(), m.end(), abbreviations[m.group(1)], "agency:abbreviation"))
        kept = _resolve_overlaps(kept)

    # One name per body: a short form that begins or ends a longer name the text gives
    # ("Houston Police" / "Houston Police Department", "Border Force" / "Australian Border Force").
    names = {k.name for k in kept}
    country, admin1 = _document_place(text)
    mapping: dict[str, str] = {}
    for n in names:
        fn = _fold(n)
        longer = [o for o in names if o != n and (_fold(o).startswith(fn + " ") or _fold(o).endswith(" " + fn))
                  and kind_of(o) == kind_of(n)]
        if len(longer) == 1:
            mapping[n] = longer[0]
        elif n in t.country_aliases and country in t.country_aliases[n]:
            mapping[n] = t.country_aliases[n][country]
        elif country == "US" and n.endswith(" Police") and "US" in t.place_police:
            place = n[: -len(" Police")]
            hits = _place_candidates(place, country, admin1)
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
    spans = []
    for para in re.finditer(r"[^\n]+", text):
        p = para.group()
        i = 0
        while i < len(p):
            for open_q, close_q in t.quote_pairs:
                if p[i] == open_q:
                    j = p.find(close_q, i + 1)
                    end = j if j >= 0 else len(p)
                    spans.append((para.start() + i, para.start() + end + 1))
                    i = end
                    break
            i += 1
    return spans


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _anaphors(text: str, mentions: tuple[AgencyMention, ...], t: _Tables) -> list[AgencyMention]:
    """References to a named body ("the sheriff's office", "the council", "police") when exactly one fits."""
    names = {m.name for m in mentions}
    out = []
    for rx, target in t.anaphors:
        fits = [n for n in names if target.search(n)]
        if len(fits) != 1:
            continue
        for m in rx.finditer(text):
            if any(k.start < m.end() and m.start() < k.end for k in mentions):
                continue
            out.append(AgencyMention(m.start(), m.end(), fits[0], "agency:anaphor", kind_of(fits[0])))
    return _resolve_overlaps(out)


_PLACEHOLDER = "\u2039A\u203a"  # ‹A›
_TOKEN = re.compile(r"\u2039A\u203a|[\w’'.&-]+|[^\w\s]")
_GAP_WORDS = {"and", "or", "&", "plus", "the", "its", "their", "his", "her", "also", "jointly", "together", "have",
              "has", "had", "were", "was", "been", "is", "are", "will", "would", "then", "later", "first", "both",
              "all", "who", "which", "subsequently", "reportedly", "allegedly", "recently", "yesterday", "today",
              "tonight", "this", "last", "week", "morning", "afternoon", "evening", "night", "on", "early", "late",
              "had", "successfully", "jointly", "initially", "additionally", "further", "then", "since", "'ve",
              "spokesman", "spokeswoman", "spokesperson", "spokespeople", "chief", "director", "commander",
              "statement", "in", "a", "an", "'s", "’s", "as", "well", "lead", "local", "state", "federal", "of"}
_LEFT_PREPOSITION = re.compile(r"(?i)\b(?:of|for|to|at|in|on|from|into|against|about|than|as|like|over|under|between|"
                               r"near|outside|inside|toward|towards|within|without|unlike|with|by)\s+(?:the\s+)?$")
_SPEAKER_LEFT = re.compile(r"(?i)(?:\b(?:spokes\w+|official|officer|chief|director|commander|head|sergeant|sgt\.?|"
                           r"inspector|insp\.?|detective|lieutenant|lt\.?|captain|capt\.?|superintendent|sheriff|"
                           r"member|leader|manager|representative|agent in charge)\s+(?:of|for|with|at)\s+(?:the\s+)?|"
                           r",\s*(?:of|from)\s+(?:the\s+)?|according to\s+(?:the\s+)?)$")
_SPEAKER_RIGHT = re.compile(r"(?i)^(?:['’]s\s+(?:[\w-]+\s+){0,5}?(?:member|leader|spokes\w+|convener|convenor|director|"
                            r"head|chair\w*|manager|councillor|councilor|cabinet|lead|representative|commissioner)\b|"
                            r"(?:['’]s)?\s+(?:[\w-]+\s+)?(?:spokes\w+|press officer|press office|statement)\b)")
_FORMER_LEFT = re.compile(r"(?i)\b(?:former|retired|ex-?)\s*$")
_BARE_WITH = re.compile(r"(?i)\bwith\s+(?:the\s+)?$")


def _walk_to_verb(right: str, t: _Tables) -> tuple[str, str] | None:
    """From just after a body, skip its staff, list partners, units, appositions and adverbs;
    return ("action"|"speech", verb) for the first verb reached, else None."""
    right = re.sub(r"^\s*,\s*(?:the|a|an)\s[^,]{1,80},", " ,", right)  # apposition: ", the investigative arm of ‹A›,"
    right = re.sub(r"\([^)]*\)", " ", right)
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
              or re.fullmatch(r"[A-Z]\w*['’]s", tok)):
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


def _judge(a: int, b: int, kind: str, sent_text: str, spans: list[tuple[int, int]], masked_quotes: str,
           t: _Tables, prev: _Evidence | None, prev_gap: str | None) -> _Evidence:
    """Participation evidence of the mention sent_text[a:b]; `spans` are the mentions to mask around it."""
    left, right = sent_text[:a], sent_text[b:]
    others = [sp for sp in spans if sp != (a, b)]
    # masked: other mentions a placeholder
    left_m = _mask(sent_text, others, masked_quotes, 0, a)
    right_m = _mask(sent_text, others, masked_quotes, b, len(sent_text))
    blank = _blank(masked_quotes, spans + [(a, b)])
    has_action = bool(t.action.search(blank) or t.action_noun.search(blank))
    if t.generic.search(masked_quotes):
        return _Evidence(0, "generic")
    if _FORMER_LEFT.search(left):
        return _Evidence(0, "former")
    if t.contact_end.search(left) or re.match(r"(?i)^\W*(?:on|at)\s+[\d(+]", right) or \
            re.match(r"(?i)^(?:['’]s)?\s+(?:[\w-]+\s+){0,3}?(?:hotline|helpline|tip ?line|website)\b", right):
        return _Evidence(0, "contact")
    if t.no_comment.match(right.strip()) or re.match(r"(?i)^\s*(?:has |have |had )?(?:did not|didn't|declined|could not|would not|has not|was not)\b", right):
        return _Evidence(0, "no-comment")
    # list partner: the previous body in the sentence took part and this one is in the same list
    if prev is not None and prev.level == 3 and prev.reason in ("partner", "personnel", "subject", "passive") and \
            prev_gap is not None and _is_list_gap(prev_gap):
        return _Evidence(3, prev.reason, prev.strong)
    if t.partner_end.search(left_m):
        return _Evidence(3, "partner", True)
    if t.personnel_end.search(left_m) and has_action:
        return _Evidence(3, "personnel", True)
    with_ = _BARE_WITH.search(left_m)
    if with_:
        clause = re.split(r"[;:]|\bwho\b|\bwhich\b", left_m[:with_.start()])[-1][-80:]
        verbs = [m.group() for m in t.action.finditer(clause)] + [m.group() for m in t.action_noun.finditer(clause)]
        if verbs and not re.search(r"(?i)\b(?:charged|cited|booked|familiar|contact|touch|along)\s*$", left_m[:with_.start()]):
            return _Evidence(3, "partner", not all(t.prosecution_verb.fullmatch(v) for v in verbs))
    if re.search(r"(?i)\b(?:handed|turned|transferred|passed|referred|released)(?: over)?\s+(?:in)?to\s+(?:the\s+)?$", left_m) or \
            (re.search(r"(?i)\b(?:taken|took|placed|held|put|transferred)\s+(?:in|into)\s+(?:the\s+)?$", left_m)
             and t.attributive.match(right)):
        return _Evidence(3, "handover", True)
    by = re.search(r"(?i)\bby\s+(?:the\s+)?$", left_m)
    if by:
        before = left_m[max(0, by.start() - 70):by.start()]
        verbs = [m.group() for m in t.action.finditer(before)] + [m.group() for m in t.action_noun.finditer(before)]
        if verbs:
            strong = not all(t.prosecution_verb.fullmatch(v) for v in verbs)
            return _Evidence(3, "passive", strong)
    if t.attributive.match(right) and not re.match(r"(?i)^(?:['’]s)?\s+(?:spokes\w+|statement)", right):
        return _Evidence(0, "attributive")
    if re.match(r"^(?:['’]s)?(?:-led)?\s+(?:(?:[A-Z][\w-]*|\w+-\w+|(?i:undercover|joint|covert|vice|sting|"
                r"prostitution|trafficking|human|sex|enforcement|compliance|licensing|immigration|"
                r"special|targeted|overnight|weekend|intelligence-led))\s+){0,2}(?i:" + t.action_noun_alt + r")\b", right) and \
            not _SPEAKER_RIGHT.match(right):
        return _Evidence(3, "operation", True)
    speaker = bool(_SPEAKER_LEFT.search(left_m) or _SPEAKER_RIGHT.match(right))
    walked = None if (speaker or _LEFT_PREPOSITION.search(left_m)) else _walk_to_verb(right_m, t)
    if walked and walked[0] == "no-comment":
        return _Evidence(0, "no-comment")
    if walked and walked[0] == "action":
        strong = not t.prosecution_verb.fullmatch(walked[1])
        return _Evidence(3, "subject", strong)
    if kind == GOVERNMENT and not speaker and t.civil.search(blank):
        return _Evidence(3, "civil")
    if ((walked and walked[0] == "speech") or speaker) and t.no_comment.search(right_m):
        return _Evidence(0, "no-comment")
    if (walked and walked[0] == "speech") or speaker:
        return _Evidence(2 if has_action else 0, "speaker" if speaker else "self-report")
    if has_action:
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


def _blank(masked_quotes: str, spans: list[tuple[int, int]]) -> str:
    """The sentence with quotations and mentions blanked (for looking up cue words)."""
    chars = list(masked_quotes)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _is_list_gap(gap: str) -> bool:
    gap = re.sub(r"\([^)]*\)", " ", gap)
    return bool(re.fullmatch(r"(?:\s|,|&|['’]s\b|\b(?:and|or|as well as|plus|the|of|its|their|a|an|local|state|"
                             r"federal)\b|[A-Z][\w’'.-]*|(?i:officers?|agents?|detectives?|deputies|investigators?|"
                             r"inspectors?|troopers?|staff|officials?|personnel|units?|teams?|squads?|members))*", gap))


def operation_agencies(text: str, sentences: list) -> list[AgencyMention]:
    """The bodies that took part in the operation described by `sentences` (spans of `text`).

    One mention per body (the first with the strongest evidence), in text order; the rule says why
    ("agency:participant:partner", "agency:participant:subject", ...)."""
    if not sentences:
        return []
    t = _tables()
    mentions = _scan(text)
    everything = sorted(list(mentions) + _anaphors(text, mentions, t), key=lambda m: m.start)
    quotes = _quote_spans(text, t)
    best: dict[str, tuple[_Evidence, AgencyMention]] = {}
    for sent in sentences:
        inside = [m for m in everything if sent.start <= m.start and m.end <= sent.end]
        if not inside:
            continue
        stext = text[sent.start:sent.end]
        masked_quotes = "".join(" " if _inside(sent.start + i, quotes) else c for i, c in enumerate(stext))
        spans = [(m.start - sent.start, m.end - sent.start) for m in inside]
        # bare personnel words that refer to a body ("deputies", "police") stay words when masking
        maskable = [sp for sp, m in zip(spans, inside)
                    if not (m.rule == "agency:anaphor" and not text[m.start:m.end].lower().startswith("the "))]
        prev: _Evidence | None = None
        for k, m in enumerate(inside):
            if _inside(m.start, quotes):
                ev = _Evidence(0, "quoted")
            else:
                gap = stext[spans[k - 1][1]:spans[k][0]] if k else None
                ev = _judge(spans[k][0], spans[k][1], m.kind or kind_of(m.name), stext, maskable, masked_quotes,
                            t, prev, gap)
            prev = ev
            old = best.get(m.name)
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
