"""Per-patient aggregation of child rows (assessments, AEs) with numpy.

Patient ids are looked up once per table (``codes``); minima and maxima are then ufunc
reductions on integer views, which keeps the derivations of a 100,000-row trial within the
status page's time budget (docs/performance.md)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

Codes = npt.NDArray[np.intp]
Dates = npt.NDArray[np.datetime64]
_NAT = np.iinfo(np.int64).min
_TOP = np.iinfo(np.int64).max


def codes(patient_ids: pd.Series, child_ids: pd.Series) -> Codes:
    """Row position in the patient table of each child row's patient (-1 if unknown)."""
    return np.asarray(pd.Index(patient_ids).get_indexer(child_ids), dtype=np.intp)


def _reduce(
    where: Codes,
    size: int,
    values: npt.NDArray[np.int64],
    keep: npt.NDArray[np.bool_],
    lowest: bool,
) -> npt.NDArray[np.int64]:
    """Per-patient min (``lowest``) or max of ``values`` over kept rows; the identity
    (int64 max for min, int64 min for max) where a patient has no kept row."""
    ok = keep & (where >= 0) & (values != _NAT)
    out = np.full(size, _TOP if lowest else _NAT, dtype=np.int64)
    (np.minimum if lowest else np.maximum).at(out, where[ok], values[ok])
    return out


def date_extreme(
    where: Codes, size: int, dates: pd.Series, keep: npt.NDArray[np.bool_], lowest: bool
) -> Dates:
    """First (``lowest``) or last date per patient over kept rows; NaT where none."""
    values = dates.to_numpy("datetime64[ns]").view(np.int64)
    out = _reduce(where, size, values, keep, lowest)
    out[out == (_TOP if lowest else _NAT)] = _NAT
    return out.view("datetime64[ns]")


def int_extreme(
    where: Codes, size: int, numbers: pd.Series, keep: npt.NDArray[np.bool_], lowest: bool
) -> pd.Series:
    """Smallest or largest integer per patient over kept rows (nullable Int64, NA if none).
    Missing numbers are ignored."""
    present = numbers.notna().to_numpy(bool)
    values = numbers.to_numpy("int64", na_value=0)
    out = _reduce(where, size, values, keep & present, lowest)
    empty = out == (_TOP if lowest else _NAT)
    return pd.Series(pd.arrays.IntegerArray(out, empty))


def any_row(where: Codes, size: int, keep: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """True for patients with at least one kept row."""
    out = np.zeros(size, dtype=bool)
    out[where[keep & (where >= 0)]] = True
    return out
