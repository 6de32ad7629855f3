"""Web app: operation summaries and facets (what the dashboard and the API
filter and add up), review status, reviewer accounts and sessions, the audit
log, documents marked irrelevant by a reviewer.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Written by hand; matches raidwatch.store.schema. Columns added to existing
tables carry no foreign keys (SQLite would have to rebuild the table).
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TS = sa.DateTime(timezone=True)
COUNTS = (
    "arrested_total", "arrested_sex_workers", "arrested_buyers", "charged_trafficking", "potential_victims",
    "minors_identified", "immigration_detained", "premises_closed", "detained_not_arrested",
)


def upgrade() -> None:
    op.add_column("operations", sa.Column("reviewed_at", TS, nullable=True))
    op.add_column("operations", sa.Column("reviewed_by", sa.Text(), nullable=True))
    op.add_column("documents", sa.Column("irrelevant_at", TS, nullable=True))
    op.add_column("documents", sa.Column("irrelevant_by", sa.Text(), nullable=True))

    op.create_table(
        "operation_summaries",
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("admin1", sa.Text(), nullable=True),
        sa.Column("locality", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("date_start", sa.String(10), nullable=True),
        sa.Column("date_end", sa.String(10), nullable=True),
        sa.Column("date_precision", sa.String(5), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=True) for name in COUNTS),
        sa.Column("press_conference", sa.Boolean(), nullable=True),
        sa.Column("names_or_photos_published", sa.Boolean(), nullable=True),
        sa.Column("immigration_involved", sa.Boolean(), nullable=True),
        sa.Column("agencies_json", sa.Text(), nullable=False),
        sa.Column("tactics_json", sa.Text(), nullable=False),
        sa.Column("venues_json", sa.Text(), nullable=False),
        sa.Column("disputed_json", sa.Text(), nullable=False),
        sa.Column("sources", sa.Integer(), nullable=False),
        sa.Column("first_published", sa.String(10), nullable=True),
        sa.Column("last_published", sa.String(10), nullable=True),
        sa.Column("reviewed_at", TS, nullable=True),
        sa.Column("reviewed_by", sa.Text(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"], ["operations.id"], name="fk_operation_summaries_operation_id_operations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("operation_id", name="pk_operation_summaries"),
    )
    op.create_index("ix_operation_summaries_date_start", "operation_summaries", ["date_start"])
    op.create_index("ix_operation_summaries_country", "operation_summaries", ["country", "admin1"])
    op.create_index("ix_operation_summaries_reviewed_at", "operation_summaries", ["reviewed_at"])

    op.create_table(
        "operation_facets",
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"], ["operations.id"], name="fk_operation_facets_operation_id_operations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("operation_id", "kind", "value", name="pk_operation_facets"),
    )
    op.create_index("ix_operation_facets_kind", "operation_facets", ["kind", "value", "operation_id"])

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_sessions_user_id_users", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash", name="pk_sessions"),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.Text(), nullable=True),
        sa.Column("old_json", sa.Text(), nullable=True),
        sa.Column("new_json", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_operation_id", "audit_log", ["operation_id"])


def downgrade() -> None:
    for table in ("audit_log", "sessions", "users", "operation_facets", "operation_summaries"):
        op.drop_table(table)
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("irrelevant_by")
        batch.drop_column("irrelevant_at")
    op.drop_column("operations", "reviewed_by")
    op.drop_column("operations", "reviewed_at")
