"""Accounts (monitoring.accounts) on SQLite and PostgreSQL: argon2id hashes, the back-off
after failed sign-ins, sessions that expire, disabling, roles per trial, the account audit
log and its chain, the demo database's accounts, and the ``users`` commands' exit codes.

Expected numbers come from the default back-off (``BackOff()``: 5 free failures, then
locked 1 minute, doubling) and from the lifetimes the tests give.
"""

from __future__ import annotations

import io
import json
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from monitoring.accounts.demo import DEMO_ACCOUNTS, create_demo_database, is_demo_database
from monitoring.accounts.events import list_events, verify_events
from monitoring.accounts.model import AccountError, Grant, Role, SignInOutcome
from monitoring.accounts.store import (
    change_password,
    check_session,
    create_user,
    end_session,
    get_user,
    grant_role,
    list_users,
    revoke_role,
    set_disabled,
    sign_in,
)
from monitoring.cli import main
from monitoring.db.engine import open_database
from monitoring.db.schema import account_events, users
from tests.test_db_roles import owner_and_app  # noqa: F401 (the fixture)

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
PASSWORD = "correct horse battery"


@pytest.fixture
def alice(engine: sa.Engine, trial: str) -> str:
    create_user(
        engine, "alice", password=PASSWORD, now=T0, actor="admin", grants=[(Role.DSMB, trial)]
    )
    return "alice"


def _events(engine: sa.Engine, name: str) -> list[tuple[str, str | None]]:
    return [(e.event, e.detail) for e in list_events(engine, name)]


def test_the_password_is_kept_as_an_argon2id_hash(engine: sa.Engine, alice: str) -> None:
    with engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$v=19$")
    assert PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)


def test_sign_in_starts_a_session_and_every_attempt_is_logged(
    engine: sa.Engine, alice: str, trial: str
) -> None:
    wrong = sign_in(engine, alice, "not the password", now=T0, lifetime=HOUR)
    unknown = sign_in(engine, "mallory", PASSWORD, now=T0, lifetime=HOUR)
    assert wrong.outcome is unknown.outcome is SignInOutcome.REFUSED
    assert wrong.message == unknown.message  # a guess does not learn which names exist
    ok = sign_in(engine, alice, PASSWORD, now=T0, lifetime=HOUR)
    assert ok.outcome is SignInOutcome.ACCEPTED
    assert ok.token is not None
    assert ok.principal is not None
    assert ok.principal.roles_on(trial) == {Role.DSMB}
    assert check_session(engine, ok.token, now=T0 + HOUR / 2) == ok.principal
    assert end_session(engine, ok.token, now=T0 + HOUR / 2)
    assert check_session(engine, ok.token, now=T0 + HOUR / 2) is None
    assert [e for e, _ in _events(engine, alice)] == [
        "user added", "role granted", "sign-in failed", "sign-in", "sign-out",
    ]  # fmt: skip
    assert _events(engine, "mallory") == [("sign-in failed", "unknown account")]
    assert verify_events(engine).ok


def test_failed_attempts_lock_the_account_with_a_growing_back_off(
    engine: sa.Engine, alice: str
) -> None:
    for attempt in range(1, 5):
        result = sign_in(engine, alice, "guess", now=T0, lifetime=HOUR)
        assert result.outcome is SignInOutcome.REFUSED, attempt
    fifth = sign_in(engine, alice, "guess", now=T0, lifetime=HOUR)
    assert fifth.outcome is SignInOutcome.LOCKED
    assert fifth.locked_until == (T0 + timedelta(minutes=1)).replace(tzinfo=None)
    # While locked even the right password is refused.
    right = sign_in(engine, alice, PASSWORD, now=T0 + timedelta(seconds=30), lifetime=HOUR)
    assert right.outcome is SignInOutcome.LOCKED
    # The sixth failure (after the lock) locks for 2 minutes.
    later = T0 + timedelta(minutes=2)
    sixth = sign_in(engine, alice, "guess", now=later, lifetime=HOUR)
    assert sixth.locked_until == (later + timedelta(minutes=2)).replace(tzinfo=None)
    after = later + timedelta(minutes=2)
    assert sign_in(engine, alice, PASSWORD, now=after, lifetime=HOUR).token is not None
    assert get_user(engine, alice).failed_attempts == 0  # reset by the success
    # An administrator clears a lock at once (users disable NAME --enable).
    for _ in range(5):
        sign_in(engine, alice, "guess", now=after, lifetime=HOUR)
    assert get_user(engine, alice).locked_until is not None
    set_disabled(engine, alice, False, now=after, actor="admin")
    assert sign_in(engine, alice, PASSWORD, now=after, lifetime=HOUR).token is not None
    assert "lock cleared" in [e for e, _ in _events(engine, alice)]


def test_a_session_expires_and_its_expiry_is_logged_once(engine: sa.Engine, alice: str) -> None:
    result = sign_in(engine, alice, PASSWORD, now=T0, lifetime=HOUR)
    assert result.token is not None
    last_moment = T0 + HOUR - timedelta(microseconds=1)
    assert check_session(engine, result.token, now=last_moment)
    assert check_session(engine, result.token, now=T0 + HOUR) is None
    assert check_session(engine, result.token, now=T0 + 2 * HOUR) is None
    assert [e for e, _ in _events(engine, alice)].count("session expired") == 1


def test_disabling_ends_sessions_and_refuses_sign_in(engine: sa.Engine, alice: str) -> None:
    result = sign_in(engine, alice, PASSWORD, now=T0, lifetime=HOUR)
    assert result.token is not None
    set_disabled(engine, alice, True, now=T0 + timedelta(minutes=1), actor="admin")
    assert check_session(engine, result.token, now=T0 + timedelta(minutes=2)) is None
    again = sign_in(engine, alice, PASSWORD, now=T0 + timedelta(minutes=2), lifetime=HOUR)
    assert again.outcome is SignInOutcome.REFUSED
    set_disabled(engine, alice, False, now=T0 + timedelta(minutes=3), actor="admin")
    assert sign_in(engine, alice, PASSWORD, now=T0 + timedelta(minutes=4), lifetime=HOUR).token


def test_roles_per_trial_and_the_global_admin(engine: sa.Engine, alice: str, trial: str) -> None:
    grant_role(engine, alice, Role.STATISTICIAN, trial, now=T0, actor="admin")
    grant_role(engine, alice, Role.ADMIN, None, now=T0, actor="admin")
    assert set(get_user(engine, alice).grants) == {
        Grant(Role.DSMB, trial), Grant(Role.STATISTICIAN, trial), Grant(Role.ADMIN, None),
    }  # fmt: skip
    with pytest.raises(AccountError, match="admin role is held everywhere"):
        grant_role(engine, alice, Role.ADMIN, trial, now=T0, actor="admin")
    with pytest.raises(AccountError, match="held on one trial"):
        grant_role(engine, alice, Role.PI, None, now=T0, actor="admin")
    with pytest.raises(AccountError, match="no trial 'other'"):
        grant_role(engine, alice, Role.PI, "other", now=T0, actor="admin")
    revoke_role(engine, alice, Role.DSMB, trial, now=T0 + HOUR, actor="admin")
    principal = sign_in(engine, alice, PASSWORD, now=T0 + HOUR, lifetime=HOUR).principal
    assert principal is not None
    assert principal.roles_on(trial) == {Role.STATISTICIAN}
    assert principal.is_admin
    assert principal.trial_ids == {trial}
    with pytest.raises(AccountError, match="holds no dsmb role"):
        revoke_role(engine, alice, Role.DSMB, trial, now=T0 + HOUR, actor="admin")


def test_password_change_needs_the_current_one_and_ends_sessions(
    engine: sa.Engine, alice: str
) -> None:
    session = sign_in(engine, alice, PASSWORD, now=T0, lifetime=HOUR).token
    assert session is not None
    with pytest.raises(AccountError, match="current password is not correct"):
        change_password(engine, alice, "a new long password", now=T0, actor=alice,
                        current_password="wrong")  # fmt: skip
    with pytest.raises(AccountError, match="at least 10 characters"):
        change_password(engine, alice, "short", now=T0, actor=alice, current_password=PASSWORD)
    change_password(
        engine, alice, "a new long password", now=T0, actor=alice, current_password=PASSWORD
    )
    assert check_session(engine, session, now=T0) is None
    assert sign_in(engine, alice, PASSWORD, now=T0, lifetime=HOUR).token is None
    assert sign_in(engine, alice, "a new long password", now=T0, lifetime=HOUR).token


def test_the_account_log_is_append_only_and_chained(engine: sa.Engine, alice: str) -> None:
    sign_in(engine, alice, "guess", now=T0, lifetime=HOUR)
    assert verify_events(engine).ok
    with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
        conn.execute(account_events.update().values(detail="nothing happened"))
    with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
        conn.execute(account_events.delete())
    if engine.dialect.name == "sqlite":  # the file's owner can drop the trigger: the chain shows it
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER account_events_no_update")
            conn.exec_driver_sql("UPDATE account_events SET detail = 'x' WHERE id = 3")
        assert verify_events(engine).first_break == 3
        assert main(["audit", "verify", "--db", str(engine.url.database)]) == 4


def test_the_demo_database_alone_has_the_demo_accounts(db_url: str) -> None:
    engine = open_database(db_url)
    try:
        trial_id, made = create_demo_database(engine, "on_track", now=T0)
        assert made
        assert is_demo_database(engine)
        names = {u.name: u for u in list_users(engine)}
        assert set(names) == {a.name for a in DEMO_ACCOUNTS}
        for account in DEMO_ACCOUNTS:
            result = sign_in(engine, account.name, account.password, now=T0, lifetime=HOUR)
            assert result.principal is not None
            assert result.principal.grants == (
                Grant(account.role, None if account.role is Role.ADMIN else trial_id),
            )
        assert verify_events(engine).ok
    finally:
        engine.dispose()


def test_a_database_that_is_not_empty_never_gets_demo_accounts(engine: sa.Engine) -> None:
    """An account exists (no trial yet): the demo trial is added, no demo account."""
    create_user(engine, "root", password=PASSWORD, now=T0, actor="x", grants=[(Role.ADMIN, None)])
    _, made = create_demo_database(engine, "on_track", now=T0 + HOUR)
    assert not made
    assert not is_demo_database(engine)
    assert [u.name for u in list_users(engine)] == ["root"]


def _users(*args: str, stdin: str = "") -> int:
    import sys

    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        return main(["users", *args])
    finally:
        sys.stdin = saved


def test_users_commands_and_their_exit_codes(
    db_url: str, trial: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # the first account is the administrator (the login is no account yet); the others are
    # added by it, acting as itself (--user)
    assert _users("add", "bob", "--role", "pi", "--trial", trial, "--password-stdin",
                  "--db", db_url, stdin="bobs long password\n") == 2  # fmt: skip
    assert "first account must be an administrator" in capsys.readouterr().err
    assert _users("add", "ada", "--role", "admin", "--password-stdin", "--db", db_url,
                  stdin="adas long password\n") == 0  # fmt: skip
    db = ["--db", db_url, "--user", "ada"]
    assert _users("add", "bob", "--role", "pi", "--trial", trial, "--password-stdin", *db,
                  stdin="bobs long password\n") == 0  # fmt: skip
    assert _users("add", "bob", "--role", "pi", "--trial", trial, "--password-stdin", *db,
                  stdin="bobs long password\n") == 2  # fmt: skip
    assert "exists already" in capsys.readouterr().err
    assert _users("add", "carol", "--role", "pi", "--password-stdin", *db, stdin="x" * 12) == 2
    assert "give --trial" in capsys.readouterr().err
    assert _users("add", "carol", "--role", "admin", "--password-stdin", *db, stdin="short") == 2
    assert "at least 10" in capsys.readouterr().err
    assert _users("add", "carol", "--role", "admin", "--password-stdin", *db, stdin="") == 2
    assert _users("add", "carol", "--role", "admin", *db) == 2
    assert _users("add", "carol", "--role", "admin", "--sso-only", "--email", "c@x.org", *db) == 0
    assert _users("role", "bob", "--role", "dsmb", "--trial", trial, *db) == 0
    assert _users("role", "nobody", "--role", "dsmb", "--trial", trial, *db) == 2
    assert _users("role", "bob", "--role", "dsmb", "--trial", "nope", *db) == 2
    # an account that is not an administrator manages no account but its own password
    as_bob = ["--db", db_url, "--user", "bob"]
    capsys.readouterr()
    for refused in (
        ("add", "eve", "--role", "admin", "--sso-only", *as_bob),
        ("role", "bob", "--role", "dsmb", "--trial", trial, *as_bob),
        ("disable", "ada", *as_bob),
        ("list", *as_bob),
        ("log", "ada", *as_bob),
    ):
        assert _users(*refused) == 2
        assert "the administrator's role" in capsys.readouterr().err
    assert _users("password", "ada", "--password-stdin", *as_bob, stdin="not yours at all\n") == 2
    assert _users("password", "bob", "--password-stdin", *as_bob, stdin="bobs new password\n") == 0
    assert _users("log", "bob", *as_bob) == 0
    assert _users("disable", "bob", *db) == 0
    assert _users("disable", "nobody", *db) == 2
    assert _users("password", "bob", "--password-stdin", *db, stdin="another password\n") == 0
    with pytest.raises(SystemExit) as bad_role:
        _users("role", "bob", "--role", "owner", "--trial", trial, *db)
    assert bad_role.value.code == 2
    capsys.readouterr()
    assert _users("list", "--json", *db) == 0
    listed = {u["name"]: u for u in json.loads(capsys.readouterr().out)}
    assert listed["bob"]["disabled"] is True
    assert {(g["role"], g["trial_id"]) for g in listed["bob"]["grants"]} == {
        ("pi", trial), ("dsmb", trial),
    }  # fmt: skip
    assert listed["carol"]["has_password"] is False
    assert "password" not in json.dumps(listed).replace("has_password", "")
    assert main(["audit", "verify", "--db", db_url]) == 0
    assert "account audit log: OK" in capsys.readouterr().out
    assert _users("log", "bob", "--json", *db) == 0
    events = [(e["event"], e["actor"]) for e in json.loads(capsys.readouterr().out)]
    assert events == [
        ("user added", "ada"), ("role granted", "ada"), ("role granted", "ada"),
        ("password changed", "bob"), ("user disabled", "ada"), ("password changed", "ada"),
    ]  # fmt: skip


def test_a_new_database_has_no_account(engine: sa.Engine) -> None:
    assert list_users(engine) == ()
    assert not is_demo_database(engine)


@pytest.mark.postgres
def test_the_restricted_role_runs_accounts_and_cannot_rewrite_their_log(
    request: pytest.FixtureRequest,
) -> None:
    """``db grant-app-role``: enough to add accounts, sign in, revoke and disable; never to
    change or delete the account log or a session's token."""
    _, app_url = request.getfixturevalue("owner_and_app")  # tests/test_db_roles.py
    app = open_database(app_url)
    try:
        create_user(app, "dana", password=PASSWORD, now=T0, actor="a", grants=[(Role.ADMIN, None)])
        token = sign_in(app, "dana", PASSWORD, now=T0, lifetime=HOUR).token
        assert token is not None
        assert end_session(app, token, now=T0 + HOUR / 2)
        revoke_role(app, "dana", Role.ADMIN, None, now=T0 + HOUR, actor="a")
        set_disabled(app, "dana", True, now=T0 + HOUR, actor="a")
        for statement in (
            "UPDATE account_events SET detail = 'x'",
            "DELETE FROM account_events",
            "UPDATE user_sessions SET token_hash = 'x'",
            "DELETE FROM users",
        ):
            with app.connect() as conn, pytest.raises(sa.exc.DBAPIError) as refused:
                conn.exec_driver_sql(statement)
            assert getattr(refused.value.orig, "sqlstate", None) == "42501", statement
        assert verify_events(app).ok
    finally:
        app.dispose()


def test_run_sh_binds_loopback_unless_told_otherwise() -> None:
    """The documented start (README) passes ``--server.address``, 127.0.0.1 by default."""
    script = (ROOT / "scripts" / "run.sh").read_text()
    start = script[script.index("exec ") :]
    assert '--server.address "${TRIAL_MONITORING_ADDRESS:-127.0.0.1}"' in start
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"  # a plain `streamlit run app.py` too
