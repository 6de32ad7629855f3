"""Is this document about a specific enforcement action against sex work?

A transparent score: sentences where a sex-work topic term meets an
enforcement action term count for relevance, as do a stated count and a named
agency; cues of opinion, policy, court history, aggregate statistics and
unrelated crime count against, with weights from `relevance.yaml`.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .literals import CuePattern, PatternIndex
from .registry import lexicon
from .text import Sentence, sentences_matching

_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|my|me)\b")
_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")


@lru_cache(maxsize=1)
def _patterns():
    lex = lexicon("relevance")
    topic = CuePattern("|".join(lex["topic_terms"]))
    action = CuePattern("|".join(lex["action_terms"]))
    negatives = {k: CuePattern("|".join(v)) for k, v in lex["negative_terms"].items()}
    header = re.compile("|".join(lex["header_labels"]))
    negative_index = PatternIndex(["|".join(v) for v in lex["negative_terms"].values()])
    return lex, topic, action, negatives, header, negative_index


def relevance_score(sentences: list[Sentence], has_count: bool, has_agency: bool, text: str | None = None) -> tuple[float, bool]:
    """(score, relevant) for a document's sentences (`text`: the document they index into)."""
    lex, topic, action, negatives, header, negative_index = _patterns()
    if text is None:
        text = "\n".join(s.text for s in sentences)
        sentences = _respan(sentences)

    lowered = text.lower()

    def hits(cue: CuePattern) -> set[int]:
        return sentences_matching(*cue.pick(text, lowered), sentences)

    topic_hits = hits(topic)
    both = len(topic_hits & hits(action))
    topic_sentences = len(topic_hits)
    score = min(both, 4) * 1.0 + (1.5 if has_count else 0.0) + (0.5 if has_agency else 0.0)
    weights = lex.get("negative_weights", {})
    kinds = list(negatives)
    present = {kinds[i] for i in negative_index.candidates(text)}  # kinds whose required words occur
    for kind, pattern in negatives.items():
        count = len(hits(pattern)) if kind in present else 0
        if count:
            damp = 0.5 if kind == "unrelated" and topic_sentences >= 6 else 1.0
            score -= float(weights.get(kind, 0.5)) * min(count, 4) * damp
    if any(header.search(s.text) for s in sentences if s.paragraph <= 2):
        score -= float(lex.get("header_label_weight", 0))
    first_person = sum(1 for s in sentences if _FIRST_PERSON.search(_QUOTED.sub(" ", s.text)))
    if first_person >= int(lex.get("first_person_sentences", 3)):
        score -= float(lex.get("first_person_weight", 0))
    return round(score, 3), score >= float(lex["threshold"])


def _respan(sentences: list[Sentence]) -> list[Sentence]:
    """Sentences re-indexed into their own text joined by line breaks (when no document is given)."""
    out, offset = [], 0
    for s in sentences:
        out.append(Sentence(offset, offset + len(s.text), s.text, s.paragraph, s.index))
        offset += len(s.text) + 1
    return out
