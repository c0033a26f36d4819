"""The tables as they would be after an import: imported rows over the stored current rows.

An imported row replaces the stored row with the same key; columns the file does not hold
keep their stored values (a new row gets them empty). Stored rows absent from the file are
kept unchanged. Each staged row records where it came from (``SOURCE``, ``ROW``; both
missing for a stored row) so that problems can name the file and row.
"""

from __future__ import annotations

import pandas as pd

from monitoring.data_dictionary import TableSpec
from monitoring.db.validation import ValidatedTable

SOURCE = "_source"
ROW = "_row"


def overlay(stored: pd.DataFrame, imported: ValidatedTable) -> pd.DataFrame:
    """Imported rows, with the columns the file lacks filled from the stored row of that key."""
    spec = imported.spec
    key = list(spec.key)
    absent = [c for c in spec.names if c not in imported.provided and c not in key]
    frame = imported.frame.copy()
    if absent:
        merged = frame[key].merge(stored[key + absent], on=key, how="left")
        for name in absent:
            frame[name] = merged[name].set_axis(frame.index)
    return frame


def _untouched(stored: pd.DataFrame, spec: TableSpec, replaced: pd.DataFrame) -> pd.DataFrame:
    key = list(spec.key)
    marks = stored[key].merge(replaced[key].drop_duplicates(), on=key, how="left", indicator=True)
    return stored.loc[(marks["_merge"] == "left_only").to_numpy(), list(spec.names)]


def stage(spec: TableSpec, stored: pd.DataFrame, imported: ValidatedTable | None) -> pd.DataFrame:
    """Stored rows with the import applied, typed, with ``SOURCE`` and ``ROW`` columns."""
    if imported is None:
        frame = stored[list(spec.names)].copy()
        frame[SOURCE] = None
        frame[ROW] = pd.array([pd.NA] * len(frame), dtype="Int64")
        return frame.reset_index(drop=True)
    new = overlay(stored, imported)
    new[SOURCE] = imported.source
    new[ROW] = pd.Series(new.index.to_numpy(), index=new.index, dtype="Int64")
    old = _untouched(stored, spec, new)
    old[SOURCE] = None
    old[ROW] = pd.array([pd.NA] * len(old), dtype="Int64")
    if old.empty:
        return new.reset_index(drop=True)
    return pd.concat([new, old], ignore_index=True)
