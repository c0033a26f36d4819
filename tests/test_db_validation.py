"""Validation of single files against the data dictionary (no database needed).

Each case edits one value of the valid base extract (tests/db_support.py) and expects one
problem naming the file, the spreadsheet row (header = row 1, so list index i is row i + 2)
and the column.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from monitoring.data_dictionary import PATIENTS, TABLES
from monitoring.db.file_validation import validate_files
from monitoring.db.problems import ImportProblem
from tests.db_support import copy_base, write_csv, write_extract

CASES = [
    # table, index, column, bad value, message fragment
    ("patients", 1, "enrollment_date", "", "required value is missing"),
    ("patients", 0, "enrollment_date", "06/01/2025", "not a valid ISO date"),
    ("patients", 0, "first_dose_date", "2025-1-8", "not a valid ISO date"),
    ("patients", 0, "death_date", "2025-02-30", "not a valid ISO date"),
    ("patients", 2, "age", "forty", "not a whole number"),
    ("patients", 2, "age", "41.5", "not a whole number"),
    ("patients", 2, "age", "121", "above the maximum 120"),
    ("patients", 2, "age", "-1", "below the minimum 0"),
    ("patients", 2, "salvage_line", "-1", "below the minimum 0"),
    ("patients", 0, "sex", "female", "unknown code 'female'"),
    ("responses", 0, "patient_id", "", "required value is missing"),
    ("responses", 0, "cycle", "0", "below the minimum 1"),
    ("responses", 0, "cycle", "", "required value is missing"),
    ("responses", 0, "response", "CRI", "unknown code 'CRI'"),
    ("responses", 0, "response", "", "required value is missing"),
    ("responses", 0, "marrow_blasts_pct", "5%", "not a number"),
    ("responses", 0, "marrow_blasts_pct", "100.5", "above the maximum 100"),
    ("responses", 0, "marrow_blasts_pct", "nan", "not a number"),
    ("responses", 0, "mrd_negative", "yes", "unknown code 'yes'"),
    ("responses", 0, "mrd_level", "-0.1", "below the minimum 0"),
    ("responses", 0, "mrd_level", "1_000", "not a number"),
    ("responses", 0, "mrd_level", "inf", "not a number"),
    ("responses", 0, "cycle", "3000000000", "too large for a whole-number column"),
    ("adverse_events", 0, "grade", "6", "above the maximum 5"),
    ("adverse_events", 0, "grade", "0", "below the minimum 1"),
    ("adverse_events", 0, "term", "", "required value is missing"),
    ("adverse_events", 0, "category", "", "required value is missing"),
    ("adverse_events", 0, "onset_date", "20250120", "not a valid ISO date"),
    ("adverse_events", 0, "attribution", "related", "unknown code 'related'"),
    ("adverse_events", 0, "serious", "y", "unknown code 'y'"),
]


def _problems(tmp_path: Path, tables: dict[str, list[dict[str, str]]]) -> list[ImportProblem]:
    _, problems, _ = validate_files(write_extract(tmp_path, tables))
    return problems


@pytest.mark.parametrize(("table", "index", "column", "value", "fragment"), CASES)
def test_each_bad_value_is_reported_with_file_row_and_column(
    tmp_path: Path, table: str, index: int, column: str, value: str, fragment: str
) -> None:
    tables = copy_base()
    tables[table][index][column] = value
    problems = _problems(tmp_path, tables)
    assert len(problems) == 1, problems
    p = problems[0]
    assert (p.file, p.row, p.column) == (f"{table}.csv", index + 2, column)
    assert fragment in p.message


def test_base_extract_is_valid(tmp_path: Path) -> None:
    tables, problems, notes = validate_files(write_extract(tmp_path, copy_base()))
    assert (problems, notes) == ([], [])
    assert [t.spec.name for t in tables] == ["patients", "responses", "adverse_events"]


@pytest.mark.parametrize(
    ("table", "column"), [("patients", "enrollment_date"), ("responses", "response")]
)
def test_missing_required_column_is_named_on_the_header_row(
    tmp_path: Path, table: str, column: str
) -> None:
    names = [c for c in TABLES[table].names if c != column]
    write_csv(tmp_path, table, copy_base()[table], columns=names)
    _, problems, _ = validate_files([tmp_path / f"{table}.csv"])
    assert ImportProblem(f"{table}.csv", 1, column, "required column is missing") in problems


@pytest.mark.parametrize(
    ("table", "index"), [("patients", 0), ("responses", 1), ("adverse_events", 0)]
)
def test_duplicate_keys_within_a_file(tmp_path: Path, table: str, index: int) -> None:
    tables = copy_base()
    tables[table].append(dict(tables[table][index]))
    problems = _problems(tmp_path, tables)
    dup_row = len(tables[table]) + 1
    assert len(problems) == 1
    assert (problems[0].file, problems[0].row) == (f"{table}.csv", dup_row)
    assert f"duplicate key; first given on row {index + 2}" in problems[0].message


def test_extra_columns_are_a_note_not_a_problem(tmp_path: Path) -> None:
    rows = copy_base()["patients"]
    for r in rows:
        r["favourite_colour"] = "blue"
    path = write_csv(tmp_path, "patients", rows, columns=[*PATIENTS.names, "favourite_colour"])
    _, problems, notes = validate_files([path])
    assert problems == []
    assert notes == [
        ImportProblem(
            "patients.csv", 1, "favourite_colour", "column ignored: not in the data dictionary"
        )
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    tables = copy_base()
    tables["patients"][0]["age"] = "old"
    tables["patients"][2]["sex"] = "?"
    tables["responses"][2]["response"] = "maybe"
    tables["adverse_events"][1]["grade"] = "9"
    tables["adverse_events"][1]["onset_date"] = "yesterday"
    problems = _problems(tmp_path, tables)
    assert sorted((p.file, p.row, p.column) for p in problems) == [
        ("adverse_events.csv", 3, "grade"),
        ("adverse_events.csv", 3, "onset_date"),
        ("patients.csv", 2, "age"),
        ("patients.csv", 4, "sex"),
        ("responses.csv", 4, "response"),
    ]


def test_file_level_problems(tmp_path: Path) -> None:
    (tmp_path / "labs.csv").write_text("a,b\n1,2\n")
    (tmp_path / "notes.txt").write_text("x")
    first = write_csv(tmp_path, "patients", copy_base()["patients"])
    other = tmp_path / "again"
    other.mkdir()
    second = write_csv(other, "patients", copy_base()["patients"])
    _, problems, _ = validate_files(
        [tmp_path / "labs.csv", tmp_path / "notes.txt", tmp_path / "missing.csv", first, second]
    )
    messages = {(p.file, p.message.split(";")[0].split(":")[0]) for p in problems}
    names = ", ".join(f"{table}.csv" for table in TABLES)  # the dictionary's tables
    assert ("labs.csv", f"must be named {names}") in messages
    assert ("notes.txt", "must be a .csv or .xlsx file") in messages
    assert ("missing.csv", "file not found") in messages
    assert ("patients.csv", "table 'patients' is also given by patients.csv") in messages


def test_blank_lines_keep_spreadsheet_row_numbers(tmp_path: Path) -> None:
    """Row numbers count every line as a spreadsheet shows it, blank lines included."""
    path = tmp_path / "patients.csv"
    path.write_text(
        "patient_id,enrollment_date,age\nP1,2025-01-01,50\n\n , , \nP2,2025-01-02,abc\n",
        encoding="utf-8",
    )
    _, problems, _ = validate_files([path])
    assert problems == [ImportProblem("patients.csv", 5, "age", "'abc' is not a whole number")]


def test_xlsx_sheets_are_validated_like_csv(tmp_path: Path) -> None:
    """Sheets named as tables are read; Excel date cells count as ISO dates; others are noted."""
    from datetime import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "patients"
    sheet.append(["patient_id", "enrollment_date", "age", "sex"])
    sheet.append(["P1", datetime(2025, 1, 6), 54, "F"])
    sheet.append(["P2", "2025-13-01", 61.0, "M"])
    book.create_sheet("read me").append(["anything"])
    path = tmp_path / "extract.xlsx"
    book.save(path)
    tables, problems, notes = validate_files([path])
    assert problems == [
        ImportProblem(
            "extract.xlsx[patients]",
            3,
            "enrollment_date",
            "'2025-13-01' is not a valid ISO date YYYY-MM-DD",
        )
    ]
    assert notes == [
        ImportProblem("extract.xlsx[read me]", None, None, "sheet ignored: not a table")
    ]
    frame = tables[0].frame
    assert str(frame.loc[2, "enrollment_date"].date()) == "2025-01-06"
    assert frame["age"].tolist() == [54, 61]


def test_numbers_are_parsed_exactly(tmp_path: Path) -> None:
    """Each decimal text becomes the nearest double, as Python's float() (correctly rounded);
    pandas.to_numeric would return 228762.22127045263 for the second value (one ulp off)."""
    texts = ["0.1", "228762.22127045266", "999999.9999999999", "5e-324", "1E+2", ".5"]
    rows = [
        {
            "patient_id": "P01",
            "assessment_date": f"2025-02-0{i + 1}",
            "cycle": "1",
            "response": "CR",
            "mrd_level": text,
        }
        for i, text in enumerate(texts)
    ]
    tables, problems, _ = validate_files([write_csv(tmp_path, "responses", rows)])
    assert problems == []
    assert tables[0].frame["mrd_level"].tolist() == [float(t) for t in texts]


def test_malformed_files_are_problems_not_crashes(tmp_path: Path) -> None:
    ragged = tmp_path / "patients.csv"
    ragged.write_text("patient_id,enrollment_date\nP1,2025-01-01,extra,cells\n", encoding="utf-8")
    _, problems, _ = validate_files([ragged])
    assert problems == [
        ImportProblem("patients.csv", 2, None, "has more cells than the header row (2)")
    ]
    ragged.write_bytes(b"patient_id,enrollment_date\nP\xe9,2025-01-01\n")
    _, problems, _ = validate_files([ragged])
    assert problems == [
        ImportProblem(
            "patients.csv", 2, "patient_id", "is not UTF-8 text (byte 0xE9); save it as CSV UTF-8"
        )
    ]
    book = openpyxl.Workbook()
    book.active.title = "patients"
    book.active.append(["patient_id", "enrollment_date", "patient_id"])
    book.active.append(["P1", "2025-01-01", "P2"])
    book.save(tmp_path / "dup.xlsx")
    tables, problems, _ = validate_files([tmp_path / "dup.xlsx"])
    assert problems == [
        ImportProblem("dup.xlsx[patients]", 1, "patient_id", "column appears twice")
    ]
    assert tables == []  # a file that cannot be read gives no table
