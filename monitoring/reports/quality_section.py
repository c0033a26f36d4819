"""The data-quality findings in the report: one compact table, a row per kind found.

A DSMB weighs the interim numbers against the data's doubts: the findings of
``monitoring.data_quality`` at the report's cut-off (and the dataset disagreements an ADaM
import kept, ``dataset_disagreement``), counted by kind with the first finding's sentence
as an example. Every finding is listed by ``python -m monitoring quality`` and the Data
page; the table stays within a page whatever their number.
"""

from __future__ import annotations

from collections import Counter

from monitoring.data_quality import QualityReport
from monitoring.reports.blocks import note
from monitoring.reports.document import Block, Column, ColumnKind, Table
from monitoring.wording import counted

TITLE = "Data-quality findings at the cut-off"


def kind_words(kind: str) -> str:
    """A finding kind in words ("unresolved_severe_ae" -> "unresolved severe ae")."""
    return kind.replace("_", " ")


def quality_blocks(report: QualityReport) -> tuple[Block, ...]:
    """The findings by kind (warnings first, then by count), or a line saying there are none."""
    if not report.findings:
        return (note(f"{TITLE}: none (data cut {report.cutoff.isoformat()})."),)
    count: Counter[str] = Counter()
    first: dict[str, str] = {}
    patients: dict[str, set[str]] = {}
    severity: dict[str, str] = {}
    for finding in report.findings:
        kind = finding.kind.value
        count[kind] += 1
        first.setdefault(kind, finding.message)
        patients.setdefault(kind, set()).add(finding.patient_id)
        severity[kind] = finding.severity.value
    order = sorted(count, key=lambda k: (severity[k] != "warning", -count[k], k))
    rows = tuple((kind_words(k), severity[k], count[k], len(patients[k]), first[k]) for k in order)
    total = len(report.findings)
    return (
        Table(
            TITLE,
            (
                Column("Finding"),
                Column("Severity"),
                Column("Findings", ColumnKind.INTEGER),
                Column("Patients", ColumnKind.INTEGER),
                Column("First of them"),
            ),
            rows,
            note=(
                f"{counted(total, 'finding')} at the data cut {report.cutoff.isoformat()} "
                '(docs/methods.md, "Data quality"): warning = can change a count, a status '
                "or a survival time; info = worth a query. 'dataset disagreement': a record of "
                "an imported dataset (ADaM ADTTE) whose own values differ from the product's "
                "derivation. Every finding: python -m monitoring quality, or the Data page."
            ),
            sheet_name="Data quality",
        ),
    )
