"""End-to-end tests of the `raidwatch` command on temporary folders and a real SQLite file."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from raidwatch import cli, pipeline

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

ARTICLE = """Deputies arrest 12 in massage parlor sting
March 3, 2025

OCALA, Fla. — The Marion County Sheriff's Office arrested 12 people during a two-day undercover operation at massage businesses on Tuesday and Wednesday, Sheriff Dana Holt said.

Nine men were charged with solicitation of prostitution and three women were charged with prostitution. No one was charged with human trafficking.

"We will keep doing these operations," Sheriff Holt said at a news conference.
"""

OTHER = """Council debates new parking rules downtown
April 2, 2024

The city council spent three hours on Tuesday discussing parking meters. No decision was made.
"""


def run(*argv: str) -> int:
    return cli.main(list(argv))


def table_rows(db: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(db)
    try:
        names = [r[0] for r in con.execute("select name from sqlite_master where type='table' and name != 'alembic_version'")]
        return {n: sorted(map(repr, con.execute(f"select * from {n}").fetchall())) for n in names}
    finally:
        con.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    src = tmp_path / "docs"
    (src / "nested").mkdir(parents=True)
    (src / "sting.txt").write_text(ARTICLE, encoding="utf-8")
    (src / "nested" / "council.txt").write_text(OTHER, encoding="utf-8")
    return src


def test_help_explains_commands(capsys):
    with pytest.raises(SystemExit) as exc:
        run("--help")
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in ("ingest", "extract", "export", "predict", "eval", "show"):
        assert command in out
    assert "example" in out.lower() or "typical session" in out


def test_ingest_twice_changes_nothing(folder, tmp_path, capsys):
    db = tmp_path / "rw.sqlite"
    assert run("ingest", "--db", str(db), str(folder)) == 0
    first = table_rows(db)
    assert len(first["documents"]) == 2
    assert run("ingest", "--db", str(db), str(folder)) == 0
    assert table_rows(db) == first
    assert "0 new document(s), 2 already stored" in capsys.readouterr().out


def test_bad_files_are_named_and_good_ones_kept(folder, tmp_path, capsys):
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (folder / "empty.txt").write_text("")
    (folder / "latin1.txt").write_bytes("Caf\xe9 raid in Montr\xe9al".encode("latin-1"))
    db = tmp_path / "rw.sqlite"
    code = run("ingest", "--db", str(db), "--json", str(folder))
    captured = capsys.readouterr()
    assert code == 1
    summary = json.loads(captured.out)
    assert summary["documents_added"] == 2
    failed = {Path(e["path"]).name: e["reason"] for e in summary["errors"]}
    assert set(failed) == {"binary.txt", "empty.txt", "latin1.txt"}
    assert "binary" in failed["binary.txt"] and "empty" in failed["empty.txt"] and "UTF-8" in failed["latin1.txt"]
    for name in failed:
        assert name in captured.err
    assert "Traceback" not in captured.err


def test_interrupted_run_keeps_what_was_committed(folder, tmp_path, monkeypatch):
    for i in range(4):
        (folder / f"copy{i}.txt").write_text(ARTICLE.replace("12 people", f"{20 + i} people"), encoding="utf-8")
    db = tmp_path / "rw.sqlite"
    real_extract = pipeline.extract
    calls = {"n": 0}

    def flaky(doc):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_extract(doc)

    monkeypatch.setattr(pipeline, "extract", flaky)
    assert run("ingest", "--db", str(db), str(folder)) == cli.EXIT_INTERRUPTED
    con = sqlite3.connect(db)
    docs = con.execute("select count(*) from documents").fetchone()[0]
    runs = con.execute("select count(*) from extraction_runs").fetchone()[0]
    con.close()
    assert runs == 2  # the two documents extracted before the interruption are complete
    assert docs == 3  # the third document was stored; its extraction never started
    monkeypatch.setattr(pipeline, "extract", real_extract)
    assert run("ingest", "--db", str(db), str(folder)) == 0
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from documents").fetchone()[0] == 6
    assert con.execute("select count(distinct document_id) from extraction_runs where is_current").fetchone()[0] == 6
    con.close()


def test_export_formats(folder, tmp_path, capsys):
    db = tmp_path / "rw.sqlite"
    run("ingest", "--db", str(db), str(folder))
    capsys.readouterr()
    assert run("export", "--db", str(db), "--format", "csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 1
    assert rows[0]["arrested_total"] == "12"
    assert "Marion County Sheriff's Office" in rows[0]["agencies"]
    out = tmp_path / "ops.json"
    assert run("export", "--db", str(db), "--format", "json", "-o", str(out)) == 0
    data = json.loads(out.read_text())
    assert data["operations"][0]["counts"]["arrested_buyers"] == 9
    assert run("export", "--db", str(db), "--format", "geojson") == 0
    geo = json.loads(capsys.readouterr().out)
    assert geo["type"] == "FeatureCollection"


def test_predict_prints_gold_format_without_database(folder, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("predict", str(folder / "sting.txt"), str(folder / "nested" / "council.txt")) == 0
    lines = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    assert [l["id"] for l in lines] == ["sting", "council"]
    assert lines[0]["relevant"] is True and lines[1]["relevant"] is False
    op = lines[0]["operations"][0]
    assert op["counts"]["arrested_total"] == 12
    assert op["counts"]["charged_trafficking"] == 0
    assert op["date"]["start"] == "2025-02-25"
    assert set(lines[0]["quotes"]) == {"law_enforcement", "official", "sex_worker", "advocate", "other"}
    assert not list(tmp_path.glob("*.sqlite"))


def test_show_displays_evidence(folder, tmp_path, capsys):
    db = tmp_path / "rw.sqlite"
    run("ingest", "--db", str(db), str(folder))
    capsys.readouterr()
    assert run("show", "--db", str(db), "sting") == 0
    out = capsys.readouterr().out
    assert "counts.arrested_total" in out
    assert "Nine men were charged with solicitation of prostitution" in out
    assert run("show", "--db", str(db), "no-such-doc") == cli.EXIT_USAGE
    assert "no stored document" in capsys.readouterr().err


def test_reextract_replaces_results(folder, tmp_path):
    db = tmp_path / "rw.sqlite"
    run("ingest", "--db", str(db), str(folder))
    before = sqlite3.connect(db).execute("select count(*) from claims").fetchone()[0]
    assert run("extract", "--db", str(db), "--all") == 0
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from claims").fetchone()[0] == before
    assert con.execute("select count(*) from extraction_runs where is_current").fetchone()[0] == 2
    assert con.execute("select count(*) from extraction_runs").fetchone()[0] == 4


def test_unusable_database_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "not-a-db.sqlite"
    bad.write_text("this is not a database")
    code = run("operations", "--db", str(bad))
    err = capsys.readouterr().err
    assert code == cli.EXIT_DB
    assert "Traceback" not in err and err.startswith("raidwatch:")


def test_missing_input_path(tmp_path, capsys):
    code = run("ingest", "--db", str(tmp_path / "rw.sqlite"), str(tmp_path / "nowhere"))
    assert code == 1
    assert "nowhere" in capsys.readouterr().err


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="examples/ folder missing")
def test_examples_demo(tmp_path, capsys):
    db = tmp_path / "demo.sqlite"
    assert run("ingest", "--db", str(db), str(EXAMPLES)) == 0
    capsys.readouterr()
    assert run("operations", "--db", str(db)) == 0
    out = capsys.readouterr().out
    assert out.count("#") >= 3
