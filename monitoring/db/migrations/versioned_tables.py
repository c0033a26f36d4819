"""Shared by the migrations that add versioned data tables (revisions 0005 and 0006).

A versioned table as ``monitoring.db.schema.versioned_table`` declares it at the time of the
revision: its columns plus trial and validity, the unique index of the current version per
key, the validity index, and (unless keyed by patient alone, as ``patients`` is) an index of
the current rows on each date column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from alembic import op

CURRENT = sa.text("valid_to IS NULL")

Columns = tuple[tuple[str, Any, bool], ...]
"""(name, SQLAlchemy type, not null) of each data column."""


def create_versioned_tables(tables: Mapping[str, tuple[Columns, tuple[str, ...]]]) -> None:
    """Create each table (name -> (columns, key)) with its indexes."""
    for name, (columns, key) in tables.items():
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
        if key == ("patient_id",):
            continue
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
