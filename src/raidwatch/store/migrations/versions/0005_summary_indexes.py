"""Indexes on operation_summaries for the API: country and region filters
read in date order, the arrests order, and the timeline read from an index
alone (benchmarks/api_speed.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

Written by hand; matches raidwatch.store.schema.
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: Union[str, None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_operation_summaries_country_date", "operation_summaries",
                    ["country", "date_start", "arrested_total"])
    op.create_index("ix_operation_summaries_updated_at", "operation_summaries", ["updated_at"])
    op.create_index("ix_operation_summaries_region_date", "operation_summaries",
                    [sa.func.lower(sa.text("admin1")), "date_start"])
    op.create_index("ix_operation_summaries_arrested_total", "operation_summaries", ["arrested_total"])
    op.create_index("ix_operation_summaries_date_arrests", "operation_summaries", ["date_start", "arrested_total"])


def downgrade() -> None:
    for name in ("ix_operation_summaries_updated_at", "ix_operation_summaries_date_arrests", "ix_operation_summaries_arrested_total",
                 "ix_operation_summaries_region_date", "ix_operation_summaries_country_date"):
        op.drop_index(name, table_name="operation_summaries")
