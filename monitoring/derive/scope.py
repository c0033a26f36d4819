"""Which patients a rule applies to: its ``scope`` (e.g. ``{cohort = "1"}``) and ordering."""

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


def treated_order(patients: pd.DataFrame, by: str = "first_dose_date") -> pd.DataFrame:
    """Treated patients sorted by ``by`` (a date column) then patient id (text order)."""
    treated = patients.loc[patients["first_dose_date"].notna()]
    return treated.sort_values([by, "patient_id"], kind="mergesort")
