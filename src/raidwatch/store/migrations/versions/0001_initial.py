"""Initial schema: documents, extraction runs, reports, claims, quotes, operations.

Revision ID: 0001
Revises:
Create Date: 2025-11-23

Written by hand. Column types and constraint names match
raidwatch.store.schema (tests compare the migrated database with the models).
Timestamps are `timestamp with time zone` on PostgreSQL and UTC text on SQLite.
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("published", sa.String(10), nullable=True),
        sa.Column("language", sa.Text(), nullable=True),
        sa.Column("source_path", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("ingested_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.UniqueConstraint("content_hash", name="uq_documents_content_hash"),
    )
    op.create_index("ix_documents_source_id", "documents", ["source_id"])

    op.create_table(
        "extraction_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("extractor_version", sa.Text(), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("relevant", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_extraction_runs"),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"],
            name="fk_extraction_runs_document_id_documents", ondelete="CASCADE",
        ),
    )
    op.create_index("ix_extraction_runs_document_id", "extraction_runs", ["document_id"])
    # at most one current run per document
    op.create_index(
        "ux_extraction_runs_current", "extraction_runs", ["document_id"], unique=True,
        sqlite_where=sa.text("is_current"), postgresql_where=sa.text("is_current"),
    )

    op.create_table(
        "operations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("anchor_document_id", sa.Integer(), nullable=True),
        sa.Column("anchor_report_index", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_operations"),
        sa.UniqueConstraint(
            "anchor_document_id", "anchor_report_index",
            name="uq_operations_anchor_document_id_anchor_report_index",
        ),
        sa.ForeignKeyConstraint(
            ["anchor_document_id"], ["documents.id"],
            name="fk_operations_anchor_document_id_documents", ondelete="SET NULL",
        ),
        # ids are never reused: INTEGER PRIMARY KEY AUTOINCREMENT on SQLite
        sqlite_autoincrement=True,
    )

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("report_index", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.UniqueConstraint("run_id", "report_index", name="uq_reports_run_id_report_index"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["extraction_runs.id"],
            name="fk_reports_run_id_extraction_runs", ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"],
            name="fk_reports_document_id_documents", ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"], ["operations.id"],
            name="fk_reports_operation_id_operations", ondelete="SET NULL",
        ),
    )
    op.create_index("ix_reports_document_id", "reports", ["document_id"])
    op.create_index("ix_reports_operation_id", "reports", ["operation_id"])

    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.Column("sentence_start", sa.Integer(), nullable=True),
        sa.Column("sentence_end", sa.Integer(), nullable=True),
        sa.Column("rule", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_claims"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"],
            name="fk_claims_report_id_reports", ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"],
            name="fk_claims_document_id_documents", ondelete="CASCADE",
        ),
    )
    op.create_index("ix_claims_report_id", "claims", ["report_id"])
    op.create_index("ix_claims_field", "claims", ["field"])
    op.create_index("ix_claims_document_id", "claims", ["document_id"])

    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.Text(), nullable=True),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_quotes"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["extraction_runs.id"],
            name="fk_quotes_run_id_extraction_runs", ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"],
            name="fk_quotes_document_id_documents", ondelete="CASCADE",
        ),
    )
    op.create_index("ix_quotes_run_id", "quotes", ["run_id"])
    op.create_index("ix_quotes_document_id", "quotes", ["document_id"])


def downgrade() -> None:
    for table in ("quotes", "claims", "reports", "operations", "extraction_runs", "documents"):
        op.drop_table(table)
