"""Privacy: the private spans of each document (names, ages with names,
addresses), decided once by the pipeline and corrected by reviewers; and
testimony, stored only as ciphertext sealed to the organisation's key.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Written by hand; matches raidwatch.store.schema.
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("documents", sa.Column("redaction_version", sa.Text(), nullable=True))
    op.create_table(
        "private_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name="fk_private_spans_document_id_documents", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_private_spans"),
    )
    op.create_index("ix_private_spans_document_id", "private_spans", ["document_id"])
    op.create_table(
        "testimonies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.String(10), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_testimonies"),
    )


def downgrade() -> None:
    op.drop_table("testimonies")
    op.drop_index("ix_private_spans_document_id", table_name="private_spans")
    op.drop_table("private_spans")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("redaction_version")
