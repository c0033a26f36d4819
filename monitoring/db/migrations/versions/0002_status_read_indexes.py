"""Indexes for the status read path: latest dates and the normalised AE term (current rows).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 13:30:00

``status`` takes the default cut-off as the latest date of the current rows and reads only
the adverse events whose normalised term can be the monitored toxicity; without these
partial indexes both scan every adverse-event row (docs/performance.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CURRENT = sa.text("valid_to IS NULL")
DATE_INDEXES = (
    ("responses", "assessment_date"),
    ("adverse_events", "onset_date"),
    ("adverse_events", "resolution_date"),
)


def upgrade() -> None:
    for table, column in DATE_INDEXES:
        op.create_index(
            f"ix_{table}_current_{column}",
            table,
            ["trial_id", column],
            unique=False,
            sqlite_where=CURRENT,
            postgresql_where=CURRENT,
        )
    op.create_index(
        "ix_adverse_events_current_term",
        "adverse_events",
        ["trial_id", sa.text("lower(trim(term))")],
        unique=False,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )


def downgrade() -> None:
    op.drop_index("ix_adverse_events_current_term", table_name="adverse_events")
    for table, column in reversed(DATE_INDEXES):
        op.drop_index(f"ix_{table}_current_{column}", table_name=table)
