"""The digest of a trial's adverse-event table at a cut-off, computed in the database.

``status`` reads only the adverse events that can be the monitored toxicity; the data
digest must still cover every row an analysis at that cut-off uses, so that ``status``,
the reports and the dashboard print the same digest for the same data cut. The database
writes each row's canonical line (``monitoring.provenance``) in SQL and concatenates them
in key order in one aggregate: PostgreSQL returns their SHA-256, SQLite the UTF-8 bytes
(its databases are UTF-8 unless created otherwise), instead of 100,000 rows.

The cut-off rules of ``monitoring.derive.apply_cutoff`` for adverse events are applied in
SQL: events of patients enrolled after the cut-off and events with onset after it are
left out; a resolution after it is missing. Orphan events (no patient row) cannot be
stored (the importer refuses them), so "of an enrolled patient" is an ``IN`` on the
patients enrolled by the cut-off. ``tests/test_data_digest.py`` checks equality with the
in-memory digest on both backends.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from monitoring.data_dictionary import ADVERSE_EVENTS, PATIENTS, ColumnType, TableSpec
from monitoring.db.reading import version_filter
from monitoring.db.schema import DATA_TABLES
from monitoring.db.transactions import Bind, connected
from monitoring.provenance import LENGTH_MARK, LINE_END

TEXT_TYPES = (ColumnType.TEXT, ColumnType.CODE, ColumnType.DATE, ColumnType.INTEGER)
"""Column types whose SQL text equals the canonical text on both backends (numbers do
not: SQLite writes 1.0 where PostgreSQL writes 1)."""


def _line(values: list[sa.ColumnElement[Any]], spec: TableSpec, dialect: str) -> Any:
    """A row's canonical line in one function call per row (string concatenation with
    ``||`` costs SQLite twice as much): ``<length>:<text>`` per value, a missing value
    ``:`` alone (a NULL length and text print as nothing in both functions).

    SQLite: ``printf`` (dates are stored as ``YYYY-MM-DD`` text, integers print in
    decimal). PostgreSQL: ``concat`` of the values cast to text (a date prints as
    ``YYYY-MM-DD`` in the ISO date style)."""
    kinds = [column.type for column in spec.columns]
    if dialect == "postgresql":
        parts: list[Any] = []
        for value, kind in zip(values, kinds, strict=True):
            text = value if kind in (ColumnType.TEXT, ColumnType.CODE) else sa.cast(value, sa.Text)
            parts += [sa.func.length(text), sa.literal(LENGTH_MARK), text]
        return sa.func.concat(*parts, sa.literal(LINE_END))
    template = f"%s{LENGTH_MARK}%s" * len(values) + LINE_END
    pairs = [item for value in values for item in (sa.func.length(value), value)]
    return sa.func.printf(sa.literal(template), *pairs)


def _cut_values(table: sa.Table, spec: TableSpec, day: sa.ColumnElement[Any] | None) -> list[Any]:
    """The columns of ``spec`` as an analysis at the cut-off ``day`` (if any) sees them."""
    for column in spec.columns:
        if column.type not in TEXT_TYPES:
            raise ValueError(f"{spec.name}.{column.name}: no portable SQL text for numbers")
    cut = {}
    if day is not None:
        resolution = table.c.resolution_date
        cut["resolution_date"] = sa.case((resolution > day, sa.null()), else_=resolution)
    return [cut.get(c.name, table.c[c.name]) for c in spec.columns]


def _cut_rows(
    table: sa.Table, trial_id: str, day: sa.ColumnElement[Any] | None, as_known_on: datetime | None
) -> list[sa.ColumnElement[bool]]:
    """The trial's rows as known on ``as_known_on`` that an analysis at ``day`` uses."""
    rows = [table.c.trial_id == trial_id, *version_filter(table, as_known_on)]
    if day is None:
        return rows
    patients = DATA_TABLES["patients"]
    enrolled = sa.select(patients.c[PATIENTS.key[0]]).where(
        patients.c.trial_id == trial_id,
        patients.c.enrollment_date <= day,
        *version_filter(patients, as_known_on),
    )
    return [*rows, table.c.onset_date <= day, table.c.patient_id.in_(enrolled)]


def _ordered(dialect: str, table: sa.Table, spec: TableSpec) -> list[sa.ColumnElement[Any]]:
    """The key in code-point order: PostgreSQL's "C" collation, SQLite's default BINARY."""
    keys: list[sa.ColumnElement[Any]] = []
    for name in spec.key:
        column: sa.ColumnElement[Any] = table.c[name]
        if dialect == "postgresql" and spec.column(name).type is not ColumnType.DATE:
            column = column.collate("C")
        keys.append(column)
    return keys


def adverse_event_digest(
    bind: Bind,
    trial_id: str,
    cutoff: date | None,
    as_known_on: datetime | None = None,
) -> str:
    """``monitoring.provenance.table_digest`` of the trial's adverse events as known on
    ``as_known_on`` (default: now), cut at ``cutoff``, computed in the database.

    ``cutoff=None`` means no cut: right for the default cut-off, the latest date in the
    data, which cuts nothing (and lets SQLite read the rows in key order from the index
    of current rows, with no sort).
    """
    spec, table = ADVERSE_EVENTS, DATA_TABLES["adverse_events"]
    day = None if cutoff is None else sa.literal(cutoff, sa.Date)
    dialect = bind.dialect.name
    line = _line(_cut_values(table, spec, day), spec, dialect)
    cut_rows = _cut_rows(table, trial_id, day, as_known_on)
    keys = _ordered(dialect, table, spec)
    query: sa.Select[Any]
    if dialect == "postgresql":
        # Hashed in the server: 32 bytes come back instead of the text of every row.
        from sqlalchemy.dialects.postgresql import aggregate_order_by  # not on SQLite

        joined = sa.func.string_agg(line, aggregate_order_by(sa.literal(""), *keys))
        utf8 = sa.func.convert_to(sa.func.coalesce(joined, sa.literal("")), sa.literal("UTF8"))
        query = sa.select(sa.func.sha256(utf8)).where(*cut_rows)
    else:
        # SQLite keeps a subquery's ORDER BY under an aggregate other than count/min/max.
        lines = sa.select(line.label("line")).where(*cut_rows).order_by(*keys).subquery()
        joined = sa.func.group_concat(lines.c.line, sa.literal(""))
        # As a blob: UTF-8 bytes as stored, no decoding into a Python string.
        query = sa.select(sa.cast(sa.func.coalesce(joined, sa.literal("")), sa.LargeBinary))
    with connected(bind) as conn:
        value = bytes(conn.execute(query).scalar_one())
    return value.hex() if dialect == "postgresql" else hashlib.sha256(value).hexdigest()
