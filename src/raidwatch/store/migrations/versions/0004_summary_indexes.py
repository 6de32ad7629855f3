"""Indexes on operation_summaries for the API: country and region filters
read in date order, the arrests order, and the timeline read from an index
alone (benchmarks/api_speed.py).

Revision ID: 0004
Revises: 0005
Create Date: 2026-11-23

Written by hand; matches raidwatch.store.schema. It comes after 0005: 0005
(privacy) was committed first, revising 0003, so the chain is
0003 -> 0005 -> 0004 and 0004 is the head.
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_operation_summaries_country_date", "operation_summaries", ["country", "date_start"])
    op.create_index("ix_operation_summaries_region_date", "operation_summaries",
                    [sa.func.lower(sa.text("admin1")), "date_start"])
    op.create_index("ix_operation_summaries_arrested_total", "operation_summaries", ["arrested_total"])
    op.create_index("ix_operation_summaries_date_arrests", "operation_summaries", ["date_start", "arrested_total"])


def downgrade() -> None:
    for name in ("ix_operation_summaries_date_arrests", "ix_operation_summaries_arrested_total",
                 "ix_operation_summaries_region_date", "ix_operation_summaries_country_date"):
        op.drop_index(name, table_name="operation_summaries")
