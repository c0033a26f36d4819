"""Malformed extract files: each case is one problem naming file, row and column, never a crash.

Each input is the valid base extract (tests/db_support.py) written as CSV and then broken in
one way by hand; the expected row is the spreadsheet row (header = 1) where the break was
put, the expected column the cell that holds it. Rules: docs/methods.md, "Reading files".
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from monitoring.db.errors import DataInputError
from monitoring.db.file_validation import validate_files
from monitoring.db.limits import ImportLimits
from monitoring.db.problems import MAX_MESSAGE_CHARS, ImportProblem, at_most_per_file
from monitoring.db.validation import future_limit
from tests.db_support import T1, copy_base, write_csv

LATEST = future_limit(T1, clock=T1)  # 2025-05-01 09:00 UTC is 2025-05-01 23:00 at UTC+14


def _base_bytes(tmp_path: Path, table: str = "patients") -> bytes:
    return write_csv(tmp_path / "base", table, copy_base()[table]).read_bytes()


def _check(
    tmp_path: Path, content: bytes, table: str = "patients"
) -> tuple[list[ImportProblem], list[ImportProblem]]:
    path = tmp_path / f"{table}.csv"
    path.write_bytes(content)
    _, problems, notes = validate_files([path], latest=LATEST)
    return problems, notes


def _one(tmp_path: Path, content: bytes, table: str = "patients") -> ImportProblem:
    problems, _ = _check(tmp_path, content, table)
    assert len(problems) == 1, problems
    return problems[0]


def _base_dir(tmp_path: Path) -> Path:
    (tmp_path / "base").mkdir(exist_ok=True)
    return tmp_path


# --- item 1: short rows and files cut off --------------------------------------------------


def test_file_cut_off_mid_row_is_refused(tmp_path: Path) -> None:
    """The last patient row (row 4) cut after its enrolment date: 3 of 18 cells."""
    data = _base_bytes(_base_dir(tmp_path))
    cut = data.index(b"2025-02-01") + len(b"2025-02-01")
    problem = _one(tmp_path, data[:cut])
    assert (problem.file, problem.row, problem.column) == ("patients.csv", 4, None)
    assert "ends in the middle of row 4 (3 of 18 cells): it looks cut off" in problem.message


def test_short_row_inside_the_file_is_refused(tmp_path: Path) -> None:
    text = "patient_id,enrollment_date,site\nP1,2025-01-01,A\nP2,2025-01-02\nP3,2025-01-03,B\n"
    assert _one(tmp_path, text.encode()) == ImportProblem(
        "patients.csv", 3, None, "has 2 cells, fewer than the header row (3)"
    )


def test_complete_last_row_without_line_break_is_read_with_a_note(tmp_path: Path) -> None:
    data = _base_bytes(_base_dir(tmp_path)).rstrip(b"\r\n")
    problems, notes = _check(tmp_path, data)
    assert problems == []
    assert [(n.row, n.message.split(";")[0]) for n in notes] == [
        (4, "the file does not end with a line break")
    ]


def test_quote_never_closed_names_its_row_and_cell(tmp_path: Path) -> None:
    text = 'patient_id,site,enrollment_date\nP1,"MDA,2025-01-01\nP2,UCH,2025-01-02\n'
    assert _one(tmp_path, text.encode()) == ImportProblem(
        "patients.csv", 2, "site", "a quoted cell is never closed (the file may be cut off)"
    )


def test_open_quote_in_a_large_file_gives_one_short_message(tmp_path: Path) -> None:
    """Before: pandas' message quoted the rest of the file (thousands of lines)."""
    rows = "".join(f"P{i},UCH,2025-01-02\n" for i in range(20_000))
    text = f'patient_id,site,enrollment_date\nP0,"MDA,2025-01-01\n{rows}'
    problem = _one(tmp_path, text.encode())
    assert (problem.row, problem.column) == (2, "site")
    assert "\n" not in str(problem)
    assert len(problem.message) <= MAX_MESSAGE_CHARS


def test_problems_listed_per_file_are_capped_with_a_count(tmp_path: Path) -> None:
    text = "patient_id,enrollment_date,site\n" + "P1,2025-01-01\n" * 200
    problems, _ = _check(tmp_path, text.encode())
    limit = ImportLimits().max_problems_per_file
    listed = at_most_per_file(problems, limit)
    assert len(listed) == limit + 1
    assert (
        listed[-1].message
        == f"… and {200 - limit} more row(s) with another number of cells than the header"
    )


# --- item 5: headers, delimiters, encodings, empty files -----------------------------------


@pytest.mark.parametrize(
    ("header", "column", "meant"),
    [
        ("Patient_ID", "Patient_ID", "patient_id"),
        ("patient id", "patient id", "patient_id"),
        ("PatientID", "PatientID", "patient_id"),
        ("enrolment_date", "enrolment_date", "enrollment_date"),
    ],
)
def test_misspelt_header_is_refused_with_the_known_name(
    tmp_path: Path, header: str, column: str, meant: str
) -> None:
    names = "patient_id,enrollment_date".replace(meant, header)
    problems, _ = _check(tmp_path, f"{names}\nP1,2025-01-01\n".encode())
    message = f"unknown column; did you mean '{meant}'? (names are exact, lower case)"
    assert ImportProblem("patients.csv", 1, column, message) in problems


def test_unrelated_extra_column_stays_a_note(tmp_path: Path) -> None:
    problems, notes = _check(tmp_path, b"patient_id,enrollment_date,colour\nP1,2025-01-01,b\n")
    assert problems == []
    assert [n.column for n in notes] == ["colour"]


@pytest.mark.parametrize(("delimiter", "name"), [(";", "';'"), ("\t", "tab"), ("|", "'|'")])
def test_other_delimiter_is_named(tmp_path: Path, delimiter: str, name: str) -> None:
    text = f"patient_id{delimiter}enrollment_date\nP1{delimiter}2025-01-01\n"
    assert _one(tmp_path, text.encode()) == ImportProblem(
        "patients.csv", 1, None, f"uses {name} as delimiter, expected ','"
    )


@pytest.mark.parametrize(
    ("content", "row", "message"),
    [
        (b"", None, "is empty"),
        (b"  \n\t\n\r\n   ", None, "is blank: it holds only spaces or line breaks"),
        (b"\npatient_id\nP1\n", 1, "row 1 is empty: the first row must be the header row"),
    ],
)
def test_empty_and_blank_files(
    tmp_path: Path, content: bytes, row: int | None, message: str
) -> None:
    assert _one(tmp_path, content) == ImportProblem("patients.csv", row, None, message)


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("utf-16", "is UTF-16 text; save it as CSV UTF-8"),
        ("utf-32", "is UTF-32 text; save it as CSV UTF-8"),
        ("utf-16-le", "looks like UTF-16 or UTF-32 text without a byte-order mark"),
        ("utf-16-be", "looks like UTF-16 or UTF-32 text without a byte-order mark"),
    ],
)
def test_wide_encodings_are_refused(tmp_path: Path, encoding: str, message: str) -> None:
    data = _base_bytes(_base_dir(tmp_path)).decode("utf-8").encode(encoding)
    problem = _one(tmp_path, data)
    assert (problem.row, problem.column) == (None, None)
    assert problem.message.startswith(message)


def test_latin1_byte_is_named_on_its_row_and_cell(tmp_path: Path) -> None:
    text = "patient_id,site,enrollment_date\nP1,MDA,2025-01-01\nP2,Bogotá,2025-01-02\n"
    assert _one(tmp_path, text.encode("latin-1")) == ImportProblem(
        "patients.csv", 3, "site", "is not UTF-8 text (byte 0xE1); save it as CSV UTF-8"
    )


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    problems, _ = _check(tmp_path, b"\xef\xbb\xbf" + _base_bytes(_base_dir(tmp_path)))
    assert problems == []


def test_duplicated_header_name(tmp_path: Path) -> None:
    text = "patient_id,enrollment_date,patient_id\nP1,2025-01-01,P2\n"
    assert _one(tmp_path, text.encode()) == ImportProblem(
        "patients.csv", 1, "patient_id", "column appears twice"
    )


def test_missing_key_column_is_a_problem(tmp_path: Path) -> None:
    assert _one(tmp_path, b"site,enrollment_date\nMDA,2025-01-01\n") == ImportProblem(
        "patients.csv", 1, "patient_id", "required column is missing"
    )


def test_long_row_still_named(tmp_path: Path) -> None:
    text = "patient_id,enrollment_date\nP1,2025-01-01,x\n"
    assert _one(tmp_path, text.encode()) == ImportProblem(
        "patients.csv", 2, None, "has more cells than the header row (2)"
    )


def test_text_after_a_closing_quote(tmp_path: Path) -> None:
    problem = _one(tmp_path, b'patient_id,site,enrollment_date\nP1,"MDA"x,2025-01-01\n')
    assert problem.row == 2
    assert problem.message.startswith("cannot be read as CSV")


# --- item 6: characters, identities, dates, sizes -------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("P01\u200b", "U+200B"),  # zero-width space
        ("P\ufeff01", "U+FEFF"),  # byte-order mark inside a value
        ("P\x0001", "U+0000"),  # NUL: cut by both databases before
        ("P\x1b01", "U+001B"),  # escape (C0)
        ("P\x8501", "U+0085"),  # next line (C1)
        ("P\u202e10", "U+202E"),  # right-to-left override
        ("P0\t1", "U+0009"),  # tab inside a value
    ],
)
def test_invisible_and_control_characters_are_refused(
    tmp_path: Path, value: str, code: str
) -> None:
    tables = copy_base()
    tables["patients"][1]["patient_id"] = value
    path = write_csv(tmp_path, "patients", tables["patients"])
    _, problems, _ = validate_files([path], latest=LATEST)
    assert [(p.row, p.column) for p in problems] == [(3, "patient_id")]
    assert code in problems[0].message


def test_identifiers_are_put_in_nfc(tmp_path: Path) -> None:
    """'É' typed as E + combining acute (U+0045 U+0301) is stored as U+00C9."""
    tables = copy_base()
    tables["patients"][0]["patient_id"] = "PE\u0301"
    tables["patients"][0]["site"] = "Cre\u0301teil"
    path = write_csv(tmp_path, "patients", tables["patients"])
    validated, problems, _ = validate_files([path], latest=LATEST)
    assert problems == []
    frame = validated[0].frame
    assert frame.loc[2, "patient_id"] == "P\u00c9"
    assert frame.loc[2, "site"] == "Cr\u00e9teil"


def test_dates_after_the_import_are_refused(tmp_path: Path) -> None:
    """T1 is 2025-05-01 09:00 UTC: 2025-05-01 is allowed, 2025-05-02 and 2099-12-31 are not."""
    tables = copy_base()
    tables["responses"][0]["assessment_date"] = "2099-12-31"
    tables["adverse_events"][0]["resolution_date"] = "2025-05-02"
    tables["patients"][0]["last_contact_date"] = "2025-05-01"
    paths = [write_csv(tmp_path, name, rows) for name, rows in tables.items()]
    _, problems, _ = validate_files(paths, latest=LATEST)
    assert [(p.file, p.row, p.column, p.message) for p in problems] == [
        (
            "responses.csv",
            2,
            "assessment_date",
            "2099-12-31 is in the future (after 2025-05-01)",
        ),
        (
            "adverse_events.csv",
            2,
            "resolution_date",
            "2025-05-02 is in the future (after 2025-05-01)",
        ),
    ]


def test_future_limit_takes_the_earlier_of_now_and_the_clock() -> None:
    """UTC+14 is the first zone to reach a date: 10:00 UTC is already the next day there."""
    morning = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
    evening = datetime(2025, 5, 1, 10, 0, tzinfo=UTC)
    assert future_limit(morning, clock=morning) == date(2025, 5, 1)
    assert future_limit(evening, clock=evening) == date(2025, 5, 2)
    assert future_limit(datetime(2099, 1, 1, tzinfo=UTC), clock=morning) == date(2025, 5, 1)


def test_cell_longer_than_the_limit(tmp_path: Path) -> None:
    tables = copy_base()
    tables["adverse_events"][0]["term"] = "x" * 10_001
    path = write_csv(tmp_path, "adverse_events", tables["adverse_events"])
    _, problems, _ = validate_files([path], latest=LATEST)
    assert problems == [
        ImportProblem(
            "adverse_events.csv", 2, "term", "cell is 10,001 characters long; the limit is 10,000"
        )
    ]


def test_huge_cell_is_refused_while_streaming(tmp_path: Path) -> None:
    """A 3 MB term on one line: refused after 1 MB is read, its cell named."""
    header = "patient_id,term,category,grade,onset_date\n"
    text = f"{header}P01,{'x' * 3_000_000},Hepatobiliary disorders,2,2025-01-20\n"
    problem = _one(tmp_path, text.encode(), "adverse_events")
    assert (problem.row, problem.column) == (2, "term")
    assert "passes 1,000,000 bytes" in problem.message


def test_file_over_the_size_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITORING_IMPORT_MAX_MB", "0.0001")  # 100 bytes
    data = _base_bytes(_base_dir(tmp_path))
    problem = _one(tmp_path, data)
    assert (problem.row, problem.column) == (None, None)
    assert "the limit is 0 MB per file (set MONITORING_IMPORT_MAX_MB" in problem.message
    monkeypatch.setenv("MONITORING_IMPORT_MAX_MB", "lots")
    with pytest.raises(DataInputError, match="MONITORING_IMPORT_MAX_MB='lots'"):
        validate_files([tmp_path / "patients.csv"])


# --- workbooks ------------------------------------------------------------------------------


def _book(tmp_path: Path, rows: list[list[object]], name: str = "patients") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = name
    for row in rows:
        sheet.append(row)
    path = tmp_path / "extract.xlsx"
    book.save(path)
    return path


def test_workbook_cells_are_checked_like_csv(tmp_path: Path) -> None:
    path = _book(
        tmp_path,
        [
            ["Patient_ID", "enrollment_date"],
            ["P1", "2025-01-01"],
        ],
    )
    _, problems, _ = validate_files([path], latest=LATEST)
    assert ("extract.xlsx[patients]", 1, "Patient_ID") in [
        (p.file, p.row, p.column) for p in problems
    ]
    path = _book(
        tmp_path,
        [
            ["patient_id", "enrollment_date"],
            ["P1\u200b", "2099-12-31"],
            ["P2", "2025-01-01", "beyond the header"],
        ],
    )
    _, problems, _ = validate_files([path], latest=LATEST)
    assert [(p.row, p.column) for p in problems] == [(3, None)]  # only read problems: no table
    assert problems[0].message == "has a value right of the last named column (2)"
    path = _book(tmp_path, [["patient_id", "enrollment_date"], ["P1\u200b", "2099-12-31"]])
    _, problems, _ = validate_files([path], latest=LATEST)
    assert sorted((p.row, p.column) for p in problems) == [
        (2, "enrollment_date"),
        (2, "patient_id"),
    ]


def test_damaged_and_oversize_workbooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _book(tmp_path, [["patient_id", "enrollment_date"], ["P1", "2025-01-01"]])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    problem = _one_file(path)
    assert problem.message.startswith("cannot be read as XLSX")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/huge.xml", b"0" * 2_000_000)  # compresses to about 2 kB
    path.write_bytes(buffer.getvalue())
    monkeypatch.setenv("MONITORING_IMPORT_MAX_MB", "1")
    problem = _one_file(path)
    assert "is 2.0 MB; the limit is 1 MB per file" in problem.message
    assert problem.message.endswith("(uncompressed)")


def _one_file(path: Path) -> ImportProblem:
    _, problems, _ = validate_files([path], latest=LATEST)
    assert len(problems) == 1, problems
    return problems[0]


# --- streaming: chunks of rows --------------------------------------------------------------


def test_rows_validated_in_chunks_give_the_same_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of 2 rows: the typed table equals the one read whole; a key repeated in
    another chunk is still a duplicate (P01 on rows 2 and 5)."""
    path = write_csv(tmp_path, "responses", copy_base()["responses"])
    whole, problems, _ = validate_files([path], latest=LATEST)
    assert problems == []
    monkeypatch.setattr("monitoring.db.csv_records.CHUNK_ROWS", 2)
    chunked, problems, _ = validate_files([path], latest=LATEST)
    assert problems == []
    assert chunked[0].frame.equals(whole[0].frame)
    rows = copy_base()["responses"]
    rows.append(dict(rows[0]))
    _, problems, _ = validate_files([write_csv(tmp_path, "responses", rows)], latest=LATEST)
    assert [(p.row, p.column) for p in problems] == [(5, "assessment_date")]
    assert problems[0].message == "duplicate key; first given on row 2"


def test_reading_stops_after_the_problem_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every row dated 2099: reading stops at the first chunk past 50 problems (chunks of
    10 rows: 60 problems after 6 chunks), not at the end of the 10,000 rows."""
    monkeypatch.setattr("monitoring.db.csv_records.CHUNK_ROWS", 10)
    rows = "".join(f"P{i},2099-01-01\n" for i in range(10_000))
    problems, _ = _check(tmp_path, f"patient_id,enrollment_date\n{rows}".encode())
    assert len(problems) == 61
    assert problems[-1] == ImportProblem(
        "patients.csv",
        None,
        None,
        "… and the rest of the file was not read (more than 50 problems)",
    )
