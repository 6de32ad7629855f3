"""Direct quotations, their speakers and the speakers' roles.

A quotation is text in quotation marks attributed to a speaker. Pieces of
one quotation interrupted by the attribution ("..., said X. "...") and
quotations continued over paragraphs UK-style count once; scare quotes,
names and slogans (short, unattributed) do not count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..model import Evidence, Quote
from .registry import lexicon
from .text import paragraphs

_OPEN = "“\""
_CLOSE = "”\""


@dataclass
class _Segment:
    start: int  # offset of the opening mark
    end: int    # offset after the closing mark (or paragraph end when left open)
    paragraph: int
    closed: bool


@lru_cache(maxsize=1)
def _tables():
    lex = lexicon("quotes")
    verbs = "|".join(sorted(map(re.escape, lex["speech_verbs"]), key=len, reverse=True))
    verb_re = re.compile(rf"(?i)\b(?:{verbs})\b")
    roles = [(role, re.compile(r"(?i)(?:" + "|".join(lex["roles"][role]) + r")")) for role in lex["role_order"] if role in lex["roles"]]
    return verb_re, roles


def _segments(text: str) -> list[_Segment]:
    segs: list[_Segment] = []
    for p_index, (ps, pe) in enumerate(paragraphs(text)):
        i = ps
        while i < pe:
            ch = text[i]
            if ch == "“" or (ch == '"' and (i == ps or not text[i - 1].isalnum())):
                closer = "”" if ch == "“" else '"'
                j = text.find(closer, i + 1, pe)
                if j < 0:
                    segs.append(_Segment(i, pe, p_index, False))
                    break
                segs.append(_Segment(i, j + 1, p_index, True))
                i = j + 1
            else:
                i += 1
    return segs


def _word_count(s: str) -> int:
    return len(re.findall(r"\w+", s))


def find_quotes(text: str) -> list[Quote]:
    """Direct quotations with speaker descriptions and roles, in text order."""
    verb_re, roles = _tables()
    paras = paragraphs(text)
    segs = [s for s in _segments(text)]
    quotes: list[Quote] = []
    groups: list[list[_Segment]] = []
    for seg in segs:
        inner = text[seg.start + 1:seg.end - (1 if seg.closed else 0)]
        if groups:
            last = groups[-1][-1]
            gap = text[last.end:seg.start]
            same_para = last.paragraph == seg.paragraph
            if same_para and len(gap) < 120 and verb_re.search(gap) and re.search(r"[,.:]\s*$", text[last.start:last.end - 1] + gap[:0]) and not re.search(r"[.!?]\s*$", gap.strip()[:-1] if gap.strip().endswith(".") else gap):
                groups[-1].append(seg)
                continue
            if not last.closed and seg.paragraph == last.paragraph + 1 and seg.start == paras[seg.paragraph][0]:
                groups[-1].append(seg)  # UK-style continuation over paragraphs
                continue
        if _word_count(inner) < 4 and not re.search(r"[.,!?]\s*$", inner):
            continue  # scare quotes, names, slogans
        groups.append([seg])
    for group in groups:
        first, last = group[0], group[-1]
        p_start, p_end = paras[first.paragraph]
        lp_start, lp_end = paras[last.paragraph]
        # Attribution: the words around the quotation within its own sentence(s):
        # back to the previous sentence end, the gaps between pieces, on to the next sentence end.
        lead = text[p_start:first.start]
        cut = max(lead.rfind(". "), lead.rfind("? "), lead.rfind("! "))
        lead = lead[cut + 2:] if cut >= 0 else lead
        gaps = [text[a.end:b.start] for a, b in zip(group, group[1:]) if a.paragraph == b.paragraph]
        tail = text[last.end:lp_end]
        stop = re.search(r"[.!?](?:\s|$)", tail)
        tail = tail[:stop.end()] if stop else tail
        attribution = " ".join(x for x in [lead, *gaps, tail] if x.strip())
        # Text before the first quote mark in the same paragraph + after the last one.
        if not verb_re.search(attribution) and not re.search(r":\s*$", text[p_start:first.start]):
            if _word_count(text[first.start:last.end]) < 8:
                continue
        speaker = _speaker(attribution)
        context = attribution
        role = _role(context, roles)
        if role is None:
            context = _introduction(text, speaker, first.start) or ""
            role = _role(context, roles)
        if role is None and first.paragraph > 0:
            prev_s, prev_e = paras[first.paragraph - 1]
            role = _role(_strip_quotes(text[prev_s:prev_e]), roles)
        ev = Evidence(first.start, last.end, p_start, lp_end, "quote:" + (role or "other"))
        quotes.append(Quote(first.start, last.end, speaker, role or "other", ev))
    return quotes


def _strip_quotes(s: str) -> str:
    return re.sub(r"[“\"][^”\"]*[”\"]", " ", s)


def _speaker(attribution: str) -> str | None:
    m = re.search(r"((?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w'’-]+)\s+(?:said|says|added|told|explained|stated|wrote)", attribution)
    if m:
        return m.group(1)
    m = re.search(r"(?:said|says|added|according to)\s+((?:[A-Z][\w.'’-]*\s+){0,4}[A-Z][\w'’-]+)", attribution)
    return m.group(1) if m else None


def _introduction(text: str, speaker: str | None, before: int) -> str | None:
    """The sentence that first introduces a speaker named by surname ("Pruett said")."""
    if not speaker:
        return None
    surname = speaker.split()[-1]
    for m in re.finditer(re.escape(surname), text[:before]):
        start = max(text.rfind("\n", 0, m.start()), text.rfind(". ", 0, m.start())) + 1
        end_candidates = [i for i in (text.find(". ", m.end()), text.find("\n", m.end())) if i >= 0]
        end = min(end_candidates) if end_candidates else len(text)
        return _strip_quotes(text[start:end])
    return None


def _role(description: str, roles) -> str | None:
    best = None
    for role, pattern in roles:
        m = pattern.search(description)
        if m and role != "other":
            return role
        if m and best is None:
            best = role
    return best
