"""Data-quality findings before an interim look (docs/methods.md, "Data quality").

``quality_findings(data, protocol, cutoff)`` runs every check on the data cut at
``cutoff`` and returns the findings sorted by severity (warnings first), date, patient.
"""

from __future__ import annotations

from datetime import date

from monitoring.data_dictionary import TrialData
from monitoring.data_quality.checks import CHECKS, Context
from monitoring.data_quality.model import (
    SEVERITY,
    Finding,
    FindingKind,
    QualityReport,
    QualitySettings,
    Severity,
)
from monitoring.derive import Derivation, derive
from monitoring.protocol import Protocol

_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}
_KIND_RANK = {k: i for i, k in enumerate(FindingKind)}


def _order(f: Finding) -> tuple[int, date, str, int]:
    return (_SEVERITY_RANK[f.severity], f.day, f.patient_id, _KIND_RANK[f.kind])


def quality_findings(
    data: TrialData,
    protocol: Protocol,
    cutoff: date | None = None,
    settings: QualitySettings | None = None,
) -> QualityReport:
    """Every data-quality finding of the trial at ``cutoff`` (default: latest date in data)."""
    return derived_findings(derive(data, protocol, cutoff), protocol, settings)


def derived_findings(
    derived: Derivation, protocol: Protocol, settings: QualitySettings | None = None
) -> QualityReport:
    """The findings from derivations already made (same result as ``quality_findings``)."""
    chosen = QualitySettings() if settings is None else settings
    ctx = Context(derived, protocol, chosen)
    findings = [f for check in CHECKS for f in check(ctx)]
    return QualityReport(derived.cutoff, chosen, tuple(sorted(findings, key=_order)))


__all__ = [
    "SEVERITY",
    "Finding",
    "FindingKind",
    "QualityReport",
    "QualitySettings",
    "Severity",
    "derived_findings",
    "quality_findings",
]
