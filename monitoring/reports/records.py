"""Generated reports in the database: record, list, mark as sent or signed off.

Every file written by the ``report`` command is recorded in the ``reports`` table with who
and when, the look (its number of evaluable patients), the cut-off, the "as known on"
time the data were read at, the protocol and data digests and the SHA-256 of the file. A
past report is regenerated from its record: same cut-off and as-known-on, hence the same
rows, numbers and data digest whatever was imported or corrected since. The records give
the monitoring log its "generated" and "signed off" states (:func:`look_records`); a
sign-off is also written to the ``monitoring_log`` table with the day the look was reached.
Timestamps are stored as naive UTC (``monitoring.db.timestamps``).
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from monitoring.db.errors import DataInputError
from monitoring.db.schema import monitoring_log, reports
from monitoring.db.timestamps import as_aware, to_utc
from monitoring.status import LookRecord


class ReportMark(enum.StrEnum):
    """What can be recorded about a generated report after it was written."""

    SENT = "sent"
    SIGNED_OFF = "signed_off"


@dataclass(frozen=True)
class ReportRecord:
    """One generated report file (``look``: evaluable patients of its look, or None)."""

    id: int
    trial_id: str
    look: int | None
    cutoff: date
    as_known_on: datetime
    format: str
    file_name: str | None
    content_digest: str
    protocol_digest: str
    data_digest: str | None
    generated_at: datetime
    generated_by: str
    sent_at: datetime | None = None
    sent_by: str | None = None
    signed_off_at: datetime | None = None
    signed_off_by: str | None = None


@dataclass(frozen=True)
class GeneratedReport:
    """What is known about a report file when it has just been written."""

    trial_id: str
    look: int | None
    cutoff: date
    as_known_on: datetime
    format: str
    path: Path
    protocol_digest: str
    data_digest: str
    generated_at: datetime
    generated_by: str


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _optional_time(value: datetime | None) -> datetime | None:
    return None if value is None else as_aware(value)


def _record(row: sa.RowMapping) -> ReportRecord:
    return ReportRecord(
        id=int(row["id"]),
        trial_id=str(row["trial_id"]),
        look=row["look"],
        cutoff=row["cutoff"],
        as_known_on=as_aware(row["as_known_on"]),
        format=str(row["format"]),
        file_name=row["file_name"],
        content_digest=str(row["content_digest"]),
        protocol_digest=str(row["protocol_digest"]),
        data_digest=row["data_digest"],
        generated_at=as_aware(row["generated_at"]),
        generated_by=str(row["generated_by"]),
        sent_at=_optional_time(row["sent_at"]),
        sent_by=row["sent_by"],
        signed_off_at=_optional_time(row["signed_off_at"]),
        signed_off_by=row["signed_off_by"],
    )


def record_report(engine: sa.Engine, report: GeneratedReport) -> ReportRecord:
    """Record a written report file; returns the stored record."""
    values = {
        "trial_id": report.trial_id,
        "look": report.look,
        "cutoff": report.cutoff,
        "as_known_on": to_utc(report.as_known_on),
        "format": report.format,
        "file_name": report.path.name,
        "content_digest": file_digest(report.path),
        "protocol_digest": report.protocol_digest,
        "data_digest": report.data_digest,
        "generated_at": to_utc(report.generated_at),
        "generated_by": report.generated_by,
    }
    with engine.begin() as conn:
        new_id = conn.execute(reports.insert().values(**values)).inserted_primary_key
        assert new_id is not None
        row = conn.execute(sa.select(reports).where(reports.c.id == new_id[0])).mappings().one()
    return _record(row)


def list_reports(engine: sa.Engine, trial_id: str) -> tuple[ReportRecord, ...]:
    """The trial's generated reports, oldest first."""
    query = sa.select(reports).where(reports.c.trial_id == trial_id).order_by(reports.c.id)
    with engine.connect() as conn:
        return tuple(_record(r) for r in conn.execute(query).mappings())


def get_report(engine: sa.Engine, trial_id: str, report_id: int) -> ReportRecord:
    """One recorded report of the trial; DataInputError naming the id if there is none."""
    found = [r for r in list_reports(engine, trial_id) if r.id == report_id]
    if not found:
        raise DataInputError(f"no report {report_id} recorded for trial '{trial_id}'")
    return found[0]


def mark_look(
    engine: sa.Engine,
    trial_id: str,
    look: int,
    mark: ReportMark,
    *,
    by: str,
    at: datetime,
    reached_on: date,
) -> tuple[ReportRecord, ...]:
    """Mark every report of ``look`` as sent or signed off; a sign-off is also logged.

    Refused (DataInputError) when no report of that look has been generated yet.
    """
    column = "sent" if mark is ReportMark.SENT else "signed_off"
    when = to_utc(at)
    with engine.begin() as conn:
        match = (reports.c.trial_id == trial_id) & (reports.c.look == look)
        if conn.execute(sa.select(sa.func.count()).where(match)).scalar_one() == 0:
            raise DataInputError(
                f"no report of the look at {look} evaluable patients has been generated for "
                f"trial '{trial_id}'; generate it first with 'report --look {look}'"
            )
        stamp = {f"{column}_at": when, f"{column}_by": by}
        conn.execute(reports.update().where(match).values(stamp))
        if mark is ReportMark.SIGNED_OFF:
            conn.execute(
                monitoring_log.insert().values(
                    trial_id=trial_id,
                    look_number=look,
                    reached_date=reached_on,
                    signed_off_by=by,
                    signed_off_at=when,
                    note="summary signed off",
                )
            )
    return tuple(r for r in list_reports(engine, trial_id) if r.look == look)


def _as_of(record: ReportRecord, before: datetime) -> ReportRecord | None:
    """The record as it stood just before ``before``: None if not yet generated."""
    if record.generated_at >= before:
        return None
    signed = record.signed_off_at is not None and record.signed_off_at < before
    return replace(
        record,
        signed_off_at=record.signed_off_at if signed else None,
        signed_off_by=record.signed_off_by if signed else None,
    )


def look_records(
    records: Sequence[ReportRecord], *, before: datetime | None = None
) -> tuple[LookRecord, ...]:
    """One :class:`LookRecord` per look with a report: first generation, latest sign-off.

    With ``before``, only what was recorded before that moment counts: a regenerated
    report shows the monitoring log as its original did.
    """
    by_look: dict[int, list[ReportRecord]] = {}
    for record in records:
        current = record if before is None else _as_of(record, before)
        if current is not None and current.look is not None:
            by_look.setdefault(current.look, []).append(current)
    out = []
    for look, group in sorted(by_look.items()):
        first = min(group, key=lambda r: r.generated_at)
        signed = [r for r in group if r.signed_off_at is not None]
        last = max(signed, key=lambda r: r.signed_off_at or r.generated_at) if signed else None
        out.append(
            LookRecord(
                evaluable=look,
                generated_at=first.generated_at,
                generated_by=first.generated_by,
                signed_off_at=last.signed_off_at if last else None,
                signed_off_by=last.signed_off_by if last else None,
            )
        )
    return tuple(out)
