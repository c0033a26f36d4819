"""DOCX writer (python-docx): the report to edit into a DSMB report.

A cover page (trial, meeting, data cut-off, OPEN/CLOSED) with a table of contents (Word's
TOC field, filled in when the document is opened), then the title block; real Word
headings (Heading 1 for sections, Heading 2 for table and figure titles, so the navigation
pane lists them), bordered Word tables ("Table Grid") whose header row repeats on every
page (nested rows: group rows bold, members indented), figures as PNG at the render
resolution with captions, the recommendation form, and every Word section's header and
footer carrying the running title, the OPEN/CLOSED label, the provenance stamp and "Page X
of Y" (Word fields). Wide tables get a landscape section. US Letter, 0.75 in margins, as
the PDF.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.shared import Inches, Pt, RGBColor

from monitoring.reports import theme
from monitoring.reports.document import (
    Figure,
    Paragraph,
    ParagraphStyle,
    RecommendationForm,
    ReportDocument,
    Table,
)
from monitoring.reports.docx_xml import (
    body_rows,
    contents_field,
    decision_properties,
    fill_rows,
    page_number_runs,
    set_font,
    table_element,
    update_fields_on_open,
)
from monitoring.reports.figures import RenderedFigure, render_document
from monitoring.reports.formatting import joined
from monitoring.reports.layout import (
    POINTS_PER_INCH,
    Heading,
    NewPage,
    Orientation,
    cell_texts,
    column_panels,
    fit_columns,
    reading_order,
    text_width_pt,
)

# Arial: on every Word installation; LibreOffice maps it to the metric-compatible Liberation
# Sans. Column widths are measured with Vera, which is wider, so cells never overflow.
FONT = "Arial"
FIGURE_CHROME_IN = 1.5  # room for the figure's heading, caption, header and footer
FONT_STYLES = (
    "Normal",
    "Title",
    "Subtitle",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "Caption",
    "Header",
    "Footer",
)


def write_docx(doc: ReportDocument, path: Path) -> Path:
    """Write ``doc`` as a Word document at ``path`` (plotly figures are rendered first)."""
    doc = render_document(doc)
    word: Any = docx.Document()
    _setup(word, doc)
    _cover(word, doc)
    _title_block(word, doc)
    bodies: list[tuple[Any, Iterator[Any]]] = []
    current = Orientation.PORTRAIT
    for step in reading_order(doc):
        if isinstance(step, NewPage):
            if step.orientation is current:
                word.add_page_break()
            else:
                _page_setup(word.add_section(WD_SECTION.NEW_PAGE), doc, step.orientation)
                current = step.orientation
        elif isinstance(step, Heading):
            word.add_heading(step.title, level=1)
        else:
            bodies += _block(word, doc, step.block, step.orientation)
    for element, rows in bodies:  # last: python-docx searches the whole document per picture
        fill_rows(element, rows)
    word.save(str(path))
    return path


def _setup(word: Any, doc: ReportDocument) -> None:
    props = word.core_properties
    props.title, props.author, props.subject = doc.title, doc.author, doc.subject
    props.comments = doc.provenance
    word.styles["Normal"].font.size = Pt(theme.BODY_PT)
    for name in FONT_STYLES:
        set_font(word.styles[name].element, FONT)
    _page_setup(word.sections[0], doc, Orientation.PORTRAIT)


def _page_setup(section: Any, doc: ReportDocument, orientation: Orientation) -> None:
    """Letter page in ``orientation``, with its own header and footer (right tab fits)."""
    portrait = orientation is Orientation.PORTRAIT
    section.orientation = WD_ORIENT.PORTRAIT if portrait else WD_ORIENT.LANDSCAPE
    width, height = theme.PAGE_WIDTH_IN, theme.PAGE_HEIGHT_IN
    section.page_width = Inches(width if portrait else height)
    section.page_height = Inches(height if portrait else width)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(theme.MARGIN_IN))
    section.header_distance = section.footer_distance = Inches(theme.MARGIN_IN / 2)
    text_width = Pt(text_width_pt(orientation))
    _header(section.header, doc, text_width)
    _footer(section.footer, doc)


def _header(header: Any, doc: ReportDocument, text_width: Any) -> None:
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    stops = paragraph.paragraph_format.tab_stops
    for inherited in paragraph.style.paragraph_format.tab_stops:
        stops.add_tab_stop(inherited.position, WD_TAB_ALIGNMENT.CLEAR)
    stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
    title = paragraph.add_run(doc.running_title)
    title.font.size = Pt(theme.SMALL_PT + 0.5)
    title.font.color.rgb = RGBColor.from_string(theme.MUTED_COLOUR)
    label = paragraph.add_run("\t" + doc.version.value)
    label.bold = True
    label.font.size = Pt(theme.SMALL_PT + 1.5)


def _footer(footer: Any, doc: ReportDocument) -> None:
    footer.is_linked_to_previous = False
    stamp = footer.paragraphs[0]
    run = stamp.add_run(doc.provenance)
    run.font.size = Pt(theme.SMALL_PT)
    run.font.color.rgb = RGBColor.from_string(theme.MUTED_COLOUR)
    pages = footer.add_paragraph()
    pages.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for element in page_number_runs(round((theme.SMALL_PT + 0.5) * 2)):
        pages._p.append(element)


def _cover(word: Any, doc: ReportDocument) -> None:
    """Cover page: title, the cover lines in large type, the table of contents."""
    if not doc.cover:
        return
    word.add_paragraph(doc.title, style="Title")
    word.add_paragraph("Report to the Data and Safety Monitoring Board", style="Subtitle")
    for line in doc.cover:
        paragraph = word.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(4)
        label = paragraph.add_run(f"{line.label}: ")
        label.bold = True
        label.font.size = Pt(13)
        paragraph.add_run(line.value).font.size = Pt(13)
    contents = word.add_paragraph()
    contents.add_run("Contents").bold = True
    contents.paragraph_format.space_before = Pt(14)
    contents._p.addnext(contents_field())  # before the body's section properties
    update_fields_on_open(word.settings.element)
    word.add_page_break()


def _title_block(word: Any, doc: ReportDocument) -> None:
    if doc.cover:
        word.add_paragraph("Provenance").runs[0].bold = True
    else:
        word.add_paragraph(doc.title, style="Title")
        word.add_paragraph(doc.subtitle, style="Subtitle")
    rows = [(m.label, m.value) for m in doc.metadata] + [("Report version", doc.version.value)]
    table = word.add_table(rows=len(rows), cols=2)
    table.autofit = False
    widths = (Inches(1.9), Inches(theme.PAGE_WIDTH_IN - 2 * theme.MARGIN_IN - 1.9))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for (label, value), row in zip(rows, table.rows, strict=True):
        cells = row.cells
        for index, (cell, text, width) in enumerate(
            zip(cells, (label, value), widths, strict=True)
        ):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(1)
            paragraph.add_run(text).bold = index == 0 or label == "Report version"
    word.add_paragraph()


def _block(
    word: Any,
    doc: ReportDocument,
    block: Paragraph | Table | Figure | RecommendationForm,
    orientation: Orientation,
) -> list[tuple[Any, Iterator[Any]]]:
    """Add ``block``; a table's body rows are returned, to be filled in at the end."""
    if isinstance(block, RecommendationForm):
        _form(word, block)
        return []
    if isinstance(block, Table):
        return _table(word, doc, block, orientation)
    if isinstance(block, Figure):
        _figure(word, doc, block, orientation)
    elif block.style is ParagraphStyle.DECISION:
        _decision(word, block)
    else:
        run = word.add_paragraph().add_run(block.text)
        run.bold = block.style is ParagraphStyle.EMPHASIS
    return []


def _decision(word: Any, paragraph: Paragraph) -> None:
    """Tinted, bordered paragraph in the status colour; the verdict word printed in bold."""
    assert paragraph.status is not None
    colour = theme.status_colour(paragraph.status)
    par = word.add_paragraph()
    par._p.insert(0, decision_properties(colour, theme.tint(colour)))
    par.add_run(paragraph.verdict).bold = True
    par.add_run(" — " + paragraph.text)


def _table(
    word: Any, doc: ReportDocument, table: Table, orientation: Orientation
) -> list[tuple[Any, Iterator[Any]]]:
    """Heading, table (header row now, body rows returned) and note, per column panel."""
    width = text_width_pt(orientation)
    style_id = word.styles["Table Grid"].style_id
    bodies = []
    for panel in column_panels(joined(table.printed()), width):
        word.add_heading(f"Table {doc.table_number(table)}. {panel.title}", level=2)
        fit = fit_columns(panel.columns, cell_texts(panel), width)
        anchor = word.add_paragraph()
        element = table_element(panel, fit, style_id)
        anchor._p.addprevious(element)
        bodies.append((element, body_rows(panel, fit)))
        if panel.note:
            note = anchor.add_run(panel.note)
            note.italic = True
            note.font.size = Pt(theme.SMALL_PT + 0.5)
    return bodies


def _form(word: Any, form: RecommendationForm) -> None:
    """The recommendation: a box per choice (crossed when recorded), lines for the reasons,
    a signature table; Word tables, so the form can be filled in on screen."""
    if form.instructions:
        word.add_paragraph(form.instructions)
    choices = word.add_table(rows=len(form.choices), cols=3)
    choices.style = word.styles["Table Grid"]
    for row, choice in zip(choices.rows, form.choices, strict=True):
        row.cells[0].text = "X" if choice.word == form.recorded else ""
        row.cells[1].paragraphs[0].add_run(choice.word.capitalize()).bold = True
        row.cells[2].text = choice.meaning
    box, word_width = 0.375, 1.0  # inches; the meaning takes the rest of the text width
    rest = theme.PAGE_WIDTH_IN - 2 * theme.MARGIN_IN - box - word_width
    for column, width in zip(choices.columns, (box, word_width, rest), strict=True):
        for cell in column.cells:
            cell.width = Inches(width)
    word.add_heading("Reasons, conditions and modifications", level=3)
    for _ in range(4):
        word.add_paragraph("_" * 86)
    word.add_heading("Signatures", level=3)
    signed = word.add_table(rows=len(form.signatories) + 1, cols=4)
    signed.style = word.styles["Table Grid"]
    for cell, head in zip(signed.rows[0].cells, ("", "Name", "Signature", "Date"), strict=True):
        cell.paragraphs[0].add_run(head).bold = True
    for row, role in zip(signed.rows[1:], form.signatories, strict=True):
        row.cells[0].text = role
        row.height = Inches(0.45)


def _figure(word: Any, doc: ReportDocument, figure: Figure, orientation: Orientation) -> None:
    image = figure.figure
    assert isinstance(image, RenderedFigure)
    word.add_heading(f"Figure {doc.figure_number(figure)}. {figure.title}", level=2)
    width, height = figure.size_in
    tallest = theme.PAGE_HEIGHT_IN - 2 * theme.MARGIN_IN - FIGURE_CHROME_IN
    width_in = min(width, text_width_pt(orientation) / POINTS_PER_INCH, tallest * width / height)
    word.add_picture(io.BytesIO(image.png), width=Inches(width_in))
    if figure.caption:
        word.add_paragraph(figure.caption, style="Caption")
