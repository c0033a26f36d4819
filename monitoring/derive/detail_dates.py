"""The per-patient dates the dose-finding, de-escalation and MRD-response rules read.

Like ``monitoring.derive.looks.LookDates`` (which holds them as ``detail``), they are taken
once from a derivation at a later cut-off; each rule at any earlier day is then a few
comparisons: a DLT assessment counts once it is dated by the day, an MRD response once its
negative sample is, a patient's dose level once the patient is treated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from monitoring.derive import grouping
from monitoring.derive.summary import Derivation
from monitoring.protocol import MrdRule, Protocol

Nanos = npt.NDArray[np.int64]
NEVER = np.iinfo(np.int64).max
DAY = 86_400 * 10**9


def nanos(values: object) -> Nanos:
    array = np.asarray(values, dtype="datetime64[ns]")
    out = array.view(np.int64).copy()
    out[np.isnat(array)] = NEVER
    return out


@dataclass(frozen=True, eq=False)
class DltRecords:
    """The DLT assessments, one entry per row: the patient's position among the derived
    patients, the level assessed, the assessment day, DLT and evaluable (Y)."""

    row: npt.NDArray[np.intp]
    level: npt.NDArray[np.object_]
    day: Nanos
    dlt: npt.NDArray[np.bool_]
    evaluable: npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class DoseChanges:
    """Dose-level changes, one entry per row: patient position, day, new level."""

    row: npt.NDArray[np.intp]
    day: Nanos
    level: npt.NDArray[np.object_]


@dataclass(frozen=True, eq=False)
class DetailDates:
    """What the clinical-detail rules read. ``entry_level`` is each patient's dose level at
    the first dose (the ``patients`` column, else the earliest dose change); ``mrd_negative``
    and ``mrd_failed`` give, per MRD rule, the day a patient became an MRD responder or a
    non-responder (never both)."""

    entry_level: npt.NDArray[np.object_]
    dlt: DltRecords
    changes: DoseChanges
    mrd_negative: Mapping[str, Nanos]
    mrd_failed: Mapping[str, Nanos]

    def fact_days(self) -> Nanos:
        return np.concatenate(
            [self.dlt.day, self.changes.day, *self.mrd_negative.values(), *self.mrd_failed.values()]
        )


def _positions(derived: Derivation, ids: pd.Series) -> npt.NDArray[np.intp]:
    return grouping.codes(derived.patients["patient_id"], ids)


def mrd_negative_at(results: pd.DataFrame, threshold_pct: float) -> npt.NDArray[np.bool_]:
    """Which MRD samples show MRD below ``threshold_pct``: the value is below it and the
    assay reaches it. An assay reports "undetectable" (0) below its own threshold only, so
    a sample counts when its ``threshold_pct`` is at or below the protocol's; without a
    stated threshold only a quantified value (above 0) shows how far the assay reaches."""
    value = results["value_pct"].astype(float).to_numpy()
    assay = results["threshold_pct"].astype(float).to_numpy()
    reach = np.where(np.isnan(assay), np.where(value > 0, value, np.inf), assay)
    return (value < threshold_pct) & (reach <= threshold_pct)


def _mrd(derived: Derivation, rule: MrdRule) -> tuple[Nanos, Nanos]:
    """Per patient, the day of the first MRD-negative sample by the rule's method dated
    from the first dose to the end of the window (or of treatment), and otherwise the day
    the patient became a non-responder (the window's or treatment's end)."""
    patients = derived.patients
    size = len(patients)
    first_dose = nanos(patients["first_dose_date"].to_numpy("datetime64[ns]"))
    ended = np.minimum(
        nanos(patients["off_treatment_date"].to_numpy("datetime64[ns]")),
        nanos(patients["death_date"].to_numpy("datetime64[ns]")),
    )
    window_end = np.where(first_dose == NEVER, NEVER, first_dose + rule.within_days * DAY)
    limit = np.minimum(window_end, ended)
    results = derived.data.mrd_results
    rows = _positions(derived, results["patient_id"])
    known = rows >= 0
    day = nanos(results["sample_date"].to_numpy("datetime64[ns]"))
    at = np.where(known, rows, 0)
    in_window = known & (first_dose[at] != NEVER) & (day >= first_dose[at]) & (day <= limit[at])
    negative = (
        (results["method"] == rule.method).to_numpy(bool)
        & mrd_negative_at(results, rule.threshold_pct)
        & in_window
    )
    first = np.full(size, NEVER, dtype=np.int64)
    np.minimum.at(first, rows[negative], day[negative])
    valid = first != NEVER
    responded = np.where(valid, first, NEVER)
    failed = np.where(valid | (first_dose == NEVER), NEVER, limit)
    return responded, failed


def detail_dates(derived: Derivation, protocol: Protocol) -> DetailDates:
    """The dates of ``derived`` (any later cut-off) the detail rules decide every day from."""
    patients = derived.patients
    data = derived.data
    changes = data.dose_changes.sort_values(["patient_id", "change_date"], kind="stable")
    change_rows = _positions(derived, changes["patient_id"])
    keep = change_rows >= 0
    entry = patients["dose_level"].to_numpy(object).copy()
    first_change = changes.loc[keep].drop_duplicates("patient_id")
    where = _positions(derived, first_change["patient_id"])
    levels = first_change["dose_level"].to_numpy(object)
    fill = pd.isna(entry[where])
    entry[where[fill]] = levels[fill]
    dlt = data.dlt_assessments
    dlt_rows = _positions(derived, dlt["patient_id"])
    dlt_keep = dlt_rows >= 0
    mrd = {r.id: _mrd(derived, r) for r in protocol.efficacy if isinstance(r, MrdRule)}
    return DetailDates(
        entry_level=entry,
        dlt=DltRecords(
            row=dlt_rows[dlt_keep],
            level=dlt["dose_level"].to_numpy(object)[dlt_keep],
            day=nanos(dlt["assessment_date"].to_numpy("datetime64[ns]"))[dlt_keep],
            dlt=(dlt["dlt"] == "Y").to_numpy(bool)[dlt_keep],
            evaluable=((dlt["evaluable"] == "Y") | (dlt["dlt"] == "Y")).to_numpy(bool)[dlt_keep],
        ),
        changes=DoseChanges(
            row=change_rows[keep],
            day=nanos(changes["change_date"].to_numpy("datetime64[ns]"))[keep],
            level=changes["dose_level"].to_numpy(object)[keep],
        ),
        mrd_negative={k: v[0] for k, v in mrd.items()},
        mrd_failed={k: v[1] for k, v in mrd.items()},
    )
