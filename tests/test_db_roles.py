"""PostgreSQL: the application's role (``db grant-app-role``) cannot run any tampering
statement of issue 11 item 7, while imports, corrections, reports and status still work.

Expected failures are PostgreSQL's ``insufficient_privilege`` (SQLSTATE 42501): the role
lacks the privilege (UPDATE, DELETE, TRUNCATE), does not own the table (ALTER TABLE,
DROP TRIGGER) or is not a superuser (``session_replication_role``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from monitoring.analysis import DatabaseSource, status_of
from monitoring.cli import main
from monitoring.db.chain_verify import verify_chain
from monitoring.db.engine import alembic_config, open_database
from monitoring.db.errors import DataInputError
from monitoring.db.repository import add_trial
from monitoring.db.roles import grant_app_role
from tests.chain_support import make_history
from tests.conftest import DEFAULT_PROTOCOL, REGISTERED_AT

pytestmark = pytest.mark.postgres
INSUFFICIENT_PRIVILEGE = "42501"


@pytest.fixture
def owner_and_app(pg_admin: sa.Engine, pg_template: str) -> Iterator[tuple[str, str]]:
    """A migrated database (owned by the admin role) and a new role granted the
    application's privileges: (owner URL, application URL)."""
    tag = uuid.uuid4().hex
    database, role = f"t_{tag}", f"app_{tag}"
    with pg_admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{database}" TEMPLATE "{pg_template}"')
        conn.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
    owner = pg_admin.url.set(database=database)
    try:
        engine = open_database(owner.render_as_string(hide_password=False))
        grants = grant_app_role(engine, role)
        engine.dispose()
        assert grants.role == role
        app = owner.set(username=role, password=None)
        yield owner.render_as_string(hide_password=False), app.render_as_string()
    finally:
        with pg_admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')


TAMPERING = {
    "truncate": "TRUNCATE audit_log",
    "truncate cascade": "TRUNCATE trials CASCADE",
    "disable trigger": "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
    "replication role": "SET session_replication_role = replica",
    "update audit": "UPDATE audit_log SET new_value = 'x'",
    "delete audit": "DELETE FROM audit_log",
    "drop trigger": "DROP TRIGGER audit_log_append_only ON audit_log",
    "protocol text": "UPDATE trials SET protocol_toml = protocol_toml || ' '",
    "past version": "UPDATE patients SET site = 'UCH'",
    "delete version": "DELETE FROM patients",
    "import batch": "UPDATE import_batches SET imported_by = 'x'",
    "import counts": "UPDATE import_counts SET added = 0",
    "report": "UPDATE reports SET data_digest = 'x'",
    "monitoring log": "UPDATE monitoring_log SET note = 'x'",
    "chain": "UPDATE history_chain SET link_hash = 'x'",
    "chain delete": "DELETE FROM history_chain",
    "new table": "CREATE TABLE forged (id integer)",
}


def test_app_role_works_and_cannot_tamper(owner_and_app: tuple[str, str], tmp_path: Path) -> None:
    _, app_url = owner_and_app
    app = open_database(app_url)
    try:
        trial = add_trial(
            app, DEFAULT_PROTOCOL.read_text("utf-8"), source="t", now=REGISTERED_AT, user="r"
        ).id
        make_history(app, trial, tmp_path)  # imports, a correction, a report sent and signed
        status = status_of(DatabaseSource(app), trial)
        assert status.provenance.chain_head == verify_chain(app, trial).head
        assert verify_chain(app, trial).ok
        for name, statement in TAMPERING.items():
            with app.connect() as conn, pytest.raises(sa.exc.DBAPIError) as refused:
                conn.exec_driver_sql(statement)
            assert getattr(refused.value.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE, name
        assert verify_chain(app, trial).ok
    finally:
        app.dispose()


def test_grant_refuses_the_owner_and_sqlite(owner_and_app: tuple[str, str], tmp_path: Path) -> None:
    owner_url, _ = owner_and_app
    owner = open_database(owner_url)
    try:
        with owner.connect() as conn:
            me = conn.execute(sa.text("SELECT current_user")).scalar_one()
        with pytest.raises(DataInputError, match=r"superuser|owner"):
            grant_app_role(owner, me)
        with pytest.raises(DataInputError, match="does not exist"):
            grant_app_role(owner, f"nobody_{uuid.uuid4().hex}")
    finally:
        owner.dispose()
    sqlite = open_database(tmp_path / "x.sqlite")
    with pytest.raises(DataInputError, match="PostgreSQL only"):
        grant_app_role(sqlite, "app")
    sqlite.dispose()


def test_app_role_cannot_migrate(owner_and_app: tuple[str, str]) -> None:
    """A schema behind the program's head needs the owner: the application role gets a
    one-line error (exit 2 at the command line), not a traceback."""
    owner_url, app_url = owner_and_app
    owner = open_database(owner_url)
    config = alembic_config()
    with owner.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
    owner.dispose()
    with pytest.raises(DataInputError, match="only its owner may run"):
        open_database(app_url)


def test_cli_grant_app_role(
    owner_and_app: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``db grant-app-role``: exit 0 as the owner (granting again changes nothing), exit 2
    with one line on SQLite or for a role that does not exist."""
    owner_url, app_url = owner_and_app
    role = str(sa.make_url(app_url).username)
    assert main(["db", "grant-app-role", "--db", owner_url, "--role", role]) == 0
    assert f"role {role} may now read and append" in capsys.readouterr().out
    assert main(["db", "grant-app-role", "--db", owner_url, "--role", "nobody_x"]) == 2
    sqlite = str(tmp_path / "x.sqlite")
    open_database(sqlite).dispose()  # an existing SQLite database: refused as not PostgreSQL
    assert main(["db", "grant-app-role", "--db", sqlite, "--role", role]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2
    assert "does not exist" in errors[0]
    assert "PostgreSQL only" in errors[1]
