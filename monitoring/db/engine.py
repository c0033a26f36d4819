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
from monitoring.db.url import resolve_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
INSUFFICIENT_PRIVILEGE = "42501"
"""PostgreSQL's SQLSTATE for a statement the role may not run."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on (off by default in SQLite); WAL so that readers never block writers."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_engine(location: str | Path | None) -> sa.Engine:
    """An engine for ``location`` (URL, SQLite path or ``None`` for the default file)."""
    url = resolve_url(location)
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
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
    """Bring a new or older database to the head revision (one transaction)."""
    config = alembic_config()
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except CommandError as exc:
        raise DataInputError(
            f"the database schema is not one this version knows ({exc}); "
            "use the newer program that wrote it"
        ) from exc
    except sa.exc.ProgrammingError as exc:
        if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        raise DataInputError(
            "the database schema needs an upgrade that only its owner may run: run "
            "'python -m monitoring db grant-app-role' with the owner's URL (docs/security.md)"
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
