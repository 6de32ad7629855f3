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


# --- the finer prefilters added for speed: each must never skip a match ---------------------------

def _all_cue_patterns() -> list[str]:
    vocabulary = lexicon("vocabulary")
    patterns = [cue for family in ("tactics", "venues", "publicity") for cues in vocabulary[family].values()
                for cue in cues]
    return patterns + vocabulary["immigration"]["cues"] + [c["pattern"] for c in charge_vocabulary()]


@pytest.mark.parametrize("pattern,sets", [
    ("kerb[- ]crawling", [{"kerb-crawling", "kerb crawling"}]),
    (r"\w+, \d+, (?:of|from) \w+", [{", of ", ", from "}]),
    (r"posed as (?:a )?\w+ online", [{"posed as "}, {" online"}]),
    (r"\d+", None),
])
def test_required_factor_sets(pattern, sets):
    from raidwatch.extract.literals import required_factor_sets

    found = required_factor_sets(pattern)
    assert (sorted(map(sorted, found)) if found else None) == (sorted(map(sorted, sets)) if sets else None)


def test_every_requirement_set_occurs_in_every_match():
    from raidwatch.extract.literals import required_factor_sets

    checked = 0
    for pattern in _all_cue_patterns():
        sets = required_factor_sets(pattern) or []
        for text in _texts():
            for m in re.finditer(rf"(?i)(?:{pattern})", text):
                matched = m.group().lower()
                assert all(any(word in matched for word in words) for words in sets), (pattern, matched)
                checked += 1
    assert checked > 20


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(
    ["officers", "posed", "as", "a", "buyer", "online", "sex", "workers", "massage", "parlour", "Police", "ICE",
     "immigration", "detained", "were", "handed", "to", "Border", "Force", "names", "and", "photos", "released",
     "decoy", "undercover", "hotel", "rooms", "brothel", "John", "Smith,", "34,", "of", "Leeds"]),
    min_size=1, max_size=16))
def test_requirement_index_keeps_every_matching_pattern(words):
    from raidwatch.extract.literals import RequirementIndex

    patterns = _all_cue_patterns()
    text = " ".join(words)
    lowered = text.lower()
    possible = RequirementIndex(patterns).earliest_ends(lowered)
    for i, pattern in enumerate(patterns):
        m = re.search(rf"(?i)(?:{pattern})", text)
        if m:
            assert i in possible, (pattern, text)
            # no match ends before every required word has occurred
            assert m.end() - 1 >= possible[i]


@pytest.mark.parametrize("pattern,expected", [
    (r"\bbrothel\b", True),
    (r"[^.]{0,40} raid", False),  # [^.] takes a line break
    (r"raid\s+on", False),  # \s takes a line break
    (r"^Operation \w+", False),  # ^ sees the start of a line differently
    (r"raid$", False),
    (r"(?s)raid.+?police", False),  # . takes a line break under DOTALL
    (r"raid.+?police", True),
    (r"(?<!\w)ICE\b", True),
])
def test_within_line(pattern, expected):
    from raidwatch.extract.literals import within_line

    assert within_line(pattern) is expected


def test_within_line_patterns_find_the_same_in_joined_lines():
    from raidwatch.extract.literals import within_line

    lines = [line for text in _texts() for line in text.splitlines() if line.strip()]
    joined = "\n".join(lines)
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    checked = 0
    for pattern in _all_cue_patterns():
        if not within_line(rf"(?i)\b(?:{pattern})"):
            continue
        compiled = re.compile(rf"(?i)\b(?:{pattern})")
        per_line = [(start + m.start(), start + m.end()) for line, start in zip(lines, starts)
                    for m in compiled.finditer(line)]
        assert [m.span() for m in compiled.finditer(joined)] == per_line, pattern
        checked += 1
    assert checked > 50


@pytest.mark.parametrize("pattern,expected", [
    ("brothel", True),
    ("[Bb]rothels?", True),
    ("(?:raid|sting)", True),
    (r"\bbrothel", False),
    ("[^a]rothel", False),
    (r"\w+ raid", False),
    ("(?:raid|)", False),
])
def test_starts_with_character(pattern, expected):
    from raidwatch.extract.literals import starts_with_character

    assert starts_with_character(pattern) is expected


def test_pattern_index_candidates_and_ends_agree():
    patterns = _lexicon_patterns()
    index = PatternIndex(patterns)
    for text in _texts():
        lowered = text.lower()
        candidates = index.candidates(text)
        assert index.candidates(text, lowered) == candidates
        ends = index.ends(lowered)
        assert sorted(ends) == candidates
        for i, offsets in ends.items():
            assert offsets == sorted(offsets)
