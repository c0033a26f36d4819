"""What the Data and Reports pages read of past changes: the audit log, the accepted
imports and the reports generated, as tables to draw (changes are in ``dashboard.writes``,
reports to download in ``dashboard.reads``).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from dashboard import source
from monitoring.db.looks import ReportRecord, list_reports
from monitoring.db.repository import list_audit, list_batches


def audit_frame(url: str, trial_id: str) -> pd.DataFrame:
    """The audit log, newest first."""
    entries = list_audit(source.engine(url), trial_id)
    return pd.DataFrame(
        {
            "When (UTC)": [e.changed_at.strftime("%Y-%m-%d %H:%M:%S") for e in entries],
            "Who": [e.changed_by for e in entries],
            "Source": [e.source.value for e in entries],
            "Table": [e.table for e in entries],
            "Row": [e.row_key for e in entries],
            "Column": [e.column for e in entries],
            "Old": [e.old_value for e in entries],
            "New": [e.new_value for e in entries],
            "Reason": [e.reason or "" for e in entries],
        }
    ).iloc[::-1]


def batches_frame(url: str, trial_id: str) -> pd.DataFrame:
    """Accepted imports with the rows added, changed and unchanged per table."""
    batches = list_batches(source.engine(url), trial_id)
    return pd.DataFrame(
        {
            "Batch": [b.id for b in batches],
            "When (UTC)": [b.imported_at.strftime("%Y-%m-%d %H:%M:%S") for b in batches],
            "Who": [b.imported_by for b in batches],
            "Files": [", ".join(b.files) for b in batches],
            "Rows added / changed / unchanged": [
                "; ".join(f"{c.table} {c.added}/{c.changed}/{c.unchanged}" for c in b.counts)
                for b in batches
            ],
        }
    )


def report_records(url: str, trial_id: str) -> tuple[ReportRecord, ...]:
    """Reports generated for the trial, oldest first."""
    return tuple(list_reports(source.engine(url), trial_id))


def reports_frame(url: str, trial_id: str) -> pd.DataFrame:
    """Reports generated for the trial, with when they were sent and signed off."""
    rows = list_reports(source.engine(url), trial_id)

    def when(moment: datetime | None) -> str:
        return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M")

    return pd.DataFrame(
        {
            "Look": ["" if r.look is None else r.look for r in rows],
            "Cut-off": [r.cutoff.isoformat() for r in rows],
            "Format": [r.format for r in rows],
            "Generated (UTC)": [f"{when(r.generated_at)} by {r.generated_by}" for r in rows],
            "Sent": [when(r.sent_at) for r in rows],
            "Signed off": [when(r.signed_off_at) for r in rows],
            "Data digest": [(r.data_digest or "")[:12] for r in rows],
        }
    )
