"""Open a database: engine with the backend's settings, schema upgraded to the head revision."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from monitoring.db.errors import DataInputError
from monitoring.db.transactions import SQLITE_BEGIN, WRITE_WAIT, writing
from monitoring.db.url import resolve_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_SCOPE = ""
"""The lock scope of schema upgrades (no trial id is empty)."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on (off by default in SQLite); WAL so that readers never block writers
    and each read transaction sees one snapshot; a writer waits for another up to
    :data:`WRITE_WAIT` seconds. The driver's own transaction handling is off (it would
    begin a transaction only at the first write, after the checks had read):
    :func:`_sqlite_begin` begins every transaction explicitly."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={WRITE_WAIT * 1000}")
    cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    """``BEGIN`` at the start of each transaction (SQLAlchemy's documented pysqlite recipe):
    ``BEGIN IMMEDIATE`` for a writer (``monitoring.db.transactions.writing``), which takes
    the write lock before its checks read; a deferred ``BEGIN`` otherwise."""
    mode = conn.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def create_engine(location: str | Path | None) -> sa.Engine:
    """An engine for ``location`` (URL, SQLite path or ``None`` for the default file)."""
    url = resolve_url(location)
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def alembic_config() -> Config:
    """Alembic configuration pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: sa.Engine) -> None:
    """Bring a new or older database to the head revision (one transaction, serialized
    with other writers, so two commands opening a new database do not both create it)."""
    if current_revision(engine) == head_revision():
        return  # the usual case: no write lock taken, a reader never waits for a writer
    config = alembic_config()
    try:
        with writing(engine, MIGRATION_SCOPE) as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except CommandError as exc:
        raise DataInputError(
            f"the database schema is not one this version knows ({exc}); "
            "use the newer program that wrote it"
        ) from exc


def open_database(location: str | Path | None) -> sa.Engine:
    """Engine for ``location`` with its schema upgraded to head: the way every command starts."""
    engine = create_engine(location)
    try:
        upgrade(engine)
    except sa.exc.OperationalError as exc:
        engine.dispose()
        raise DataInputError(f"cannot open database: {exc.orig}") from exc
    return engine
