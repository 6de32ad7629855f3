"""Storage of documents, extractions and operations (SQLite or PostgreSQL).

    from raidwatch.store import Store

    with Store.open("raidwatch.sqlite") as store:          # or "postgresql://user@host/db"
        doc_id, created = store.add_document(doc)
        store.save_extraction(doc_id, extraction)
        store.operations()

Modules: `schema` (SQLAlchemy models), `migrate` (Alembic, run from code),
`engine` (URLs and engine set-up), `repository` (the `Store` class: all
queries live there).
"""
from __future__ import annotations

from .engine import default_db_path
from .errors import DocumentNotFound, OperationNotFound, StoreError
from .repository import Store, StoredDocument

__all__ = ["DocumentNotFound", "OperationNotFound", "Store", "StoreError", "StoredDocument", "default_db_path"]
