"""Per-patient derivations (SPEC 4): one row per enrolled patient, fixed columns.

Input is data already cut (``apply_cutoff``); every column is a vectorised function of the
three tables and the protocol. Column meanings are documented in ``PATIENT_COLUMNS`` and in
docs/methods.md, "Derivations".
"""

from __future__ import annotations

from enum import Enum

import numpy as np
import numpy.typing as npt
import pandas as pd

from monitoring.data_dictionary import TrialData
from monitoring.derive import grouping
from monitoring.derive.scope import in_scope, treated_positions
from monitoring.derive.toxicity import monitored_patients
from monitoring.protocol import Protocol, ResponseDefinition


class ResponseStatus(Enum):
    """Response status at the cut-off (SPEC 4)."""

    RESPONDER = "responder"
    NON_RESPONDER = "non_responder"
    PENDING = "pending"
    NOT_TREATED = "not_treated"


# Column -> meaning. The frame returned by ``derive_patients`` has exactly these columns.
PATIENT_COLUMNS: dict[str, str] = {
    "patient_id": "patient identifier",
    "site": "enrolling site",
    "age": "age at enrolment",
    "sex": "M / F / U",
    "salvage_line": "salvage line",
    "cohort": "cohort id",
    "arm": "arm id",
    "dose_level": "dose level id",
    "enrollment_date": "date of enrolment",
    "treated": "received any dose (first dose dated on or before the cut-off)",
    "first_dose_date": "first dose of study drug",
    "treatment_order": "1-based rank among treated patients by first dose, then id",
    "stage1": "in the Simon stage-1 cohort (first n1 treated in the rule's order)",
    "simon_cohort": "among the first n treated in the rule's order (final criterion)",
    "status": "ResponseStatus value",
    "simon_status": "status as the first Simon rule counts it (remission within its cycles)",
    "best_response": "first category in protocol order ever observed; missing if none",
    "first_response_date": "first assessment in the hematologic-response set",
    "first_remission_date": "first assessment in the remission set",
    "first_remission_cycle": "smallest cycle with a remission assessment",
    "last_cycle": "highest assessed cycle",
    "induction_failure": "no remission by the end of cycle N, status known (EFS day 0)",
    "progression_date": "first progression or relapse",
    "death_date": "date of death",
    "death_cause": "cause of death",
    "hsct_date": "allogeneic stem cell transplant",
    "second_malignancy_date": "second malignancy",
    "off_treatment_date": "off treatment",
    "off_treatment_reason": "reason off treatment",
    "last_known_alive_date": "latest of last contact and every dated record of the patient",
    "monitored_toxicity": "has the primary monitored toxicity (protocol toxicity[0])",
}

CARRIED = [
    "patient_id",
    "site",
    "age",
    "sex",
    "salvage_line",
    "cohort",
    "arm",
    "dose_level",
    "enrollment_date",
    "first_dose_date",
    "progression_date",
    "death_date",
    "death_cause",
    "hsct_date",
    "second_malignancy_date",
    "off_treatment_date",
    "off_treatment_reason",
]

_KNOWN_ALIVE_SOURCES = [
    "last_contact_date",
    "enrollment_date",
    "first_dose_date",
    "progression_date",
    "hsct_date",
    "second_malignancy_date",
    "off_treatment_date",
    "death_date",
]
# The patient dates that show a patient alive besides last contact (monitoring.derive.looks).
ALIVE_RECORD_DATES = tuple(c for c in _KNOWN_ALIVE_SOURCES if c != "last_contact_date")


def _response_columns(
    frame: pd.DataFrame, responses: pd.DataFrame, definition: ResponseDefinition
) -> pd.Series:
    """Adds the response columns to ``frame`` (in place); returns each patient's last
    assessment date (for the last known alive date)."""
    size = len(frame)
    where = grouping.codes(frame["patient_id"], responses["patient_id"])
    codes = responses["response"]
    every = np.ones(len(responses), dtype=bool)
    remission = codes.isin(definition.remission).to_numpy(bool)
    response = codes.isin(definition.hematologic_response).to_numpy(bool)
    dates = responses["assessment_date"]
    frame["first_response_date"] = grouping.date_extreme(where, size, dates, response, True)
    frame["first_remission_date"] = grouping.date_extreme(where, size, dates, remission, True)
    # remission "by the end of cycle N" asks for a remission assessment in a cycle <= N
    cycles = responses["cycle"]
    frame["first_remission_cycle"] = grouping.int_extreme(where, size, cycles, remission, True)
    frame["last_cycle"] = grouping.int_extreme(where, size, cycles, every, False)
    rank = codes.map({c: i for i, c in enumerate(definition.categories)})
    best = grouping.int_extreme(where, size, rank.astype("Int64"), every, True)
    categories = np.array([*definition.categories, None], dtype=object)
    frame["best_response"] = categories[best.fillna(len(definition.categories)).to_numpy(int)]
    return pd.Series(grouping.date_extreme(where, size, dates, every, False))


def _last_known_alive(
    frame: pd.DataFrame, data: TrialData, last_assessment: pd.Series
) -> npt.NDArray[np.datetime64]:
    """Latest of last contact and every dated record of each patient."""
    size = len(frame)
    events = data.adverse_events
    where = grouping.codes(frame["patient_id"], events["patient_id"])
    every = np.ones(len(events), dtype=bool)
    latest = last_assessment.to_numpy("datetime64[ns]")
    for dates in (events["onset_date"], events["resolution_date"]):
        latest = np.fmax(latest, grouping.date_extreme(where, size, dates, every, False))
    for column in _KNOWN_ALIVE_SOURCES:
        latest = np.fmax(latest, data.patients[column].to_numpy("datetime64[ns]"))
    return latest


def non_response_cycle(nonresponse_after_cycle: int, within_cycles: int | None) -> int:
    """The cycle from whose first assessment a patient without remission is a non-responder:
    the protocol's non-response cycle, or the cycle after a window of ``within_cycles``
    (a later remission no longer counts) if that comes first."""
    if within_cycles is None:
        return nonresponse_after_cycle
    return min(nonresponse_after_cycle, within_cycles + 1)


def status_within_cycles(
    frame: pd.DataFrame, nonresponse_after_cycle: int, within_cycles: int | None
) -> np.ndarray:
    """Response status (``ResponseStatus`` values) counting only a remission assessed in the
    first ``within_cycles`` cycles (None: any cycle, the ``status`` column)."""
    if within_cycles is None:
        return _status(frame, nonresponse_after_cycle)
    in_time = (frame["first_remission_cycle"] <= within_cycles).fillna(False).to_numpy(bool)
    cycle = non_response_cycle(nonresponse_after_cycle, within_cycles)
    return _status(frame, cycle, in_time)


def _status(
    frame: pd.DataFrame,
    nonresponse_after_cycle: int,
    remitted: npt.NDArray[np.bool_] | None = None,
) -> np.ndarray:
    treated = frame["treated"].to_numpy(bool)
    if remitted is None:
        remitted = frame["first_remission_date"].notna().to_numpy(bool)
    responder = treated & remitted
    ended = frame["off_treatment_date"].notna() | frame["death_date"].notna()
    late = (frame["last_cycle"] >= nonresponse_after_cycle).fillna(False)
    non_responder = treated & ~responder & (ended | late).to_numpy(bool)
    return np.select(
        [~treated, responder, non_responder],
        [
            ResponseStatus.NOT_TREATED.value,
            ResponseStatus.RESPONDER.value,
            ResponseStatus.NON_RESPONDER.value,
        ],
        ResponseStatus.PENDING.value,
    )


def _rank_flags(frame: pd.DataFrame, protocol: Protocol) -> None:
    """Adds treatment_order, stage1 and simon_cohort (in place, on a fresh frame)."""
    order = np.zeros(len(frame), dtype=np.int64)
    ranked = treated_positions(frame)
    order[ranked] = np.arange(1, ranked.size + 1)
    frame["treatment_order"] = pd.arrays.IntegerArray(order, order == 0)
    frame["stage1"] = False
    frame["simon_cohort"] = False
    rule = protocol.simon
    if rule is None:
        return
    cohort = treated_positions(frame, rule.stage1_order, in_scope(frame, rule.scope))
    frame.loc[frame.index[cohort[: rule.n1]], "stage1"] = True
    frame.loc[frame.index[cohort[: rule.n]], "simon_cohort"] = True


def derive_patients(data: TrialData, protocol: Protocol) -> pd.DataFrame:
    """One row per enrolled patient with exactly ``PATIENT_COLUMNS`` (data already cut)."""
    definition = protocol.response
    frame = data.patients[CARRIED].reset_index(drop=True)
    last_assessment = _response_columns(frame, data.responses, definition)
    frame["treated"] = frame["first_dose_date"].notna()
    _rank_flags(frame, protocol)
    frame["status"] = _status(frame, definition.nonresponse_after_cycle)
    simon = protocol.simon
    window = simon.within_cycles if simon is not None else None
    frame["simon_status"] = status_within_cycles(frame, definition.nonresponse_after_cycle, window)
    frame["last_known_alive_date"] = _last_known_alive(frame, data, last_assessment)
    in_time = frame["first_remission_cycle"] <= definition.nonresponse_after_cycle
    frame["induction_failure"] = (
        frame["treated"].to_numpy(bool)
        & ~in_time.fillna(False).to_numpy(bool)
        & (frame["status"] != ResponseStatus.PENDING.value).to_numpy(bool)
    )
    rule = protocol.primary_toxicity
    toxic = monitored_patients(data.adverse_events, rule) if rule is not None else set()
    frame["monitored_toxicity"] = frame["patient_id"].isin(toxic)
    return frame[list(PATIENT_COLUMNS)]
