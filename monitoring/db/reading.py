"""Read versioned patient data: the rows current now or as they were known at a past time.

One query per table; dates are selected as ISO text and parsed vectorised, which is faster
than per-value conversion by the driver and identical on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
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


def _typed(spec: TableSpec, rows: list[tuple[object, ...]], names: list[str]) -> pd.DataFrame:
    data = dict(zip(names, zip(*rows, strict=True), strict=True)) if rows else {}
    frame = pd.DataFrame(index=pd.RangeIndex(len(rows)))
    for column in spec.columns:
        values = list(data.get(column.name, ()))
        if column.type is ColumnType.DATE:
            frame[column.name] = pd.to_datetime(
                pd.Series(values, dtype=object), format="%Y-%m-%d"
            ).astype("datetime64[ns]")
        elif column.type is ColumnType.INTEGER:
            frame[column.name] = pd.array(values, dtype="Int64")
        elif column.type is ColumnType.NUMBER:
            frame[column.name] = pd.array(values, dtype="float64")
        else:
            frame[column.name] = pd.Series(values, dtype=object)
    if VERSION_ID in names:
        frame[VERSION_ID] = np.asarray(data.get(VERSION_ID, ()), dtype="int64")
    return frame


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
    result = conn.execute(query)
    names = list(result.keys())
    return _typed(spec, [tuple(r) for r in result.all()], names)


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
