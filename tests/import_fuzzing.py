"""Malformed extracts for the import fuzz test and ``scripts/fuzz_import.py``.

A case is the valid base extract of tests/db_support.py broken in one way (``KINDS``),
written as CSV or XLSX, together with the oracle that judges the importer's answer: a
refusal naming the files, with bounded one-line messages and the database unchanged, or an
acceptance whose stored rows are exactly what the file says (read back independently with
the ``csv`` module or openpyxl). Kinds in ``MUST_REFUSE`` may never be accepted.

In every file the last column is a required date, so a file cut off inside its last row
can never pass as complete: a cut date is not a date, and a cut before it leaves a row short.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import sqlalchemy as sa

from monitoring.data_dictionary import TABLES, ColumnType
from monitoring.db.importer import ImportResult
from monitoring.db.problems import MAX_MESSAGE_CHARS
from monitoring.db.reading import load_trial_data
from monitoring.db.versions import value_text
from tests.db_support import T1, copy_base, database_fingerprint

NOW = T1 + timedelta(days=7)  # the fuzzed import runs a week after the base import
LAST = {
    "patients": "enrollment_date",
    "responses": "assessment_date",
    "adverse_events": "onset_date",
}
KINDS = (
    "valid",
    "truncate",
    "short_row",
    "long_row",
    "delimiter",
    "encoding",
    "header",
    "missing_column",
    "duplicate_column",
    "quote",
    "control",
    "zero_width",
    "future_date",
    "huge_cell",
    "nfc",
)
CSV_ONLY = frozenset({"delimiter", "encoding", "quote"})  # a workbook has no such bytes
MUST_REFUSE = frozenset(
    {
        "short_row",
        "long_row",
        "delimiter",
        "duplicate_column",
        "control",
        "zero_width",
        "future_date",
        "huge_cell",
    }
)
CONTROL = [chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u00ad", "\u2028"]
XLSX_SAFE_CONTROL = ["\t", "\n", "\r"]  # openpyxl refuses the other C0 characters


@dataclass
class Case:
    """Files to import and what was done to them."""

    kind: str
    fmt: str
    files: dict[str, bytes] = field(default_factory=dict)  # file name -> content

    def write(self, directory: Path) -> list[Path]:
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, content in self.files.items():
            path = directory / name
            path.write_bytes(content)
            paths.append(path)
        return paths


Grid = list[list[str]]  # header row then data rows, as cells of text


def _grid(table: str) -> Grid:
    names = [n for n in TABLES[table].names if n != LAST[table]] + [LAST[table]]
    rows = copy_base()[table]
    return [names] + [[row.get(n, "") for n in names] for row in rows]


def _csv_text(grid: Grid, rng: random.Random, delimiter: str = ",") -> str:
    out = io.StringIO()
    terminator = rng.choice(["\n", "\r\n"])
    csv.writer(out, delimiter=delimiter, lineterminator=terminator).writerows(grid)
    return out.getvalue()


def _xlsx_bytes(grids: dict[str, Grid]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, grid in grids.items():
        sheet = book.create_sheet(name)
        for row in grid:
            sheet.append([cell if cell != "" else None for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(grid: Grid, rng: random.Random) -> tuple[int, int]:
    return rng.randrange(1, len(grid)), rng.randrange(len(grid[0]))


def _insert_inside(text: str, ch: str, rng: random.Random) -> str:
    """``ch`` strictly inside ``text`` (never at an end, where stripping would remove it)."""
    text = text if len(text) >= 2 else f"{text}ab"
    at = rng.randrange(1, len(text))
    return text[:at] + ch + text[at:]


def _mutate_grid(kind: str, grid: Grid, rng: random.Random, fmt: str) -> Grid:
    grid = [list(row) for row in grid]
    r, c = _cell(grid, rng)
    if kind == "valid" and "site" in grid[0]:
        grid[r][grid[0].index("site")] = _text(rng)
    elif kind == "short_row":
        grid[r] = grid[r][: rng.randrange(1, len(grid[r]))]
        grid[r][0] = grid[r][0] or "P01"
    elif kind == "long_row":
        grid[r] = grid[r] + ["x"] * rng.randint(1, 3)
    elif kind == "header":
        name = grid[0][c]
        grid[0][c] = rng.choice([name.upper(), name.title(), name.replace("_", " "), name[:-1]])
    elif kind == "missing_column":
        for row in grid:
            del row[c]
    elif kind == "duplicate_column":
        other = rng.randrange(len(grid[0]))
        grid[0][other] = grid[0][c] if other != c else grid[0][c - 1]
    elif kind in ("control", "zero_width"):
        pool = ZERO_WIDTH if kind == "zero_width" else CONTROL
        pool = XLSX_SAFE_CONTROL if fmt == "xlsx" and kind == "control" else pool
        grid[r][c] = _insert_inside(grid[r][c], rng.choice(pool), rng)
    elif kind == "future_date":
        dates = [i for i, n in enumerate(grid[0]) if TABLES_TYPES[n] is ColumnType.DATE]
        later = NOW.date() + timedelta(days=rng.choice([2, 30, 365, 27_000]))
        grid[r][rng.choice(dates)] = later.isoformat()
    elif kind == "huge_cell":
        size = rng.choice([10_001, 50_000, 1_200_000])
        grid[r][c] = "x" * size
    elif kind == "nfc":
        grid[r][0] = unicodedata.normalize("NFD", "P\u00c9" + grid[r][0])
    return grid


TABLES_TYPES = {c.name: c.type for spec in TABLES.values() for c in spec.columns}


def _text(rng: random.Random) -> str:
    """A printable site name that needs quoting now and then."""
    alphabet = "abcXYZ ,;\"'é中-"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))).strip() or "S"


def _csv_bytes(kind: str, grid: Grid, rng: random.Random) -> bytes:
    if kind == "delimiter":
        return _csv_text(grid, rng, rng.choice([";", "\t"])).encode()
    text = _csv_text(grid, rng)
    if kind == "quote":
        at = rng.randrange(len(text))
        return (text[:at] + '"' + text[at:]).encode()
    if kind == "encoding":
        encoding = rng.choice(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252"])
        if encoding in ("latin-1", "cp1252"):
            text = text.replace("MDA", "Bogotá", 1)
        return text.encode(encoding)
    data = text.encode()
    if kind == "truncate":
        return data[: rng.randrange(len(data))]
    return data


def make_case(rng: random.Random, kind: str, fmt: str) -> Case:
    """One broken extract of ``kind`` (one of :data:`KINDS`) as ``fmt`` (csv or xlsx)."""
    kind = "valid" if fmt == "xlsx" and kind in CSV_ONLY else kind
    tables = rng.sample(list(LAST), rng.randint(1, 3))  # the three tables it writes
    broken = rng.choice(tables)
    grids = {t: _grid(t) for t in tables}
    grids[broken] = _mutate_grid(kind, grids[broken], rng, fmt)
    case = Case(kind, fmt)
    if fmt == "xlsx":
        data = _xlsx_bytes(grids)
        if kind == "truncate":
            data = data[: rng.randrange(len(data))]
        case.files["extract.xlsx"] = data
        return case
    for table, grid in grids.items():
        mutated = kind if table == broken else "valid"
        if kind in ("valid", "nfc"):
            mutated = "valid"
        case.files[f"{table}.csv"] = _csv_bytes(mutated, grid, rng)
    return case


def _read_back(case: Case) -> dict[str, Grid]:
    """What the files say, read independently of the importer (only for an accepted case)."""
    grids: dict[str, Grid] = {}
    for name, data in case.files.items():
        if name.endswith(".csv"):
            text = data.decode("utf-8-sig")
            grids[name.removesuffix(".csv")] = list(csv.reader(io.StringIO(text, newline="")))
        else:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
            for sheet in book.worksheets:
                rows = sheet.iter_rows(values_only=True)
                grids[sheet.title] = [["" if v is None else str(v) for v in row] for row in rows]
            book.close()
    return grids


def _same(kind: ColumnType, stored: object, written: str) -> bool:
    text = value_text(stored)
    if written == "":
        return text is None
    if text is None:
        return False
    if kind is ColumnType.NUMBER:
        return float(text) == float(written)
    return text == unicodedata.normalize("NFC", written)


def accepted_as_written(engine: sa.Engine, trial: str, case: Case) -> list[str]:
    """Differences between the stored current rows and the rows of the accepted files."""
    data = load_trial_data(engine, trial)
    differences = []
    for table, grid in _read_back(case).items():
        spec = TABLES[table]
        frame: pd.DataFrame = getattr(data, table)
        records = frame[list(spec.names)].to_dict("records")
        by_key = {tuple(value_text(row[k]) for k in spec.key): row for row in records}
        header = [h.strip() for h in grid[0]]
        for cells in grid[1:]:
            values = dict(zip(header, [c.strip() for c in cells], strict=False))
            if not any(values.values()):
                continue
            key = tuple(unicodedata.normalize("NFC", values[k]) for k in spec.key)
            row = by_key.get(key)
            if row is None:
                differences.append(f"{table}: row {key} not stored")
                continue
            for name in spec.names:
                if name in values and not _same(spec.column(name).type, row[name], values[name]):
                    differences.append(f"{table} {key} {name}: {row[name]!r} != {values[name]!r}")
    return differences


def judge(
    engine: sa.Engine, trial: str, case: Case, result: ImportResult, before: object
) -> list[str]:
    """What is wrong with ``result`` for ``case`` (empty when the importer answered well)."""
    names = set(case.files) | {f"{n}[{t}]" for n in case.files for t in TABLES}
    if result.accepted:
        if case.kind in MUST_REFUSE:
            return [f"{case.kind} accepted"]
        return accepted_as_written(engine, trial, case)
    faults = []
    if database_fingerprint(engine) != before:
        faults.append("database changed by a refused import")
    if not result.problems:
        faults.append("refused without a problem")
    for p in result.problems:
        if p.file not in names:
            faults.append(f"problem names no file of the import: {p}")
        if len(p.message) > MAX_MESSAGE_CHARS or "\n" in str(p) or "\r" in str(p):
            faults.append(f"unbounded message: {str(p)[:80]!r}")
    return faults
