"""Import problems and notes: each names the file, the spreadsheet row and the column."""

from __future__ import annotations

from dataclasses import dataclass

HEADER_ROW = 1


@dataclass(frozen=True, order=True)
class ImportProblem:
    """One problem found in an extract.

    ``row`` is the row number a user sees in a spreadsheet (the header is row 1); ``None``
    when the problem concerns the whole file. ``column`` is ``None`` when it concerns a
    whole row or file.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        row = "-" if self.row is None else str(self.row)
        return f"{self.file}:{row}:{self.column or '-'}: {self.message}"


def sort_problems(problems: list[ImportProblem]) -> tuple[ImportProblem, ...]:
    """Problems in reading order: file, row, then column name."""
    return tuple(sorted(problems, key=lambda p: (p.file, p.row or 0, p.column or "", p.message)))
