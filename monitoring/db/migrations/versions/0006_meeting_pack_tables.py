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

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CURRENT = sa.text("valid_to IS NULL")

# name -> (columns as (name, type, not null), key)
Columns = tuple[tuple[str, Any, bool], ...]
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
            if kind is sa.Date and key != ("patient_id",):
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
