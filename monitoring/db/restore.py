"""Restore a backup (``monitoring.db.backup``) into an empty database and verify it.

The backup file's kind is read from its first bytes, never from its name. An SQLite backup
is first copied (backup API) into a private staging file and upgraded to this version's
schema: its digests are computed there and the source file is never written. It then goes
into an SQLite target through the backup API, or into a PostgreSQL target by a table copy
with ids kept and sequences reset (``monitoring.db.copy``). A pg_dump archive goes into
PostgreSQL through ``pg_restore`` in one transaction, after its SHA-256 is checked against
the manifest written beside it. The restored database is then upgraded to this version's
schema and the data digest of every trial computed again.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from monitoring.db import pg_client
from monitoring.db.backup import (
    BUSY_TIMEOUT_MS,
    MANIFEST_FORMAT,
    PG_DUMP_MAGIC,
    SQLITE_MAGIC,
    BackupKind,
    TrialDigest,
    database_url,
    file_sha256,
    manifest_path,
    opened,
    shown,
    sqlite_connect,
    trial_digests,
)
from monitoring.db.copy import CopiedTable, copy_database
from monitoring.db.engine import open_database
from monitoring.db.errors import DataInputError

OUR_TABLES = ("trials", "alembic_version")
"""Tables every database of this program holds."""
_TOC_TRIALS = re.compile(r"^\d+;.* TABLE \S+ trials ", re.MULTILINE)


@dataclass(frozen=True)
class RestoreResult:
    """A restore: the source's and the restored database's digests, and whether they agree."""

    source: Path
    kind: BackupKind
    target: str
    method: str
    expected: tuple[TrialDigest, ...] | None
    restored: tuple[TrialDigest, ...]
    copied: tuple[CopiedTable, ...]

    @property
    def verified(self) -> bool | None:
        """Equal digests and batches for every trial; ``None`` when the source has none."""
        return None if self.expected is None else self.expected == self.restored


def backup_kind(path: Path) -> BackupKind:
    """What ``path`` holds, from its first bytes; anything else is refused."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError as exc:
        raise DataInputError(f"no backup file {path}") from exc
    except (IsADirectoryError, PermissionError) as exc:
        raise DataInputError(f"cannot read backup file {path}: {exc.strerror}") from exc
    if head == SQLITE_MAGIC:
        return BackupKind.SQLITE
    if head.startswith(PG_DUMP_MAGIC):
        return BackupKind.PG_DUMP
    raise DataInputError(
        f"{path} is not a backup: neither an SQLite database nor a pg_dump archive (custom format)"
    )


# ----------------------------------------------------------------------------- the target


def _refuse_unless_empty(tables: list[str], trials: int, where: str, force: bool) -> bool:
    """Whether the target holds anything; refuse a non-empty one without ``force``."""
    if force:
        return bool(tables)
    if trials:
        raise DataInputError(
            f"{where} holds {trials} trial(s); restore goes into an empty database "
            "(give --force to replace its content)"
        )
    if tables and not set(OUR_TABLES) <= set(tables):
        raise DataInputError(
            f"{where} holds tables of another application ({', '.join(sorted(tables)[:5])}); "
            "restore goes into an empty database (give --force to replace its content)"
        )
    return bool(tables)


def _check_sqlite_target(path: Path, force: bool) -> None:
    if not path.parent.is_dir():
        raise DataInputError(f"the directory of {path} does not exist; create it first")
    if not path.exists():
        return
    conn = sqlite_connect(path, "ro")
    try:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not r[0].startswith("sqlite_")
        ]
        trials = (
            conn.execute("SELECT count(*) FROM trials").fetchone()[0] if "trials" in tables else 0
        )
    except sqlite3.DatabaseError as exc:
        raise DataInputError(f"{path} is not an SQLite database ({exc}); not replaced") from exc
    finally:
        conn.close()
    _refuse_unless_empty(tables, trials, str(path), force)


def _check_postgres_target(url: sa.URL, force: bool) -> bool:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            trials = 0
            if "trials" in tables:
                trials = conn.exec_driver_sql("SELECT count(*) FROM trials").scalar_one()
    except sa.exc.OperationalError as exc:
        raise DataInputError(f"cannot open database: {exc.orig}") from exc
    finally:
        engine.dispose()
    return _refuse_unless_empty(tables, int(trials), shown(url), force)


# ----------------------------------------------------------------------------- SQLite source


def _stage(source: Path, staged: Path) -> None:
    """Copy the SQLite backup ``source`` into ``staged`` after checking it is one of ours."""
    conn = sqlite_connect(source, "ro")
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not set(OUR_TABLES) <= tables:
            raise DataInputError(f"{source} is an SQLite database but not a monitoring backup")
        copy = sqlite3.connect(staged)
        try:
            conn.backup(copy, pages=-1)
        finally:
            copy.close()
    except sqlite3.DatabaseError as exc:
        raise DataInputError(f"{source} is not a readable SQLite database ({exc})") from exc
    finally:
        conn.close()


@contextmanager
def _staged(source: Path) -> Iterator[sa.Engine]:
    """A private copy of the SQLite backup at this version's schema (source untouched)."""
    with tempfile.TemporaryDirectory(prefix="monitoring-restore-") as folder:
        staged = Path(folder) / "staged.sqlite"
        _stage(source, staged)
        engine = open_database(staged)
        try:
            yield engine
        finally:
            engine.dispose()


def _into_sqlite(staged: sa.Engine, target: Path) -> None:
    """The staged database written over ``target`` (created if missing) in one step."""
    source = sqlite_connect(Path(str(staged.url.database)), "rw")
    try:
        dst = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            source.backup(dst, pages=-1)
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise DataInputError(f"cannot write {target}: {exc}; nothing was restored") from exc
    finally:
        source.close()


def _restore_sqlite(source: Path, url: sa.URL, force: bool) -> RestoreResult:
    backend = url.get_backend_name()
    target_path = Path(str(url.database))
    if backend == "sqlite":
        _check_sqlite_target(target_path, force)
    else:
        force = _check_postgres_target(url, force) and force
    with _staged(source) as staged:
        expected = trial_digests(staged)
        copied: tuple[CopiedTable, ...] = ()
        if backend == "sqlite":
            staged.dispose()  # every change checkpointed into the staged file
            _into_sqlite(staged, target_path)
            method = "SQLite backup API"
        target = opened(url)
        try:
            if backend != "sqlite":
                copied = copy_database(staged, target, clear=force)
                method = "table copy from SQLite, sequences reset"
            restored = trial_digests(target)
        finally:
            target.dispose()
    return RestoreResult(source, BackupKind.SQLITE, shown(url), method, expected, restored, copied)


# ----------------------------------------------------------------------------- pg_dump source


def _manifest(archive: Path) -> tuple[TrialDigest, ...] | None:
    """The digests recorded beside ``archive``, after checking they are its own."""
    path = manifest_path(archive)
    if not path.exists():
        return None
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        if content["format"] != MANIFEST_FORMAT:
            raise ValueError(f"unknown format {content['format']!r}")
        sha = str(content["archive_sha256"])
        trials = tuple(
            TrialDigest(str(t["trial_id"]), t["data_digest"], t["last_batch"])
            for t in content["trials"]
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise DataInputError(f"{path} is not a backup digest manifest: {exc}") from exc
    if file_sha256(archive) != sha:
        raise DataInputError(
            f"{archive} does not match the SHA-256 recorded in {path.name}: the archive is "
            "damaged or the manifest belongs to another backup; nothing restored"
        )
    return trials


def _restore_pg_dump(source: Path, url: sa.URL, force: bool) -> RestoreResult:
    if url.get_backend_name() != "postgresql":
        raise DataInputError(
            f"{source} is a pg_dump archive: it restores into a PostgreSQL database only"
        )
    expected = _manifest(source)
    _check_postgres_target(url, force)
    engine = sa.create_engine(url)
    try:
        program = pg_client.find_program("pg_restore", pg_client.server_major(engine))
    finally:
        engine.dispose()
    toc = pg_client.run_program(program, url, ["--list", str(source)])
    if not _TOC_TRIALS.search(toc):
        raise DataInputError(f"{source} is a pg_dump archive but not a monitoring backup")
    arguments = ["--single-transaction", "--clean", "--if-exists", "--no-owner"]
    conninfo = f"--dbname={pg_client.conninfo(url)}"
    pg_client.run_program(program, url, [*arguments, conninfo, str(source)])
    target = opened(url)
    try:
        restored = trial_digests(target)
    finally:
        target.dispose()
    return RestoreResult(
        source, BackupKind.PG_DUMP, shown(url), "pg_restore", expected, restored, ()
    )


def restore(location: str | Path, source: Path, *, force: bool = False) -> RestoreResult:
    """Restore the backup file ``source`` into the database at ``location`` (see above)."""
    source = source.expanduser()
    kind = backup_kind(source)
    url = database_url(location)
    try:
        if kind is BackupKind.SQLITE:
            return _restore_sqlite(source, url, force)
        return _restore_pg_dump(source, url, force)
    except OSError as exc:  # a full disk (the staging copy), an unreadable file
        raise DataInputError(f"cannot restore {source}: {exc.strerror or exc}") from exc
