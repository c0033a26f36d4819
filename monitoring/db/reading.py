"""Read versioned patient data: the rows current now or as they were known at a past time.

One query per table; dates are selected as ISO text and parsed vectorised, which is faster
than per-value conversion by the driver and identical on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from monitoring.db.schema import DATA_TABLES
from monitoring.db.timestamps import to_utc
from monitoring.tables import TABLES, ColumnType, TableSpec, TrialData

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
    """Set the dtypes documented in monitoring/tables.py on a frame of raw driver values."""
    out = pd.DataFrame(index=frame.index)
    for column in spec.columns:
        values = frame[column.name]
        if column.type is ColumnType.DATE:
            out[column.name] = pd.to_datetime(values, format="%Y-%m-%d").astype("datetime64[ns]")
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
) -> pd.DataFrame:
    """Rows of one table for one trial, current or as known at ``as_known_on``."""
    table = DATA_TABLES[spec.name]
    columns = _selected(table, spec)
    if with_version_id:
        columns.append(table.c.version_id)
    query = sa.select(*columns).where(table.c.trial_id == trial_id)
    if as_known_on is None:
        query = query.where(table.c.valid_to.is_(None))
    else:
        moment = to_utc(as_known_on)
        query = query.where(
            table.c.valid_from <= moment,
            sa.or_(table.c.valid_to.is_(None), table.c.valid_to > moment),
        )
    query = query.order_by(*(table.c[k] for k in spec.key))
    return _typed(spec, _fetch(conn, query))


def load_trial_data(
    engine: sa.Engine, trial_id: str, as_known_on: datetime | None = None
) -> TrialData:
    """The three tables of a trial as currently known, or as known at ``as_known_on``.

    ``as_known_on`` (aware, or naive UTC) selects, for every record, the version that was
    current at that moment; ``None`` means the current versions. Rows are sorted by key.
    """
    with engine.connect() as conn:
        frames = {
            name: read_table(conn, spec, trial_id, as_known_on) for name, spec in TABLES.items()
        }
    return TrialData(
        patients=frames["patients"],
        responses=frames["responses"],
        adverse_events=frames["adverse_events"],
    )
