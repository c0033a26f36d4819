"""Clinical-detail tables of the meeting pack and of randomized trials: randomization,
baseline characteristics, exposure, disposition events, laboratory results.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 05:50:00

Versioned like the other data tables (``monitoring.db.schema.versioned_table``). The
randomization table is keyed by patient alone, as ``patients`` is, so (like ``patients``) it
has no current-row index per date column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from monitoring.db.migrations.versioned_tables import Columns, create_versioned_tables

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# name -> (columns as (name, type, not null), key)
TABLES: dict[str, tuple[Columns, tuple[str, ...]]] = {
    "randomization": (
        (
            ("patient_id", sa.Text, True),
            ("randomization_date", sa.Date, True),
            ("arm_received", sa.Text, False),
        ),
        ("patient_id",),
    ),
    "baseline": (
        (
            ("patient_id", sa.Text, True),
            ("characteristic", sa.Text, True),
            ("value", sa.Text, True),
            ("unit", sa.Text, False),
        ),
        ("patient_id", "characteristic"),
    ),
    "exposure": (
        (
            ("patient_id", sa.Text, True),
            ("cycle", sa.Integer, True),
            ("agent", sa.Text, True),
            ("start_date", sa.Date, True),
            ("planned_dose", sa.Float, False),
            ("given_dose", sa.Float, False),
            ("unit", sa.Text, False),
            ("delay_days", sa.Integer, False),
            ("reduced", sa.Text, False),
            ("reason", sa.Text, False),
        ),
        ("patient_id", "cycle", "agent"),
    ),
    "disposition_events": (
        (
            ("patient_id", sa.Text, True),
            ("event", sa.Text, True),
            ("event_date", sa.Date, True),
            ("reason", sa.Text, False),
        ),
        ("patient_id", "event"),
    ),
    "lab_results": (
        (
            ("patient_id", sa.Text, True),
            ("test", sa.Text, True),
            ("sample_date", sa.Date, True),
            ("value", sa.Float, True),
            ("unit", sa.Text, False),
            ("lln", sa.Float, False),
            ("uln", sa.Float, False),
        ),
        ("patient_id", "test", "sample_date"),
    ),
}


def upgrade() -> None:
    create_versioned_tables(TABLES)


def downgrade() -> None:
    for name in reversed(list(TABLES)):
        op.drop_table(name)
