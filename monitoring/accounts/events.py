"""The account audit log: every sign-in, failed sign-in, sign-out and account change.

Rows of ``account_events`` are appended only (the database refuses UPDATE and DELETE) and
chained one by one: ``event_hash = SHA-256(previous_hash, canonical content)``, the first
row's previous hash being 64 zeros. :func:`verify_events` recomputes the chain (``audit
verify`` runs it with the trials' chains); a row changed, removed, inserted or reordered
breaks it from there on. Writers append inside ``monitoring.db.transactions.writing`` with
the scope :data:`SCOPE`, so two servers never chain onto the same previous row.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import sqlalchemy as sa

from monitoring.db.chain_links import GENESIS
from monitoring.db.schema import account_events
from monitoring.db.timestamps import to_utc
from monitoring.db.transactions import snapshot, writing

SCOPE = "accounts"
"""The write-lock scope of every account change (no trial id can be empty of letters)."""


class Event(Enum):
    SIGN_IN = "sign-in"
    SIGN_IN_FAILED = "sign-in failed"
    SIGN_OUT = "sign-out"
    SESSION_EXPIRED = "session expired"
    USER_ADDED = "user added"
    PASSWORD_CHANGED = "password changed"
    ROLE_GRANTED = "role granted"
    ROLE_REVOKED = "role revoked"
    USER_DISABLED = "user disabled"
    USER_ENABLED = "user enabled"
    LOCK_CLEARED = "lock cleared"
    DEMO_MARKED = "demo database"
    CLOSED_VIEWED = "closed data viewed"
    DOWNLOADED = "download"
    REPORT_SENT = "report sent"
    SIGNED_OFF = "look signed off"
    IMPORTED = "import"
    CORRECTED = "correction"
    REPORT_GENERATED = "report generated"
    TRIAL_ADDED = "trial registered"


@dataclass(frozen=True)
class AccountEvent:
    """One row of the account audit log."""

    id: int
    at: datetime
    event: str
    user_name: str
    actor: str
    trial_id: str | None
    detail: str | None


def event_hash(previous: str, at: datetime, fields: tuple[str | None, ...]) -> str:
    """SHA-256 over the previous hash and the row's content as canonical JSON."""
    content = json.dumps([at.isoformat(timespec="microseconds"), *fields], ensure_ascii=True)
    return hashlib.sha256(f"{previous}\n{content}".encode()).hexdigest()


def _last_hash(conn: sa.Connection) -> str:
    row = conn.execute(
        sa.select(account_events.c.event_hash).order_by(account_events.c.id.desc()).limit(1)
    ).first()
    return GENESIS if row is None else str(row[0])


def append_event(
    conn: sa.Connection,
    event: Event,
    *,
    at: datetime,
    user_name: str,
    actor: str,
    trial_id: str | None = None,
    detail: str | None = None,
) -> None:
    """Append one event, chained onto the last (call inside ``writing(engine, SCOPE)``)."""
    at = to_utc(at)
    previous = _last_hash(conn)
    fields = (event.value, user_name, actor, trial_id, detail)
    conn.execute(
        account_events.insert().values(
            at=at,
            event=event.value,
            user_name=user_name,
            actor=actor,
            trial_id=trial_id,
            detail=detail,
            previous_hash=previous,
            event_hash=event_hash(previous, at, fields),
        )
    )


def record_action(
    engine: sa.Engine,
    event: Event,
    *,
    at: datetime,
    user_name: str,
    trial_id: str,
    detail: str | None = None,
) -> None:
    """Append what a signed-in person did with a trial's data (viewed closed data, imported,
    corrected, generated or downloaded a report, recorded a report sent or a sign-off,
    registered the trial), the person as the actor."""
    with writing(engine, SCOPE) as conn:
        append_event(
            conn,
            event,
            at=at,
            user_name=user_name,
            actor=user_name,
            trial_id=trial_id,
            detail=detail,
        )


def list_events(engine: sa.Engine, user_name: str | None = None) -> tuple[AccountEvent, ...]:
    """The account audit log in order (of one account when ``user_name`` is given)."""
    c = account_events.c
    query = sa.select(c.id, c.at, c.event, c.user_name, c.actor, c.trial_id, c.detail)
    if user_name is not None:
        query = query.where(c.user_name == user_name)
    with snapshot(engine) as conn:
        rows = conn.execute(query.order_by(c.id)).all()
    return tuple(AccountEvent(*row) for row in rows)


@dataclass(frozen=True)
class EventsVerification:
    """The account audit log's chain recomputed: ``first_break`` names the first row whose
    stored hashes differ from the recomputed ones (``None``: the chain holds)."""

    events: int
    head: str
    first_break: int | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def verify_events(engine: sa.Engine) -> EventsVerification:
    """Recompute the chain of ``account_events`` from the first row."""
    c = account_events.c
    query = sa.select(
        c.id, c.at, c.event, c.user_name, c.actor, c.trial_id, c.detail,
        c.previous_hash, c.event_hash,
    ).order_by(c.id)  # fmt: skip
    previous = GENESIS
    count = 0
    with snapshot(engine) as conn:
        for row in conn.execute(query):
            count += 1
            expected = event_hash(previous, row.at, tuple(row[2:7]))
            if row.previous_hash != previous or row.event_hash != expected:
                return EventsVerification(count, previous, int(row.id))
            previous = expected
    return EventsVerification(count, previous, None)
