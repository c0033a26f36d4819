"""Counts of response status and evaluable patients (SPEC 3.1, 4)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from monitoring.derive.patients import ResponseStatus
from monitoring.rules.efficacy import ResponseCounts


@dataclass(frozen=True)
class EvaluableCounts:
    """Enrolled and treated patients and those evaluable for efficacy and toxicity.

    Efficacy-evaluable: treated with a known status (responder or non-responder).
    Toxicity-evaluable: treated (received any dose), as the protocol's analysis plan says.
    """

    enrolled: int
    treated: int
    efficacy_evaluable: int
    toxicity_evaluable: int


def response_tally(
    patients: pd.DataFrame, mask: pd.Series | None = None, column: str = "status"
) -> ResponseCounts:
    """Status counts over the treated rows of the derived patient frame (or a subset), by
    the status ``column`` (``simon_status``: as the first Simon rule counts responses)."""
    status = patients[column] if mask is None else patients.loc[mask, column]
    counts = status.value_counts()
    return ResponseCounts(
        responders=int(counts.get(ResponseStatus.RESPONDER.value, 0)),
        non_responders=int(counts.get(ResponseStatus.NON_RESPONDER.value, 0)),
        pending=int(counts.get(ResponseStatus.PENDING.value, 0)),
    )


def evaluable_counts(patients: pd.DataFrame) -> EvaluableCounts:
    tally = response_tally(patients)
    treated = int(patients["treated"].sum())
    return EvaluableCounts(
        enrolled=len(patients),
        treated=treated,
        efficacy_evaluable=tally.evaluated,
        toxicity_evaluable=treated,
    )
