"""Per-patient derivations (SPEC 4): one row per enrolled patient, fixed columns.

Input is data already cut (``apply_cutoff``); every column is a vectorised function of the
three tables and the protocol. Column meanings are documented in ``PATIENT_COLUMNS`` and in
docs/methods.md, "Derivations".
"""

from __future__ import annotations

from enum import Enum

import numpy as np
import pandas as pd

from monitoring.derive.scope import in_scope, treated_order
from monitoring.derive.toxicity import monitored_patients
from monitoring.protocol import Protocol, ResponseDefinition
from monitoring.tables import TrialData


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
    "best_response": "first category in protocol order ever observed; missing if none",
    "first_response_date": "first assessment in the hematologic-response set",
    "first_remission_date": "first assessment in the remission set",
    "first_remission_cycle": "cycle of the first remission assessment",
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


def _response_summary(responses: pd.DataFrame, definition: ResponseDefinition) -> pd.DataFrame:
    """Per patient: first response / remission dates, remission cycle, last cycle, best."""
    codes = responses["response"]
    pid = responses["patient_id"]
    remission = codes.isin(definition.remission).to_numpy(bool)
    response = codes.isin(definition.hematologic_response).to_numpy(bool)
    rank = codes.map({c: i for i, c in enumerate(definition.categories)})
    grouped = responses.assign(rank=rank).groupby(pid, sort=False)
    rem = responses.loc[remission].groupby(pid[remission], sort=False)
    summary = pd.DataFrame(
        {
            "last_assessment_date": grouped["assessment_date"].max(),
            "last_cycle": grouped["cycle"].max(),
            "best_rank": grouped["rank"].min(),
        }
    )
    summary["first_remission_date"] = rem["assessment_date"].min()
    summary["first_remission_cycle"] = rem["cycle"].min()
    summary["first_response_date"] = (
        responses.loc[response].groupby(pid[response], sort=False)["assessment_date"].min()
    )
    categories = np.array([*definition.categories, None], dtype=object)
    best = summary["best_rank"].fillna(len(definition.categories)).to_numpy(int)
    summary["best_response"] = categories[best]
    return summary.drop(columns="best_rank")


def _ae_last_dates(adverse_events: pd.DataFrame) -> pd.Series:
    """Latest onset or resolution date of each patient's AEs."""
    dates = adverse_events.groupby("patient_id", sort=False)[["onset_date", "resolution_date"]]
    return dates.max().max(axis=1)


def _status(frame: pd.DataFrame, nonresponse_after_cycle: int) -> np.ndarray:
    treated = frame["treated"].to_numpy(bool)
    responder = treated & frame["first_remission_date"].notna().to_numpy(bool)
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
    order = treated_order(frame)
    frame["treatment_order"] = pd.Series(
        np.arange(1, len(order) + 1), index=order.index, dtype="Int64"
    )
    frame["stage1"] = False
    frame["simon_cohort"] = False
    rule = protocol.simon
    if rule is None:
        return
    eligible = frame.loc[in_scope(frame, rule.scope)]
    ranked = treated_order(eligible, rule.stage1_order).index
    frame.loc[ranked[: rule.n1], "stage1"] = True
    frame.loc[ranked[: rule.n], "simon_cohort"] = True


def derive_patients(data: TrialData, protocol: Protocol) -> pd.DataFrame:
    """One row per enrolled patient with exactly ``PATIENT_COLUMNS`` (data already cut)."""
    definition = protocol.response
    frame = data.patients[CARRIED].reset_index(drop=True)
    ids = frame["patient_id"]
    summary = _response_summary(data.responses, definition).reindex(ids)
    for column in summary.columns:
        frame[column] = summary[column].to_numpy()
    best = frame["best_response"]
    frame["best_response"] = best.astype(object).where(best.notna(), None)
    frame["last_cycle"] = frame["last_cycle"].astype("Int64")
    frame["first_remission_cycle"] = frame["first_remission_cycle"].astype("Int64")
    frame["treated"] = frame["first_dose_date"].notna()
    _rank_flags(frame, protocol)
    frame["status"] = _status(frame, definition.nonresponse_after_cycle)
    known = data.patients[_KNOWN_ALIVE_SOURCES].max(axis=1).to_numpy()
    ae_last = _ae_last_dates(data.adverse_events).reindex(ids).to_numpy()
    frame["last_known_alive_date"] = (
        pd.DataFrame({"a": known, "b": frame.pop("last_assessment_date"), "c": ae_last})
        .max(axis=1)
        .astype("datetime64[ns]")
    )
    remitted_in_time = frame["first_remission_cycle"] <= definition.nonresponse_after_cycle
    frame["induction_failure"] = (
        frame["treated"]
        & ~remitted_in_time.fillna(False).astype(bool)
        & (frame["status"] != ResponseStatus.PENDING.value)
    )
    rule = protocol.primary_toxicity
    toxic = monitored_patients(data.adverse_events, rule) if rule is not None else set()
    frame["monitored_toxicity"] = ids.isin(toxic)
    return frame[list(PATIENT_COLUMNS)]
