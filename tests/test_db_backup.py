"""Backup and restore: round trips keep every data digest, now and as known at every change.

The expected values are the source database's own: the data digest ``status`` prints
(``monitoring.analysis.status_of``) now and as known on the time of every import batch
and correction, and the full content of every table (``tests.db_support.database_fingerprint``).
A restore is right when all of them are equal in the restored database.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitoring.analysis import DatabaseSource, status_of
from monitoring.cli import main
from monitoring.db import pg_client
from monitoring.db.backup import BackupKind, BackupResult, TrialDigest, backup, manifest_path
from monitoring.db.chain_verify import verify_chain
from monitoring.db.copy import copy_database
from monitoring.db.corrections import correct_value
from monitoring.db.engine import open_database
from monitoring.db.errors import DataInputError
from monitoring.db.importer import import_files
from monitoring.db.repository import add_trial, latest_batch, list_audit, list_batches, list_trials
from monitoring.db.restore import restore
from monitoring.db.schema import audit_log, import_batches
from monitoring.db.versions import ChangeSource
from tests.conftest import (
    DEFAULT_PROTOCOL,
    REGISTERED_AT,
    ROOT,
    _create_pg_database,
    _drop_pg_database,
)
from tests.db_support import T1, T2, T3, copy_base, database_fingerprint, write_extract
from tests.waits import HANG_GUARD

TRIAL = "ino-lowdose-ph2"
EMPTY_TRIAL = "registered-only"
History = dict[str, list[tuple[datetime | None, str | None]]]


def _register(engine: sa.Engine) -> None:
    text = DEFAULT_PROTOCOL.read_text(encoding="utf-8")
    add_trial(engine, text, source="test", now=REGISTERED_AT, user="registrar")
    other = text.replace(f'id = "{TRIAL}"', f'id = "{EMPTY_TRIAL}"', 1)
    add_trial(engine, other, source="test", now=REGISTERED_AT, user="registrar")


def build_trial(url: str, folder: Path) -> None:
    """Three import batches and two corrections between them (hand-made, valid by the
    import rules: every date before its import), and a second trial with no data."""
    engine = open_database(url)
    try:
        _register(engine)
        tables = copy_base()
        import_files(engine, TRIAL, write_extract(folder / "b1", tables), now=T1, user="dm")
        key = {"patient_id": "P02", "assessment_date": "2025-02-10"}
        correct_value(
            engine,
            TRIAL,
            "responses",
            key,
            "response",
            "PR",
            reason="source",
            now=T1 + _H,
            user="s",
        )
        tables["patients"][0]["last_contact_date"] = "2025-05-02"
        tables["patients"][2]["first_dose_date"] = "2025-02-03"
        tables["responses"][2]["response"] = "PR"
        tables["responses"].append(
            {"patient_id": "P03", "assessment_date": "2025-03-03", "cycle": "1", "response": "CR"}
        )
        import_files(engine, TRIAL, write_extract(folder / "b2", tables), now=T2, user="dm")
        correct_value(
            engine, TRIAL, "patients", {"patient_id": "P01"}, "site", "UCH", reason="typo",
            now=T2 + _H, user="s",
        )  # fmt: skip
        tables["patients"][0]["site"] = "UCH"
        tables["adverse_events"].append(
            {
                "patient_id": "P03",
                "term": "Veno-occlusive disease",
                "category": "Hepatobiliary disorders",
                "grade": "3",
                "onset_date": "2025-03-10",
                "attribution": "probable",
                "serious": "Y",
            }
        )
        import_files(engine, TRIAL, write_extract(folder / "b3", tables), now=T3, user="dm")
    finally:
        engine.dispose()


_H = timedelta(hours=1)


def history(url: str) -> History:
    """Each trial's status data digest now and as known on every batch and correction."""
    engine = open_database(url)
    try:
        result: History = {}
        for trial in list_trials(engine):
            times: list[datetime | None] = [None]
            times += [b.imported_at for b in list_batches(engine, trial.id)]
            times += [
                e.changed_at
                for e in list_audit(engine, trial.id)
                if e.source is ChangeSource.CORRECTION
            ]
            result[trial.id] = [(t, _digest(engine, trial.id, t)) for t in times]
        return result
    finally:
        engine.dispose()


def chains(url: str) -> dict[str, tuple[bool, str]]:
    """Each trial's history chain as ``audit verify`` finds it: intact, and its head."""
    engine = open_database(url)
    try:
        found = {t.id: verify_chain(engine, t.id) for t in list_trials(engine)}
        return {trial: (check.ok, check.head) for trial, check in found.items()}
    finally:
        engine.dispose()


def _digest(engine: sa.Engine, trial_id: str, known: datetime | None) -> str | None:
    if latest_batch(engine, trial_id, known) is None:
        return None
    return status_of(DatabaseSource(engine), trial_id, as_known_on=known).provenance.data_digest


def fingerprint(url: str) -> dict[str, tuple[int, str]]:
    engine = open_database(url)
    try:
        return database_fingerprint(engine)
    finally:
        engine.dispose()


def _check_history_is_rich(found: History) -> None:
    """The comparison means something: 3 batches + 2 corrections + now, 5 distinct states
    (now equals the last batch), and the data-less trial has no digest."""
    digests = [d for _, d in found[TRIAL]]
    assert len(digests) == 6
    assert len(set(digests)) == 5
    assert found[EMPTY_TRIAL] == [(None, None)]


@pytest.fixture
def pg_database(pg_admin: sa.Engine) -> Iterator[str]:
    """A new, empty PostgreSQL database (no schema) of its own."""
    name = _create_pg_database(pg_admin)
    try:
        yield pg_admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_pg_database(pg_admin, name)


# ----------------------------------------------------------------------------- round trips


def test_sqlite_backup_and_restore_keep_every_digest(tmp_path: Path) -> None:
    source = str(tmp_path / "source.sqlite")
    build_trial(source, tmp_path / "extracts")
    out = tmp_path / "back ups #1 %20" / "trial.sqlite"  # URL-special characters
    out.parent.mkdir()
    result = backup(source, out)
    assert result.kind is BackupKind.SQLITE
    assert sorted(p.name for p in out.parent.iterdir()) == ["trial.sqlite"]  # one file
    conn = sqlite3.connect(f"{out.as_uri()}?mode=ro", uri=True)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    expected = history(source)
    _check_history_is_rich(expected)
    by_trial = {t.trial_id: t for t in result.trials}
    assert by_trial[TRIAL].data_digest == expected[TRIAL][0][1]
    assert by_trial[TRIAL].last_batch == 3

    target = str(tmp_path / "restored #2.sqlite")
    restored = restore(target, out)
    assert restored.verified is True
    assert history(target) == expected
    assert fingerprint(target) == fingerprint(source)
    assert chains(target) == chains(source)
    assert all(ok for ok, _ in chains(target).values())


@pytest.mark.postgres
def test_pg_dump_backup_and_restore_keep_every_digest(
    pg_database: str, pg_admin: sa.Engine, tmp_path: Path
) -> None:
    build_trial(pg_database, tmp_path / "extracts")
    out = tmp_path / "trial.dump"
    result = backup(pg_database, out)
    assert result.kind is BackupKind.PG_DUMP
    assert out.read_bytes().startswith(b"PGDMP")
    assert result.manifest == manifest_path(out)
    assert result.manifest.exists()
    expected = history(pg_database)
    _check_history_is_rich(expected)

    name = _create_pg_database(pg_admin)
    target = pg_admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        restored = restore(target, out)
        assert restored.verified is True
        assert history(target) == expected
        assert fingerprint(target) == fingerprint(pg_database)
        assert chains(target) == chains(pg_database)
        assert all(ok for ok, _ in chains(target).values())
    finally:
        _drop_pg_database(pg_admin, name)


@pytest.mark.postgres
@pytest.mark.parametrize("migrated", [False, True], ids=["no-schema", "empty-schema"])
def test_sqlite_to_postgres_keeps_digests_and_ids_then_imports_continue(
    pg_database: str, migrated: bool, tmp_path: Path
) -> None:
    """The documented move from the embedded file to a server. The next import gets ids
    after the copied ones (sequences were reset; else it would fail on a duplicate key)."""
    source = str(tmp_path / "source.sqlite")
    build_trial(source, tmp_path / "extracts")
    out = tmp_path / "trial.sqlite"
    backup(source, out)
    if migrated:
        open_database(pg_database).dispose()
    restored = restore(pg_database, out)
    assert restored.verified is True
    assert {t.table: t.rows for t in restored.copied}["import_batches"] == 3
    assert history(pg_database) == history(source)
    assert fingerprint(pg_database) == fingerprint(source)
    # The same history chain head on both backends, intact after the copy.
    assert chains(pg_database) == chains(source)
    assert all(ok for ok, _ in chains(pg_database).values())

    engine = open_database(pg_database)
    try:
        before = _max_ids(engine)
        tables = copy_base()
        tables["patients"][1]["site"] = "UCH"
        files = write_extract(tmp_path / "b4", tables)
        result = import_files(engine, TRIAL, files, now=T3 + timedelta(days=1), user="dm")
        assert result.accepted, result.problems
        after = _max_ids(engine)
    finally:
        engine.dispose()
    assert result.batch_id == before["import_batches"] + 1
    assert all(after[name] > before[name] for name in before), (before, after)


def _max_ids(engine: sa.Engine) -> dict[str, int]:
    patients = sa.table("patients", sa.column("version_id"))
    with engine.connect() as conn:
        return {
            "import_batches": conn.execute(sa.select(sa.func.max(import_batches.c.id))).scalar(),
            "audit_log": conn.execute(sa.select(sa.func.max(audit_log.c.id))).scalar(),
            "patients": conn.execute(sa.select(sa.func.max(patients.c.version_id))).scalar(),
        }


def test_a_plain_copy_of_the_sqlite_file_misses_the_last_commit(tmp_path: Path) -> None:
    """Why docs/operations.md forbids ``cp``: batch 1 is checkpointed into the main file
    (the last connection closed); while a connection is open, batch 2 lives in the -wal
    file only. A copy of the main file has batch 1 alone; the backup has both."""
    source = tmp_path / "source.sqlite"
    engine = open_database(source)
    _register(engine)
    import_files(engine, TRIAL, write_extract(tmp_path / "b1", copy_base()), now=T1, user="dm")
    engine.dispose()
    assert not source.with_name("source.sqlite-wal").exists()
    engine = open_database(source)
    try:
        tables = copy_base()
        tables["patients"][0]["site"] = "UCH"
        import_files(engine, TRIAL, write_extract(tmp_path / "b2", tables), now=T2, user="dm")
        assert source.with_name("source.sqlite-wal").stat().st_size > 0
        shutil.copyfile(source, tmp_path / "copy.sqlite")
        result = backup(str(source), tmp_path / "backup.sqlite")
    finally:
        engine.dispose()
    copied = sqlite3.connect(tmp_path / "copy.sqlite")
    assert copied.execute("SELECT max(id) FROM import_batches").fetchone() == (1,)
    copied.close()
    assert _taken(result).last_batch == 2


# ----------------------------------------------------------------------------- while writing

WRITER = """
import sys
from datetime import timedelta
from pathlib import Path
from monitoring.db.engine import open_database
from monitoring.db.importer import import_files
from tests.db_support import T3, copy_base, write_extract

url, folder, stop = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
engine = open_database(url)
i = 0
while not stop.exists():
    i += 1
    tables = copy_base()
    tables["patients"][0]["site"] = f"S{i}"
    files = write_extract(folder / str(i), tables)
    now = T3 + timedelta(minutes=i)
    assert import_files(engine, "ino-lowdose-ph2", files, now=now, user="w").accepted
"""


def _taken(result: BackupResult) -> TrialDigest:
    return {t.trial_id: t for t in result.trials}[TRIAL]


def _wait_for(condition: object, limit: float = HANG_GUARD) -> None:
    deadline = time.monotonic() + limit
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the writer made no progress"
        time.sleep(0.1)


def test_backup_while_another_process_imports_is_a_state_that_existed(
    db_url: str, tmp_path: Path
) -> None:
    """A writer process imports batch after batch during two backups. Each backup's
    digest (computed from the file written, or in pg_dump's snapshot) equals the source's
    digest as known at the backup's last batch; a later batch exists after each backup."""
    engine = open_database(db_url)
    _register(engine)
    stop = tmp_path / "stop"
    command = [sys.executable, "-c", WRITER, db_url, str(tmp_path / "w"), str(stop)]
    writer = subprocess.Popen(command, cwd=ROOT)
    try:
        _wait_for(lambda: (latest_batch(engine, TRIAL) or 0) >= 2)
        results = [backup(db_url, tmp_path / f"b{i}") for i in range(2)]
        last = max(_taken(r).last_batch or 0 for r in results)
        _wait_for(lambda: (latest_batch(engine, TRIAL) or 0) > last)
    finally:
        stop.touch()
        assert writer.wait(timeout=HANG_GUARD) == 0
    batches = {b.id: b.imported_at for b in list_batches(engine, TRIAL)}
    for result in results:
        taken = _taken(result)
        assert taken.last_batch is not None
        assert taken.data_digest == _digest(engine, TRIAL, batches[taken.last_batch])
        if result.kind is BackupKind.SQLITE:
            conn = sqlite3.connect(result.path)
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("SELECT max(id) FROM import_batches").fetchone()[0] == (
                taken.last_batch
            )
            conn.close()
    engine.dispose()


# ----------------------------------------------------------------------------- refusals


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _refused(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(args) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: "), captured.err
    return lines[0]


@pytest.fixture
def built(db_url: str, tmp_path: Path) -> str:
    """Two trials, one with an import, in a fresh database of each backend."""
    engine = open_database(db_url)
    _register(engine)
    import_files(engine, TRIAL, write_extract(tmp_path / "x", copy_base()), now=T1, user="dm")
    engine.dispose()
    return db_url


def test_backup_refuses_an_existing_file_or_a_missing_folder(
    built: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "taken").write_bytes(b"keep me")
    before = _listing(tmp_path)
    message = _refused(["backup", "--db", built, "--out", str(out / "taken")], capsys)
    assert "exists; give --force" in message
    missing = out / "no" / "such" / "b"
    message = _refused(["backup", "--db", built, "--out", str(missing)], capsys)
    assert "does not exist" in message
    assert _listing(tmp_path) == before
    assert (out / "taken").read_bytes() == b"keep me"

    assert main(["backup", "--db", built, "--out", str(out / "taken"), "--force"]) == 0
    assert (out / "taken").read_bytes() != b"keep me"
    assert f"wrote {out / 'taken'}" in capsys.readouterr().out


def test_backup_of_a_missing_sqlite_file_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none" / "db.sqlite"
    message = _refused(["backup", "--db", str(missing), "--out", str(tmp_path / "b")], capsys)
    assert message == f"error: no database file {missing}"
    assert _listing(tmp_path) == []


def test_restore_refuses_a_target_holding_trials(
    built: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "b"
    assert main(["backup", "--db", built, "--out", str(out)]) == 0
    before = fingerprint(built)
    message = _refused(["restore", "--db", built, "--from", str(out)], capsys)
    assert "holds 2 trial(s); restore goes into an empty database (give --force" in message
    assert fingerprint(built) == before
    assert main(["restore", "--db", built, "--from", str(out), "--force"]) == 0
    assert "verified: the data digest of every trial (2)" in capsys.readouterr().out
    assert fingerprint(built) == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"patient_id,site\nP01,MDA\n", "is not a backup: neither an SQLite database nor"),
        (b"", "is not a backup"),
        (b"SQLite format 3\x00" + b"\x00" * 200, "is not a readable SQLite database"),
    ],
    ids=["csv", "empty", "broken-sqlite"],
)
def test_restore_refuses_a_file_that_is_not_a_backup(
    content: bytes, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "bogus"
    bogus.write_bytes(content)
    target = tmp_path / "target.sqlite"
    message = _refused(["restore", "--db", str(target), "--from", str(bogus)], capsys)
    assert expected in message
    assert not target.exists()


def test_restore_refuses_an_sqlite_database_of_another_application(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (x TEXT)")
    conn.close()
    target = tmp_path / "target.sqlite"
    message = _refused(["restore", "--db", str(target), "--from", str(other)], capsys)
    assert message == f"error: {other} is an SQLite database but not a monitoring backup"
    assert not target.exists()
    message = _refused(["restore", "--db", str(other), "--from", str(tmp_path / "none")], capsys)
    assert "no backup file" in message


@pytest.mark.postgres
def test_restore_of_a_pg_dump_archive_checks_target_and_manifest(
    pg_database: str, pg_admin: sa.Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_trial(pg_database, tmp_path / "extracts")
    out = tmp_path / "b.dump"
    assert main(["backup", "--db", pg_database, "--out", str(out)]) == 0
    sqlite_target = tmp_path / "t.sqlite"
    message = _refused(["restore", "--db", str(sqlite_target), "--from", str(out)], capsys)
    assert "restores into a PostgreSQL database only" in message
    assert not sqlite_target.exists()

    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(out.read_bytes()[:-100])
    shutil.copyfile(manifest_path(out), manifest_path(damaged))
    name = _create_pg_database(pg_admin)
    target = pg_admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        message = _refused(["restore", "--db", target, "--from", str(damaged)], capsys)
        assert "does not match the SHA-256 recorded in damaged.dump.digests.json" in message
        engine = sa.create_engine(target)
        assert sa.inspect(engine).get_table_names() == []  # nothing restored
        engine.dispose()
    finally:
        _drop_pg_database(pg_admin, name)


def test_password_goes_to_the_environment_not_the_command_line() -> None:
    url = sa.make_url("postgresql+psycopg://mon:s3cret@db.example:5433/trials?sslmode=require")
    info = pg_client.conninfo(url)
    assert "s3cret" not in info
    assert set(info.split()) == {
        "host=db.example",
        "port=5433",
        "user=mon",
        "dbname=trials",
        "sslmode=require",
    }
    assert pg_client.environment(url)["PGPASSWORD"] == "s3cret"


def test_no_client_program_of_the_server_version_is_a_clear_error() -> None:
    with pytest.raises(DataInputError, match=r"pg_dump of PostgreSQL 99 or newer not found"):
        pg_client.find_program("pg_dump", 99)


@pytest.mark.postgres
def test_copy_takes_columns_from_the_databases_not_from_this_code(
    pg_database: str, tmp_path: Path
) -> None:
    """A column a later migration adds (here by hand on both sides, as the hash-chain
    revision adds columns) is copied with no change to ``monitoring.db.copy``; a column on
    one side only stops the copy with its name, and the target stays empty."""
    source = open_database(tmp_path / "source.sqlite")
    target = open_database(pg_database)
    try:
        _register(source)
        import_files(source, TRIAL, write_extract(tmp_path / "x", copy_base()), now=T1, user="dm")
        with source.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE patients ADD COLUMN row_hash TEXT")
            conn.exec_driver_sql("UPDATE patients SET row_hash = 'h' || version_id")
        with target.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE patients ADD COLUMN row_hash TEXT")
        query = "SELECT version_id, row_hash FROM patients ORDER BY version_id"
        with source.connect() as conn:
            expected = conn.exec_driver_sql(query).all()
        assert [h for _, h in expected] == ["h1", "h2", "h3"]

        with source.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE responses ADD COLUMN extra TEXT")
        with pytest.raises(DataInputError, match=r"responses\.extra missing in the target"):
            copy_database(source, target)
        with target.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM trials").scalar() == 0
        with target.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE responses ADD COLUMN extra TEXT")

        copy_database(source, target)
        with target.connect() as conn:
            assert conn.exec_driver_sql(query).all() == expected
    finally:
        source.dispose()
        target.dispose()


def test_json_output_and_the_database_file_itself_as_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--json`` carries the printed facts; ``--out`` naming the SQLite database itself is
    refused even with ``--force`` (it would replace the live file under its -wal)."""
    built = str(tmp_path / "source.sqlite")
    engine = open_database(built)
    _register(engine)
    import_files(engine, TRIAL, write_extract(tmp_path / "x", copy_base()), now=T1, user="dm")
    engine.dispose()
    out = tmp_path / "b"
    capsys.readouterr()
    assert main(["backup", "--db", built, "--out", str(out), "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert written["path"] == str(out)
    assert written["size"] == out.stat().st_size
    assert [t["trial_id"] for t in written["trials"]] == [TRIAL, EMPTY_TRIAL]
    assert written["trials"][1] == {
        "trial_id": EMPTY_TRIAL,
        "data_digest": None,
        "last_batch": None,
    }

    target = tmp_path / "r.sqlite"
    assert main(["restore", "--db", str(target), "--from", str(out), "--json"]) == 0
    restored = json.loads(capsys.readouterr().out)
    assert restored["verified"] is True
    assert restored["restored"] == written["trials"] == restored["expected"]

    before = fingerprint(built)
    message = _refused(["backup", "--db", built, "--out", built, "--force"], capsys)
    assert message == f"error: {built} is the database itself or one of its files"
    assert fingerprint(built) == before
