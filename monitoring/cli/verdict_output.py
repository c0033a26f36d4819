"""The overall verdict in ``status``: its lines of text and its ``verdict`` JSON object."""

from __future__ import annotations

from typing import Any

from monitoring.verdict import Finding, Verdict


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "source": finding.source,
        "severity": finding.severity.name.lower(),
        "title": finding.title,
        "sentence": finding.sentence,
        "evidence": list(finding.evidence),
        "patients": list(finding.patients),
    }


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """``severity`` (code), ``severity_word``, title, sentence, the driving ``rule`` in
    words and its ``code``, the deciding evidence, every decision and every alert."""
    return {
        "severity": verdict.severity.name.lower(),
        "severity_word": verdict.severity.word,
        "title": verdict.title,
        "headline": verdict.headline,
        "sentence": verdict.sentence,
        "rule": verdict.rule,
        "code": verdict.code,
        "evidence": list(verdict.evidence),
        "decisions": [_finding_json(f) for f in verdict.decisions],
        "alerts": [_finding_json(f) for f in verdict.alerts],
    }


def verdict_lines(verdict: Verdict) -> list[str]:
    """The verdict first, then what drives it, its evidence and every alert."""
    lines = [
        f"VERDICT: {verdict.headline}",
        f"  Driven by: {verdict.rule}",
        f"  {verdict.sentence}",
        *(f"  {line}" for line in verdict.evidence),
    ]
    if verdict.alerts:
        lines.append("Alerts:")
        lines += [f"  [{a.severity.word}] {a.title}: {a.sentence}" for a in verdict.alerts]
    return lines
