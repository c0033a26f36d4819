"""Accounts in the trial database: create, sign in with back-off, sessions, roles, disable.

Every function takes the time (``now``) and, for a change, who makes it (``actor``): the
command line and the dashboard resolve them. Every change and every sign-in, failed
sign-in and sign-out is appended to the account audit log (``monitoring.accounts.events``)
in the transaction that makes it, serialized with every other account change.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa

from monitoring.accounts.events import SCOPE, Event, append_event
from monitoring.accounts.model import (
    DEFAULT_BACK_OFF,
    AccountError,
    BackOff,
    Grant,
    Principal,
    Role,
    SignIn,
    SignInOutcome,
    User,
    check_name,
    check_password,
)
from monitoring.db.schema import trials, user_roles, user_sessions, users
from monitoring.db.timestamps import to_utc
from monitoring.db.transactions import Bind, connected, writing

PASSWORD = "password"
SSO = "sso"
"""How a session was started (``user_sessions.method``)."""


def token_hash(token: str) -> str:
    """What the database keeps of a session token: its SHA-256 (the token is random)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _grants(conn: sa.Connection, name: str) -> tuple[Grant, ...]:
    c = user_roles.c
    rows = conn.execute(
        sa.select(c.role, c.trial_id)
        .where(c.user_name == name, c.revoked_at.is_(None))
        .order_by(c.trial_id, c.role)
    ).all()
    return tuple(Grant(Role(r.role), r.trial_id) for r in rows)


def _user(conn: sa.Connection, row: sa.Row[tuple[object, ...]]) -> User:
    m = row._mapping
    return User(
        name=m["name"],
        display_name=m["display_name"],
        email=m["email"],
        disabled=bool(m["disabled"]),
        created_at=m["created_at"],
        created_by=m["created_by"],
        failed_attempts=int(m["failed_attempts"]),
        locked_until=m["locked_until"],
        has_password=m["password_hash"] is not None,
        grants=_grants(conn, m["name"]),
    )


def _row(conn: sa.Connection, name: str) -> sa.Row[tuple[object, ...]] | None:
    return conn.execute(sa.select(users).where(users.c.name == name)).first()


def _existing(conn: sa.Connection, name: str) -> sa.Row[tuple[object, ...]]:
    row = _row(conn, name)
    if row is None:
        raise AccountError(f"no account '{name}' (list them with 'users list')")
    return row


def get_user(bind: Bind, name: str) -> User:
    """The account ``name``; an :class:`AccountError` when there is none."""
    with connected(bind) as conn:
        return _user(conn, _existing(conn, name))


def list_users(bind: Bind) -> tuple[User, ...]:
    """Every account, by name."""
    with connected(bind) as conn:
        rows = conn.execute(sa.select(users).order_by(users.c.name)).all()
        return tuple(_user(conn, r) for r in rows)


def acting_principal(bind: Bind, name: str) -> Principal:
    """The account ``name`` as the principal a command acts as (the command line's
    ``--user``); an :class:`AccountError` when there is none or it is disabled."""
    with connected(bind) as conn:
        row = _row(conn, name)
        if row is None or bool(row.disabled):
            state = "no account" if row is None else "the disabled account"
            raise AccountError(
                f"{state} '{name}': give --user NAME of an enabled account "
                "(docs/security.md, the command line's user)"
            )
        return _principal(conn, row)


def has_users(bind: Bind) -> bool:
    with connected(bind) as conn:
        return conn.execute(sa.select(users.c.name).limit(1)).first() is not None


def _check_grant(conn: sa.Connection, role: Role, trial_id: str | None) -> Grant:
    if role.is_global:
        if trial_id is not None:
            raise AccountError("the admin role is held everywhere: give no --trial")
        return Grant(role, None)
    if trial_id is None:
        raise AccountError(f"the {role.value} role is held on one trial: give --trial")
    if conn.execute(sa.select(trials.c.id).where(trials.c.id == trial_id)).first() is None:
        raise AccountError(f"no trial '{trial_id}' in the database")
    return Grant(role, trial_id)


def _insert_grant(conn: sa.Connection, name: str, grant: Grant, now: datetime, actor: str) -> None:
    conn.execute(
        user_roles.insert().values(
            user_name=name,
            trial_id=grant.trial_id,
            role=grant.role.value,
            granted_at=now,
            granted_by=actor,
        )
    )
    append_event(
        conn, Event.ROLE_GRANTED, at=now, user_name=name, actor=actor,
        trial_id=grant.trial_id, detail=grant.role.value,
    )  # fmt: skip


def create_user(
    engine: sa.Engine,
    name: str,
    *,
    password: str | None,
    now: datetime,
    actor: str,
    grants: Sequence[tuple[Role, str | None]] = (),
    display_name: str | None = None,
    email: str | None = None,
) -> User:
    """A new account with its first roles. ``password`` ``None``: the account signs in by
    single sign-on only (its name or ``email`` is the identity provider's user)."""
    from monitoring.accounts.passwords import (
        hash_password,  # argon2 loads on use
    )

    check_name(name)
    hashed = None if password is None else hash_password(check_password(password))
    now = to_utc(now)
    with writing(engine, SCOPE) as conn:
        if _row(conn, name) is not None:
            raise AccountError(f"account '{name}' exists already")
        checked = [_check_grant(conn, role, trial) for role, trial in grants]
        conn.execute(
            users.insert().values(
                name=name,
                display_name=display_name or name,
                email=email,
                password_hash=hashed,
                disabled=False,
                created_at=now,
                created_by=actor,
                failed_attempts=0,
                password_changed_at=None if hashed is None else now,
            )
        )
        append_event(conn, Event.USER_ADDED, at=now, user_name=name, actor=actor, detail=email)
        for grant in dict.fromkeys(checked):
            _insert_grant(conn, name, grant, now, actor)
        return _user(conn, _existing(conn, name))


def grant_role(
    engine: sa.Engine, name: str, role: Role, trial_id: str | None, *, now: datetime, actor: str
) -> User:
    """Give ``name`` the role (a no-op, not logged, when the account holds it already)."""
    now = to_utc(now)
    with writing(engine, SCOPE) as conn:
        _existing(conn, name)
        grant = _check_grant(conn, role, trial_id)
        if grant not in _grants(conn, name):
            _insert_grant(conn, name, grant, now, actor)
        return _user(conn, _existing(conn, name))


def revoke_role(
    engine: sa.Engine, name: str, role: Role, trial_id: str | None, *, now: datetime, actor: str
) -> User:
    """Take the role back (the grant's row keeps when and by whom)."""
    now = to_utc(now)
    c = user_roles.c
    with writing(engine, SCOPE) as conn:
        _existing(conn, name)
        done = conn.execute(
            user_roles.update()
            .where(c.user_name == name, c.role == role.value, c.revoked_at.is_(None))
            .where(c.trial_id.is_(None) if trial_id is None else c.trial_id == trial_id)
            .values(revoked_at=now, revoked_by=actor)
        )
        if done.rowcount == 0:
            where = "" if trial_id is None else f" on trial '{trial_id}'"
            raise AccountError(f"account '{name}' holds no {role.value} role{where}")
        append_event(
            conn, Event.ROLE_REVOKED, at=now, user_name=name, actor=actor,
            trial_id=trial_id, detail=role.value,
        )  # fmt: skip
        return _user(conn, _existing(conn, name))


def _end_sessions(conn: sa.Connection, name: str, now: datetime) -> None:
    c = user_sessions.c
    conn.execute(
        user_sessions.update()
        .where(c.user_name == name, c.ended_at.is_(None), c.expires_at > now)
        .values(ended_at=now)
    )


def set_disabled(
    engine: sa.Engine, name: str, disabled: bool, *, now: datetime, actor: str
) -> User:
    """Disable the account (its open sessions end at once) or enable it again; enabling
    also clears a lock of the back-off (an administrator's answer to a locked-out person)."""
    now = to_utc(now)
    with writing(engine, SCOPE) as conn:
        row = _existing(conn, name)
        if disabled and not row.disabled:
            conn.execute(users.update().where(users.c.name == name).values(disabled=True))
            _end_sessions(conn, name, now)
            append_event(conn, Event.USER_DISABLED, at=now, user_name=name, actor=actor)
        elif not disabled and (row.disabled or row.failed_attempts or row.locked_until):
            conn.execute(
                users.update()
                .where(users.c.name == name)
                .values(disabled=False, failed_attempts=0, locked_until=None)
            )
            event = Event.USER_ENABLED if row.disabled else Event.LOCK_CLEARED
            append_event(conn, event, at=now, user_name=name, actor=actor)
        return _user(conn, _existing(conn, name))


def change_password(
    engine: sa.Engine,
    name: str,
    new_password: str,
    *,
    now: datetime,
    actor: str,
    current_password: str | None = None,
) -> User:
    """Set a new password. With ``current_password`` (a person changing their own) it must
    match; without it (an administrator's reset) it is not asked. Other sessions end."""
    from monitoring.accounts.passwords import (  # argon2 loads on use
        hash_password,
        verify_password,
    )

    hashed = hash_password(check_password(new_password))
    now = to_utc(now)
    with writing(engine, SCOPE) as conn:
        row = _existing(conn, name)
        if current_password is not None and not verify_password(
            row.password_hash, current_password
        ):
            raise AccountError("the current password is not correct; nothing was changed")
        conn.execute(
            users.update()
            .where(users.c.name == name)
            .values(
                password_hash=hashed, password_changed_at=now, failed_attempts=0, locked_until=None
            )
        )
        _end_sessions(conn, name, now)
        append_event(conn, Event.PASSWORD_CHANGED, at=now, user_name=name, actor=actor)
        return _user(conn, _existing(conn, name))


def _principal(conn: sa.Connection, row: sa.Row[tuple[object, ...]]) -> Principal:
    name = str(row.name)
    return Principal(name, str(row.display_name), _grants(conn, name))


def _start(
    conn: sa.Connection, row: sa.Row[tuple[object, ...]], method: str, now: datetime,
    lifetime: timedelta,
) -> SignIn:  # fmt: skip
    token = secrets.token_urlsafe(32)
    expires = now + lifetime
    conn.execute(
        user_sessions.insert().values(
            token_hash=token_hash(token),
            user_name=row.name,
            method=method,
            created_at=now,
            expires_at=expires,
        )
    )
    append_event(
        conn, Event.SIGN_IN, at=now, user_name=str(row.name), actor=str(row.name), detail=method
    )
    return SignIn(SignInOutcome.ACCEPTED, _principal(conn, row), token, expires)


def sign_in(
    engine: sa.Engine,
    name: str,
    password: str,
    *,
    now: datetime,
    lifetime: timedelta,
    back_off: BackOff = DEFAULT_BACK_OFF,
) -> SignIn:
    """Check ``password`` and start a session of ``lifetime``. Refused (and logged) for an
    unknown or disabled account, a wrong password, or an account locked by the back-off:
    after ``back_off.free_attempts`` failures in a row every further failure locks it for
    longer, and while locked even the right password is refused."""
    from monitoring.accounts.passwords import (
        verify_password,  # argon2 loads on use
    )

    now = to_utc(now)
    with writing(engine, SCOPE) as conn:
        row = _row(conn, name)
        matches = verify_password(None if row is None else row.password_hash, password)
        if row is None or row.disabled:
            reason = "unknown account" if row is None else "account disabled"
            append_event(
                conn, Event.SIGN_IN_FAILED, at=now, user_name=name[:128], actor=name[:128],
                detail=reason,
            )  # fmt: skip
            return SignIn(SignInOutcome.REFUSED)
        locked = row.locked_until
        if locked is not None and locked > now:
            append_event(
                conn, Event.SIGN_IN_FAILED, at=now, user_name=name, actor=name, detail="locked"
            )
            return SignIn(SignInOutcome.LOCKED, locked_until=locked)
        if not matches:
            failures = int(row.failed_attempts) + 1
            until = back_off.locked_until(failures, now)
            conn.execute(
                users.update()
                .where(users.c.name == name)
                .values(failed_attempts=failures, locked_until=until)
            )
            detail = f"wrong password ({failures} in a row)"
            if until is not None:
                detail += f"; locked until {until.isoformat(timespec='seconds')}"
            append_event(
                conn, Event.SIGN_IN_FAILED, at=now, user_name=name, actor=name, detail=detail
            )
            if until is not None:
                return SignIn(SignInOutcome.LOCKED, locked_until=until)
            return SignIn(SignInOutcome.REFUSED)
        if row.failed_attempts or row.locked_until is not None:
            conn.execute(
                users.update()
                .where(users.c.name == name)
                .values(failed_attempts=0, locked_until=None)
            )
        return _start(conn, row, PASSWORD, now, lifetime)


def sign_in_identity(
    engine: sa.Engine, identities: Sequence[str], *, now: datetime, lifetime: timedelta
) -> SignIn:
    """A person the identity provider has signed in (single sign-on): the first of
    ``identities`` (e-mail, then subject) that names an account by its name or e-mail
    starts a session. Refused (and logged) when none does or the account is disabled."""
    now = to_utc(now)
    wanted = [i for i in identities if i]
    with writing(engine, SCOPE) as conn:
        for identity in wanted:
            row = conn.execute(
                sa.select(users).where(sa.or_(users.c.name == identity, users.c.email == identity))
            ).first()
            if row is None:
                continue
            if row.disabled:
                break
            return _start(conn, row, SSO, now, lifetime)
        shown = (wanted[0] if wanted else "(no identity)")[:128]
        append_event(
            conn, Event.SIGN_IN_FAILED, at=now, user_name=shown, actor=shown,
            detail="single sign-on: no enabled account for " + ", ".join(wanted)[:200],
        )  # fmt: skip
        return SignIn(SignInOutcome.REFUSED)


def check_session(engine: sa.Engine, token: str, *, now: datetime) -> Principal | None:
    """The person of an open session, or ``None`` (unknown, ended, expired, or the account
    disabled). A session found expired is ended here and its expiry logged once."""
    now = to_utc(now)
    c = user_sessions.c
    with connected(engine) as conn:
        found = conn.execute(
            sa.select(c.id, c.user_name, c.expires_at, c.ended_at).where(
                c.token_hash == token_hash(token)
            )
        ).first()
        if found is None or found.ended_at is not None:
            return None
        if found.expires_at > now:
            row = _row(conn, str(found.user_name))
            if row is None or row.disabled:
                return None
            return _principal(conn, row)
    _close(engine, found.id, found.expires_at, Event.SESSION_EXPIRED, now)
    return None


def _close(
    engine: sa.Engine, session_id: int, ended: datetime, event: Event, now: datetime
) -> bool:
    """End one session at ``ended`` and log ``event`` (at ``now``), once across servers."""
    c = user_sessions.c
    with writing(engine, SCOPE) as conn:
        done = conn.execute(
            user_sessions.update()
            .where(c.id == session_id, c.ended_at.is_(None))
            .values(ended_at=ended)
            .returning(c.user_name)
        ).first()
        if done is None:
            return False  # another server ended it first
        name = str(done.user_name)
        detail = f"expired at {ended.isoformat(timespec='seconds')}" if ended < now else None
        append_event(conn, event, at=now, user_name=name, actor=name, detail=detail)
        return True


def end_session(engine: sa.Engine, token: str, *, now: datetime) -> bool:
    """Sign out: end the session of ``token`` (``False`` when it was not open)."""
    now = to_utc(now)
    c = user_sessions.c
    with connected(engine) as conn:
        found = conn.execute(
            sa.select(c.id, c.expires_at).where(
                c.token_hash == token_hash(token), c.ended_at.is_(None)
            )
        ).first()
    if found is None:
        return False
    if found.expires_at <= now:
        return _close(engine, found.id, found.expires_at, Event.SESSION_EXPIRED, now)
    return _close(engine, found.id, now, Event.SIGN_OUT, now)
