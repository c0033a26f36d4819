"""Time the report writers on documents with a long listing (medians over repeated runs).

Run from the repository root:

    .venv/bin/python benchmarks/bench_report_writers.py [--rows 2000 8000 32000]
        [--repeat 3]

The document is the test sample (tests/report_sample.py) with an n-row, 10-column listing
(landscape pages) and three figures. Figures are rendered once with kaleido (timed on its
own: it starts a headless Chromium); the writers then receive the rendered document, as
``write_reports`` does. For each n the table gives each writer's median and its time per
1,000 rows; a writer is linear in n when the time per 1,000 rows stays flat as n grows.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import plotly.graph_objects as go  # noqa: E402

from monitoring.reports.document import Figure, ReportDocument, Section  # noqa: E402
from monitoring.reports.docx import write_docx  # noqa: E402
from monitoring.reports.figures import render_document  # noqa: E402
from monitoring.reports.pdf import write_pdf  # noqa: E402
from monitoring.reports.xlsx import write_xlsx  # noqa: E402
from tests.report_sample import sample_document  # noqa: E402

WRITERS: dict[str, Callable[[ReportDocument, Path], Path]] = {
    "PDF": write_pdf,
    "DOCX": write_docx,
    "XLSX": write_xlsx,
}


def _figure(seed: int) -> go.Figure:
    looks = [8, 16, 24, 32, 40]
    return go.Figure(go.Scatter(x=looks, y=[(seed + k) / 10 for k in range(len(looks))]))


def build_document(rows: int, charts: tuple[object, object, object]) -> ReportDocument:
    """The test sample with an ``rows``-row listing and three figures."""
    doc = sample_document(rows, figure=charts[0])
    extra = Section("Charts", tuple(Figure(f"Chart {k}", charts[k]) for k in (1, 2)))
    return dataclasses.replace(doc, sections=(*doc.sections, extra))


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pdf_pages(path: Path) -> str:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return next(ln.split()[-1] for ln in info.splitlines() if ln.startswith("Pages"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[2000, 8000, 32000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    plotly_charts = (_figure(0), _figure(1), _figure(2))
    rendered = render_document(build_document(1, plotly_charts)).figures()
    render_time = time.perf_counter() - start
    charts = (rendered[0].figure, rendered[1].figure, rendered[2].figure)
    print(f"render 3 figures (kaleido, once): {render_time:.2f} s; medians of {args.repeat} runs")
    print("| listing rows | PDF pages | writer | median s | s per 1,000 rows |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            doc = build_document(rows, charts)
            for name, writer in WRITERS.items():
                path = Path(tmp) / f"r.{name.lower()}"
                seconds = median_seconds(lambda: writer(doc, path), args.repeat)  # noqa: B023
                pages = pdf_pages(path) if name == "PDF" else ""
                per_1000 = seconds * 1000 / rows
                print(f"| {rows} | {pages} | {name} | {seconds:.2f} | {per_1000:.3f} |")


if __name__ == "__main__":
    main()
