"""One formatting rule for table values, shared by the PDF, DOCX and XLSX writers.

Numbers are rounded half away from zero on their shortest decimal representation, which is
what a spreadsheet displays for the same value and number format; so the PDF, the DOCX and
the XLSX cell show the same digits (Python's own ``format`` would round 0.125 to 0.12, Excel
shows 0.13).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from monitoring.reports.document import CellValue, Column, ColumnKind

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
    if kind is ColumnKind.TEXT:
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
    }[column.kind]
