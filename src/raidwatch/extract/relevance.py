"""Is this document about a specific enforcement action against sex work?

A transparent score: sentences where a sex-work topic term meets an
enforcement action term count for relevance; cues of opinion, policy,
court history, aggregate statistics and unrelated crime count against.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .registry import lexicon
from .text import Sentence


@lru_cache(maxsize=1)
def _patterns():
    lex = lexicon("relevance")
    topic = re.compile(r"(?i)\b(?:" + "|".join(lex["topic_terms"]) + r")")
    action = re.compile(r"(?i)\b(?:" + "|".join(lex["action_terms"]) + r")")
    negatives = {k: re.compile(r"(?i)\b(?:" + "|".join(v) + r")") for k, v in lex["negative_terms"].items()}
    return topic, action, negatives, float(lex["threshold"])


def relevance_score(sentences: list[Sentence], has_count: bool, has_agency: bool) -> tuple[float, bool]:
    topic, action, negatives, threshold = _patterns()
    both = sum(1 for s in sentences if topic.search(s.text) and action.search(s.text))
    topic_sentences = sum(1 for s in sentences if topic.search(s.text))
    score = min(both, 4) * 1.0 + (1.5 if has_count else 0.0) + (0.5 if has_agency else 0.0)
    for kind, pattern in negatives.items():
        hits = sum(1 for s in sentences if pattern.search(s.text))
        if hits:
            weight = 1.0 if kind in ("unrelated", "court_history") else 0.5
            score -= weight * min(hits, 4) * (1.0 if topic_sentences < 6 or kind != "unrelated" else 0.5)
    return round(score, 3), score >= threshold
