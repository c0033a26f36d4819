"""Validation of one raw table against the data dictionary, vectorised with pandas.

Every problem is collected (never stop at the first): missing required columns, missing
required values, values of the wrong type, unknown codes, non-ISO dates, values out of
range, a negative laboratory value of a test that cannot be negative, duplicate keys within
the file. Extra columns are noted, never fatal. The result is the table typed as
:class:`monitoring.data_dictionary.TrialData` documents it, indexed by spreadsheet row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from monitoring.data_dictionary import Column, ColumnType, TableSpec
from monitoring.db.cells import check_cells
from monitoring.db.extracts import RawTable
from monitoring.db.headers import unknown_names
from monitoring.db.limits import ImportLimits
from monitoring.db.problems import HEADER_ROW, ImportProblem, shown

ISO_DATE = r"\d{4}-\d{2}-\d{2}"
INTEGER = r"[+-]?\d+"
INT32_MAX = 2**31 - 1  # database INTEGER columns hold 32 bits
DECIMAL = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
EARLIEST_ZONE = timedelta(hours=14)  # UTC+14: the first place on Earth to reach a date


def future_limit(now: datetime, clock: datetime | None = None) -> date:
    """The latest date a value may hold when data are changed at ``now``.

    A date is in the future when no place on Earth has reached it yet: the calendar date at
    UTC+14 of ``now``, or of the clock when ``now`` is later (a caller's wrong ``now`` cannot
    admit future dates). A site a day ahead of UTC may so record today's events.
    """
    clock = clock or datetime.now(UTC)
    moment = min(now.astimezone(UTC), clock.astimezone(UTC))
    return (moment + EARLIEST_ZONE).date()


@dataclass(frozen=True)
class ValidatedTable:
    """A table typed per its spec. ``provided`` are the spec columns the file holds."""

    source: str
    spec: TableSpec
    frame: pd.DataFrame
    provided: tuple[str, ...]


@dataclass(frozen=True)
class ParsedColumn:
    """Typed values of one column and the problems found: (mask of bad rows, message)."""

    values: pd.Series
    faults: tuple[tuple[pd.Series, Callable[[str], str]], ...]


def _text(raw: pd.Series, keep: pd.Series) -> pd.Series:
    """Text values where ``keep``, else ``None`` (never NaN: the documented missing text)."""
    values = raw.to_numpy(dtype=object).copy()
    values[~keep.to_numpy(dtype=bool)] = None
    return pd.Series(values, index=raw.index, dtype=object)


def _dates(raw: pd.Series, present: pd.Series, latest: date | None) -> ParsedColumn:
    shaped = raw.str.fullmatch(ISO_DATE) & present
    values = pd.to_datetime(raw.where(shaped), format="%Y-%m-%d", errors="coerce")
    values = values.astype("datetime64[ns]")
    bad = present & values.isna()
    faults: list[tuple[pd.Series, Callable[[str], str]]] = [
        (bad, lambda v: f"'{shown(v)}' is not a valid ISO date YYYY-MM-DD")
    ]
    if latest is not None:
        future = (values > pd.Timestamp(latest)).fillna(False).astype(bool)
        faults.append((future, lambda v: f"{shown(v)} is in the future (after {latest})"))
    return ParsedColumn(values, tuple(faults))


def _integers(raw: pd.Series, present: pd.Series) -> ParsedColumn:
    shaped = raw.str.fullmatch(INTEGER) & present
    numbers = pd.to_numeric(raw.where(shaped), errors="coerce")
    fits = (numbers.abs() <= INT32_MAX).fillna(False).astype(bool)
    values = numbers.where(fits).astype("Int64")
    return ParsedColumn(
        values,
        (
            (present & ~shaped, lambda v: f"'{shown(v)}' is not a whole number"),
            (shaped & ~fits, lambda v: f"{shown(v)} is too large for a whole-number column"),
        ),
    )


def _numbers(raw: pd.Series, present: pd.Series) -> ParsedColumn:
    """Decimal numbers, parsed exactly (correctly rounded, as Python's ``float``).

    ``pandas.to_numeric`` is not used: its fast parser is off by one unit in the last
    place for many values, and an import must store exactly the number written.
    """
    shaped = raw.str.fullmatch(DECIMAL) & present
    text = raw.where(shaped, "nan").to_numpy(dtype=object)
    values = pd.Series(text.astype("float64"), index=raw.index)
    finite = pd.Series(np.isfinite(values.to_numpy()), index=raw.index)
    bad = present & ~(shaped & finite)
    return ParsedColumn(values.where(finite), ((bad, lambda v: f"'{shown(v)}' is not a number"),))


def _codes(column: Column, raw: pd.Series, present: pd.Series) -> ParsedColumn:
    allowed = ", ".join(column.codes)
    bad = present & ~raw.isin(column.codes)
    values = _text(raw, present & ~bad)
    fault = (bad, lambda v: f"unknown code '{shown(v)}'; expected {allowed}")
    return ParsedColumn(values, (fault,))


def _range_faults(column: Column, parsed: ParsedColumn) -> ParsedColumn:
    values = parsed.values
    faults = list(parsed.faults)
    if column.minimum is not None:
        low = (values < column.minimum).fillna(False).astype(bool)
        faults.append((low, lambda v: f"{v} is below the minimum {column.minimum:g}"))
    if column.maximum is not None:
        high = (values > column.maximum).fillna(False).astype(bool)
        faults.append((high, lambda v: f"{v} is above the maximum {column.maximum:g}"))
    return ParsedColumn(values, tuple(faults))


def parse_column(column: Column, raw: pd.Series, latest: date | None = None) -> ParsedColumn:
    """Typed values of ``raw`` (stripped text, ``""`` = missing) and its problems.

    A date after ``latest`` (when given) is a problem: see :func:`future_limit`.
    """
    present = raw != ""
    if column.type is ColumnType.DATE:
        parsed = _dates(raw, present, latest)
    elif column.type is ColumnType.INTEGER:
        parsed = _range_faults(column, _integers(raw, present))
    elif column.type is ColumnType.NUMBER:
        parsed = _range_faults(column, _numbers(raw, present))
    elif column.type is ColumnType.CODE:
        parsed = _codes(column, raw, present)
    else:
        parsed = ParsedColumn(_text(raw, present), ())
    if column.required:
        missing = (~present, lambda _v: "required value is missing")
        parsed = ParsedColumn(parsed.values, (*parsed.faults, missing))
    return parsed


def _fault_problems(
    source: str, name: str, raw: pd.Series, parsed: ParsedColumn
) -> list[ImportProblem]:
    problems = []
    for mask, message in parsed.faults:
        bad = raw[mask.to_numpy()]
        problems += [
            ImportProblem(source, int(row), name, message(value))
            for row, value in zip(bad.index, bad.to_numpy(), strict=True)
        ]
    return problems


def _duplicate_keys(source: str, spec: TableSpec, typed: pd.DataFrame) -> list[ImportProblem]:
    key = list(spec.key)
    keys = typed.loc[typed[key].notna().all(axis=1).to_numpy(), key]
    rows = pd.Series(keys.index, index=keys.index)
    first = rows.groupby([keys[k] for k in key], sort=False).transform("first")
    dup = keys[(first != rows).to_numpy()]
    column = key[-1] if len(key) > 1 else key[0]
    return [
        ImportProblem(source, int(row), column, f"duplicate key; first given on row {first[row]}")
        for row in dup.index
    ]


def duplicate_keys(table: ValidatedTable) -> list[ImportProblem]:
    """A problem on each row whose key an earlier row of the same table already gave."""
    return _duplicate_keys(table.source, table.spec, table.frame)


LAB_QUANTITIES = ("value", "lln", "uln")  # a lab result's value and its limits of normal


def _negative_lab_values(source: str, typed: pd.DataFrame) -> list[ImportProblem]:
    """A problem on each lab result whose value or limit of normal is negative for a test
    that cannot be negative (``monitoring.labs.ctcae.non_negative_tests``: ALT -5 U/L)."""
    from monitoring.labs.ctcae import non_negative_tests

    graded = typed["test"].isin(non_negative_tests()).to_numpy()
    problems = []
    for name in LAB_QUANTITIES:
        values = typed[name]
        bad = typed.loc[graded & (values < 0).fillna(False).to_numpy(dtype=bool)]
        problems += [
            ImportProblem(source, int(row), name, f"{v:g} is below 0: {t} cannot be negative")
            for row, v, t in zip(bad.index, bad[name], bad["test"], strict=True)
        ]
    return problems


def validate_table(
    raw: RawTable,
    *,
    latest: date | None = None,
    limits: ImportLimits | None = None,
    keys: bool = True,
) -> tuple[ValidatedTable, list[ImportProblem], list[ImportProblem]]:
    """Typed table, problems and notes for one raw table.

    Every cell is checked (``cells.py``) and put in NFC first; a date after ``latest`` is a
    problem; a misspelt dictionary column is a problem, another extra column a note.
    ``keys=False`` leaves out the duplicate-key check (for a chunk of a table).
    """
    spec, source = raw.spec, raw.source
    limits = limits or ImportLimits()
    frame, problems = check_cells(source, raw.frame, limits.max_cell_chars)
    misspelt, notes = unknown_names(source, list(frame.columns), spec)
    problems += misspelt
    typed = pd.DataFrame(index=frame.index)
    empty = pd.Series("", index=frame.index, dtype=object)
    for column in spec.columns:
        if column.name not in frame.columns and column.required:
            message = "required column is missing"
            problems.append(ImportProblem(source, HEADER_ROW, column.name, message))
        raw_values = frame[column.name] if column.name in frame.columns else empty
        parsed = parse_column(column, raw_values, latest)
        typed[column.name] = parsed.values
        if column.name in frame.columns:
            problems += _fault_problems(source, column.name, raw_values, parsed)
    if spec.name == "lab_results":
        problems += _negative_lab_values(source, typed)
    if keys:
        problems += _duplicate_keys(source, spec, typed)
    provided = tuple(c for c in spec.names if c in frame.columns)
    return ValidatedTable(source, spec, typed, provided), problems, notes
