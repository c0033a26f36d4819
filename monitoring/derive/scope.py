"""Which patients a rule applies to (its ``scope``, e.g. ``{cohort = "1"}``) and the order
in which treated patients are counted."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd


def in_scope(patients: pd.DataFrame, scope: Mapping[str, str]) -> npt.NDArray[np.bool_]:
    """Rows whose columns equal every value the scope names (all rows for an empty scope)."""
    mask = np.ones(len(patients), dtype=bool)
    for column, value in scope.items():
        if column not in patients.columns:
            raise ValueError(f"rule scope names unknown patient column '{column}'")
        mask &= (patients[column].astype("string") == value).fillna(False).to_numpy(bool)
    return mask


def treated_positions(
    patients: pd.DataFrame,
    by: str = "first_dose_date",
    among: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.intp]:
    """Row positions of treated patients (optionally ``among`` a subset) sorted by the date
    column ``by``, then by patient id in text order."""
    treated = patients["first_dose_date"].notna().to_numpy(bool)
    if among is not None:
        treated &= among
    rows = np.flatnonzero(treated)
    dates = patients[by].to_numpy("datetime64[ns]")[rows]
    ids = patients["patient_id"].to_numpy(object)[rows].astype(str)
    return rows[np.lexsort((ids, dates))]
