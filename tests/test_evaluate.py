"""Tests for raidwatch.evaluate, the scoring core of `raidwatch eval`.

Unit tests use small hand-made documents, one rule each. The corpus tests
perturb the shared gold files at random and require the result to equal the
independent reference scorer (shared/tools/score.py) exactly.
"""
from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from raidwatch import evaluate
from raidwatch.evaluate import (
    QUOTE_FIELDS,
    SCORED_FIELDS,
    EvalInputError,
    format_json,
    format_text,
    load_gold_corpus,
    match_operations,
    score,
)
from raidwatch.model import COUNT_NAMES, QUOTE_ROLES

SHARED = Path(__file__).resolve().parents[2] / "shared"
REFERENCE = SHARED / "tools" / "score.py"
CORPORA = {
    "dev": SHARED / "corpus" / "dev" / "dev.gold.jsonl",
    "seeds": SHARED / "corpus" / "seeds" / "seeds.gold.jsonl",
}


# ---------------------------------------------------------------------------
# Helpers


def op(**values) -> dict:
    """An operation with every field empty; `place__locality="X"` sets nested values."""
    built = {
        "name": None,
        "agencies": [],
        "place": {"country": None, "admin1": None, "locality": None},
        "date": {"start": None, "end": None, "precision": None},
        "tactics": [],
        "venues": [],
        "counts": {c: None for c in COUNT_NAMES},
        "publicity": {"press_conference": None, "names_or_photos_published": None},
        "immigration_involved": None,
    }
    for path, value in values.items():
        *parents, last = path.split("__")
        target = built
        for part in parents:
            target = target[part]
        target[last] = value
    return built


def doc(doc_id: str, *ops: dict, relevant: bool | None = None, quotes: dict | None = None) -> dict:
    return {"id": doc_id, "relevant": bool(ops) if relevant is None else relevant,
            "operations": list(ops), "quotes": quotes}


def tally(result: dict, field: str) -> tuple[int, int, int]:
    t = result["fields"][field]
    return t["tp"], t["fp"], t["fn"]


def full_op() -> dict:
    return op(
        key="fl-polk-2019-10",
        name="Operation Trade Secrets",
        agencies=["Polk County Sheriff's Office", "Homeland Security Investigations"],
        place__country="US", place__admin1="Florida", place__locality="Polk County",
        date__start="2019-10-10", date__end="2019-10-15", date__precision="day",
        tactics=["online_sting"], venues=["massage_business"],
        counts__arrested_total=277, counts__arrested_sex_workers=51, counts__arrested_buyers=209,
        counts__charged_trafficking=0, counts__potential_victims=5, counts__detained_not_arrested=12,
        publicity__press_conference=True, publicity__names_or_photos_published=True,
        immigration_involved=True,
    )


# ---------------------------------------------------------------------------
# Result shape and perfect predictions


def test_result_shape_and_field_order():
    result = score([doc("a", full_op())], [doc("a", full_op())])
    assert list(result) == ["documents", "relevance", "fields", "micro", "linking",
                            "quotes_exact_docs", "disagreements"]
    assert list(result["fields"]) == [*SCORED_FIELDS, *QUOTE_FIELDS]
    assert SCORED_FIELDS[:9] == ("name", "agencies", "place.country", "place.admin1", "place.locality",
                                 "date.start", "date.end", "tactics", "venues")
    assert SCORED_FIELDS[9:18] == tuple(f"counts.{c}" for c in COUNT_NAMES)
    assert SCORED_FIELDS[18:] == ("publicity.press_conference", "publicity.names_or_photos_published",
                                  "immigration_involved")
    assert QUOTE_FIELDS == tuple(f"quotes.{r}" for r in QUOTE_ROLES)
    assert "date.precision" not in SCORED_FIELDS
    assert set(result["micro"]) == {"tp", "fp", "fn", "precision", "recall", "f1"}


def test_perfect_prediction_scores_one():
    quotes = {"law_enforcement": 2, "official": 0, "sex_worker": 1, "advocate": 0, "other": 0}
    gold = [doc("a", full_op(), quotes=quotes), doc("b", relevant=False, quotes=quotes)]
    result = score(gold, copy.deepcopy(gold))
    assert result["documents"] == 2
    assert result["micro"]["f1"] == 1.0
    # 1 name + 2 agencies + 3 place + 2 dates + 1 tactic + 1 venue + 6 counts + 2 flags + 1 = 19
    assert result["micro"]["tp"] == 19 and result["micro"]["fp"] == result["micro"]["fn"] == 0
    assert result["relevance"] == {"tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert result["quotes_exact_docs"] == 1.0
    assert result["disagreements"] == []
    # A field nobody filled scores 0.0, not 1.0.
    assert result["fields"]["counts.minors_identified"]["f1"] == 0.0


def test_wrong_count_is_one_fp_and_one_fn():
    pred = full_op()
    pred["counts"]["arrested_total"] = 276
    result = score([doc("a", full_op())], [doc("a", pred)])
    assert tally(result, "counts.arrested_total") == (0, 1, 1)
    assert result["disagreements"] == [
        {"document": "a", "field": "counts.arrested_total", "gold": 277, "predicted": 276}]
    assert result["micro"]["tp"] == 18


def test_null_versus_value():
    gold = op(agencies=["Garda"], counts__arrested_total=5, counts__charged_trafficking=None)
    pred = op(agencies=["Garda"], counts__arrested_total=None, counts__charged_trafficking=0)
    result = score([doc("a", gold)], [doc("a", pred)])
    assert tally(result, "counts.arrested_total") == (0, 0, 1)
    assert tally(result, "counts.charged_trafficking") == (0, 1, 0)  # 0 is a value, not null
    assert tally(result, "counts.potential_victims") == (0, 0, 0)


def test_numbers_and_booleans_compare_by_type():
    gold = op(agencies=["Garda"], immigration_involved=True, counts__arrested_total=5,
              counts__arrested_buyers=3)
    pred = op(agencies=["Garda"], immigration_involved=1, counts__arrested_total=5.0,
              counts__arrested_buyers="3")
    result = score([doc("a", gold)], [doc("a", pred)])
    assert tally(result, "immigration_involved") == (0, 1, 1)  # true != 1
    assert tally(result, "counts.arrested_total") == (1, 0, 0)  # 5 == 5.0
    assert tally(result, "counts.arrested_buyers") == (0, 1, 1)  # "3" != 3


def test_set_fields_count_elements():
    gold = op(agencies=["Garda"], tactics=["premises_raid", "online_sting"], venues=["brothel"])
    pred = op(agencies=["Garda"], tactics=["online_sting", "street_sweep", "online_sting"], venues=None)
    result = score([doc("a", gold)], [doc("a", pred)])
    assert tally(result, "tactics") == (1, 1, 1)  # duplicates collapse
    assert tally(result, "venues") == (0, 0, 1)  # null is the empty set
    disagreement = [d for d in result["disagreements"] if d["field"] == "tactics"]
    assert disagreement[0]["gold"] == ["premises_raid", "online_sting"]  # whole lists, as given


@pytest.mark.parametrize(("gold", "pred", "equal"), [
    ("Operation Trade Secrets", "operation trade-secrets", True),
    ("Operation Trade Secrets", "  OPERATION   Trade Secrets!", True),
    ("The Metropolitan Police", "metropolitan police", True),
    ("Operation \u201cLodestar\u201d", "Operation Lodestar", True),
    ("O\u2019Hare", "O'Hare", True),
    ("O'Hare", "O Hare", False),  # apostrophes vanish, they do not become spaces
    ("Cork", "Corks", False),
])
def test_string_normalisation(gold, pred, equal):
    result = score([doc("a", op(agencies=["Garda"], name=gold))], [doc("a", op(agencies=["Garda"], name=pred))])
    assert tally(result, "name") == ((1, 0, 0) if equal else (0, 1, 1))


def test_punctuation_only_string_is_null():
    result = score([doc("a", op(agencies=["Garda"], name=None))], [doc("a", op(agencies=["Garda"], name=" - "))])
    assert tally(result, "name") == (0, 0, 0)


def test_agency_possessive_loose_match():
    gold = op(agencies=["Polk County Sheriff's Office", "Police Service of Northern Ireland"])
    pred = op(agencies=["the Polk County Sheriff Office", "Police Service Northern Ireland"])
    result = score([doc("a", gold)], [doc("a", pred)])
    assert tally(result, "agencies") == (2, 0, 0)


def test_agency_loose_match_is_limited():
    gold = op(agencies=["Polk County Sheriff's Office"])
    pred = op(agencies=["Polk County Sheriffs Department"])
    assert tally(score([doc("a", gold)], [doc("a", pred)]), "agencies") == (0, 1, 1)


def test_unscored_fields_are_ignored():
    gold = op(agencies=["Garda"], date__precision="day", key="k1")
    pred = op(agencies=["Garda"], date__precision="month", key="other")
    result = score([doc("a", gold)], [doc("a", pred)])
    assert result["micro"] == {"tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}


# ---------------------------------------------------------------------------
# Operation matching


def test_two_operations_matched_whatever_their_order():
    dublin = op(agencies=["An Garda S\u00edoch\u00e1na"], place__locality="Dublin", date__start="2021-04-12",
                counts__arrested_buyers=9)
    cork = op(agencies=["An Garda S\u00edoch\u00e1na"], place__locality="Cork", date__start="2021-02-01",
              counts__arrested_buyers=4)
    gold = [doc("a", dublin, cork)]
    pred = [doc("a", copy.deepcopy(cork), copy.deepcopy(dublin))]
    assert match_operations(gold[0]["operations"], pred[0]["operations"]) == [(0, 1), (1, 0)]
    result = score(gold, pred)
    assert result["micro"]["fp"] == result["micro"]["fn"] == 0
    assert tally(result, "counts.arrested_buyers") == (2, 0, 0)


def test_name_outweighs_date_and_place():
    gold_ops = [op(name="Operation Mayfly", place__locality="Birmingham"),
                op(name="Operation Kestrel", date__start="2019-11-01")]
    pred_ops = [op(name="Operation Kestrel", place__locality="Birmingham")]
    # name (3) beats locality (2); the second gold operation stays unmatched.
    assert match_operations(gold_ops, pred_ops) == [(1, 0)]


def test_equal_similarity_is_broken_by_other_fields():
    gold_ops = [op(agencies=["Garda"], counts__arrested_total=3),
                op(agencies=["Garda"], counts__arrested_total=9)]
    pred_ops = [op(agencies=["Garda"], counts__arrested_total=9)]
    assert match_operations(gold_ops, pred_ops) == [(1, 0)]
    # Without any agreement, the lower gold index wins.
    assert match_operations(gold_ops, [op(agencies=["Garda"])]) == [(0, 0)]


def test_single_leftover_pair_is_matched_with_zero_similarity():
    gold = op(agencies=["Polk County Sheriff's Office"], place__locality="Lakeland", counts__arrested_total=7)
    pred = op(agencies=["Lakeland Police"], place__locality="Polk", counts__arrested_total=7)
    assert match_operations([gold], [pred]) == [(0, 0)]
    result = score([doc("a", gold)], [doc("a", pred)])
    assert tally(result, "counts.arrested_total") == (1, 0, 0)


def test_leftover_rule_needs_exactly_one_on_each_side():
    matched_gold = op(name="Operation A")
    gold_ops = [matched_gold, op(place__locality="Leeds")]
    assert match_operations(gold_ops, [op(name="Operation A"), op(place__locality="York")]) == [(0, 0), (1, 1)]
    # Two zero-similarity operations on each side stay unmatched.
    assert match_operations([op(place__locality="Leeds"), op(place__locality="Hull")],
                            [op(place__locality="York"), op(place__locality="Bath")]) == []


def test_unmatched_operations_give_fn_and_fp():
    gold_ops = [op(place__locality="Leeds", counts__arrested_total=3, tactics=["street_sweep", "premises_raid"]),
                op(place__locality="Hull")]
    pred_ops = [op(place__locality="York"), op(place__locality="Bath", counts__arrested_total=2)]
    result = score([doc("a", *gold_ops)], [doc("a", *pred_ops)])
    assert tally(result, "tactics") == (0, 0, 2)
    assert tally(result, "counts.arrested_total") == (0, 1, 1)
    assert tally(result, "place.locality") == (0, 2, 2)
    missing = [d for d in result["disagreements"] if d["field"] == "tactics"]
    assert missing == [{"document": "a", "field": "tactics",
                        "gold": ["street_sweep", "premises_raid"], "predicted": None}]


# ---------------------------------------------------------------------------
# Documents, relevance and quotes


def test_relevance_and_missing_prediction():
    gold = [doc("a", op(name="X")), doc("b", relevant=False), doc("c", op(name="Y"))]
    pred = [doc("a", op(name="X")), doc("b", op(name="Z"), relevant=True), doc("zzz", relevant=True)]
    result = score(gold, pred)
    assert result["documents"] == 3
    assert (result["relevance"]["tp"], result["relevance"]["fp"], result["relevance"]["fn"]) == (1, 1, 1)
    relevance = [d for d in result["disagreements"] if d["field"] == "relevant"]
    assert relevance == [
        {"document": "b", "field": "relevant", "gold": False, "predicted": True},
        {"document": "c", "field": "relevant", "gold": True, "predicted": None},
    ]
    assert tally(result, "name") == (1, 1, 1)  # Z is a false positive, Y a miss
    assert evaluate.unknown_prediction_ids(gold, pred) == ["zzz"]


def test_quotes():
    gold = [doc("a", quotes={"law_enforcement": 2, "official": 0, "sex_worker": None, "advocate": 1, "other": 0}),
            doc("b", quotes={"law_enforcement": 1, "official": 0, "sex_worker": 0, "advocate": 0, "other": 0}),
            doc("c", quotes={"law_enforcement": 1}),
            doc("d", quotes=None)]
    pred = [doc("a", quotes={"law_enforcement": 2, "advocate": 1, "sex_worker": 4}),  # missing roles are 0
            doc("b", quotes={"law_enforcement": 2, "official": 0, "sex_worker": 0, "advocate": 0, "other": 0}),
            doc("c", quotes=None),
            doc("d", quotes={"law_enforcement": 3})]
    result = score(gold, pred)
    assert tally(result, "quotes.law_enforcement") == (1, 1, 2)  # a exact; b wrong; c missing
    assert tally(result, "quotes.sex_worker") == (1, 0, 0)  # gold null in "a": not scored there
    assert result["quotes_exact_docs"] == round(1 / 3, 4)
    assert result["micro"]["tp"] == 0  # quotes stay out of micro
    assert {"document": "c", "field": "quotes.law_enforcement", "gold": 1, "predicted": None} \
        in result["disagreements"]


# ---------------------------------------------------------------------------
# Linking


def _linked(doc_id: str, key: str | None, locality: str, link: str | None = None, via: str = "key") -> dict:
    built = op(place__locality=locality)
    built["key"] = key
    if link is not None:
        built[via] = link
    return doc(doc_id, built)


def test_linking_is_null_without_predicted_ids():
    gold = [_linked("a", "k1", "Leeds"), _linked("b", "k1", "Leeds")]
    pred = [_linked("a", None, "Leeds"), _linked("b", None, "Leeds")]
    assert score(gold, pred)["linking"] is None


def test_linking_pairs():
    gold = [_linked("a", "k1", "Leeds"), _linked("b", "k1", "Leeds"), _linked("c", "k2", "Hull"),
            _linked("d", "k2", "Hull")]
    # a-b linked correctly via operation_id; c linked with a wrongly; d unlinked.
    pred = [_linked("a", None, "Leeds", "x", via="operation_id"),
            _linked("b", None, "Leeds", "x", via="operation_id"),
            _linked("c", None, "Hull", "x", via="operation_id"),
            _linked("d", None, "Hull")]
    linking = score(gold, pred)["linking"]
    # pairs under "x": a-b (true), a-c, b-c (false); gold pair c-d missed.
    assert (linking["tp"], linking["fp"], linking["fn"]) == (1, 2, 1)
    assert linking["precision"] == 0.3333 and linking["recall"] == 0.5 and linking["f1"] == 0.4


def test_linking_key_wins_over_operation_id_and_same_document_pairs_do_not_count():
    gold = [doc("a", op(place__locality="Leeds", key="k"), op(place__locality="Hull", key="k")),
            _linked("b", "k", "Leeds")]
    first = op(place__locality="Leeds", key="p", operation_id="ignored")
    second = op(place__locality="Hull", key="p")
    pred = [doc("a", first, second), _linked("b", None, "Leeds", "p")]
    linking = score(gold, pred)["linking"]
    # Cross-document pairs: a.Leeds-b, a.Hull-b (gold has the same two).
    assert (linking["tp"], linking["fp"], linking["fn"]) == (2, 0, 0)


# ---------------------------------------------------------------------------
# Formatting


def test_format_text_and_json():
    pred = full_op()
    pred["counts"]["arrested_total"] = 1
    del pred["key"]  # no predicted link id: linking is not scored
    result = score([doc("a", full_op()), doc("b", relevant=False)], [doc("a", pred), doc("b", relevant=True)])
    assert result["linking"] is None
    text = format_text(result, max_disagreements=1)
    assert "counts.arrested_total" in text and "micro" in text and "relevance" in text
    assert "not scored" in text
    assert "Disagreements: 2 (showing the first 1)" in text
    assert json.loads(format_json(result)) == result
    result_linked = score([_linked("a", "k", "Leeds")], [_linked("a", "k", "Leeds")])
    assert "not scored" not in format_text(result_linked)


# ---------------------------------------------------------------------------
# Loading a gold corpus


def _write_corpus(directory: Path, lines: list[str], texts: list[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "x.gold.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name in texts:
        (directory / f"{name}.txt").write_text("Headline\n", encoding="utf-8")


def test_load_gold_corpus(tmp_path):
    _write_corpus(tmp_path, [json.dumps(doc("d1", op(name="X"))), "", json.dumps(doc("d2"))], ["d1", "d2"])
    (tmp_path / "y.gold.jsonl").write_text(json.dumps(doc("d3")) + "\n", encoding="utf-8")
    (tmp_path / "d3.txt").write_text("t", encoding="utf-8")
    loaded = load_gold_corpus(tmp_path)
    assert [(d["id"], p.name) for d, p in loaded] == [("d1", "d1.txt"), ("d2", "d2.txt"), ("d3", "d3.txt")]


@pytest.mark.parametrize(("lines", "texts", "message"), [
    (["{not json"], [], "line 1: not valid JSON"),
    (["[1, 2]"], [], "expected a JSON object"),
    (['{"relevant": true}'], [], 'missing or non-string "id"'),
    ([json.dumps(doc("d1")), json.dumps(doc("d1"))], ["d1"], 'line 2: duplicate id "d1"'),
    (['{"id": "d1", "operations": {}}'], ["d1"], '"operations" must be a list'),
    (['{"id": "d1", "operations": [3]}'], ["d1"], "operation 1 is not a JSON object"),
    (['{"id": "d1", "quotes": [1]}'], ["d1"], '"quotes" must be an object or null'),
    (['{"id": "../d1"}'], [], "cannot name a file"),
    ([json.dumps(doc("d1"))], [], "d1.txt"),
])
def test_load_gold_corpus_errors(tmp_path, lines, texts, message):
    _write_corpus(tmp_path, lines, texts)
    with pytest.raises(EvalInputError) as caught:
        load_gold_corpus(tmp_path)
    assert message in str(caught.value)
    assert "x.gold.jsonl" in str(caught.value)


def test_load_gold_corpus_without_gold_files(tmp_path):
    with pytest.raises(EvalInputError, match="no \\*.gold.jsonl"):
        load_gold_corpus(tmp_path)
    with pytest.raises(EvalInputError, match="does not exist"):
        load_gold_corpus(tmp_path / "missing")


# ---------------------------------------------------------------------------
# Agreement with the reference scorer


def _require_shared() -> None:
    if not REFERENCE.is_file() or not all(p.is_file() for p in CORPORA.values()):
        pytest.skip("../shared (reference scorer and corpus) is not present in this clone")


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write_jsonl(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


def _reference_result(tmp_path: Path, gold: list[dict], pred: list[dict]) -> dict:
    gold_file = _write_jsonl(tmp_path / "gold.jsonl", gold)
    pred_file = _write_jsonl(tmp_path / "pred.jsonl", pred)
    run = subprocess.run([sys.executable, str(REFERENCE), str(gold_file), str(pred_file), "--json"],
                         capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def _rename_agency(name: str, rng: random.Random) -> str:
    choice = rng.randrange(7)
    if choice == 0:
        return name.replace("'s", "")  # possessive dropped: loose match
    if choice == 1:
        return "the " + name
    if choice == 2:
        return name.upper()
    if choice == 3:
        return name.replace(" ", "-", 1)
    if choice == 4:
        return name.replace(" of ", " ")
    if choice == 5:
        return name + " Unit"
    return rng.choice(["Interpol", "City Council", "Border Force", name.split()[0]])


def _perturb_op(operation: dict, rng: random.Random, rate: float, others: list[dict]) -> dict:
    """One predicted operation derived from a gold one with random errors."""
    out = copy.deepcopy(operation)
    hit = lambda: rng.random() < rate  # noqa: E731
    if hit():
        out["agencies"] = [_rename_agency(a, rng) if rng.random() < 0.5 else a for a in out.get("agencies") or []]
    if hit() and out.get("agencies"):
        out["agencies"].pop(rng.randrange(len(out["agencies"])))
    if hit():
        out["agencies"] = None if rng.random() < 0.3 else out.get("agencies")
    if hit() and out.get("name"):
        out["name"] = rng.choice([out["name"].lower(), "The " + out["name"], out["name"] + "!",
                                  out["name"].replace("Operation ", ""), None])
    for part in ("country", "admin1", "locality"):
        if hit():
            out["place"][part] = rng.choice([None, "Nowhere", (out["place"][part] or "x").upper()])
    for part in ("start", "end"):
        if hit():
            out["date"][part] = rng.choice([None, "2020-01-01", out["date"]["start"]])
    for field, vocabulary in (("tactics", ["premises_raid", "online_sting", "street_sweep"]),
                              ("venues", ["brothel", "street", "online", "Brothel"])):
        if hit():
            values = list(out.get(field) or [])
            action = rng.randrange(4)
            if action == 0 and values:
                values.pop(rng.randrange(len(values)))
            elif action == 1:
                values.append(rng.choice(vocabulary))
            elif action == 2:
                values = values + values
            else:
                values = None
            out[field] = values
    for count in COUNT_NAMES:
        if hit():
            value = out["counts"].get(count)
            value = value if type(value) is int else 0  # earlier perturbations may leave "7" or 7.0
            out["counts"][count] = rng.choice([
                None, 0, (value or 0) + rng.choice([-1, 1, 10]), float(value or 0), str(value or 0),
            ])
    for flag in ("press_conference", "names_or_photos_published"):
        if hit():
            out["publicity"][flag] = rng.choice([None, True, False, 1, 0])
    if hit():
        out["immigration_involved"] = rng.choice([None, True, False, 1, "true"])
    if hit():
        out["date"]["precision"] = "year"  # not scored
    if hit() and others:
        # Borrow one field from a different operation (a confusable extraction).
        other = rng.choice(others)
        field = rng.choice(["agencies", "place", "date", "name", "counts"])
        out[field] = copy.deepcopy(other.get(field))
    return out


def _perturb(gold: list[dict], seed: int) -> tuple[list[dict], list[dict]]:
    """A (gold, prediction) pair: the prediction is the gold with seeded random errors."""
    rng = random.Random(seed)
    rate = rng.choice([0.02, 0.1, 0.25, 0.5])
    gold = copy.deepcopy(gold)
    all_ops = [o for d in gold for o in d.get("operations") or []]
    all_keys = [o["key"] for o in all_ops if o.get("key")] or ["k"]

    # A few changes to the gold copy itself, for rules the corpus never exercises.
    for g in gold:
        if rng.random() < rate / 2:
            g["quotes"] = rng.choice([None, {"law_enforcement": 1}, {r: None for r in QUOTE_ROLES}])

    pred = []
    for g in gold:
        if rng.random() < rate / 3:
            continue  # document missing from the prediction
        p = copy.deepcopy(g)
        p.pop("notes", None)
        if rng.random() < rate:
            p["relevant"] = not g.get("relevant")
        ops = [_perturb_op(o, rng, rate, all_ops) for o in g.get("operations") or []]
        ops = [o for o in ops if rng.random() >= rate / 2]  # dropped operations
        while rng.random() < rate:  # extra operations, sometimes near-duplicates
            source = rng.choice(ops or all_ops or [op()])
            ops.append(_perturb_op(source, rng, 0.3, all_ops))
        if rng.random() < 0.5:
            rng.shuffle(ops)
        link_mode = rng.choice(["keep", "keep", "none", "operation_id", "swap"])
        for o in ops:
            if link_mode == "none" or (link_mode != "keep" and rng.random() < rate):
                o.pop("key", None)
            elif link_mode == "operation_id":
                o["operation_id"] = o.pop("key", None) or rng.choice(all_keys)
            elif link_mode == "swap" and rng.random() < 0.5:
                o["key"] = rng.choice(all_keys + ["", None])
        p["operations"] = ops
        quotes = p.get("quotes")
        if rng.random() < rate:
            p["quotes"] = None
        elif isinstance(quotes, dict):
            for role in QUOTE_ROLES:
                if rng.random() < rate:
                    action = rng.randrange(3)
                    if action == 0:
                        quotes.pop(role, None)
                    elif action == 1:
                        quotes[role] = None
                    else:
                        quotes[role] = (quotes.get(role) or 0) + 1
        pred.append(p)
    if rng.random() < rate:
        pred.append({"id": "not-in-gold", "relevant": True, "operations": [op(name="Ghost")]})
    if rng.random() < 0.3:
        rng.shuffle(pred)
    return gold, pred


@pytest.mark.corpus
@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_gold_against_itself_matches_reference(tmp_path, corpus):
    _require_shared()
    gold = _read_jsonl(CORPORA[corpus])
    result = score(gold, copy.deepcopy(gold))
    assert result["micro"]["f1"] == 1.0
    assert result == _reference_result(tmp_path, gold, gold)


@pytest.mark.corpus
@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_perturbed_predictions_match_reference(tmp_path, corpus, seed):
    _require_shared()
    gold, pred = _perturb(_read_jsonl(CORPORA[corpus]), seed * 7919 + len(corpus))
    expected = _reference_result(tmp_path, gold, pred)
    assert score(gold, pred) == expected


@pytest.mark.corpus
def test_both_corpora_together_match_reference(tmp_path):
    _require_shared()
    gold = [d for path in CORPORA.values() for d in _read_jsonl(path)]
    gold, pred = _perturb(gold, 2024)
    assert score(gold, pred) == _reference_result(tmp_path, gold, pred)


def _edge_case_documents() -> tuple[list[dict], list[dict]]:
    """Hand-made inputs for rules the corpus never exercises."""
    gold = [
        # Agencies that fold to nothing on the loose pass never match each other.
        doc("e1", op(agencies=["The", "Police"], place__locality="Leeds")),
        # Same normal form, different loose forms: the first written one counts.
        doc("e2", op(agencies=["Sheriff's Office", "Sheriffs Office"], place__locality="Tampa")),
        # Values of the wrong JSON type.
        doc("e3", op(name=["Op", "X"], venues="brothel", tactics=[5, None], place__locality="Bath",
                     counts__arrested_total=10**17 + 1, counts__arrested_buyers=2.0)),
        doc("e4", {"name": "Operation Stra\u00dfe", "place": "London", "key": 5}, relevant="yes"),
        doc("e5", op(place__locality="Hull", key="5"), quotes={"law_enforcement": 0, "other": 2}),
        doc("e6", op(place__locality="Hull", key="k6"), op(place__locality="Hull", key="k6b")),
        doc("e7", op(place__locality="York", key="k6")),
        {"id": "e8", "relevant": False},
    ]
    pred = [
        doc("e1", op(agencies=["of", "POLICE"], place__locality="Leeds")),
        doc("e2", op(agencies=["Sheriff Office"], place__locality="Tampa")),
        doc("e3", op(name=["op", "x"], venues=["Brothel"], tactics=["5"], place__locality="bath",
                     counts__arrested_total=10**17, counts__arrested_buyers=2)),
        doc("e4", {"name": "operation strasse", "place": {"locality": "London"}, "key": "5"}),
        doc("e5", op(place__locality="Hull", key=""), quotes={"law_enforcement": None, "other": 2}),
        doc("e6", op(place__locality="Hull", key="", operation_id="k6"), op(place__locality="Hull", key=None,
                                                                             operation_id="k6")),
        doc("e7", op(place__locality="York", operation_id="k6")),
        {"id": "e8", "relevant": None, "operations": None, "quotes": None},
    ]
    return gold, pred


def test_edge_cases_by_hand():
    gold, pred = _edge_case_documents()
    result = score(gold, pred)
    by_doc = {}
    for d in result["disagreements"]:
        by_doc.setdefault(d["document"], []).append(d["field"])
    assert "agencies" in by_doc["e1"]  # "The" and "of" are not the same agency
    assert "agencies" not in by_doc.get("e2", [])  # Sheriff's Office ~ Sheriff Office
    assert "counts.arrested_total" in by_doc["e3"]  # big integers compare exactly
    assert "venues" not in by_doc["e3"] and "tactics" not in by_doc["e3"]  # lone value; 5 = "5" in sets
    assert "name" in by_doc["e3"]  # a list where a string belongs is compared as exact JSON, unfolded
    assert "name" not in by_doc["e4"]  # casefold: Strasse = Stra\u00dfe
    assert by_doc["e5"] == ["quotes.law_enforcement"]  # an explicit null is not 0


@pytest.mark.corpus
def test_edge_cases_match_reference(tmp_path):
    _require_shared()
    gold, pred = _edge_case_documents()
    assert score(gold, pred) == _reference_result(tmp_path, gold, pred)


@pytest.mark.corpus
def test_load_gold_corpus_reads_the_dev_corpus():
    _require_shared()
    loaded = load_gold_corpus(CORPORA["dev"].parent)
    assert len(loaded) == 45
    assert all(path.is_file() and path.name == f"{d['id']}.txt" for d, path in loaded)
