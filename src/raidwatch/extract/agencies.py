"""Agencies: name patterns, well-known names, abbreviations the text introduces.

Every agency is normalised to one canonical name: the long form the text
gives, a well-known long form for a known short form ("HSI"), and internal
units folded into their parent ("GNPSB" -> "An Garda Síochána").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .registry import lexicon

_WORD = r"(?:St\.|[A-Z](?:[\w-]|['’](?!s\b))*)"
_PLACE = rf"{_WORD}(?:\s+(?:{_WORD}|of|de|and|upon|on)){{0,3}}?"


@dataclass(frozen=True)
class AgencyMention:
    start: int
    end: int
    name: str   # canonical
    rule: str


@lru_cache(maxsize=1)
def _tables():
    lex = lexicon("agencies")
    patterns = [re.compile(r"\b(?P<full>" + p.replace("{P}", f"(?P<place>{_PLACE})") + r")\b") for p in lex["patterns"]]
    alias_to_name: dict[str, str] = {}
    for name, aliases in lex["known"].items():
        for alias in aliases:
            alias_to_name[alias] = name
    known = re.compile(r"(?<![\w-])(?:" + "|".join(sorted(map(re.escape, alias_to_name), key=len, reverse=True)) + r")(?![\w-])")
    folding = dict(lex["folding"])
    fold_re = re.compile(r"(?<![\w-])(?:" + "|".join(sorted(map(re.escape, folding), key=len, reverse=True)) + r")(?![\w-])")
    not_agencies = {n.lower() for n in lex["not_agencies"]}
    stop = set(lex["place_stopwords"])
    return patterns, alias_to_name, known, folding, fold_re, not_agencies, stop


def _clean_place(place: str, stop: set[str]) -> str | None:
    words = place.split()
    while words and (words[0] in stop or words[0].lower() in ("the", "of", "and")):
        words.pop(0)
    return " ".join(words) if words else None


def _canonical(name: str) -> str:
    name = re.sub(r"\s+", " ", name.replace("’", "'")).strip()
    name = re.sub(r"^(?:the|The)\s+", "", name)
    return name


def find_agencies(text: str) -> list[AgencyMention]:
    """Every agency mention in `text`, canonicalised, in text order (overlaps resolved longest-first)."""
    patterns, alias_to_name, known, folding, fold_re, not_agencies, stop = _tables()
    raw: list[AgencyMention] = []
    for pattern in patterns:
        for m in pattern.finditer(text):
            place = _clean_place(m.group("place"), stop)
            if not place:
                continue
            if m.start("place") == m.start("full"):
                start = m.start("place") + m.group("place").rindex(place)
            else:
                start = m.start("full")
            name = _canonical(text[start:m.end("full")])
            name = alias_to_name.get(name, name)
            if name.lower() in not_agencies:
                continue
            raw.append(AgencyMention(start, m.end("full"), name, "agency:pattern"))
    for m in known.finditer(text):
        raw.append(AgencyMention(m.start(), m.end(), alias_to_name[m.group()], "agency:known"))
    for m in fold_re.finditer(text):
        raw.append(AgencyMention(m.start(), m.end(), folding[m.group()], "agency:folded-unit"))
    # Abbreviations the text introduces: "Lake County Sheriff's Office (LCSO)".
    abbreviations: dict[str, str] = {}
    kept = _resolve_overlaps(raw)
    for mention in kept:
        after = text[mention.end:mention.end + 40]
        am = re.match(r"\s*(?:[A-Z][\w]*\s+){0,3}?\(([A-Z][A-Za-z]{1,7})\)", after)
        if am and am.group(1) not in alias_to_name:
            abbreviations[am.group(1)] = mention.name
    if abbreviations:
        abbr_re = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, abbreviations)) + r")(?![\w-])")
        for m in abbr_re.finditer(text):
            kept.append(AgencyMention(m.start(), m.end(), abbreviations[m.group(1)], "agency:abbreviation"))
        kept = _resolve_overlaps(kept)
    # A place-only pattern that is a prefix of a longer canonical name ("Lake County Sheriff's Office"
    # vs "Sheriff's Office") was dropped by overlap resolution; fold short forms into long ones.
    return [m for m in kept if m.name.lower() not in not_agencies]


def _resolve_overlaps(mentions: list[AgencyMention]) -> list[AgencyMention]:
    ordered = sorted(mentions, key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[AgencyMention] = []
    for m in ordered:
        if kept and m.start < kept[-1].end:
            prev = kept[-1]
            if m.rule == "agency:folded-unit" and prev.rule == "agency:pattern":
                kept[-1] = AgencyMention(prev.start, max(prev.end, m.end), m.name, m.rule)
            continue
        kept.append(m)
    return kept
