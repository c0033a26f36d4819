"""Small hand-written trial tables for the derivation tests (dates as ISO text)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from monitoring.data_dictionary import (
    ADVERSE_EVENTS,
    PATIENTS,
    RESPONSES,
    ColumnType,
    TableSpec,
    TrialData,
    empty_frame,
)


def frame(spec: TableSpec, rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A frame with exactly the columns and dtypes of ``spec``; absent values missing."""
    out = empty_frame(spec)
    if not rows:
        return out
    data = pd.DataFrame([dict(r) for r in rows])
    for column in spec.columns:
        values = data[column.name] if column.name in data else pd.Series([None] * len(data))
        if column.type is ColumnType.DATE:
            out[column.name] = pd.to_datetime(values).astype("datetime64[ns]")
        elif column.type is ColumnType.INTEGER:
            out[column.name] = pd.array(values, dtype="Int64")
        elif column.type is ColumnType.NUMBER:
            out[column.name] = values.astype("float64")
        else:
            out[column.name] = values.astype(object).where(values.notna(), None)
    return out.reset_index(drop=True)


def trial(
    patients: Sequence[Mapping[str, Any]],
    responses: Sequence[Mapping[str, Any]] = (),
    adverse_events: Sequence[Mapping[str, Any]] = (),
) -> TrialData:
    return TrialData(
        frame(PATIENTS, patients),
        frame(RESPONSES, responses),
        frame(ADVERSE_EVENTS, adverse_events),
    )


def response(pid: str, day: str, cycle: int, code: str) -> dict[str, Any]:
    return {"patient_id": pid, "assessment_date": day, "cycle": cycle, "response": code}


def ae(
    pid: str, term: str, onset: str, grade: int = 1, attribution: str | None = "possible", **kw: Any
) -> dict[str, Any]:
    return {
        "patient_id": pid,
        "term": term,
        "category": kw.pop("category", "Hepatobiliary disorders"),
        "grade": grade,
        "onset_date": onset,
        "attribution": attribution,
        **kw,
    }
