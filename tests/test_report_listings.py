"""Complete listings: a listing longer than the writers' chunks is written whole, in order,
with its header on every page; an excerpt is printed in the PDF and DOCX only.

The listing is the sample's 13-column patient listing (tests/report_sample.py) with ROWS
rows, more than one PDF window (``pdf_tables.WINDOW_ROWS``) and more than one DOCX parse block
(``docx_xml.ROWS_PER_PARSE``). Files are read back with pdftotext, python-docx and openpyxl.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from reportlab.platypus import tables as rl_tables

from monitoring.reports.document import (
    Column,
    ColumnKind,
    Excerpt,
    ReportDocument,
    Section,
    Table,
    VersionLabel,
)
from monitoring.reports.docx import write_docx
from monitoring.reports.docx_xml import ROWS_PER_PARSE
from monitoring.reports.pdf import write_pdf
from monitoring.reports.pdf_tables import WINDOW_ROWS
from monitoring.reports.safety_section import excerpt
from monitoring.reports.xlsx import write_xlsx
from tests.report_sample import WIDE_COLUMNS, sample_document

ROWS = 650
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADER = re.compile(r"Patient\s+Site\s+First dose\s+Age\s+Cycles")
PATIENT = re.compile(r"\bP-\d{3}\b")
SHEET = "Listing -all-- patients"


def _ids(n: int) -> list[str]:
    """Patient ids of the sample's first ``n`` rows: P-001, P-002, ... (report_sample.py)."""
    return [f"P-{i:03d}" for i in range(1, n + 1)]


def _pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]


@pytest.fixture(scope="module")
def long_doc() -> ReportDocument:
    assert max(WINDOW_ROWS, ROWS_PER_PARSE) < ROWS  # the listing spans several chunks
    return sample_document(ROWS)


@pytest.fixture(scope="module")
def pdf_and_tables(
    tmp_path_factory: pytest.TempPathFactory, long_doc: ReportDocument
) -> tuple[Path, list[int]]:
    """The PDF, and the row count of every reportlab table built while writing it."""
    built: list[int] = []
    original = rl_tables.Table.__init__

    def counting(self: object, data: list[object], *args: object, **kwargs: object) -> None:
        built.append(len(data))
        original(self, data, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rl_tables.Table, "__init__", counting)
        path = write_pdf(long_doc, tmp_path_factory.mktemp("pdf") / "long.pdf")
    return path, built


def test_pdf_prints_every_row_once_in_order_with_the_header_on_each_page(
    pdf_and_tables: tuple[Path, list[int]],
) -> None:
    pages = _pdf_pages(pdf_and_tables[0])
    listing = [text for text in pages if PATIENT.search(text)]
    assert len(listing) > ROWS // WINDOW_ROWS  # several pages per window of rows
    assert [p for text in listing for p in PATIENT.findall(text)] == _ids(ROWS)
    for number, text in enumerate(listing, start=1):
        assert HEADER.search(text), f"listing page {number}: header row missing"
        header_at = HEADER.search(text).start()  # type: ignore[union-attr]
        first_row = PATIENT.search(text).start()  # type: ignore[union-attr]
        assert header_at < first_row, f"listing page {number}: header is not on top"
        assert len(HEADER.findall(text)) == 1, f"listing page {number}: header mid-page"


def test_pdf_never_builds_a_table_longer_than_one_window(
    pdf_and_tables: tuple[Path, list[int]],
) -> None:
    """Work per page is bounded (so the whole listing is linear in its rows): no reportlab
    table of more than the header plus WINDOW_ROWS rows is ever built, where reportlab's
    own split would build tables of all remaining rows at every page break."""
    built = pdf_and_tables[1]
    assert max(built) <= WINDOW_ROWS + 1
    assert sum(built) < 20 * ROWS  # each row is laid out a bounded number of times


def test_docx_has_every_row_in_order_and_a_repeating_header(
    tmp_path: Path, long_doc: ReportDocument
) -> None:
    word = docx.Document(str(write_docx(long_doc, tmp_path / "long.docx")))
    listing = word.tables[-1]._tbl
    rows = listing.findall(f"{W}tr")
    assert len(rows) == ROWS + 1
    assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None  # Word repeats it on each page
    assert all(r.find(f"{W}trPr/{W}tblHeader") is None for r in rows[1:])

    def first_cell(row: object) -> str:
        return "".join(t.text or "" for t in row.find(f"{W}tc").iter(f"{W}t"))  # type: ignore[attr-defined]

    assert first_cell(rows[0]) == WIDE_COLUMNS[0].name
    assert [first_cell(r) for r in rows[1:]] == _ids(ROWS)
    fills = [r.find(f"{W}tc/{W}tcPr/{W}shd") is not None for r in rows[1:]]
    assert fills == [i % 2 == 1 for i in range(ROWS)]  # zebra continues across parse blocks


def test_xlsx_has_every_row_in_order_and_prints_the_header_on_each_page(
    tmp_path: Path, long_doc: ReportDocument
) -> None:
    book = openpyxl.load_workbook(write_xlsx(long_doc, tmp_path / "long.xlsx"))
    sheet = book[SHEET]
    assert [c.value for c in sheet[1]] == [c.name for c in WIDE_COLUMNS]
    assert [sheet.cell(r, 1).value for r in range(2, ROWS + 2)] == _ids(ROWS)
    assert sheet.print_title_rows == "$1:$1"  # the header row printed on every page


def _with_excerpt(rows: int, shown: int) -> tuple[ReportDocument, Table]:
    """The sample whose listing prints only its ``shown`` latest rows (by first dose)."""
    doc = sample_document(rows)
    listing = doc.tables()[-1]
    dates = [row[2] for row in listing.rows]  # "First dose" (a date column)
    printed = excerpt(listing.title, listing.note, dates, shown, "patient")  # type: ignore[arg-type]
    table = Table(listing.title, listing.columns, listing.rows, listing.note, "Listing", printed)
    sections = tuple(
        Section(s.title, tuple(table if b is listing else b for b in s.blocks))
        for s in doc.sections
    )
    return ReportDocument(**{**doc.__dict__, "sections": sections}), table


def test_excerpt_is_printed_in_pdf_and_docx_and_the_xlsx_has_every_row(tmp_path: Path) -> None:
    """First doses rise by 3 days a row (report_sample.py), so the 5 latest are the last 5:
    P-026..P-030 of 30."""
    doc, table = _with_excerpt(30, 5)
    assert table.excerpt is not None
    assert table.excerpt.positions == (25, 26, 27, 28, 29)
    title = "Patient listing: response and toxicity: latest 5 of 30"
    note = "Printed here: the 5 patients with the latest dates, of 30. The XLSX workbook"

    text = "\n".join(_pdf_pages(write_pdf(doc, tmp_path / "x.pdf")))
    assert PATIENT.findall(text) == _ids(30)[25:]
    assert f"Table 2. {title}" in text
    assert note in re.sub(r"\s+", " ", text)

    word = docx.Document(str(write_docx(doc, tmp_path / "x.docx")))
    assert [c.text for c in word.tables[-1].columns[0].cells] == ["Patient", *_ids(30)[25:]]
    assert any(p.text == f"Table 2. {title}" for p in word.paragraphs)
    assert any(p.text.startswith(note) for p in word.paragraphs)

    book = openpyxl.load_workbook(write_xlsx(doc, tmp_path / "x.xlsx"))
    sheet = book["Listing"]
    assert [sheet.cell(r, 1).value for r in range(2, 32)] == _ids(30)
    footnotes = [sheet.cell(r, 1).value for r in range(33, 37)]
    assert "Table 2. Patient listing: response and toxicity" in footnotes  # complete title
    assert not any("latest" in str(f) for f in footnotes)


def test_excerpt_needs_increasing_positions_of_existing_rows() -> None:
    listing = sample_document(4).tables()[-1]
    for positions in ((1, 0), (0, 0), (2, 4), (-1, 1)):
        with pytest.raises(ValueError, match="excerpt rows"):
            Table("t", listing.columns, listing.rows, excerpt=Excerpt(positions, "t", ""))
    table = Table("t", listing.columns, listing.rows, excerpt=Excerpt((0, 3), "t: 2 of 4", "n"))
    assert table.printed().rows == (listing.rows[0], listing.rows[3])
    assert (table.printed().title, table.printed().note) == ("t: 2 of 4", "n")


def test_short_listing_has_no_excerpt() -> None:
    """At most ``limit`` rows: every row printed, no excerpt (title and note unchanged)."""
    doc, table = _with_excerpt(5, 5)
    assert table.excerpt is None
    assert table.printed() is table
    assert doc.tables()[-1] is table


def test_xlsx_rows_written_as_text_read_back_as_openpyxl_writes_them(tmp_path: Path) -> None:
    """Rows 3 and beyond are spliced in as XML text (xlsx_rows.py); each value reads back
    with its type, exact value and number format: text (even "=..." or with markup
    characters) stays text, numbers stay numbers, dates are dates, empty cells keep their
    format. Control characters, not allowed in XML, are dropped."""
    columns = (
        Column("text"),
        Column("n", ColumnKind.NUMBER, 3),
        Column("k", ColumnKind.INTEGER),
        Column("d", ColumnKind.DATE),
        Column("p", ColumnKind.PERCENT, 1),
    )
    tricky = 0.1 + 0.2  # 0.30000000000000004: needs 17 significant digits
    rows = (
        ("first", 1.0, 1, date(2024, 1, 2), 0.5),
        ("=1+1", tricky, -7, date(1900, 3, 1), None),
        ("  a & b < c > d \x07", 1e-300, 10**15, date(2031, 12, 31), 1.0),
        ("", None, None, None, 0.0),
    )
    table = Table("t", columns, rows)
    doc = ReportDocument("t", "s", (), "stamp", VersionLabel.CLOSED, (Section("S", (table,)),))
    sheet = openpyxl.load_workbook(write_xlsx(doc, tmp_path / "t.xlsx"))["t"]
    expected = [
        ("=1+1", tricky, -7, datetime(1900, 3, 1), None),
        ("  a & b < c > d ", 1e-300, 10**15, datetime(2031, 12, 31), 1.0),
        (None, None, None, None, 0.0),  # openpyxl reads an empty text cell as None
    ]
    formats = ["@", "0.000", "0", "yyyy-mm-dd", "0.0%"]
    for r, values in enumerate(expected, start=3):
        cells = [sheet.cell(r, j) for j in range(1, 6)]
        assert [c.value for c in cells] == list(values)
        assert [c.number_format for c in cells] == formats
    assert sheet["A3"].data_type == "s"  # not a formula
    assert sheet["A7"].value == "Table 1. t"  # footnotes follow the spliced rows
