"""Reports produced from the dashboard for download, through ``monitoring.analysis.reports``.

A report reads one cut of the trial (as the ``report`` command does) and is returned as
bytes to download. In a database the production is recorded in the monitoring log, so the
look's summary state moves to "generated"; the demo records nothing. Imports and corrections
(the changes to the data) are in ``dashboard.writes``; the list of reports already generated
is in ``dashboard.history``. The time is taken here, at the boundary (the library never
reads the clock).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from dashboard import signin, source
from monitoring.analysis import DatabaseSource
from monitoring.analysis.reports import ReportRequest, produce, write_document
from monitoring.db.looks import ReportRecord
from monitoring.reports.document import VersionLabel
from monitoring.reports.export import ReportFormat


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
    meeting_date: date | None = None,
) -> GeneratedReport:
    """Write the efficacy/toxicity summary (``monitoring.analysis.reports``, as the
    ``report`` command does); in a database it is recorded, so the look's summary state
    moves to "generated". A look's report is cut at the day the look was reached;
    ``meeting_date``: the DSMB meeting printed on the cover."""
    now = datetime.now(UTC)
    name = f"{trial_id}-summary-{'look' + str(look) if look else cutoff.isoformat()}"
    file_name = f"{name}-{version.name.lower()}.{fmt.value}"
    trials = source.trial_source(url)
    with tempfile.TemporaryDirectory() as folder:
        request = ReportRequest(
            trial_id=trial_id,
            as_known_on=as_known_on or now,
            look=look,
            cutoff=None if look else cutoff,
            version=version,
            fmt=fmt,
            out=Path(folder) / file_name,
            user=signin.signed_in_name(),
            log_as_of=now,
            principal=signin.signed_in(),
            meeting_date=meeting_date,
        )
        record = None
        if isinstance(trials, DatabaseSource):
            record = produce(trials, request, now)
        else:  # the demo: nothing to record
            write_document(trials, request, now)
        return GeneratedReport(file_name, MIME[fmt], request.out.read_bytes(), record)
