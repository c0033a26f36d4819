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

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CURRENT = sa.text("valid_to IS NULL")

# name -> (columns as (name, type, not null), key)
Columns = tuple[tuple[str, Any, bool], ...]
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
    for name, (columns, key) in TABLES.items():
        op.create_table(
            name,
            sa.Column("version_id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("trial_id", sa.Text(), nullable=False),
            *(sa.Column(c, t(), nullable=not required) for c, t, required in columns),
            sa.Column("batch_id", sa.Integer(), nullable=True),
            sa.Column("valid_from", sa.DateTime(), nullable=False),
            sa.Column("valid_to", sa.DateTime(), nullable=True),
            sa.ForeignKeyConstraint(
                ["batch_id"], ["import_batches.id"], name=op.f(f"fk_{name}_batch_id_import_batches")
            ),
            sa.ForeignKeyConstraint(
                ["trial_id"], ["trials.id"], name=op.f(f"fk_{name}_trial_id_trials")
            ),
            sa.PrimaryKeyConstraint("version_id", name=op.f(f"pk_{name}")),
        )
        op.create_index(op.f(f"ix_{name}_trial_id"), name, ["trial_id"], unique=False)
        op.create_index(
            f"uq_{name}_current",
            name,
            ["trial_id", *key],
            unique=True,
            sqlite_where=CURRENT,
            postgresql_where=CURRENT,
        )
        op.create_index(
            f"ix_{name}_validity", name, ["trial_id", "valid_from", "valid_to"], unique=False
        )
        for column, kind, _ in columns:
            if kind is sa.Date:
                op.create_index(
                    f"ix_{name}_current_{column}",
                    name,
                    ["trial_id", column],
                    unique=False,
                    sqlite_where=CURRENT,
                    postgresql_where=CURRENT,
                )


def downgrade() -> None:
    for name in reversed(list(TABLES)):
        op.drop_table(name)
