"""Report document model and its PDF, DOCX and XLSX writers, checked by reading files back.

The sample document (tests/report_sample.py) has two decisions, a 3-column table, a
13-column x 120-row listing (forces landscape pages and page breaks) and a plotly figure
rendered by kaleido. PDF text is read with poppler's ``pdftotext -layout``, DOCX with
python-docx, XLSX with openpyxl. Page images for a visual check go to tests/artifacts/.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from monitoring.reports import theme
from monitoring.reports.document import (
    Column,
    ColumnKind,
    Figure,
    Paragraph,
    ParagraphStyle,
    ReportDocument,
    Section,
    Status,
    Table,
    VersionLabel,
)
from monitoring.reports.docx import write_docx
from monitoring.reports.export import ReportFormat, write_reports
from monitoring.reports.figures import (
    FigureRenderError,
    RenderedFigure,
    RenderRequest,
    render_document,
    render_figures,
)
from monitoring.reports.formatting import excel_number_format, format_cell
from monitoring.reports.layout import (
    MIN_FONT_PT,
    PAD,
    Heading,
    NewPage,
    Orientation,
    Place,
    cell_texts,
    column_panels,
    fit_columns,
    reading_order,
    text_width_pt,
)
from monitoring.reports.pdf import write_pdf
from monitoring.reports.pdf_fonts import REGULAR, printable, text_width
from monitoring.reports.sheets import MAX_LENGTH, unique_sheet_names
from monitoring.reports.xlsx import write_xlsx
from tests.report_sample import PROVENANCE, WIDE_COLUMNS, sample_document, wide_rows

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ROWS = 120
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _figure() -> go.Figure:
    fig = go.Figure(go.Scatter(x=[8, 16, 24, 32, 40], y=[0.1, 0.2, 0.3, 0.41, 0.5]))
    fig.add_hline(y=0.92, line_dash="dash")
    fig.update_layout(title="Pr(p > 0.20 | data) ≥ 0.92 stops")
    return fig


@pytest.fixture(scope="module")
def renders() -> tuple[RenderedFigure, ...]:
    """Real kaleido/Chromium renderings in one browser session, shared by the module."""
    return render_figures(
        [RenderRequest(_figure(), 6.5, 3.9), RenderRequest(_figure(), 4.0, 3.0, svg=True)]
    )


@pytest.fixture(scope="module")
def rendered(renders: tuple[RenderedFigure, ...]) -> RenderedFigure:
    return renders[0]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, rendered: RenderedFigure) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reports")
    doc = sample_document(ROWS, figure=rendered)
    return {
        "pdf": write_pdf(doc, out / "summary.pdf"),
        "docx": write_docx(doc, out / "summary.docx"),
        "xlsx": write_xlsx(doc, out / "summary.xlsx"),
    }


def _pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]


def _pdf_page_sizes(path: Path) -> list[tuple[float, float]]:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(path)], check=True, capture_output=True, text=True
    ).stdout
    found = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    return [(float(w), float(h)) for w, h in found]


def _squash(text: str) -> str:
    """Text without whitespace or page numbers (pdftotext interleaves the two footer parts)."""
    return re.sub(r"\s+", "", re.sub(r"Page \d+ of \d+", "", text))


# --- formatting: one rule for the three formats ----------------------------------------


@pytest.mark.parametrize(
    ("value", "column", "expected"),
    [
        # Excel displays =0.125 with format 0.00 as 0.13 (ties away from zero); Python's
        # format(0.125, ".2f") gives 0.12. We follow the spreadsheet.
        (0.125, Column("x", ColumnKind.NUMBER, 2), "0.13"),
        # repr(2.675) == "2.675": Excel shows 2.68 although the binary value is 2.67499...
        (2.675, Column("x", ColumnKind.NUMBER, 2), "2.68"),
        (-0.004, Column("x", ColumnKind.NUMBER, 2), "0.00"),  # never "-0.00"
        (-1.25, Column("x", ColumnKind.NUMBER, 1), "-1.3"),  # away from zero
        (0.3333, Column("x", ColumnKind.PERCENT, 1), "33.3%"),
        (0.0563, Column("x", ColumnKind.PERCENT, 1), "5.6%"),  # 5.63% -> 5.6%
        (0.00125, Column("x", ColumnKind.PERCENT, 2), "0.13%"),  # 0.125% -> 0.13%
        (1, Column("x", ColumnKind.PERCENT, 0), "100%"),
        (20, Column("x", ColumnKind.INTEGER), "20"),
        (7, Column("x", ColumnKind.NUMBER), "7.00"),  # default 2 decimals for numbers
        (date(2025, 3, 1), Column("x", ColumnKind.DATE), "2025-03-01"),
        (None, Column("x", ColumnKind.NUMBER), "–"),
        ("Pr(p > 0.20 | data)", Column("x"), "Pr(p > 0.20 | data)"),
    ],
)
def test_format_cell(value: object, column: Column, expected: str) -> None:
    assert format_cell(value, column) == expected  # type: ignore[arg-type]


def test_excel_number_formats_match_the_printed_decimals() -> None:
    assert excel_number_format(Column("x", ColumnKind.NUMBER, 3)) == "0.000"
    assert excel_number_format(Column("x", ColumnKind.NUMBER, 0)) == "0"
    assert excel_number_format(Column("x", ColumnKind.PERCENT, 1)) == "0.0%"
    assert excel_number_format(Column("x", ColumnKind.INTEGER)) == "0"
    assert excel_number_format(Column("x", ColumnKind.DATE)) == "yyyy-mm-dd"
    assert excel_number_format(Column("x", ColumnKind.TEXT)) == "@"


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=6),
)
def test_formatted_number_is_within_half_a_unit(value: float, places: int) -> None:
    """Invariant: the printed number differs from the value by at most half the last digit."""
    text = format_cell(value, Column("x", ColumnKind.NUMBER, places))
    assert len(text.partition(".")[2]) == places
    error = abs(Decimal(text) - Decimal(repr(value)))
    assert error <= Decimal(5).scaleb(-places - 1)


# --- document model validation ------------------------------------------------------------


def test_table_refuses_values_of_the_wrong_kind() -> None:
    with pytest.raises(ValueError, match="2 values for 1 columns"):
        Table("t", (Column("a"),), (("x", "y"),))
    with pytest.raises(ValueError, match="cannot hold True"):
        Table("t", (Column("n", ColumnKind.INTEGER),), ((True,),))
    with pytest.raises(ValueError, match="cannot hold '3'"):
        Table("t", (Column("n", ColumnKind.NUMBER),), (("3",),))
    with pytest.raises(ValueError, match="cannot hold nan"):
        Table("t", (Column("n", ColumnKind.NUMBER),), ((float("nan"),),))
    with pytest.raises(ValueError, match="cannot hold"):
        Table("t", (Column("d", ColumnKind.DATE),), ((datetime(2025, 1, 1),),))


def test_decision_paragraph_needs_status_and_verdict() -> None:
    with pytest.raises(ValueError, match="status and a verdict"):
        Paragraph("x", ParagraphStyle.DECISION)
    with pytest.raises(ValueError, match="only decision"):
        Paragraph("x", status=Status.OK)


# --- sheet names ----------------------------------------------------------------------------


def test_sheet_names_are_cleaned_and_made_unique() -> None:
    names = unique_sheet_names(
        ["Listing [all]: patients/responses", "Boundaries", "boundaries", "History", "'q'", ""],
        taken=["Summary"],
    )
    assert names == (
        "Listing -all-- patients",  # cut after a word, not "patients-respons"
        "Boundaries",
        "boundaries (2)",
        "History (2)",  # Excel reserves "History"
        "q",
        "Table 6",
    )


def test_long_sheet_names_are_cut_at_a_word_and_stay_unique() -> None:
    names = unique_sheet_names(
        [
            "Treatment received against assigned",
            "Treatment received against assigned arm",
            "Supercalifragilisticexpialidocious tables",
        ]
    )
    assert names == (
        "Treatment received against",  # not "Treatment received against assi"
        "Treatment received against (2)",
        "Supercalifragilisticexpialidoci",  # one word longer than half: cut where it must
    )


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=12))
def test_sheet_names_are_always_valid(proposals: list[str]) -> None:
    names = unique_sheet_names(proposals, taken=["Summary"])
    folded = [n.casefold() for n in names]
    assert len(set(folded)) == len(names)
    assert "summary" not in folded
    for name in names:
        assert 1 <= len(name) <= MAX_LENGTH
        assert not set(name) & set("[]:*?/\\")
        assert not name.startswith("'")
        assert not name.endswith("'")


# --- figures ----------------------------------------------------------------------------


def test_kaleido_renders_png_at_200_dpi_or_more(rendered: RenderedFigure) -> None:
    assert rendered.png.startswith(b"\x89PNG")
    assert rendered.dpi_at(6.5) >= 200
    width, height = rendered.pixel_size
    assert abs(width / height - 6.5 / 3.9) < 0.01  # aspect of the requested size


def test_kaleido_renders_svg(renders: tuple[RenderedFigure, ...]) -> None:
    svg = renders[1].svg
    assert svg is not None
    assert svg.lstrip().startswith(b"<svg")
    assert b'width="384"' in svg  # 4 in x 96 CSS px per inch
    assert renders[0].svg is None  # only when asked for


def test_render_document_renders_only_plotly_figures(rendered: RenderedFigure) -> None:
    doc = ReportDocument(
        "t", "s", (), "stamp", VersionLabel.OPEN,
        (Section("S", (Figure("a", _figure(), width_in=3.0), Figure("b", rendered))),),
    )  # fmt: skip
    done = render_document(doc)
    first, second = (f.figure for f in done.figures())
    assert isinstance(first, RenderedFigure)
    assert first.dpi_at(3.0) >= 200
    assert second is rendered
    assert render_document(done) is done  # nothing left to render


# --- layout shared by PDF and DOCX ----------------------------------------------------------


def test_wide_table_goes_landscape_with_its_heading() -> None:
    doc = sample_document(10)
    steps = reading_order(doc)
    listing = steps.index(Heading("Listings"))
    assert steps[listing - 1] == NewPage(Orientation.LANDSCAPE)
    place = steps[listing + 1]
    assert isinstance(place, Place)
    assert place.orientation is Orientation.LANDSCAPE
    assert steps[listing + 2] == NewPage(Orientation.PORTRAIT)  # back for "Notes"


def test_columns_fit_and_numbers_never_wrap() -> None:
    """Columns fill the width; a number or date column is at least as wide as its widest
    value on one line at the fitted font (its header may wrap at words)."""
    table = Table("t", WIDE_COLUMNS, wide_rows(40))  # type: ignore[arg-type]
    width = text_width_pt(Orientation.LANDSCAPE)
    texts = cell_texts(table)
    fit = fit_columns(table.columns, texts, width)
    assert sum(fit.widths) <= width + 0.01
    for j, (column, got) in enumerate(zip(table.columns, fit.widths, strict=True)):
        if column.kind is not ColumnKind.TEXT:
            widest = max(text_width(row[j], REGULAR, fit.font_size) for row in texts)
            assert got >= widest + 2 * PAD - 0.01, column.name


# --- PDF --------------------------------------------------------------------------------------


def test_pdf_every_page_has_stamp_label_and_page_x_of_y(files: dict[str, Path]) -> None:
    pages = _pdf_pages(files["pdf"])
    assert len(pages) > 3
    for number, text in enumerate(pages, start=1):
        assert _squash(PROVENANCE) in _squash(text), f"page {number}: provenance stamp missing"
        assert "OPEN version" in text
        assert "CLOSED version" not in text
        assert f"Page {number} of {len(pages)}" in text


def test_pdf_listing_is_landscape_with_repeated_header(files: dict[str, Path]) -> None:
    pages = _pdf_pages(files["pdf"])
    sizes = _pdf_page_sizes(files["pdf"])
    assert sizes[0] == (612.0, 792.0)  # US Letter portrait, 8.5 x 11 in
    listing = [i for i, text in enumerate(pages) if re.search(r"P-\d{3}", text)]
    assert len(listing) >= 3  # 120 rows need several pages
    for i in listing:
        assert sizes[i] == (792.0, 612.0)
        assert re.search(r"Patient\s+Site\s+First dose\s+Age\s+Cycles", pages[i])


def test_pdf_shows_every_cell_formatted_and_uncut(files: dict[str, Path]) -> None:
    """Each row's one-line cells are on its line; wrapped comments are complete."""
    text = "\n".join(_pdf_pages(files["pdf"]))
    lines = text.splitlines()
    for row in wide_rows(ROWS):
        shown = [format_cell(v, c) for v, c in zip(row, WIDE_COLUMNS, strict=True)]
        line = next(ln for ln in lines if re.search(rf"\b{shown[0]}\b", ln))
        position = 0
        for value in shown[1:9]:  # left to right, in order, each complete
            position = line.index(value, position) + len(value)
    squashed = _squash(text)
    assert _squash("Dose held for grade ≥ 3 ALT elevation – resumed") in squashed
    # Last row (i = 119): posterior 119/1000; first dose 2 Jan 2024 + 3 x 119 days = 24 Dec
    # (2024 is a leap year: day 2 + 357 = day 359).
    assert "0.119" in text
    assert "2024-12-24" in text


def test_pdf_prints_math_symbols_and_decisions_in_words(files: dict[str, Path]) -> None:
    first = _pdf_pages(files["pdf"])[0]
    assert "Pr(p > 0.20 | data) = 0.41 ≤ 0.92" in first
    assert "Stop if toxicities ≥" in first
    assert "CONTINUE — Toxicity" in first
    assert "ACCRUAL SUSPENDED — Stage 1" in first
    assert "5.6%" in first
    assert "33.3%" in first


def test_pdf_metadata_and_reproducible_bytes(files: dict[str, Path], tmp_path: Path) -> None:
    info = subprocess.run(
        ["pdfinfo", str(files["pdf"])], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"Title:\s+Efficacy/Toxicity Summary", info)
    assert re.search(r"Author:\s+Trial statistician", info)
    assert re.search(r"Subject:\s+Interim monitoring summary", info)
    assert b"/Outlines" in files["pdf"].read_bytes()  # headings are bookmarks
    doc = sample_document(ROWS, figure=render_document_figure(files))
    again = write_pdf(doc, tmp_path / "b.pdf")
    assert again.read_bytes() == files["pdf"].read_bytes()


def render_document_figure(files: dict[str, Path]) -> RenderedFigure:
    """The figure embedded in the fixture's files (its first DOCX image)."""
    word = docx.Document(str(files["docx"]))
    blob = word.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    return RenderedFigure(word.part.related_parts[blob].blob)


def test_pdf_closed_version_label_on_every_page(tmp_path: Path, rendered: RenderedFigure) -> None:
    doc = sample_document(30, figure=rendered, version=VersionLabel.CLOSED)
    pages = _pdf_pages(write_pdf(doc, tmp_path / "closed.pdf"))
    assert all("CLOSED version" in p and "OPEN version" not in p for p in pages)
    word = docx.Document(str(write_docx(doc, tmp_path / "closed.docx")))
    assert all("CLOSED version" in s.header.paragraphs[0].text for s in word.sections)
    book = openpyxl.load_workbook(write_xlsx(doc, tmp_path / "closed.xlsx"))
    assert all(sheet.oddHeader.right.text == "CLOSED version" for sheet in book.worksheets)


def test_pdf_pages_rendered_for_visual_check(files: dict[str, Path]) -> None:
    """Page images at 60 dpi in tests/artifacts/ (look at them after a layout change)."""
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("report-page-*.png"):
        old.unlink()
    prefix = ARTIFACTS / "report-page"
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(files["pdf"]), str(prefix)], check=True)
    assert len(list(ARTIFACTS.glob("report-page-*.png"))) == len(_pdf_pages(files["pdf"]))


# --- DOCX --------------------------------------------------------------------------------------


def test_docx_headings_tables_and_repeated_header(files: dict[str, Path]) -> None:
    word = docx.Document(str(files["docx"]))
    headings = {(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Head")}
    assert ("Heading 1", "Decisions") in headings
    assert ("Heading 1", "Listings") in headings
    assert ("Heading 2", "Table 2. Patient listing: response and toxicity") in headings
    assert ("Heading 2", "Figure 1. Posterior probability of excess toxicity") in headings
    listing = word.tables[-1]
    assert len(listing.rows) == ROWS + 1
    assert len(listing.columns) == len(WIDE_COLUMNS)
    assert listing.style.name == "Table Grid"
    assert listing.rows[0]._tr.find(f"{W}trPr/{W}tblHeader") is not None
    assert [c.text for c in listing.rows[0].cells] == [c.name for c in WIDE_COLUMNS]
    for row, values in zip(listing.rows[1:], wide_rows(ROWS), strict=True):
        expected = [format_cell(v, c) for v, c in zip(values, WIDE_COLUMNS, strict=True)]
        assert [c.text for c in row.cells] == expected
    age = listing.rows[5].cells[3].paragraphs[0]
    assert age.alignment is not None
    assert age.alignment.name == "RIGHT"
    for tc in word.element.body.iter(f"{W}tc"):  # Word needs a paragraph in every cell
        assert tc.find(f"{W}p") is not None


def test_docx_sections_carry_stamp_label_and_landscape(files: dict[str, Path]) -> None:
    word = docx.Document(str(files["docx"]))
    orientations = [s.orientation.name for s in word.sections]
    assert orientations == ["PORTRAIT", "LANDSCAPE", "PORTRAIT"]
    for section in word.sections:
        assert section.page_width is not None
        assert section.page_height is not None
        inches = sorted((section.page_width.inches, section.page_height.inches))
        assert inches == [8.5, 11.0]  # US Letter
        assert "OPEN version" in section.header.paragraphs[0].text
        footer = section.footer._element.xml
        assert PROVENANCE in "".join(p.text for p in section.footer.paragraphs)
        assert 'w:instr=" PAGE ' in footer
        assert 'w:instr=" NUMPAGES ' in footer


def test_docx_figure_is_png_at_200_dpi_with_caption(files: dict[str, Path]) -> None:
    word = docx.Document(str(files["docx"]))
    shape = word.inline_shapes[0]
    image = render_document_figure(files)
    assert image.pixel_size[0] / shape.width.inches >= 200
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert captions == ["Dashed: 0.92."]


def test_docx_decisions_and_metadata(files: dict[str, Path]) -> None:
    word = docx.Document(str(files["docx"]))
    texts = [p.text for p in word.paragraphs]
    assert "CONTINUE — Toxicity: 3 of 29 evaluable; Pr(p > 0.20 | data) = 0.41 ≤ 0.92." in texts
    decision = next(p for p in word.paragraphs if p.text.startswith("CONTINUE"))
    shading = decision._p.find(f"{W}pPr/{W}shd")
    assert shading is not None
    # 15% of #009E73 over white: 255 - 0.15 x (255 - channel) = D9, F0, EA (hand calculation)
    assert shading.get(f"{W}fill") == "D9F0EA"
    title_block = word.tables[0]
    assert [c.text for c in title_block.rows[3].cells] == ["Data cut-off", "2025-03-01"]
    assert title_block.rows[3].cells[0].paragraphs[0].runs[0].bold  # labels in bold
    assert word.core_properties.title == "Efficacy/Toxicity Summary"
    assert word.core_properties.author == "Trial statistician"


# --- XLSX --------------------------------------------------------------------------------------


def test_xlsx_sheets_types_and_formats(files: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(files["xlsx"])
    assert book.sheetnames == ["Summary", "Boundaries", "Listing -all-- patients"]
    sheet = book["Listing -all-- patients"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert [c.value for c in sheet[1]] == [c.name for c in WIDE_COLUMNS]
    for r, values in enumerate(wide_rows(ROWS), start=2):
        for j, (value, column) in enumerate(zip(values, WIDE_COLUMNS, strict=True), start=1):
            cell = sheet.cell(r, j)
            assert cell.number_format == excel_number_format(column)
            if column.kind is ColumnKind.DATE:
                assert cell.value == datetime.combine(value, datetime.min.time())  # type: ignore[arg-type]
            elif value == "":
                assert cell.value is None
            else:
                assert cell.value == value  # a number stays a number (0.0 reads back as 0)
                assert isinstance(cell.value, str) == (column.kind is ColumnKind.TEXT)
    comment = "Dose held for grade ≥ 3 ALT elevation – resumed"
    letter = get_column_letter(len(WIDE_COLUMNS))  # the comment column, the last
    assert sheet.column_dimensions[letter].width >= len(comment)
    assert sheet.column_dimensions["H"].width >= len("Pr(p > 0.20 | data)")  # header uncut
    stamp_row = ROWS + 1 + 2 + 3  # data, blank row, then title, note, label, stamp
    assert sheet.cell(stamp_row, 1).value == PROVENANCE
    assert f"A{stamp_row}:{letter}{stamp_row}" in {str(r) for r in sheet.merged_cells.ranges}


def test_xlsx_shows_the_same_numbers_as_pdf_and_docx(files: dict[str, Path]) -> None:
    """Stored value + number format, formatted by the shared rule, equals the DOCX cell."""
    sheet = openpyxl.load_workbook(files["xlsx"])["Boundaries"]
    table = docx.Document(str(files["docx"])).tables[1]
    pdf_first = _pdf_pages(files["pdf"])[0]
    columns = sample_document(1).tables()[0].columns
    for r in range(2, 5):
        for j, column in enumerate(columns, start=1):
            shown = format_cell(sheet.cell(r, j).value, column)
            assert shown == table.rows[r - 1].cells[j - 1].text
            assert shown in pdf_first


def test_xlsx_summary_has_title_block_decisions_and_provenance(files: dict[str, Path]) -> None:
    summary = openpyxl.load_workbook(files["xlsx"])["Summary"]
    rows = [tuple(c for c in row if c is not None) for row in summary.iter_rows(values_only=True)]
    assert rows[0] == ("Efficacy/Toxicity Summary",)
    assert ("Data cut-off", "2025-03-01") in rows
    assert ("Report version", "OPEN version") in rows
    assert ("Provenance", PROVENANCE) in rows
    decision = "Toxicity: 3 of 29 evaluable; Pr(p > 0.20 | data) = 0.41 ≤ 0.92."
    assert ("CONTINUE", decision, "OK") in rows  # Status.OK in words
    assert summary.oddHeader.right.text == "OPEN version"


def test_xlsx_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    table = Table("t", (Column("a"), Column("n", ColumnKind.NUMBER, 1)), (("=1+1", 2.25),))
    doc = ReportDocument("t", "s", (), "stamp & co", VersionLabel.CLOSED, (Section("S", (table,)),))
    sheet = openpyxl.load_workbook(write_xlsx(doc, tmp_path / "f.xlsx"))["t"]
    assert sheet["A2"].value == "=1+1"
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 2.25
    assert sheet["B2"].number_format == "0.0"
    assert sheet.oddFooter.left.text == "stamp && co"  # "&" escaped in Excel header codes


@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(list(ColumnKind)), st.text(min_size=1, max_size=30)),
        min_size=1,
        max_size=30,
    ),
    st.lists(st.text(max_size=60), min_size=1, max_size=5),
)
def test_fitted_columns_never_exceed_the_page(
    kinds: list[tuple[ColumnKind, str]], texts: list[str]
) -> None:
    """Invariant: any table's columns fit the landscape text width, at a readable font."""
    columns = [Column(name, kind) for kind, name in kinds]
    rows = [[texts[(i + j) % len(texts)] for j in range(len(columns))] for i in range(3)]
    width = text_width_pt(Orientation.LANDSCAPE)
    fit = fit_columns(columns, rows, width)
    assert sum(fit.widths) <= width + 1e-6
    assert fit.font_size >= MIN_FONT_PT


def test_too_wide_table_is_split_into_column_panels_and_no_number_is_broken(
    tmp_path: Path,
) -> None:
    """24 columns of 11-character values need 24 x (36 + 8) pt > 684 pt even at 5.5 pt:
    the table is split into panels repeating column 1, and every value prints on one line."""
    values = tuple(Column(f"Value {j + 1}", ColumnKind.NUMBER, 3) for j in range(24))
    columns = (Column("Patient"), *values)
    rows = tuple((f"P-{i}", *(1e6 + i * 24 + j + 0.123 for j in range(24))) for i in range(5))
    table = Table("wide", columns, rows, note="Values in mg.")
    panels = column_panels(table, text_width_pt(Orientation.LANDSCAPE))
    assert len(panels) > 1
    assert all(p.columns[0] == columns[0] for p in panels)
    assert [c for p in panels for c in p.columns[1:]] == list(columns[1:])
    assert [p.note for p in panels] == [""] * (len(panels) - 1) + ["Values in mg."]
    assert panels[0].title.startswith(f"wide (part 1 of {len(panels)}: columns 2–")
    doc = ReportDocument("t", "s", (), "stamp", VersionLabel.OPEN, (Section("S", (table,)),))
    text = "\n".join(_pdf_pages(write_pdf(doc, tmp_path / "wide.pdf")))
    for row in rows:
        for value in row[1:]:
            assert format_cell(value, columns[1]) in text  # whole, on one line
    word = docx.Document(str(write_docx(doc, tmp_path / "wide.docx")))
    assert len(word.tables) == 1 + len(panels)  # title-block table + one per panel


def test_pdf_replaces_glyphs_the_font_lacks_and_escapes_markup(tmp_path: Path) -> None:
    assert printable("a → b ≥ c") == "a -> b ≥ c"  # Vera has ≥ but no arrow
    body = Paragraph("Responders <7 & pending → stop if Pr(p > 0.20 | data) > 0.92")
    doc = ReportDocument("t", "s", (), "stamp", VersionLabel.OPEN, (Section("S", (body,)),))
    text = _pdf_pages(write_pdf(doc, tmp_path / "g.pdf"))[0]
    assert "Responders <7 & pending -> stop if Pr(p > 0.20 | data) > 0.92" in text


def test_tall_figure_is_scaled_to_fit_one_page(tmp_path: Path, rendered: RenderedFigure) -> None:
    """A 6.5 x 12 in figure would not fit a Letter page: it is scaled (to half a page, so
    two figures share a page), not refused."""
    figure = Figure("tall", rendered, width_in=6.5, height_in=12.0)
    doc = ReportDocument("t", "s", (), "stamp", VersionLabel.OPEN, (Section("S", (figure,)),))
    pages = _pdf_pages(write_pdf(doc, tmp_path / "tall.pdf"))
    assert len(pages) == 1  # the title block, then the figure with its title
    assert "Figure 1. tall" in pages[0]
    word = docx.Document(str(write_docx(doc, tmp_path / "tall.docx")))
    assert word.inline_shapes[0].height.inches < theme.PAGE_HEIGHT_IN - 2 * theme.MARGIN_IN


def test_write_reports_renders_once_and_writes_each_format(
    tmp_path: Path, rendered: RenderedFigure
) -> None:
    paths = write_reports(sample_document(5, figure=rendered), tmp_path, "look4")
    assert {fmt: p.name for fmt, p in paths.items()} == {
        ReportFormat.PDF: "look4.pdf",
        ReportFormat.DOCX: "look4.docx",
        ReportFormat.XLSX: "look4.xlsx",
    }
    assert paths[ReportFormat.PDF].read_bytes().startswith(b"%PDF")
    assert all(p.stat().st_size > 0 for p in paths.values())


def test_empty_table_is_written_in_every_format(tmp_path: Path) -> None:
    table = Table("No toxicities yet", (Column("Term"), Column("n", ColumnKind.INTEGER)), ())
    doc = ReportDocument("t", "s", (), "stamp", VersionLabel.OPEN, (Section("S", (table,)),))
    paths = write_reports(doc, tmp_path, "empty")
    assert "No records." in _pdf_pages(paths[ReportFormat.PDF])[0]
    word = docx.Document(str(paths[ReportFormat.DOCX]))
    assert word.tables[-1].rows[1].cells[0].text == "No records."
    sheet = openpyxl.load_workbook(paths[ReportFormat.XLSX])["No toxicities yet"]
    assert sheet.max_column == 2
    assert [c.value for c in sheet[1]] == ["Term", "n"]


def test_missing_browser_is_reported_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    """choreographer takes BROWSER_PATH first; a wrong path fails with a named error."""
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(FigureRenderError, match="kaleido/Chromium failed"):
        render_figures([RenderRequest(_figure(), 2.0, 1.5)])


def test_pdf_writes_greek_letters_the_font_lacks_as_words(tmp_path: Path) -> None:
    """Vera has no γ: the closed report's design fact "Hwang–Shih–DeCani (γ = -2)" (the
    AALL1732 futility spending's own label) printed "(? = -2)"; it now reads "gamma"."""
    from monitoring.designs.group_sequential import SpendingFamily, SpendingFunction

    label = SpendingFunction(SpendingFamily.HSD, -2.0).label()
    assert label == "Hwang–Shih–DeCani (γ = -2)"
    body = Paragraph(f"efficacy O'Brien–Fleming type, futility {label} (non-binding); θ, α, β")
    doc = ReportDocument("t", "s", (), "stamp", VersionLabel.CLOSED, (Section("S", (body,)),))
    text = _pdf_pages(write_pdf(doc, tmp_path / "gamma.pdf"))[0]
    assert "futility Hwang–Shih–DeCani (gamma = -2) (non-binding); theta, alpha, beta" in text
    assert "?" not in text
