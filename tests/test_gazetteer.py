"""Tests for the offline gazetteer (raidwatch.extract.gazetteer).

Sentences here are written for these tests; the corpus checks at the end read
the shared development corpus when it is present.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from raidwatch.extract import gazetteer as gz
from raidwatch.extract.gazetteer import Gazetteer, Mention, Place, Resolution, get_gazetteer

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV = SHARED / "corpus" / "dev"

# rough bounding boxes (lat_min, lat_max, lon_min, lon_max)
FLORIDA = (24.3, 31.1, -87.7, -79.8)
WASHINGTON = (45.5, 49.1, -124.9, -116.9)
GREATER_LONDON = (51.28, 51.70, -0.52, 0.34)
NSW = (-37.6, -28.1, 140.9, 153.7)


@pytest.fixture(scope="module")
def g() -> Gazetteer:
    return get_gazetteer()


def where(r: Resolution | None) -> tuple | None:
    return None if r is None else (r.country, r.admin1, r.locality)


def inside(r: Resolution, box: tuple[float, float, float, float]) -> bool:
    return r.latitude is not None and box[0] <= r.latitude <= box[1] and box[2] <= r.longitude <= box[3]


# ---------------------------------------------------------------- data file


def test_generated_data_is_current_and_small():
    data = json.loads(gz.DATA_FILE.read_text(encoding="utf-8"))
    assert data["build_version"] == gz.BUILD_VERSION
    assert data["source_hash"] == gz.source_hash(), "stale: run .venv/bin/python scripts/build_gazetteer.py"
    assert gz.DATA_FILE.stat().st_size < 5_000_000


def test_load_is_fast():
    t0 = time.perf_counter()
    fresh = Gazetteer(gz.load_data())
    fresh.lookup("Houston")  # builds the lookup index too
    elapsed = time.perf_counter() - t0
    print(f"gazetteer load + lookup index: {elapsed:.2f} s")
    assert elapsed < 1.5


def test_singleton(g):
    assert get_gazetteer() is g


# ------------------------------------------------------- the brief's cases


def test_polk_county_florida(g):
    r = g.resolve("Deputies in Polk County, Florida, arrested 277 people in a six-day sting.")
    assert where(r) == ("US", "Florida", "Polk County")
    assert inside(r, FLORIDA)
    assert r.place.kind == "county"


def test_polk_county_with_a_florida_city(g):
    text = "Polk County deputies said the men were arrested at hotels near Lakeland and Winter Haven."
    assert where(g.resolve(text)) == ("US", "Florida", "Polk County")


def test_stratford_east_london(g):
    r = g.resolve("Officers raided flats in Stratford, east London, on Monday morning.")
    assert where(r) == ("GB", "England", "Stratford")
    assert inside(r, GREATER_LONDON)
    assert r.place.kind == "district"


def test_gardai_in_cork(g):
    r = g.resolve("Gardaí in Cork searched three apartments on Tuesday.")
    assert where(r) == ("IE", "Cork", "Cork")


def test_fairfield_in_sydneys_west(g):
    r = g.resolve("Police raided four brothels in Fairfield, in Sydney's west, on Thursday.")
    assert where(r) == ("AU", "New South Wales", "Fairfield")
    assert inside(r, NSW)


def test_kent_wash_is_washington(g):
    r = g.resolve("KENT, Wash. — Two dozen men were arrested at a Kent hotel, the sheriff's office said.")
    assert where(r) == ("US", "Washington", "Kent")
    assert inside(r, WASHINGTON)


def test_kent_with_king_county(g):
    r = g.resolve("Detectives with the King County Sheriff's Office arrested 24 men in Kent last week.")
    assert where(r) == ("US", "Washington", "Kent")


def test_kent_alone_is_the_english_county(g):
    r = g.resolve("Kent Police said three women had been taken to a place of safety.")
    assert where(r) == ("GB", "England", "Kent")


def test_springfield_disambiguated_by_state(g):
    assert where(g.resolve("SPRINGFIELD, Mo. — A massage business was closed.")) == ("US", "Missouri", "Springfield")
    assert where(g.resolve("Police in Springfield, Missouri, cited two women.")) == ("US", "Missouri", "Springfield")
    assert where(g.resolve("Springfield police in Illinois cited two women.")) == ("US", "Illinois", "Springfield")


def test_cardiff_is_wales(g):
    assert where(g.resolve("Police raided pop-up brothels in Cardiff.")) == ("GB", "Wales", "Cardiff")


def test_admin1_filled_from_locality(g):
    assert where(g.resolve("Police in Paris closed 14 massage parlours.")) == ("FR", "Île-de-France", "Paris")
    assert where(g.resolve("Las Vegas police arrested 38 people.")) == ("US", "Nevada", "Las Vegas")


# --------------------------------------------------- admin1 conventions


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Police in Edinburgh raided nine flats.", ("GB", "Scotland", "Edinburgh")),
        ("Police raided a brothel above a nail bar in Bolton.", ("GB", "England", "Bolton")),
        ("PSNI officers searched a flat in Derry.", ("GB", "Northern Ireland", "Derry")),
        ("Gardaí raided premises in Dublin.", ("IE", "Dublin", "Dublin")),
        ("Oslo police pressed landlords to evict women.", ("NO", "Oslo", "Oslo")),
        ("Stockholm police arrested 47 men for buying sex.", ("SE", "Stockholm County", "Stockholm")),
        ("Houston police arrested 58 people on Bissonnet Street.", ("US", "Texas", "Houston")),
        ("Toronto bylaw officers inspected holistic spas.", ("CA", "Ontario", "Toronto")),
        ("The Gold Coast taskforce charged seven people.", ("AU", "Queensland", "Gold Coast")),
        ("Immigration officers visited brothels in Auckland.", ("NZ", "Auckland", "Auckland")),
    ],
)
def test_admin1_conventions(g, text, expected):
    assert where(g.resolve(text)) == expected


def test_country_and_region_only(g):
    assert where(g.resolve("Police in Norway pushed landlords to evict sex workers.")) == ("NO", None, None)
    r = g.resolve("Officers across Florida took part.")
    assert where(r) == ("US", "Florida", None)
    assert inside(r, FLORIDA)


# ------------------------------------------------ locality conventions


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Deputies arrested 43 people in Lake County, Fla., during a five-day sting.", ("US", "Florida", "Lake County")),
        (
            "York Regional Police charged 61 men after a sting at hotels in Markham, Vaughan and Richmond Hill.",
            ("CA", "Ontario", "York Region"),
        ),
        ("Peel Regional Police said six women were recovered in Mississauga and Brampton.", ("CA", "Ontario", "Peel Region")),
        ("Fourteen men were arrested for kerb crawling in Balsall Heath, Birmingham.", ("GB", "England", "Balsall Heath")),
        ("Metropolitan Police officers raided a flat in Soho.", ("GB", "England", "Soho")),
        ("The NYPD raided seven massage businesses in Flushing, Queens.", ("US", "New York", "Flushing")),
        ("Police arrested 17 people in the French Quarter of New Orleans.", ("US", "Louisiana", "French Quarter")),
        ("In Winnipeg, police arrested 14 men in the city's West End.", ("CA", "Manitoba", "West End")),
        ("Detectives raided spas in Fairfax County, Va.", ("US", "Virginia", "Fairfax County")),
        ("Police raided flats in Leith and central Edinburgh.", ("GB", "Scotland", "Edinburgh")),
    ],
)
def test_locality_conventions(g, text, expected):
    assert where(g.resolve(text)) == expected


def test_ambiguous_district_needs_context(g):
    # "West End" names districts of London, Winnipeg, Vancouver, Brisbane...
    assert g.resolve("Officers patrolled the West End on Friday night.") is None
    r = g.resolve("Officers patrolled the West End on Friday night, Winnipeg police said.")
    assert where(r) == ("CA", "Manitoba", "West End")


def test_focus_spans_pick_the_action(g):
    text = (
        "Police in Las Vegas, Phoenix and New Orleans announced stings this week. "
        "In Phoenix, a three-day reverse sting led to 31 arrests. "
        "In New Orleans, 17 people were arrested in the French Quarter."
    )
    s1 = text.index("In Phoenix")
    e1 = text.index("In New Orleans")
    assert where(g.resolve(text, focus=[(s1, e1)])) == ("US", "Arizona", "Phoenix")
    assert where(g.resolve(text, focus=[(e1, len(text))])) == ("US", "Louisiana", "French Quarter")
    # a focus without place names falls back to the whole text
    r = g.resolve("Deputies arrested 12 men. The sting ran in Polk County, Florida.", focus=[(0, 25)])
    assert where(r) == ("US", "Florida", "Polk County")


def test_resolution_mentions_start_with_the_locality(g):
    r = g.resolve("Gardaí said the raids took place in Cork, Ireland.")
    assert r.mentions[0].surface == "Cork"
    assert {m.surface for m in r.mentions} >= {"Cork", "Gardaí"}


def test_nothing_to_resolve(g):
    assert g.resolve("The council debated a new licensing scheme on Tuesday.") is None
    assert g.resolve("") is None


# ------------------------------------------------------------------- find


def surfaces(g, text):
    return [m.surface for m in g.find(text)]


def test_common_word_city_names_need_context(g):
    assert surfaces(g, "She was reading the report when police arrived.") == []
    assert surfaces(g, "Reading the report, the councillor said it was damning.") == []
    assert surfaces(g, "Police in Reading, Berkshire, arrested three men.") == ["Reading", "Berkshire"]
    assert surfaces(g, "Officers in Reading arrested three men.") == ["Reading"]
    assert surfaces(g, "Mobile phones were seized.") == []
    assert surfaces(g, "Police in Mobile, Ala., said five women were cited.") == ["Mobile", "Ala."]
    assert surfaces(g, "Nice work, said the sergeant.") == []
    assert surfaces(g, "Bath time was over.") == []
    assert surfaces(g, "Police Scotland said.") == ["Scotland"]  # "Police" (Poland) is not a place here


def test_word_boundaries_and_longest_match(g):
    assert surfaces(g, "Kentucky State Police") == ["Kentucky"]
    ms = g.find("Police in New York City raided spas.")
    assert [m.surface for m in ms] == ["New York City"]
    assert ms[0].candidates[0].name == "New York City"
    assert surfaces(g, "Flats in Stratford-upon-Avon were searched.") == ["Stratford-upon-Avon"]


def test_mention_offsets(g):
    text = "Raids in Leeds and Bradford."
    for m in g.find(text):
        assert isinstance(m, Mention)
        assert text[m.start : m.end] == m.surface
        assert all(isinstance(p, Place) for p in m.candidates)


def test_person_names_titles_streets_and_blockers(g):
    assert surfaces(g, "Sheriff Tyler Jackson spoke to George Washington.") == []
    assert surfaces(g, "The flats on Romford Road were boarded up.") == []
    assert surfaces(g, "The Washington Post reported the raid.") == []
    assert surfaces(g, "Homeland Security Investigations took part.") == []
    # agency words that place an action
    assert [m.candidates[0].name for m in g.find("The NYPD said.")] == ["New York City"]
    assert [m.candidates[0].name for m in g.find("Gardaí said.")] == ["Ireland"]
    # the Las Vegas Metropolitan Police Department is not London's Met
    assert [m.surface for m in g.find("the Las Vegas Metropolitan Police Department")] == ["Las Vegas"]


def test_all_caps_headlines_and_datelines(g):
    assert surfaces(g, "LAS VEGAS (AP) — Police arrested 38 people.") == ["LAS VEGAS"]
    assert surfaces(g, "SEVEN WOMEN FOUND IN BOLTON BROTHEL RAID") == ["BOLTON"]


@pytest.mark.parametrize(
    "text, name, kind",
    [
        ("Fresno, Calif. police said.", "California", "admin1"),
        ("Dallas, TX 75201", "Texas", "admin1"),
        ("Tampa, Fla. — Deputies said.", "Florida", "admin1"),
        ("NSW Police said.", "New South Wales", "admin1"),
        ("Police in Sydney, N.S.W., said.", "New South Wales", "admin1"),
        ("Queensland Police (Qld) said.", "Queensland", "admin1"),
        ("Brisbane, Qld.", "Queensland", "admin1"),
        ("Raids across the UK were reported.", "United Kingdom", "country"),
        ("Raids across the U.K. were reported.", "United Kingdom", "country"),
        ("Britain's police forces", "United Kingdom", "country"),
        ("U.S. Immigration and Customs Enforcement", "United States", "country"),
        ("Police in Halifax, N.S., said.", "Nova Scotia", "admin1"),
    ],
)
def test_abbreviations(g, text, name, kind):
    names = [(p.name, p.kind) for m in g.find(text) for p in m.candidates[:1]]
    assert (name, kind) in names


def test_postal_codes_need_a_comma(g):
    assert surfaces(g, "IN the end, OR else, police said ME too.") == []
    assert [m.candidates[0].name for m in g.find("Houston, TX")] == ["Houston", "Texas"]


# ----------------------------------------------------------------- lookup


def test_lookup_basic(g):
    c = g.lookup("Lake County", "US")
    assert len({p.admin1 for p in c}) > 5
    fl = g.lookup("Lake County", "US", "Florida")
    assert [p.admin1 for p in fl] == ["Florida"]
    assert g.lookup("lake county", "us", "FL") == fl  # case-insensitive, abbreviation
    assert g.lookup("Lake County", "United States", "Fla.") == fl
    assert inside(Resolution("US", "Florida", "Lake County", fl[0].latitude, fl[0].longitude, ()), FLORIDA)


def test_lookup_accents_and_variants(g):
    assert g.lookup("Ile-de-France", "FR")[0].name == "Île-de-France"
    assert g.lookup("Montreal", "CA")[0].name == "Montréal"
    assert g.lookup("Saint Louis", "US", "Missouri")[0].name == "St. Louis"
    assert g.lookup("Co. Cork")[0].name == "Cork"
    assert g.lookup("Stockholm", "SE")[0].admin1 == "Stockholm County"


def test_lookup_districts_and_regions(g):
    assert g.lookup("Soho", "GB")[0].parent == "Westminster"
    assert g.lookup("Stratford", "GB")[0].parent == "Newham"
    assert g.lookup("Flushing", "US", "New York")[0].parent == "Queens"
    york = g.lookup("York Region", "CA")[0]
    assert (york.kind, york.admin1) == ("county", "Ontario")
    assert g.lookup("Balsall Heath")[0].admin1 == "England"
    assert g.lookup("Nowhere-upon-Nothing") == []


def test_place_fields(g):
    uk = g.lookup("United Kingdom")[0]
    assert (uk.kind, uk.country, uk.admin1) == ("country", "GB", None)
    fl = g.lookup("Florida", "US")[0]
    assert (fl.kind, fl.admin1) == ("admin1", "Florida")
    assert fl.latitude is not None and fl.population > 0
    houston = g.lookup("Houston", "US", "TX")[0]
    assert (houston.kind, houston.admin1) == ("city", "Texas") and houston.population > 1_000_000


def test_every_us_county_has_coordinates_in_its_state(g):
    counties = [p for p in g.places if p.kind == "county" and p.country == "US"]
    assert len(counties) > 3000
    assert all(p.latitude is not None and p.longitude is not None for p in counties)
    # county coordinates come from a place of the same state (seat, namesake
    # town or the state's representative point)
    states = {p.name: p for p in g.places if p.kind == "admin1" and p.country == "US"}
    for p in counties:
        st = states[p.admin1]
        assert abs(p.latitude - st.latitude) < 15 and abs(p.longitude - st.longitude) < 30, p


# ------------------------------------------------- caching and fast paths


HEADLINE_DOC = (
    "SPRINGFIELD, Mo. — Police Arrest 12 In Springfield Massage Parlor Sting\n"
    "By Jane Doe\n"
    "Officers from the Springfield Police Department raided three parlors on "
    "Monday, a spokesman for Greene County said. \"We acted in Springfield,\" "
    "he said.\nDeputies in Polk County, Florida, arrested 27 people.\n"
)


def test_resolve_with_different_focus_matches_uncached(g):
    """resolve() reuses the text-level work across calls on one text; the
    answers equal those computed from scratch for each call."""
    text = HEADLINE_DOC
    polk = text.index("Polk County")
    focuses = [None, [(0, 80)], [(polk - 20, len(text))], [(0, 80)], None, [(len(text), len(text))]]
    fresh = Gazetteer(gz.load_data())
    for focus in focuses:
        fresh._text_cache.clear()
        assert g.resolve(text, focus) == fresh.resolve(text, focus)
    assert where(g.resolve(text, [(polk - 20, len(text))])) == ("US", "Florida", "Polk County")
    assert where(g.resolve(text, [(0, 80)]))[:2] == ("US", "Missouri")


def test_find_returns_a_new_list(g):
    text = "Officers raided flats in Stratford, east London, on Monday morning."
    first = g.find(text)
    first.clear()
    assert [m.surface for m in g.find(text)] == ["Stratford", "London"]


def test_fold_many_matches_fold():
    names = ["Île-de-France", "St. John’s", "Saint-Étienne", "Fort  Worth", "ΣΟΦΙΑΣ", "İstanbul", "Mount Saint Helens",
             "Lakemount", "Rock & Roll", "Sainte-Foy", "", " ", "Dún Laoghaire", "Łódź", "Øresund", "Gießen"]
    assert gz._fold_many(names) == [gz.fold(n) for n in names]


def test_prev_word_before_a_final_newline():
    # "$" in _CAPWORD_BEFORE also matches before a newline that ends the window
    assert Gazetteer._prev_word("Walk \nAhlen", 6) == "Walk"
    assert Gazetteer._prev_word("Walk\nAhlen", 5) is None
    assert Gazetteer._prev_word("Mr Bolton", 3) == "Mr"


def test_shadow_and_titlecase_lines():
    g_ = get_gazetteer()
    text = "SPRINGFIELD, Mo. — police said\nNEW YORK POLICE RAID SPAS\nsome text here.\n"
    assert g_._shadow(text) == "Springfield, Mo. — police said\nNew York Police Raid Spas\nsome text here.\n"
    assert g_._shadow("nothing to change here\n") is None
    assert Gazetteer._titlecase_lines("Police Raid Massage Parlors Across Florida\nthe rest of the text is prose\n") == [(0, 43)]


# ----------------------------------------------------------- corpus checks


def _dev_docs():
    if not (DEV / "dev.gold.jsonl").exists():
        pytest.skip(f"shared corpus not found at {DEV} (fresh clone without ../shared)")
    docs = []
    for line in (DEV / "dev.gold.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        if d.get("relevant") and len(d.get("operations") or []) == 1:
            docs.append((d, (DEV / f"{d['id']}.txt").read_text(encoding="utf-8")))
    return docs


@pytest.mark.corpus
def test_corpus_lookup_finds_gold_localities(g):
    """lookup(gold locality, gold country) has a candidate with the gold admin1."""
    hits = total = 0
    misses = []
    for d, _text in _dev_docs():
        place = d["operations"][0]["place"]
        if not place.get("locality"):
            continue
        total += 1
        cands = g.lookup(place["locality"], place["country"])
        if any(p.admin1 == place["admin1"] for p in cands):
            hits += 1
        else:
            misses.append((d["id"], place))
    rate = hits / total
    print(f"dev lookup hit rate: {hits}/{total} = {rate:.2f}; misses: {misses}")
    assert total >= 20
    assert rate >= 0.9


@pytest.mark.corpus
def test_corpus_resolve_whole_document(g):
    """resolve() on whole single-operation documents vs the gold place
    (measured and reported; the floor only guards against regressions)."""
    hits = 0
    docs = _dev_docs()
    wrong = []
    for d, text in docs:
        place = d["operations"][0]["place"]
        r = g.resolve(text)
        if where(r) == (place["country"], place["admin1"], place["locality"]):
            hits += 1
        else:
            wrong.append((d["id"], (place["country"], place["admin1"], place["locality"]), where(r)))
    rate = hits / len(docs)
    print(f"dev resolve (whole text) exact place: {hits}/{len(docs)} = {rate:.2f}; wrong: {wrong}")
    assert rate >= 0.7
