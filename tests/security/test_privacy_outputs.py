"""The people named in the stories are never re-exposed.

The fictional articles of tests/fixtures/security/privacy/ (mugshot lists
"Name, 34, of Town", "41-year-old Name", surname-only follow-ups, names in
headlines and in a JSON title, home addresses, next to sheriffs, police
chiefs, spokespeople and prosecutors who must stay named) are ingested with
the real pipeline. Each has a sidecar JSON: "private" strings, "official"
names. No private string from a fixture's own annotation may appear in any
public output -- every page, every API answer (operation details included),
every download, `raidwatch export` in every format with and without
--with-claims -- and the officials' names do appear on their operations'
pages (in the evidence).

Then a Hypothesis property: random filler around a private-name template and
an official's quote, through the real pipeline into a fresh database, never
leaks a part of the private name into the operation page, its API detail or
the CSV download.
"""
from __future__ import annotations

import html
import json
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from _helpers import make_client, private_annotations
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raidwatch import cli
from raidwatch.pipeline import ingest_into
from raidwatch.store import Store

ANNOTATIONS = private_annotations()


def _contains(text: str, phrase: str) -> bool:
    """`phrase` as whole words in `text` (any whitespace between words)."""
    pattern = r"(?<![\w])" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"(?![\w])"
    return re.search(pattern, text) is not None


@pytest.fixture(scope="module")
def outputs(module_db, tmp_path_factory) -> dict[str, str]:
    """Every public output over the filled database: name -> text (HTML
    unescaped, JSON as written)."""
    client = make_client(module_db)
    got: dict[str, str] = {}

    def fetch(path: str) -> None:
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, (path, response.status_code)
        got[path] = html.unescape(response.text) if "html" in response.headers["content-type"] else response.text

    with Store.open(str(module_db)) as store:
        ops = store.operations()
    for path in ("/", "/operations", "/operations?page=1", "/agencies", "/downloads", "/data-dictionary",
                 "/api/v1/operations?limit=500", "/api/v1/summary", "/api/v1/timeline", "/api/v1/agencies",
                 "/downloads/operations.csv", "/downloads/operations.json", "/downloads/operations.geojson",
                 "/api/v1/openapi.json"):
        fetch(path)
    for op in ops:
        fetch(f"/operations/{op['id']}")
        fetch(f"/api/v1/operations/{op['id']}")
    agencies = {a for op in ops for a in op["agencies"]}
    for agency in sorted(agencies):
        fetch(f"/agencies/{quote(agency, safe='')}")
        fetch(f"/api/v1/agencies/{quote(agency, safe='')}")
    for region in sorted({op["place"].get("admin1") for op in ops} - {None}):
        fetch(f"/operations?region={quote(region)}")
        fetch(f"/downloads/operations.csv?region={quote(region)}")
    # raidwatch export, every format, with and without the claims
    out = tmp_path_factory.mktemp("export")
    for fmt in ("csv", "json", "geojson"):
        for claims in (False, True):
            target = out / f"ops-{claims}.{fmt}"
            argv = ["export", "--db", str(module_db), "--format", fmt, "-o", str(target)]
            assert cli.main(argv + (["--with-claims"] if claims else [])) == 0
            got[f"export {fmt}{' --with-claims' if claims else ''}"] = target.read_text(encoding="utf-8")
    client.close()
    return got


def test_fixtures_are_annotated_and_ingested(module_db):
    assert len(ANNOTATIONS) >= 6
    with Store.open(str(module_db)) as store:
        ops = store.operations()
        texts = {s["source_id"]: store.get_document(s["document_id"]).document.text
                 for op in ops for s in op["sources"]}
    for stem, note in ANNOTATIONS.items():
        assert stem in texts, f"{stem}: no operation came from it"
        for phrase in note["private"] + note["official"]:
            assert phrase in texts[stem], f"{stem}: {phrase!r} is not in the article"


@pytest.mark.parametrize("stem", sorted(ANNOTATIONS))
def test_no_private_name_in_any_public_output(outputs, stem):
    leaks = [(phrase, where) for phrase in ANNOTATIONS[stem]["private"] for where, text in outputs.items()
             if _contains(text, phrase)]
    assert not leaks, f"PRIVACY LEAK from {stem}: {leaks[:10]}"


@pytest.mark.parametrize("stem", sorted(ANNOTATIONS))
def test_officials_stay_named_on_their_operation_page(module_db, outputs, stem):
    with Store.open(str(module_db)) as store:
        op_id = next(op["id"] for op in store.operations() if any(s["source_id"] == stem for s in op["sources"]))
    page = outputs[f"/operations/{op_id}"]
    detail = json.loads(outputs[f"/api/v1/operations/{op_id}"])
    evidence = " ".join(c["evidence"]["sentence"] for f in detail["fields"].values() for c in f["claims"]
                        if c.get("evidence"))
    for official in ANNOTATIONS[stem]["official"]:
        assert _contains(page, official), f"{stem}: {official} missing from the operation page"
        assert _contains(evidence, official), f"{stem}: {official} missing from the evidence"


def test_reviewer_pages_do_show_the_names(module_db):
    """The reviewers' pages are the one place with the names (they need the
    evidence as written) -- behind the login, sent with no-store."""
    from _helpers import login

    client = make_client(module_db)
    with Store.open(str(module_db)) as store:
        op = next(op for op in store.operations() if any(s["source_id"] == "mugshot-list" for s in op["sources"]))
    assert client.get(f"/review/operations/{op['id']}", follow_redirects=False).status_code == 303
    assert login(client).status_code == 303
    page = client.get(f"/review/operations/{op['id']}")
    assert "Desmond Achterberg" in html.unescape(page.text) or "Brisbane-Tate" in html.unescape(page.text)
    assert "no-store" in page.headers["cache-control"]
    client.close()


# ------------------------------------------------------------------ property

FIRST = ["Marisela", "Oksana", "Thuy", "Rosalind", "Genevieve", "Ifeoma", "Dragana", "Lucinda", "Xiomara",
         "Henrike", "Bartholomew", "Ezekiel", "Ludmila", "Perpetua", "Svetlana", "Cordelia"]
LAST = ["Quintanilla", "Vasylenko", "Okonkwo-Hale", "Pemberton", "Szczepanska", "Abernathy", "Nakashima",
        "Rutherford-Ng", "Delacroix", "Haverford", "Lindqvist", "Moreau-Baptiste", "Tereshchenko", "Oyelowo"]
OFFICIALS = [("Sheriff", "Dale", "Whitcombe"), ("Police Chief", "Maria", "Ostrander"),
             ("police spokeswoman", "Tanya", "Greeley"), ("Prosecutor", "Alan", "Brookshire"),
             ("Detective Sergeant", "Colin", "Fairbairn")]
TEMPLATES = [
    "{first} {last}, {age}, of Lakeland, was charged with prostitution.",
    "Those arrested included {first} {last}, {age}, of Winter Haven.",
    "Among those arrested was {age}-year-old {first} {last}, who was charged with prostitution.",
    "Deputies arrested {first} {last} at the spa.",
    "{first} {last} was charged with deriving support from prostitution.",
    "Spa owner {first} {last} was charged with operating without a license.",
]
FOLLOW_UPS = ["", "{last} was released on bond.", "{last} declined to comment.",
              "Records show {last} had no prior arrests.", "Ms. {last} is due in court next month."]
FILLER = [
    "The operation followed complaints from neighbors.", "Detectives posed as customers online.",
    "The investigation lasted several months.", "Deputies seized cash and phones.",
    "Several businesses on the highway were searched.", "A hotline number was given for tips.",
    "Officers said the women were offered services.", "The agency posted booking photos online.",
    "Nobody was charged with human trafficking.", "The sting took place over two days.",
]
LEAD = ("The Polk County Sheriff's Office arrested 12 people during an undercover prostitution sting in Lakeland "
        "on 3 May 2024, deputies said.")


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("property") / "empty.sqlite"
    Store.open(str(path)).close()
    return path


@st.composite
def articles(draw):
    first, last = draw(st.sampled_from(FIRST)), draw(st.sampled_from(LAST))
    age = draw(st.integers(18, 79))
    private = draw(st.sampled_from(TEMPLATES)).format(first=first, last=last, age=age)
    follow = draw(st.sampled_from(FOLLOW_UPS)).format(last=last)
    title, off_first, off_last = draw(st.sampled_from(OFFICIALS))
    quote_sentence = f'"We will keep doing these operations," {title} {off_first} {off_last} said.'
    before = draw(st.lists(st.sampled_from(FILLER), max_size=3))
    after = draw(st.lists(st.sampled_from(FILLER), max_size=3))
    noise = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ,.", max_size=40))
    paragraphs = [LEAD, " ".join(before + [private]), " ".join([follow] + after).strip(), quote_sentence,
                  noise.strip() and noise.strip().capitalize() + "."]
    text = "Deputies arrest 12 in Lakeland sting\n\n" + "\n\n".join(p for p in paragraphs if p) + "\n"
    return text, (first, last), f"{off_first} {off_last}"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.data_too_large])
@given(article=articles())
def test_random_text_around_private_names_never_leaks(empty_db, article):
    text, (first, last), _official = article
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "raidwatch.sqlite"
        shutil.copyfile(empty_db, db)
        source = Path(folder) / "article.txt"
        source.write_text(text, encoding="utf-8")
        with Store.open(str(db)) as store:
            summary = ingest_into(store, [source], progress=False)
            assert not summary.errors
            ops = store.operations()
        assert ops, f"no operation extracted from:\n{text}"
        client = make_client(db)
        shown = html.unescape(client.get(f"/operations/{ops[0]['id']}").text)
        detail = client.get(f"/api/v1/operations/{ops[0]['id']}").text
        table = client.get("/downloads/operations.csv").text
        client.close()
    for where, output in (("page", shown), ("api", detail), ("csv", table)):
        for part in (first, last, *last.split("-")):
            assert not _contains(output, part), f"PRIVACY LEAK: {part!r} in the {where} for:\n{text}"


def test_no_free_text_search_on_redacted_text(module_db):
    """There is no free-text search (so it cannot match on redacted text):
    a `q` / `search` / `text` parameter is ignored -- the answer is the
    unfiltered one, whether or not the word is a hidden name."""
    client = make_client(module_db)
    plain_api = client.get("/api/v1/operations", params={"limit": 500}).json()
    plain_page = client.get("/operations").text
    plain_csv = client.get("/downloads/operations.csv").text
    for param in ("q", "search", "text", "query"):
        for word in ("Oyelaran", "Vandermeer", "no-such-word"):
            api = client.get("/api/v1/operations", params={"limit": 500, param: word}).json()
            assert api["total"] == plain_api["total"]
            assert [i["id"] for i in api["items"]] == [i["id"] for i in plain_api["items"]]
            assert client.get("/downloads/operations.csv", params={param: word}).text == plain_csv
            page = client.get("/operations", params={param: word}).text
            assert page.count('href="/operations/') == plain_page.count('href="/operations/')
            assert word not in html.unescape(page)
    client.close()
