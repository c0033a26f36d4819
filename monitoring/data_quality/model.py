"""Data-quality findings: what a finding is, how serious, and the timing settings.

A finding is not an import error (the importer rejects impossible data); it marks data that
make the interim numbers doubtful and that the data manager should query before a look.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum


class Severity(Enum):
    """How a finding bears on the interim numbers; listed in this order (most serious first)."""

    WARNING = "warning"  # the finding can change a count, a status or a survival time
    INFO = "info"  # worth a query, the numbers do not depend on it


class FindingKind(Enum):
    """The checks, in the order they are documented (docs/methods.md, "Data quality")."""

    MISSING_RESPONSE_ASSESSMENT = "missing_response_assessment"
    PENDING_TOO_LONG = "pending_too_long"
    OVERDUE_FOLLOW_UP = "overdue_follow_up"
    FIRST_DOSE_MISSING = "first_dose_missing"
    ASSESSMENT_WITHOUT_FIRST_DOSE = "assessment_without_first_dose"
    CYCLE_ORDER = "cycle_order"
    OFF_TREATMENT_MISSING = "off_treatment_missing"
    OFF_TREATMENT_BEFORE_FIRST_DOSE = "off_treatment_before_first_dose"
    RESPONSE_AFTER_OFF_TREATMENT = "response_after_off_treatment"
    HSCT_BEFORE_RESPONSE = "hsct_before_response"
    UNRESOLVED_SEVERE_AE = "unresolved_severe_ae"
    DATASET_DISAGREEMENT = "dataset_disagreement"


SEVERITY: Mapping[FindingKind, Severity] = {
    FindingKind.MISSING_RESPONSE_ASSESSMENT: Severity.WARNING,
    FindingKind.PENDING_TOO_LONG: Severity.WARNING,
    FindingKind.OVERDUE_FOLLOW_UP: Severity.WARNING,
    FindingKind.FIRST_DOSE_MISSING: Severity.WARNING,
    FindingKind.ASSESSMENT_WITHOUT_FIRST_DOSE: Severity.WARNING,
    FindingKind.CYCLE_ORDER: Severity.WARNING,
    FindingKind.OFF_TREATMENT_MISSING: Severity.WARNING,
    FindingKind.OFF_TREATMENT_BEFORE_FIRST_DOSE: Severity.WARNING,
    FindingKind.RESPONSE_AFTER_OFF_TREATMENT: Severity.WARNING,
    FindingKind.HSCT_BEFORE_RESPONSE: Severity.WARNING,
    FindingKind.UNRESOLVED_SEVERE_AE: Severity.INFO,
    FindingKind.DATASET_DISAGREEMENT: Severity.WARNING,
}


@dataclass(frozen=True)
class QualitySettings:
    """Expected timings, protocol-independent (the protocol file carries no visit schedule).

    ``cycle_days``: cycle length (28-day cycles, seed 003 section 4); a response assessment
    is expected by the end of cycle ``protocol.response.nonresponse_after_cycle`` plus
    ``assessment_grace_days``. ``pending_days``: a patient assessed but still pending this
    many days after the first dose. ``follow_up_days``: last known alive date older than
    this before the cut-off (about one quarterly follow-up visit missed). ``untreated_days``:
    enrolled this long without a first dose. ``ae_min_grade`` / ``ae_unresolved_days``: an
    AE of at least this grade (below 5: death needs no resolution) open this long.
    """

    cycle_days: int = 28
    assessment_grace_days: int = 14
    pending_days: int = 120
    follow_up_days: int = 120
    untreated_days: int = 30
    ae_min_grade: int = 3
    ae_unresolved_days: int = 90


@dataclass(frozen=True)
class Finding:
    """One data-quality finding: where it is (patient, table, column, date) and one sentence."""

    severity: Severity
    kind: FindingKind
    patient_id: str
    table: str
    column: str
    day: date
    message: str


@dataclass(frozen=True)
class QualityReport:
    """The findings of one trial at one cut-off, by severity (warnings first) then date."""

    cutoff: date
    settings: QualitySettings
    findings: tuple[Finding, ...] = field(default=())

    @property
    def counts(self) -> dict[FindingKind, int]:
        """Number of findings of every kind (zero included), in ``FindingKind`` order."""
        found = Counter(f.kind for f in self.findings)
        return {kind: found[kind] for kind in FindingKind}

    def by_severity(self, severity: Severity) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is severity)
