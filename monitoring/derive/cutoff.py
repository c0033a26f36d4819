"""Data cut-off (SPEC 4): what the data looked like on a given date.

Records dated after the cut-off are ignored and follow-up is censored at it, so any past
interim look is reproduced exactly by choosing its cut-off. The rules are listed in
docs/methods.md, "Derivations".
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from monitoring.data_dictionary import TABLES, ColumnType, TableSpec, TrialData
from monitoring.errors import DataInputError

# Patient dates that are simply unknown at the cut-off when they fall after it, with the
# text column that describes each (cleared with it).
PATIENT_EVENT_DATES: dict[str, str | None] = {
    "first_dose_date": None,
    "progression_date": None,
    "death_date": "death_cause",
    "hsct_date": None,
    "second_malignancy_date": None,
    "off_treatment_date": "off_treatment_reason",
}


def as_timestamp(day: date) -> pd.Timestamp:
    """A date (or datetime / Timestamp) as a midnight Timestamp, the unit of every rule."""
    return pd.Timestamp(day).normalize()


def _date_columns(spec: TableSpec) -> list[str]:
    return [c.name for c in spec.columns if c.type is ColumnType.DATE]


def latest_date(data: TrialData) -> date:
    """The latest date anywhere in the three tables: the default cut-off (SPEC 4).

    Raises DataInputError when the data hold no date at all (no patient enrolled).
    """
    latest = data_latest_date(data)
    if latest is None:
        raise DataInputError("the data hold no dates: no default cut-off exists")
    return latest


def data_latest_date(data: TrialData) -> date | None:
    """The latest date anywhere in the tables; None when they hold none (no data)."""
    latest: pd.Timestamp | None = None
    for spec in TABLES.values():
        frame = data.table(spec.name)
        for column in _date_columns(spec):
            value = frame[column].max()
            if pd.notna(value) and (latest is None or value > latest):
                latest = pd.Timestamp(value)
    return None if latest is None else latest.date()


def _cut_patients(patients: pd.DataFrame, cut: pd.Timestamp) -> pd.DataFrame:
    out = patients.loc[patients["enrollment_date"] <= cut].copy()
    for column, text in PATIENT_EVENT_DATES.items():
        after = (out[column] > cut).to_numpy(bool)
        if after.any():
            out.loc[after, column] = pd.NaT
            if text is not None:
                out.loc[after, text] = None
    late_contact = (out["last_contact_date"] > cut).to_numpy(bool)
    if late_contact.any():
        out.loc[late_contact, "last_contact_date"] = cut
    return out.reset_index(drop=True)


def _rows_until(
    frame: pd.DataFrame, column: str, cut: pd.Timestamp, kept: pd.Series
) -> pd.DataFrame:
    """Rows dated on or before the cut, of patients still enrolled (copied)."""
    mask = (frame[column] <= cut).to_numpy(bool)
    if len(kept) and not kept.all():
        mask &= frame["patient_id"].isin(kept.index[kept]).to_numpy(bool)
    return frame.loc[mask].reset_index(drop=True)


def _rows_of(frame: pd.DataFrame, kept: pd.Series) -> pd.DataFrame:
    """Rows of patients still enrolled (copied): for tables without a date."""
    if len(kept) and not kept.all():
        return frame.loc[frame["patient_id"].isin(kept.index[kept]).to_numpy(bool)].reset_index(
            drop=True
        )
    return frame.reset_index(drop=True)


def apply_cutoff(data: TrialData, cutoff: date) -> TrialData:
    """The data as known at ``cutoff`` (inclusive): later records dropped or made missing.

    - patients enrolled after the cut-off are dropped, with their responses and AEs;
    - first dose, progression, death, HSCT, second malignancy and off-treatment dates after
      the cut-off become missing (death cause and off-treatment reason with them);
    - last contact after the cut-off is capped at the cut-off;
    - response assessments and AEs with onset after the cut-off are dropped;
    - AE resolution after the cut-off becomes missing (unresolved at the cut-off);
    - dose-level changes, DLT assessments, MRD samples, randomizations, exposure cycles,
      disposition events and laboratory samples dated after the cut-off are dropped;
    - baseline characteristics are kept for the patients enrolled by the cut-off.
    """
    cut = as_timestamp(cutoff)
    patients = _cut_patients(data.patients, cut)
    enrolled = pd.Series(
        (data.patients["enrollment_date"] <= cut).to_numpy(bool),
        index=data.patients["patient_id"].to_numpy(),
    )
    responses = _rows_until(data.responses, "assessment_date", cut, enrolled)
    events = _rows_until(data.adverse_events, "onset_date", cut, enrolled)
    unresolved = (events["resolution_date"] > cut).to_numpy(bool)
    if unresolved.any():
        events.loc[unresolved, "resolution_date"] = pd.NaT
    return TrialData(
        patients,
        responses,
        events,
        dose_changes=_rows_until(data.dose_changes, "change_date", cut, enrolled),
        dlt_assessments=_rows_until(data.dlt_assessments, "assessment_date", cut, enrolled),
        mrd_results=_rows_until(data.mrd_results, "sample_date", cut, enrolled),
        randomization=_rows_until(data.randomization, "randomization_date", cut, enrolled),
        baseline=_rows_of(data.baseline, enrolled),
        exposure=_rows_until(data.exposure, "start_date", cut, enrolled),
        disposition_events=_rows_until(data.disposition_events, "event_date", cut, enrolled),
        lab_results=_rows_until(data.lab_results, "sample_date", cut, enrolled),
    )
