"""Bad command lines: exit status 2 with one line on stderr (SPEC 6), and for bad paths
and URLs nothing created or changed on disk (issue 11, item 10)."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from monitoring.cli import main
from monitoring.db import engine as engine_module
from monitoring.db.engine import open_database


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["design", "toxicity", "--prior-a", "0.4"], "required: --prior-b"),
        (
            [
                "design",
                "toxicity",
                "--prior-a",
                "-1",
                "--prior-b",
                "1.6",
                "--threshold",
                "0.2",
                "--confidence",
                "0.92",
                "--cohort",
                "8",
                "--nmax",
                "48",
            ],
            "must be positive",
        ),
        (
            [
                "design",
                "toxicity",
                "--prior-a",
                "0.4",
                "--prior-b",
                "1.6",
                "--threshold",
                "0.2",
                "--confidence",
                "0.92",
                "--cohort",
                "8",
                "--nmax",
                "1",
            ],
            "--nmax",
        ),
        (
            ["design", "simon", "--p0", "0.5", "--p1", "0.3", "--alpha", "0.1", "--beta", "0.2"],
            "must exceed --p0",
        ),
        (
            ["design", "simon", "--p0", "0.3", "--p1", "0.5", "--alpha", "1.5", "--beta", "0.2"],
            "--alpha",
        ),
        (["no-such-command"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(argv)
    except SystemExit as stop:
        code = int(stop.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    assert fragment in err
    assert err.count("\n") == 1, err


# --- Bad paths and URLs (issue 11, item 10): exit 2, one line naming it, nothing created ---

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"  # the first bytes of any PNG file
READ_COMMANDS = [
    ["status"],
    ["km", "--endpoint", "OS"],
    ["tables"],
    ["quality"],
    ["audit"],
    ["trial", "list"],
    ["report", "--format", "xlsx", "--out", "summary.xlsx"],
    ["report", "list"],
    ["report", "sent", "--id", "1", "--by", "me"],
    [
        *("correct", "--table", "patients", "--key", "patient_id=P001", "--column", "site"),
        *("--value", "X", "--reason", "r"),
    ],
]


def _main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as stop:
        code = int(stop.code or 0)
    return code, capsys.readouterr().err


def _tree(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for a directory)."""
    return {
        str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
    }


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str], *named: str) -> str:
    code, err = _main(argv, capsys)
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for text in named:
        assert text in err, (text, err)
    return err


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo trial in an SQLite file, made once (copied by tests that change it)."""
    path = tmp_path_factory.mktemp("demo") / "trial.sqlite"
    assert main(["demo", "--db", str(path)]) == 0
    return path


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_read_commands_never_create_a_database(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """Only demo, trial add and import may create a database: a missing file (or folder)
    is named, and neither is created."""
    monkeypatch.chdir(tmp_path)
    for missing in (tmp_path / "trial.sqlite", tmp_path / "absent" / "trial.sqlite"):
        _refused([*command, "--db", str(missing)], capsys, str(missing), "no database at")
    assert _tree(tmp_path) == {}


NOT_DATABASES = [
    (b"patient_id,site\nP001,A\n", "file is not a database"),  # a text file
    (PNG, "file is not a database"),
]


@pytest.mark.parametrize(
    ("command", "content", "message"),
    [
        *((c, *case) for c in (["status"], ["trial", "list"], ["demo"]) for case in NOT_DATABASES),
        # an empty file is a valid empty SQLite database: demo may fill it, a read may not
        *((c, b"", "not a monitoring database") for c in (["status"], ["trial", "list"])),
    ],
)
def test_a_file_that_is_no_database_is_refused_and_unchanged(
    command: list[str],
    content: bytes,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    _refused([*command, "--db", str(path)], capsys, str(path), message)
    assert _tree(tmp_path) == {"notes.db": content}  # no -wal/-shm, bytes unchanged


def test_a_foreign_sqlite_database_is_not_touched_by_a_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another program's database is refused by a read command, byte for byte unchanged
    (an ordinary connection would switch it to WAL mode)."""
    path = tmp_path / "other.sqlite"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
    before = _tree(tmp_path)
    _refused(["status", "--db", str(path)], capsys, str(path), "not a monitoring database")
    assert _tree(tmp_path) == before


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("mysql://user:secret@db.example/trials", "mysql://user:***@db.example/trials"),
        ("oracle://user@db.example/trials", "unsupported database backend 'oracle'"),
        ("postgresql+pg8000://user@127.0.0.1:1/t", "driver is not installed"),
        ("postgresql://user:secret@127.0.0.1:1/t", "postgresql+psycopg://user:***@127.0.0.1:1/t"),
        ("sqlite:///{tmp}/absent/x.sqlite", "{tmp}/absent/x.sqlite"),
    ],
)
def test_unsupported_or_unreachable_urls(
    url: str, shown: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Port 1 on loopback refuses connections at once; no password is ever printed."""
    url, shown = url.format(tmp=tmp_path), shown.format(tmp=tmp_path)
    for command in (["status"], ["demo"]):
        err = _refused([*command, "--db", url], capsys, shown)
        assert "secret" not in err
    assert _tree(tmp_path) == {}


def test_demo_does_not_create_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "absent" / "trial.sqlite"
    _refused(["demo", "--db", str(path)], capsys, str(path.parent))
    _refused(["demo", "--db", str(tmp_path)], capsys, "is a directory")
    assert _tree(tmp_path) == {}


@pytest.mark.postgres
def test_read_command_on_an_empty_postgres_database_creates_no_schema(
    postgres_admin_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = sa.create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    name = f"empty_{uuid.uuid4().hex}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(postgres_admin_url).set(database=name)
    try:
        _refused(["status", "--db", url.render_as_string(hide_password=False)], capsys, name)
        probe = sa.create_engine(url)
        with probe.connect() as conn:
            assert sa.inspect(conn).get_table_names() == []
        probe.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("{tmp}", "is a directory"),
        ("{tmp}/absent/summary.xlsx", "no directory '{tmp}/absent'"),
        ("{db}/summary.xlsx", "no directory '{db}'"),  # a file where a folder should be
        ("/proc/summary.xlsx", "cannot write '/proc/summary.xlsx'"),  # refused even to root
    ],
    ids=["directory", "missing-folder", "file-as-folder", "unwritable"],
)
def test_report_out_must_be_a_writable_file_in_an_existing_folder(
    out: str,
    message: str,
    demo_db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = tmp_path / "trial.sqlite"
    shutil.copyfile(demo_db, db)
    out, message = out.format(tmp=tmp_path, db=db), message.format(tmp=tmp_path, db=db)
    before = _tree(tmp_path)
    commands = [["report", "--format", "xlsx"]]
    if not out.startswith("/proc"):  # refused before the report is looked up
        commands.append(["report", "regenerate", "--id", "1"])
    for command in commands:
        _refused([*command, "--db", str(db), "--out", out], capsys, message)
    after = _tree(tmp_path)
    assert after.keys() == before.keys()  # no folder, no report file, no partial file
    reports = sa.create_engine(f"sqlite:///{db}")
    with reports.connect() as conn:  # nothing recorded either
        assert conn.execute(sa.text("SELECT count(*) FROM reports")).scalar_one() == 0
    reports.dispose()


def test_a_key_column_given_twice_is_refused(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``patient_id=P002,patient_id=P003`` used to correct P003 (the later value won)."""
    db = tmp_path / "trial.sqlite"
    shutil.copyfile(demo_db, db)
    before = db.read_bytes()
    argv = ["correct", "--db", str(db), "--table", "patients", "--column", "site"]
    argv += ["--key", "patient_id=P002,patient_id=P003", "--value", "X", "--reason", "typo"]
    _refused(argv, capsys, "patient_id=P002,patient_id=P003", "'patient_id' twice")
    assert db.read_bytes() == before


@pytest.mark.parametrize("command", [["trial", "add", "--db", "{db}"], ["design", "audit"]])
def test_a_binary_protocol_file_is_refused(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    protocol = tmp_path / "protocol.png"
    protocol.write_bytes(PNG)
    argv = [c.format(db=tmp_path / "t.sqlite") for c in command]
    _refused([*argv, "--protocol", str(protocol)], capsys, str(protocol), "not UTF-8")
    assert _tree(tmp_path) == {"protocol.png": PNG}


def _process(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitoring", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_whole_process_runs_exit_2_without_traceback(demo_db: Path, tmp_path: Path) -> None:
    """The same refusals as above, as a user meets them: a new Python process each."""
    db = tmp_path / "trial.sqlite"
    shutil.copyfile(demo_db, db)
    (tmp_path / "notes.txt").write_text("not a database\n")
    before = _tree(tmp_path)
    cases = [
        (["status", "--db", "mysql://u:secret@h/db"], "unsupported database backend 'mysql'"),
        (["status", "--db", "notes.txt"], "file is not a database"),
        (["status", "--db", "missing.sqlite"], "missing.sqlite"),
        (["report", "--db", str(db), "--format", "pdf", "--out", "."], "is a directory"),
        (["report", "--db", str(db), "--format", "pdf", "--out", "no/x.pdf"], "no directory"),
        (
            [
                *("correct", "--db", str(db), "--table", "patients", "--column", "site"),
                *("--key", "patient_id=P002,patient_id=P003", "--value", "X", "--reason", "r"),
            ],
            "twice",
        ),
    ]
    for argv, message in cases:
        done = _process(*argv, cwd=tmp_path)
        assert done.returncode == 2, (argv, done.stderr)
        assert message in done.stderr, (argv, done.stderr)
        assert done.stderr.count("\n") == 1, done.stderr
    assert _tree(tmp_path) == before


def test_the_default_database_folder_is_made_when_creating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-user default file (named or not, as scripts/run.sh names it) is the one
    database whose folder is made: a first start on a fresh machine creates it."""
    default = tmp_path / "data" / "trial-monitoring" / "monitoring.sqlite"
    monkeypatch.setattr(engine_module, "default_database_path", lambda: default)
    open_database(str(default), create=True).dispose()
    assert default.is_file()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["trial", "add", "--protocol", "/dev/null"], "key 'id'"),  # not a protocol
        (["import", "/dev/null"], "holds no trial"),
        (["demo", "--seed", "-1"], "must be 0 or more"),  # numpy refused it with a traceback
    ],
)
def test_a_refused_first_command_leaves_no_database(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """demo, trial add and import may create the database, but not when they are refused."""
    _refused([*argv, "--db", str(tmp_path / "new.sqlite")], capsys, message)
    assert _tree(tmp_path) == {}
