"""Time the report writers on a ~30-page document (medians over repeated runs).

Run from the repository root:

    /work/main/.venv/bin/python benchmarks/bench_report_writers.py [--rows 640] [--repeat 7]

Figures are rendered once with kaleido (timed on its own: it starts a headless Chromium);
the writers then receive the rendered document, as ``write_reports`` does.
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


def _figure(seed: int) -> go.Figure:
    looks = [8, 16, 24, 32, 40]
    return go.Figure(go.Scatter(x=looks, y=[(seed + k) / 10 for k in range(len(looks))]))


def build_document(rows: int) -> ReportDocument:
    """The test sample with a long listing and three figures."""
    doc = sample_document(rows, figure=_figure(0))
    extra = Section("Charts", tuple(Figure(f"Chart {k}", _figure(k)) for k in (1, 2)))
    return dataclasses.replace(doc, sections=(*doc.sections, extra))


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=640)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    doc = build_document(args.rows)
    start = time.perf_counter()
    rendered = render_document(doc)
    render_time = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        pdf = lambda: write_pdf(rendered, out / "r.pdf")  # noqa: E731
        docx = lambda: write_docx(rendered, out / "r.docx")  # noqa: E731
        xlsx = lambda: write_xlsx(rendered, out / "r.xlsx")  # noqa: E731
        timings = {name: median_seconds(f, args.repeat) for name, f in
                   (("PDF", pdf), ("DOCX", docx), ("XLSX", xlsx))}  # fmt: skip
        info = subprocess.run(["pdfinfo", str(out / "r.pdf")], capture_output=True, text=True)
        pages = next(ln.split()[-1] for ln in info.stdout.splitlines() if ln.startswith("Pages"))
    print(f"document: {args.rows}-row listing, 3 figures, {pages} PDF pages; "
          f"medians of {args.repeat} runs")  # fmt: skip
    print(f"{'step':<34}{'seconds':>9}")
    print(f"{'render 3 figures (kaleido, once)':<34}{render_time:>9.2f}")
    for name, seconds in timings.items():
        print(f"{'write ' + name:<34}{seconds:>9.2f}")
    print(f"{'write all three formats':<34}{sum(timings.values()):>9.2f}")


if __name__ == "__main__":
    main()
