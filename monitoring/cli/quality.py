"""``quality``: data-quality findings at a cut-off, for the data manager before a look.

Same arguments and database reading as ``km`` and ``tables``; findings are information, so
the exit status is 0 whatever is found (2 on bad input only).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from monitoring.cli.common import print_json
from monitoring.cli.database import add_analysis_arguments, open_cut, run_with_engine

if TYPE_CHECKING:  # the analysis loads when the command runs
    from monitoring.analysis import Analysis
    from monitoring.data_quality import QualityReport


def quality_payload(report: QualityReport, trial_id: str) -> dict[str, Any]:
    """JSON: trial, cut-off, settings, counts per kind and the sorted findings."""
    return {
        "trial": trial_id,
        "cutoff": report.cutoff,
        "settings": report.settings,
        "counts": {kind.value: n for kind, n in report.counts.items()},
        "findings": [
            {
                "severity": f.severity,
                "kind": f.kind,
                "patient_id": f.patient_id,
                "table": f.table,
                "column": f.column,
                "date": f.day,
                "message": f.message,
            }
            for f in report.findings
        ],
    }


def quality_text(report: QualityReport, trial_id: str) -> list[str]:
    """Headline with counts by severity, the non-zero counts by kind, then one row each."""
    from monitoring.cli.analysis_text import _table
    from monitoring.data_quality import Severity

    n = {s: len(report.by_severity(s)) for s in Severity}
    lines = [
        f"Trial {trial_id}, cut-off {report.cutoff.isoformat()}: {len(report.findings)} "
        f"data-quality finding(s) ({n[Severity.WARNING]} warning, {n[Severity.INFO]} info)"
    ]
    if not report.findings:
        return lines
    counts = [(k.value, str(c)) for k, c in report.counts.items() if c]
    lines += ["", *_table(("kind", "count"), counts), ""]
    rows = (
        (f.severity.value, f.day.isoformat(), f.patient_id, f.kind.value, f.message)
        for f in report.findings
    )
    return lines + _table(("severity", "date", "patient", "kind", "finding"), rows)


def _quality(args: argparse.Namespace) -> int:
    return int(run_with_engine(args, lambda engine: _quality_print(open_cut(engine, args), args)))


def _quality_print(loaded: Analysis, args: argparse.Namespace) -> int:
    report = loaded.quality
    if args.json:
        print_json(quality_payload(report, loaded.trial_id))
    else:
        print("\n".join(quality_text(report, loaded.trial_id)))
    return 0


def register(sub: Any) -> None:
    quality = sub.add_parser(
        "quality",
        help="data-quality findings to query before an interim look",
        description="Missing or overdue response assessments, long-pending patients, overdue "
        "follow-up and suspicious dates the importer allows, at the cut-off; warnings first, "
        "then by date. Exit 0 whatever is found.",
    )
    add_analysis_arguments(quality)
    quality.set_defaults(handler=_quality)
