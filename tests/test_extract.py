"""Unit tests of the extract stage: numbers, counts grammar, dates, agencies, names, quotes."""
from __future__ import annotations

import pytest

from raidwatch.extract import extract, extractor_version
from raidwatch.extract.agencies import find_agencies
from raidwatch.extract.counts import choose_counts, find_counts
from raidwatch.extract.dates import find_dates
from raidwatch.extract.names import find_names
from raidwatch.extract.numbers import find_numbers
from raidwatch.extract.quotes import find_quotes
from raidwatch.extract.registry import LexiconError, lexicon
from raidwatch.extract.text import split_sentences
from raidwatch.model import Document


def counts_of(text: str) -> dict[str, int]:
    chosen = choose_counts(find_counts(text, split_sentences(text)))
    return {field: f.value for field, f in chosen.items()}


@pytest.mark.parametrize("text,value,qualifier", [
    ("Twenty-six women", 26, None),
    ("two dozen men", 24, None),
    ("A dozen buyers", 12, None),
    ("more than 100 people", 100, "lower bound"),
    ("1,200 arrests", 1200, None),
    ("one hundred and five men", 105, None),
])
def test_numbers(text, value, qualifier):
    found = find_numbers(text)
    assert found and found[0].value == value and found[0].qualifier == qualifier


def test_numbers_skip_statutes_phones_and_percentages():
    assert [n.value for n in find_numbers("F.S. 787.06, call 1-888-373-7888, 10% of cases")] == []


@pytest.mark.parametrize("text", [
    "Police said About TWENTY-ONE people, more than 1,200 men and nearly a Couple dozen women, aged 19 to 45, were held.",
    "Some 40 officers, abc123 one_two 1one, an estimated two hundred and five, up to 3 flats; 22a22 x2 Fifty-Five",
])
def test_numbers_lower_cased_scan_finds_what_the_case_insensitive_one_finds(text):
    from raidwatch.extract.numbers import _matches_at_starts, _tables
    _, _, _, (pattern, _), fast, starts, start_re = _tables()
    expected = [(m.span(), m.group().lower()) for m in _matches_at_starts(text, text.lower(), pattern, starts, start_re)]
    assert expected and [(m.span(), m.group()) for m in fast[0].finditer(text.lower())] == expected


def test_breakdown_keeps_the_whole():
    c = counts_of("Of the 51 arrested for prostitution, 13 were men.")
    assert c.get("arrested_sex_workers") == 51


def test_charge_wording_maps_to_categories():
    c = counts_of("Police arrested 58 people. 21 men were charged with solicitation of prostitution "
                  "and 37 women were charged with prostitution. Two men were charged with human trafficking.")
    assert c["arrested_total"] == 58
    assert c["arrested_buyers"] == 21
    assert c["arrested_sex_workers"] == 37
    assert c["charged_trafficking"] == 2


def test_bullet_list_of_results():
    c = counts_of("Results:\n• 41 total arrests\n• 27 men charged with soliciting prostitution\n"
                  "• 5 people referred to U.S. Immigration and Customs Enforcement (ICE)\n"
                  "Four additional people were arrested on drug charges.")
    assert c["arrested_total"] == 41
    assert c["arrested_buyers"] == 27
    assert c["immigration_detained"] == 5


def test_updated_figures_beat_earlier_ones():
    c = counts_of("On Monday the sheriff said the sting led to 41 arrests. In updated figures released "
                  "Wednesday, the agency said 43 people were arrested in total.")
    assert c["arrested_total"] == 43


def test_apposition_does_not_hide_the_charge():
    c = counts_of("One man, a 38-year-old from Orlando, still faces a human trafficking charge.")
    assert c["charged_trafficking"] == 1


def test_decoy_minor_is_not_a_minor_found():
    c = counts_of("Two men were charged after they arranged to meet what they were told would be a 16-year-old. "
                  "Officers posing as the girl met them at a hotel.")
    assert "minors_identified" not in c
    c = counts_of("Officers also recovered a 16-year-old girl, who was turned over to child welfare workers.")
    assert c["minors_identified"] == 1


def test_zero_statements():
    c = counts_of("No one was charged with human trafficking. No minors were identified during the operation.")
    assert c["charged_trafficking"] == 0
    assert c["minors_identified"] == 0


def test_ages_and_phone_numbers_are_not_counts():
    c = counts_of("John Doe, 47, of Orlando, was arrested. Call the hotline at 1-888-373-7888.")
    assert 47 not in c.values()


def test_victims_closures_immigration_and_place_of_safety():
    c = counts_of("Four possible victims of human trafficking were identified. "
                  "Five massage establishments were closed. "
                  "Two women were referred to HSI for immigration violations. "
                  "Seven women were taken to a place of safety.")
    assert c["potential_victims"] == 4
    assert c["premises_closed"] == 5
    assert c["immigration_detained"] == 2
    assert c["detained_not_arrested"] == 7


@pytest.mark.parametrize("sentence,published,start,end", [
    ("The operation ran from Monday, March 4, through Friday, March 8, 2024.", "2024-03-12", "2024-03-04", "2024-03-08"),
    ("Officers worked the corridor Monday and Tuesday.", "2023-05-18", "2023-05-15", "2023-05-16"),
    ("The sting ran Monday through Friday last week.", "2024-03-12", "2024-03-04", "2024-03-08"),
    ("Officers arrested 38 people over the weekend.", "2021-02-09", "2021-02-06", "2021-02-07"),
    ("The raids were carried out on Nov. 20 and 21.", "2018-12-06", "2018-11-20", "2018-11-21"),
    ("It ran from April 22 through May 1.", "2022-05-06", "2022-04-22", "2022-05-01"),
])
def test_dates_resolve_against_publication(sentence, published, start, end):
    found = find_dates(sentence, [(0, len(sentence))], published)
    assert (found[0].start, found[0].end) == (start, end)


def test_month_precision():
    text = "Gardaí arrested six men in Cork in February."
    found = find_dates(text, [(0, len(text))], "2021-04-16")
    assert (found[0].start, found[0].precision) == ("2021-02-01", "month")


def test_agencies_with_introduced_abbreviation():
    text = ("Detectives from the Lake County Sheriff's Office (LCSO) worked with Homeland Security "
            "Investigations. LCSO detectives searched five spas; HSI agents interviewed workers.")
    names = {m.name for m in find_agencies(text)}
    assert names == {"Lake County Sheriff's Office", "Homeland Security Investigations"}


def test_units_fold_into_parent_agency():
    names = {m.name for m in find_agencies("The operation was led by the Garda National Protective Services Bureau.")}
    assert names == {"An Garda Síochána"}


def test_operation_names():
    assert [n.name for n in find_names('The sting, dubbed "Night Heron", followed Operation Velvet Rope.')] == \
        ["Night Heron", "Operation Velvet Rope"]


def test_interrupted_quote_counts_once_and_gets_a_role():
    text = ('"We will keep going," said Sheriff Ann Cole. "This is about demand."\n\n'
            '"Raids make us less safe," said Mia Tran of the Riverside Sex Workers Rights Network.\n')
    quotes = find_quotes(text)
    assert [q.role for q in quotes] == ["law_enforcement", "advocate"]


def test_scare_quotes_are_not_quotations():
    assert find_quotes('Police called it a "rescue" of the women.') == []


def test_irrelevant_document_has_no_operations():
    doc = Document(text="Council debates parking\nThe council discussed parking meters on Tuesday.", source_id="x")
    result = extract(doc)
    assert result.relevant is False and result.reports == ()


def test_every_value_has_evidence_inside_the_text():
    text = ("Deputies arrest 12 in sting\nMarch 3, 2025\n\nThe Marion County Sheriff's Office arrested 12 people "
            "in an undercover prostitution sting at a motel on Tuesday. Nine men were charged with solicitation.")
    doc = Document(text=text, source_id="t", published="2025-03-03")
    result = extract(doc)
    assert result.relevant
    for claim in result.reports[0].claims:
        ev = claim.evidence
        assert 0 <= ev.sentence_start <= ev.start <= ev.end <= ev.sentence_end <= len(text)
        assert ev.rule


def test_extractor_version_tracks_rule_files():
    assert extractor_version().startswith("rules-")


def test_missing_lexicon_is_a_clear_error():
    with pytest.raises(LexiconError, match="no lexicon named"):
        lexicon("does-not-exist")


@pytest.mark.parametrize("sentence", ["Police in ANKARA arrested 12 WOMEN.", "ΟΔΟΣ: 12 women arrested.",
                                      "İstanbul police arrested 12 women."])
def test_sentence_scan_lowered_slices(sentence):
    """The counts grammar cuts lower-cased clauses from one lower-cased sentence only where that
    equals lower-casing the clause (not with a capital sigma or a dotted capital I)."""
    from raidwatch.extract.counts import _scan

    scan = _scan(sentence)
    assert scan.per_char == ("Σ" not in sentence and "İ" not in sentence)
    for a in range(len(sentence)):
        for b in range(a, len(sentence) + 1):
            assert scan.lower(a, b) in (None, sentence[a:b].lower())
    assert counts_of(sentence).get("arrested_total") == 12
