"""Fuzz test of the import: malformed CSV and XLSX extracts of every class of issue 11.

Cases come from tests/import_fuzzing.py (the base extract broken one way: cut at a random
byte, short and long rows, other delimiters and encodings, bad, missing and repeated header
names, stray quotes, control and zero-width characters, future dates, huge cells, decomposed
identifiers). For each: a correct import (stored rows equal the file's, read back
independently) or a refusal naming the files with bounded one-line messages and the database
checksum unchanged; never an exception. SQLite only (one example per class runs on both
backends in tests/test_db_malformed_import.py); seeded and bounded (derandomize=True).
A longer run: scripts/fuzz_import.py.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitoring.cli import main
from monitoring.db.engine import open_database
from monitoring.db.importer import import_files
from monitoring.db.repository import add_trial
from tests.conftest import DEFAULT_PROTOCOL, REGISTERED_AT, ROOT
from tests.db_support import T1, copy_base, database_fingerprint, write_extract
from tests.import_fuzzing import KINDS, MUST_REFUSE, NOW, Case, judge, make_case

FUZZ = settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CASES = st.builds(
    make_case,
    st.integers(0, 2**32 - 1).map(random.Random),
    st.sampled_from(KINDS),
    st.sampled_from(["csv", "csv", "xlsx"]),
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database holding the default trial and the base extract, imported at T1."""
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "base.sqlite"
    engine = open_database(path)
    trial = add_trial(
        engine,
        DEFAULT_PROTOCOL.read_text(encoding="utf-8"),
        source="t",
        now=REGISTERED_AT,
        user="u",
    ).id
    assert import_files(engine, trial, write_extract(folder / "x", copy_base()), now=T1, user="u")
    engine.dispose()
    return path


def _copy(template: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "trial.sqlite"
    shutil.copyfile(template, path)
    return path


@FUZZ
@given(case=CASES)
def test_every_malformed_extract_is_imported_correctly_or_refused_cleanly(
    template: Path, tmp_path_factory: pytest.TempPathFactory, case: Case
) -> None:
    folder = tmp_path_factory.mktemp("case")
    engine = open_database(_copy(template, folder))
    try:
        before = database_fingerprint(engine)
        result = import_files(engine, None, case.write(folder / "files"), now=NOW, user="fuzz")
        assert judge(engine, result.trial_id, case, result, before) == []
    finally:
        engine.dispose()


@settings(FUZZ, max_examples=15)
@given(case=CASES)
def test_the_command_line_exits_0_or_2_with_one_line_per_problem(
    template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    case: Case,
) -> None:
    folder = tmp_path_factory.mktemp("cli")
    db = str(_copy(template, folder))
    paths = [str(p) for p in case.write(folder / "files")]
    capsys.readouterr()
    code = main(["import", "--db", db, *paths])
    assert code in (0, 2)
    if case.kind in MUST_REFUSE:
        assert code == 2
    lines = capsys.readouterr().err.splitlines()
    if code == 2:
        assert lines[-1].startswith("error: import rejected")
        assert len(lines) <= 4 * (50 + 1) + 1  # at most 50 + a count per file or sheet
    assert all(len(line) < 500 for line in lines)


@pytest.mark.parametrize(
    ("kind", "fmt"), [("truncate", "csv"), ("encoding", "csv"), ("zero_width", "xlsx")]
)
def test_a_sample_in_a_real_process_exits_2_without_a_traceback(
    template: Path, tmp_path: Path, kind: str, fmt: str
) -> None:
    """A separate ``python -m monitoring import`` process: exit 2, one line per problem."""
    case = make_case(random.Random(7), kind, fmt)
    if kind == "truncate":  # cut inside the last row: always a refusal
        data = case.files[next(iter(case.files))]
        case.files[next(iter(case.files))] = data[: len(data) - 3]
    db = str(_copy(template, tmp_path))
    engine = open_database(db)
    before = database_fingerprint(engine)
    paths = [str(p) for p in case.write(tmp_path / "files")]
    done = subprocess.run(
        [sys.executable, "-m", "monitoring", "import", "--db", db, *paths],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines[-1].startswith("error: import rejected")
    problems = [line for line in lines[:-1] if not line.startswith("note: ")]
    assert problems
    assert all(line.startswith(tuple(case.files)) for line in problems)
    assert database_fingerprint(engine) == before
    engine.dispose()
