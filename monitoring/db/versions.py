"""Write row versions: compare staged rows with stored ones, close changed versions, audit.

An unchanged row is left alone. A changed row gets its current version closed
(``valid_to = now``) and a new version inserted (``valid_from = now``); each changed value
is written to the append-only audit log with its old and new value. Nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import numpy as np
import pandas as pd
import sqlalchemy as sa

from monitoring.data_dictionary import Column, ColumnType, TableSpec
from monitoring.db.bulk import bulk_insert
from monitoring.db.chain import note_written
from monitoring.db.reading import VERSION_ID
from monitoring.db.schema import DATA_TABLES, audit_log

CHUNK = 1000


class ChangeSource(Enum):
    """What made a change: an import batch or a one-value correction."""

    IMPORT = "import"
    CORRECTION = "correction"


@dataclass(frozen=True)
class CellChange:
    """One changed value of one row, as text (``None`` = empty)."""

    row_key: str
    column: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class TableDiff:
    """What writing ``rows`` over the stored table does."""

    spec: TableSpec
    added: pd.DataFrame
    changed: pd.DataFrame
    closed_version_ids: tuple[int, ...]
    cells: tuple[CellChange, ...]
    unchanged: int


@dataclass(frozen=True)
class Change:
    """Who changes data, when, and why (a batch id for imports, a reason for corrections)."""

    trial_id: str
    at: datetime
    user: str
    source: ChangeSource
    batch_id: int | None = None
    reason: str | None = None


def value_text(value: object) -> str | None:
    """A stored value as audit text: ISO dates, integers plainly, floats round-trip exact."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.date().isoformat()
    if isinstance(value, float | np.floating):
        return repr(float(value))
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


def key_text(spec: TableSpec, values: Sequence[object]) -> str:
    """``patient_id=P01,assessment_date=2025-01-03``: the key as the CLI takes it."""
    return ",".join(f"{k}={value_text(v)}" for k, v in zip(spec.key, values, strict=True))


def _same(old: pd.Series, new: pd.Series) -> np.ndarray:
    both_missing = old.isna().to_numpy() & new.isna().to_numpy()
    equal = (old.astype(object) == new.astype(object)).to_numpy(dtype=bool, na_value=False)
    return both_missing | equal


def diff_rows(spec: TableSpec, rows: pd.DataFrame, stored: pd.DataFrame) -> TableDiff:
    """Split staged ``rows`` (typed, spec columns) into added, changed and unchanged."""
    key = list(spec.key)
    merged = rows[list(spec.names)].merge(
        stored[[*spec.names, VERSION_ID]], on=key, how="left", suffixes=("", "_old")
    )
    exists = merged[VERSION_ID].notna().to_numpy()
    others = [c for c in spec.names if c not in key]
    differs = {c: exists & ~_same(merged[f"{c}_old"], merged[c]) for c in others}
    changed_mask = np.logical_or.reduce(list(differs.values())) if others else exists & False
    cells = []
    for c, mask in differs.items():
        sub = merged[mask]
        keys = [key_text(spec, vals) for vals in zip(*(sub[k] for k in key), strict=True)]
        cells += [
            CellChange(k, c, value_text(o), value_text(n))
            for k, o, n in zip(keys, sub[f"{c}_old"], sub[c], strict=True)
        ]
    return TableDiff(
        spec=spec,
        added=merged.loc[~exists, list(spec.names)],
        changed=merged.loc[changed_mask, list(spec.names)],
        closed_version_ids=tuple(int(v) for v in merged.loc[changed_mask, VERSION_ID]),
        cells=tuple(sorted(cells, key=lambda c: (c.row_key, spec.names.index(c.column)))),
        unchanged=int((exists & ~changed_mask).sum()),
    )


def _column_values(column: Column, series: pd.Series) -> list[object]:
    """Plain Python values of one typed column for the driver (``None`` when missing)."""
    missing = series.isna().to_numpy()
    if column.type is ColumnType.DATE:
        values = series.dt.date.to_numpy(dtype=object)
    elif column.type is ColumnType.INTEGER:
        numbers = series.to_numpy(dtype="float64", na_value=np.nan)
        values = np.array([int(v) if v == v else None for v in numbers.tolist()], dtype=object)
    elif column.type is ColumnType.NUMBER:
        values = series.to_numpy(dtype="float64").astype(object)
    else:
        values = series.to_numpy(dtype=object)
    values[missing] = None
    return list(values.tolist())


def _records(spec: TableSpec, frame: pd.DataFrame) -> list[dict[str, object]]:
    columns = [_column_values(c, frame[c.name]) for c in spec.columns]
    names = spec.names
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def write_diff(conn: sa.Connection, diff: TableDiff, change: Change) -> None:
    """Apply ``diff``: close changed versions, insert new ones, append the audit rows."""
    table = DATA_TABLES[diff.spec.name]
    ids = list(diff.closed_version_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        conn.execute(table.update().where(table.c.version_id.in_(chunk)).values(valid_to=change.at))
    stamp = {"trial_id": change.trial_id, "batch_id": change.batch_id, "valid_from": change.at}
    records = [
        {**rec, **stamp}
        for frame in (diff.added, diff.changed)
        for rec in _records(diff.spec, frame)
    ]
    bulk_insert(conn, table, records)
    audits = [_audit_row(diff.spec, cell, change) for cell in diff.cells]
    bulk_insert(conn, audit_log, audits)
    note_written(conn, table, change.trial_id, change.at, records)
    note_written(conn, audit_log, change.trial_id, change.at, audits)


def _audit_row(spec: TableSpec, cell: CellChange, change: Change) -> dict[str, object]:
    return {
        "trial_id": change.trial_id,
        "table_name": spec.name,
        "row_key": cell.row_key,
        "column_name": cell.column,
        "old_value": cell.old,
        "new_value": cell.new,
        "source": change.source.value,
        "batch_id": change.batch_id,
        "changed_at": change.at,
        "changed_by": change.user,
        "reason": change.reason,
    }
