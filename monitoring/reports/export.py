"""Write a report in one or all formats, rendering its figures only once.

Each writer is imported when its format is first written: the XLSX writer does not load
reportlab or python-docx, the PDF writer neither openpyxl nor python-docx.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from pathlib import Path

from monitoring.reports.document import ReportDocument
from monitoring.reports.figures import render_document
from monitoring.reports.formats import ReportFormat as ReportFormat  # where it always was

Writer = Callable[[ReportDocument, Path], Path]
_WRITERS = {
    ReportFormat.PDF: ("monitoring.reports.pdf", "write_pdf"),
    ReportFormat.DOCX: ("monitoring.reports.docx", "write_docx"),
    ReportFormat.XLSX: ("monitoring.reports.xlsx", "write_xlsx"),
}


def writer(fmt: ReportFormat) -> Writer:
    """The function writing ``fmt`` (its module loaded on first use)."""
    module, name = _WRITERS[fmt]
    function: Writer = getattr(importlib.import_module(module), name)
    return function


def needs_charts(formats: Iterable[ReportFormat]) -> bool:
    """Whether any of ``formats`` prints the charts (the XLSX holds the numbers only)."""
    return any(fmt is not ReportFormat.XLSX for fmt in formats)


def write_report(doc: ReportDocument, path: Path, fmt: ReportFormat) -> Path:
    """Write ``doc`` to ``path`` in ``fmt``."""
    return writer(fmt)(doc, path)


def write_reports(
    doc: ReportDocument,
    directory: Path,
    stem: str,
    formats: Iterable[ReportFormat] = tuple(ReportFormat),
) -> dict[ReportFormat, Path]:
    """Write ``directory/stem.<ext>`` for each format; charts are rendered once."""
    chosen = tuple(formats)
    rendered = render_document(doc) if needs_charts(chosen) else doc
    return {fmt: write_report(rendered, directory / f"{stem}.{fmt.value}", fmt) for fmt in chosen}
