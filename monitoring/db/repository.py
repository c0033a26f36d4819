"""Trials, import batches and the audit log: registration and queries, scoped to one trial."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from monitoring.db.chain import extend_chain
from monitoring.db.errors import DataInputError
from monitoring.db.schema import audit_log, import_batches, import_counts, trials
from monitoring.db.timestamps import as_aware, to_utc
from monitoring.db.transactions import Bind, connected, writing
from monitoring.db.versions import ChangeSource
from monitoring.errors import UnknownTrialError
from monitoring.protocol import Protocol, ProtocolError, parse_protocol


@dataclass(frozen=True)
class TrialRecord:
    """A registered trial (its protocol text is fetched with :func:`get_protocol`)."""

    id: str
    title: str
    protocol_digest: str
    registered_at: datetime
    registered_by: str


@dataclass(frozen=True)
class TableCounts:
    """Rows of one table an import added, changed (new version) and left unchanged."""

    table: str
    added: int
    changed: int
    unchanged: int


@dataclass(frozen=True)
class ImportBatch:
    """One accepted import."""

    id: int
    trial_id: str
    imported_at: datetime
    imported_by: str
    files: tuple[str, ...]
    counts: tuple[TableCounts, ...]


@dataclass(frozen=True)
class AuditEntry:
    """One changed value: old and new (text), what changed it, when, by whom, why."""

    id: int
    trial_id: str
    table: str
    row_key: str
    column: str
    old_value: str | None
    new_value: str | None
    source: ChangeSource
    batch_id: int | None
    changed_at: datetime
    changed_by: str
    reason: str | None


def add_trial(
    engine: sa.Engine, protocol_text: str, *, source: str, now: datetime, user: str
) -> TrialRecord:
    """Register a trial from its protocol TOML (validated); its id is the file's ``id`` key."""
    try:
        protocol = parse_protocol(protocol_text, source)
    except ProtocolError as exc:
        raise DataInputError(str(exc)) from exc
    row = {
        "id": protocol.id,
        "title": protocol.title,
        "protocol_toml": protocol_text,
        "protocol_digest": protocol.digest,
        "registered_at": to_utc(now),
        "registered_by": user,
    }
    with writing(engine, protocol.id) as conn:
        if conn.execute(sa.select(trials.c.id).where(trials.c.id == protocol.id)).first():
            raise DataInputError(f"trial '{protocol.id}' is already registered")
        conn.execute(trials.insert().values(**row))
        extend_chain(conn, protocol.id, to_utc(now))
    return _trial_record(row)


def _trial_record(row: sa.RowMapping | dict[str, object]) -> TrialRecord:
    return TrialRecord(
        id=str(row["id"]),
        title=str(row["title"]),
        protocol_digest=str(row["protocol_digest"]),
        registered_at=as_aware(row["registered_at"]),  # type: ignore[arg-type]
        registered_by=str(row["registered_by"]),
    )


def list_trials(bind: Bind) -> tuple[TrialRecord, ...]:
    """Every registered trial, by id."""
    columns = [c for c in trials.c if c.name != "protocol_toml"]
    with connected(bind) as conn:
        rows = conn.execute(sa.select(*columns).order_by(trials.c.id)).mappings().all()
    return tuple(_trial_record(r) for r in rows)


def resolve_trial(bind: Bind, trial_id: str | None) -> str:
    """``trial_id`` checked to exist, or the only trial when ``None``; else a clear error."""
    ids = [t.id for t in list_trials(bind)]
    if trial_id is not None:
        if trial_id not in ids:
            raise UnknownTrialError(trial_id, tuple(ids))
        return trial_id
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise DataInputError("the database holds no trial; register one with 'trial add'")
    raise DataInputError(f"the database holds {len(ids)} trials ({', '.join(ids)}); give --trial")


def get_protocol(bind: Bind, trial_id: str) -> Protocol:
    """The validated protocol stored for ``trial_id`` (digest identical to registration)."""
    with connected(bind) as conn:
        text = conn.execute(
            sa.select(trials.c.protocol_toml).where(trials.c.id == trial_id)
        ).scalar_one_or_none()
    if text is None:
        raise UnknownTrialError(trial_id)
    return parse_protocol(text, f"database trial '{trial_id}'")


def latest_change(conn: sa.Connection, trial_id: str) -> datetime | None:
    """The time of the trial's latest import or correction (naive UTC), if any."""
    last_import = sa.select(sa.func.max(import_batches.c.imported_at)).where(
        import_batches.c.trial_id == trial_id
    )
    last_audit = sa.select(sa.func.max(audit_log.c.changed_at)).where(
        audit_log.c.trial_id == trial_id
    )
    times = [conn.execute(q).scalar_one_or_none() for q in (last_import, last_audit)]
    present = [t for t in times if t is not None]
    return max(present) if present else None


@dataclass(frozen=True)
class DataVersion:
    """Identifies the state of a trial's data: any import or correction changes it.

    Cheap to read, so callers can cache :func:`load_trial_data` results keyed on it.
    """

    last_change: datetime | None
    batches: int
    audit_entries: int


def data_version(bind: Bind, trial_id: str) -> DataVersion:
    """The current :class:`DataVersion` of ``trial_id`` (two small aggregate queries)."""
    with connected(bind) as conn:
        last = latest_change(conn, trial_id)
        batches = conn.execute(
            sa.select(sa.func.count()).where(import_batches.c.trial_id == trial_id)
        ).scalar_one()
        entries = conn.execute(
            sa.select(sa.func.count()).where(audit_log.c.trial_id == trial_id)
        ).scalar_one()
    return DataVersion(None if last is None else as_aware(last), int(batches), int(entries))


def check_time_moves_forward(conn: sa.Connection, trial_id: str, now: datetime) -> None:
    """Refuse a change dated before the trial's latest change: history must not be rewritten."""
    last = latest_change(conn, trial_id)
    if last is not None and to_utc(now) < last:
        raise DataInputError(
            f"the change time {to_utc(now).isoformat()} precedes the trial's latest change "
            f"{last.isoformat()} (UTC); check the clock"
        )


def list_audit(bind: Bind, trial_id: str) -> tuple[AuditEntry, ...]:
    """The trial's audit log in the order it was written."""
    query = sa.select(audit_log).where(audit_log.c.trial_id == trial_id).order_by(audit_log.c.id)
    with connected(bind) as conn:
        rows = conn.execute(query).mappings().all()
    return tuple(
        AuditEntry(
            id=r["id"],
            trial_id=r["trial_id"],
            table=r["table_name"],
            row_key=r["row_key"],
            column=r["column_name"],
            old_value=r["old_value"],
            new_value=r["new_value"],
            source=ChangeSource(r["source"]),
            batch_id=r["batch_id"],
            changed_at=as_aware(r["changed_at"]),
            changed_by=r["changed_by"],
            reason=r["reason"],
        )
        for r in rows
    )


def list_batches(bind: Bind, trial_id: str) -> tuple[ImportBatch, ...]:
    """The trial's accepted imports, oldest first, with their per-table counts."""
    with connected(bind) as conn:
        batches = (
            conn.execute(
                sa.select(import_batches)
                .where(import_batches.c.trial_id == trial_id)
                .order_by(import_batches.c.id)
            )
            .mappings()
            .all()
        )
        counts = (
            conn.execute(
                sa.select(import_counts)
                .join(import_batches)
                .where(import_batches.c.trial_id == trial_id)
                .order_by(import_counts.c.batch_id, import_counts.c.table_name)
            )
            .mappings()
            .all()
        )
    by_batch: dict[int, list[TableCounts]] = {}
    for c in counts:
        by_batch.setdefault(c["batch_id"], []).append(
            TableCounts(c["table_name"], c["added"], c["changed"], c["unchanged"])
        )
    return tuple(
        ImportBatch(
            id=b["id"],
            trial_id=b["trial_id"],
            imported_at=as_aware(b["imported_at"]),
            imported_by=b["imported_by"],
            files=tuple(json.loads(b["files"])),
            counts=tuple(by_batch.get(b["id"], ())),
        )
        for b in batches
    )


def latest_batch(bind: Bind, trial_id: str, as_known_on: datetime | None = None) -> int | None:
    """The last import batch of the trial (at or before ``as_known_on``), if any."""
    query = sa.select(sa.func.max(import_batches.c.id)).where(import_batches.c.trial_id == trial_id)
    if as_known_on is not None:
        query = query.where(import_batches.c.imported_at <= to_utc(as_known_on))
    with connected(bind) as conn:
        value = conn.execute(query).scalar_one_or_none()
    return None if value is None else int(value)
