"""History chain: the ``history_chain`` table, reports' chain head, and the chain of
every trial's existing history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 21:30:00

History written before this revision is linked here, trial by trial, in the order of
``monitoring.db.chain.CHAINED`` (table by table, rows by id), so that a database made by an
earlier version verifies clean. The chain table refuses UPDATE and DELETE like the audit
log (SQLite and PostgreSQL triggers).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from monitoring.db.bulk import bulk_insert
from monitoring.db.chain import pending_links
from monitoring.db.chain_links import GENESIS, ChainHead, links
from monitoring.db.schema import history_chain

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = (
    """CREATE TRIGGER history_chain_no_update BEFORE UPDATE ON history_chain
    BEGIN SELECT RAISE(ABORT, 'history_chain is append-only'); END""",
    """CREATE TRIGGER history_chain_no_delete BEFORE DELETE ON history_chain
    BEGIN SELECT RAISE(ABORT, 'history_chain is append-only'); END""",
)
POSTGRES_TRIGGERS = (
    """CREATE FUNCTION history_chain_append_only() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN RAISE EXCEPTION 'history_chain is append-only'; END $$""",
    """CREATE TRIGGER history_chain_append_only BEFORE UPDATE OR DELETE ON history_chain
    FOR EACH ROW EXECUTE FUNCTION history_chain_append_only()""",
)


def upgrade() -> None:
    op.add_column("reports", sa.Column("chain_head", sa.String(length=64), nullable=True))
    op.create_table(
        "history_chain",
        sa.Column("trial_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("part", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("last_row_id", sa.Integer(), nullable=False),
        sa.Column("row_ids", sa.LargeBinary(), nullable=False),
        sa.Column("row_hashes", sa.LargeBinary(), nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_history_chain_trial_id_trials")
        ),
        sa.PrimaryKeyConstraint("trial_id", "seq", name=op.f("pk_history_chain")),
    )
    op.create_index(
        "ix_history_chain_last",
        "history_chain",
        ["trial_id", "table_name", "last_row_id"],
        unique=False,
    )
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(dialect, ())
    for statement in statements:
        op.execute(statement)
    _link_existing_history(op.get_bind())


def _link_existing_history(conn: sa.Connection) -> None:
    """Every trial's history so far, linked in one step (no change time to check)."""
    existing = set(sa.inspect(conn).get_table_names())  # tables of later revisions: not yet
    for (trial_id,) in conn.execute(sa.text("SELECT id FROM trials ORDER BY id")).all():
        pending = pending_links(conn, trial_id, None, existing)
        rows = links(ChainHead(0, GENESIS), pending, trial_id)
        bulk_insert(conn, history_chain, rows)


def downgrade() -> None:
    op.drop_index("ix_history_chain_last", table_name="history_chain")
    op.drop_table("history_chain")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS history_chain_append_only()")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("chain_head")
