"""Data-quality findings before an interim look (docs/methods.md, "Data quality").

``quality_findings(data, protocol, cutoff)`` runs every check on the data cut at
``cutoff`` and returns the findings sorted by severity (warnings first), date, patient.
Findings an import kept with its batch (a dataset's own values against the product's
derivation, ``monitoring.db.import_checks``) are given as ``dataset_findings`` and join
them as ``dataset_disagreement`` findings.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from monitoring.dataset_findings import DatasetFinding
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
    dataset_findings: Sequence[DatasetFinding] = (),
) -> QualityReport:
    """Every data-quality finding of the trial at ``cutoff`` (default: latest date in data)."""
    derived = derive(data, protocol, cutoff)
    return derived_findings(derived, protocol, settings, dataset_findings)


def from_dataset(found: DatasetFinding, cutoff: date) -> Finding | None:
    """A finding an import kept (``monitoring.db.import_checks``) as of ``cutoff``: dated by
    its record's date (the cut-off when the record has none); None when after the cut-off
    (the record is not part of the data cut there)."""
    day = cutoff if found.day is None else found.day
    if day > cutoff:
        return None
    kind = FindingKind.DATASET_DISAGREEMENT
    return Finding(
        SEVERITY[kind], kind, found.patient_id, found.dataset, found.variable, day, found.message
    )


def derived_findings(
    derived: Derivation,
    protocol: Protocol,
    settings: QualitySettings | None = None,
    dataset_findings: Sequence[DatasetFinding] = (),
) -> QualityReport:
    """The findings from derivations already made (same result as ``quality_findings``)."""
    chosen = QualitySettings() if settings is None else settings
    ctx = Context(derived, protocol, chosen)
    findings = [f for check in CHECKS for f in check(ctx)]
    kept = (from_dataset(f, derived.cutoff) for f in dataset_findings)
    findings += [f for f in kept if f is not None]
    return QualityReport(derived.cutoff, chosen, tuple(sorted(findings, key=_order)))


__all__ = [
    "SEVERITY",
    "Finding",
    "FindingKind",
    "QualityReport",
    "QualitySettings",
    "Severity",
    "derived_findings",
    "from_dataset",
    "quality_findings",
]
