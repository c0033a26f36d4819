"""The digest of a trial's adverse-event table at a cut-off, computed in the database.

``status`` reads only the adverse events that can be the monitored toxicity; the data
digest must still cover every row an analysis at that cut-off uses, so that ``status``,
the reports and the dashboard print the same digest for the same data cut. The database
writes each row's canonical line (``monitoring.provenance``) in SQL and concatenates them
in key order in one aggregate: one string comes back instead of 100,000 rows.

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
from sqlalchemy.dialects.postgresql import aggregate_order_by

from monitoring.db.reading import version_filter
from monitoring.db.schema import DATA_TABLES
from monitoring.provenance import LENGTH_MARK, LINE_END, MISSING
from monitoring.tables import ADVERSE_EVENTS, PATIENTS, ColumnType, TableSpec

TEXT_TYPES = (ColumnType.TEXT, ColumnType.CODE, ColumnType.DATE, ColumnType.INTEGER)
"""Column types whose SQL text equals the canonical text on both backends (numbers do
not: SQLite writes 1.0 where PostgreSQL writes 1)."""


def _field(value: sa.ColumnElement[Any], kind: ColumnType) -> sa.ColumnElement[str]:
    """``<length>:<text>``, or ``-`` when missing (NULL propagates through ``||``).

    Text and code columns are used as they are (a cast costs SQLite a step per value);
    dates and integers are cast: PostgreSQL prints a date as ``YYYY-MM-DD`` (ISO style)."""
    text = value if kind in (ColumnType.TEXT, ColumnType.CODE) else sa.cast(value, sa.Text)
    return sa.func.coalesce(
        sa.cast(sa.func.length(text), sa.Text) + sa.literal(LENGTH_MARK) + text,
        sa.literal(MISSING),
    )


def _line(values: list[sa.ColumnElement[Any]], spec: TableSpec) -> sa.ColumnElement[str]:
    kinds = [column.type for column in spec.columns]
    line: sa.ColumnElement[str] = _field(values[0], kinds[0])
    for value, kind in zip(values[1:], kinds[1:], strict=True):
        line = line + _field(value, kind)
    return line + sa.literal(LINE_END)


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
    engine: sa.Engine,
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
    line = _line(_cut_values(table, spec, day), spec)
    cut_rows = _cut_rows(table, trial_id, day, as_known_on)
    dialect = engine.dialect.name
    keys = _ordered(dialect, table, spec)
    query: sa.Select[Any]
    if dialect == "postgresql":
        joined = sa.func.string_agg(line, aggregate_order_by(sa.literal(""), *keys))
        query = sa.select(joined).where(*cut_rows)
    else:
        # SQLite keeps a subquery's ORDER BY under an aggregate other than count/min/max.
        lines = sa.select(line.label("line")).where(*cut_rows).order_by(*keys).subquery()
        query = sa.select(sa.func.group_concat(lines.c.line, sa.literal("")))
    with engine.connect() as conn:
        text = conn.execute(query).scalar_one_or_none() or ""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
