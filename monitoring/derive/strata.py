"""Values of stratification factors per patient: a patient column (``sex``, ``site``, ...)
or a ``[[baseline]]`` characteristic, read from the patient's ``baseline`` row."""

from __future__ import annotations

import pandas as pd


def factor_values(patients: pd.DataFrame, baseline: pd.DataFrame | None, name: str) -> pd.Series:
    """Each patient's value of ``name`` (aligned with ``patients``): the patient column
    when ``patients`` has one, else the ``value`` of the patient's ``baseline`` row whose
    ``characteristic`` is ``name``; None where the patient has none."""
    if name in patients.columns:
        return patients[name].astype(object).where(patients[name].notna(), None)
    if baseline is None or baseline.empty:
        return pd.Series([None] * len(patients), index=patients.index, dtype=object)
    rows = baseline[baseline["characteristic"] == name]
    by_patient = dict(zip(rows["patient_id"].astype(str), rows["value"], strict=True))
    values = [by_patient.get(str(p)) for p in patients["patient_id"]]
    out = pd.Series(values, index=patients.index, dtype=object)
    return out.where(out.notna(), None)
