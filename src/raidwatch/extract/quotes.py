"""Direct quotations, their speakers and the speakers' roles.

A quotation is text in quotation marks attributed to a speaker. Pieces of
one quotation interrupted by the attribution ("..., said X. "...") and
quotations continued over paragraphs UK-style count once; scare quotes,
names, slogans, sign text and words attributed to vague collectives
("critics say ...") do not count.

How a quotation gets its role:

1. The attribution is read from the quotation's own sentence only: the words
   after the closing mark (`"...," said X, a Y.` / `"...," X said.`), between
   the pieces, or before the opening mark (`X, a Y, said: "..."`,
   `X said the raids were "..."`, `according to X, who said "..."`).
   Quoted words never count as evidence of who is speaking.
2. That speaker description is matched against role cues (lexicons/quotes.yaml)
   in three tiers: titles (Sheriff, Councillor, Judge), then the organisation
   spoken for (police, council, a rights network), then private people
   (a woman who sold sex, a resident, a lawyer).
3. When the description has no cue it is resolved to where the text
   introduced the speaker: a surname to its first mention ("Pruett said" ->
   "Sheriff Curtis Pruett"), a pronoun to the person the preceding sentences
   are about, "the spokesperson" to the earlier "a spokesperson for X",
   "the network" / "its" to the organisation named before, an abbreviation to
   its long form. As a last resort the subject of the preceding sentence in
   the same paragraph is used; otherwise the speaker is "other".
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from ..model import Evidence, Quote
from .literals import CuePattern, PatternIndex, folds_like_lower
from .registry import lexicon
from .text import Sentence, paragraphs, split_sentences, word_run_start

_TIERS = ("title", "organisation", "person")
_MAX_DEPTH = 4

# Patterns used per quotation, compiled once.
_ABBREVIATION = re.compile(r"\b[A-Z][A-Z&]{1,6}\b")
_INITIALS = re.compile(r"(?:[A-Z]\.?)+")
_WORD = re.compile(r"\w+")
_COLLECTIVE_WORD = re.compile(r"[\w'’-]+")
_PRONOUN_SUBJECT = re.compile(r"(?:he|she|they|it)(?:\s+\w+)?")
_SPACES = re.compile(r"\s+")
_ENDS_PUNCTUATED = re.compile(r"[.,!?]$")
_NAME_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_RIGHT_SINGLE_MARK = re.compile("’")
_SPACE_LOWER = re.compile(r"\s+[a-z]")
_BRACKETED_ABBREVIATION = re.compile(r"\(([A-Z][A-Za-z&]{1,7})\)")
_NO_SUBJECT_BEFORE = re.compile(r"(?i)\b(?:who|which|that|to|not|n't|she|he|they|we|i)\s+$")
_CLAUSE_START = re.compile(r"(?i)(?:,\s+|;\s+|\baccording to\s+|\band\s+(?=[A-Z]))")
_CLAUSE_END = re.compile(r"(?:;|\s+and\s+(?=[A-Z]))")
_SENTENCE_BREAK = re.compile(r"[.!?][\"”’']?\s+(?=[\"“]?[A-Z0-9])")
_LONG_FORM_WORD = re.compile(r"[\w'’.&-]+")
_ENDS_CLAUSE = re.compile(r"[,.!?:;—–-]\s*$")
_NAME_CANDIDATE = re.compile(r"[^\W\d_][\w'’.-]*")
_PERSON_PRONOUN = re.compile(r"(?i)(?:he|she|they)\b")
_NAMED_BY_OF = re.compile(r"\s+(?:of|for)\s+(?:the\s+)?[A-Z]")
_POSSESSIVE = re.compile(r"(?i)(?:its|their)\b")
_DEFINITE_NOUN = re.compile(r"(?i)(?:the|this|that)\s+(?:[\w'’-]+\s+)?([\w-]+)")
_TO_OR_NOT_BEFORE = re.compile(r"(?i)\b(?:to|not)\s+$")
_AGENT = re.compile(r"\s+by\s+(.+?)\s+as\s*$")
_PASSIVE_BEFORE = re.compile(r"(?i)\b(?:was|were|been|being|is|are|be)\s+$")
_CLAUSE_STOP = re.compile(r"[,.;]|$")
_WHO_BEFORE = re.compile(r"(?i),?\s*\bwho\s+(?:\w+\s+)?$")
_ACCORDING_TO = re.compile(r"(?i)\baccording to\s+")
_COLON_END = re.compile(r":\s*$")
_SENTENCE_END_MARK = re.compile(r"[.!?]$")


@dataclass
class _Segment:
    start: int  # offset of the opening mark
    end: int    # offset after the closing mark (or paragraph end when left open)
    paragraph: int
    closed: bool


@dataclass
class _Group:
    """One quotation: one or more pieces in quotation marks."""

    pieces: list[_Segment]
    role: str | None = None      # set once the quotation is resolved and counted
    speaker: str | None = None
    sent_first: int = 0
    sent_last: int = 0

    @property
    def start(self) -> int:
        return self.pieces[0].start

    @property
    def end(self) -> int:
        return self.pieces[-1].end


@dataclass(frozen=True)
class _Lex:
    speech: re.Pattern
    speech_first: re.Pattern  # a speech verb and what follows it ("said X, a Y")
    reporting: re.Pattern    # speech and other reporting verbs: "X welcomed ...", "X said ..."
    subject_end: re.Pattern  # any verb that ends a sentence's subject
    cues: dict  # tier -> [(role, case-insensitive cue)]
    role_order: tuple
    not_quote: re.Pattern
    collectives: frozenset
    pronouns: frozenset
    person_nouns: frozenset
    person_noun_re: re.Pattern
    org_noun_re: re.Pattern
    not_names: frozenset
    cue_index: dict  # tier -> PatternIndex over that tier's cues: only cues whose words occur run
    tiered_cues: tuple  # every tier's cues, tier after tier: [(tier, role, cue)]
    tiered_index: PatternIndex  # over tiered_cues: one pass finds the candidates of all tiers


def _alternation(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


def _verb_alternation(words) -> str:
    """Verbs in lower case; a capital is allowed only for "According to" opening a sentence."""
    alt = _alternation(w.lower() for w in words)
    return alt + ("|According\\s+to" if any(w.lower() == "according to" for w in words) else "")


@lru_cache(maxsize=1)
def _lex() -> _Lex:
    lex = lexicon("quotes")
    speech = _verb_alternation(lex["speech_verbs"])
    reporting = _verb_alternation(set(lex["speech_verbs"]) | set(lex.get("reporting_verbs", [])))
    subject = _verb_alternation(set(lex["speech_verbs"]) | set(lex.get("reporting_verbs", []))
                                | set(lex.get("subject_verbs", [])))
    cues: dict[str, list[tuple[str, CuePattern]]] = {tier: [] for tier in _TIERS}
    sources: dict[str, list[str]] = {tier: [] for tier in _TIERS}
    for role in lex["role_order"]:
        spec = lex["roles"].get(role) or {}
        if isinstance(spec, list):  # a flat list of cues is treated as the organisation tier
            spec = {"organisation": spec}
        for tier in _TIERS:
            for pattern in spec.get(tier) or []:
                cues[tier].append((role, CuePattern(pattern, "", "")))
                sources[tier].append(pattern)
    ana = lex.get("anaphora", {})
    return _Lex(
        speech=re.compile(rf"\b(?:{speech})\b"),
        speech_first=re.compile(rf"(?s)(?:{speech})\b\s*(.*)"),
        reporting=re.compile(rf"\b(?:{reporting})\b"),
        subject_end=re.compile(rf"\b(?:{subject})\b"),
        cues=cues,
        role_order=tuple(lex["role_order"]),
        not_quote=re.compile(rf"(?i)\b(?:{_alternation(lex.get('not_quote_cues', []))})\W{{0,3}}$"),
        collectives=frozenset(w.lower() for w in lex.get("collectives", [])),
        pronouns=frozenset(w.lower() for w in ana.get("pronouns", [])),
        person_nouns=frozenset(w.lower() for w in ana.get("person_nouns", [])),
        person_noun_re=re.compile(rf"(?i)\b(?:{_alternation(ana.get('person_nouns', []))})\b"),
        org_noun_re=re.compile(rf"(?i)\b(?:{_alternation(ana.get('organisation_nouns', []))})\b"),
        not_names=frozenset(w.lower() for w in ana.get("not_names", [])),
        cue_index={tier: PatternIndex(sources[tier]) for tier in _TIERS},
        tiered_cues=tuple((tier, role, cue) for tier in _TIERS for role, cue in cues[tier]),
        tiered_index=PatternIndex([source for tier in _TIERS for source in sources[tier]]),
    )


# ----------------------------------------------------------------------------
# Quotation marks


_OPEN_BEFORE = " \t([{—–-:;/"
_MARKS = re.compile("[“«\"”‘]")


def _segments(text: str, paras: list[tuple[int, int]]) -> list[_Segment]:
    """Spans in quotation marks, paragraph by paragraph.

    Double marks (“...”, "...", «...») are used; a ” standing where an opening
    mark belongs (after a space, before a word) opens too. Only when the text
    has no double marks at all are single curly marks (‘...’) read as quotation
    marks, with a ’ inside or right after a word ("don’t", "workers’ rights") taken
    as an apostrophe.
    """
    body = text.split("\n", 1)[1] if "\n" in text else text
    single = not any(c in body for c in "“”\"«»") and "‘" in body
    segs: list[_Segment] = []
    for p_index, (ps, pe) in enumerate(paras):
        i = ps
        while i < pe:
            mark = _MARKS.search(text, i, pe)  # jump to the next quotation mark
            if mark is None:
                break
            i = mark.start()
            ch = text[i]
            after_space = i == ps or text[i - 1] in _OPEN_BEFORE
            before_word = i + 1 < pe and not text[i + 1].isspace()
            if ch in "“«" or (ch == '"' and (i == ps or not text[i - 1].isalnum())) \
                    or (ch == "”" and after_space and before_word) or (single and ch == "‘" and after_space):
                j = _closing(text, i, pe, ch)
                if j < 0:
                    segs.append(_Segment(i, pe, p_index, False))
                    break
                if j > i + 1:
                    segs.append(_Segment(i, j + 1, p_index, True))
                i = j + 1
            else:
                i += 1
    return segs


def _closing(text: str, i: int, end: int, opener: str) -> int:
    """Offset of the mark closing the quotation opened at i, or -1."""
    if opener == "‘":
        for m in _RIGHT_SINGLE_MARK.finditer(text[i + 1:end]):
            j = i + 1 + m.start()
            nxt = text[j + 1:j + 2]
            if nxt.isalnum():
                continue  # don’t, O’Brien
            if text[j - 1] in "sS" and _SPACE_LOWER.match(text[j + 1:j + 4]) and text[j - 2:j - 1].isalpha():
                continue  # workers’ rights
            return j
        return -1
    closers = {"“": "”\"", '"': '"', "«": "»", "”": "”\""}[opener]
    positions = [k for k in (text.find(c, i + 1, end) for c in closers) if k >= 0]
    return min(positions) if positions else -1


def _inner(text: str, seg: _Segment) -> str:
    return text[seg.start + 1:seg.end - (1 if seg.closed else 0)]


def _mask(text: str, segs: list[_Segment]) -> str:
    """The text with quoted words blanked out (same length, same offsets).

    A final . ! ? of the quoted words and an initial capital are kept so that
    sentences still end and start there. The segments are disjoint and in text order.
    """
    pieces = []
    cursor = 0
    for seg in segs:
        a, b = seg.start + 1, seg.end - (1 if seg.closed else 0)
        inner = text[a:b].rstrip()
        blank = "\n".join(" " * len(line) for line in text[a:b].split("\n"))
        if inner[:1].isupper() or inner[:1].isdigit():
            blank = inner[0] + blank[1:]  # a capital after the opening mark starts a sentence
        if inner and inner[-1] in ".!?":
            last = len(inner) - 1
            blank = blank[:last] + inner[-1] + blank[last + 1:]
        pieces += (text[cursor:a], blank)
        cursor = b
    pieces.append(text[cursor:])
    return "".join(pieces)


# ----------------------------------------------------------------------------
# The document with its narrative sentences


class _Doc:
    def __init__(self, text: str):
        self.lex = _lex()
        self.text = text
        self.paras = paragraphs(text)
        self.segs = _segments(text, self.paras)
        self.masked = _mask(text, self.segs)
        self.sents: list[Sentence] = _merge_after_abbreviations(self.masked, split_sentences(self.masked))
        self.starts = [s.start for s in self.sents]
        self.groups: list[_Group] = []
        self._acronyms: dict[str, str] | None = None
        self._initials_cache: dict[str, str | None] = {}

    def sent_at(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    # -- abbreviations -------------------------------------------------------

    @property
    def acronyms(self) -> dict[str, str]:
        """Long forms of abbreviations the text introduces: "Houston Police Department (HPD)"."""
        if self._acronyms is None:
            found: dict[str, str] = {}
            for m in _BRACKETED_ABBREVIATION.finditer(self.masked):
                abbr = m.group(1)
                if sum(c.isupper() for c in abbr) < 2:
                    continue
                long = _long_form(self.masked[max(0, m.start() - 160):m.start()], abbr)
                if long:
                    found.setdefault(abbr, long)
            self._acronyms = found
        return self._acronyms

    def expand(self, desc: str) -> str:
        """The description with every abbreviation followed by its long form, when the text gives one."""
        def repl(m: re.Match) -> str:
            abbr = m.group(0)
            long = self.acronyms.get(abbr) or self._initials(abbr)
            return f"{abbr} ({long})" if long else abbr
        return _ABBREVIATION.sub(repl, desc)

    def _initials(self, abbr: str) -> str | None:
        """A run of capitalised words elsewhere in the text whose initials spell the abbreviation."""
        if abbr not in self._initials_cache:
            self._initials_cache[abbr] = self._find_initials(abbr)
        return self._initials_cache[abbr]

    def _find_initials(self, abbr: str) -> str | None:
        letters = [c for c in abbr if c.isalpha()]
        if not 2 <= len(letters) <= 6:
            return None
        connector = r"(?:(?:of|and|for|the|de|du|des|la|le|&)\s+)*"
        word = r"{}[\w'’.-]*\s+"
        pattern = connector.join(word.format(re.escape(c.upper())) for c in letters)
        m = re.search(r"\b" + pattern, self.masked + " ")
        return m.group(0).strip() if m else None

    # -- phrases and subjects -----------------------------------------------

    def narrative(self, i: int) -> str:
        s = self.sents[i]
        return self.masked[s.start:s.end]

    def subject(self, i: int) -> tuple[str, int]:
        """The words of sentence i before its first reporting verb (its subject, roughly)."""
        found = self.reported_subject(i, self.lex.subject_end)
        if found is not None:
            return found, self.sents[i].start
        s = self.sents[i]
        return self.masked[s.start:min(s.end, s.start + 200)], s.start

    def reported_subject(self, i: int, verbs: re.Pattern | None = None) -> str | None:
        """The subject of sentence i when a reporting verb follows it ("X, a Y, said ..."), else None."""
        s = self.sents[i]
        body = self.masked[s.start:s.end]
        for m in (verbs or self.lex.reporting).finditer(body):
            before = body[:m.start()]
            if _NO_SUBJECT_BEFORE.search(before):
                continue
            if not before.strip(" ,\"“”'"):
                continue
            return before
        return None

    def phrase_around(self, a: int, b: int) -> tuple[str, int]:
        """The noun phrase around a mention at [a, b): back to the clause start, on to its verb."""
        i = self.sent_at(a)
        s = self.sents[i]
        left = s.start
        before = self.masked[s.start:a]
        for m in _CLAUSE_START.finditer(before):
            if m.end() <= len(before):
                left = s.start + m.end()
        after = self.masked[b:s.end]
        right = s.end
        m = self.lex.subject_end.search(after)
        if m:
            right = b + m.start()
        m2 = _CLAUSE_END.search(after)
        if m2 and b + m2.start() < right:
            right = b + m2.start()
        right = min(right, b + 160)
        return self.masked[left:right], left


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    """Words that end with a full stop without ending the sentence ("Maj.", "U.S.", "Sgt.")."""
    words = set(lexicon("quotes").get("abbreviations", []))
    words |= set(lexicon("text").get("abbreviations", []))
    return frozenset(w.lower().rstrip(".") for w in words)


_ABBREVIATION_END = re.compile(r"([\w.]+)\.[\"”’']?\s*$")


def _ends_with_abbreviation(chunk: str) -> bool:
    end = chunk.rstrip()
    if end[-1:] in ("\"", "”", "’", "'"):
        end = end[:-1]
    if not end.endswith("."):
        return False  # cannot match _ABBREVIATION_END: skip the search
    m = _ABBREVIATION_END.search(chunk, word_run_start(chunk, len(end)))
    if not m:
        return False
    word = m.group(1)
    if _INITIALS.fullmatch(word) and len(word.replace(".", "")) <= 3:
        return True  # initials: "U.S.", "J."
    return word.lower() in _abbreviations()


def _has_sentence_break(s: str) -> bool:
    for m in _SENTENCE_BREAK.finditer(s):
        if s[m.start()] != "." or not _ends_with_abbreviation(s[:m.start() + 1]):
            return True
    return False


def _merge_after_abbreviations(text: str, sents: list[Sentence]) -> list[Sentence]:
    """Undo sentence breaks after title abbreviations the shared splitter does not know ("Maj. Sonya Patel")."""
    merged: list[Sentence] = []
    for s in sents:
        prev = merged[-1] if merged else None
        if prev and prev.paragraph == s.paragraph and _ends_with_abbreviation(text[prev.start:prev.end]):
            merged[-1] = Sentence(prev.start, s.end, text[prev.start:s.end], prev.paragraph, prev.index)
        elif s.index == len(merged):
            merged.append(s)  # already numbered as it would be renumbered
        else:
            merged.append(Sentence(s.start, s.end, s.text, s.paragraph, len(merged)))
    return merged


def _long_form(before: str, abbr: str) -> str | None:
    """The words right before "(ABBR)" that the abbreviation stands for."""
    words = _LONG_FORM_WORD.findall(before)
    letters = [c.lower() for c in abbr if c.isalpha()]
    connectors = {"of", "and", "for", "the", "de", "du", "des", "la", "le", "&", "d'"}
    picked: list[str] = []
    k = len(letters) - 1
    for w in reversed(words):
        if k < 0:
            break
        if w.lower() in connectors and picked:
            picked.append(w)
            continue
        if w[0].lower() == letters[k]:
            picked.append(w)
            k -= 1
            continue
        break
    if k < 0:
        return " ".join(reversed(picked))
    run = []
    for w in reversed(words):  # fallback: the capitalised name right before the brackets
        if w[0].isupper() or (w.lower() in connectors and run):
            run.append(w)
            if len(run) >= 6:
                break
        else:
            break
    while run and run[-1].lower() in connectors:
        run.pop()
    return " ".join(reversed(run)) or None


# ----------------------------------------------------------------------------
# Grouping pieces into quotations


def _word_count(s: str, limit: int | None = None) -> int:
    """The number of words in `s`, counted up to `limit` (enough for a comparison with a bound)."""
    if limit is None:
        return len(_WORD.findall(s))
    return sum(1 for _ in islice(_WORD.finditer(s), limit))


def _post_desc(doc: _Doc, a: int, b: int) -> tuple[str, int] | None:
    """Speaker words right after a closing mark: `said X, a Y` or `X said` or `according to X`."""
    raw = doc.masked[a:b]
    lead = len(raw) - len(raw.lstrip(" ,;:—–-\u00a0\n"))
    part = raw[lead:]
    base = a + lead
    if not part.strip():
        return None
    m = doc.lex.speech_first.match(part)
    if m and m.group(1).strip():
        desc = m.group(1)
        return desc.rstrip(" .,;:!?\"”\n"), base + m.start(1)
    m = doc.lex.speech.search(part)
    if m and m.start() > 0:
        desc = part[:m.start()]
        if _word_count(desc, 17) <= 16 and not _has_sentence_break(desc.strip()):
            return desc, base
    return None


def _joins(doc: _Doc, last: _Segment, seg: _Segment) -> bool:
    """Is `seg` the same quotation as `last`, interrupted only by its attribution?"""
    gap = doc.masked[last.end:seg.start]
    if not gap.strip():
        return True
    if not _ENDS_CLAUSE.search(_inner(doc.text, last)):
        return False  # the first piece is a phrase inside a sentence ("the "rescue" raids")
    s1 = doc.sent_at(last.start)
    s2 = doc.sent_at(seg.start)
    if s2 - s1 > 1 or (s2 == s1 + 1 and doc.sents[s1].end <= last.end):
        return False
    if s2 == s1 + 1 and doc.masked[doc.sents[s2].start:seg.start].strip():
        return False
    if _word_count(gap, 31) > 30 or not _post_desc(doc, last.end, min(seg.start, doc.sents[s1].end)):
        return False
    # A new attribution after the second piece names a different speaker: two quotations.
    tail_end = doc.sents[doc.sent_at(seg.end - 1)].end if seg.closed else seg.end
    after = _post_desc(doc, seg.end, tail_end) if seg.closed else None
    if after:
        before = _post_desc(doc, last.end, seg.start)
        words_after = after[0].strip().lower()
        if words_after not in doc.lex.pronouns and before and _surname(doc, before[0]) != _surname(doc, after[0]):
            return False
    return True


def _groups(doc: _Doc) -> list[_Group]:
    groups: list[_Group] = []
    for seg in doc.segs:
        if groups:
            last = groups[-1].pieces[-1]
            para_start = doc.paras[seg.paragraph][0]
            if not last.closed and seg.paragraph == last.paragraph + 1 and seg.start == para_start:
                groups[-1].pieces.append(seg)  # UK-style continuation over paragraphs
                continue
            if seg.paragraph == last.paragraph and last.closed and _joins(doc, last, seg):
                groups[-1].pieces.append(seg)
                continue
        groups.append(_Group([seg]))
    return groups


# ----------------------------------------------------------------------------
# Roles


_RELATIVE = re.compile(r"(?i)(?:,\s*|\s+)(?:who|whose|which|where)\b")


def _cue_role(doc: _Doc, desc: str) -> str | None:
    """Role named by the cues in a speaker description (tiered; see quotes.yaml).

    The head of the description ("Jane Doe, a lawyer") is read before any
    relative clause ("..., who lives next to the police station").
    """
    if not desc or not desc.strip():
        return None
    rel = _RELATIVE.search(desc)
    if rel and rel.start() > 0:
        return _tiered_role(doc, desc[:rel.start()]) or _tiered_role(doc, desc)
    return _tiered_role(doc, desc)


# Where a speaker lives or stands is no role: "who lives next to the police station".
_LOCATIVE = re.compile(r"(?i)\b(?:near|nearby|next\s+(?:door\s+)?to|opposite|above|below|beneath|behind|outside|"
                       r"beside|across\s+(?:the\s+(?:road|street)\s+)?from|close\s+to|around\s+the\s+corner\s+from|"
                       r"down\s+the\s+(?:road|street)\s+from|a\s+block\s+from|yards\s+from)\b[^,;]*")


def _tiered_role(doc: _Doc, desc: str) -> str | None:
    """Role of the first cue in a description, tier by tier; remembered per document."""
    cache = doc.__dict__.setdefault("_role_cache", {})
    if desc not in cache:
        cache[desc] = _tiered_role_uncached(doc, desc)
    return cache[desc]


def _finditer(cue: CuePattern, text: str, lowered: str):
    """The matches of `cue` in `text` (only their offsets are used), as its (?i) form finds them."""
    pattern, haystack = cue.pick(text, lowered, strict=True)
    return pattern.finditer(haystack)


def _tiered_role_uncached(doc: _Doc, desc: str) -> str | None:
    desc = doc.expand(_LOCATIVE.sub(" ", desc))
    lowered = desc.lower()
    # what cue.pick(desc, lowered, strict=True) decides for every cue with a lower-cased form
    on_lowered = len(lowered) == len(desc) and folds_like_lower(desc)
    order = doc.lex.role_order
    found = []
    found_tier = None
    # the candidates come tier after tier: the first tier with a match decides
    for i in doc.lex.tiered_index.candidates(desc, lowered):
        tier, role, cue = doc.lex.tiered_cues[i]
        if found and tier != found_tier:
            break
        # a cue's first match is its earliest: later ones never win the choice below
        m = cue.fast.search(lowered) if on_lowered and cue.fast is not None else cue.slow.search(desc)
        if m is not None:
            found.append((m.start(), -(m.end() - m.start()), role))
            found_tier = tier
    if not found:
        return None
    if found_tier == "person":
        best = min(found, key=lambda f: (f[2] == "other", f[0], f[1], order.index(f[2])))
    else:
        best = min(found, key=lambda f: (f[0], f[1], order.index(f[2])))
    return best[2]


_PLACE_WORDS = re.compile(r"(?i)\b(?:in|at|of|from|near|to|on|for|with|by|outside|across|around|the|a|an|its|their|"
                         r"his|her|based|into|about|against|between|than|whose|where)\W*$")


def _name_tokens(doc: _Doc, desc: str) -> list[tuple[str, int]]:
    """The first run of capitalised personal-name words in a description, with offsets.

    A run after a preposition or article ("in Annandale", "the Collectif ...")
    names a place or an organisation, not the speaker, and is skipped.
    """
    run: list[tuple[str, int]] = []
    skipping = False
    for m in _NAME_CANDIDATE.finditer(desc):
        word = m.group(0).rstrip(".").removesuffix("'s").removesuffix("’s")
        name_like = (len(word) > 1 and word[:1].isupper() and not word.isupper()
                     and word.lower() not in doc.lex.not_names and not doc.lex.org_noun_re.fullmatch(word))
        if name_like:
            if run and desc[run[-1][1] + len(run[-1][0]):m.start()].strip(" "):
                break  # a second name further on
            if not run and (skipping or _PLACE_WORDS.search(desc[:m.start()])):
                skipping = True
                continue
            run.append((word, m.start()))
        elif run:
            break
        else:
            skipping = False
    return run


def _surname(doc: _Doc, desc: str) -> str | None:
    run = _name_tokens(doc, desc)
    return run[-1][0] if run else None


def _is_collective(doc: _Doc, desc: str) -> bool:
    words = _COLLECTIVE_WORD.findall(desc.strip().lower())
    while words and words[0] in {"but", "and", "however", "some", "many", "most", "other", "several", "few", "a",
                                 "local", "the", "both", "all", "those", "these"}:
        words = words[1:]
    if not words or words[0] not in doc.lex.collectives:
        return False
    return not _name_tokens(doc, desc.split(" ", 1)[1] if " " in desc.strip() else "")


def _person_like(doc: _Doc, subject: str, pronoun: str) -> bool:
    if not subject.strip():
        return False
    low = subject.strip().lower()
    if low.split()[0] in doc.lex.pronouns or _PERSON_PRONOUN.match(low):
        return True  # a pronoun subject: resolved further back
    if _name_tokens(doc, subject) or doc.lex.person_noun_re.search(subject) or _cue_role(doc, subject):
        return True
    return pronoun in ("it", "they") and bool(doc.lex.org_noun_re.search(subject))


class _Resolver:
    def __init__(self, doc: _Doc):
        self.doc = doc
        self.current: _Group | None = None  # the quotation being resolved

    def role(self, desc: str, pos: int, depth: int = 0) -> tuple[str, str]:
        """(role, how) for a speaker description found at offset pos."""
        doc = self.doc
        d = desc.strip(" ,.;:—–-\"“”\n")
        low = d.lower()
        if depth > _MAX_DEPTH:
            return "other", "depth"
        if low in doc.lex.pronouns or _PRONOUN_SUBJECT.fullmatch(low):
            return self.pronoun(low.split()[0], pos, depth)
        role = _cue_role(doc, d)
        if role:
            return role, "cue"
        found = self.by_name(d, pos)
        if found:
            return found, "name"
        found = self.by_anaphor(d, pos, depth)
        if found:
            return found
        found = self.previous_subject(pos)
        if found:
            return found, "previous sentence"
        return "other", "default"

    def by_name(self, desc: str, pos: int) -> str | None:
        """Role from the first mention of the speaker's surname."""
        doc = self.doc
        surname = _surname(doc, desc)
        if not surname or len(surname) < 2:
            return None
        for m in re.finditer(rf"\b{re.escape(surname)}\b", doc.masked[:pos]):
            phrase, _ = doc.phrase_around(m.start(), m.end())
            role = _cue_role(doc, phrase)
            if role:
                return role
            i = doc.sent_at(m.start())
            subject, _ = doc.subject(i)
            if m.start() - doc.sents[i].start <= len(subject):
                role = _cue_role(doc, subject)
                if role:
                    return role
            return _cue_role(doc, doc.narrative(i))
        return None

    def by_anaphor(self, desc: str, pos: int, depth: int) -> tuple[str, str] | None:
        """`the network`, `its director`, `the spokesperson`: the organisation or person named before."""
        doc = self.doc
        text_before = doc.masked[:pos]
        for m in doc.lex.org_noun_re.finditer(desc):
            noun = m.group(0)
            after = desc[m.end():]
            if _NAMED_BY_OF.match(after):
                continue  # "the Department of Health" is named, not anaphoric
            # the nearest earlier proper name ending with this noun, e.g. "... Sex Workers' Network"
            best = None
            for n in re.finditer(rf"(?:[A-Z][\w'’&.-]*\s+)+{re.escape(noun.capitalize())}\b", text_before):
                best = n
            if best:
                role = _cue_role(doc, doc.phrase_around(best.start(), best.end())[0]) or _cue_role(doc, best.group(0))
                if role:
                    return role, "organisation named before"
            for n in re.finditer(rf"(?i)\b(?:a|an)\s+(?:[\w'’-]+\s+){{0,4}}{re.escape(noun)}\b", text_before):
                best = n
            if best:
                role = _cue_role(doc, doc.phrase_around(best.start(), best.end())[0])
                if role:
                    return role, "organisation described before"
        if doc.lex.org_noun_re.search(desc) and not _name_tokens(doc, desc):
            found = self.recent_organisation(pos)
            if found:
                return found, "organisation mentioned before"
        if _POSSESSIVE.match(desc.strip()):
            found = self.previous_subject(pos, any_paragraph=True)
            if found:
                return found, "its: previous subject"
        m = _DEFINITE_NOUN.fullmatch(desc.strip())
        if m and m.group(1).lower() in doc.lex.person_nouns:
            noun = m.group(1)
            best = None
            for n in re.finditer(rf"(?i)\b{re.escape(noun)}\b", text_before):
                best = n
            if best:
                phrase, start = doc.phrase_around(best.start(), best.end())
                if phrase.strip().lower() != desc.strip().lower():
                    role, _ = self.role(phrase, start, depth + 1)
                    return role, "the " + noun.lower()
        return None

    def recent_organisation(self, pos: int, sentences: int = 4) -> str | None:
        """Role of the organisation mentioned last in the few sentences before pos."""
        doc = self.doc
        j = doc.sent_at(pos)
        body_end = pos
        for i in range(j, max(-1, j - sentences - 1), -1):
            s = doc.sents[i]
            body = doc.expand(doc.masked[s.start:min(s.end, body_end)])
            lowered = body.lower()
            organisation = doc.lex.cues["organisation"]
            found = [(m.start(), role)
                     for role, cue in (organisation[i] for i in doc.lex.cue_index["organisation"].candidates(body, lowered))
                     for m in _finditer(cue, body, lowered)]
            if found:
                return max(found)[1]
            body_end = s.start
        return None

    def previous_subject(self, pos: int, any_paragraph: bool = False) -> str | None:
        """Role of the subject of the sentence before pos (same paragraph unless any_paragraph)."""
        doc = self.doc
        i = doc.sent_at(pos)
        para = doc.sents[i].paragraph
        # the sentence the description sits in may itself start with a quotation; step before it
        j = i - 1
        while j >= 0 and (any_paragraph or doc.sents[j].paragraph == para):
            body = doc.narrative(j)
            if body.strip(" \"“”.,!?"):
                # only a sentence that reports what someone said or did ("The X Alliance said ...")
                # introduces the next speaker
                subject = doc.reported_subject(j)
                return _cue_role(doc, subject) if subject else None
            j -= 1
        return None

    def pronoun(self, pronoun: str, pos: int, depth: int) -> tuple[str, str]:
        """he/she/they: the person the preceding sentences (or the previous quotation) are about."""
        doc = self.doc
        i = doc.sent_at(pos)
        # start before the sentence in which the quotation begins
        group = self.current
        j = (group.sent_first if group and group.sent_first <= i else i) - 1
        para0 = doc.sents[j + 1].paragraph if j + 1 < len(doc.sents) else 0
        while j >= 0 and para0 - doc.sents[j].paragraph <= 3:
            earlier = next((g for g in doc.groups if g.role and g.sent_first <= j <= g.sent_last), None)
            if earlier:
                return earlier.role, "pronoun: previous quotation"
            body = doc.narrative(j)
            if body.strip(" \"“”.,!?"):
                subject, start = doc.subject(j)
                if pronoun in ("he", "she") and _is_collective(doc, subject):
                    j -= 1
                    continue
                if _person_like(doc, subject, pronoun):
                    if subject.strip().lower().split()[0] in doc.lex.pronouns:
                        return self.pronoun(pronoun, start, depth + 1) if depth < _MAX_DEPTH else ("other", "depth")
                    role, _ = self.role(subject, start, depth + 1)
                    return role, "pronoun: " + subject.strip()[:40]
            j -= 1
        return "other", "pronoun unresolved"


# ----------------------------------------------------------------------------
# Attribution of one quotation


@dataclass
class _Attribution:
    desc: str | None = None  # the words naming or describing the speaker
    pos: int = 0             # their offset in the text
    passive: bool = False    # "we were told: ..." - an unidentified speaker


def _lead_desc(doc: _Doc, lead_start: int, quote_start: int) -> _Attribution | None:
    lead = doc.masked[lead_start:quote_start]
    if not lead.strip():
        return None
    verbs = list(doc.lex.speech.finditer(lead))
    for m in reversed(verbs):
        before = lead[:m.start()]
        if _TO_OR_NOT_BEFORE.search(before):
            continue
        agent = _AGENT.match(lead[m.end():])
        if agent:  # "..., described by police as "...""
            return _Attribution(agent.group(1), lead_start + m.end() + agent.start(1))
        if not m.group(0).lower().startswith(("according", "quoted")) and _PASSIVE_BEFORE.search(before):
            return _Attribution(None, lead_start + m.start(), passive=True)
        if m.group(0).lower().startswith("according"):
            end = _CLAUSE_STOP.search(lead[m.end():]).start()
            return _Attribution(lead[m.end():m.end() + end], lead_start + m.end())
        who = _WHO_BEFORE.search(before)
        if who:
            before = before[:who.start()]
        cut = 0
        for c in _ACCORDING_TO.finditer(before):
            cut = c.end()
        return _Attribution(before[cut:], lead_start + cut)
    if _COLON_END.search(lead):
        return _Attribution(lead.rstrip()[:-1], lead_start)
    return None


def _attribution(doc: _Doc, group: _Group) -> _Attribution | None:
    first, last = group.pieces[0], group.pieces[-1]
    # between the pieces, then after the last piece, then before the first one
    for a, b in zip(group.pieces, group.pieces[1:]):
        if a.paragraph == b.paragraph:
            found = _post_desc(doc, a.end, b.start)
            if found:
                return _Attribution(*found)
    if last.closed:
        end = doc.sents[doc.sent_at(last.end - 1)].end
        if end > last.end:
            found = _post_desc(doc, last.end, end)
            if found:
                return _Attribution(*found)
    found = _lead_desc(doc, doc.sents[doc.sent_at(first.start)].start, first.start)
    if found is None and first.paragraph > 0 and first.start == doc.paras[first.paragraph][0]:
        # "The force said in a statement:" closing the paragraph before
        p_start, p_end = doc.paras[first.paragraph - 1]
        if doc.masked[p_start:p_end].rstrip().endswith(":"):
            found = _lead_desc(doc, doc.sents[doc.sent_at(p_end - 1)].start, p_end)
    return found


def _not_a_quotation(doc: _Doc, group: _Group) -> str | None:
    """Why the marks hold no quotation (scare quotes, names, slogans, signs), or None."""
    inner = " ".join(_inner(doc.text, p) for p in group.pieces).strip()
    first = group.pieces[0]
    lead = doc.masked[doc.sents[doc.sent_at(first.start)].start:first.start]
    whole_sentence = not lead.strip() or lead.rstrip().endswith(":")
    if _word_count(inner, 4) < 4 and not (whole_sentence and _ENDS_PUNCTUATED.search(inner)):
        return "short"  # a few words inside a sentence: scare quotes or a name
    if len(group.pieces) == 1:
        words = [m.group() for m in islice(_NAME_WORD.finditer(inner), 9)]  # nine: too many for a name
        if 2 <= len(words) <= 8 and all(w[0].isupper() for w in words) and not _SENTENCE_END_MARK.search(inner):
            return "name"
    if doc.lex.not_quote.search(lead):
        return "name, sign or slogan"
    if first.paragraph == 0 and len(doc.paras) > 2:
        # a headline quoting words the story quotes again
        words = " ".join(_WORD.findall(inner.lower()))
        for other in doc.segs:
            if other.paragraph > 0 and words in " ".join(_WORD.findall(_inner(doc.text, other).lower())):
                return "headline repeats a quotation"
    return None


def find_quotes(text: str) -> list[Quote]:
    """Direct quotations with speaker descriptions and roles, in text order."""
    if not any(mark in text for mark in "\"“”«‘"):
        return []
    doc = _Doc(text)
    if not doc.sents:
        return []
    doc.groups = _groups(doc)
    resolver = _Resolver(doc)
    quotes: list[Quote] = []
    previous: _Group | None = None
    for group in doc.groups:
        first, last = group.pieces[0], group.pieces[-1]
        group.sent_first = doc.sent_at(first.start)
        group.sent_last = doc.sent_at(max(last.end - 1, last.start))
        if _not_a_quotation(doc, group):
            continue
        attribution = _attribution(doc, group)
        if attribution is None:
            # A paragraph that is nothing but a quotation right after one that was
            # attributed: the same speaker goes on (a separate quotation).
            p_start, p_end = doc.paras[first.paragraph]
            only_quote = first.start == p_start and not doc.masked[last.end:p_end].strip(" .,")
            if not (only_quote and previous is not None and previous.role
                    and previous.pieces[-1].paragraph == first.paragraph - 1):
                continue
            role, speaker, how = previous.role, previous.speaker, "same speaker as the paragraph before"
        elif attribution.passive:
            role, speaker, how = "other", None, "unidentified speaker"
        else:
            desc = (attribution.desc or "").strip(" ,.;:—–-\n")
            if not desc or _is_collective(doc, desc):
                continue
            resolver.current = group
            role, how = resolver.role(desc, attribution.pos)
            speaker = _SPACES.sub(" ", desc)[:120]
        group.role, group.speaker = role, speaker
        previous = group
        s_start = min(doc.sents[group.sent_first].start, first.start)
        s_end = max(doc.sents[group.sent_last].end, last.end)
        ev = Evidence(first.start, last.end, s_start, s_end, "quote:" + role, how)
        quotes.append(Quote(first.start, last.end, speaker, role, ev))
    return quotes
