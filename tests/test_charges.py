"""Charge vocabularies (lexicons/charges/*.yaml): every file loads, every pattern compiles,
and the wording police and the press use in each jurisdiction lands in the right count
category (sex_work / buying / trafficking / other)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from raidwatch.extract.counts import charge_categories, choose_counts, find_counts
from raidwatch.extract.registry import LEXICON_DIR, charge_vocabulary
from raidwatch.extract.text import split_sentences

CATEGORIES = {"sex_work", "buying", "trafficking", "other"}
CHARGE_FILES = sorted((LEXICON_DIR / "charges").glob("*.yaml"))
JURISDICTIONS = ["us", "gb-eng-wls", "gb-sct", "ie", "ca", "au", "nz"]


def first_category(text: str, linked: bool = False) -> str | None:
    found = charge_categories(text, linked=linked)
    return found[0][2] if found else None


def raw_matches(text: str) -> list[tuple[int, int, str, str]]:
    """Every match of every vocabulary entry, before leftmost-longest selection."""
    out = []
    for entry in charge_vocabulary():
        for m in re.finditer(rf"(?i)\b(?:{entry['pattern']})\b", text):
            out.append((m.start(), m.end(), entry["category"], entry["jurisdiction"]))
    return out


def assert_unambiguous(text: str) -> None:
    """The winning spans are not also claimed, at the same length, by another category:
    a tie would be decided by file order, not by the data."""
    raw = raw_matches(text)
    for start, end, category, _ in charge_categories(text):
        rivals = {(c, j) for s, e, c, j in raw if (s, e) == (start, end) and c != category}
        assert not rivals, f"{text!r}: span {text[start:end]!r} is {category} but also {rivals}"


# --- Loading ---------------------------------------------------------------------------

def test_every_charge_file_loads_through_the_registry():
    entries = charge_vocabulary()  # raises LexiconError on a malformed file
    loaded = {e["jurisdiction"] for e in entries}
    assert {"general", *JURISDICTIONS} <= loaded


@pytest.mark.parametrize("path", CHARGE_FILES, ids=lambda p: p.stem)
def test_charge_file_shape(path: Path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["jurisdiction"] == path.stem
    assert isinstance(data["charges"], list) and data["charges"]
    for entry in data["charges"]:
        assert set(entry) == {"pattern", "category"}, entry
        assert entry["category"] in CATEGORIES, entry
        assert isinstance(entry["pattern"], str) and entry["pattern"].strip(), entry


@pytest.mark.parametrize("entry", charge_vocabulary(), ids=lambda e: f"{e['jurisdiction']}:{e['pattern'][:40]}")
def test_every_pattern_compiles_and_cannot_match_nothing(entry):
    pattern = re.compile(rf"(?i)\b(?:{entry['pattern']})\b")
    assert re.fullmatch(rf"(?i)(?:{entry['pattern']})", "") is None
    assert pattern.search("") is None


def test_no_wording_is_given_two_categories():
    seen: dict[str, tuple[str, str]] = {}
    for entry in charge_vocabulary():
        for alternative in _top_level_alternatives(entry["pattern"]):
            key = alternative.lower()
            if key in seen:
                category, where = seen[key]
                assert category == entry["category"], (
                    f"{alternative!r} is {category} in {where} but {entry['category']} in {entry['jurisdiction']}")
            else:
                seen[key] = (entry["category"], entry["jurisdiction"])


def _top_level_alternatives(pattern: str) -> list[str]:
    parts, depth, current, escaped = [], 0, "", False
    for ch in pattern:
        if escaped:
            current += ch
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += ch
    parts.append(current)
    return parts


# --- Jurisdiction wording ----------------------------------------------------------------

CASES: dict[str, list[tuple[str, str]]] = {
    "us": [
        ("Twenty-seven men were charged with soliciting another to commit prostitution.", "buying"),
        ("Deputies said each man was charged with soliciting, inducing, enticing or procuring another to commit prostitution.", "buying"),
        ("He was also charged with use of a two-way communication device to facilitate a felony.", "other"),
        ("The owner was charged with maintaining a place for the purpose of prostitution.", "other"),
        ("A motel clerk was charged with renting space to be used for lewdness, assignation or prostitution.", "other"),
        ("Three women were arrested for offering to commit prostitution.", "sex_work"),
        ("A 34-year-old man was arrested for traveling to meet a minor for unlawful sexual conduct.", "other"),
        ("He faces a charge of online solicitation of a minor.", "other"),
        ("He was charged with soliciting a minor for prostitution.", "buying"),
        ("Houston police arrested 11 men on charges of solicitation of prostitution, a state jail felony.", "buying"),
        ("Eight women were charged with prostitution, a Class B misdemeanor.", "sex_work"),
        ("A woman was charged with online promotion of prostitution.", "other"),
        ("The couple were charged with aggravated promotion of prostitution.", "other"),
        ("He was indicted on a charge of compelling prostitution.", "other"),
        ("He was charged with continuous trafficking of persons.", "trafficking"),
        ("Officers cited 14 people for disorderly conduct: soliciting an act of prostitution.", "buying"),
        ("The women were booked for disorderly conduct: prostitution.", "sex_work"),
        ("Twelve men were arrested for PC 647(b)(2) during the sting.", "buying"),
        ("Six people were arrested for 647(b) in the operation.", "sex_work"),
        ("Before 2023 she had been cited for loitering with intent to commit prostitution.", "sex_work"),
        ("Atlanta police charged a man with keeping a place of prostitution.", "other"),
        ("Two women were arrested for engaging in prostitution outside a licensed brothel in Clark County.", "sex_work"),
        ("He was charged with living from the earnings of a prostitute.", "other"),
        ("Nine men were charged with patronizing a person for prostitution in the third degree.", "buying"),
        ("The manager was charged with promoting prostitution in the third degree.", "other"),
        ("Police charged four workers with unauthorized practice of a profession.", "sex_work"),
        ("The Knoxville men were charged with patronizing prostitution.", "buying"),
        ("He was charged with trafficking for a commercial sex act.", "trafficking"),
        ("Seattle police arrested 15 men for patronizing a prostitute.", "buying"),
        ("Two men were charged with commercial sexual abuse of a minor.", "buying"),
        ("She was charged with promoting commercial sexual abuse of a minor.", "other"),
        ("A Fairfax County man was charged with solicitation of prostitution.", "buying"),
        ("The landlord was charged with keeping, residing in or frequenting a bawdy place.", "other"),
        ("He was also charged with commercial sex trafficking.", "trafficking"),
        ("Columbus police arrested two men for procuring.", "other"),
        ("She was charged with loitering to engage in solicitation.", "sex_work"),
        ("He was charged with solicitation of a sexual act.", "buying"),
        ("Worcester police charged 10 men with paying for sexual conduct.", "buying"),
        ("Three women were charged with engaging in sexual conduct for a fee.", "sex_work"),
        ("Detroit police charged a woman with accosting and soliciting.", "sex_work"),
        ("The men were charged with engaging the services of a prostitute.", "buying"),
        ("Newark police charged five men with engaging in prostitution as a patron.", "buying"),
        ("He was charged with hiring an individual to engage in sexual penetration.", "buying"),
        ("She was charged with solicitation, inducement, and promotion of prostitution.", "other"),
        ("He was charged with purchasing sex with a minor.", "buying"),
        ("She was charged with crime against nature by solicitation.", "sex_work"),
        ("He pleaded guilty to transportation of a minor with intent to engage in prostitution.", "other"),
        ("He was indicted for sex trafficking of a minor.", "trafficking"),
        ("Two people were charged with pandering.", "other"),
        ("A man was charged with trafficking a controlled substance.", "other"),
    ],
    "gb-eng-wls": [
        ("A 32-year-old woman was charged with loitering or soliciting for the purposes of prostitution.", "sex_work"),
        ("She was charged with persistently loitering or soliciting in a street or public place for the purpose of prostitution.", "sex_work"),
        ("Two women were charged with soliciting for the purposes of prostitution in Balsall Heath.", "sex_work"),
        ("A man was charged with soliciting women for the purpose of prostitution.", "buying"),
        ("Four men were charged with soliciting another person for the purpose of obtaining their sexual services as a prostitute.", "buying"),
        ("Eleven men were reported for kerb crawling in the area.", "buying"),
        ("He was charged with paying for the sexual services of a prostitute subjected to force.", "buying"),
        ("He was charged with paying for sexual services of a prostitute subjected to exploitation.", "buying"),
        ("A 46-year-old man was arrested on suspicion of controlling prostitution for gain.", "other"),
        ("The couple were charged with conspiracy to control prostitution for gain.", "other"),
        ("She was charged with keeping a brothel used for prostitution.", "other"),
        ("Two men were charged with causing or inciting prostitution for gain.", "other"),
        ("The landlord was charged with permitting premises to be used as a brothel.", "other"),
        ("He was also charged with acquiring criminal property.", "other"),
        ("Three men were charged with arranging or facilitating the travel of another person with a view to exploitation.", "trafficking"),
        ("He was charged with holding a person in slavery or servitude.", "trafficking"),
        ("She was charged with requiring a person to perform forced or compulsory labour.", "trafficking"),
        ("Two people were charged with offences under the Modern Slavery Act.", "trafficking"),
        ("He was convicted of conspiracy to traffic women into the UK for sexual exploitation.", "trafficking"),
        ("He was charged with breach of a slavery and trafficking prevention order.", "other"),
    ],
    "gb-sct": [
        ("Two women were charged with soliciting or importuning for the purposes of prostitution.", "sex_work"),
        ("A woman was charged with importuning any person in a public place for the purposes of prostitution.", "sex_work"),
        ("Six men were charged under the Prostitution (Public Places) (Scotland) Act 2007.", "buying"),
        ("He was charged with soliciting in a relevant place for the purpose of obtaining the services of someone engaged in prostitution.", "buying"),
        ("A man was charged with kerb crawling in Leith.", "buying"),
        ("The woman was charged with brothel keeping.", "other"),
        ("He was charged with managing or assisting in the management of a brothel.", "other"),
        ("He was charged with living on the earnings of prostitution.", "other"),
        ("Two men were charged with offences under the Human Trafficking and Exploitation (Scotland) Act 2015.", "trafficking"),
        ("He was charged with slavery, servitude and forced or compulsory labour.", "trafficking"),
        ("He was charged with breach of a trafficking and exploitation prevention order.", "other"),
    ],
    "ie": [
        ("A man was charged with payment for sexual activity with a sex worker.", "buying"),
        ("Gardaí charged two men with paying for sexual activity with a prostitute.", "buying"),
        ("He was charged with payment for sexual activity with a trafficked person.", "buying"),
        ("Two women were charged with brothel keeping in Limerick.", "other"),
        ("He was charged with organisation of prostitution.", "other"),
        ("She was charged with living on the earnings of prostitution.", "other"),
        ("The men were charged with trafficking of a person other than a child for the purpose of sexual exploitation.", "trafficking"),
        ("He was charged under the Criminal Law (Human Trafficking) Act 2008.", "trafficking"),
        ("He was charged under the Child Trafficking and Pornography Act 1998.", "other"),
        ("She was charged with advertising a brothel.", "other"),
    ],
    "ca": [
        ("Nine men were charged with communicating for the purpose of obtaining sexual services.", "buying"),
        ("Each of the 22 men was charged with obtaining sexual services for consideration.", "buying"),
        ("Two of them were also charged with obtaining sexual services from a person under 18.", "buying"),
        ("A woman was charged with communicating to provide sexual services for consideration near a school.", "sex_work"),
        ("He was charged with material benefit from sexual services.", "other"),
        ("He was charged with receiving a material benefit from trafficking in persons.", "trafficking"),
        ("The man was charged with procuring a person to provide sexual services for consideration.", "other"),
        ("Two people were charged with advertising sexual services.", "other"),
        ("He was charged with trafficking in persons.", "trafficking"),
        ("He was charged with trafficking of a person under the age of eighteen years.", "trafficking"),
        ("She was charged with withholding or destroying documents to facilitate trafficking.", "trafficking"),
        ("In 2009 she was charged with communicating for the purpose of prostitution.", "other"),
        ("The owner was charged with keeping a common bawdy house.", "other"),
        ("Three women were charged with being an inmate of a common bawdy house.", "sex_work"),
        ("Eleven men were charged as found-ins.", "other"),
        ("Five women were charged with acting as a holistic practitioner without a licence.", "sex_work"),
        ("Four women were charged with acting as a body rub attendant without a licence.", "sex_work"),
        ("Officers laid charges for body-rub bylaw infractions against six workers.", "sex_work"),
        ("The owner was charged with operating a body-rub parlour without a licence.", "other"),
        ("The owner was charged with operating an unlicensed holistic centre.", "other"),
        ("Il a été accusé de proxénétisme.", "other"),
        ("Deux hommes ont été accusés de traite de personnes.", "trafficking"),
        ("Douze hommes ont été accusés d'obtention de services sexuels moyennant rétribution.", "buying"),
    ],
    "au": [
        ("The man was charged with causing sexual servitude.", "trafficking"),
        ("She was charged with conducting a business involving sexual servitude.", "trafficking"),
        ("Two people were charged with deceptive recruiting for sexual services.", "trafficking"),
        ("He was charged with possessing a slave and using a slave.", "trafficking"),
        ("He was charged with living on the earnings of prostitution.", "other"),
        ("The woman was charged with keeping or managing a premises used for prostitution.", "other"),
        ("Two men were charged with operating an illegal brothel.", "other"),
        ("He was charged with allowing premises to be used for prostitution.", "other"),
        ("She was charged with knowingly participating in the provision of prostitution.", "other"),
        ("He was charged with carrying on the business of providing unlawful prostitution.", "other"),
        ("Three women were charged with unlawful prostitution.", "sex_work"),
        ("A woman was charged with public soliciting for the purpose of prostitution.", "sex_work"),
        ("She was charged with soliciting near a church.", "sex_work"),
        ("He was charged with obtaining prostitution from a person who is not an adult.", "buying"),
        ("She was charged with forcing a person into sex work.", "other"),
        ("He was charged with causing or inducing prostitution.", "other"),
        ("The pair were charged with trafficking a commercial quantity of methylamphetamine.", "other"),
        ("Two people were charged with people smuggling.", "other"),
        ("He was charged with offences against the Prostitution Act 1999.", "other"),
    ],
    "nz": [
        ("He was charged with inducing or compelling a person to provide commercial sexual services.", "other"),
        ("She was charged with assisting or facilitating a person under 18 to provide commercial sexual services.", "other"),
        ("He was charged with using a person under 18 for prostitution.", "other"),
        ("She was charged with use in prostitution of persons under 18 years.", "other"),
        ("He was charged with receiving commercial sexual services from a person under 18.", "buying"),
        ("He was charged with contracting for commercial sexual services from a person under 18.", "buying"),
        ("She was charged with receiving payment from commercial sexual services provided by a person under 18.", "other"),
        ("The man was charged with operating a business of prostitution without a certificate.", "other"),
        ("He was charged with an offence under the Prostitution Reform Act.", "other"),
        ("Six women were found working in breach of their visa conditions.", "other"),
        ("He was charged with dealing in people under 18 for sexual exploitation.", "trafficking"),
        ("He was charged with trafficking in persons.", "trafficking"),
    ],
}

ALL_CASES = [(j, text, cat) for j, cases in CASES.items() for text, cat in cases]


@pytest.mark.parametrize("jurisdiction,text,expected", ALL_CASES,
                         ids=[f"{j}:{t[:50]}" for j, t, _ in ALL_CASES])
def test_first_charge_has_the_expected_category(jurisdiction, text, expected):
    assert first_category(text) == expected
    assert_unambiguous(text)


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_each_jurisdiction_file_decides_some_of_its_own_wording(jurisdiction):
    winners = {charge_categories(text)[0][3] for text, _ in CASES[jurisdiction]}
    assert jurisdiction in winners


@pytest.mark.parametrize("jurisdiction,text,expected",
                         [c for c in ALL_CASES if re.search(r"(?i)\b(?:charged with|charges? of|arrested for|"
                                                            r"suspicion of|booked for|convicted of|indicted (?:on|for))", c[1])],
                         ids=lambda v: v[:50] if isinstance(v, str) else None)
def test_linked_charges_agree(jurisdiction, text, expected):
    """The counts grammar asks only for charges after a linking word; those agree too."""
    assert first_category(text, linked=True) == expected


# --- Words that mean different things in different places ---------------------------

@pytest.mark.parametrize("text,expected", [
    ("charged with solicitation of prostitution", "buying"),
    ("charged with soliciting", "buying"),
    ("charged with soliciting for prostitution", "buying"),
    ("charged with loitering or soliciting for the purposes of prostitution", "sex_work"),
    ("charged with soliciting for the purpose of prostitution", "sex_work"),
    ("charged with soliciting a woman for the purpose of prostitution", "buying"),
    ("charged with soliciting or importuning for the purposes of prostitution", "sex_work"),
    ("charged with soliciting for the purpose of obtaining sexual services", "buying"),
    ("charged with keeping a brothel", "other"),
    ("charged with keeping a brothel used for prostitution", "other"),
    ("charged with brothel-keeping", "other"),
    ("charged with prostitution", "sex_work"),
    ("charged with engaging in prostitution", "sex_work"),
    ("charged with engaging in prostitution as a patron", "buying"),
    ("charged with pandering", "other"),
    ("charged with procuring", "other"),
    ("charged with human trafficking", "trafficking"),
    ("charged with drug trafficking", "other"),
    ("charged with trafficking cocaine", "other"),
    ("charged with trafficking in firearms", "other"),
    ("charged with communicating for the purpose of prostitution", "other"),
    ("charged with communicating for the purpose of obtaining sexual services", "buying"),
    ("charged with communicating to provide sexual services", "sex_work"),
    ("charged with material benefit from sexual services", "other"),
    ("charged with material benefit from trafficking", "trafficking"),
    ("charged with commercial sexual abuse of a minor", "buying"),
    ("charged with unlicensed practice of massage", "sex_work"),
    ("charged with operating an unlicensed body-rub parlour", "other"),
    ("charged with online solicitation of a minor", "other"),
    ("charged with slavery offences", "trafficking"),
    ("charged with people smuggling", "other"),
])
def test_ambiguous_wording(text, expected):
    assert first_category(text) == expected
    assert_unambiguous(text)


# --- Through the counts grammar ------------------------------------------------------

def counts_of(text: str) -> dict[str, int]:
    chosen = choose_counts(find_counts(text, split_sentences(text)))
    return {field: f.value for field, f in chosen.items()}


@pytest.mark.parametrize("text,field,value", [
    ("Nine men were charged with communicating for the purpose of obtaining sexual services.", "arrested_buyers", 9),
    ("Four women were charged with loitering or soliciting for the purposes of prostitution.", "arrested_sex_workers", 4),
    ("Twelve men were charged with paying for the sexual services of a prostitute subjected to force.", "arrested_buyers", 12),
    ("Three women were charged with being an inmate of a common bawdy house.", "arrested_sex_workers", 3),
    ("Two men were charged with arranging or facilitating the travel of another person with a view to exploitation.",
     "charged_trafficking", 2),
    ("Six men were charged with payment for sexual activity with a sex worker.", "arrested_buyers", 6),
    ("Five women were charged with acting as a holistic practitioner without a licence.", "arrested_sex_workers", 5),
    # "under 18" is read as a number and ends the clause early; the wording before it decides.
    ("Two men were charged with receiving commercial sexual services from a person under 18.", "arrested_buyers", 2),
    ("Two men were charged with obtaining sexual services from a person under 18.", "arrested_buyers", 2),
    ("Four people were charged with causing, assisting, facilitating or encouraging a person under 18 to provide "
     "commercial sexual services.", "arrested_total", 4),
    # An Act's year is a number too: the wording stops at the Act's name.
    ("Two men were charged with offences under the Modern Slavery Act 2015.", "charged_trafficking", 2),
    ("Three men were charged with an offence against the Human Trafficking and Exploitation (Scotland) Act 2015.",
     "charged_trafficking", 3),
])
def test_charge_wording_fills_the_count(text, field, value):
    assert counts_of(text).get(field) == value


def test_drug_trafficking_is_not_a_trafficking_charge():
    counts = counts_of("Two men were charged with trafficking cocaine.")
    assert "charged_trafficking" not in counts


def test_third_party_charge_of_a_minor_is_not_a_buyer_or_trafficking_count():
    counts = counts_of("Three men were charged with using a person under 18 for prostitution.")
    assert "arrested_buyers" not in counts and "charged_trafficking" not in counts
