"""Backup and restore of a whole database, verified by the data digest of every trial.

A plain copy of the SQLite file is not a backup: in WAL mode (``monitoring.db.engine``) the
last commits live in the ``-wal`` file beside it until a checkpoint, so a copy of the main
file alone silently misses them, and a copy taken during a write can be torn. SQLite is
therefore copied through its backup API (one step, one read transaction: a state that
existed, while others go on writing) into a single self-contained file (rollback journal,
no ``-wal``); PostgreSQL through ``pg_dump --format=custom`` in an exported snapshot, whose
data digests are written beside the archive (``<archive>.digests.json``). A backup is
written under a temporary name in the target directory and renamed when complete, so a
backup cut off midway never carries the final name.

Restore goes into an empty database only (``force`` replaces a database that holds trials):
an SQLite file into SQLite (backup API) or into PostgreSQL (table copy, ``monitoring.db.copy``:
the way from the embedded file to a server), a pg_dump archive into PostgreSQL
(``pg_restore``, one transaction). Afterwards the data digest of every trial is computed in
the restored database and compared with the source's.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa

from monitoring.db import pg_client
from monitoring.db.engine import open_database
from monitoring.db.errors import DataInputError
from monitoring.db.reading import latest_data_date
from monitoring.db.repository import latest_batch, list_trials
from monitoring.db.url import default_database_path

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
MANIFEST_SUFFIX = ".digests.json"
MANIFEST_FORMAT = "trial-monitoring backup digests 1"
BUSY_TIMEOUT_MS = 10000


class BackupKind(StrEnum):
    """What a backup file holds."""

    SQLITE = "sqlite"
    PG_DUMP = "pg_dump"


@dataclass(frozen=True)
class TrialDigest:
    """A trial's data digest (``None`` before any patient data) and its last import batch."""

    trial_id: str
    data_digest: str | None
    last_batch: int | None


@dataclass(frozen=True)
class BackupResult:
    """A written backup: file, kind, size and what it holds."""

    path: Path
    kind: BackupKind
    size: int
    sha256: str
    trials: tuple[TrialDigest, ...]
    manifest: Path | None


def trial_digests(
    engine: sa.Engine, as_known_on: datetime | None = None
) -> tuple[TrialDigest, ...]:
    """Every trial's data digest as ``status`` prints it (default cut-off) and last batch."""
    from monitoring.analysis import DatabaseSource, status_of  # the layer above: same digest

    digests = []
    for trial in list_trials(engine):
        batch = latest_batch(engine, trial.id, as_known_on)
        digest = None
        if latest_data_date(engine, trial.id, as_known_on) is not None:
            status = status_of(DatabaseSource(engine), trial.id, as_known_on=as_known_on)
            digest = status.provenance.data_digest
        digests.append(TrialDigest(trial.id, digest, batch))
    return tuple(digests)


# ----------------------------------------------------------------------------- locations


def database_url(location: str | Path | None) -> sa.URL:
    """The URL of ``location`` (``None``: the default file) without creating anything
    (``resolve_url`` makes folders)."""
    text = str(default_database_path() if location is None else location)
    if "://" in text:
        try:
            url = sa.make_url(text)
        except sa.exc.ArgumentError as exc:
            raise DataInputError(f"'{text}' is not a valid database URL: {exc}") from exc
    else:
        url = sa.URL.create("sqlite+pysqlite", database=str(Path(text).expanduser().resolve()))
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DataInputError(f"'{backend}' databases are not supported (SQLite or PostgreSQL)")
    if backend == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise DataInputError("an in-memory SQLite database cannot be backed up or restored")
        url = url.set(database=str(Path(str(url.database)).expanduser().resolve()))
    return url


def opened(url: sa.URL) -> sa.Engine:
    """``open_database`` on ``url``; an SQLite file by its path (a path with ``#`` or ``%``
    does not survive a round trip through URL text)."""
    if url.get_backend_name() == "sqlite":
        return open_database(Path(str(url.database)))
    return open_database(url.render_as_string(hide_password=False))


def shown(url: sa.URL) -> str:
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


def sqlite_connect(path: Path, mode: str) -> sqlite3.Connection:
    """A DB-API connection to an existing file (``mode`` ro or rw); never creates one."""
    uri = f"{path.as_uri()}?mode={mode}"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise DataInputError(f"cannot open SQLite file {path}: {exc}") from exc
    return conn


def sqlite_read_engine(path: Path) -> sa.Engine:
    """A read-only engine on an SQLite file: computing digests cannot change it."""
    uri = f"{path.as_uri()}?mode=ro"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    return sa.create_engine(sa.URL.create("sqlite+pysqlite", database=str(path)), creator=connect)


def _checked_out(out: Path, force: bool) -> Path:
    out = out.expanduser()
    if not out.parent.is_dir():
        raise DataInputError(f"the directory of {out} does not exist; create it first")
    if out.is_dir():
        raise DataInputError(f"{out} is a directory; give a file name")
    if not os.access(out.parent, os.W_OK):
        raise DataInputError(f"the directory of {out} is not writable")
    if not force:
        for path in (out, manifest_path(out)):
            if path.exists():
                raise DataInputError(f"{path} exists; give --force to replace it")
    return out


def manifest_path(archive: Path) -> Path:
    return archive.with_name(archive.name + MANIFEST_SUFFIX)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _partial(out: Path) -> Iterator[Path]:
    """A temporary name beside ``out``, removed unless the caller renamed it."""
    partial = out.with_name(f".{out.name}.{uuid.uuid4().hex}.partial")
    try:
        yield partial
    finally:
        with suppress(FileNotFoundError):
            partial.unlink()


def _publish(partial: Path, out: Path, force: bool) -> None:
    """Give the complete file its final name; without ``force`` never over an existing one."""
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())
    if force:
        os.replace(partial, out)
    else:
        try:
            os.link(partial, out)  # fails if ``out`` appeared meanwhile
        except FileExistsError as exc:
            raise DataInputError(f"{out} exists; give --force to replace it") from exc
        partial.unlink()
    folder = os.open(out.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the new name itself on disk
    finally:
        os.close(folder)


# ----------------------------------------------------------------------------- backup


def _sqlite_backup(source: Path, partial: Path) -> None:
    """Copy ``source`` into ``partial`` in one step of the backup API, then make the copy
    a single file (rollback journal) that can be moved and opened read-only."""
    src = sqlite_connect(source, "rw")
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=-1)  # one step: one read transaction, one state
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise DataInputError(f"cannot back up {source}: {exc}") from exc
    finally:
        src.close()


def _backup_sqlite(source: Path, out: Path, force: bool) -> BackupResult:
    with _partial(out) as partial:
        _sqlite_backup(source, partial)
        engine = sqlite_read_engine(partial)
        try:
            trials = trial_digests(engine)
        finally:
            engine.dispose()
        size, sha = partial.stat().st_size, file_sha256(partial)
        _publish(partial, out, force)
    return BackupResult(out, BackupKind.SQLITE, size, sha, trials, None)


def _manifest_text(sha: str, trials: tuple[TrialDigest, ...]) -> str:
    content = {
        "format": MANIFEST_FORMAT,
        "archive_sha256": sha,
        "trials": [
            {"trial_id": t.trial_id, "data_digest": t.data_digest, "last_batch": t.last_batch}
            for t in trials
        ],
    }
    return json.dumps(content, indent=2) + "\n"


def _backup_postgres(engine: sa.Engine, out: Path, force: bool) -> BackupResult:
    program = pg_client.find_program("pg_dump", pg_client.server_major(engine))
    url = engine.url
    with _partial(out) as partial, _partial(manifest_path(out)) as listed:
        with pg_client.exported_snapshot(engine) as (snapshot, reader):
            arguments = ["--format=custom", f"--snapshot={snapshot}", f"--file={partial}"]
            pg_client.run_program(program, url, [*arguments, f"--dbname={pg_client.conninfo(url)}"])
            trials = trial_digests(reader)
        size, sha = partial.stat().st_size, file_sha256(partial)
        listed.write_text(_manifest_text(sha, trials), encoding="utf-8")
        # The manifest first: an archive under its final name always has its digests.
        _publish(listed, manifest_path(out), force)
        _publish(partial, out, force)
    return BackupResult(out, BackupKind.PG_DUMP, size, sha, trials, manifest_path(out))


def backup(location: str | Path | None, out: Path, *, force: bool = False) -> BackupResult:
    """Back up the database at ``location`` into the file ``out`` (see the module text)."""
    out = _checked_out(out, force)
    url = database_url(location)
    if url.get_backend_name() == "sqlite":
        source = Path(str(url.database))
        if not source.is_file():
            raise DataInputError(f"no database file {source}")
        own = {source.with_name(source.name + suffix) for suffix in ("", "-wal", "-shm")}
        if out.resolve() in own:
            raise DataInputError(f"{out} is the database itself or one of its files")
    engine = opened(url)
    try:
        if url.get_backend_name() == "sqlite":
            return _backup_sqlite(Path(str(url.database)), out, force)
        return _backup_postgres(engine, out, force)
    except OSError as exc:  # a full disk, a folder made read-only meanwhile
        raise DataInputError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        engine.dispose()
