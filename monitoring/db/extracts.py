"""Read extract files (CSV, XLSX) into raw tables of stripped strings, one per data table.

A CSV file's table is its file name without extension; an XLSX workbook holds one sheet per
table with the same names. Values are kept as text here (``""`` = missing) so that
validation can report every bad value with its row and column; the frame's index is the
spreadsheet row number (header = row 1).
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from monitoring.db.problems import HEADER_ROW, ImportProblem
from monitoring.tables import TABLES, TableSpec


@dataclass(frozen=True)
class RawTable:
    """One table as read from one file or sheet, all values text."""

    source: str
    spec: TableSpec
    frame: pd.DataFrame


@dataclass(frozen=True)
class Extract:
    """What a set of files holds: raw tables, problems (fatal) and notes (not fatal)."""

    tables: tuple[RawTable, ...]
    problems: tuple[ImportProblem, ...]
    notes: tuple[ImportProblem, ...]


def _header_problems(source: str, header: Sequence[str]) -> list[ImportProblem]:
    seen: set[str] = set()
    problems = []
    for name in header:
        if name and name in seen:
            problems.append(ImportProblem(source, HEADER_ROW, name, "column appears twice"))
        seen.add(name)
    return problems


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip values, number rows as a spreadsheet does and drop wholly empty rows."""
    frame = frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.loc[:, ~frame.columns.duplicated()]  # a repeated header is a problem already
    for name in frame.columns:
        frame[name] = frame[name].fillna("").astype(str).str.strip()
    frame.index = pd.RangeIndex(HEADER_ROW + 1, HEADER_ROW + 1 + len(frame))
    if len(frame.columns):
        frame = frame[(frame != "").any(axis=1)]
    return frame


def _long_rows(path: Path, width: int) -> list[int]:
    """Spreadsheet row numbers of the records holding more cells than the header."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [n for n, row in enumerate(csv.reader(handle), start=1) if len(row) > width]


def _read_csv(path: Path, spec: TableSpec) -> tuple[list[RawTable], list[ImportProblem]]:
    source = path.name
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = [h.strip() for h in next(csv.reader(handle), [])]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                encoding="utf-8-sig",
                index_col=False,
            )
    except UnicodeDecodeError:
        return [], [ImportProblem(source, None, None, "is not UTF-8 text")]
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        return [], [ImportProblem(source, None, None, f"cannot be read as CSV: {exc}".strip())]
    if not header:
        return [], [ImportProblem(source, HEADER_ROW, None, "has no header row")]
    problems = _header_problems(source, header)
    if caught:
        message = f"has more cells than the header row ({len(header)})"
        problems += [ImportProblem(source, n, None, message) for n in _long_rows(path, len(header))]
    return [RawTable(source, spec, _finish(frame))], problems


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


def _sheet_frame(rows: Iterable[tuple[object, ...]]) -> tuple[list[str], pd.DataFrame]:
    it = iter(rows)
    first = next(it, None)
    header = [_cell_text(v).strip() for v in first or ()]
    while header and not header[-1]:
        header.pop()
    body = [[_cell_text(v) for v in row[: len(header)]] for row in it]
    body = [row + [""] * (len(header) - len(row)) for row in body]
    return header, pd.DataFrame(body, columns=header, dtype=object)


def _read_xlsx(path: Path) -> tuple[list[RawTable], list[ImportProblem], list[ImportProblem]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        return [], [ImportProblem(path.name, None, None, f"cannot be read as XLSX: {exc}")], []
    tables, problems, notes = [], [], []
    try:
        for sheet in book.worksheets:
            source = f"{path.name}[{sheet.title}]"
            spec = TABLES.get(sheet.title.strip())
            if spec is None:
                notes.append(ImportProblem(source, None, None, "sheet ignored: not a table"))
                continue
            header, frame = _sheet_frame(sheet.iter_rows(values_only=True))
            if not header:
                problems.append(ImportProblem(source, HEADER_ROW, None, "has no header row"))
                continue
            problems += _header_problems(source, header)
            tables.append(RawTable(source, spec, _finish(frame)))
    finally:
        book.close()
    if not tables and not problems:
        names = ", ".join(TABLES)
        problems.append(ImportProblem(path.name, None, None, f"holds no sheet named {names}"))
    return tables, problems, notes


def read_extract(paths: Sequence[Path]) -> Extract:
    """Read every file; a table given twice, an unknown file name or type is a problem."""
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
            found, trouble = _read_csv(path, spec)
            tables += found
            problems += trouble
        elif suffix == ".xlsx":
            found, trouble, remarks = _read_xlsx(path)
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
