"""Is this document about a specific enforcement action against sex work?

A transparent score: sentences where a sex-work topic term meets an
enforcement action term count for relevance, as do a stated count and a named
agency; cues of opinion, policy, court history, aggregate statistics and
unrelated crime count against, with weights from `relevance.yaml`.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from itertools import islice

from .literals import CuePattern, PatternIndex
from .registry import lexicon
from .text import Sentence, SentenceTest, iter_sentences_matching

# A first-person word, \b(?:I|I'm|I've|my|me)\b, as far as whether a sentence has one goes ("I'm"
# and "I've" start with "I" and a boundary): the word boundary before is a look-behind after its
# first letter, so that the regex engine scans for "I" and "m" instead of trying every position.
_FIRST_PERSON = re.compile(r"I(?<!\wI)\b|m[ye](?<!\wm[ye])\b")
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

    # Topic sentences (counted up to 6) and those of them with an action term (up to 4): no more count.
    topic_sentences = both = 0
    has_action = SentenceTest(*action.pick(text, lowered), sentences)
    for k in iter_sentences_matching(*topic.pick(text, lowered), sentences):
        topic_sentences += 1
        if both < 4 and has_action(k):
            both += 1
        if both >= 4 and topic_sentences >= 6:
            break
    score = min(both, 4) * 1.0 + (1.5 if has_count else 0.0) + (0.5 if has_agency else 0.0)
    weights = lex.get("negative_weights", {})
    kinds = list(negatives)
    starts = [s.start for s in sentences]
    # Kinds whose required words occur (see literals.py), where the first of them ends
    word_ends = negative_index.ends(lowered)
    for i in sorted(word_ends):
        kind, cue, ends = kinds[i], negatives[kinds[i]], word_ends[i]
        pattern, haystack = cue.pick(text, lowered)
        # On lower-cased text no sentence before the first word holds a match; four count.
        first = max(0, bisect_right(starts, ends[0]) - 1) if pattern is cue.fast else 0
        count = sum(1 for _ in islice(iter_sentences_matching(pattern, haystack, sentences[first:]), 4))
        if count:
            damp = 0.5 if kind == "unrelated" and topic_sentences >= 6 else 1.0
            score -= float(weights.get(kind, 0.5)) * min(count, 4) * damp
    if any(header.search(s.text) for s in sentences if s.paragraph <= 2):
        score -= float(lex.get("header_label_weight", 0))
    needed = int(lex.get("first_person_sentences", 3))
    # Blanking a quotation (marks included) leaves the words outside it with the same neighbours
    # as far as _FIRST_PERSON sees them: a sentence without one has none once unquoted.
    speaking = (s for s in sentences if _FIRST_PERSON.search(s.text) and _FIRST_PERSON.search(_QUOTED.sub(" ", s.text)))
    first_person = sum(1 for _ in islice(speaking, needed))  # more do not count
    if first_person >= needed:
        score -= float(lex.get("first_person_weight", 0))
    return round(score, 3), score >= float(lex["threshold"])


def _respan(sentences: list[Sentence]) -> list[Sentence]:
    """Sentences re-indexed into their own text joined by line breaks (when no document is given)."""
    out, offset = [], 0
    for s in sentences:
        out.append(Sentence(offset, offset + len(s.text), s.text, s.paragraph, s.index))
        offset += len(s.text) + 1
    return out
