"""Producing the Efficacy/Toxicity Summary of an analysis: the document, the file, and
its record in the database (what ``report`` and the dashboard's Reports page both do).

A report's data are those known at its "as known on" time, recorded with it, so a report
regenerated later reproduces the same rows, numbers and data digest. One request may ask for
several files (``report --format pdf,docx,xlsx``): the document is built and its charts
drawn once, each file is written from it and recorded on its own.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from monitoring.accounts.model import Principal
from monitoring.analysis.access import require_closed
from monitoring.analysis.analysis import Analysis, open_analysis
from monitoring.analysis.cut import Cut
from monitoring.analysis.database import DatabaseSource
from monitoring.analysis.source import TrialSource
from monitoring.db.looks import ReportRecord, get_report, record_report
from monitoring.errors import DataInputError
from monitoring.reports.content import ReportStamp, build_report, render_report, resolve_look
from monitoring.reports.document import ReportDocument, VersionLabel
from monitoring.reports.export import ReportFormat, needs_charts, write_report
from monitoring.reports.records import file_digest, records_as_of
from monitoring.status import TrialStatus


@dataclass(frozen=True)
class ReportRequest:
    """One report to produce: which data, which cut, which file.

    ``more``: further files of the same document, as (format, path).
    ``log_as_of``: the monitoring log shows the reports recorded before this moment (now,
    or the original's generation time when a report is regenerated). ``look``: the look at
    that many evaluable patients, cut at the day it was reached (then ``cutoff`` is only the
    day by which it must be reached).
    """

    trial_id: str
    as_known_on: datetime
    look: int | None
    cutoff: date | None
    version: VersionLabel
    fmt: ReportFormat
    out: Path
    user: str
    log_as_of: datetime
    principal: Principal | None = None
    meeting_date: date | None = None
    """The DSMB meeting the report is for (printed on the cover; "not set" without it)."""
    more: tuple[tuple[ReportFormat, Path], ...] = ()

    @property
    def files(self) -> tuple[tuple[ReportFormat, Path], ...]:
        """Every file to write from the one document: ``fmt`` at ``out``, then ``more``."""
        return ((self.fmt, self.out), *self.more)


def report_analysis(analysis: Analysis, look: int | None) -> Analysis:
    """The analysis a report of ``look`` shows: cut at the day the look was reached (found
    at the analysis' own cut-off without deriving it: one derivation per report), or the
    analysis itself without a look. A look that is not scheduled is refused when the
    report is built (``monitoring.reports.content.build_report``)."""
    return analysis if look is None else analysis.at(analysis.look_day(look))


def write_document(source: TrialSource, request: ReportRequest, now: datetime) -> TrialStatus:
    """Build the report of ``request`` from ``source`` and write each of its files whole
    (generated at ``now``: the caller's clock); returns the status shown. The monitoring
    log shows the looks' records as of ``request.log_as_of``."""
    cut = Cut(request.trial_id, request.cutoff, request.as_known_on)
    opened = open_analysis(source, cut, principal=request.principal)
    if request.version is VersionLabel.CLOSED:
        require_closed(request.principal, request.trial_id, "closed report")
    analysis = report_analysis(opened, request.look)
    status = analysis.status_with(records_as_of(analysis.state.records, request.log_as_of))
    doc = build_report(
        status,
        analysis.derivation,
        stamp=ReportStamp(now, request.user, request.meeting_date),
        version=request.version,
        look=request.look,
        quality=analysis.quality,
    )
    # The workbook holds the numbers only: charts are drawn (once) for PDF and DOCX.
    formats = [fmt for fmt, _ in request.files]
    ready = render_report(doc) if needs_charts(formats) else doc
    write_all(ready, request.files)
    return status


def produce_all(
    source: DatabaseSource, request: ReportRequest, now: datetime
) -> tuple[ReportRecord, ...]:
    """Write every file of ``request`` from one document and record each in the database
    (one record per file, in the order asked), so the look's summary moves to
    "generated". Nothing is recorded unless every file was written."""
    status = write_document(source, request, now)
    look = resolve_look(status, request.look)
    records = []
    for fmt, out in request.files:
        report_id = record_report(
            source.engine,
            request.trial_id,
            look=look.evaluable if look else None,
            cutoff=status.cutoff,
            as_known_on=request.as_known_on,
            fmt=fmt.value,
            file_name=out.name,
            content_digest=file_digest(out),
            protocol_digest=status.provenance.protocol_digest,
            data_digest=status.provenance.data_digest,
            now=now,
            user=request.user,
            chain_head=status.provenance.chain_head,
        )
        records.append(get_report(source.engine, request.trial_id, report_id))
    return tuple(records)


def produce(source: DatabaseSource, request: ReportRequest, now: datetime) -> ReportRecord:
    """Write the report file of ``request`` (one file: ``fmt`` at ``out``) and record it in
    the database, so the look's summary moves to "generated"."""
    if request.more:
        raise ValueError("produce writes one file; use produce_all for several")
    return produce_all(source, request, now)[0]


def write_whole(doc: ReportDocument, out: Path, fmt: ReportFormat) -> None:
    """Write beside ``out``, then rename: a failed write leaves neither a partial file nor a
    half-overwritten earlier one. A write the system refuses is an input error naming
    ``out``."""
    write_all(doc, ((fmt, out),))


def write_all(doc: ReportDocument, files: Sequence[tuple[ReportFormat, Path]]) -> None:
    """Write each file beside its final name, and rename them once all are written: a failed
    write leaves no partial file and replaces no earlier file. A write the system refuses is
    an input error naming the file."""
    partials = [
        (out.with_name(f".{out.stem}.partial-{os.getpid()}{out.suffix}"), out) for _, out in files
    ]
    try:
        for (fmt, out), (partial, _) in zip(files, partials, strict=True):
            try:
                write_report(doc, partial, fmt)
            except OSError as exc:
                raise DataInputError(f"cannot write '{out}': {exc.strerror or exc}") from exc
        for partial, out in partials:
            try:
                os.replace(partial, out)
            except OSError as exc:
                raise DataInputError(f"cannot write '{out}': {exc.strerror or exc}") from exc
    finally:
        for partial, _ in partials:
            partial.unlink(missing_ok=True)
