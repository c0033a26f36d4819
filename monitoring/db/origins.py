"""Where an imported table's rows and columns came from, so that problems name the source.

A reader that maps other files to the product's tables (``monitoring.ingest``: CDISC
datasets, a REDCap export) keeps, for each table it makes, the source of every row (the
dataset and its record: USUBJID and sequence; record id, instrument and instance) and the
variable of every column, and where one cell came from elsewhere (an event date computed
from ADTTE's AVAL), that cell's own source. The importer's problems on the product table (a
value out of range, a date in the future, a duplicate key, an impossible sequence of dates)
are then told in the source's terms by :func:`explain`: dataset, record, variable, and
within the message the variables for the product's ``table.column`` names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from monitoring.db.problems import ImportProblem

Describe = Callable[[int], "str | None"]
"""The name of a source row in messages ("USUBJID 01-701-1015, AESEQ 3"); None if unknown."""

FIRST_GIVEN = re.compile(r"first given on row (\d+)")
QUALIFIED = re.compile(r"\b([a-z_]+)\.([a-z_]+)\b")
BARE_BEFORE_DATE = re.compile(r"\b([a-z_]+)(?= \d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class CellOrigin:
    """One cell that came from another dataset than its row: ``label`` names it in messages
    ("death_date (ADTTE_ONCO first dose + AVAL - 1)")."""

    dataset: str
    row: int
    record: str
    variable: str
    label: str


@dataclass(frozen=True, eq=False)
class TableOrigin:
    """The source of one product table a reader made.

    ``source`` is the raw table's source (the file name the importer's problems give);
    ``dataset`` the name problems give instead; ``unit`` what a row is called ("record",
    "line"); ``describe`` names a row; ``variables`` maps a product column to its variable;
    ``prefix`` is put before a variable named within a message ("ADSL." -> "ADSL.RANDDT");
    ``cells`` the cells with their own source, by (row, product column).
    """

    source: str
    table: str
    dataset: str
    unit: str
    describe: Describe
    variables: Mapping[str, str]
    prefix: str = ""
    cells: Mapping[tuple[int, str], CellOrigin] = field(default_factory=dict)

    def label(self, row: int | None, column: str) -> str:
        """How a message names ``column`` of ``row``: its cell's label, else the variable."""
        cell = self.cells.get((row, column)) if row is not None else None
        if cell is not None:
            return cell.label
        variable = self.variables.get(column)
        return column if variable is None else f"{self.prefix}{variable}"


def _find(origins: Sequence[TableOrigin], problem: ImportProblem) -> TableOrigin | None:
    """The origin of the table a problem is on: by source, then (for one source feeding
    several tables, a REDCap export) the table whose rows and columns hold the problem's."""
    candidates = [o for o in origins if o.source == problem.file]
    if len(candidates) > 1 and problem.row is not None:
        with_row = [o for o in candidates if o.describe(problem.row) is not None]
        candidates = with_row or candidates
    if len(candidates) > 1 and problem.column is not None:
        with_column = [o for o in candidates if problem.column in o.variables]
        candidates = with_column or candidates
    return candidates[0] if candidates else None


def _reword(
    message: str, origin: TableOrigin, row: int | None, origins: Sequence[TableOrigin]
) -> str:
    """The message with the product's names replaced by the source's: ``table.column`` and a
    bare column before a date (impossible sequences), the row a duplicate was first given."""
    by_table = {o.table: o for o in origins}
    by_table[origin.table] = origin

    def first(match: re.Match[str]) -> str:
        number = int(match.group(1))
        name = origin.describe(number)
        return f"first given on {origin.unit} {number}" + (f" ({name})" if name else "")

    def qualified(match: re.Match[str]) -> str:
        table, column = match.group(1), match.group(2)
        other = by_table.get(table)
        if other is None or column not in other.variables:
            return match.group(0)
        return other.label(row if other is origin else None, column)

    def bare(match: re.Match[str]) -> str:
        column = match.group(1)
        if column not in origin.variables:
            return column
        return origin.label(row, column)

    message = FIRST_GIVEN.sub(first, message)
    message = QUALIFIED.sub(qualified, message)
    return BARE_BEFORE_DATE.sub(bare, message)


def _explained(problem: ImportProblem, origins: Sequence[TableOrigin]) -> ImportProblem:
    origin = _find(origins, problem)
    if origin is None:
        return problem
    message = _reword(problem.message, origin, problem.row, origins)
    column = problem.column
    cell = origin.cells.get((problem.row, column)) if problem.row and column else None
    if cell is not None:
        return ImportProblem(cell.dataset, cell.row, cell.variable, f"{cell.record}: {message}")
    record = origin.describe(problem.row) if problem.row is not None else None
    variable = origin.variables.get(column, column) if column is not None else None
    return ImportProblem(
        origin.dataset, problem.row, variable, f"{record}: {message}" if record else message
    )


def explain(
    problems: Iterable[ImportProblem],
    origins: Sequence[TableOrigin],
    known: Iterable[ImportProblem] = (),
) -> list[ImportProblem]:
    """``problems`` of the importer told in the source's terms; one already ``known`` (the
    reader's own) on the same dataset, record and variable is left out, so that a fault is
    reported once (a USUBJID repeated in ADSL is not also a duplicate key)."""
    if not origins:
        return list(problems)
    given = {(p.file, p.row, p.column) for p in known if p.row is not None}
    out: dict[ImportProblem, None] = {}
    for problem in problems:
        explained = _explained(problem, origins)
        if (explained.file, explained.row, explained.column) not in given:
            out[explained] = None
    return list(out)
