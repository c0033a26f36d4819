"""The states of the dose-finding and de-escalation rules (their words are in
``monitoring.vocabulary``)."""

from __future__ import annotations

import enum


class DoseState(enum.StrEnum):
    """What a dose-finding or de-escalation rule says about the next cohort."""

    AWAITING = "awaiting_dlt_data"
    COHORT_OPEN = "cohort_in_progress"
    ESCALATE = "escalate"
    STAY = "stay"
    DEESCALATE = "deescalate"
    ELIMINATED = "dose_eliminated"
    COMPLETE = "dose_finding_complete"
    STOP = "stop_toxicity"
