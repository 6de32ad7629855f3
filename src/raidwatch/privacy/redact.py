"""Find and redact private individuals in news text.

News stories about raids print the names, ages and home addresses of the
women arrested. Everything raidwatch publishes goes through `redact` so that
those people are never re-exposed, while officials acting in office and
organisations stay named (their words and acts are the record).

How a name is judged (vocabularies in privacy.yaml):

1. Capitalised runs of 1-4 name words (particles "de", "van", "bin";
   hyphens; apostrophes "O'Brien"; initials "J."; honorifics "Ms.") are the
   candidates. Runs containing an organisation/place word ("Police", "Spa",
   "County", "Street") are not people.
2. A name directly after an official title ("Sheriff Grady Judd",
   "spokeswoman Amy Lee", "district attorney, Jane Roe") is an official and
   is kept -- this wins over every private signal below, so an officer who is
   himself arrested stays named.
3. A name is private when it has an age attached ("Jane Doe, 53,",
   "53-year-old Jane Doe", "Jane Doe (53)"), is the object of an arrest verb
   or noun ("police arrested X", "the arrest of X"), the subject of an arrest
   predicate ("X was charged", "X pleaded"), introduced by a private role
   ("spa owner X", "X, a sex worker,"), a member of an arrest list ("Those
   arrested were X, Y and Z"), or the head of a mugshot-list line.
4. An apposition with a public role ("X, a spokesperson for ...") keeps an
   otherwise unmarked name.
5. Names joined to a private name by "and"/commas are private too.
6. Every later mention of any word of a private name ("Lopez told the
   court", "Ms. Lopez") is private, except inside an official's name.
   Privacy wins a tie: a surname shared by a private person and an
   official is redacted when it stands alone.

Anything else (an unmarked name nobody arrested) is kept: the rules look for
signs of a private person, they do not redact every name.

Addresses: a house/business number + street words + street type, with unit
prefixes or suffixes. "the 4100 block of Main Street" is kept: it names no
home and is how US police publish locations.

Ages: an age directly attached to a private name is a separate "age" span
that touches the name span; `redact` folds the two into one "[person]":
"Jane Doe, 53, of Tampa" -> "[person], of Tampa",
"53-year-old Jane Doe was" -> "[person] was". An age in a looser apposition
("Jane Doe, a 53-year-old from Tampa") is left: once the name is gone it is
no longer attached to anyone, like "a 41-year-old woman from Bolton".
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

RULES_FILE = Path(__file__).with_name("privacy.yaml")

PLACEHOLDERS = {"person": "[person]", "address": "[address]", "age": "[person]"}


@dataclass(frozen=True)
class PrivateSpan:
    """A stretch of text that must not be published."""

    start: int
    end: int
    kind: str  # "person" | "age" | "address"
    reason: str  # which rule, e.g. "name with age", "arrest list", "street address"


# --- rules -------------------------------------------------------------------


def _phrase_alt(phrases: Iterable[str]) -> str:
    """Regex alternation of literal phrases, built as a trie so that the
    engine tests one branch per character instead of every phrase (the
    vocabularies have hundreds of entries). Spaces match any whitespace."""
    trie: dict = {}
    for phrase in {" ".join(p.split()) for p in phrases if p and p.strip()}:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}  # end of a phrase

    def emit(node: dict) -> str:
        ends = "" in node
        branches = [
            (r"\s+" if ch == " " else re.escape(ch)) + emit(child)
            for ch, child in sorted(node.items())
            if ch != ""
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            # longest first: try the longer continuation, else stop here
            return "(?:" + body + ")?"
        return body

    return emit(trie)


@dataclass
class _Rules:
    titles: frozenset[str]
    honorifics: frozenset[str]
    particles: frozenset[str]
    suffixes: frozenset[str]
    dotted: frozenset[str]  # words whose trailing dot does not end a sentence
    stop: frozenset[str]
    days: frozenset[str]
    months: frozenset[str]
    org: frozenset[str]
    soft_org: frozenset[str]
    regions: frozenset[str]
    demonyms: frozenset[str]
    official_before: re.Pattern
    private_before: re.Pattern
    arrest_before: re.Pattern
    age_before: re.Pattern
    age_after: re.Pattern
    arrest_after: re.Pattern
    apposition: re.Pattern
    role_in_phrase: re.Pattern
    public_roles: frozenset[str]
    who_private: re.Pattern
    who_public: re.Pattern
    public_suffix: re.Pattern
    org_after: re.Pattern
    date_before: re.Pattern
    list_triggers: list[re.Pattern]
    place_before: re.Pattern
    list_item_before: re.Pattern
    charge_words: re.Pattern
    line_item_after: re.Pattern
    address: re.Pattern
    public_addresses: frozenset[str]
    not_name_keys: frozenset[str]
    before_keywords: re.Pattern
    trigger_stems: tuple[str, ...]


def _strip_dot(word: str) -> str:
    return word.removesuffix(".")


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    """Compile the vocabularies once (the YAML is read on first use)."""
    with RULES_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)

    def words(key: str) -> list[str]:
        return [str(w) for w in data[key]]

    titles = frozenset(words("title_tokens"))
    honorifics = frozenset(words("honorifics"))
    suffixes = frozenset(words("name_suffixes"))
    dotted = frozenset(
        _strip_dot(w)
        for w in [*titles, *honorifics, *suffixes, *words("abbreviations"), *words("days"), *words("months")]
        if w.endswith(".")
    )
    months = frozenset(_strip_dot(w) for w in words("months"))
    days = frozenset(_strip_dot(w) for w in words("days"))

    official_titles = _phrase_alt(words("official_title_phrases"))
    private_roles = _phrase_alt(words("private_roles"))
    public_roles = _phrase_alt(words("public_roles"))
    # "<title> [for|of|with <organisation>][,] " right before the name
    official_before = re.compile(
        rf"\b(?:{official_titles})(?:\s+(?:for|of|with|at|from|in)\s+[^,.;:\n\"“”]{{1,60}}?,)?,?\s+$",
        re.IGNORECASE,
    )
    private_before = re.compile(
        rf"\b(?:{private_roles})(?:\s+(?:of|at|from|for|in)\s+[^,.;:\n\"“”]{{1,40}}?,)?\s*[,:–—]?\s+"
        rf"(?:(?:named|called|identified\s+as|known\s+as)\s+)?$",
        re.IGNORECASE,
    )
    arrest_verbs = _phrase_alt(words("arrest_verbs"))
    arrest_nouns = _phrase_alt(words("arrest_nouns"))
    arrest_before = re.compile(
        rf"(?:\b(?:{arrest_verbs})(?:\s+(?:and|or)\s+[a-z]+)?(?:\s+(?:both|also|later|then|again|each))?"
        rf"|\b(?:{arrest_nouns})\s+(?:of|against|for|on)"
        rf"|\bidentified\s+(?:\w+\s+){{1,3}}?as"
        rf"|\bnamed\s+(?:\w+\s+){{1,3}}?as)\s+$",
        re.IGNORECASE,
    )
    before_keywords = re.compile(
        r"\b(?:\d|"
        + _phrase_alt(
            [*words("official_title_phrases"), *words("private_roles"), *words("arrest_verbs"),
             *words("arrest_nouns"), *words("age_words"), "identified", "named"]
        )
        + ")",
        re.IGNORECASE,
    )
    age_word = "(?:" + "|".join(words("age_words")) + ")"
    number = rf"(?:\d{{1,3}}|{age_word}(?:-{age_word})?)"
    age_before = re.compile(
        rf"\b{number}[-\s](?:years?|yr)[-\s]old(?:\s+(?:{private_roles}))?,?\s+$",
        re.IGNORECASE,
    )
    age_after = re.compile(
        r"^(?:\s*,\s*(?:aged?\s+)?(?P<n>\d{1,3})(?=\s*(?:[,;.)\]:]|\s(?:and|&|of|from|who|was|were|is|has|had|both|each|all|said|years?|is)\b|\s*(?:\n|$)))"
        r"|\s*\(\s*(?:aged?\s+)?(?P<n2>\d{1,3})\s*\)"
        r"|\s*,?\s*\(?(?:DOB|D\.O\.B\.|date of birth|born)[:\s]+[\d/.\-]{6,10}\)?)",
        re.IGNORECASE,
    )
    passive = _phrase_alt(words("arrest_predicates_passive"))
    active = _phrase_alt(words("arrest_predicates_active"))
    arrest_after = re.compile(
        rf"^(?:\s*[,–—(][^.;:\"“”\n]{{0,80}}?[,–—)])?\s+(?:"
        rf"(?:was|were|is|are|has|have|had|will|would|could|may|remains?|remained)\s+"
        rf"(?:been\s+|be\s+|being\s+)?(?:(?:also|later|then|previously|subsequently|both|each|since|now|not|all|initially|originally|eventually|formally)\s+)?"
        rf"(?:{passive})|(?:{active})"
        rf"|as\s+(?:being\s+)?(?:{passive}|(?:a|the)\s+(?:suspect|defendant)))\b",
        re.IGNORECASE,
    )
    apposition = re.compile(
        r"^\s*(?:\(\s*\d{1,3}\s*\))?\s*,\s*(?:(?:aged?\s+)?\d{1,3}\s*,\s*)?(?P<phrase>[^,;.:()\n\"“”]{1,80})",
        re.IGNORECASE,
    )
    role_in_phrase = re.compile(rf"\b(?:{public_roles}|{private_roles})\b", re.IGNORECASE)
    who_private = re.compile(
        r"^who\s+(?:(?:was|were|is|are|had|has|have)\s+(?:been\s+)?(?:also\s+|later\s+)?"
        r"(?:arrested|charged|booked|detained|accused|cited|indicted|convicted|deported|jailed|sentenced)"
        r"|(?:works?|worked|lives?|lived|ran|runs|owns?|owned|manages?|managed|operates?|operated|rents?|rented)\b)",
        re.IGNORECASE,
    )
    who_public = re.compile(
        r"^who\s+(?:heads|headed|leads|led|oversees|oversaw|directs|chairs|represents|prosecuted|investigated|commands)\b",
        re.IGNORECASE,
    )
    public_suffix = re.compile(r"^,?\s+(?:MP|MSP|MLA|MPP|MEP|MHA|TD|QC|KC)\b")
    # "Jane Roe of SWOP Behind Bars": the words after "of" name an organisation
    org_after = re.compile(r"^\s+(?:of|with|from|at)\s+(?:the\s+)?(?P<org>(?:[A-Z][\w'’&.\-]*\s*){1,6})")
    date_before = re.compile(
        r"\b(?:in|on|since|until|till|by|from|during|last|next|early|late|mid|of|through|between|before|after|this)\s+$",
        re.IGNORECASE,
    )
    list_triggers = [re.compile(p, re.IGNORECASE) for p in data["list_triggers"]]
    place_before = re.compile(r"\b(?:of|from|in|at|near|to|into|with|on|outside|inside)\s+(?:the\s+)?$", re.IGNORECASE)
    list_item_before = re.compile(
        r"(?:^|[,;:•·\n(]|\band\b|\bwere\b|\bare\b|\bas\b|\binclude[sd]?\b|\bincluding\b)\s*$",
        re.IGNORECASE,
    )
    charge_words = re.compile(rf"\b(?:{_phrase_alt(words('charge_words'))})\b", re.IGNORECASE)
    line_item_after = re.compile(r"^\s*(?:[-–—:|]|\()")

    # street addresses
    types = _phrase_alt(_strip_dot(t) for t in words("street_types"))
    numbered = _phrase_alt(_strip_dot(t) for t in words("numbered_road_types"))
    road_prefix = _phrase_alt(_strip_dot(t) for t in words("numbered_road_prefixes"))
    units = _phrase_alt(_strip_dot(t) for t in words("unit_words"))
    french = _phrase_alt(words("french_street_types"))
    unit_prefix = rf"(?:(?:{units})\.?\s*#?\s*[0-9A-Z][0-9A-Za-z\-]{{0,4}}\s*(?:,\s*|/\s*|\s+))?"
    house = r"\d{1,6}[A-Za-z]?(?:\s*[-/]\s*\d{1,6}[A-Za-z]?)?"
    name_word = r"(?:[A-Z][\w'’\-]*\.?|\d{1,3}(?:st|nd|rd|th))"
    direction = r"(?:\s+(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West|Ouest|Est)\b\.?)?"
    unit_suffix = rf"(?:(?:,\s*|(?<!\.)\s+)(?:(?:{units})\.?|\#)\s*#?\s*[0-9A-Z][0-9A-Za-z\-]{{0,4}}\b)?"
    address = re.compile(
        rf"(?<![\w/.\-]){unit_prefix}{house},?\s+(?:"
        rf"(?:(?:[NSEW]\.?|North|South|East|West)\s+)?(?:(?:{road_prefix})\.?\s+)?(?:{numbered})\.?\s+\d{{1,4}}[A-Z]?\b"
        rf"|(?:{name_word}\s+){{1,5}}?(?:{types})\b\.?"
        rf"|(?:{french})\s+(?:(?:de\s+la|du|de|des|d['’])\s*)?[A-ZÀ-Ý][\w'’\-]*(?:[ \-]+[A-ZÀ-Ý][\w'’\-]*){{0,2}}"
        rf"){direction}{unit_suffix}"
    )

    return _Rules(
        titles=frozenset(_strip_dot(t) for t in titles),
        honorifics=frozenset(_strip_dot(h) for h in honorifics),
        particles=frozenset(words("particles")),
        suffixes=frozenset(_strip_dot(s) for s in suffixes),
        dotted=dotted,
        stop=frozenset(words("stop_tokens")),
        days=days,
        months=months,
        org=frozenset(_strip_dot(w) for w in words("organisation_tokens")),
        soft_org=frozenset(_strip_dot(w) for w in words("soft_organisation_tokens")),
        regions=frozenset(words("regions")),
        demonyms=frozenset(words("demonyms")),
        official_before=official_before,
        private_before=private_before,
        arrest_before=arrest_before,
        age_before=age_before,
        age_after=age_after,
        arrest_after=arrest_after,
        apposition=apposition,
        role_in_phrase=role_in_phrase,
        public_roles=frozenset(_fold(w) for w in words("public_roles")),
        who_private=who_private,
        who_public=who_public,
        public_suffix=public_suffix,
        org_after=org_after,
        date_before=date_before,
        list_triggers=list_triggers,
        place_before=place_before,
        list_item_before=list_item_before,
        charge_words=charge_words,
        line_item_after=line_item_after,
        address=address,
        public_addresses=frozenset(_fold(a) for a in words("public_addresses")),
        not_name_keys=frozenset(
            _fold(_strip_dot(w))
            for key in ("stop_tokens", "honorifics", "days")
            for w in words(key)
        ),
        trigger_stems=tuple(words("list_trigger_stems")),
        before_keywords=before_keywords,
    )


@lru_cache(maxsize=8192)
def _fold(s: str) -> str:
    """Case- and accent-insensitive key ("José" == "JOSE")."""
    decomposed = unicodedata.normalize("NFKD", s)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().replace("’", "'")


# --- tokens and capitalised runs ------------------------------------------------

# A word: letters, with inner apostrophes/hyphens, and an optional final dot.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_WORD = re.compile(rf"[^\W\d_](?:[^\W\d_]|[{_MARKS}])*(?:['’\-][^\W\d_](?:[^\W\d_]|[{_MARKS}])*)*\.?")
_JOIN_GAP = re.compile(r"[ \t\u00a0]*")


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    text: str  # without a sentence-final dot or possessive 's
    breaks: bool  # the run ends after this token (sentence dot, possessive)
    cap: bool
    particle: bool
    initial: bool
    all_caps: bool


@dataclass
class _Candidate:
    start: int  # span start (includes an honorific)
    end: int
    words: tuple[str, ...]  # name words used for later-mention matching
    official: bool = False
    status: str = "unknown"  # "official" | "private" | "public" | "org" | "unknown"
    reason: str = ""
    all_caps: bool = False
    soft_org: bool = False  # contains a word like "Street" that is also a surname
    protect_from: int = -1  # official: start of the title before the name
    age_span: tuple[int, int] | None = None


def _tokens(text: str, rules: _Rules) -> list[_Token]:
    """Capitalised words and name particles with offsets. Lowercase words
    are skipped: the text between two kept tokens then contains letters,
    which is enough to stop a run."""
    tokens = []
    particles = rules.particles
    for m in _WORD.finditer(text):
        word = m.group()
        cap = word[0].isupper()
        if not cap and word not in particles:
            continue
        start, end = m.span()
        breaks = False
        if word[-1] == ".":
            base = word[:-1]
            if not ((len(base) == 1 and cap) or base in rules.dotted):
                word, end, breaks = base, end - 1, True
        if len(word) > 3 and word[-2:] in ("'s", "’s"):
            word, end, breaks = word[:-2], end - 2, True
        all_caps = cap and word.isupper() and sum(c.isalpha() for c in word) >= 2
        tokens.append(
            _Token(
                start=start,
                end=end,
                text=word,
                breaks=breaks,
                cap=cap,
                particle=not cap,
                initial=cap and len(word) == 2 and word[1] == ".",
                all_caps=all_caps,
            )
        )
    return tokens


def _runs(text: str, tokens: list[_Token]) -> list[list[_Token]]:
    """Maximal sequences of capitalised words (and inner particles) on one line."""
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    for tok in tokens:
        if not (tok.cap or tok.particle):
            if current:
                runs.append(current)
            current = []
            continue
        if current:
            prev = current[-1]
            gap = text[prev.end : tok.start]
            joined = (
                not prev.breaks
                and _JOIN_GAP.fullmatch(gap) is not None
                and (gap != "" or prev.initial)
            )
            if joined:
                current.append(tok)
                continue
            runs.append(current)
            current = []
        if tok.cap:
            current.append(tok)
    if current:
        runs.append(current)
    # particles cannot end a run
    out = []
    for run in runs:
        while run and run[-1].particle:
            run = run[:-1]
        if run:
            out.append(run)
    return out


def _is_date_month(tok: _Token, text: str, rules: _Rules) -> bool:
    base = _strip_dot(tok.text)
    if base not in rules.months:
        return False
    after = text[tok.end : tok.end + 4]
    return bool(re.match(r"\s*\d", after)) or bool(rules.date_before.search(text[max(0, tok.start - 12) : tok.start]))


def _bare(tok: _Token) -> str:
    return _strip_dot(tok.text)


def _candidates(text: str, run: list[_Token], rules: _Rules) -> list[_Candidate]:
    """Turn one capitalised run into zero or more name candidates."""
    # Mixed runs: an all-caps word (FBI, HSI) separates names, unless it is a
    # title (DC, PC) or suffix (III). A fully capitalised run stays whole.
    name_like = [t for t in run if not t.particle and not t.initial]
    whole_caps = bool(name_like) and all(t.all_caps for t in name_like)
    subruns: list[list[_Token]] = [[]]
    for tok in run:
        if not whole_caps and tok.all_caps and _bare(tok) not in rules.titles and _bare(tok) not in rules.suffixes:
            subruns.append([])
            continue
        subruns[-1].append(tok)

    found = []
    for sub in subruns:
        if not sub:
            continue
        official = False
        title_start = -1
        # title chain followed by a name -> official; words before it belong
        # to the agency ("Polk County Sheriff Grady Judd")
        for i, tok in enumerate(sub):
            if _bare(tok) in rules.titles or (whole_caps and _bare(tok).title() in rules.titles):
                j = i
                while j < len(sub) and (
                    _bare(sub[j]) in rules.titles or (whole_caps and _bare(sub[j]).title() in rules.titles)
                ):
                    j += 1
                if j < len(sub):
                    title_start = sub[i].start
                    sub = sub[j:]
                    official = True
                    break
        core = list(sub)
        honorific_start = None
        while core:
            head = core[0]
            bare = _bare(head)
            if bare in rules.honorifics and len(core) > 1:
                honorific_start = head.start if honorific_start is None else honorific_start
                core.pop(0)
            elif (
                bare in rules.stop
                or bare in rules.days
                or _is_date_month(head, text, rules)
                or head.particle
                or (whole_caps and bare.title() in rules.stop)
            ):
                if honorific_start is not None:
                    break
                core.pop(0)
            else:
                break
        while core and (
            _bare(core[-1]) in rules.days
            or _bare(core[-1]) in rules.stop
            or _is_date_month(core[-1], text, rules)
            or core[-1].particle
        ):
            core.pop()
        if not core:
            continue
        bares = [_bare(t) for t in core]
        if any(b in rules.org or b.title() in rules.org for b in bares):
            continue
        soft_org = any(b in rules.soft_org or b.title() in rules.soft_org for b in bares)
        joined = " ".join(t.text for t in core)
        if joined in rules.regions or joined in rules.demonyms:
            continue
        name_words = tuple(
            b for t, b in zip(core, bares) if not t.particle and not t.initial and b not in rules.suffixes
        )
        if not name_words or len(name_words) > 4:
            continue
        if len(name_words) == 1 and (name_words[0] in rules.stop or name_words[0] in rules.months):
            continue
        if rules.charge_words.fullmatch(joined):
            continue  # "Prostitution", "Solicitation" in a mugshot list
        start = honorific_start if honorific_start is not None else core[0].start
        found.append(
            _Candidate(
                start=start,
                end=core[-1].end,
                words=name_words,
                official=official,
                all_caps=whole_caps,
                soft_org=soft_org,
                protect_from=title_start if official else start,
            )
        )
    return found


# --- classification -------------------------------------------------------------


def _closest(*matches: re.Match | None) -> re.Match | None:
    present = [m for m in matches if m is not None]
    return max(present, key=lambda m: m.start()) if present else None


_HEAD_END = re.compile(r"\b(?:at|for|of|with|in|from|who|whose|that|which|and|to|on|since|by)\b", re.IGNORECASE)


class _Before:
    """Matches of the right-anchored "before" patterns, tried only at the
    key words found by one scan of the text (a plain `search` over every
    window costs a full scan per candidate)."""

    WINDOW = 160

    def __init__(self, text: str, rules: _Rules):
        self.text = text
        self.starts = [m.start() for m in rules.before_keywords.finditer(text)]

    def match(self, pattern: re.Pattern, end: int) -> re.Match | None:
        """Closest match of `pattern` that ends exactly at `end`."""
        i = bisect.bisect_left(self.starts, end)
        lo = end - self.WINDOW
        while i > 0:
            i -= 1
            at = self.starts[i]
            if at < lo:
                break
            m = pattern.match(self.text, at, end)
            if m:
                return m
        return None


def _classify(c: _Candidate, text: str, rules: _Rules, before_at: _Before) -> None:
    """Set status/reason of one candidate from its immediate context."""
    before = text[max(0, c.start - 30) : c.start]
    after = text[c.end : c.end + 200]
    if c.official:
        c.status, c.reason = "official", "official title"
        return
    official_m = before_at.match(rules.official_before, c.start)
    private_m = before_at.match(rules.private_before, c.start)
    if official_m and _closest(official_m, private_m) is official_m:
        c.status, c.reason = "official", "official title"
        c.protect_from = official_m.start()
        return

    age_after = rules.age_after.match(after)
    if age_after:
        n = age_after.group("n") or age_after.group("n2")
        if n is None or 0 < int(n) <= 110:
            c.status, c.reason = "private", "name with age"
            c.age_span = (c.end, c.end + age_after.end())
            return
    age_before = before_at.match(rules.age_before, c.start)
    if age_before:
        c.status, c.reason = "private", "name with age"
        c.age_span = (age_before.start(), c.start)
        return
    if c.all_caps:
        return  # capitals alone (headlines, acronyms) need an age to count

    appos = rules.apposition.match(after)
    if appos:
        phrase = appos.group("phrase").strip()
        if rules.who_private.match(phrase):
            c.status, c.reason = "private", "private role"
            return
        if rules.who_public.match(phrase):
            c.status, c.reason = "official", "public role"
            return
        # the head noun decides: the last role word before a preposition or
        # relative clause ("the national sex worker organisation", "a
        # grassroots group that organizes workers", "the owner of the spa")
        head = _HEAD_END.split(phrase, maxsplit=1)[0]
        roles = list(rules.role_in_phrase.finditer(head))
        role = roles[-1] if roles else None
        if role:
            if _fold(re.sub(r"\s+", " ", role.group())) in rules.public_roles:
                c.status, c.reason = "official", "public role"
            else:
                c.status, c.reason = "private", "private role"
            return

    if before_at.match(rules.arrest_before, c.start):
        c.status, c.reason = "private", "arrest verb"
        return
    if rules.arrest_after.match(after) and not rules.place_before.search(before[-24:]):
        c.status, c.reason = "private", "arrest verb"
        return
    if private_m:
        c.status, c.reason = "private", "private role"
        return
    if c.soft_org:
        c.status = "org"  # "King Street", "Tampa Bay Times": no direct signal
        return
    # head of a mugshot-list line: "Maria Lopez – prostitution"
    line_start = text.rfind("\n", 0, c.start) + 1
    if re.fullmatch(r"[\s•*·\-–—\d.)#]*", text[line_start : c.start]) and rules.line_item_after.match(after):
        line_end = text.find("\n", c.end)
        line = text[c.end : line_end if line_end != -1 else len(text)]
        if rules.charge_words.search(line):
            c.status, c.reason = "private", "arrest list"
            return
    if rules.public_suffix.match(after):
        c.status, c.reason = "official", "public role"
        return
    org = rules.org_after.match(after)
    if org:
        names = [re.sub(r"['’]s$", "", w).rstrip(".") for w in org.group("org").split()]
        if any(w in rules.org or (len(w) >= 2 and w.isupper()) for w in names):
            c.status, c.reason = "public", "speaks for an organisation"


def _sentence_end(text: str, pos: int, rules: _Rules, limit: int = 600) -> int:
    """End of the sentence that contains pos (a blank line also ends it);
    dots of initials and known abbreviations ("W.", "Blvd.") do not."""
    stop = min(len(text), pos + limit)
    for m in re.finditer(r"[.!?](?=[\"”’)]?(?:\s|$))|\n[ \t]*\n", text[pos:stop]):
        at = pos + m.start()
        if m.group() == ".":
            prev = re.search(r"[\w.]+$", text[max(0, at - 12) : at])
            word = prev.group() if prev else ""
            if (len(word) == 1 and word.isupper()) or word in rules.dotted:
                continue
        return at
    return stop


def _mark_lists(cands: list[_Candidate], text: str, rules: _Rules) -> None:
    """Names that follow an arrest-list opener, up to the sentence end."""
    # the triggers are slow to scan for; look only around their key words
    lower = text.lower()
    windows: list[tuple[int, int]] = []
    for stem in rules.trigger_stems:
        at = lower.find(stem)
        while at != -1:
            windows.append((max(0, at - 80), min(len(text), at + 140)))
            at = lower.find(stem, at + 1)
    windows.sort()
    merged: list[tuple[int, int]] = []
    for lo, hi in windows:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    regions = set()
    for lo, hi in merged:
        for pattern in rules.list_triggers:
            for m in pattern.finditer(text, lo, hi):
                regions.add((m.end(), _sentence_end(text, m.end(), rules)))
    if not regions:
        return
    for lo, hi in sorted(regions):
        prev_place = None
        for c in cands:
            if not (lo <= c.start < hi) or c.status == "official" or c.all_caps:
                continue
            window = text[max(lo, c.start - 40) : c.start]
            if rules.place_before.search(window):
                prev_place = c
                continue
            joined = " ".join(c.words)
            if joined in rules.regions or joined in rules.demonyms:
                prev_place = c
                continue
            if (
                prev_place is not None
                and re.fullmatch(r"\s*,\s*", text[prev_place.end : c.start])
                and not re.match(r"\s+(?:of|from)\b|\s*,\s*\d|\s*\(\d", text[c.end : c.end + 8])
            ):
                prev_place = c  # "of Bolton, Greater Manchester"
                continue
            prev_place = None
            prefix = text[lo : c.start]
            if prefix.strip() and not rules.list_item_before.search(prefix[-40:]):
                continue
            if c.status in ("unknown", "public") and len(c.words) >= 2:
                c.status, c.reason = "private", "arrest list"


_CONNECTOR = re.compile(
    r"(?:\s*(?:,|;|&|\band\b|\bor\b)\s*|\s*,\s*\d{1,3}\s*,\s*(?:and\s+)?|\s*\(\d{1,3}\)\s*(?:,|;|and)?\s*)+",
    re.IGNORECASE,
)


_PLACE_LINK = re.compile(r"\s*,?\s*(?:\d{1,3}\s*,\s*)?(?:of|from)\s+(?:the\s+)?", re.IGNORECASE)


def _is_place(c: _Candidate, text: str, rules: _Rules) -> bool:
    joined = " ".join(c.words)
    if joined in rules.regions or joined in rules.demonyms:
        return True
    return rules.place_before.search(text[max(0, c.start - 20) : c.start]) is not None


def _propagate_groups(cands: list[_Candidate], text: str, rules: _Rules) -> None:
    """Names coordinated with a private name ("X and Y were arrested",
    "X of Tampa and Y were arrested"); home towns in between are skipped."""
    groups: list[list[tuple[_Candidate, bool]]] = []
    for c in cands:
        place = _is_place(c, text, rules)
        if groups:
            gap = text[groups[-1][-1][0].end : c.start]
            if _CONNECTOR.fullmatch(gap) or (place and _PLACE_LINK.fullmatch(gap)):
                groups[-1].append((c, place))
                continue
        groups.append([(c, place)])
    for group in groups:
        people = [c for c, place in group if not place]
        if len(people) < 2 or any(c.status in ("official", "public") for c in people):
            continue
        if not any(c.status == "private" for c in people):
            continue
        for c in people:
            # "org" here is a soft one ("Grace Street"): coordination with a
            # private name makes it a person
            if c.status in ("unknown", "org") and not c.all_caps:
                c.status, c.reason = "private", "listed with a private name"


def _later_mentions(
    cands: list[_Candidate], tokens: list[_Token], text: str, rules: _Rules
) -> list[tuple[int, int]]:
    """Spread privacy to every mention of a private name's words."""
    protected = [(min(c.start, c.protect_from) if c.protect_from >= 0 else c.start, c.end) for c in cands if c.status == "official"]

    def is_protected(start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in protected)

    def keys(word: str) -> list[str]:
        parts = [word, *word.split("-")] if "-" in word else [word]
        return [_fold(p) for p in parts if len(p) >= 2]

    ignore = rules.not_name_keys
    private_words: set[str] = set()
    for _ in range(3):  # expand whole candidates until stable
        before = len(private_words)
        for c in cands:
            if c.status == "private":
                for w in c.words:
                    private_words.update(k for k in keys(w) if k not in ignore)
        for c in cands:
            if c.status in ("private", "official", "org"):
                continue
            if any(k in private_words for w in c.words for k in keys(w)):
                c.status, c.reason = "private", "later mention"
        if len(private_words) == before:
            break
    spans = []
    if not private_words:
        return spans
    for tok in tokens:
        if not tok.cap:
            continue
        if (
            any(k in private_words for k in keys(_bare(tok)))
            and not is_protected(tok.start, tok.end)
            and not _is_date_month(tok, text, rules)  # "in April" stays
        ):
            spans.append((tok.start, tok.end))
    return spans


# --- public API -----------------------------------------------------------------


_YEAR_BEFORE = re.compile(r"\b(?:in|since|of|by|during|until|from|before|after)\s+$", re.IGNORECASE)


def _addresses(text: str, rules: _Rules) -> list[PrivateSpan]:
    spans = []
    for m in rules.address.finditer(text):
        found = m.group().rstrip()
        if found.endswith(".") and re.match(r"\s+[A-Z\"“]|\s*$", text[m.start() + len(found) :]):
            found = found[:-1]  # the dot also ends the sentence
        if _fold(re.sub(r"\s+", " ", found).rstrip(".")) in rules.public_addresses:
            continue
        number = re.match(r"\d+", found)
        is_year = number is not None and len(number.group()) == 4 and 1800 <= int(number.group()) <= 2099
        if is_year and _YEAR_BEFORE.search(text[max(0, m.start() - 10) : m.start()]):
            continue  # "in 1995 Main Street merchants ..." is a year
        spans.append(PrivateSpan(m.start(), m.start() + len(found), "address", "street address"))
    return spans


def _merge(spans: Iterable[PrivateSpan]) -> list[PrivateSpan]:
    """Sort and merge overlapping spans; touching spans stay separate."""
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    merged: list[PrivateSpan] = []
    for s in ordered:
        if s.end <= s.start:
            continue
        if merged and s.start < merged[-1].end:
            last = merged[-1]
            kind = last.kind if last.kind == s.kind else ("person" if "person" in (last.kind, s.kind) else last.kind)
            reason = last.reason if s.reason in last.reason.split("; ") else f"{last.reason}; {s.reason}"
            merged[-1] = PrivateSpan(last.start, max(last.end, s.end), kind, reason)
        else:
            merged.append(s)
    return merged


def find_private_spans(text: str) -> list[PrivateSpan]:
    """Private names, attached ages and street addresses in `text`.

    Pure and deterministic; spans are sorted, non-overlapping offsets into
    `text`. An age span touches its name span (see module docstring)."""
    if not text or not text.strip():
        return []
    rules = _rules()
    tokens = _tokens(text, rules)
    cands: list[_Candidate] = []
    for run in _runs(text, tokens):
        cands.extend(_candidates(text, run, rules))
    before_at = _Before(text, rules)
    for c in cands:
        _classify(c, text, rules, before_at)
    _mark_lists(cands, text, rules)
    _propagate_groups(cands, text, rules)
    mention_spans = _later_mentions(cands, tokens, text, rules)

    spans: list[PrivateSpan] = []
    for c in cands:
        if c.status != "private":
            continue
        spans.append(PrivateSpan(c.start, c.end, "person", c.reason))
        if c.age_span:
            spans.append(PrivateSpan(c.age_span[0], c.age_span[1], "age", "name with age"))
    spans.extend(PrivateSpan(s, e, "person", "later mention") for s, e in mention_spans)
    spans.extend(_addresses(text, rules))
    return _merge(spans)


def redact(text: str, spans: Sequence[PrivateSpan], start: int = 0, end: int | None = None) -> str:
    """`text[start:end]` with every span (clipped to the window) replaced by
    its placeholder. Person and age spans that touch or are separated by a
    space only (an age next to its name, a name whose words were found
    separately) become one "[person]"."""
    end = len(text) if end is None else min(end, len(text))
    start = max(0, start)
    if start >= end:
        return ""
    clipped = [
        PrivateSpan(max(s.start, start), min(s.end, end), s.kind, s.reason)
        for s in spans
        if s.end > start and s.start < end
    ]
    clipped = _merge(clipped)
    out: list[str] = []
    pos = start
    prev: PrivateSpan | None = None
    for s in clipped:
        gap = text[pos : s.start]
        fold = (
            prev is not None
            and PLACEHOLDERS.get(prev.kind) == PLACEHOLDERS.get(s.kind) == "[person]"
            and (gap == "" or (gap.strip(" \u00a0") == "" and len(gap) <= 2))
        )
        if fold:
            # keep the trailing "53-year-old " spacing out of the output
            pos = s.end
            prev = PrivateSpan(prev.start, s.end, "person" if s.kind == "person" else prev.kind, prev.reason)
            continue
        out.append(gap)
        out.append(PLACEHOLDERS.get(s.kind, "[person]"))
        pos = s.end
        prev = s
    out.append(text[pos:end])
    return "".join(out)


def public_text(text: str, spans: Sequence[PrivateSpan] | None = None) -> str:
    """The publishable form of `text` (spans found if not given)."""
    return redact(text, find_private_spans(text) if spans is None else spans)
