"""Write a report in one or all formats, rendering its figures only once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from monitoring.reports.document import ReportDocument
from monitoring.reports.docx import write_docx
from monitoring.reports.figures import render_document
from monitoring.reports.formats import ReportFormat as ReportFormat  # where it always was
from monitoring.reports.pdf import write_pdf
from monitoring.reports.xlsx import write_xlsx

WRITERS: dict[ReportFormat, Callable[[ReportDocument, Path], Path]] = {
    ReportFormat.PDF: write_pdf,
    ReportFormat.DOCX: write_docx,
    ReportFormat.XLSX: write_xlsx,
}


def write_report(doc: ReportDocument, path: Path, fmt: ReportFormat) -> Path:
    """Write ``doc`` to ``path`` in ``fmt``."""
    return WRITERS[fmt](doc, path)


def write_reports(
    doc: ReportDocument,
    directory: Path,
    stem: str,
    formats: Iterable[ReportFormat] = tuple(ReportFormat),
) -> dict[ReportFormat, Path]:
    """Write ``directory/stem.<ext>`` for each format; plotly figures are rendered once."""
    rendered = render_document(doc)
    return {fmt: write_report(rendered, directory / f"{stem}.{fmt.value}", fmt) for fmt in formats}
