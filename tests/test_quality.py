"""Extraction quality floors on the shared corpus, and agreement with the independent scorer.

Floors only ever go up: raise them when the extractor improves, never lower them.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from raidwatch import cli

SHARED = Path(__file__).resolve().parents[2] / "shared"
pytestmark = pytest.mark.corpus

# corpus -> (relevance F1 floor, micro F1 floor)
FLOORS = {"dev": (0.98, 0.94), "seeds": (0.95, 0.69)}


def _require_shared() -> None:
    if not (SHARED / "corpus").is_dir() or not (SHARED / "tools" / "score.py").is_file():
        pytest.skip("../shared (corpus and reference scorer) is not present in this clone; CI always has it")


def _eval_json(corpus: Path, capsys) -> dict:
    assert cli.main(["eval", str(corpus), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_quality_floors(name, capsys):
    _require_shared()
    result = _eval_json(SHARED / "corpus" / name, capsys)
    relevance_floor, micro_floor = FLOORS[name]
    assert result["relevance"]["f1"] >= relevance_floor, result["relevance"]
    assert result["micro"]["f1"] >= micro_floor, result["micro"]
    assert set(result) >= {"documents", "relevance", "fields", "micro", "linking", "disagreements"}


def test_eval_agrees_with_independent_scorer(tmp_path, capsys):
    _require_shared()
    corpus = SHARED / "corpus" / "dev"
    ours = _eval_json(corpus, capsys)
    txts = sorted(str(p) for p in corpus.glob("*.txt"))
    assert cli.main(["predict", *txts]) == 0
    pred = tmp_path / "pred.jsonl"
    pred.write_text(capsys.readouterr().out, encoding="utf-8")
    reference = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "score.py"), str(corpus / "dev.gold.jsonl"), str(pred), "--json"],
        capture_output=True, text=True, check=True)
    theirs = json.loads(reference.stdout)
    for key in ("documents", "relevance", "fields", "micro", "linking", "disagreements"):
        assert ours[key] == theirs[key], key


# dev + seeds together (issue 4's targets are stated on both): per-field F1 floors at the
# level reached; raise them as the extractor improves.
COMBINED_FLOORS = {
    "relevance": 0.98, "micro": 0.93, "quotes_exact_docs": 0.95,
    "name": 0.90, "agencies": 0.96, "place.country": 0.96, "place.admin1": 0.97, "place.locality": 0.94,
    "date.start": 0.95, "date.end": 0.95, "tactics": 0.90, "venues": 0.89,
    "counts.arrested_total": 0.88, "counts.arrested_sex_workers": 0.87, "counts.arrested_buyers": 0.92,
    "counts.charged_trafficking": 0.87, "counts.potential_victims": 0.85, "counts.minors_identified": 0.94,
    "counts.immigration_detained": 1.0, "counts.premises_closed": 0.90, "counts.detained_not_arrested": 1.0,
    "publicity.press_conference": 0.90, "publicity.names_or_photos_published": 1.0, "immigration_involved": 0.97,
}


def test_combined_field_floors():
    _require_shared()
    from raidwatch.evaluate import load_gold_corpus, score
    from raidwatch.extract import extract
    from raidwatch.ingest import read
    from raidwatch.model import gold_record

    golds, preds = [], []
    for name in ("dev", "seeds"):
        for gold, txt in load_gold_corpus(SHARED / "corpus" / name):
            golds.append(gold)
            doc = read(txt)[0]
            preds.append(gold_record(doc, extract(doc)))
    result = score(golds, preds)
    measured = {"relevance": result["relevance"]["f1"], "micro": result["micro"]["f1"],
                "quotes_exact_docs": result["quotes_exact_docs"],
                **{f: v["f1"] for f, v in result["fields"].items()}}
    below = {f: (measured[f], floor) for f, floor in COMBINED_FLOORS.items() if measured[f] < floor}
    assert not below, f"fields under their floor (measured, floor): {below}"
