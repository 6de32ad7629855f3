"""The literal prefilter must never skip a pattern that would have matched."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from raidwatch.extract.literals import PatternIndex, required_factors
from raidwatch.extract.registry import charge_vocabulary, lexicon

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("pattern,factors", [
    ("human trafficking|sex trafficking", {"human trafficking", "sex trafficking"}),
    ("kerb[- ]crawling", {"crawling"}),
    ("(?:sex|sexual) acts?", {" act"}),
    ("\\d+", None),
    ("a|bc", None),  # a branch too short to require anything
])
def test_required_factors(pattern, factors):
    assert required_factors(pattern) == factors


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))]
    texts += ["Nine men were charged with solicitation of prostitution and two with Human Trafficking.",
              "She was cited for LOITERING FOR THE PURPOSE OF PROSTITUTION; he faces a sex-trafficking count.",
              "charged under s.51A of the Sexual Offences Act with kerb-crawling"]
    return texts


def _lexicon_patterns() -> list[str]:
    patterns = [c["pattern"] for c in charge_vocabulary()]
    for cues in lexicon("vocabulary")["tactics"].values():
        patterns += cues
    return patterns


def _check(patterns: list[str], text: str) -> None:
    index = PatternIndex(patterns)
    candidates = set(index.candidates(text))
    for i, pattern in enumerate(patterns):
        if re.search(rf"(?i)(?:{pattern})", text):
            assert i in candidates, (pattern, text[:80])


def test_index_keeps_every_matching_pattern_on_real_text():
    patterns = _lexicon_patterns()
    for text in _texts():
        _check(patterns, text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(
    ["prostitution", "Solicitation", "of", "human", "trafficking", "kerb-crawling", "for", "the", "purpose",
     "loitering", "brothel", "keeping", "a", "sex", "act", "massage", "without", "licence", "charged", "with",
     "sexual", "services", "obtaining", "purchasing", "commercial", "exploitation", "modern", "slavery"]),
    min_size=1, max_size=14))
def test_index_keeps_every_matching_pattern_on_random_text(words):
    _check([c["pattern"] for c in charge_vocabulary()], " ".join(words))


def test_lowercase_source_matches_like_ignorecase():
    from raidwatch.extract.literals import lowercase_source

    sources = ["|".join(cues) for family in ("tactics", "venues", "publicity") for cues in lexicon("vocabulary")[family].values()]
    sources += [c["pattern"] for c in charge_vocabulary()]
    checked = 0
    for source in sources:
        lowered = lowercase_source(source)
        if lowered is None:
            continue
        fast, reference = re.compile(rf"\b(?:{lowered})"), re.compile(rf"(?i)\b(?:{source})")
        for text in _texts():
            assert [m.span() for m in fast.finditer(text.lower())] == [m.span() for m in reference.finditer(text)]
        checked += 1
    assert checked > 10
    assert lowercase_source(r"(?-i:[A-Z]\w+)") is None and lowercase_source(r"\x41") is None
    assert lowercase_source(r"\bICE\b|\S+ Raid") == r"\bice\b|\S+ raid"
