"""Database schema (SQLAlchemy Core): trials, versioned patient data, batches, audit, reports.

The three patient-data tables are generated from the data dictionary
(:mod:`monitoring.data_dictionary`) so that a column is named and typed in one place. Each row of
those tables is one *version* of a record: ``valid_from`` is when it became known,
``valid_to`` when it was superseded (``NULL`` for the current version). Every patient-data
row carries its ``trial_id``; at most one current version exists per trial and key.

All timestamps are stored as naive UTC (``TIMESTAMP WITHOUT TIME ZONE``) so that SQLite and
PostgreSQL return the same values; :func:`monitoring.db.clock.to_utc` normalises them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from monitoring.data_dictionary import TABLES, Column, ColumnType, TableSpec
from monitoring.db.timestamps import to_utc

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

SQL_TYPES: dict[ColumnType, type[sa.types.TypeEngine[Any]]] = {
    ColumnType.TEXT: sa.Text,
    ColumnType.CODE: sa.Text,
    ColumnType.DATE: sa.Date,
    ColumnType.INTEGER: sa.Integer,
    ColumnType.NUMBER: sa.Float,
}


def _trial_fk() -> sa.Column[str]:
    return sa.Column("trial_id", sa.Text, sa.ForeignKey("trials.id"), nullable=False, index=True)


trials = sa.Table(
    "trials",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("protocol_toml", sa.Text, nullable=False),
    sa.Column("protocol_digest", sa.String(64), nullable=False),
    sa.Column("registered_at", sa.DateTime, nullable=False),
    sa.Column("registered_by", sa.Text, nullable=False),
)

import_batches = sa.Table(
    "import_batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _trial_fk(),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("imported_by", sa.Text, nullable=False),
    sa.Column("files", sa.Text, nullable=False),
    sa.Column("added", sa.Integer, nullable=False),
    sa.Column("changed", sa.Integer, nullable=False),
    sa.Column("unchanged", sa.Integer, nullable=False),
)

import_counts = sa.Table(
    "import_counts",
    metadata,
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), primary_key=True),
    sa.Column("table_name", sa.Text, primary_key=True),
    sa.Column("added", sa.Integer, nullable=False),
    sa.Column("changed", sa.Integer, nullable=False),
    sa.Column("unchanged", sa.Integer, nullable=False),
)

import_checks = sa.Table(
    "import_checks",
    metadata,
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), primary_key=True),
    sa.Column("dataset", sa.Text, primary_key=True),
    sa.Column("findings", sa.Text, nullable=False),
)
"""The datasets an import compared with the product's own derivation (an ADaM ADTTE: its
AVAL/CNSR against the imported dates) and the disagreements found, as a JSON list
(``monitoring.db.import_checks``); an empty list when all agreed. Hashed with the batch."""

kept_digests = sa.Table(
    "kept_digests",
    metadata,
    sa.Column("trial_id", sa.Text, sa.ForeignKey("trials.id"), nullable=False),
    sa.Column("table_name", sa.Text, nullable=False),
    sa.Column("current_rows", sa.Integer, nullable=False),
    sa.Column("last_version_id", sa.Integer, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.PrimaryKeyConstraint("trial_id", "table_name", "current_rows", "last_version_id"),
)
"""The digest of a clinical-detail table's current rows (``monitoring.db.digest``), written
by the import or correction that left the table in that state and named by it: the number
of current rows and the largest row-version id of the trial in the table, which every
import or correction of the table changes. Only ever added to."""

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _trial_fk(),
    sa.Column("table_name", sa.Text, nullable=False),
    sa.Column("row_key", sa.Text, nullable=False),
    sa.Column("column_name", sa.Text, nullable=False),
    sa.Column("old_value", sa.Text),
    sa.Column("new_value", sa.Text),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id")),
    sa.Column("changed_at", sa.DateTime, nullable=False),
    sa.Column("changed_by", sa.Text, nullable=False),
    sa.Column("reason", sa.Text),
    sa.CheckConstraint("source IN ('import', 'correction')", name="source"),
)

reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _trial_fk(),
    sa.Column("look", sa.Integer),
    sa.Column("cutoff", sa.Date, nullable=False),
    sa.Column("as_known_on", sa.DateTime, nullable=False),
    sa.Column("format", sa.String(16), nullable=False),
    sa.Column("file_name", sa.Text),
    sa.Column("content_digest", sa.String(64), nullable=False),
    sa.Column("protocol_digest", sa.String(64), nullable=False),
    sa.Column("data_digest", sa.String(64)),
    sa.Column("chain_head", sa.String(64)),
    sa.Column("generated_at", sa.DateTime, nullable=False),
    sa.Column("generated_by", sa.Text, nullable=False),
    sa.Column("sent_at", sa.DateTime),
    sa.Column("sent_by", sa.Text),
    sa.Column("signed_off_at", sa.DateTime),
    sa.Column("signed_off_by", sa.Text),
)

monitoring_log = sa.Table(
    "monitoring_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _trial_fk(),
    sa.Column("look_number", sa.Integer, nullable=False),
    sa.Column("reached_date", sa.Date, nullable=False),
    sa.Column("signed_off_by", sa.Text),
    sa.Column("signed_off_at", sa.DateTime),
    sa.Column("note", sa.Text),
)

history_chain = sa.Table(
    "history_chain",
    metadata,
    sa.Column("trial_id", sa.Text, sa.ForeignKey("trials.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("table_name", sa.Text, nullable=False),
    sa.Column("part", sa.String(16), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("last_row_id", sa.Integer, nullable=False),
    sa.Column("row_ids", sa.LargeBinary, nullable=False),
    sa.Column("row_hashes", sa.LargeBinary, nullable=False),
    sa.Column("link_hash", sa.String(64), nullable=False),
    sa.Index("ix_history_chain_last", "trial_id", "table_name", "last_row_id"),
)
"""The trial's hash chain over its history (``monitoring.db.chain``): one link per table
(or report part) per change, holding the ids and content hashes of the rows it links."""


def _data_column(column: Column, key: tuple[str, ...]) -> sa.Column[Any]:
    nullable = not (column.required or column.name in key)
    return sa.Column(column.name, SQL_TYPES[column.type](), nullable=nullable)


class normalised(FunctionElement[str]):  # noqa: N801 (SQL function style)
    """``lower(trim(text))``: an AE term as the monitored-toxicity rule compares it.

    Rendered as PostgreSQL prints it back (``TRIM(BOTH FROM ...)``), so that the migration
    check compares the expression index over it exactly.
    """

    type = sa.Text()
    name = "normalised"
    inherit_cache = True


@compiles(normalised)
def _normalised(element: normalised, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower(trim({compiler.process(element.clauses, **kw)}))"


@compiles(normalised, "postgresql")
def _normalised_pg(element: normalised, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower(TRIM(BOTH FROM {compiler.process(element.clauses, **kw)}))"


def _current(name: str, *columns: Any) -> sa.Index:
    """An index over the current versions only (what ``status`` reads)."""
    where = sa.text("valid_to IS NULL")
    return sa.Index(name, *columns, sqlite_where=where, postgresql_where=where)


def _add_read_indexes(table: sa.Table, spec: TableSpec) -> None:
    """Indexes for the status read path (revision 0002) on the child tables: the latest
    date of each date column (the default cut-off) and, on adverse events, the normalised
    term the monitored toxicity is selected by."""
    if spec.key == ("patient_id",):
        return
    c = table.c
    for column in spec.columns:
        if column.type is ColumnType.DATE:
            _current(f"ix_{spec.name}_current_{column.name}", c.trial_id, c[column.name])
    if "term" in spec.names:
        _current(f"ix_{spec.name}_current_term", c.trial_id, normalised(c.term))


def versioned_table(spec: TableSpec) -> sa.Table:
    """The versioned table of one imported table: its columns plus trial and validity."""
    name = spec.name
    table = sa.Table(
        name,
        metadata,
        sa.Column("version_id", sa.Integer, primary_key=True, autoincrement=True),
        _trial_fk(),
        *(_data_column(c, spec.key) for c in spec.columns),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id")),
        sa.Column("valid_from", sa.DateTime, nullable=False),
        sa.Column("valid_to", sa.DateTime),
        sa.Index(
            f"uq_{name}_current",
            "trial_id",
            *spec.key,
            unique=True,
            sqlite_where=sa.text("valid_to IS NULL"),
            postgresql_where=sa.text("valid_to IS NULL"),
        ),
        sa.Index(f"ix_{name}_validity", "trial_id", "valid_from", "valid_to"),
    )
    _add_read_indexes(table, spec)
    return table


DATA_TABLES: dict[str, sa.Table] = {name: versioned_table(spec) for name, spec in TABLES.items()}

database_info = sa.Table(
    "database_info",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("set_at", sa.DateTime, nullable=False),
)
"""Facts about the database itself (``demo`` = ``true`` marks the demo database)."""

users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("email", sa.Text),
    sa.Column("password_hash", sa.Text),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("failed_attempts", sa.Integer, nullable=False),
    sa.Column("locked_until", sa.DateTime),
    sa.Column("password_changed_at", sa.DateTime),
)
"""Dashboard and command-line accounts (``monitoring.accounts``): an argon2id hash, never
a password; ``failed_attempts`` and ``locked_until`` hold the back-off after failures."""

user_roles = sa.Table(
    "user_roles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_name", sa.Text, sa.ForeignKey("users.name"), nullable=False, index=True),
    sa.Column("trial_id", sa.Text, sa.ForeignKey("trials.id")),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("granted_at", sa.DateTime, nullable=False),
    sa.Column("granted_by", sa.Text, nullable=False),
    sa.Column("revoked_at", sa.DateTime),
    sa.Column("revoked_by", sa.Text),
    sa.CheckConstraint("role IN ('dsmb', 'pi', 'statistician', 'admin')", name="role"),
)
"""One grant of a role, on one trial (``trial_id``) or everywhere (``admin``, no trial);
a revoked grant keeps its row with ``revoked_at`` set."""

user_sessions = sa.Table(
    "user_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_name", sa.Text, sa.ForeignKey("users.name"), nullable=False, index=True),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("ended_at", sa.DateTime),
)
"""Signed-in sessions: the SHA-256 of the token (the token itself is only the browser's)."""

account_events = sa.Table(
    "account_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("user_name", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("trial_id", sa.Text),
    sa.Column("detail", sa.Text),
    sa.Column("previous_hash", sa.String(64), nullable=False),
    sa.Column("event_hash", sa.String(64), nullable=False),
)
"""The audit log of accounts (append-only, hash-chained row by row): sign-ins, failed
sign-ins, sign-outs and every change of an account or role (``monitoring.accounts``)."""


def version_filter(table: sa.Table, as_known_on: datetime | None) -> list[sa.ColumnElement[bool]]:
    """Rows current now, or current at ``as_known_on``."""
    if as_known_on is None:
        return [table.c.valid_to.is_(None)]
    moment = to_utc(as_known_on)
    return [
        table.c.valid_from <= moment,
        sa.or_(table.c.valid_to.is_(None), table.c.valid_to > moment),
    ]
