"""Body rows of long XLSX sheets written as XML text, then spliced into the saved workbook.

openpyxl spends about 15 µs per cell (a Python object, its style, then an XML element at
save): 5 s for the 300,000 cells of a 5,000-patient trial's complete SAE listing. Rows 3 and
beyond of a table sheet are instead written as text, in the form openpyxl itself writes
(``<c r="A3" s="1" t="n"><v>45293</v></c>``, text as inline strings), with the cell styles
openpyxl gave row 2; :func:`splice_rows` puts them after row 2 of the saved sheet. Values
follow openpyxl's rules: numbers as ``repr``, dates as serial days since 1899-12-30 (the
1900 date system), empty cells kept with their style, text never a formula: always an inline
string, and text a spreadsheet would run as a formula takes the column's style with
``quotePrefix`` (:mod:`monitoring.safe_cells`), so it stays text even when edited.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from monitoring.reports.document import CellValue
from monitoring.safe_cells import is_formula_like

EXCEL_EPOCH = date(1899, 12, 30)  # serial day 0 of the 1900 date system (openpyxl's default)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML 1.0


def _cell(reference: str, style: str, quoted: str, value: CellValue) -> str:
    """One ``<c>``; an empty value (None or "") keeps its style, as openpyxl writes it;
    formula-like text takes the ``quoted`` style."""
    if value is None or value == "":
        return f'<c r="{reference}"{style}/>' if style else ""
    if isinstance(value, str):
        style = quoted if is_formula_like(value) else style
        text = escape(_CONTROL.sub("", value), {"\r": "&#13;"})  # a raw CR reads back as LF
        inline = f'<is><t xml:space="preserve">{text}</t></is>'
        return f'<c r="{reference}"{style} t="inlineStr">{inline}</c>'
    if isinstance(value, date):
        value = (value - EXCEL_EPOCH).days
    return f'<c r="{reference}"{style} t="n"><v>{value!r}</v></c>'


def rows_xml(
    rows: Sequence[Sequence[CellValue]],
    first_row: int,
    style_ids: Sequence[int],
    quoted_style_ids: Sequence[int],
) -> str:
    """``<row>`` elements for ``rows``, numbered from ``first_row``, cell j styled
    ``style_ids[j]`` (an index into the workbook's cell styles), or ``quoted_style_ids[j]``
    (the same with ``quotePrefix``) when it holds formula-like text."""
    letters = [get_column_letter(j) for j in range(1, len(style_ids) + 1)]
    styles = [f' s="{s}"' if s else "" for s in style_ids]
    quoted = [f' s="{s}"' for s in quoted_style_ids]
    parts = []
    for number, values in enumerate(rows, start=first_row):
        cells = "".join(
            _cell(f"{letter}{number}", style, quote, value)
            for letter, style, quote, value in zip(letters, styles, quoted, values, strict=True)
        )
        parts.append(f'<row r="{number}">{cells}</row>')
    return "".join(parts)


def splice_rows(path: Path, rows_after_2: Mapping[int, str]) -> None:
    """Insert ``rows_after_2[k]`` after row 2 of the k-th worksheet (1-based) of the
    workbook saved at ``path``; the package is rewritten, other parts unchanged."""
    if not rows_after_2:
        return
    with tempfile.TemporaryDirectory() as tmp:
        spliced = Path(tmp) / path.name
        with (
            zipfile.ZipFile(path) as source,
            zipfile.ZipFile(spliced, "w", zipfile.ZIP_DEFLATED) as target,
        ):
            for info in source.infolist():
                data = source.read(info.filename)
                sheet = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
                if sheet and int(sheet.group(1)) in rows_after_2:
                    data = _after_row_2(data.decode("utf-8"), rows_after_2[int(sheet.group(1))])
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        shutil.move(spliced, path)


def _after_row_2(sheet_xml: str, rows: str) -> bytes:
    row_2 = re.search(r'<row r="2"[ >]', sheet_xml)
    if row_2 is None:
        raise ValueError("worksheet has no row 2 to continue after")
    cut = sheet_xml.index("</row>", row_2.start()) + len("</row>")
    return (sheet_xml[:cut] + rows + sheet_xml[cut:]).encode("utf-8")
