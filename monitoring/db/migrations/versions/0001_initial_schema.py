"""Initial schema: trials, versioned patient data, import batches, audit log, reports, looks.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 12:03:19.569760
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trials",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("protocol_toml", sa.Text(), nullable=False),
        sa.Column("protocol_digest", sa.String(length=64), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("registered_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trials")),
    )
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trial_id", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.Text(), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_import_batches_trial_id_trials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    op.create_index(
        op.f("ix_import_batches_trial_id"), "import_batches", ["trial_id"], unique=False
    )

    op.create_table(
        "monitoring_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trial_id", sa.Text(), nullable=False),
        sa.Column("look_number", sa.Integer(), nullable=False),
        sa.Column("reached_date", sa.Date(), nullable=False),
        sa.Column("signed_off_by", sa.Text(), nullable=True),
        sa.Column("signed_off_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_monitoring_log_trial_id_trials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_log")),
    )
    op.create_index(
        op.f("ix_monitoring_log_trial_id"), "monitoring_log", ["trial_id"], unique=False
    )

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trial_id", sa.Text(), nullable=False),
        sa.Column("look", sa.Integer(), nullable=True),
        sa.Column("cutoff", sa.Date(), nullable=False),
        sa.Column("as_known_on", sa.DateTime(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=True),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("protocol_digest", sa.String(length=64), nullable=False),
        sa.Column("data_digest", sa.String(length=64), nullable=True),
        sa.Column("generated_at", sa.DateTime(), nullable=False),
        sa.Column("generated_by", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("sent_by", sa.Text(), nullable=True),
        sa.Column("signed_off_at", sa.DateTime(), nullable=True),
        sa.Column("signed_off_by", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_reports_trial_id_trials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    op.create_index(op.f("ix_reports_trial_id"), "reports", ["trial_id"], unique=False)

    op.create_table(
        "adverse_events",
        sa.Column("version_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trial_id", sa.Text(), nullable=False),
        sa.Column("patient_id", sa.Text(), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("onset_date", sa.Date(), nullable=False),
        sa.Column("resolution_date", sa.Date(), nullable=True),
        sa.Column("attribution", sa.Text(), nullable=True),
        sa.Column("serious", sa.Text(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("valid_to", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_adverse_events_batch_id_import_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_adverse_events_trial_id_trials")
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_adverse_events")),
    )
    op.create_index(
        op.f("ix_adverse_events_trial_id"), "adverse_events", ["trial_id"], unique=False
    )
    op.create_index(
        "ix_adverse_events_validity",
        "adverse_events",
        ["trial_id", "valid_from", "valid_to"],
        unique=False,
    )
    op.create_index(
        "uq_adverse_events_current",
        "adverse_events",
        ["trial_id", "patient_id", "term", "onset_date"],
        unique=True,
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trial_id", sa.Text(), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("row_key", sa.Text(), nullable=False),
        sa.Column("column_name", sa.Text(), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint("source IN ('import', 'correction')", name=op.f("ck_audit_log_source")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batches.id"], name=op.f("fk_audit_log_batch_id_import_batches")
        ),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_audit_log_trial_id_trials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_trial_id"), "audit_log", ["trial_id"], unique=False)

    op.create_table(
        "import_counts",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_import_counts_batch_id_import_batches"),
        ),
        sa.PrimaryKeyConstraint("batch_id", "table_name", name=op.f("pk_import_counts")),
    )
    op.create_table(
        "patients",
        sa.Column("version_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trial_id", sa.Text(), nullable=False),
        sa.Column("patient_id", sa.Text(), nullable=False),
        sa.Column("site", sa.Text(), nullable=True),
        sa.Column("enrollment_date", sa.Date(), nullable=False),
        sa.Column("first_dose_date", sa.Date(), nullable=True),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("sex", sa.Text(), nullable=True),
        sa.Column("salvage_line", sa.Integer(), nullable=True),
        sa.Column("cohort", sa.Text(), nullable=True),
        sa.Column("arm", sa.Text(), nullable=True),
        sa.Column("dose_level", sa.Text(), nullable=True),
        sa.Column("last_contact_date", sa.Date(), nullable=True),
        sa.Column("progression_date", sa.Date(), nullable=True),
        sa.Column("death_date", sa.Date(), nullable=True),
        sa.Column("death_cause", sa.Text(), nullable=True),
        sa.Column("hsct_date", sa.Date(), nullable=True),
        sa.Column("second_malignancy_date", sa.Date(), nullable=True),
        sa.Column("off_treatment_date", sa.Date(), nullable=True),
        sa.Column("off_treatment_reason", sa.Text(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("valid_to", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batches.id"], name=op.f("fk_patients_batch_id_import_batches")
        ),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_patients_trial_id_trials")
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_patients")),
    )
    op.create_index(op.f("ix_patients_trial_id"), "patients", ["trial_id"], unique=False)
    op.create_index(
        "ix_patients_validity", "patients", ["trial_id", "valid_from", "valid_to"], unique=False
    )
    op.create_index(
        "uq_patients_current",
        "patients",
        ["trial_id", "patient_id"],
        unique=True,
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )

    op.create_table(
        "responses",
        sa.Column("version_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trial_id", sa.Text(), nullable=False),
        sa.Column("patient_id", sa.Text(), nullable=False),
        sa.Column("assessment_date", sa.Date(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("marrow_blasts_pct", sa.Float(), nullable=True),
        sa.Column("mrd_negative", sa.Text(), nullable=True),
        sa.Column("mrd_level", sa.Float(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("valid_to", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batches.id"], name=op.f("fk_responses_batch_id_import_batches")
        ),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_responses_trial_id_trials")
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_responses")),
    )
    op.create_index(op.f("ix_responses_trial_id"), "responses", ["trial_id"], unique=False)
    op.create_index(
        "ix_responses_validity", "responses", ["trial_id", "valid_from", "valid_to"], unique=False
    )
    op.create_index(
        "uq_responses_current",
        "responses",
        ["trial_id", "patient_id", "assessment_date"],
        unique=True,
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )

    _audit_log_append_only()


SQLITE_TRIGGERS = (
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
)
POSTGRES_TRIGGERS = (
    """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$""",
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
)


def _audit_log_append_only() -> None:
    """Refuse UPDATE and DELETE on the audit log in the database itself."""
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(dialect, ())
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("responses")
    op.drop_table("patients")
    op.drop_table("import_counts")
    op.drop_table("audit_log")
    op.drop_table("adverse_events")
    op.drop_table("reports")
    op.drop_table("monitoring_log")
    op.drop_table("import_batches")
    op.drop_table("trials")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
