"""Tables for the PDF writer: fitted column widths, repeated header row, zebra rows.

A cell whose text does not fit its column becomes a wrapping Paragraph, so no text is ever
cut; other cells stay plain strings (much faster to lay out).

A table is laid out a page at a time (:class:`PagedTable`): at each page break reportlab's
own ``Table.split`` builds a new table of every remaining row, so a listing of n rows over
n/k pages costs O(n²/k) (28,483 rows: 142 s). Here each page builds a reportlab table of the
header and only the rows that can fit the space left, so the cost per page is bounded and a
listing costs O(n). The pages look exactly as one table split by reportlab: same column
widths, header row at the top of every page, zebra rows continuing across pages.

No page holds a lone row of a table that continues: a page ends with at least two of its
rows and the next starts with at least two (a table that cannot leave two rows here starts
on the next page), a table of at most ``KEEP_ROWS`` rows is not split, and a group header
row (a system organ class) is never the last row of a page. Nested tables (row styles)
print group rows in bold with a rule above, members indented, and no zebra.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, FrameBreak, TableStyle
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from monitoring.reports import theme
from monitoring.reports.document import RowStyle, Table
from monitoring.reports.layout import EMPTY_TEXT, INDENT, PAD, cell_texts, fit_columns
from monitoring.reports.pdf_fonts import BOLD, REGULAR, markup, text_width

LEADING = 1.12  # line height / font size, in plain and wrapping cells alike (compact rows)
TOP_PAD, BOTTOM_PAD = 1.0, 1.5  # points
# Rows a page can hold at most: a row is at least one line of the floor font high plus its
# paddings (5.5 x 1.2 + 2.5 = 9.1 pt), a frame at most a Letter page (792 pt): 88; a window
# of WINDOW_ROWS rows is therefore always taller than the space it is offered.
WINDOW_ROWS = 100
MIN_ROWS = 2  # rows of a split table kept together at the foot and at the head of a page
KEEP_ROWS = 8  # a table of at most this many rows is never split


def _styles(size: float) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("cell", fontName=REGULAR, fontSize=size, leading=size * LEADING)
    return {
        "left": ParagraphStyle("cell-l", parent=base, alignment=TA_LEFT),
        "right": ParagraphStyle("cell-r", parent=base, alignment=TA_RIGHT),
        "head-left": ParagraphStyle("head-l", parent=base, fontName=BOLD, alignment=TA_LEFT),
        "head-right": ParagraphStyle("head-r", parent=base, fontName=BOLD, alignment=TA_RIGHT),
        "group": ParagraphStyle("group", parent=base, fontName=BOLD, alignment=TA_LEFT),
    }


def build_table(table: Table, width: float) -> Flowable:
    """A table that fits ``width``: header repeated on every page, zebra rows."""
    texts = cell_texts(table)
    nested = bool(table.row_styles)
    fit = fit_columns(table.columns, texts, width, indent=INDENT if nested else 0.0)
    styles = _styles(fit.font_size)
    sides = ["right" if c.right_aligned else "left" for c in table.columns]
    header = [
        RLParagraph(markup(c.name), styles[f"head-{side}"])
        for c, side in zip(table.columns, sides, strict=True)
    ]
    if not texts:
        empty = [RLParagraph(EMPTY_TEXT, styles["left"])] + [""] * (len(header) - 1)
        flowable = RLTable([header, empty], colWidths=list(fit.widths), hAlign="LEFT")
        flowable.setStyle(_table_style(table, fit.font_size, has_rows=False))
        return flowable
    body = [
        [
            _cell(text, w, fit.font_size, styles[side])
            for text, w, side in zip(row, fit.widths, sides, strict=True)
        ]
        for row in texts
    ]
    for i, row in enumerate(body):
        style = table.style_of(i)
        if style is RowStyle.GROUP:
            row[0] = RLParagraph(markup(texts[i][0]), styles["group"])
        elif style is RowStyle.MEMBER:
            row[0] = _cell(texts[i][0], fit.widths[0] - INDENT, fit.font_size, styles["left"])
    return PagedTable(table, header, body, fit.widths, fit.font_size)


class PagedTable(Flowable):  # type: ignore[misc]
    """Rows ``start:`` of a table, laid out one page at a time (linear in the rows).

    ``wrap`` and ``split`` look at a window of at most ``WINDOW_ROWS`` rows from ``start``;
    ``split`` lets reportlab split the header plus that window at the space left and returns
    its first part (the page), a frame break and a new ``PagedTable`` starting after the
    rows it holds (on the next page, where its header row is repeated).
    """

    def __init__(
        self,
        table: Table,
        header: list[object],
        body: list[list[object]],
        widths: tuple[float, ...],
        font_size: float,
        start: int = 0,
    ) -> None:
        super().__init__()
        self.table, self.header, self.body = table, header, body
        self.widths, self.font_size, self.start = widths, font_size, start
        self.hAlign = "LEFT"
        self._window: tuple[float, Flowable] | None = None

    def _rows_for(self, height: float) -> int:
        """Rows to look at for ``height`` points: more than can fit, at most the rest."""
        least = self.font_size * LEADING + TOP_PAD + BOTTOM_PAD  # a row of one line
        return min(len(self.body) - self.start, int(height / least) + 2, WINDOW_ROWS)

    def _table(self, height: float) -> Flowable:
        if self._window is None or self._window[0] != height:
            rows = self.body[self.start : self.start + self._rows_for(height)]
            self._window = (height, self._page(len(rows)))
        return self._window[1]

    def _page(self, count: int) -> RLTable:
        """The header and body rows ``start`` to ``start + count`` as one reportlab table."""
        rows = self.body[self.start : self.start + count]
        flowable = RLTable(
            [self.header, *rows], colWidths=list(self.widths), repeatRows=1, hAlign="LEFT"
        )
        flowable.setStyle(
            _table_style(self.table, self.font_size, True, first=self.start, count=count)
        )
        return flowable

    def _kept(self, held: int) -> int:
        """Rows to leave on this page of the ``held`` that fit: none rather than fewer than
        ``MIN_ROWS`` when more follow; fewer so that at least ``MIN_ROWS`` go on; never a
        group header as the page's last row; none of a table of at most ``KEEP_ROWS``."""
        left = len(self.body) - self.start
        if held >= left:
            return held
        if len(self.body) <= KEEP_ROWS:
            return 0
        kept = held
        if left - kept < MIN_ROWS:
            kept = left - MIN_ROWS
        while kept > 0 and self.table.style_of(self.start + kept - 1) is RowStyle.GROUP:
            kept -= 1
        return kept if kept >= MIN_ROWS else 0

    def _rest(self, start: int) -> PagedTable:
        return PagedTable(self.table, self.header, self.body, self.widths, self.font_size, start)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        table = self._table(avail_height)
        width, height = table.wrap(avail_width, avail_height)
        if self.start + self._rows_for(avail_height) < len(self.body):  # more than the window
            height = max(height, avail_height + 1)
        self.width, self.height = width, height
        return width, height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        table = self._table(avail_height)
        parts = table.split(avail_width, avail_height)
        if not parts:
            return []  # not even the header and one row: the frame moves on
        page = parts[0]
        held = len(page._cellvalues) - 1  # body rows on this page (reportlab has no public count)
        kept = self._kept(held)
        if kept == 0:
            return []  # the table starts on the next page
        if kept != held:
            page = self._page(kept)
        following = self.start + kept
        if following >= len(self.body):
            return [page]
        # The rest starts a new page even when it would fit below this one (rows held back
        # for the next page, or room left for a note): a header repeats only at a page's top.
        return [page, FrameBreak(), self._rest(following)]

    def draw(self) -> None:
        """Drawn whole only when every remaining row fits (``wrap`` said so)."""
        assert self._window is not None
        self._window[1].drawOn(self.canv, 0, 0)


def _cell(text: str, width: float, size: float, style: ParagraphStyle) -> object:
    """Plain text when it fits on one line (fast), a wrapping Paragraph otherwise."""
    if text_width(text, REGULAR, size) + 2 * PAD <= width + 0.01:
        return text
    return RLParagraph(markup(text), style)


def _table_style(
    table: Table, size: float, has_rows: bool, *, first: int = 0, count: int = 0
) -> TableStyle:
    """Rules, header fill, alignment for body rows ``first`` to ``first + count``: zebra
    rows counted from the table's first body row; a nested table has no zebra but a rule
    above each group row and its members indented."""
    hexcolour = colors.HexColor
    zebra = [colors.white, hexcolour("#" + theme.ZEBRA_FILL)]
    odd_start = first % 2 == 1
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), REGULAR, size, size * LEADING),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), TOP_PAD),
        ("BOTTOMPADDING", (0, 0), (-1, -1), BOTTOM_PAD),
        ("BACKGROUND", (0, 0), (-1, 0), hexcolour("#" + theme.HEADER_FILL)),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, hexcolour("#" + theme.RULE_COLOUR)),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, hexcolour("#" + theme.RULE_COLOUR)),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, hexcolour("#" + theme.RULE_COLOUR)),
    ]
    if not table.row_styles:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), zebra[::-1] if odd_start else zebra))
    for k in range(count if table.row_styles else 0):
        style = table.style_of(first + k)
        if style is RowStyle.GROUP and k > 0:
            commands.append(
                ("LINEABOVE", (0, k + 1), (-1, k + 1), 0.4, hexcolour("#" + theme.RULE_COLOUR))
            )
        elif style is RowStyle.MEMBER:
            commands.append(("LEFTPADDING", (0, k + 1), (0, k + 1), PAD + INDENT))
    for j, column in enumerate(table.columns):
        if column.right_aligned:
            commands.append(("ALIGN", (j, 1), (j, -1), "RIGHT"))
    if not has_rows:
        commands.append(("SPAN", (0, 1), (-1, 1)))
    return TableStyle(commands)
