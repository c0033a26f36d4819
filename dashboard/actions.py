"""Changes made from the dashboard: imports and corrections, through the database layer.

Each returns a frozen outcome the Data page shows. The time of a change is taken here, at
the boundary (the library never reads the clock). A successful change moves the trial's data
version forward, so every cached result keyed on the old version is no longer used.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Protocol as Typing

import pandas as pd

from dashboard import source
from monitoring.cli.report import Request, produce
from monitoring.db.corrections import CorrectionResult, correct_value, parse_key
from monitoring.db.errors import DataInputError
from monitoring.db.importer import ImportResult, import_files
from monitoring.db.looks import ReportRecord, list_reports
from monitoring.db.repository import list_audit, list_batches
from monitoring.derive import derive
from monitoring.reports.content import ReportStamp, build_report, render_report
from monitoring.reports.document import VersionLabel
from monitoring.reports.export import ReportFormat, write_report
from monitoring.status import trial_status


class Upload(Typing):
    """What ``st.file_uploader`` returns: a name and the bytes."""

    name: str

    def getvalue(self) -> bytes: ...


@dataclass(frozen=True)
class CorrectionOutcome:
    """A correction applied, or the one-line reason it was refused."""

    result: CorrectionResult | None
    error: str | None


def import_uploads(url: str, trial_id: str, uploads: Sequence[Upload]) -> ImportResult:
    """Write the uploads under their own names (the table is the file name) and import them
    all or nothing."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for upload in uploads:
            path = Path(folder) / Path(upload.name).name
            path.write_bytes(upload.getvalue())
            paths.append(path)
        return import_files(
            source.engine(url), trial_id, paths, now=partial(datetime.now, UTC), user=source.user()
        )


def correct(
    url: str, trial_id: str, table: str, key: str, column: str, value: str, reason: str
) -> CorrectionOutcome:
    """One audited correction; refused (with its reason) without a reason or a known row."""
    try:
        result = correct_value(
            source.engine(url),
            trial_id,
            table,
            parse_key(key),
            column,
            value,
            reason=reason,
            now=partial(datetime.now, UTC),
            user=source.user(),
        )
    except DataInputError as error:
        return CorrectionOutcome(None, str(error))
    return CorrectionOutcome(result, None)


def problems_frame(result: ImportResult) -> pd.DataFrame:
    """Every problem of a refused import: file, row, column, message."""
    return pd.DataFrame(
        {
            "File": [p.file for p in result.problems],
            "Row": ["—" if p.row is None else p.row for p in result.problems],
            "Column": [p.column or "—" for p in result.problems],
            "Problem": [p.message for p in result.problems],
        }
    )


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


def import_message(result: ImportResult) -> str:
    """One line on an accepted import: files, batch and per-table counts."""
    counts = "; ".join(f"{c.table}: {c.added} added, {c.changed} changed" for c in result.counts)
    return f"Imported {', '.join(result.files)} (batch {result.batch_id}). {counts}."


def correction_message(result: CorrectionResult) -> str:
    """One line on an applied correction."""
    where = f"{result.table} {result.row_key}: {result.column}"
    if not result.changed:
        return f"{where} already holds {result.new_value!r}; nothing changed."
    return f"{where} changed from {result.old_value!r} to {result.new_value!r}."


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


@dataclass(frozen=True)
class GeneratedReport:
    """A report file to download; ``record`` is its database entry (None for the demo)."""

    file_name: str
    mime: str
    content: bytes
    record: ReportRecord | None


MIME = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def generate_report(
    url: str,
    trial_id: str,
    *,
    cutoff: date,
    as_known_on: datetime | None,
    look: int | None,
    version: VersionLabel,
    fmt: ReportFormat,
) -> GeneratedReport:
    """Write the efficacy/toxicity summary; in a database it is recorded like the CLI's
    ``report`` command does (monitoring.cli.report.produce), so the look's summary state
    moves to "generated"."""
    now = datetime.now(UTC)
    name = f"{trial_id}-summary-{'look' + str(look) if look else cutoff.isoformat()}"
    file_name = f"{name}-{version.name.lower()}.{fmt.value}"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / file_name
        record = None
        if source.is_demo(url):
            trial = source.load_trial(url, trial_id, as_known_on)
            status = trial_status(trial.protocol, trial.data, cutoff=cutoff, trial_id=trial_id)
            derived = derive(trial.data, trial.protocol, status.cutoff)
            stamp = ReportStamp(now, source.user())
            doc = build_report(status, derived, stamp=stamp, version=version, look=look)
            # charts are drawn by Chromium (about a second each); a workbook holds numbers only
            write_report(doc if fmt is ReportFormat.XLSX else render_report(doc), out, fmt)
        else:
            request = Request(
                trial_id=trial_id,
                as_known_on=as_known_on or now,
                look=look,
                cutoff=None if look else cutoff,
                version=version,
                fmt=fmt,
                out=out,
                user=source.user(),
                log_as_of=now,
            )
            record = produce(source.engine(url), request)
        return GeneratedReport(file_name, MIME[fmt], out.read_bytes(), record)
