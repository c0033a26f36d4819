"""SPEC 4 derivations: from the stored rows to analysis records, at a cut-off.

``derive(data, protocol, cutoff)`` is the usual entry point; the pieces are public too.
"""

from monitoring.derive.counts import (
    EvaluableCounts,
    evaluable_counts,
    response_tally,
)
from monitoring.derive.cutoff import apply_cutoff, latest_date
from monitoring.derive.patients import PATIENT_COLUMNS, ResponseStatus, derive_patients
from monitoring.derive.summary import Derivation, derive
from monitoring.derive.time_to_event import Endpoint, TimeToEvent, time_to_event
from monitoring.derive.toxicity import (
    ToxicityOutcomes,
    monitored_events,
    monitored_patients,
    toxicity_outcomes,
)
from monitoring.rules.efficacy import ResponseCounts

__all__ = [
    "PATIENT_COLUMNS",
    "Derivation",
    "Endpoint",
    "EvaluableCounts",
    "ResponseCounts",
    "ResponseStatus",
    "TimeToEvent",
    "ToxicityOutcomes",
    "apply_cutoff",
    "derive",
    "derive_patients",
    "evaluable_counts",
    "latest_date",
    "monitored_events",
    "monitored_patients",
    "response_tally",
    "time_to_event",
    "toxicity_outcomes",
]
