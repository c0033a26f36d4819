"""Malformed input against a database, on both backends: refused, nothing changed, no crash.

One example per class of bad input (tests/test_db_malformed.py checks every case on files
alone). The base extract is tests/db_support.py's, imported at T1 (2025-05-01 09:00 UTC);
each case then imports a broken copy at T2 and compares a checksum of every table.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitoring.cli import main
from monitoring.db.corrections import correct_value
from monitoring.db.errors import DataInputError
from monitoring.db.importer import import_files
from monitoring.db.reading import load_trial_data
from tests.conftest import DEFAULT_PROTOCOL
from tests.db_support import T1, T2, copy_base, database_fingerprint, write_csv, write_extract


@pytest.fixture
def loaded(engine: sa.Engine, trial: str, tmp_path: Path) -> str:
    files = write_extract(tmp_path / "base", copy_base())
    assert import_files(engine, trial, files, now=T1, user="u").accepted
    return trial


def _refused(engine: sa.Engine, trial: str, path: Path) -> list[tuple[int | None, str | None]]:
    before = database_fingerprint(engine)
    result = import_files(engine, trial, [path], now=T2, user="u")
    assert not result.accepted
    assert database_fingerprint(engine) == before
    return [(p.row, p.column) for p in result.problems]


def test_missing_key_column_is_refused_not_a_crash(
    engine: sa.Engine, loaded: str, tmp_path: Path
) -> None:
    """Before: ValueError 'The column label patient_id is not unique' from staging.overlay."""
    rows = copy_base()["patients"]
    path = write_csv(tmp_path, "patients", rows, columns=["site", "enrollment_date"])
    assert _refused(engine, loaded, path) == [(1, "patient_id")]


def test_file_cut_off_mid_row_changes_nothing(
    engine: sa.Engine, loaded: str, tmp_path: Path
) -> None:
    """Before: accepted as '1 changed' with P03's later dates set to None."""
    (tmp_path / "full").mkdir()
    data = write_csv(tmp_path / "full", "patients", copy_base()["patients"]).read_bytes()
    path = tmp_path / "patients.csv"
    path.write_bytes(data[: data.index(b"2025-02-01") + 10])
    assert _refused(engine, loaded, path) == [(4, None)]


def test_zero_width_space_does_not_make_a_new_patient(
    engine: sa.Engine, loaded: str, tmp_path: Path
) -> None:
    tables = copy_base()
    tables["patients"][0]["patient_id"] = "P01\u200b"
    assert _refused(engine, loaded, write_csv(tmp_path, "patients", tables["patients"])) == [
        (2, "patient_id")
    ]


def test_decomposed_and_composed_identifiers_are_one_patient(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    tables = copy_base()
    tables["patients"][2]["patient_id"] = "P\u00c903"  # precomposed É
    first = import_files(engine, trial, write_extract(tmp_path / "a", tables), now=T1, user="u")
    assert first.accepted, first.problems
    tables["patients"][2]["patient_id"] = "PE\u030103"  # E + combining acute accent
    again = import_files(engine, trial, write_extract(tmp_path / "b", tables), now=T2, user="u")
    assert again.accepted, again.problems
    assert [(c.table, c.added, c.changed) for c in again.counts] == [
        ("patients", 0, 0),
        ("responses", 0, 0),
        ("adverse_events", 0, 0),
    ]
    assert "P\u00c903" in load_trial_data(engine, trial).patients["patient_id"].tolist()


def test_future_date_does_not_move_the_cut_off(
    engine: sa.Engine, loaded: str, tmp_path: Path
) -> None:
    """Before: a response dated 2099-12-31 was stored and became the default cut-off."""
    tables = copy_base()
    tables["responses"][0]["assessment_date"] = "2099-12-31"
    path = write_csv(tmp_path, "responses", tables["responses"])
    assert _refused(engine, loaded, path) == [(2, "assessment_date")]


def test_corrections_meet_the_same_cell_rules(engine: sa.Engine, loaded: str) -> None:
    def correct(key: dict[str, str], column: str, value: str) -> None:
        correct_value(engine, loaded, "patients", key, column, value, reason="r", now=T2, user="u")

    before = database_fingerprint(engine)
    for value, fragment in [
        ("MDA\x00", "U+0000"),
        ("M\u200bDA", "U+200B"),
        ("x" * 10_001, "10,001 characters"),
    ]:
        with pytest.raises(DataInputError, match=f"site: .*{re.escape(fragment)}"):
            correct({"patient_id": "P01"}, "site", value)
    with pytest.raises(DataInputError, match="death_date: 2099-12-31 is in the future"):
        correct({"patient_id": "P01"}, "death_date", "2099-12-31")
    with pytest.raises(DataInputError, match=r"key patient_id: .*U\+200B"):
        correct({"patient_id": "P01\u200b"}, "site", "UCH")
    assert database_fingerprint(engine) == before


def test_cli_refuses_a_misspelt_header_with_exit_2(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trial", "add", "--db", db_url, "--protocol", str(DEFAULT_PROTOCOL)]) == 0
    path = tmp_path / "patients.csv"
    path.write_text("Patient_ID,enrollment_date\nP1,2025-01-01\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["import", "--db", db_url, str(path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == (
        "patients.csv:1:Patient_ID: unknown column; did you mean 'patient_id'? "
        "(names are exact, lower case)"
    )
    assert lines[-1] == "error: import rejected (2 problem(s)); nothing was changed"
