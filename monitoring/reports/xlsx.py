"""XLSX writer (openpyxl): the numbers, one sheet per table, after a "Summary" sheet.

Cells hold real numbers and dates with a number format by column kind (the same rounding
the PDF and DOCX print), never formatted text. The header row is bold, frozen, filtered and
repeated when printed; every sheet prints the OPEN/CLOSED label and the provenance stamp in
its page header/footer and also shows them below its data. Figures are not embedded: the
workbook is for the numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from monitoring.reports import theme
from monitoring.reports.document import CellValue, ColumnKind, ReportDocument, Table
from monitoring.reports.formatting import excel_number_format, format_cell
from monitoring.reports.sheets import unique_sheet_names
from monitoring.reports.xlsx_rows import rows_xml, splice_rows
from monitoring.safe_cells import is_formula_like, xlsx_text_cell

SUMMARY = "Summary"
MAX_WIDTH = 80
HEADER_FOOTER_LIMIT = 250  # Excel refuses header/footer sections longer than 255 characters
BOLD = Font(bold=True)
TOP = Alignment(vertical="top")
WRAP = Alignment(wrap_text=True, vertical="top")
SUMMARY_WIDTHS = (24, 60, 34, 60)  # characters: label/decision, text, sheet, note
LINE_POINTS = 15.0  # one line of 11 pt text


def write_xlsx(doc: ReportDocument, path: Path) -> Path:
    """Write ``doc`` as a workbook at ``path``: Summary sheet, then one sheet per table
    (and per figure's data table, ``Figure.data``)."""
    book = Workbook()
    props = book.properties
    props.title, props.creator, props.subject = doc.title, doc.author, doc.subject
    props.description = doc.provenance
    tables = doc.sheets()
    names = unique_sheet_names([t.sheet_name or t.title for t in tables], taken=[SUMMARY])
    summary = book.active
    summary.title = SUMMARY
    _summary(summary, doc, names)
    later_rows = {}
    for number, (table, name) in enumerate(zip(tables, names, strict=True), start=2):
        later_rows[number] = _table_sheet(book.create_sheet(name), doc, table)
    book.save(str(path))
    splice_rows(path, {k: xml for k, xml in later_rows.items() if xml})
    return path


def _put(sheet: Any, row: int, column: int, value: CellValue, **style: Any) -> Any:
    """Write a value; text a spreadsheet would run as a formula stays a quoted string
    (:mod:`monitoring.safe_cells`)."""
    cell = sheet.cell(row=row, column=column, value=value)
    xlsx_text_cell(cell)
    if style:
        for key, setting in style.items():
            setattr(cell, key, setting)
    return cell


def _print_setup(sheet: Any, doc: ReportDocument, landscape: bool) -> None:
    sheet.oddHeader.left.text = doc.running_title[:HEADER_FOOTER_LIMIT].replace("&", "&&")
    sheet.oddHeader.right.text = doc.version.value
    sheet.oddFooter.left.text = doc.provenance[:HEADER_FOOTER_LIMIT].replace("&", "&&")
    sheet.oddFooter.right.text = "Page &P of &N"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_LETTER
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _summary(sheet: Any, doc: ReportDocument, names: Sequence[str]) -> None:
    _put(sheet, 1, 1, doc.title, font=Font(bold=True, size=14))
    _put(sheet, 2, 1, doc.subtitle)
    row = 4
    lines = [(m.label, m.value) for m in doc.metadata]
    lines += [("Report version", doc.version.value), ("Provenance", doc.provenance)]
    for label, value in lines:
        _put(sheet, row, 1, label, font=BOLD, alignment=TOP)
        _put(sheet, row, 2, value, alignment=WRAP)
        sheet.row_dimensions[row].height = _height(value, SUMMARY_WIDTHS[1])
        row += 1
    row = _decisions(sheet, doc, row + 1)
    _table_index(sheet, doc, names, row + 1)
    for index, width in enumerate(SUMMARY_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    _print_setup(sheet, doc, landscape=True)  # four wide columns


def _height(text: str, width_chars: float) -> float:
    """Row height (points) for ``text`` wrapped in a cell ``width_chars`` characters wide."""
    return LINE_POINTS * max(1, math.ceil(len(text) / max(1.0, width_chars - 2)))


def _decisions(sheet: Any, doc: ReportDocument, row: int) -> int:
    _put(sheet, row, 1, "Decisions", font=Font(bold=True, size=12))
    row += 1
    for column, head in enumerate(("Decision", "Explanation", "Severity"), start=1):
        _put(sheet, row, column, head, font=BOLD)
    for paragraph in doc.decisions():
        row += 1
        assert paragraph.status is not None
        fill = PatternFill("solid", fgColor=theme.tint(theme.status_colour(paragraph.status)))
        _put(sheet, row, 1, paragraph.verdict, font=BOLD, fill=fill)
        _put(sheet, row, 2, paragraph.text, fill=fill, alignment=WRAP)
        sheet.row_dimensions[row].height = _height(paragraph.text, SUMMARY_WIDTHS[1])
        _put(sheet, row, 3, paragraph.status.word, fill=fill)
    return row + 1


def _table_index(sheet: Any, doc: ReportDocument, names: Sequence[str], row: int) -> None:
    _put(sheet, row, 1, "Tables", font=Font(bold=True, size=12))
    row += 1
    for column, head in enumerate(("Table", "Title", "Sheet", "Note"), start=1):
        _put(sheet, row, column, head, font=BOLD)
    for table, name in zip(doc.sheets(), names, strict=True):
        row += 1
        _put(sheet, row, 1, doc.label(table))
        _put(sheet, row, 2, table.title)
        link = _put(sheet, row, 3, name, font=Font(underline="single", color="0563C1"))
        link.hyperlink = f"#'{name.replace(chr(39), chr(39) * 2)}'!A1"
        _put(sheet, row, 4, table.note)


def _table_sheet(sheet: Any, doc: ReportDocument, table: Table) -> str:
    """Header row 1 (bold, frozen, filtered), values typed by column kind, footnotes below.

    Row 2 is written here; rows 3 and beyond are returned as XML text, to be spliced in
    after the workbook is saved (:mod:`monitoring.reports.xlsx_rows`)."""
    heading = f"{doc.label(table)}. {table.title}"
    table = table.flat()  # nested rows: their group as a first column, filterable
    header_fill = PatternFill("solid", fgColor=theme.HEADER_FILL)
    formats = [excel_number_format(c) for c in table.columns]
    for j, column in enumerate(table.columns, start=1):
        align = Alignment(horizontal="right" if column.numeric else "left", wrap_text=True)
        _put(sheet, 1, j, column.name, font=BOLD, fill=header_fill, alignment=align)
    later = ""
    if table.rows:
        styles, quoted = [], []
        for j, (value, number_format) in enumerate(zip(table.rows[0], formats, strict=True), 1):
            cell = _put(sheet, 2, j, value)
            cell.number_format = number_format
            styles.append(_style_id(cell, quote_prefix=False))
            quoted.append(_style_id(cell, quote_prefix=True))
            cell.quotePrefix = is_formula_like(value)
        later = rows_xml(table.rows[1:], 3, styles, quoted)
    last = len(table.rows) + 1
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{last}"
    sheet.print_title_rows = "1:1"
    widths = _fit_widths(sheet, table)
    _footnotes(sheet, doc, (heading, table.note), last + 2, widths)
    _print_setup(sheet, doc, landscape=len(table.columns) > theme.WIDE_TABLE_COLUMNS)
    return later


def _style_id(cell: Any, *, quote_prefix: bool) -> int:
    """The workbook's style index of ``cell``'s style with ``quotePrefix`` as given (setting
    it registers the style), for the rows written as XML text."""
    cell.quotePrefix = quote_prefix
    style_id: int = cell.style_id
    return style_id


def _footnotes(
    sheet: Any, doc: ReportDocument, title: tuple[str, str], row: int, widths: Sequence[float]
) -> None:
    """Title, note, label and stamp below the data, each merged across the table's width."""
    texts = list(title)
    texts += [doc.version.value, doc.provenance]
    for offset, text in enumerate(t for t in texts if t):
        _put(sheet, row + offset, 1, text, font=Font(italic=True, size=9), alignment=WRAP)
        if len(widths) > 1:
            sheet.merge_cells(
                start_row=row + offset, start_column=1, end_row=row + offset, end_column=len(widths)
            )
        sheet.row_dimensions[row + offset].height = _height(text, sum(widths))


def _fit_widths(sheet: Any, table: Table) -> list[float]:
    """Column widths (characters) from the longest displayed text, header included; a header
    longer than the widest allowed column wraps and its row grows."""
    widths: list[float] = []
    for j, column in enumerate(table.columns):
        distinct = {row[j] for row in table.rows}  # a long listing repeats most of its values
        texts = [column.name, *(format_cell(value, column) for value in distinct)]
        if column.kind is ColumnKind.DATE:
            texts.append(date.min.isoformat())
        width = min(max(len(t) for t in texts) + 2, MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(j + 1)].width = width
        widths.append(width)
    header_lines = max(_height(c.name, w) for c, w in zip(table.columns, widths, strict=True))
    sheet.row_dimensions[1].height = header_lines
    return widths
