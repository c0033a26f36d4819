"""PDF writer (reportlab platypus): the report to read and to file.

US Letter (the protocol's Efficacy/Toxicity Summary goes to a US IND office). Every page
carries the running title, the OPEN/CLOSED label, the provenance stamp and "Page X of Y".
Wide tables get landscape pages; figures are PNG at the document's render resolution.
The file is byte-reproducible (reportlab's invariant mode): the generation date is the
one printed in the title block.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape
from reportlab.lib.styles import ParagraphStyle as RLStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
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
from monitoring.reports import theme
from monitoring.reports.document import (
    Figure,
    Paragraph,
    ParagraphStyle,
    ReportDocument,
    Table,
)
from monitoring.reports.figures import RenderedFigure, render_document
from monitoring.reports.layout import (
    Heading,
    NewPage,
    Orientation,
    column_panels,
    reading_order,
    text_width_pt,
)
from monitoring.reports.pdf_fonts import BOLD, ITALIC, REGULAR, markup, printable, register_fonts
from monitoring.reports.pdf_tables import build_table

PAGE = (theme.PAGE_WIDTH_IN * inch, theme.PAGE_HEIGHT_IN * inch)
MARGIN = theme.MARGIN_IN * inch
HEADER_SPACE = 0.55 * inch
FOOTER_SPACE = 0.7 * inch
# A figure (always on a portrait page), its title and caption must fit one frame.
FIGURE_MAX_HEIGHT = PAGE[1] - 2 * MARGIN - HEADER_SPACE - FOOTER_SPACE - 1.2 * inch


def _styles() -> dict[str, RLStyle]:
    body = RLStyle("body", fontName=REGULAR, fontSize=theme.BODY_PT, leading=theme.BODY_PT * 1.35)
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
            spaceBefore=6,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "normal": RLStyle("normal", parent=body, spaceAfter=5),
        "emphasis": RLStyle("emphasis", parent=body, fontName=BOLD, spaceAfter=5),
        "note": RLStyle(
            "note",
            parent=body,
            fontName=ITALIC,
            fontSize=theme.SMALL_PT + 0.5,
            leading=(theme.SMALL_PT + 0.5) * 1.3,
            spaceBefore=3,
            spaceAfter=8,
        ),
        "meta": RLStyle("meta", parent=body),
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
        """Section and table/figure headings become bookmarks in the PDF outline."""
        if isinstance(flowable, RLParagraph) and flowable.style.name in ("h1", "h2"):
            if not self._outline:
                self.canv.showOutline()  # open the bookmarks pane in PDF viewers
            self._outline += 1
            key = f"h{self._outline}"
            self.canv.bookmarkPage(key)
            level = 0 if flowable.style.name == "h1" else 1
            self.canv.addOutlineEntry(flowable.getPlainText(), key, level=level, closed=True)


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Canvas that prints "Page X of Y" once the total is known (two-pass page states)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._saved: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab API)
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            width = self._pagesize[0]
            self.setFont(REGULAR, theme.SMALL_PT + 0.5)
            self.setFillColor(colors.black)
            label = f"Page {self._pageNumber} of {total}"
            self.drawRightString(width - MARGIN, MARGIN + FOOTER_SPACE - 12 - theme.SMALL_PT, label)
            super().showPage()
        super().save()


def _title_block(doc: ReportDocument, styles: dict[str, RLStyle]) -> list[Flowable]:
    rows = [
        [
            RLParagraph(markup(m.label), styles["emphasis"]),
            RLParagraph(markup(m.value), styles["meta"]),
        ]
        for m in doc.metadata
    ]
    rows.append(
        [
            RLParagraph("Report version", styles["emphasis"]),
            RLParagraph(markup(doc.version.value), styles["emphasis"]),
        ]
    )
    meta = RLTable(
        rows,
        colWidths=[1.9 * inch, text_width_pt(Orientation.PORTRAIT) - 1.9 * inch],
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


def _figure(
    doc: ReportDocument, figure: Figure, styles: dict[str, RLStyle], frame: float
) -> Flowable:
    image = figure.figure
    assert isinstance(image, RenderedFigure)
    width, height = figure.size_in
    scale = min(1.0, frame / (width * inch), FIGURE_MAX_HEIGHT / (height * inch))
    title = f"Figure {doc.figure_number(figure)}. {figure.title}"
    parts: list[Flowable] = [
        RLParagraph(markup(title), styles["h2"]),
        Image(
            io.BytesIO(image.png),
            width=width * inch * scale,
            height=height * inch * scale,
            hAlign="LEFT",
        ),
    ]
    if figure.caption:
        parts.append(RLParagraph(markup(figure.caption), styles["note"]))
    return KeepTogether(parts)


def _table(
    doc: ReportDocument, table: Table, styles: dict[str, RLStyle], width: float
) -> list[Flowable]:
    number = doc.table_number(table)
    parts: list[Flowable] = []
    for panel in column_panels(table.printed(), width):
        title = f"Table {number}. {panel.title}"
        parts += [RLParagraph(markup(title), styles["h2"]), build_table(panel, width)]
        parts.append(
            RLParagraph(markup(panel.note), styles["note"]) if panel.note else Spacer(1, 8)
        )
    return parts


def _story(doc: ReportDocument, styles: dict[str, RLStyle]) -> Iterator[Flowable]:
    yield from _title_block(doc, styles)
    for step in reading_order(doc):
        if isinstance(step, NewPage):
            yield NextPageTemplate(step.orientation.value)
            yield RLPageBreak()
        elif isinstance(step, Heading):
            yield RLParagraph(markup(step.title), styles["h1"])
        else:
            yield from _block(doc, step.block, styles, text_width_pt(step.orientation))


def _block(
    doc: ReportDocument, block: Paragraph | Table | Figure, styles: dict[str, RLStyle], width: float
) -> list[Flowable]:
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
