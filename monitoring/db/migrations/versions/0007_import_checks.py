"""Import checks: the datasets an import compared with the product's derivation, and the
disagreements found (an ADaM ADTTE's AVAL/CNSR against the imported dates).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 05:45:00

One row per batch and dataset compared; ``findings`` is a JSON list (empty when every
record agreed). The data-quality report shows the findings of the latest batch with such
rows (``monitoring.db.import_checks``). Hashed with its batch in the history chain, as the
per-table counts are: a batch without checks keeps the hash it had.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_checks",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.Text(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_import_checks_batch_id_import_batches"),
        ),
        sa.PrimaryKeyConstraint("batch_id", "dataset", name=op.f("pk_import_checks")),
    )


def downgrade() -> None:
    op.drop_table("import_checks")
