"""Kept digests: the digest of a clinical-detail table's current rows, named by its state.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:30:00

Written by the import or correction that leaves a table of exposure, disposition events or
laboratory results in a new state (``monitoring.db.digest.keep_digests``), so that
``status`` reads the digest of 381,000 laboratory rows instead of computing it. A row is
named by the table's number of current rows and its largest row-version id for the trial;
rows are only ever added. A database upgraded to this revision has none until its next
import or correction: until then ``status`` computes the digests as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kept_digests",
        sa.Column("trial_id", sa.Text(), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("current_rows", sa.Integer(), nullable=False),
        sa.Column("last_version_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_kept_digests_trial_id_trials")
        ),
        sa.PrimaryKeyConstraint(
            "trial_id",
            "table_name",
            "current_rows",
            "last_version_id",
            name=op.f("pk_kept_digests"),
        ),
    )


def downgrade() -> None:
    op.drop_table("kept_digests")
