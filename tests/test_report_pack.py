"""The report as a DSMB meeting pack (issue 17): cover and contents, sections in the DSMB
order, the recommendation form, nested AE tables, no lone rows, and a compact PDF.

The page budget: the 24-patient demo (``python -m monitoring demo``, seed 0, on_track) gave a
32-page closed PDF before the meeting-pack layout (measured 2026-12-07 with
``report --format pdf --version closed``); the pack must take at most half of that, with
every table and figure still in it.
"""

from __future__ import annotations

import html
import io
import re
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Spacer
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from monitoring.data_quality import derived_findings
from monitoring.db import looks
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.protocol import load_protocol
from monitoring.reports.content import (
    FORM,
    PACK_ORDER,
    RECOMMENDATIONS,
    ReportStamp,
    build_report,
    render_report,
)
from monitoring.reports.document import (
    Column,
    ColumnKind,
    Joint,
    Merge,
    Paragraph,
    ReportDocument,
    RowStyle,
    Section,
    Table,
    VersionLabel,
)
from monitoring.reports.export import ReportFormat, write_reports
from monitoring.reports.formatting import joined
from monitoring.reports.layout import Heading, reading_order
from monitoring.reports.pdf import _Titled
from monitoring.reports.pdf_tables import KEEP_ROWS, MIN_ROWS, PagedTable, build_table
from monitoring.status import trial_status
from monitoring.wording import counted
from tests.conftest import PROTOCOL_DIR

PROTOCOL = load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml")
STAMP = ReportStamp(
    datetime(2025, 7, 5, 9, 30, tzinfo=UTC), "Trial statistician", date(2025, 7, 15)
)
PAGES_BEFORE = 32  # the demo's closed PDF before the meeting-pack layout (module docstring)


@pytest.fixture(scope="module")
def pack() -> ReportDocument:
    data = generate(PROTOCOL, "on_track", seed=0)
    status = trial_status(PROTOCOL, derive(data, PROTOCOL))
    derived = derive(data, PROTOCOL, status.cutoff)
    # as the report command builds it: with the data-quality findings at the cut-off
    quality = derived_findings(derived, PROTOCOL)
    return build_report(status, derived, stamp=STAMP, quality=quality)


@pytest.fixture(scope="module")
def files(
    pack: ReportDocument, tmp_path_factory: pytest.TempPathFactory
) -> dict[ReportFormat, Path]:
    return write_reports(render_report(pack), tmp_path_factory.mktemp("pack"), "pack")


def _pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True)
    return out.stdout


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    found = re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
    assert found is not None
    return int(found.group(1))


def test_closed_pdf_is_at_most_half_the_pages_with_every_table_and_figure(
    pack: ReportDocument, files: dict[ReportFormat, Path]
) -> None:
    pdf = files[ReportFormat.PDF]
    assert _page_count(pdf) <= PAGES_BEFORE // 2
    text = _squash(_pdf_text(pdf))
    for table in pack.tables():
        title = f"Table {pack.table_number(table)}. {table.printed().title}"
        assert _squash(title) in text, title
    for figure in pack.figures():
        title = f"Figure {pack.figure_number(figure)}. {figure.title}"
        assert _squash(title) in text, title
    for section in pack.sections:
        assert _squash(section.title) in text


def test_the_closed_listings_end_with_the_data_quality_findings_by_kind(
    pack: ReportDocument, files: dict[ReportFormat, Path]
) -> None:
    """A row per kind found, counts from the findings themselves (derived_findings at the
    same cut-off); the OPEN report leaves the table out."""
    listings = next(s for s in pack.sections if s.title == "Listings")
    table = listings.blocks[-1]
    assert isinstance(table, Table)
    assert table.title == "Data-quality findings at the cut-off"
    data = generate(PROTOCOL, "on_track", seed=0)
    status = trial_status(PROTOCOL, derive(data, PROTOCOL))
    report = derived_findings(derive(data, PROTOCOL, status.cutoff), PROTOCOL)
    found = {k.value.replace("_", " "): n for k, n in report.counts.items() if n}
    assert found  # the demo trial has findings to show
    assert {row[0]: row[2] for row in table.rows} == found
    assert sum(found.values()) == len(report.findings)
    assert "Data-quality findings at the cut-off" in _pdf_text(files[ReportFormat.PDF])
    derived = derive(data, PROTOCOL, status.cutoff)
    open_pack = build_report(
        status, derived, stamp=STAMP, version=VersionLabel.OPEN, quality=report
    )
    assert all(t.title != table.title for t in open_pack.tables())


def test_cover_contents_and_page_numbers(files: dict[ReportFormat, Path]) -> None:
    pages = _pdf_text(files[ReportFormat.PDF]).split("\f")[:-1]
    cover = " ".join(pages[0].split())
    assert "DSMB meeting 2025-07-15" in cover  # the stamp's meeting date
    assert "Data cut-off" in cover
    assert "Report CLOSED version" in cover
    assert "Contents" in cover
    for title in ("Status and recommendation", "Disposition", "Baseline characteristics"):
        assert title in cover  # the contents list the sections (tables too when they fit)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page


def test_sections_follow_the_dsmb_order_and_empty_ones_are_left_out(
    pack: ReportDocument,
) -> None:
    titles = [s.title for s in pack.sections]
    assert titles[-1] == FORM  # the closed version ends with the form
    ordered = [t for t in PACK_ORDER if t in titles]
    assert titles[:-1] == ordered
    assert "Baseline characteristics" in titles  # age, sex, site and salvage line at least
    exposure = generate(PROTOCOL, "on_track", seed=0).exposure
    assert ("Exposure" in titles) is (not exposure.empty)  # left out without exposure data
    empty = ReportDocument(
        "t",
        "s",
        (),
        "stamp",
        VersionLabel.OPEN,
        (Section("Empty", ()), Section("Full", (Paragraph("x"),))),
    )
    assert Heading("Empty") not in reading_order(empty)
    assert Heading("Full") in reading_order(empty)


def test_recommendation_words_are_those_the_sign_off_records() -> None:
    assert tuple(c.word for c in RECOMMENDATIONS) == looks.RECOMMENDATIONS
    assert looks.signoff_note("pause", "until the SOS review") == (
        "Recommendation: pause. until the SOS review"
    )
    assert looks.recommendation_of(looks.signoff_note("stop", None)) == "stop"
    assert looks.recommendation_of("a note without one") is None
    with pytest.raises(ValueError, match="unknown recommendation 'halt'"):
        looks.signoff_note("halt", None)


def test_docx_has_navigable_headings_word_tables_contents_and_form(
    pack: ReportDocument, files: dict[ReportFormat, Path]
) -> None:
    word = docx.Document(str(files[ReportFormat.DOCX]))
    level1 = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert level1 == [s.title for s in pack.sections]
    level2 = [p.text for p in word.paragraphs if p.style.name == "Heading 2"]
    for table in pack.tables():
        assert f"Table {pack.table_number(table)}. {table.printed().title}" in level2
    # every report table is a real Word table (plus the title block and the form's two)
    assert len(word.tables) == 1 + len(pack.tables()) + 2
    assert 'TOC \\o "1-2"' in word.element.body.xml  # the contents: Word's TOC field
    assert word.settings.element.xml.count("updateFields") == 1


def test_xlsx_has_one_sheet_per_table_and_nested_rows_keep_their_category(
    pack: ReportDocument, files: dict[ReportFormat, Path]
) -> None:
    book = openpyxl.load_workbook(files[ReportFormat.XLSX])
    # the Summary sheet first; a figure's data (the disposition counts) has a sheet too
    assert len(book.sheetnames) == 1 + len(pack.sheets()) > 1 + len(pack.tables())
    sheet = book["AE all"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Category", "Category / term", "Any grade n"]
    rows = [r for r in sheet.iter_rows(min_row=2, max_col=2, values_only=True) if r[1]]
    table = next(t for t in pack.tables() if t.sheet_name == "AE all")
    assert len(rows) >= len(table.rows)
    assert all(category for category, _ in rows[: len(table.rows)])  # every row has one


def test_ae_table_prints_n_percent_per_grade_band() -> None:
    """Counts and percentages stay numbers in the table (the XLSX); the PDF and DOCX print
    them together, as the standard nested AE table does."""
    table = Table(
        "AE",
        (
            Column("Category / term"),
            Column("Any grade n", ColumnKind.INTEGER),
            Column("%", ColumnKind.PERCENT),
            Column("CrI low", ColumnKind.PERCENT),
            Column("CrI high", ColumnKind.PERCENT),
        ),
        (("Investigations", 3, 3 / 29, 0.03, 0.251), ("Sepsis", 1, 1 / 29, None, None)),
        row_styles=(RowStyle.GROUP, RowStyle.MEMBER),
        merges=(Merge(1, "Any grade n (%)", Joint.COUNT_PERCENT),),
    )
    shown = joined(table)
    assert [c.name for c in shown.columns] == [
        "Category / term",
        "Any grade n (%)",
        "CrI low",
        "CrI high",
    ]
    assert shown.rows[0][1] == "3 (10.3%)"  # 3/29 = 10.34%
    assert shown.row_styles == table.row_styles


def _paged(rows: int, styles: tuple[RowStyle, ...] = ()) -> PagedTable:
    table = Table("t", (Column("x"),), tuple((str(i),) for i in range(rows)), row_styles=styles)
    return PagedTable(table, ["x"], [[str(i)] for i in range(rows)], (50.0,), 8.0)


def test_no_page_holds_a_lone_row_of_a_split_table() -> None:
    paged = _paged(20)
    assert paged._kept(19) == 20 - MIN_ROWS  # leave two rows, not one, for the next page
    assert paged._kept(1) == 0  # one row would be alone at the foot: move the table on
    assert paged._kept(20) == 20  # all fit
    short = _paged(KEEP_ROWS)
    assert short._kept(KEEP_ROWS - 1) == 0  # a short table is never split
    styles = (RowStyle.BODY,) * 9 + (RowStyle.GROUP,) + (RowStyle.MEMBER,) * 10
    nested = _paged(20, styles)
    assert nested._kept(10) == 9  # a group header is never a page's last row


@pytest.mark.parametrize(
    ("count", "words"), [(0, "0 events"), (1, "1 event"), (2, "2 events"), (1204, "1,204 events")]
)
def test_counts_and_nouns_agree(count: int, words: str) -> None:
    assert counted(count, "event") == words


def test_listing_titles_say_1_event_not_1_events(pack: ReportDocument) -> None:
    titles = [t.title for t in pack.tables()]
    assert not any(re.search(r"\b1 events\b", t) for t in titles)
    assert any(re.search(r"\(n = \d+ events?\)", t) for t in titles)


def _pdf_xml(path: Path) -> str:
    """The PDF as poppler's ``pdftohtml -xml`` reads it: outline entries and links carry
    the page their destination resolves to."""
    out = subprocess.run(
        ["pdftohtml", "-xml", "-i", "-stdout", "-q", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def _page_text(path: Path, page: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def test_every_bookmark_and_contents_link_goes_to_its_sections_page(
    pack: ReportDocument, files: dict[ReportFormat, Path]
) -> None:
    """Each outline entry's destination page (resolved by poppler, a reader independent of
    the writer) holds the heading it names, and each contents link goes to the page its
    line prints."""
    pdf = files[ReportFormat.PDF]
    xml = _pdf_xml(pdf)
    outline = re.findall(r'<item page="(\d+)">(.*?)</item>', xml)
    titles = {html.unescape(text) for _, text in outline}
    assert {s.title for s in pack.sections} <= titles
    assert len({page for page, _ in outline}) > len(pack.sections) // 2  # not all on one
    for page, text in outline:
        heading = html.unescape(text)
        assert _squash(heading) in _squash(_page_text(pdf, int(page))), (page, heading)
    cover = xml.split("</page>")[0]
    numbers = re.findall(r'<a href="[^"#]*#(\d+)">(\d+)</a>', cover)
    assert len(numbers) >= len(pack.sections)
    assert all(target == printed for target, printed in numbers)


def test_a_split_tables_header_repeats_only_at_the_top_of_a_new_page() -> None:
    """A nested table with a note (as the baseline table) placed below a spacer of every
    height from nothing to a full frame: each page holds at most one piece of it, so its
    header row is printed once a page, at the top of a continuation page."""
    rows = tuple(
        row for g in range(12) for row in ((f"Group {g}", None), ("a", str(g)), ("b", str(g)))
    )
    styles = (RowStyle.GROUP, RowStyle.MEMBER, RowStyle.MEMBER) * 12
    table = Table("t", (Column("Characteristic"), Column("Total")), rows, row_styles=styles)
    note = ParagraphStyle("note", fontName="Helvetica", fontSize=7, leading=9)
    frame_height = 300.0

    class Recorder(BaseDocTemplate):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(io.BytesIO(), pagesize=(300, frame_height + 20))
            frame = Frame(10, 10, 280, frame_height, 0, 0, 0, 0)
            self.addPageTemplates([PageTemplate("p", [frame])])
            self.pieces: list[int] = []

        def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab API)
            if isinstance(flowable, RLTable | _Titled):  # a piece with its header row
                self.pieces.append(self.canv.getPageNumber())

    for above in range(0, int(frame_height), 3):
        doc = Recorder()
        titled = _Titled([], build_table(table, 280), RLParagraph("A note of two lines " * 6, note))
        doc.build([Spacer(1, above), titled])
        assert len(doc.pieces) == len(set(doc.pieces)), (above, doc.pieces)
