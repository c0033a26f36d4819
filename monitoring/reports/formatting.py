"""One formatting rule for table values, shared by the PDF, DOCX and XLSX writers.

Numbers are rounded half away from zero on their shortest decimal representation, which is
what a spreadsheet displays for the same value and number format; so the PDF, the DOCX and
the XLSX cell show the same digits (Python's own ``format`` would round 0.125 to 0.12, Excel
shows 0.13).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from monitoring.reports.document import CellValue, Column, ColumnKind, Joint, Merge, Table

MISSING = "–"


def round_half_up(value: float | int | Decimal, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimals, ties away from zero, as Excel displays it."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)  # no "-0.00"


def format_cell(value: CellValue, column: Column) -> str:
    """The text a writer prints for ``value`` in ``column``; "–" for a missing value."""
    if value is None:
        return MISSING
    kind = column.kind
    if kind in (ColumnKind.TEXT, ColumnKind.FIGURES):
        return str(value)
    if kind is ColumnKind.DATE:
        assert isinstance(value, date)
        return value.isoformat()
    assert isinstance(value, int | float)
    if kind is ColumnKind.INTEGER:
        return str(value)
    if kind is ColumnKind.PERCENT:
        return f"{round_half_up(Decimal(repr(value)) * 100, column.places)}%"
    return str(round_half_up(value, column.places))


def excel_number_format(column: Column) -> str:
    """The spreadsheet number format that displays a value as :func:`format_cell` does."""
    places = column.places
    decimals = "." + "0" * places if places else ""
    return {
        ColumnKind.TEXT: "@",
        ColumnKind.INTEGER: "0",
        ColumnKind.NUMBER: "0" + decimals,
        ColumnKind.PERCENT: "0" + decimals + "%",
        ColumnKind.DATE: "yyyy-mm-dd",
        ColumnKind.FIGURES: "@",
    }[column.kind]


def _joint(joint: Joint, a: CellValue, b: CellValue, first: Column, second: Column) -> str:
    if a is None and b is None:
        return MISSING
    left, right = format_cell(a, first), format_cell(b, second)
    if joint is Joint.COUNT_PERCENT:
        return f"{left} ({right})"
    if first.kind is ColumnKind.PERCENT and second.kind is ColumnKind.PERCENT:
        left = left.removesuffix("%")
    return f"{left}–{right}"


def joined(table: Table) -> Table:
    """``table`` with its merged column pairs printed as one text column each (the PDF and
    DOCX print this; the XLSX keeps the numbers apart). A table without merges is returned
    as it is."""
    if not table.merges:
        return table
    starts = {m.first: m for m in table.merges}
    columns: list[Column] = []
    picks: list[tuple[int, Merge | None]] = []
    j = 0
    while j < len(table.columns):
        merge = starts.get(j)
        if merge is None:
            columns.append(table.columns[j])
            picks.append((j, None))
            j += 1
        else:
            columns.append(Column(merge.name, ColumnKind.FIGURES))
            picks.append((j, merge))
            j += 2
    rows = tuple(
        tuple(
            row[j]
            if merge is None
            else _joint(merge.joint, row[j], row[j + 1], table.columns[j], table.columns[j + 1])
            for j, merge in picks
        )
        for row in table.rows
    )
    return Table(
        table.title,
        tuple(columns),
        rows,
        table.note,
        table.sheet_name,
        row_styles=table.row_styles,
        group_name=table.group_name,
    )
