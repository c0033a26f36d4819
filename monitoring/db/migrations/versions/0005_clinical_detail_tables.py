"""Clinical-detail tables: dose-level changes, DLT assessments, MRD results.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 02:40:00

Versioned like the three core tables (``monitoring.db.schema.versioned_table``): a row is
one version of a record, at most one current version per trial and key, and an index of the
current rows on each date column (the default cut-off is the latest date of any table).
Patient-level cohort, dose level and HSCT date were already columns of ``patients``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from monitoring.db.migrations.versioned_tables import Columns, create_versioned_tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# name -> (columns as (name, type, not null), key)
TABLES: dict[str, tuple[Columns, tuple[str, ...]]] = {
    "dose_changes": (
        (
            ("patient_id", sa.Text, True),
            ("change_date", sa.Date, True),
            ("dose_level", sa.Text, True),
            ("reason", sa.Text, False),
        ),
        ("patient_id", "change_date"),
    ),
    "dlt_assessments": (
        (
            ("patient_id", sa.Text, True),
            ("dose_level", sa.Text, True),
            ("assessment_date", sa.Date, True),
            ("dlt", sa.Text, True),
            ("evaluable", sa.Text, True),
            ("dlt_term", sa.Text, False),
        ),
        ("patient_id", "dose_level"),
    ),
    "mrd_results": (
        (
            ("patient_id", sa.Text, True),
            ("sample_date", sa.Date, True),
            ("method", sa.Text, True),
            ("value_pct", sa.Float, True),
            ("threshold_pct", sa.Float, False),
            ("timepoint", sa.Text, False),
        ),
        ("patient_id", "sample_date", "method"),
    ),
}


def upgrade() -> None:
    create_versioned_tables(TABLES)


def downgrade() -> None:
    for name in reversed(list(TABLES)):
        op.drop_table(name)
