"""Everything the rules, estimates and pages need from one cut of the data, in one call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from monitoring.data_dictionary import TrialData
from monitoring.derive.counts import (
    EvaluableCounts,
    evaluable_counts,
    response_tally,
)
from monitoring.derive.cutoff import apply_cutoff, latest_date
from monitoring.derive.patients import derive_patients
from monitoring.derive.relapse import RelapseRecords, relapse_records
from monitoring.derive.scope import treated_positions
from monitoring.derive.time_to_event import Endpoint, TimeToEvent, time_to_event
from monitoring.derive.toxicity import ToxicityOutcomes, toxicity_outcomes
from monitoring.protocol import Protocol, SurvivalSettings
from monitoring.rules.efficacy import ResponseCounts


@dataclass(frozen=True, eq=False)
class Derivation:
    """Derived records of one trial at one cut-off.

    ``data`` is the cut data; ``patients`` the per-patient frame (``PATIENT_COLUMNS``);
    ``treated_order`` the treated patients by first-dose date then id; ``stage1`` and
    ``simon_cohort`` tally the first n1 and first n treated (Simon rule order) by the
    rule's status (``simon_status``: a remission within its ``within_cycles``);
    ``overall`` tallies every treated patient; ``toxicity`` has one entry per protocol
    toxicity rule.
    """

    cutoff: date
    data: TrialData
    patients: pd.DataFrame
    treated_order: tuple[str, ...]
    stage1_ids: tuple[str, ...]
    stage1: ResponseCounts
    simon_cohort: ResponseCounts
    overall: ResponseCounts
    evaluable: EvaluableCounts
    toxicity: tuple[ToxicityOutcomes, ...]
    survival: SurvivalSettings | None = None

    def time_to_event(self, endpoint: Endpoint | str, by: str | None = None) -> TimeToEvent:
        """Records of ``endpoint`` as the protocol's ``[survival]`` settings define them."""
        settings = self.survival
        last = None
        if settings is not None and settings.progression_censoring == "last_assessment":
            responses = self.data.responses
            last = responses.groupby("patient_id")["assessment_date"].max()
        contact = None
        if settings is not None and settings.os_censoring == "last_contact":
            contact = self.data.patients.set_index("patient_id")["last_contact_date"]
        inclusive = settings is not None and settings.day_count == "inclusive"
        return time_to_event(
            self.patients,
            endpoint,
            by,
            last_assessment=last,
            last_contact=contact,
            inclusive=inclusive,
        )

    def relapse(self, by: str | None = None) -> RelapseRecords:
        """Remission to relapse, death in remission competing (``monitoring.derive.relapse``)."""
        settings = self.survival
        inclusive = settings is not None and settings.day_count == "inclusive"
        return relapse_records(self.patients, by, inclusive=inclusive)


def derive(data: TrialData, protocol: Protocol, cutoff: date | None = None) -> Derivation:
    """Apply the cut-off (default: the latest date in the data) and derive everything."""
    day = latest_date(data) if cutoff is None else cutoff
    cut = apply_cutoff(data, day)
    patients = derive_patients(cut, protocol)
    ids = patients["patient_id"].to_numpy(object)
    order = treated_positions(patients)
    stage1 = order[patients["stage1"].to_numpy(bool)[order]]
    return Derivation(
        cutoff=day,
        data=cut,
        patients=patients,
        treated_order=tuple(str(i) for i in ids[order]),
        stage1_ids=tuple(str(i) for i in ids[stage1]),
        stage1=response_tally(patients, patients["stage1"], "simon_status"),
        simon_cohort=response_tally(patients, patients["simon_cohort"], "simon_status"),
        overall=response_tally(patients),
        evaluable=evaluable_counts(patients),
        toxicity=tuple(
            toxicity_outcomes(patients, cut.adverse_events, rule) for rule in protocol.toxicity
        ),
        survival=protocol.survival,
    )
