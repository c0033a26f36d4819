"""Report records and look sign-offs: what the monitoring log shows as generated or signed.

A look is named by its number of evaluable patients (8, 16, 24, ... for seed 003), the same
number ``--look N`` takes on the command line. Every generated report file is one row of
``reports``; a sign-off of a look's summary is one row of ``monitoring_log`` (append-only:
a later sign-off adds a row, nothing is overwritten). A sign-off may record the committee's
recommendation (:data:`RECOMMENDATIONS`); it is kept in the row's note, as its first
sentence ("Recommendation: continue."), so the row's hashed content (``monitoring.db.chain``)
keeps its columns and earlier rows verify unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from monitoring.db.chain import extend_chain
from monitoring.db.errors import DataInputError
from monitoring.db.schema import monitoring_log, reports
from monitoring.db.timestamps import as_aware, to_utc
from monitoring.db.transactions import Bind, connected, writing
from monitoring.status import LookRecord

RECOMMENDATIONS = ("continue", "modify", "pause", "stop")
"""The committee's recommendation at a sign-off (the report's recommendation form)."""
_RECOMMENDED = re.compile(r"^Recommendation: (continue|modify|pause|stop)\.")


def signoff_note(recommendation: str | None, note: str | None) -> str | None:
    """The note stored with a sign-off: the recommendation's sentence, then the note."""
    if recommendation is None:
        return note
    if recommendation not in RECOMMENDATIONS:
        raise DataInputError(
            f"unknown recommendation '{recommendation}': one of {', '.join(RECOMMENDATIONS)}"
        )
    return " ".join(p for p in (f"Recommendation: {recommendation}.", note) if p)


def recommendation_of(note: str | None) -> str | None:
    """The recommendation recorded in a sign-off's note, if any."""
    found = _RECOMMENDED.match(note or "")
    return found.group(1) if found else None


@dataclass(frozen=True)
class ReportRecord:
    """One generated report file, as stored."""

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
    chain_head: str | None
    """The history chain's head when the report was made (``monitoring.db.chain``)."""
    generated_at: datetime
    generated_by: str
    sent_at: datetime | None
    sent_by: str | None
    signed_off_at: datetime | None
    signed_off_by: str | None


def record_report(
    engine: sa.Engine,
    trial_id: str,
    *,
    look: int | None,
    cutoff: date,
    as_known_on: datetime,
    fmt: str,
    file_name: str | None,
    content_digest: str,
    protocol_digest: str,
    data_digest: str,
    now: datetime,
    user: str,
    chain_head: str | None = None,
) -> int:
    """Store that a report was generated; returns its id."""
    values = {
        "trial_id": trial_id,
        "look": look,
        "cutoff": cutoff,
        "as_known_on": to_utc(as_known_on),
        "format": fmt,
        "file_name": file_name,
        "content_digest": content_digest,
        "protocol_digest": protocol_digest,
        "data_digest": data_digest,
        "chain_head": chain_head,
        "generated_at": to_utc(now),
        "generated_by": user,
    }
    with writing(engine, trial_id) as conn:
        key = conn.execute(reports.insert().values(**values)).inserted_primary_key
        extend_chain(conn, trial_id, to_utc(now))
    assert key is not None
    return int(key[0])


def _record(row: sa.RowMapping) -> ReportRecord:
    def aware(value: datetime | None) -> datetime | None:
        return None if value is None else as_aware(value)

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
        chain_head=row["chain_head"],
        generated_at=as_aware(row["generated_at"]),
        generated_by=str(row["generated_by"]),
        sent_at=aware(row["sent_at"]),
        sent_by=row["sent_by"],
        signed_off_at=aware(row["signed_off_at"]),
        signed_off_by=row["signed_off_by"],
    )


def list_reports(bind: Bind, trial_id: str) -> tuple[ReportRecord, ...]:
    """Every report generated for the trial, oldest first."""
    query = sa.select(reports).where(reports.c.trial_id == trial_id).order_by(reports.c.id)
    with connected(bind) as conn:
        return tuple(_record(r) for r in conn.execute(query).mappings())


def get_report(bind: Bind, trial_id: str, report_id: int) -> ReportRecord:
    query = sa.select(reports).where(reports.c.trial_id == trial_id, reports.c.id == report_id)
    with connected(bind) as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise DataInputError(f"no report {report_id} for trial '{trial_id}'")
    return _record(row)


def mark_report_sent(
    engine: sa.Engine, trial_id: str, report_id: int, *, user: str, now: datetime
) -> None:
    """Record that a generated report was sent (to the IND office, the DSMB, ...)."""
    with writing(engine, trial_id) as conn:
        get_report(conn, trial_id, report_id)
        conn.execute(
            reports.update()
            .where(reports.c.id == report_id, reports.c.trial_id == trial_id)
            .values(sent_at=to_utc(now), sent_by=user)
        )
        extend_chain(conn, trial_id, to_utc(now))


def sign_off_look(
    engine: sa.Engine,
    trial_id: str,
    look: int,
    *,
    reached_date: date,
    user: str,
    now: datetime,
    note: str | None = None,
    recommendation: str | None = None,
) -> None:
    """Sign off the summary of look ``look``: needs a generated report for that look;
    ``recommendation``: the committee's (one of :data:`RECOMMENDATIONS`), recorded too."""
    stored = signoff_note(recommendation, note)
    with writing(engine, trial_id) as conn:
        generated = conn.execute(
            sa.select(reports.c.id).where(reports.c.trial_id == trial_id, reports.c.look == look)
        ).first()
        if generated is None:
            raise DataInputError(
                f"look {look} has no generated report to sign off; generate it first"
            )
        conn.execute(
            monitoring_log.insert().values(
                trial_id=trial_id,
                look_number=look,
                reached_date=reached_date,
                signed_off_by=user,
                signed_off_at=to_utc(now),
                note=stored,
            )
        )
        conn.execute(
            reports.update()
            .where(
                reports.c.trial_id == trial_id,
                reports.c.look == look,
                reports.c.signed_off_at.is_(None),
            )
            .values(signed_off_at=to_utc(now), signed_off_by=user)
        )
        extend_chain(conn, trial_id, to_utc(now))


def look_records(bind: Bind, trial_id: str) -> tuple[LookRecord, ...]:
    """Per look: first generation (when, who) and latest sign-off (when, who, the
    recommendation recorded with it)."""
    generated: dict[int, tuple[datetime, str]] = {}
    for report in list_reports(bind, trial_id):
        if report.look is not None and report.look not in generated:
            generated[report.look] = (report.generated_at, report.generated_by)
    signed: dict[int, tuple[datetime, str, str | None]] = {}
    query = (
        sa.select(monitoring_log)
        .where(monitoring_log.c.trial_id == trial_id)
        .order_by(monitoring_log.c.id)
    )
    with connected(bind) as conn:
        for row in conn.execute(query).mappings():
            signed[int(row["look_number"])] = (
                as_aware(row["signed_off_at"]),
                str(row["signed_off_by"]),
                recommendation_of(row["note"]),
            )
    return tuple(
        LookRecord(
            evaluable=look,
            generated_at=generated[look][0] if look in generated else None,
            generated_by=generated[look][1] if look in generated else None,
            signed_off_at=signed[look][0] if look in signed else None,
            signed_off_by=signed[look][1] if look in signed else None,
            recommendation=signed[look][2] if look in signed else None,
        )
        for look in sorted(set(generated) | set(signed))
    )
