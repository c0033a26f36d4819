"""Read extract files (CSV, XLSX) into raw tables of stripped strings, one per data table.

A CSV file's table is its file name without extension; an XLSX workbook holds one sheet per
table with the same names. Values are kept as text here (``""`` = missing) so that
validation can report every bad value with its row and column; the frame's index is the
spreadsheet row number (header = row 1). A file over the size limit (``limits.py``) is
refused before it is read; a file whose structure is broken (``csv_records.py``), or whose
header repeats a name, gives problems and no table.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from monitoring.data_dictionary import TABLES, TableSpec
from monitoring.dataset_findings import DatasetCheck
from monitoring.db.csv_records import read_csv_records
from monitoring.db.headers import repeated_names
from monitoring.db.limits import ImportLimits
from monitoring.db.origins import TableOrigin
from monitoring.db.problems import HEADER_ROW, ImportProblem


@dataclass(frozen=True)
class RawTable:
    """One table as read from one file or sheet, all values text."""

    source: str
    spec: TableSpec
    frame: pd.DataFrame


ChunkCheck = Callable[[RawTable], bool]
"""Validates a chunk of one CSV table's rows; false stops reading that file."""


@dataclass(frozen=True)
class Extract:
    """What a set of files holds: raw tables, problems (fatal) and notes (not fatal); and
    the datasets compared with the product's derivation (``checks``, kept with the batch);
    and, from a reader of other formats, where each table came from (``origins``: the
    importer's problems then name the dataset, record and variable, ``origins.py``)."""

    tables: tuple[RawTable, ...]
    problems: tuple[ImportProblem, ...]
    notes: tuple[ImportProblem, ...]
    checks: tuple[DatasetCheck, ...] = ()
    origins: tuple[TableOrigin, ...] = ()


PADS = tuple(f"{a}{b}" for w in " \t\r\n" for a, b in (("\x00", w), (w, "\x00")))
RARE_SPACE = re.compile(
    r"[\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)


def _padded(values: pd.Series) -> bool:
    """Whether a cell may begin or end with white space (a few searches over the column)."""
    joined = "\x00".join(values.tolist())
    if joined != joined.strip() or any(pad in joined for pad in PADS):
        return True
    return RARE_SPACE.search(joined) is not None


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip names and values, drop nameless and repeated columns.

    The frame's index is already the spreadsheet row number, and wholly blank rows are
    already left out by the readers. A repeated name is a problem already
    (:func:`repeated_names`); its first column is kept.
    """
    frame = frame.set_axis([str(c).strip() for c in frame.columns], axis=1)
    keep = (frame.columns != "") & ~frame.columns.duplicated()
    if not keep.all():
        frame = frame.loc[:, keep]
    for name in frame.columns:  # every cell is text already ("" = empty)
        if _padded(frame[name]):
            frame[name] = frame[name].str.strip()
    return frame


def _nameless_notes(source: str, header: Sequence[str], frame: pd.DataFrame) -> list[ImportProblem]:
    """A note for each column with values under an empty header cell (its values are ignored)."""
    notes = []
    for index, name in enumerate(header):
        if not name.strip() and (frame.iloc[:, index].astype(str).str.strip() != "").any():
            message = f"column {index + 1} has no name; its values are ignored"
            notes.append(ImportProblem(source, HEADER_ROW, None, message))
    return notes


def _frame(header: Sequence[str], rows: list[list[str]], numbers: list[int]) -> pd.DataFrame:
    """Rows (each as long as the header) as a frame of text, columns numbered, rows by number."""
    cells = np.empty((len(rows), len(header)), dtype=object)
    if rows:
        cells[:] = rows
    return pd.DataFrame(cells, index=pd.Index(numbers, dtype="int64"), columns=range(len(header)))


def _read_csv(
    path: Path, spec: TableSpec, limits: ImportLimits, check: ChunkCheck | None
) -> tuple[list[RawTable], list[ImportProblem], list[ImportProblem]]:
    """The table of one CSV file; with ``check``, its rows go to ``check`` chunk by chunk
    and the table returned holds the header only."""
    source = path.name
    too_big = limits.file_size_problem(path.stat().st_size)
    if too_big is not None:
        return [], [ImportProblem(source, None, None, too_big)], []
    notes: list[ImportProblem] = []

    def sink(header: list[str], rows: list[list[str]], numbers: list[int]) -> bool:
        assert check is not None
        frame = _frame(header, rows, numbers)
        if not notes:
            notes.extend(_nameless_notes(source, header, frame))
        frame.columns = [h.strip() for h in header]
        return check(RawTable(source, spec, _finish(frame)))

    content = read_csv_records(path, source, limits, None if check is None else sink)
    header = [h.strip() for h in content.header]
    problems = content.problems + repeated_names(source, header)
    notes += content.notes
    if problems:
        return [], problems, notes
    frame = _frame(header, content.rows, content.row_numbers)
    notes += _nameless_notes(source, header, frame)
    frame.columns = header
    return [RawTable(source, spec, _finish(frame))], [], notes


def _cell_text(value: object) -> str:
    """A workbook cell as text: dates ISO, whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _unpacked_size(path: Path) -> int:
    """Total uncompressed size of a workbook's parts (0 when it is not a zip archive)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0  # openpyxl reports the damaged file


def _sheet_frame(
    rows: Iterable[tuple[object, ...]], source: str, limit: int
) -> tuple[list[str], pd.DataFrame, list[ImportProblem]]:
    """Header, frame (indexed by sheet row) and problems: a value right of the last name."""
    it = iter(rows)
    first = next(it, None)
    header = [_cell_text(v).strip() for v in first or ()]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    body: list[list[str]] = []
    numbers: list[int] = []
    problems: list[ImportProblem] = []
    for number, row in enumerate(it, start=HEADER_ROW + 1):
        cells = [_cell_text(v) for v in row]
        if any(c.strip() for c in cells[width:]) and len(problems) < limit:
            message = f"has a value right of the last named column ({width})"
            problems.append(ImportProblem(source, number, None, message))
        cells = cells[:width] + [""] * (width - len(cells))
        if any(c.strip() for c in cells):
            body.append(cells)
            numbers.append(number)
    return header, _frame(header, body, numbers), problems


def _read_sheets(
    book: Any, name: str, limits: ImportLimits
) -> tuple[list[RawTable], list[ImportProblem], list[ImportProblem]]:
    tables, problems, notes = [], [], []
    for sheet in book.worksheets:
        source = f"{name}[{sheet.title}]"
        spec = TABLES.get(sheet.title.strip())
        if spec is None:
            notes.append(ImportProblem(source, None, None, "sheet ignored: not a table"))
            continue
        rows = sheet.iter_rows(values_only=True)
        header, frame, trouble = _sheet_frame(rows, source, limits.max_problems_per_file)
        if not header:
            problems.append(ImportProblem(source, HEADER_ROW, None, "has no header row"))
            continue
        trouble += repeated_names(source, header)
        if trouble:
            problems += trouble
            continue
        notes += _nameless_notes(source, header, frame)
        frame.columns = header
        tables.append(RawTable(source, spec, _finish(frame)))
    return tables, problems, notes


def _read_xlsx(
    path: Path, limits: ImportLimits
) -> tuple[list[RawTable], list[ImportProblem], list[ImportProblem]]:
    import openpyxl

    too_big = limits.file_size_problem(max(path.stat().st_size, _unpacked_size(path)))
    if too_big is not None:
        return [], [ImportProblem(path.name, None, None, f"{too_big} (uncompressed)")], []
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            tables, problems, notes = _read_sheets(book, path.name, limits)
        finally:
            book.close()
    except Exception as exc:  # openpyxl raises many types for a damaged file
        return [], [ImportProblem(path.name, None, None, f"cannot be read as XLSX: {exc}")], []
    if not tables and not problems:
        names = ", ".join(TABLES)
        problems.append(ImportProblem(path.name, None, None, f"holds no sheet named {names}"))
    return tables, problems, notes


def read_extract(
    paths: Sequence[Path], limits: ImportLimits | None = None, check: ChunkCheck | None = None
) -> Extract:
    """Read every file; a table given twice, an unknown file name or type is a problem.

    ``limits`` default to :meth:`ImportLimits.from_environment`. With ``check``, the rows
    of CSV files go to it chunk by chunk (see :func:`_read_csv`).
    """
    limits = limits or ImportLimits.from_environment()
    tables: list[RawTable] = []
    problems: list[ImportProblem] = []
    notes: list[ImportProblem] = []
    for path in paths:
        suffix = path.suffix.lower()
        if not path.is_file():
            problems.append(ImportProblem(path.name, None, None, "file not found"))
        elif suffix == ".csv":
            spec = TABLES.get(path.stem)
            if spec is None:
                names = ", ".join(f"{t}.csv" for t in TABLES)
                problems.append(ImportProblem(path.name, None, None, f"must be named {names}"))
                continue
            found, trouble, remarks = _read_csv(path, spec, limits, check)
            tables += found
            problems += trouble
            notes += remarks
        elif suffix == ".xlsx":
            found, trouble, remarks = _read_xlsx(path, limits)
            tables += found
            problems += trouble
            notes += remarks
        else:
            problems.append(ImportProblem(path.name, None, None, "must be a .csv or .xlsx file"))
    problems += _repeated_tables(tables)
    return Extract(tuple(tables), tuple(problems), tuple(notes))


def _repeated_tables(tables: Sequence[RawTable]) -> list[ImportProblem]:
    first: dict[str, str] = {}
    problems = []
    for table in tables:
        name = table.spec.name
        if name in first:
            message = f"table '{name}' is also given by {first[name]}; give each table once"
            problems.append(ImportProblem(table.source, None, None, message))
        else:
            first[name] = table.source
    return problems
