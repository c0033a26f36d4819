"""Read versioned patient data: the rows current now or as they were known at a past time.

One query per table; dates are selected as ISO text and parsed vectorised, which is faster
than per-value conversion by the driver and identical on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from monitoring.data_dictionary import CORE_TABLES, TABLES, ColumnType, TableSpec, TrialData
from monitoring.db.schema import DATA_TABLES, normalised, version_filter
from monitoring.db.transactions import Bind, connected

VERSION_ID = "version_id"


def _selected(table: sa.Table, spec: TableSpec) -> list[sa.ColumnElement[Any]]:
    columns: list[sa.ColumnElement[Any]] = []
    for column in spec.columns:
        col = table.c[column.name]
        if column.type is ColumnType.DATE:
            columns.append(sa.cast(col, sa.Text).label(column.name))
        else:
            columns.append(col)
    return columns


def _typed(spec: TableSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """Set the dtypes of monitoring/data_dictionary.py on a frame of raw driver values."""
    out = pd.DataFrame(index=frame.index)
    for column in spec.columns:
        values = frame[column.name]
        if column.type is ColumnType.DATE:
            # ISO 'YYYY-MM-DD' text (or None): numpy's own parser, 5x pandas' strptime path
            days = np.array(values.to_numpy(object), dtype="datetime64[D]")
            out[column.name] = days.astype("datetime64[ns]")
        elif column.type is ColumnType.INTEGER:
            out[column.name] = values.astype("float64").astype("Int64")
        elif column.type is ColumnType.NUMBER:
            out[column.name] = values.astype("float64")
        else:
            out[column.name] = values.astype(object).where(values.notna(), None)
    if VERSION_ID in frame.columns:
        out[VERSION_ID] = frame[VERSION_ID].astype("int64")
    return out


def _fetch(conn: sa.Connection, query: sa.Select[Any]) -> pd.DataFrame:
    """Run ``query`` on the DB-API cursor and build the frame column-wise in pandas.

    Bypasses SQLAlchemy's per-row objects (the slow part for 100,000 rows). Values are
    rendered as literals by SQLAlchemy's own dialect (``literal_binds``), so timestamps are
    compared in exactly the stored format; the only text values are trial ids, which the
    protocol restricts to letters, digits, '-', '_' and '.'.
    """
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled))
        rows = cursor.fetchall()
        names = [d[0] for d in cursor.description]
    finally:
        cursor.close()
    return pd.DataFrame.from_records(rows, columns=names, coerce_float=False)


def read_table(
    conn: sa.Connection,
    spec: TableSpec,
    trial_id: str,
    as_known_on: datetime | None = None,
    *,
    with_version_id: bool = False,
    where: sa.ColumnElement[bool] | None = None,
) -> pd.DataFrame:
    """Rows of one table for one trial, current or as known at ``as_known_on``.

    ``where`` narrows the rows further (a condition on the table's columns).
    """
    table = DATA_TABLES[spec.name]
    columns = _selected(table, spec)
    if with_version_id:
        columns.append(table.c.version_id)
    query = sa.select(*columns).where(table.c.trial_id == trial_id)
    if where is not None:
        query = query.where(where)
    query = query.where(*version_filter(table, as_known_on))
    frame = _typed(spec, _fetch(conn, query))
    # Sorted here, not by ORDER BY: database collations differ, code-point order does not.
    return frame.sort_values(list(spec.key), ignore_index=True, kind="stable")


def adverse_events_with_terms(terms: Collection[str]) -> sa.ColumnElement[bool]:
    """Adverse-event rows whose term is one of ``terms`` (case and outer spaces ignored)."""
    term = DATA_TABLES["adverse_events"].c.term
    return normalised(term).in_(sorted({t.strip().lower() for t in terms}))


def load_trial_data(
    bind: Bind,
    trial_id: str,
    as_known_on: datetime | None = None,
    *,
    adverse_event_terms: Collection[str] | None = None,
    unread: Collection[str] = (),
) -> TrialData:
    """The tables of a trial as currently known, or as known at ``as_known_on``.

    ``as_known_on`` (aware, or naive UTC) selects, for every record, the version that was
    current at that moment; ``None`` means the current versions. Rows are sorted by key.
    ``adverse_event_terms`` keeps only the adverse events of those terms; the tables named
    in ``unread`` (clinical-detail tables) are left empty.
    """
    unknown = set(unread) - (set(TABLES) - set(CORE_TABLES))
    if unknown:
        raise ValueError(f"only clinical-detail tables can be left unread: {sorted(unknown)}")
    with connected(bind) as conn:
        frames = {
            name: read_table(
                conn,
                spec,
                trial_id,
                as_known_on,
                where=(
                    adverse_events_with_terms(adverse_event_terms)
                    if name == "adverse_events" and adverse_event_terms is not None
                    else None
                ),
            )
            for name, spec in TABLES.items()
            if name not in unread
        }
    return TrialData(**frames)


def latest_data_date(bind: Bind, trial_id: str, as_known_on: datetime | None = None) -> date | None:
    """The latest date in any date column of the three tables (the default cut-off, SPEC 4),
    computed in the database, so that a caller loading only some rows keeps the same
    cut-off as one loading them all (``monitoring.derive.latest_date``).

    One statement of one scalar ``max`` per column: on current rows each is a single
    lookup in a partial index of the large tables (migration 0002)."""
    maxima = []
    for spec in TABLES.values():
        table = DATA_TABLES[spec.name]
        for column in spec.columns:
            if column.type is ColumnType.DATE:
                maxima.append(
                    sa.select(sa.func.max(table.c[column.name]))
                    .where(table.c.trial_id == trial_id, *version_filter(table, as_known_on))
                    .scalar_subquery()
                )
    with connected(bind) as conn:
        values = conn.execute(sa.select(*maxima)).one()
    days = [date.fromisoformat(str(value)[:10]) for value in values if value is not None]
    return max(days, default=None)
