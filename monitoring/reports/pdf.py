"""PDF writer (reportlab platypus): the report to read and to file.

US Letter (the protocol's Efficacy/Toxicity Summary goes to a US IND office). A cover page
(trial, meeting, data cut-off, OPEN/CLOSED, then the title block with the provenance) and a
contents page (sections, tables and figures with their pages, each a link) open the file;
every section, table and figure is a PDF bookmark. Every page carries the running title,
the OPEN/CLOSED label, the provenance stamp and "Page X of Y". Tables are portrait unless
too wide; figures are PNG at the document's render resolution, two to a page (embedded
as they are when a PDF can read them: `monitoring.reports.pdf_images`). The file is
byte-reproducible (reportlab's invariant mode): the generation date is the one printed in
the title block.

The contents page is drawn when the file is saved, once every page is numbered, so the
story is laid out once (no second pass).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape
from reportlab.lib.styles import ParagraphStyle as RLStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from monitoring import __version__
from monitoring.charts.palette import TICK_SIZE
from monitoring.reports import theme
from monitoring.reports.document import (
    Figure,
    Paragraph,
    ParagraphStyle,
    RecommendationForm,
    ReportDocument,
    Table,
)
from monitoring.reports.figures import RenderedFigure, render_document
from monitoring.reports.formatting import joined
from monitoring.reports.layout import (
    Heading,
    NewPage,
    Orientation,
    Place,
    column_panels,
    reading_order,
    text_width_pt,
)
from monitoring.reports.pdf_fonts import (
    BOLD,
    ITALIC,
    REGULAR,
    markup,
    printable,
    register_fonts,
    text_width,
)
from monitoring.reports.pdf_images import draw_png
from monitoring.reports.pdf_tables import build_table

PAGE = (theme.PAGE_WIDTH_IN * inch, theme.PAGE_HEIGHT_IN * inch)
MARGIN = theme.MARGIN_IN * inch
HEADER_SPACE = 0.55 * inch
FOOTER_SPACE = 0.7 * inch
FRAME_HEIGHT = PAGE[1] - 2 * MARGIN - HEADER_SPACE - FOOTER_SPACE
# A figure (always on a portrait page), its title and caption fit half a frame: two a page.
FIGURE_MAX_HEIGHT = FRAME_HEIGHT / 2 - 0.9 * inch
LABEL_WIDTH = 1.65 * inch  # the title block's and the form's labels
BOX_COLUMN = 0.3 * inch  # the form's tick boxes
REASON_LINES = 4  # the form's ruled lines for reasons, conditions and modifications
REASON_LINE_PT = inch / 4  # height of each line to write on
CONTENTS = "Contents"
BODY_PT = theme.BODY_PT - 0.5  # the PDF's paragraphs: a dense document read on paper
CONTENTS_PT = 8.5
CONTENTS_LEADING = 10.5


def _styles() -> dict[str, RLStyle]:
    body = RLStyle("body", fontName=REGULAR, fontSize=BODY_PT, leading=BODY_PT * 1.3)
    dark = colors.HexColor("#" + theme.TEXT_COLOUR)
    return {
        "title": RLStyle(
            "title", parent=body, fontName=BOLD, fontSize=17, leading=20.5, spaceAfter=4
        ),
        "subtitle": RLStyle("subtitle", parent=body, fontSize=11.5, leading=15, spaceAfter=10),
        "h1": RLStyle(
            "h1",
            parent=body,
            fontName=BOLD,
            fontSize=13,
            leading=16,
            spaceBefore=10,
            spaceAfter=6,
            keepWithNext=1,
            textColor=dark,
        ),
        "h2": RLStyle(
            "h2",
            parent=body,
            fontName=BOLD,
            fontSize=10,
            leading=13,
            spaceBefore=4,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "normal": RLStyle("normal", parent=body, spaceAfter=5),
        "cell": RLStyle("cell", parent=body),
        "emphasis": RLStyle("emphasis", parent=body, fontName=BOLD, spaceAfter=5),
        "note": RLStyle(
            "note",
            parent=body,
            fontName=ITALIC,
            fontSize=theme.SMALL_PT + 0.5,
            leading=(theme.SMALL_PT + 0.5) * 1.25,
            spaceBefore=2,
            spaceAfter=5,
        ),
        "meta": RLStyle("meta", parent=body, fontSize=8, leading=10),
        "meta-label": RLStyle("meta-label", parent=body, fontName=BOLD, fontSize=8, leading=10),
        "provenance": RLStyle(
            "provenance", parent=body, fontName=BOLD, fontSize=10, leading=13, spaceAfter=4
        ),
        "stamp": RLStyle(
            "stamp",
            parent=body,
            fontSize=theme.SMALL_PT,
            leading=theme.SMALL_PT * 1.25,
            textColor=colors.HexColor("#" + theme.MUTED_COLOUR),
        ),
    }


class _Template(BaseDocTemplate):  # type: ignore[misc]
    """Portrait and landscape page templates; headings become PDF outline entries."""

    def __init__(self, target: Any, doc: ReportDocument, styles: dict[str, RLStyle]) -> None:
        super().__init__(
            target,
            pagesize=PAGE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + HEADER_SPACE,
            bottomMargin=MARGIN + FOOTER_SPACE,
            title=doc.title,
            author=doc.author,
            subject=doc.subject,
            creator=f"trial-monitoring {__version__}",
            invariant=True,
        )
        self.report, self.styles, self._outline = doc, styles, 0
        self.addPageTemplates([self._page(o) for o in Orientation])

    def _page(self, orientation: Orientation) -> PageTemplate:
        size = PAGE if orientation is Orientation.PORTRAIT else landscape(PAGE)
        frame = Frame(
            MARGIN,
            MARGIN + FOOTER_SPACE,
            size[0] - 2 * MARGIN,
            size[1] - 2 * MARGIN - HEADER_SPACE - FOOTER_SPACE,
            id=orientation.value,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        return PageTemplate(
            id=orientation.value, frames=[frame], pagesize=size, onPage=self._decorate
        )

    def _decorate(self, canvas: Canvas, _doc: Any) -> None:
        """Header (running title, OPEN/CLOSED label) and footer (provenance stamp)."""
        width, height = canvas._pagesize
        muted = colors.HexColor("#" + theme.MUTED_COLOUR)
        canvas.saveState()
        top = height - MARGIN - theme.SMALL_PT
        canvas.setFillColor(muted)
        canvas.setFont(REGULAR, theme.SMALL_PT + 0.5)
        canvas.drawString(MARGIN, top, printable(self.report.running_title))
        canvas.setFillColor(colors.black)
        canvas.setFont(BOLD, theme.SMALL_PT + 1.5)
        canvas.drawRightString(width - MARGIN, top, self.report.version.value)
        canvas.setStrokeColor(colors.HexColor("#" + theme.RULE_COLOUR))
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, top - 5, width - MARGIN, top - 5)
        canvas.line(MARGIN, MARGIN + FOOTER_SPACE - 8, width - MARGIN, MARGIN + FOOTER_SPACE - 8)
        stamp = RLParagraph(markup(self.report.provenance), self.styles["stamp"])
        _, used = stamp.wrap(width - 2 * MARGIN - 1.1 * inch, FOOTER_SPACE)
        stamp.drawOn(canvas, MARGIN, MARGIN + FOOTER_SPACE - 12 - used)
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab API)
        """Section and table/figure headings become bookmarks in the PDF outline and lines
        of the contents page."""
        if isinstance(flowable, _ContentsPage):
            self._bookmark(CONTENTS, 0)
        elif isinstance(flowable, _Titled | _FigureBlock):
            for head in flowable.heads:
                self.afterFlowable(head)
        elif isinstance(flowable, RLParagraph) and flowable.style.name in ("h1", "h2"):
            self._bookmark(flowable.getPlainText(), 0 if flowable.style.name == "h1" else 1)

    def _bookmark(self, text: str, level: int) -> None:
        if not self._outline:
            self.canv.showOutline()  # open the bookmarks pane in PDF viewers
        self._outline += 1
        key = f"h{self._outline}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=True)
        if text != CONTENTS:
            self.canv.contents.append(_Entry(text, level, self.canv.getPageNumber(), key))


@dataclass(frozen=True)
class _Entry:
    """A line of the contents page: heading text, level (0 section, 1 table or figure),
    page number and bookmark key."""

    text: str
    level: int
    page: int
    key: str


class _ContentsPage(Flowable):  # type: ignore[misc]
    """Holds the rest of the contents page, less the height of ``below`` (the provenance)
    when that leaves a line for each of ``lines`` entries (the sections), so ``below``
    follows on the cover; the canvas draws the lines there when saved."""

    def __init__(self, lines: int = 0, below: tuple[Flowable, ...] = ()) -> None:
        super().__init__()
        self.lines, self.below = lines, below

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        below = 0.0
        for part in self.below:
            _, used = part.wrap(avail_width, avail_height)
            below += used + part.getSpaceBefore() + part.getSpaceAfter()
        room = avail_height - below - 1
        fits = self.below and room >= self.lines * CONTENTS_LEADING + CONTENTS_PT
        self.width, self.height = avail_width, room if fits else avail_height - 1
        return self.width, self.height

    def draw(self) -> None:
        self.canv.contents_page = (self.canv.getPageNumber(), self.canv.absolutePosition(0, 0))
        self.canv.contents_box = (self.width, self.height)


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Canvas that prints "Page X of Y" and the contents page once the total is known
    (page states kept until the file is saved).

    The PDF document object only learns of a page when it is written out, so a bookmark
    made while the pages are held back would point at the first page: bookmarks are
    recorded with their page number and bound as each page is written."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._saved: list[dict[str, Any]] = []
        self._marks: dict[int, list[tuple[str, dict[str, Any]]]] = {}
        self.contents: list[_Entry] = []
        self.contents_page: tuple[int, tuple[float, float]] | None = None
        self.contents_box = (0.0, 0.0)

    def showPage(self) -> None:  # noqa: N802 (reportlab API)
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def bookmarkPage(self, key: str, **kwargs: Any) -> None:  # noqa: N802 (reportlab API)
        """Record a bookmark to the current page; bound when the page is written."""
        self._marks.setdefault(self._pageNumber, []).append((key, kwargs))

    def save(self) -> None:
        total = len(self._saved)
        contents, where, box = self.contents, self.contents_page, self.contents_box
        for state in self._saved:
            self.__dict__.update(state)
            width = self._pagesize[0]
            self.setFont(REGULAR, theme.SMALL_PT + 0.5)
            self.setFillColor(colors.black)
            label = f"Page {self._pageNumber} of {total}"
            self.drawRightString(width - MARGIN, MARGIN + FOOTER_SPACE - 12 - theme.SMALL_PT, label)
            if where is not None and where[0] == self._pageNumber:
                self._draw_contents(contents, where[1], box)
            for key, kwargs in self._marks.get(self._pageNumber, ()):
                super().bookmarkPage(key, **kwargs)
            super().showPage()
        super().save()

    def _draw_contents(
        self, entries: list[_Entry], origin: tuple[float, float], box: tuple[float, float]
    ) -> None:
        """One line per entry, page number on the right, each line a link to its bookmark;
        when the lines would not fit the page the figures are left out, then the tables."""
        (x, bottom), (width, height) = origin, box
        lines = int(height // CONTENTS_LEADING)
        shown = entries
        if len(shown) > lines:
            shown = [e for e in entries if e.level == 0 or e.text.startswith("Table ")]
        if len(shown) > lines:
            shown = [e for e in entries if e.level == 0]
        y = bottom + height - CONTENTS_PT
        for entry in shown[:lines]:
            font = BOLD if entry.level == 0 else REGULAR
            indent = 0.0 if entry.level == 0 else 14.0
            number = str(entry.page)
            room = width - indent - text_width(number, REGULAR, CONTENTS_PT) - 2 * CONTENTS_PT
            text = _clipped(printable(entry.text), font, CONTENTS_PT, room)
            self.setFont(font, CONTENTS_PT)
            self.drawString(x + indent, y, text)
            self.setFont(REGULAR, CONTENTS_PT)
            self.drawRightString(x + width, y, number)
            self.linkAbsolute(
                entry.text, entry.key, (x, y - 3, x + width, y + CONTENTS_PT), thickness=0
            )
            y -= CONTENTS_LEADING


def _clipped(text: str, font: str, size: float, room: float) -> str:
    """``text`` cut at a word with an ellipsis so that it fits ``room`` points."""
    if text_width(text, font, size) <= room:
        return text
    words = text.split()
    while words and text_width(" ".join(words) + " …", font, size) > room:
        words.pop()
    return " ".join(words) + " …"


def _cover(doc: ReportDocument, styles: dict[str, RLStyle]) -> list[Flowable]:
    """The cover page: title, then trial, meeting, cut-off and version in large type, then
    the contents (drawn when the file is saved), then the title block (provenance) when
    the contents still have a line for each section above it; else it opens the next
    page."""
    if not doc.cover:
        return _title_block(doc, styles)
    big = RLStyle("cover", parent=styles["subtitle"], fontSize=13, leading=17)
    label = RLStyle("cover-label", parent=big, fontName=BOLD)
    lines = RLTable(
        [
            [RLParagraph(markup(m.label), label), RLParagraph(markup(m.value), big)]
            for m in doc.cover
        ],
        colWidths=[1.9 * inch, text_width_pt(Orientation.PORTRAIT) - 1.9 * inch],
        hAlign="LEFT",
    )
    lines.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    cover_title = RLStyle("cover-title", parent=styles["title"], fontSize=22, leading=27)
    provenance = [
        RLParagraph("Provenance", styles["provenance"]),
        *_title_block(doc, styles)[2:3],
    ]
    width = text_width_pt(Orientation.PORTRAIT)
    return [
        RLParagraph(markup(doc.title), cover_title),
        RLParagraph("Report to the Data and Safety Monitoring Board", styles["subtitle"]),
        lines,
        Spacer(1, 10),
        RLParagraph(CONTENTS, RLStyle("contents", parent=styles["h1"], keepWithNext=0)),
        _ContentsPage(sum(1 for s in doc.sections if s.blocks), tuple(provenance)),
        CondPageBreak(sum(p.wrap(width, FRAME_HEIGHT)[1] for p in provenance)),
        *provenance,
    ]


def _title_block(doc: ReportDocument, styles: dict[str, RLStyle]) -> list[Flowable]:
    rows = [
        [
            RLParagraph(markup(m.label), styles["meta-label"]),
            RLParagraph(markup(m.value), styles["meta"]),
        ]
        for m in doc.metadata
    ]
    rows.append(
        [
            RLParagraph("Report version", styles["meta-label"]),
            RLParagraph(markup(doc.version.value), styles["meta-label"]),
        ]
    )
    meta = RLTable(
        rows,
        colWidths=[LABEL_WIDTH, text_width_pt(Orientation.PORTRAIT) - LABEL_WIDTH],
        hAlign="LEFT",
    )
    meta.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.HexColor("#" + theme.RULE_COLOUR)),
            ]
        )
    )
    return [
        RLParagraph(markup(doc.title), styles["title"]),
        RLParagraph(markup(doc.subtitle), styles["subtitle"]),
        meta,
        Spacer(1, 12),
    ]


def _decision(paragraph: Paragraph, styles: dict[str, RLStyle], width: float) -> Flowable:
    """A box in the status colour; the verdict word is printed, not only coloured."""
    assert paragraph.status is not None
    colour = theme.status_colour(paragraph.status)
    text = f"<b>{markup(paragraph.verdict)}</b> — {markup(paragraph.text)}"
    box = RLTable([[RLParagraph(text, styles["normal"])]], colWidths=[width])
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#" + theme.tint(colour))),
                ("BOX", (0, 0), (-1, -1), 0.75, colors.HexColor("#" + colour)),
                ("LINEBEFORE", (0, 0), (0, -1), 5, colors.HexColor("#" + colour)),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return KeepTogether([box, Spacer(1, 6)])


FIGURE_LEAST = 0.6  # a figure shrinks to this share of its size to fill a page's foot ...
MIN_TEXT_PT = 7.0  # ... as long as its smallest text (a chart's tick labels) stays this size
CHART_TEXT_PT = TICK_SIZE * 0.75  # a chart's tick labels at its rendered size (CSS px to pt)


class _FigureBlock(Flowable):  # type: ignore[misc]
    """Headings, image and caption on one page: the image at its full size (at most
    ``FIGURE_MAX_HEIGHT`` high) where the space left allows, else shrunk down to ``least``
    of it to fill the space, else moved whole to the next page."""

    def __init__(
        self,
        heads: list[RLParagraph],
        png: bytes,
        size: tuple[float, float],
        caption: Flowable,
        least: float = 1.0,
    ) -> None:
        super().__init__()
        self.heads, self.png, self.size, self.caption = heads, png, size, caption
        self.least = least
        self.hAlign = "LEFT"

    def getSpaceBefore(self) -> float:  # noqa: N802 (reportlab API)
        return float(self.heads[0].getSpaceBefore())

    def _chrome(self, width: float) -> float:
        total = 0.0
        for index, part in enumerate([*self.heads, self.caption]):
            _, used = part.wrap(width, FRAME_HEIGHT)
            total += used + part.getSpaceAfter() + (part.getSpaceBefore() if index else 0.0)
        return total

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        chrome = self._chrome(avail_width)
        full_w, full_h = self.size
        room = avail_height - chrome
        scale = 1.0 if room >= full_h else max(room / full_h, self.least)
        self.image_size = (full_w * scale, full_h * scale)
        self.width, self.height = avail_width, chrome + self.image_size[1]
        return self.width, self.height

    def draw(self) -> None:
        y = self.height
        image_w, image_h = self.image_size
        for index, part in enumerate([*self.heads, None, self.caption]):
            if part is None:
                y -= image_h
                draw_png(self.canv, self.png, 0, y, image_w, image_h)
                continue
            y -= part.getSpaceBefore() if index else 0.0
            _, used = part.wrap(self.width, FRAME_HEIGHT)
            y -= used
            part.drawOn(self.canv, 0, y)
            y -= part.getSpaceAfter()


def _figure(
    doc: ReportDocument,
    figure: Figure,
    styles: dict[str, RLStyle],
    frame: float,
    lead: list[RLParagraph] | None = None,
) -> Flowable:
    image = figure.figure
    assert isinstance(image, RenderedFigure)
    width, height = figure.size_in
    scale = min(1.0, frame / (width * inch), FIGURE_MAX_HEIGHT / (height * inch))
    title = f"Figure {doc.figure_number(figure)}. {figure.title}"
    caption = (
        RLParagraph(markup(figure.caption), styles["note"]) if figure.caption else Spacer(1, 6)
    )
    heads = [*(lead or []), RLParagraph(markup(title), styles["h2"])]
    least = min(1.0, max(FIGURE_LEAST, MIN_TEXT_PT / (CHART_TEXT_PT * scale)))
    size = (width * inch * scale, height * inch * scale)
    return _FigureBlock(heads, image.png, size, caption, least)


class _Titled(Flowable):  # type: ignore[misc]
    """Headings (a section's, a table's title) kept with the first rows of their table, and
    its note with the last rows: drawn whole when it fits; otherwise split into the
    headings and the rows that fit the space below them (at least two, see
    ``pdf_tables``), the note going on with the rows that follow on the next page (a short
    table that is not split may leave its note alone to the next page), or moved whole to
    the next page. Unlike reportlab's keep-with-next, a table taller than the space left
    starts on the page it reaches instead of leaving the rest of that page blank."""

    def __init__(
        self, heads: list[RLParagraph], table: Flowable, note: Flowable | None = None
    ) -> None:
        super().__init__()
        self.heads, self.table, self.note = heads, table, note
        self.hAlign = "LEFT"

    def _heads_height(self, width: float, height: float) -> float:
        total = 0.0
        for index, head in enumerate(self.heads):
            _, used = head.wrap(width, height)
            total += used + head.getSpaceAfter()
            total += head.getSpaceBefore() if index else 0.0
        return total

    def _note_height(self, width: float, height: float) -> float:
        if self.note is None:
            return 0.0
        _, used = self.note.wrap(width, height)
        return float(used + self.note.getSpaceBefore())

    def getSpaceBefore(self) -> float:  # noqa: N802 (reportlab API)
        return float(self.heads[0].getSpaceBefore()) if self.heads else 0.0

    def getSpaceAfter(self) -> float:  # noqa: N802 (reportlab API)
        return float(self.note.getSpaceAfter()) if self.note is not None else 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._top = self._heads_height(avail_width, avail_height)
        self._foot = self._note_height(avail_width, avail_height)
        _, height = self.table.wrap(avail_width, avail_height - self._top - self._foot)
        self.width, self.height = avail_width, self._top + height + self._foot
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        top = self._heads_height(avail_width, avail_height)
        parts = self.table.split(avail_width, avail_height - top)
        if len(parts) == 1 and self.note is not None:  # every row fits, the note does not:
            foot = self._note_height(avail_width, avail_height)  # rows go on with the note,
            carried = self.table.split(avail_width, avail_height - top - foot)
            if len(carried) > 1:
                parts = carried
            else:  # unless the table is not split (short): the note alone goes on
                return [*self.heads, *parts, self.note]
        if not parts:
            return []
        if len(parts) == 1:
            return [*self.heads, *parts]
        return [*self.heads, *parts[:-1], _Titled([], parts[-1], self.note)]

    def draw(self) -> None:
        y = self.height
        for index, head in enumerate(self.heads):
            y -= head.getSpaceBefore() if index else 0.0
            _, used = head.wrap(self.width, self.height)
            y -= used
            head.drawOn(self.canv, 0, y)
            y -= head.getSpaceAfter()
        self.table.drawOn(self.canv, 0, self._foot)
        if self.note is not None:
            _, used = self.note.wrap(self.width, self.height)
            self.note.drawOn(self.canv, 0, self._foot - self.note.getSpaceBefore() - used)


def _table(
    doc: ReportDocument,
    table: Table,
    styles: dict[str, RLStyle],
    width: float,
    lead: list[RLParagraph] | None = None,
) -> list[Flowable]:
    """Title, table and note of each column panel; ``lead``: a section heading kept with
    the first panel."""
    number = doc.table_number(table)
    parts: list[Flowable] = []
    heads = list(lead or [])
    for panel in column_panels(joined(table.printed()), width):
        title = f"Table {number}. {panel.title}"
        heads.append(RLParagraph(markup(title), styles["h2"]))
        note = RLParagraph(markup(panel.note), styles["note"]) if panel.note else None
        parts.append(_Titled(heads, build_table(panel, width), note))
        heads = []
        if note is None:
            parts.append(Spacer(1, 8))
    return parts


class _Box(Flowable):  # type: ignore[misc]
    """A tick box of the form; crossed when the choice is the one recorded."""

    SIDE = 10.0

    def __init__(self, ticked: bool) -> None:
        super().__init__()
        self.ticked = ticked

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.SIDE, self.SIDE

    def draw(self) -> None:
        side = self.SIDE
        self.canv.setLineWidth(0.8)
        self.canv.rect(0, 0, side, side)
        if self.ticked:
            self.canv.line(2, 2, side - 2, side - 2)
            self.canv.line(2, side - 2, side - 2, 2)


def _form(form: RecommendationForm, styles: dict[str, RLStyle], width: float) -> list[Flowable]:
    """The recommendation to tick (a box per choice; the recorded one ticked) and sign,
    compact enough to share the last page with the end of the report (about a third of a
    page with three signatories)."""
    rule = colors.HexColor("#" + theme.RULE_COLOUR)
    parts: list[Flowable] = []
    if form.instructions:
        parts.append(RLParagraph(markup(form.instructions), styles["normal"]))
    rows = [
        [
            _Box(choice.word == form.recorded),
            RLParagraph(f"<b>{markup(choice.word.capitalize())}</b>", styles["cell"]),
            RLParagraph(markup(choice.meaning), styles["cell"]),
        ]
        for choice in form.choices
    ]
    word = 0.8 * inch
    choices = RLTable(rows, colWidths=[BOX_COLUMN, word, width - BOX_COLUMN - word])
    choices.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    parts += [choices, Spacer(1, 4)]
    part = RLStyle("form-h2", parent=styles["h2"])  # not a bookmark
    parts.append(RLParagraph("Reasons, conditions and modifications", part))
    heights = [REASON_LINE_PT] * REASON_LINES
    lines = RLTable([[""]] * REASON_LINES, colWidths=[width], rowHeights=heights)
    lines.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, rule)]))
    parts += [lines, Spacer(1, 4)]
    signature = [["", "Name", "Signature", "Date"]]
    signature += [[role, "", "", ""] for role in form.signatories]
    half = (width - LABEL_WIDTH - inch) / 2  # name and signature; the date takes an inch
    widths = [LABEL_WIDTH, half, half, inch]
    signed = RLTable(signature, colWidths=widths, rowHeights=[12] + [22] * len(form.signatories))
    signed.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), BOLD, 8),
                ("FONT", (0, 1), (-1, -1), REGULAR, 8.5),
                ("VALIGN", (0, 1), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (1, 1), (-1, -1), 0.6, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (1, 0), (-1, -1), 10),
            ]
        )
    )
    parts.append(RLParagraph("Signatures", part))
    parts.append(signed)
    return parts


def _story(doc: ReportDocument, styles: dict[str, RLStyle]) -> Iterator[Flowable]:
    yield from _cover(doc, styles)
    heading: RLParagraph | None = None  # a section heading waiting for its first block
    for step in reading_order(doc):
        kept = isinstance(step, Place) and isinstance(
            step.block, Table | Figure | RecommendationForm
        )
        if heading is not None and not kept:
            yield heading
            heading = None
        if isinstance(step, NewPage):
            yield NextPageTemplate(step.orientation.value)
            yield RLPageBreak()
        elif isinstance(step, Heading):
            heading = RLParagraph(markup(step.title), styles["h1"])
        elif heading is not None and isinstance(step.block, Table):
            width = text_width_pt(step.orientation)
            yield from _table(doc, step.block, styles, width, [heading])
            heading = None
        elif isinstance(step.block, RecommendationForm):  # on one page, with its heading
            width = text_width_pt(step.orientation)
            yield KeepTogether([*([heading] if heading else []), *_form(step.block, styles, width)])
            heading = None
        elif heading is not None and isinstance(step.block, Figure):
            width = text_width_pt(step.orientation)
            yield _figure(doc, step.block, styles, width, [heading])
            heading = None
        else:
            yield from _block(doc, step.block, styles, text_width_pt(step.orientation))
    if heading is not None:
        yield heading


def _block(
    doc: ReportDocument,
    block: Paragraph | Table | Figure | RecommendationForm,
    styles: dict[str, RLStyle],
    width: float,
) -> list[Flowable]:
    if isinstance(block, RecommendationForm):
        return _form(block, styles, width)
    if isinstance(block, Table):
        return _table(doc, block, styles, width)
    if isinstance(block, Figure):
        return [_figure(doc, block, styles, width)]
    if block.style is ParagraphStyle.DECISION:
        return [_decision(block, styles, width)]
    return [RLParagraph(markup(block.text), styles[block.style.value])]


def write_pdf(doc: ReportDocument, path: Path) -> Path:
    """Write ``doc`` as a PDF at ``path`` (plotly figures are rendered first)."""
    register_fonts()
    doc = render_document(doc)
    styles = _styles()
    template = _Template(str(path), doc, styles)
    template.build(list(_story(doc, styles)), canvasmaker=_NumberedCanvas)
    return path
