"""Linking: document fingerprints, link explanations, merged operations,
reviewers' linking decisions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Written by hand; matches raidwatch.store.schema. `operations.merged_into` is
a plain integer (no foreign key): SQLite cannot add a foreign-key column
without rebuilding the table, and the rebuild would lose AUTOINCREMENT, which
keeps operation ids from ever being reused.
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: Union[str, None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("documents", sa.Column("fingerprint", sa.LargeBinary(), nullable=True))
    op.add_column("reports", sa.Column("link_score", sa.Float(), nullable=True))
    op.add_column("reports", sa.Column("link_note", sa.Text(), nullable=True))
    op.add_column("operations", sa.Column("merged_into", sa.Integer(), nullable=True))
    op.create_table(
        "link_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("other_operation_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.Text(), nullable=True),
        sa.Column("value_json", sa.Text(), nullable=True),
        sa.Column("refs_json", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_link_decisions"),
    )
    op.create_index("ix_link_decisions_operation_id", "link_decisions", ["operation_id"])


def downgrade() -> None:
    op.drop_index("ix_link_decisions_operation_id", table_name="link_decisions")
    op.drop_table("link_decisions")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("link_note")
        batch.drop_column("link_score")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("fingerprint")
    op.drop_column("operations", "merged_into")
