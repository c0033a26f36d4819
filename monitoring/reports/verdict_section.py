"""Report section "Overall verdict", the first of every report: the verdict, then each alert.

One decision paragraph carries the verdict's words, the rule that drives it, its sentence
and the deciding numbers, so every format (the PDF box, the DOCX paragraph, the XLSX
summary row) prints the same text; each alert follows as its own paragraph.
"""

from __future__ import annotations

from monitoring.reports.blocks import REPORT_STATUS
from monitoring.reports.document import Block, Paragraph, ParagraphStyle, Section
from monitoring.verdict import Finding, Verdict

VERDICT_WORD = "Overall verdict"


def verdict_paragraph(verdict: Verdict) -> Paragraph:
    """ "Overall verdict: STOP for toxicity — sentence. Driven by: rule. Evidence."."""
    evidence = "".join(f" {line}." for line in verdict.evidence)
    return Paragraph(
        f"{verdict.sentence} Driven by: {verdict.rule}.{evidence}",
        ParagraphStyle.DECISION,
        REPORT_STATUS[verdict.severity],
        f"{VERDICT_WORD}: {verdict.headline}",
    )


def alert_paragraph(alert: Finding) -> Paragraph:
    """ "Alert: Summary due — The efficacy/toxicity summary of look 2 ... is not generated."."""
    return Paragraph(
        alert.sentence,
        ParagraphStyle.DECISION,
        REPORT_STATUS[alert.severity],
        f"Alert [{alert.severity.word}]: {alert.title}",
    )


def verdict_section(verdict: Verdict) -> Section:
    blocks: list[Block] = [verdict_paragraph(verdict)]
    blocks += [alert_paragraph(a) for a in verdict.alerts]
    return Section("Overall verdict", tuple(blocks))
