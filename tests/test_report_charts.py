"""The report's chart images (``monitoring.charts.static``), drawn with matplotlib without a
browser, show what the dashboard's plotly charts show: the same step vertices, bands,
censoring marks, numbers at risk, boundaries, axis ranges, titles and legend entries. The
expected values are read off the plotly figures (``km_figure``, ``toxicity_boundary_figure``)
of the same series, so a change to either drawing that loses content fails here."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.patches import Rectangle
from PIL import Image

from monitoring.analyses.conduct import accrual
from monitoring.charts.conduct import AccrualChart
from monitoring.charts.panels import PANEL_WIDTH_IN, ChartRow
from monitoring.charts.static import _STYLE, BoundaryChart, KmChart, StaticChart
from monitoring.demo import generate
from monitoring.derive import Derivation, derive
from monitoring.protocol import bundled_protocol, load_protocol
from monitoring.reports import figures
from monitoring.reports.blocks import CHART_DPI, CHART_WIDTH_IN
from monitoring.reports.content import ReportStamp, build_report, render_report
from monitoring.reports.figures import RenderedFigure
from monitoring.reports.survival_section import KM_PER_ROW, KM_ROW_HEIGHT
from monitoring.series import survival_view, toxicity_path
from monitoring.status import TrialStatus, trial_status

PROTOCOL = load_protocol(bundled_protocol("ino-lowdose-ph2"))


@pytest.fixture(scope="module")
def trial() -> tuple[TrialStatus, Derivation]:
    data = generate(PROTOCOL, "on_track", seed=0)
    status = trial_status(PROTOCOL, derive(data, PROTOCOL))
    return status, derive(data, PROTOCOL, status.cutoff)


def _drawn(chart: StaticChart) -> Any:
    with matplotlib.rc_context(_STYLE):
        figure = chart.figure(CHART_WIDTH_IN, chart.height_px / 96, CHART_DPI)
        figure.canvas.draw()  # lays out the legend and ticks
    return figure


def _legend(figure: Any) -> list[str]:
    return [t.get_text() for legend in figure.legends for t in legend.get_texts()]


@pytest.mark.parametrize("by", [None, "sex"])
def test_km_image_draws_the_plotly_chart_s_numbers(
    trial: tuple[TrialStatus, Derivation], by: str | None
) -> None:
    _, derivation = trial
    chart = KmChart(survival_view(derivation, PROTOCOL, "PFS", by))
    plotly, figure = chart.plotly(), _drawn(chart)
    curves_ax, risk_ax = figure.axes
    n = len(chart.view.curves)
    assert n == (1 if by is None else 2)
    lines = list(curves_ax.get_lines())
    bands = [c for c in curves_ax.collections if isinstance(c, PolyCollection)]
    marks = [c for c in curves_ax.collections if isinstance(c, LineCollection)]
    assert len(lines) == len(bands) == len(marks) == n
    for i in range(n):
        lower, upper, line, ticks = plotly.data[4 * i : 4 * i + 4]
        assert list(lines[i].get_xdata()) == list(line.x)
        assert list(lines[i].get_ydata()) == list(line.y)
        assert lines[i].get_drawstyle() == "steps-post"  # plotly's "hv"
        assert matplotlib.colors.to_hex(lines[i].get_color()) == line.line.color.lower()
        # the band spans the plotly band's lower and upper vertices
        band = bands[i].get_paths()[0].vertices
        assert band[:, 1].min() == pytest.approx(min(lower.y))
        assert band[:, 1].max() == pytest.approx(max(upper.y))
        assert set(np.round(band[:, 0], 9)) == set(np.round(line.x, 9))
        # censoring ticks: (t, s - h) to (t, s + h), as the plotly path of ticks
        segments = [(tuple(a), tuple(b)) for a, b in marks[i].get_segments()]
        starts = zip(ticks.x[0::3], ticks.y[0::3], strict=True)
        ends = zip(ticks.x[1::3], ticks.y[1::3], strict=True)
        expected = list(zip(starts, ends, strict=True))
        np.testing.assert_allclose(np.array(segments), np.array(expected), rtol=1e-12)
    risk = [trace for trace in plotly.data if trace.mode == "text"]
    drawn = sorted((t.get_position()[1], t.get_position()[0], t.get_text()) for t in risk_ax.texts)
    wanted = sorted(
        (row, x, text)
        for row, trace in enumerate(risk)
        for x, text in zip(trace.x, trace.text, strict=True)
    )
    assert drawn == wanted
    assert [t.get_text() for t in risk_ax.get_yticklabels()] == [c.label for c in chart.view.curves]
    assert curves_ax.get_xlim() == pytest.approx(tuple(plotly.layout.xaxis.range))
    assert curves_ax.get_ylim() == pytest.approx(tuple(plotly.layout.yaxis.range))
    step = plotly.layout.xaxis.dtick
    assert all(round(x / step, 9).is_integer() for x in curves_ax.get_xticks())
    names = [t.name for t in plotly.data if t.showlegend is not False]
    assert sorted(_legend(figure)) == sorted(names)
    texts = [t.get_text() for t in figure.texts]
    assert plotly.layout.title.text in texts
    assert curves_ax.get_ylabel() == plotly.layout.yaxis.title.text
    assert risk_ax.get_xlabel() == plotly.layout.xaxis2.title.text
    assert risk_ax.get_title(loc="left") == "Number at risk"


def test_boundary_image_draws_the_plotly_chart_s_numbers(
    trial: tuple[TrialStatus, Derivation],
) -> None:
    status, derivation = trial
    rule = PROTOCOL.toxicity[0]
    chart = BoundaryChart(toxicity_path(rule, derivation.toxicity[0], status.toxicity[0]))
    plotly, figure = chart.plotly(), _drawn(chart)
    (axes,) = figure.axes
    stop, boundary, observed, reached = plotly.data
    bars = [p for p in axes.patches if isinstance(p, Rectangle)]
    assert [b.get_x() + b.get_width() / 2 for b in bars] == pytest.approx(list(stop.x))
    assert [b.get_y() for b in bars] == list(stop.base)
    assert [b.get_height() for b in bars] == list(stop.y)
    boundary_line, observed_line = axes.get_lines()
    assert list(boundary_line.get_xdata()) == list(boundary.x)
    assert list(boundary_line.get_ydata()) == list(boundary.y)
    labels = sorted(t.get_text() for t in axes.texts)
    assert labels == sorted(boundary.text)
    assert list(observed_line.get_xdata()) == list(observed.x)
    assert list(observed_line.get_ydata()) == list(observed.y)
    assert observed_line.get_drawstyle() == "steps-post"
    (points,) = axes.collections
    centres = [tuple(p) for p in points.get_offsets()]
    assert centres == list(zip(reached.x, reached.y, strict=True))
    colours = [matplotlib.colors.to_hex(c) for c in points.get_facecolors()]
    assert colours == [c.lower() for c in reached.marker.color]
    assert axes.get_xlim() == pytest.approx(tuple(plotly.layout.xaxis.range))
    assert axes.get_ylim() == pytest.approx(tuple(plotly.layout.yaxis.range))
    assert list(axes.get_xticks()) == list(range(0, rule.nmax + 1, plotly.layout.xaxis.dtick))
    assert sorted(_legend(figure)) == sorted(t.name for t in plotly.data)
    assert plotly.layout.title.text in [t.get_text() for t in figure.texts]
    assert axes.get_xlabel() == plotly.layout.xaxis.title.text
    assert axes.get_ylabel() == plotly.layout.yaxis.title.text


def test_report_charts_are_rendered_without_a_browser_at_the_report_resolution(
    trial: tuple[TrialStatus, Derivation], monkeypatch: pytest.MonkeyPatch
) -> None:
    """render_report draws every chart build_report makes; kaleido is never called. The
    PNG has the chart's aspect ratio at CHART_DPI (1440 px wide for 9 inches)."""
    status, derivation = trial

    def no_browser(*_: object) -> None:
        raise AssertionError("kaleido called")

    monkeypatch.setattr(figures, "render_figures", no_browser)
    doc = build_report(status, derivation, stamp=ReportStamp(datetime(2026, 1, 1, tzinfo=UTC)))
    rendered = render_report(doc)
    # disposition flow and accrual, Kaplan–Meier charts two to a row, the boundary chart,
    # the eDISH chart (the demo has laboratory results), the cumulative incidence of relapse
    rows = -(-len(PROTOCOL.survival.endpoints) // KM_PER_ROW)
    assert len(rendered.figures()) == len(doc.figures()) == 2 + rows + 1 + 1 + 1
    for before, after in zip(doc.figures(), rendered.figures(), strict=True):
        assert isinstance(before.figure, StaticChart)
        assert isinstance(after.figure, RenderedFigure)
        width, height = struct.unpack(">II", after.figure.png[16:24])
        assert width == round(before.size_in[0] * CHART_DPI)
        # matplotlib truncates a fractional pixel size (the rows' heights are fractions)
        assert abs(height - before.size_in[1] * CHART_DPI) < 1
        if isinstance(before.figure, ChartRow):  # panels of 5 inches, at a share of their height
            assert before.size_in == pytest.approx(
                (PANEL_WIDTH_IN * KM_PER_ROW, before.figure.height_px * KM_ROW_HEIGHT / 96)
            )
        else:
            assert before.size_in == (CHART_WIDTH_IN, before.figure.height_px / 96)


def _pixels(png: bytes) -> Any:
    return np.asarray(Image.open(io.BytesIO(png)))


def test_chart_png_is_the_opaque_savefig_image_as_rgb(
    trial: tuple[TrialStatus, Derivation],
) -> None:
    """The PNG drops only the alpha channel of what ``savefig`` writes, which is 255 at
    every pixel: the same picture, in RGB, at the chart's resolution."""
    status, derivation = trial
    rule = PROTOCOL.toxicity[0]
    for chart in (
        KmChart(survival_view(derivation, PROTOCOL, "OS", None)),
        BoundaryChart(toxicity_path(rule, derivation.toxicity[0], status.toxicity[0])),
    ):
        size = (CHART_WIDTH_IN, chart.height_px / 96)
        with matplotlib.rc_context(_STYLE):
            buffer = io.BytesIO()
            chart.figure(*size, CHART_DPI).savefig(buffer, format="png", dpi=CHART_DPI)
        saved, png = _pixels(buffer.getvalue()), _pixels(chart.png(*size, CHART_DPI))
        assert saved.shape[2] == 4
        assert (saved[..., 3] == 255).all()
        assert png.shape == (*saved.shape[:2], 3)
        assert np.array_equal(png, saved[..., :3])


def test_pdf_embeds_the_chart_png_unchanged(
    trial: tuple[TrialStatus, Derivation], tmp_path: Path
) -> None:
    """The PDF's images are the charts' PNG data as they are (Flate with the PNG
    predictor, no soft mask): poppler's ``pdfimages`` reads back every pixel of each PNG.
    An RGBA PNG (kaleido's) cannot be taken as it is and is drawn by reportlab."""
    from monitoring.reports.pdf import write_pdf
    from monitoring.reports.pdf_images import png_data

    status, derivation = trial
    doc = build_report(status, derivation, stamp=ReportStamp(datetime(2026, 1, 1, tzinfo=UTC)))
    rendered = render_report(doc)
    pngs = [f.figure.png for f in rendered.figures()]
    write_pdf(rendered, tmp_path / "report.pdf")
    listing = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "report.pdf")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert [line.split()[2] for line in listing.splitlines()[2:]] == ["image"] * len(pngs)
    subprocess.run(
        ["pdfimages", "-png", str(tmp_path / "report.pdf"), str(tmp_path / "image")], check=True
    )
    extracted = sorted(tmp_path.glob("image-*.png"))
    assert len(extracted) == len(pngs)
    for path, png in zip(extracted, pngs, strict=True):
        assert np.array_equal(_pixels(path.read_bytes()), _pixels(png))
    rgba = io.BytesIO()
    Image.new("RGBA", (4, 3), (255, 255, 255, 255)).save(rgba, format="png")
    assert png_data(rgba.getvalue()) is None
    assert png_data(pngs[0]) is not None


@pytest.mark.parametrize(
    ("fmt", "absent"),
    [
        ("xlsx", ("reportlab", "docx", "matplotlib", "plotly", "kaleido")),
        ("pdf", ("docx", "openpyxl", "plotly", "kaleido")),
        # DOCX column widths are measured with the PDF's font metrics (reports.layout):
        # reportlab's pdfbase, not its page layout engine
        ("docx", ("reportlab.platypus", "openpyxl", "plotly", "kaleido")),
    ],
)
def test_each_format_loads_only_its_own_writer(fmt: str, absent: tuple[str, ...]) -> None:
    """Writing one format imports neither the other writers' libraries nor a browser."""
    script = f"""
import sys, tempfile
from datetime import UTC, datetime
from pathlib import Path
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.protocol import bundled_protocol, load_protocol
from monitoring.status import trial_status
from monitoring.reports.content import ReportStamp, build_report
from monitoring.reports.export import ReportFormat, write_reports
p = load_protocol(bundled_protocol("ino-lowdose-ph2"))
data = generate(p, "on_track", seed=0)
status = trial_status(p, derive(data, p))
doc = build_report(status, derive(data, p, status.cutoff), stamp=ReportStamp(datetime.now(UTC)))
write_reports(doc, Path(tempfile.mkdtemp()), "x", [ReportFormat("{fmt}")])
print(",".join(m for m in {absent!r} if m in sys.modules))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout
    assert out.strip() == ""


def _px(figure: Any, box: Any) -> Any:
    """A display-space box in CSS px (the charts' layout unit)."""
    return box.transformed(matplotlib.transforms.Affine2D().scale(96 / figure.get_dpi()))


def test_km_image_keeps_its_labels_apart_and_inside(trial: tuple[TrialStatus, Derivation]) -> None:
    """In a report panel (5 inches at 0.7 of the chart's height, two arms with long names):
    the legend lies inside the image, "Number at risk" below the curves' time labels, and
    each arm's label left of its count at time 0."""
    _, derivation = trial
    chart = KmChart(survival_view(derivation, PROTOCOL, "PFS", "sex"))
    with matplotlib.rc_context(_STYLE):
        figure = chart.figure(PANEL_WIDTH_IN, chart.height_px * KM_ROW_HEIGHT / 96, CHART_DPI)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        renderer = canvas.get_renderer()
    curves_ax, risk_ax = figure.axes
    (legend,) = figure.legends
    inside = figure.bbox
    assert inside.contains(*legend.get_window_extent(renderer).min)
    assert inside.contains(*legend.get_window_extent(renderer).max)
    ticks = [t.get_window_extent(renderer) for t in curves_ax.get_xticklabels() if t.get_text()]
    (title,) = [
        t.get_window_extent(renderer)
        for t in (risk_ax.title, risk_ax._left_title)
        if t.get_text() == "Number at risk"
    ]
    assert max(t.y1 for t in ticks) > title.y1  # the title is below the time labels ...
    assert min(t.y0 for t in ticks) > title.y1  # ... without touching them
    labels = risk_ax.get_yticklabels()
    for row, label in enumerate(labels):
        first = next(t for t in risk_ax.texts if t.get_position() == (0.0, row))
        assert label.get_window_extent(renderer).x1 < first.get_window_extent(renderer).x0
    assert _px(figure, title).height > 10  # drawn at its size


def test_accrual_chart_has_a_readable_plot_area(trial: tuple[TrialStatus, Derivation]) -> None:
    """The monthly bars need height: at least 150 CSS px of plot area in the dashboard's
    figure (its height less the top and bottom margins) and in the report's image."""
    _, derivation = trial
    enrolment = accrual(derivation, PROTOCOL)
    plotly = AccrualChart(enrolment).plotly()
    margin = plotly.layout.margin
    assert plotly.layout.height - margin.t - margin.b >= 150
    chart = AccrualChart(enrolment, titled=False)
    with matplotlib.rc_context(_STYLE):
        figure = chart.figure(CHART_WIDTH_IN, chart.height_px / 96, CHART_DPI)
    (axes,) = figure.axes
    assert _px(figure, axes.get_window_extent()).height >= 150
