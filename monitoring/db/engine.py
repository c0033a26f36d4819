"""Open a database: engine with the backend's settings, schema upgraded to the head revision."""

from __future__ import annotations

import contextlib
import functools
import re
import sqlite3
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from monitoring.db.errors import DataInputError
from monitoring.db.transactions import SQLITE_BEGIN, WRITE_WAIT, writing
from monitoring.db.url import default_database_path, resolve_url, shown, sqlite_path

if TYPE_CHECKING:  # Alembic loads only when a schema is created or upgraded (0.3 s)
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_SCOPE = ""
"""The lock scope of schema upgrades (no trial id is empty)."""
INSUFFICIENT_PRIVILEGE = "42501"
"""PostgreSQL's SQLSTATE for a statement the role may not run."""


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


def create_engine(location: str | Path | sa.URL | None) -> sa.Engine:
    """An engine for ``location`` (URL, SQLite path or ``None`` for the default file)."""
    url = location if isinstance(location, sa.URL) else resolve_url(location)
    try:
        engine = sa.create_engine(url)
    except (sa.exc.NoSuchModuleError, ImportError) as exc:
        raise DataInputError(
            f"cannot open database '{shown(url)}': its driver is not installed ({exc})"
        ) from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def alembic_config() -> Config:
    """Alembic configuration pointing at the migrations shipped inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: sa.Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


_REVISION = re.compile(r"^revision\s*=\s*[\"']([^\"']+)[\"']\s*$", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*=\s*(?:None|[\"']([^\"']+)[\"'])\s*$", re.MULTILINE)


@functools.cache
def shipped_head() -> str | None:
    """The head revision of the shipped migrations read from their files' ``revision`` and
    ``down_revision`` lines, without loading Alembic; None unless they form one plain chain
    (then :func:`upgrade` asks Alembic). Equal to :func:`head_revision` (a test checks)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        if down.group(1) is not None:
            parents.add(down.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def _stored_revision(engine: sa.Engine) -> str | None:
    """The revision in ``alembic_version`` read with one plain query; None when it cannot
    be read (no such table yet) or holds other than one row (Alembic then decides)."""
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except sa.exc.DBAPIError:
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


def upgrade(engine: sa.Engine) -> None:
    """Bring a new or older database to the head revision (one transaction, serialized
    with other writers, so two commands opening a new database do not both create it)."""
    head = shipped_head()
    if head is not None and _stored_revision(engine) == head:
        return  # the usual case, without loading Alembic: no write lock, no wait
    if current_revision(engine) == head_revision():
        return  # the usual case: no write lock taken, a reader never waits for a writer
    from alembic import command
    from alembic.util.exc import CommandError

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
    except sa.exc.ProgrammingError as exc:
        if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        raise DataInputError(
            "the database schema needs an upgrade that only its owner may run: run "
            "'python -m monitoring db grant-app-role' with the owner's URL (docs/security.md)"
        ) from exc


def open_database(location: str | Path | None, *, create: bool = True) -> sa.Engine:
    """Engine for ``location`` with its schema upgraded to head: the way every command starts.

    With ``create`` a missing SQLite file is created (its directory must exist, except the
    per-user default's), and an empty database gets the schema. Without it (the commands
    that only read or change existing data) a missing file, or a database without the
    schema, is an error naming it, and nothing is created. A file that is not a database, or
    a server that refuses the connection, is an error naming the location.
    """
    url = resolve_url(location)
    path = sqlite_path(url)
    new_file = path is not None and not path.exists()
    if path is not None:
        default = path == default_database_path().expanduser().resolve()
        _check_file(path, new_file, create=create, default=default)
        if not create:  # before the engine's first connection sets WAL mode in the file
            _require_schema(url, _sqlite_revision(path))
    engine = create_engine(url)
    try:
        if not create and path is None:
            _require_schema(url, current_revision(engine))
        upgrade(engine)
    except sa.exc.DBAPIError as exc:
        _discard(engine, path if new_file else None)
        raise DataInputError(f"cannot open database '{shown(url)}': {_one_line(exc.orig)}") from exc
    except DataInputError:
        _discard(engine, path if new_file else None)
        raise
    return engine


def _one_line(error: object) -> str:
    return " ".join(str(error).split())


def _require_schema(url: sa.URL, revision: str | None) -> None:
    if revision is None:
        raise DataInputError(
            f"'{shown(url)}' is not a monitoring database (no schema); create one with "
            "'demo', 'trial add' or 'import'"
        )


def _sqlite_revision(path: Path) -> str | None:
    """The schema revision of an SQLite file, read through a read-only connection (an
    ordinary one would turn an empty or foreign file into a WAL database)."""
    try:
        with contextlib.closing(
            sqlite3.connect(f"file:{urllib.parse.quote(str(path))}?mode=ro", uri=True)
        ) as conn:
            tables = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchall()
            if not tables:
                return None
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DataInputError(f"cannot open database '{path}': {_one_line(exc)}") from exc
    return str(row[0]) if row else None


def _check_file(path: Path, missing: bool, *, create: bool, default: bool) -> None:
    if path.is_dir():
        raise DataInputError(f"'{path}' is a directory, not a database file")
    if not missing:
        return
    if not create:
        raise DataInputError(
            f"no database at '{path}'; create one with 'demo', 'trial add' or 'import'"
        )
    if default:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.parent.is_dir():
        raise DataInputError(f"cannot create database '{path}': no directory '{path.parent}'")


def _discard(engine: sa.Engine, created: Path | None) -> None:
    """Close ``engine``; remove the SQLite file (and its journal) if this call made it."""
    engine.dispose()
    discard_sqlite_file(created)


def new_sqlite_file(location: str | Path | None) -> Path | None:
    """The SQLite file ``location`` names if it does not exist yet (opening would create
    it), else None; for :func:`discard_sqlite_file` after a refused first command."""
    try:
        path = sqlite_path(resolve_url(location))
    except DataInputError:
        return None
    return path if path is not None and not path.exists() else None


def discard_sqlite_file(path: Path | None) -> None:
    """Remove the SQLite file ``path`` with its WAL, shared-memory and journal files."""
    if path is not None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
