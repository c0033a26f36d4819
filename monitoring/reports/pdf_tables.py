"""Tables for the PDF writer: fitted column widths, repeated header row, zebra rows.

A cell whose text does not fit its column becomes a wrapping Paragraph, so no text is ever
cut; other cells stay plain strings (much faster to lay out).
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, TableStyle
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from monitoring.reports import theme
from monitoring.reports.document import Table
from monitoring.reports.layout import EMPTY_TEXT, PAD, cell_texts, fit_columns
from monitoring.reports.pdf_fonts import BOLD, REGULAR, markup, text_width


def _styles(size: float) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("cell", fontName=REGULAR, fontSize=size, leading=size * 1.2)
    return {
        "left": ParagraphStyle("cell-l", parent=base, alignment=TA_LEFT),
        "right": ParagraphStyle("cell-r", parent=base, alignment=TA_RIGHT),
        "head-left": ParagraphStyle("head-l", parent=base, fontName=BOLD, alignment=TA_LEFT),
        "head-right": ParagraphStyle("head-r", parent=base, fontName=BOLD, alignment=TA_RIGHT),
    }


def build_table(table: Table, width: float) -> Flowable:
    """A platypus table that fits ``width``: header repeated on every page, zebra rows."""
    texts = cell_texts(table)
    fit = fit_columns(table.columns, texts, width)
    styles = _styles(fit.font_size)
    sides = ["right" if c.numeric else "left" for c in table.columns]
    header = [
        RLParagraph(markup(c.name), styles[f"head-{side}"])
        for c, side in zip(table.columns, sides, strict=True)
    ]
    body: list[list[object]] = [
        [
            _cell(text, w, fit.font_size, styles[side])
            for text, w, side in zip(row, fit.widths, sides, strict=True)
        ]
        for row in texts
    ]
    if not body:
        body = [[RLParagraph(EMPTY_TEXT, styles["left"])] + [""] * (len(header) - 1)]
    flowable = RLTable([header, *body], colWidths=list(fit.widths), repeatRows=1, hAlign="LEFT")
    flowable.setStyle(_table_style(table, fit.font_size, bool(table.rows)))
    return flowable


def _cell(text: str, width: float, size: float, style: ParagraphStyle) -> object:
    """Plain text when it fits on one line (fast), a wrapping Paragraph otherwise."""
    if text_width(text, REGULAR, size) + 2 * PAD <= width + 0.01:
        return text
    return RLParagraph(markup(text), style)


def _table_style(table: Table, size: float, has_rows: bool) -> TableStyle:
    hexcolour = colors.HexColor
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), REGULAR, size, size * 1.2),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("BACKGROUND", (0, 0), (-1, 0), hexcolour("#" + theme.HEADER_FILL)),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, hexcolour("#" + theme.ZEBRA_FILL)]),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, hexcolour("#" + theme.RULE_COLOUR)),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, hexcolour("#" + theme.RULE_COLOUR)),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, hexcolour("#" + theme.RULE_COLOUR)),
    ]
    for j, column in enumerate(table.columns):
        if column.numeric:
            commands.append(("ALIGN", (j, 1), (j, -1), "RIGHT"))
    if not has_rows:
        commands.append(("SPAN", (0, 1), (-1, 1)))
    return TableStyle(commands)
