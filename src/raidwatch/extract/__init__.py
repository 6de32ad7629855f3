"""The extract stage: one document in, its operations with evidence out.

`extract(doc)` is pure (no I/O beyond reading the lexicons once) so it runs
the same in a test, in `raidwatch predict` and in a worker pool. Each field
family lives in its own module; this module only decides which sentences
describe which operation and assembles the claims.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from .. import __version__
from ..model import Claim, Document, Evidence, Extraction, OperationReport
from .agencies import find_agencies, operation_agencies
from .counts import choose_counts, find_counts
from .dates import find_dates
from .gazetteer import get_gazetteer
from .literals import CuePattern
from .names import find_names
from .quotes import find_quotes
from .registry import lexicon, rules_fingerprint
from .relevance import relevance_score
from .segment import non_aggregate, segment
from .text import Sentence, split_sentences
from .vocabulary import find_cues, immigration_agencies

__all__ = ["extract", "extractor_version"]


def extractor_version() -> str:
    """Code version plus a hash of the lexicons: changes whenever a rule changes."""
    return f"rules-{__version__}-{rules_fingerprint()}"


def _sentence_evidence(sent: Sentence, start: int, end: int, rule: str, note: str | None = None) -> Evidence:
    return Evidence(start, end, sent.start, sent.end, rule, note)


def _containing(sentences: list[Sentence], pos: int, starts: list[int] | None = None) -> Sentence | None:
    """The sentence holding offset `pos`; `sentences` are in text order (pass their `starts` when
    looking up many offsets): only the last one starting at or before `pos` can hold it."""
    i = bisect_right(starts if starts is not None else [s.start for s in sentences], pos) - 1
    if i >= 0 and pos < sentences[i].end:
        return sentences[i]
    return None


def _place_claims(text: str, focus: list[Sentence], sentences: list[Sentence]) -> list[Claim]:
    resolution = get_gazetteer().resolve(text, [(s.start, s.end) for s in focus])
    if resolution is None:
        return []
    mention = resolution.mentions[0] if resolution.mentions else None
    if mention is not None:
        sent = _containing(sentences, mention.start) or focus[0]
        ev = _sentence_evidence(sent, mention.start, mention.end, "place:gazetteer")
    else:
        sent = focus[0]
        ev = _sentence_evidence(sent, sent.start, sent.end, "place:gazetteer")
    claims = []
    for key in ("country", "admin1", "locality", "latitude", "longitude"):
        value = getattr(resolution, key)
        if value is not None:
            claims.append(Claim(f"place.{key}", value, ev))
    return claims


_ACTION_VERBS = re.compile(
    r"(?i)\b(?:raid\w*|arrest\w*|executed|carried out|conducted|visited|searched|swooped|ran|sting|operation|"
    r"sweep|crackdown|detained|served|posed|posing|took place|targeting|targeted)\b")
_QUOTATION = re.compile(r"“[^”\n]*”|\"[^\"\n]*\"")
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2}


@lru_cache(maxsize=1)
def _venue_context() -> CuePattern:
    """Sentences that can name where an action happened: an action verb or a sex-work term."""
    topic = "|".join(lexicon("relevance")["topic_terms"])
    undercover = r"undercover|decoy|meetings?|arrang\w+|responded|posted|placed|found|inside|premises|warrants?"
    return CuePattern(rf"(?:{_ACTION_VERBS.pattern.replace('(?i)', '')})|\b(?:{topic}|{undercover})\b", "", "")


def _is_header(sent: Sentence) -> bool:
    """Headline, byline and dateline lines: their dates are the story's, not the action's."""
    return sent.paragraph <= 3 and len(sent.text) < 90 and not _ACTION_VERBS.search(sent.text)


# A date right after these words is the operation's own date ("the sting ran from November to January").
_RAN_BEFORE = re.compile(r"(?i)\b(?:ran|run|took place|carried out|conducted|lasted|operated|held)\b[\w\s,]{0,12}$")
_DATE_LINE = re.compile(r"(?i)^\W*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s*)?[a-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?\W*$")


def _heads_action_section(sent: Sentence, body: list[Sentence]) -> bool:
    """A line that is only a date ("Oct. 15") dates the lines under it, as in police blotters."""
    if not _DATE_LINE.match(sent.text):
        return False
    for nxt in body:
        if nxt.index <= sent.index:
            continue
        if _DATE_LINE.match(nxt.text):
            return False
        if _ACTION_VERBS.search(nxt.text) and _venue_context().search(nxt.text):
            return True
    return False


def _date_claims(text: str, sentences: list[Sentence], published: str | None) -> list[Claim]:
    body = [s for s in sentences if not _is_header(s)]
    findings = find_dates(text, [(s.start, s.end) for s in body], published)
    quoted = [(m.start(), m.end()) for m in _QUOTATION.finditer(text)]
    action = [f for f in findings if not f.rule.endswith(":announcement")
              and not any(a <= f.span[0] < b for a, b in quoted)]
    if not action:
        return []

    body_starts = [s.start for s in body]
    in_action: dict[int, bool] = {}  # by sentence index: whether it describes an action

    def describes_action(sent: Sentence) -> bool:
        if sent.index not in in_action:
            in_action[sent.index] = bool(_ACTION_VERBS.search(sent.text) or _heads_action_section(sent, body))
        return in_action[sent.index]

    def key(f):
        sent = _containing(body, f.span[0], body_starts)
        governed = bool(_RAN_BEFORE.search(text[max(0, f.span[0] - 30):f.span[0]]))
        return (not (sent is not None and describes_action(sent)), not governed, _PRECISION_RANK[f.precision], f.span[0])

    best_key, best = min(((key(f), f) for f in action), key=lambda pair: pair[0])
    if best_key[0] and best.precision == "year":
        return []  # a bare year outside any action sentence is history, not the operation's date
    sent = _containing(sentences, best.span[0]) or sentences[0]
    ev = _sentence_evidence(sent, best.span[0], best.span[1], best.rule)
    return [Claim("date.start", best.start, ev), Claim("date.end", best.end, ev), Claim("date.precision", best.precision, ev)]


def _count_claims(text: str, sentences: list[Sentence], wholes_only: bool = False) -> list[Claim]:
    findings = find_counts(text, non_aggregate(sentences))
    if wholes_only:  # a background mention counts only with figures of its own, not single people of ours
        findings = [f for f in findings if not (f.is_part and f.value == 1)]
    chosen = choose_counts(findings)
    total = chosen.get("arrested_total")
    if total is None or total.is_part:
        # No stated total: disjoint groups of people arrested or charged add up to one
        # (sex workers + buyers + people held on other charges, each group counted once).
        groups = [chosen[k] for k in ("arrested_sex_workers", "arrested_buyers") if k in chosen and not chosen[k].is_part]
        trafficking = chosen.get("charged_trafficking")
        if trafficking is not None and trafficking.value and not trafficking.is_part:
            groups.append(trafficking)  # people charged with trafficking are neither buyers nor sellers
        seen_spans = {(g.evidence.start, g.evidence.end) for g in groups}
        for f in findings:
            if f.field == "arrested_total" and f.group and (f.evidence.start, f.evidence.end) not in seen_spans:
                seen_spans.add((f.evidence.start, f.evidence.end))
                groups.append(f)
        if groups and sum(g.value for g in groups) > (total.value if total else 0):
            first = groups[0].evidence
            ev = Evidence(first.start, first.end, first.sentence_start, first.sentence_end,
                          "counts:sum-of-disjoint-groups", "sum of " + " + ".join(str(g.value) for g in groups))
            chosen = {**chosen, "arrested_total": None}
            claims = [Claim(f"counts.{field}", f.value, f.evidence) for field, f in chosen.items() if f is not None]
            return claims + [Claim("counts.arrested_total", sum(g.value for g in groups), ev)]
    return [Claim(f"counts.{field}", f.value, f.evidence) for field, f in chosen.items()]


def _report(doc: Document, index: int, sentences: list[Sentence], all_sentences: list[Sentence],
            background: bool = False) -> OperationReport:
    text = doc.text
    claims: list[Claim] = []
    for s in sentences:
        names = find_names(s.text)
        if names:
            n = names[0]
            claims.append(Claim("name", n.name, _sentence_evidence(s, s.start + n.start, s.start + n.end, "name:pattern")))
            break
    seen_agencies: set[str] = set()
    starts = [s.start for s in sentences]
    for m in operation_agencies(text, sentences):
        if m.name not in seen_agencies:
            seen_agencies.add(m.name)
            sent = _containing(sentences, m.start, starts) or _containing(all_sentences, m.start) or sentences[0]
            claims.append(Claim("agencies", m.name, _sentence_evidence(sent, m.start, m.end, m.rule)))
    claims += _place_claims(text, sentences, all_sentences)
    claims += _date_claims(text, sentences, doc.published)
    for family, field in (("tactics", "tactics"), ("venues", "venues")):
        for value, ev in find_cues(family, sentences, require=_venue_context() if family == "venues" else None).items():
            claims.append(Claim(field, value, ev))
    counts = _count_claims(text, sentences, wholes_only=background)
    claims += counts
    for flag, ev in find_cues("publicity", sentences).items():
        claims.append(Claim(f"publicity.{flag}", True, ev))
    imm_agency = [c for c in claims if c.field == "agencies" and c.value in immigration_agencies()]
    imm_count = [c for c in counts if c.field == "counts.immigration_detained" and c.value]
    imm_cue = find_cues("immigration", sentences).get("cues")
    if imm_agency or imm_count or imm_cue:
        ev = (imm_agency or imm_count)[0].evidence if (imm_agency or imm_count) else imm_cue
        claims.append(Claim("immigration_involved", True, ev))
    return OperationReport(index, tuple(claims))


def _has_counts(report: OperationReport) -> bool:
    return any(c.field.startswith("counts.") for c in report.claims)


def _inherit(report: OperationReport, parent: OperationReport, fields: tuple[str, ...]) -> OperationReport:
    """Fill fields a background report does not state from the operation it is background to."""
    own = {c.field.split(".")[0] for c in report.claims}
    extra = tuple(c for c in parent.claims if c.field.split(".")[0] in fields and c.field.split(".")[0] not in own)
    return OperationReport(report.index, report.claims + extra)


def extract(doc: Document) -> Extraction:
    """Relevance, one report per operation the document describes, and its quotations."""
    text = doc.text
    sentences = split_sentences(text)
    quotes = tuple(find_quotes(text))
    if not sentences:
        return Extraction(False, 0.0, (), quotes, extractor_version())
    blocks = segment(sentences)
    main_sentences = [s for b in blocks if b.kind != "background" for s in b.sentences]
    has_count = any(c.field in ("arrested_total", "arrested_buyers", "arrested_sex_workers", "premises_closed",
                                "immigration_detained", "detained_not_arrested")
                    for c in find_counts(text, main_sentences))
    has_agency = bool(find_agencies(text))
    score, relevant = relevance_score(sentences, has_count, has_agency, text)
    if not relevant:
        return Extraction(False, score, (), quotes, extractor_version())
    reports: list[OperationReport] = []
    main_report: OperationReport | None = None
    roundups = [b for b in blocks if b.kind == "roundup"]
    for block in blocks:
        report = _report(doc, len(reports), list(block.sentences), sentences, block.kind == "background")
        if block.kind == "main":
            if roundups and not _has_counts(report):
                continue  # the lead of a round-up story only summarises the operations below it
            main_report = report
        elif block.kind == "roundup":
            if not _has_counts(report):
                continue
            main_report = main_report or report
        else:
            if not _has_counts(report):
                continue
            if main_report is not None:
                report = _inherit(report, main_report, ("agencies", "place"))
        reports.append(report)
    if not reports:
        reports.append(_report(doc, 0, sentences, sentences))
    reports = [OperationReport(i, r.claims) for i, r in enumerate(reports)]
    return Extraction(True, score, tuple(reports), quotes, extractor_version())
