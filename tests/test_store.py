"""The storage layer, on SQLite and on PostgreSQL (see conftest.db_url)."""
from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from raidwatch import model
from raidwatch.pipeline import link_stored
from raidwatch.model import (
    Claim,
    Document,
    Evidence,
    Extraction,
    OperationReport,
    Quote,
)
from raidwatch.store import (
    DocumentNotFound,
    Store,
    StoredDocument,
    StoreError,
    default_db_path,
    migrate,
    repository,
)
from raidwatch.store.schema import TABLES, Base, ClaimRow, ReportRow

TEXT = (
    "Springfield police arrested 12 people in Operation Spring Clean on 3 March 2021.\n"
    '"We rescued four women," Sheriff Ann Lee said at a press conference.\n'
    "Two massage parlours were closed. A second sweep in Shelbyville on 10 March led to 3 arrests."
)
S1 = (0, TEXT.index("\n"))  # first sentence
S2 = (S1[1] + 1, TEXT.index("\n", S1[1] + 1))
S3 = (S2[1] + 1, len(TEXT))


def span(needle: str, sentence: tuple[int, int], rule: str = "test.rule", note: str | None = None) -> Evidence:
    start = TEXT.index(needle)
    return Evidence(start, start + len(needle), sentence[0], sentence[1], rule, note)


def claim(field: str, value, needle: str, sentence: tuple[int, int], note: str | None = None) -> Claim:
    return Claim(field, value, span(needle, sentence, rule=f"rule.{field}", note=note))


MAIN_REPORT = OperationReport(
    index=0,
    claims=(
        claim("name", "Spring Clean", "Operation Spring Clean", S1),
        claim("agencies", "Springfield Police Department", "Springfield police", S1),
        claim("agencies", "Springfield County Sheriff", "Sheriff", S2),
        claim("place.country", "US", "Springfield", S1),
        claim("place.locality", "Springfield", "Springfield", S1),
        claim("place.latitude", 39.80, "Springfield", S1),
        claim("place.longitude", -89.64, "Springfield", S1),
        claim("date.start", "2021-03-03", "3 March 2021", S1),
        claim("date.end", "2021-03-03", "3 March 2021", S1),
        claim("date.precision", "day", "3 March 2021", S1),
        claim("tactics", "premises_raid", "arrested", S1),
        claim("venues", "massage_business", "massage parlours", S3),
        claim("counts.arrested_total", 12, "12", S1, note="exact"),
        claim("counts.potential_victims", 4, "four", S2),
        claim("counts.premises_closed", 2, "Two", S3),
        claim("publicity.press_conference", True, "press conference", S2),
        claim("immigration_involved", False, "police", S1),
    ),
)
SECOND_REPORT = OperationReport(
    index=1,
    claims=(
        claim("place.locality", "Shelbyville", "Shelbyville", S3),
        claim("date.start", "2021-03-10", "10 March", S3),
        claim("counts.arrested_total", 3, "3 arrests", S3),
        claim("tactics", "street_sweep", "sweep", S3),
    ),
)
QUOTE_TEXT = '"We rescued four women,"'
QUOTE = Quote(
    start=TEXT.index(QUOTE_TEXT),
    end=TEXT.index(QUOTE_TEXT) + len(QUOTE_TEXT),
    speaker="Ann Lee",
    role="law_enforcement",
    evidence=span(QUOTE_TEXT, S2, rule="quotes.said", note="attributed after the quote"),
)
EXTRACTION = Extraction(
    relevant=True,
    score=0.93,
    reports=(MAIN_REPORT, SECOND_REPORT),
    quotes=(QUOTE,),
    extractor_version="rules-1",
    notes=("two operations",),
)


def document(text: str = TEXT, source_id: str = "dev-001", **kwargs) -> Document:
    defaults = dict(
        title="Police raid massage parlours",
        url="https://example.org/spring-clean",
        published="2021-03-05",
        language="en",
        source_path="/corpus/dev-001.txt",
    )
    defaults.update(kwargs)
    return Document(text=text, source_id=source_id, **defaults)


@pytest.fixture
def store(db_url: str):
    with Store.open(db_url) as opened:
        yield opened


def save_and_link(store: Store, document_id: int, extraction: Extraction) -> None:
    store.save_extraction(document_id, extraction)
    link_stored(store, progress=False)


def operation_ids(store: Store, document_id: int) -> dict[int, int]:
    """report index -> operation id of the document's current reports."""
    with Session(store.engine) as session:
        rows = session.execute(
            select(ReportRow.report_index, ReportRow.operation_id).where(ReportRow.document_id == document_id)
        )
        return {index: op_id for index, op_id in rows}


# ------------------------------------------------------------------ schema


def test_migrations_create_all_tables(db_url: str) -> None:
    with Store.open(db_url) as store:
        tables = set(inspect(store.engine).get_table_names())
        assert tables == set(TABLES) | {"alembic_version"}
        assert store.schema_revision() == migrate.head_revision() == "0005"
        assert store.stats() == {name: 0 for name in TABLES}
        store.add_document(document())
        before = store.tables_snapshot()
    # opening again (already at head) changes nothing
    with Store.open(db_url) as store:
        assert store.tables_snapshot() == before


def test_migration_matches_models(db_url: str) -> None:
    with Store.open(db_url) as store, store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_sqlite_is_wal_with_foreign_keys_and_autoincrement(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    with Store.open(str(path)) as store:
        assert store.dialect == "sqlite"
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    raw = sqlite3.connect(path)
    sql = raw.execute("SELECT sql FROM sqlite_master WHERE name = 'operations'").fetchone()[0]
    raw.close()
    assert "AUTOINCREMENT" in sql


def test_open_plain_path_makes_absolute_sqlite_url_and_parent_dirs(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with Store.open("nested/dir/raid.sqlite") as store:
        assert store.url == f"sqlite:///{tmp_path / 'nested/dir/raid.sqlite'}"
    assert (tmp_path / "nested/dir/raid.sqlite").is_file()


def test_default_db_path(monkeypatch) -> None:
    monkeypatch.delenv("RAIDWATCH_DB", raising=False)
    assert Path(default_db_path()) == Path("raidwatch.sqlite")
    monkeypatch.setenv("RAIDWATCH_DB", "postgresql://u@h/db")
    assert default_db_path() == "postgresql://u@h/db"


def test_unreachable_postgres_raises_store_error() -> None:
    with pytest.raises(StoreError) as err:
        Store.open("postgresql://raidwatch:s3cret-pw@127.0.0.1:1/nowhere")
    message = str(err.value)
    assert "cannot connect to the database" in message
    assert "postgresql+psycopg://raidwatch:***@127.0.0.1:1/nowhere" in message
    assert "s3cret-pw" not in message


def test_invalid_databases_raise_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="unsupported database URL"):
        Store.open("nosuchdb://somewhere/x")
    with pytest.raises(StoreError, match="invalid database URL"):
        Store.open("://")
    not_a_db = tmp_path / "notes.sqlite"
    not_a_db.write_text("this is not a database\n" * 100)
    with pytest.raises(StoreError, match="not a database"):
        Store.open(str(not_a_db))


def test_closed_store_refuses_work(db_url: str) -> None:
    store = Store.open(db_url)
    store.close()
    store.close()  # twice is fine
    with pytest.raises(StoreError, match="closed"):
        store.stats()


# --------------------------------------------------------------- documents


def test_add_document_dedups_by_content_hash(store: Store) -> None:
    doc_id, created = store.add_document(document())
    assert created and doc_id > 0
    before = store.tables_snapshot()
    # same text (other line ends, other metadata) => same document, nothing changes
    again = document(text=TEXT.replace("\n", "\r\n"), source_id="other", title="Other title")
    assert again.content_hash == document().content_hash
    assert store.add_document(again) == (doc_id, False)
    assert store.tables_snapshot() == before
    other_id, created = store.add_document(document(text=TEXT + " Update."))
    assert created and other_id != doc_id
    assert store.stats()["documents"] == 2


def test_add_document_stores_every_field(store: Store) -> None:
    doc = document()
    doc_id, _ = store.add_document(doc)
    stored = store.get_document(str(doc_id))
    assert isinstance(stored, StoredDocument)
    assert stored.id == doc_id
    assert stored.document == doc
    assert stored.ingested_at.tzinfo is not None
    assert abs(stored.ingested_at - datetime.now(timezone.utc)) < timedelta(minutes=5)


def test_add_document_normalises_and_checks_published(store: Store) -> None:
    doc_id, _ = store.add_document(document(published="2021-03-05T10:30:00Z"))
    assert store.get_document(str(doc_id)).document.published == "2021-03-05"
    with pytest.raises(ValueError, match="ISO date"):
        store.add_document(document(text="x", published="March 5, 2021"))
    with pytest.raises(ValueError, match="64 hex"):
        store.add_document(document(text="y", content_hash="abc"))
    assert store.stats()["documents"] == 1


def test_get_document_by_id_source_id_and_hash_prefix(store: Store) -> None:
    first_id, _ = store.add_document(document(text="first text", source_id="dup"))
    second_id, _ = store.add_document(document(text="second text", source_id="dup"))
    third_id, _ = store.add_document(document(text="third text", source_id="solo"))
    assert store.get_document(str(first_id)).id == first_id
    assert store.get_document(first_id).id == first_id
    assert store.get_document("dup").id == second_id  # most recent of the two
    assert store.get_document("solo").id == third_id
    full_hash = model.content_hash("third text")
    assert store.get_document(full_hash).id == third_id
    assert store.get_document(full_hash[:8]).id == third_id
    assert store.get_document(full_hash[:8].upper()).id == third_id
    assert store.get_document(full_hash[:7]) is None  # too short to be a prefix
    assert store.get_document("999999") is None
    assert store.get_document("99999999999999999999") is None
    assert store.get_document("nope") is None
    assert store.get_document("") is None


def test_iter_documents_and_only_unextracted(store: Store) -> None:
    ids = [store.add_document(document(text=f"text {i}", source_id=f"d{i}"))[0] for i in range(5)]
    assert [d.id for d in store.iter_documents()] == ids
    assert [d.document.source_id for d in store.iter_documents()] == [f"d{i}" for i in range(5)]
    store.save_extraction(ids[1], Extraction(relevant=False, score=0.1, extractor_version="v1"))
    store.save_extraction(ids[3], Extraction(relevant=False, score=0.1, extractor_version="v0"))
    assert [d.id for d in store.iter_documents(only_unextracted_for="v1")] == [ids[0], ids[2], ids[3], ids[4]]
    assert [store.needs_extraction(i, "v1") for i in ids] == [True, False, True, True, True]
    # a newer run of another version makes the document unextracted for v1 again
    store.save_extraction(ids[1], Extraction(relevant=False, score=0.1, extractor_version="v2"))
    assert ids[1] in [d.id for d in store.iter_documents(only_unextracted_for="v1")]
    assert store.needs_extraction(ids[1], "v1") and not store.needs_extraction(ids[1], "v2")


def test_iter_documents_reads_in_batches(store: Store, monkeypatch) -> None:
    monkeypatch.setattr(repository, "_ITER_BATCH", 2)
    ids = [store.add_document(document(text=f"text {i}"))[0] for i in range(5)]
    seen = []
    for stored in store.iter_documents(only_unextracted_for="v1"):
        seen.append(stored.id)
        # writing while iterating is fine
        store.save_extraction(stored.id, Extraction(relevant=False, score=0.0, extractor_version="v1"))
    assert seen == ids
    assert list(store.iter_documents(only_unextracted_for="v1")) == []


def test_concurrent_adds_store_each_text_once(store: Store, db_url: str) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with Store.open(db_url) as own:
                for i in range(15):
                    own.add_document(document(text=f"shared text {i}"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.stats()["documents"] == 15


# -------------------------------------------------------------- extraction


def test_save_extraction_round_trip(store: Store) -> None:
    doc_id, _ = store.add_document(document())
    assert store.load_extraction(doc_id) is None
    run_id = store.save_extraction(doc_id, EXTRACTION)
    assert run_id > 0
    loaded = store.load_extraction(doc_id)
    assert loaded == EXTRACTION
    # evidence offsets still point at the right text
    by_field = {c.field: c for c in loaded.reports[0].claims}
    assert by_field["counts.arrested_total"].evidence.span_text(TEXT) == "12"
    assert by_field["counts.arrested_total"].evidence.note == "exact"
    assert by_field["counts.potential_victims"].evidence.sentence(TEXT).startswith('"We rescued')
    assert loaded.quotes[0].evidence.span_text(TEXT) == QUOTE_TEXT
    assert loaded.quote_counts()["law_enforcement"] == 1
    assert model.gold_record(document(), loaded) == model.gold_record(document(), EXTRACTION)
    expected = {
        "documents": 1,
        "extraction_runs": 1,
        "operations": 0,  # reports wait for linking
        "reports": 2,
        "claims": len(MAIN_REPORT.claims) + len(SECOND_REPORT.claims),
        "quotes": 1,
        "link_decisions": 0,
        "operation_summaries": 0,
        "operation_facets": 0,
        "users": 0,
        "sessions": 0,
        "audit_log": 0,
        "private_spans": 0,
        "testimonies": 0,
    }
    assert store.stats() == expected
    assert set(operation_ids(store, doc_id).values()) == {None}
    link_stored(store, progress=False)
    facets = sum(len(r.to_gold()[k]) for r in (MAIN_REPORT, SECOND_REPORT) for k in ("agencies", "tactics", "venues"))
    assert store.stats() == {**expected, "operations": 2, "operation_summaries": 2, "operation_facets": facets}


def test_round_trip_of_json_values_and_report_order(store: Store) -> None:
    doc_id, _ = store.add_document(document())
    ev = Evidence(0, 5, 0, 10, "r")
    odd = Extraction(
        relevant=True,
        score=1.0,
        reports=(
            OperationReport(index=2, claims=(Claim("x.dict", {"a": [1, 2.5, None, "é"]}, ev),)),
            OperationReport(index=0, claims=(Claim("x.none", None, ev), Claim("x.bool", False, ev))),
        ),
    )
    store.save_extraction(doc_id, odd)
    loaded = store.load_extraction(doc_id)
    assert [r.index for r in loaded.reports] == [0, 2]
    assert loaded.reports[0].claims == odd.reports[1].claims
    assert loaded.reports[1].claims == odd.reports[0].claims
    assert loaded.notes == () and loaded.extractor_version == ""


def test_resave_replaces_and_keeps_operation_ids(store: Store) -> None:
    doc_id, _ = store.add_document(document())
    other_id, _ = store.add_document(document(text="another story", source_id="dev-002"))
    save_and_link(store, other_id, Extraction(True, 0.5, reports=(OperationReport(0, SECOND_REPORT.claims),)))
    save_and_link(store, doc_id, EXTRACTION)
    ops = operation_ids(store, doc_id)
    assert set(ops) == {0, 1}
    other_ops = operation_ids(store, other_id)

    changed = Extraction(
        relevant=True,
        score=0.8,
        reports=(
            OperationReport(0, MAIN_REPORT.claims[:3]),
            OperationReport(1, SECOND_REPORT.claims[:1]),
        ),
        extractor_version="rules-2",
    )
    store.save_extraction(doc_id, changed)
    assert operation_ids(store, doc_id) == ops  # same ids per (document, report index)
    assert store.load_extraction(doc_id) == changed
    stats = store.stats()
    assert stats["claims"] == 3 + 1 + len(SECOND_REPORT.claims)  # other document's claims untouched
    assert stats["quotes"] == 0
    assert stats["reports"] == 3
    assert stats["extraction_runs"] == 3  # history kept
    assert stats["operations"] == 3

    # the second report disappears: its operation goes, the first keeps its id
    store.save_extraction(doc_id, Extraction(True, 0.7, reports=(OperationReport(0, MAIN_REPORT.claims),)))
    assert operation_ids(store, doc_id) == {0: ops[0]}
    assert store.stats()["operations"] == 2
    assert {op["id"] for op in store.operations()} == {ops[0], *other_ops.values()}

    # it comes back: new operation, with an id never used before
    save_and_link(store, doc_id, EXTRACTION)
    new_ops = operation_ids(store, doc_id)
    assert new_ops[0] == ops[0]
    assert new_ops[1] > max(ops[1], *other_ops.values())

    # not relevant any more: all its operations go
    store.save_extraction(doc_id, Extraction(False, 0.1))
    assert operation_ids(store, doc_id) == {}
    assert store.stats()["operations"] == 1
    assert operation_ids(store, other_id) == other_ops


def test_only_one_current_run_per_document(store: Store) -> None:
    doc_id, _ = store.add_document(document())
    first = store.save_extraction(doc_id, EXTRACTION)
    second = store.save_extraction(doc_id, Extraction(False, 0.2, extractor_version="rules-2"))
    assert second != first
    snapshot = store.tables_snapshot()
    runs = snapshot["extraction_runs"]
    columns = [c.name for c in Base.metadata.tables["extraction_runs"].columns]
    rows = [dict(zip(columns, row, strict=True)) for row in runs]
    assert [row["id"] for row in rows if row["is_current"]] == [second]
    assert store.load_extraction(doc_id).extractor_version == "rules-2"


def test_failing_save_leaves_database_unchanged(store: Store, monkeypatch) -> None:
    doc_id, _ = store.add_document(document())
    store.save_extraction(doc_id, EXTRACTION)
    before = store.tables_snapshot()

    # a value that is not JSON, in the second report: the first report's rows were already written
    bad_value = Extraction(
        True, 0.5, reports=(MAIN_REPORT, OperationReport(1, (Claim("name", object(), span("Two", S3)),)))
    )
    with pytest.raises(ValueError, match="not JSON"):
        store.save_extraction(doc_id, bad_value)
    assert store.tables_snapshot() == before

    # a crash at the very end (after quotes would be written)
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(repository, "_quote_values", explode)
    with pytest.raises(RuntimeError, match="boom"):
        store.save_extraction(doc_id, Extraction(True, 0.1, reports=(SECOND_REPORT,), quotes=(QUOTE,)))
    assert store.tables_snapshot() == before
    monkeypatch.undo()

    # evidence that is not an int
    bad_evidence = Extraction(
        True, 0.5, reports=(OperationReport(0, (Claim("name", "x", Evidence("1", 2, 0, 3, "r")),)),)
    )
    with pytest.raises(TypeError):
        store.save_extraction(doc_id, bad_evidence)
    assert store.tables_snapshot() == before

    with pytest.raises(ValueError, match="unique"):
        store.save_extraction(doc_id, Extraction(True, 0.5, reports=(MAIN_REPORT, MAIN_REPORT)))
    with pytest.raises(DocumentNotFound):
        store.save_extraction(doc_id + 1000, EXTRACTION)
    assert store.tables_snapshot() == before
    assert store.load_extraction(doc_id) == EXTRACTION


def test_reviewer_claims_survive_reextraction(store: Store) -> None:
    doc_id, _ = store.add_document(document())
    save_and_link(store, doc_id, EXTRACTION)
    report_ids = {}
    with Session(store.engine) as session, session.begin():
        for row in session.scalars(select(ReportRow).where(ReportRow.document_id == doc_id)):
            report_ids[row.report_index] = row.id
        session.add(
            ClaimRow(
                report_id=report_ids[0], document_id=doc_id, field="counts.arrested_total",
                value_json="14", author="reviewer-a", created_at=datetime.now(timezone.utc),
            )
        )
        session.add(
            ClaimRow(
                report_id=report_ids[1], document_id=doc_id, field="name",
                value_json='"Second Sweep"', author="reviewer-b", created_at=datetime.now(timezone.utc),
            )
        )
    main = next(op for op in store.operations() if op["place"]["locality"] == "Springfield")
    assert main["counts"]["arrested_total"] == 14  # the reviewer's value wins

    # re-extraction with report 1 gone: reviewer claims are kept, re-attached or detached
    store.save_extraction(doc_id, Extraction(True, 0.9, reports=(MAIN_REPORT,)))
    assert store.load_extraction(doc_id).reports == (MAIN_REPORT,)  # extractor's claims only
    with Session(store.engine) as session:
        reviewed = {
            row.author: row.report_id
            for row in session.scalars(select(ClaimRow).where(ClaimRow.author.is_not(None)))
        }
        new_report = session.scalar(select(ReportRow.id).where(ReportRow.document_id == doc_id))
    assert reviewed == {"reviewer-a": new_report, "reviewer-b": None}
    [main] = store.operations()
    assert main["counts"]["arrested_total"] == 14


# -------------------------------------------------------------- operations


def test_operations_fields(store: Store) -> None:
    doc_id, _ = store.add_document(document())
    store.save_extraction(doc_id, EXTRACTION)
    undated_id, _ = store.add_document(document(text="undated", source_id="dev-009", url=None, title=None))
    save_and_link(store, undated_id, Extraction(True, 0.5, reports=(OperationReport(0, ()),)))
    ops = store.operations()
    ids = operation_ids(store, doc_id)
    assert [op["id"] for op in ops] == [ids[0], ids[1], operation_ids(store, undated_id)[0]]
    source = {
        "document_id": doc_id,
        "source_id": "dev-001",
        "title": "Police raid massage parlours",
        "url": "https://example.org/spring-clean",
        "published": "2021-03-05",
    }
    assert ops[0] == {
        "id": ids[0],
        "name": "Spring Clean",
        "agencies": ["Springfield Police Department", "Springfield County Sheriff"],
        "place": {"country": "US", "admin1": None, "locality": "Springfield"},
        "date": {"start": "2021-03-03", "end": "2021-03-03", "precision": "day"},
        "tactics": ["premises_raid"],
        "venues": ["massage_business"],
        "counts": {
            **{name: None for name in model.COUNT_NAMES},
            "arrested_total": 12,
            "potential_victims": 4,
            "premises_closed": 2,
        },
        "publicity": {"press_conference": True, "names_or_photos_published": None},
        "immigration_involved": False,
        "latitude": 39.8,
        "longitude": -89.64,
        "disputed": [],
        "reviewed": None,
        "sources": [source],
    }
    extra = ("id", "latitude", "longitude", "sources", "disputed", "reviewed")
    assert {k: v for k, v in ops[0].items() if k not in extra} == (
        MAIN_REPORT.to_gold()
    )
    assert ops[1]["place"]["locality"] == "Shelbyville"
    assert ops[1]["latitude"] is None and ops[1]["longitude"] is None
    assert ops[2]["date"]["start"] is None  # undated last
    assert ops[2]["sources"] == [
        {"document_id": undated_id, "source_id": "dev-009", "title": None, "url": None, "published": "2021-03-05"}
    ]


def test_operations_of_empty_database(store: Store) -> None:
    assert store.operations() == []
