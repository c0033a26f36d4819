"""The report's charts as PNG images drawn with matplotlib (Agg), without a browser.

A report figure holds a :class:`StaticChart`: the series a dashboard chart draws
(:class:`KmChart`: a ``SurvivalView``; :class:`BoundaryChart`: a ``ToxicityPath``). Its
:meth:`StaticChart.plotly` is the dashboard's own plotly figure of those series; its
:meth:`StaticChart.png` draws the same content from the same numbers
(:mod:`monitoring.charts.geometry`: step vertices, bands, censoring marks, numbers at
risk, boundaries, axis ranges, titles, legend entries) in the same layout (plotly's sizes in
CSS px, 1/96 inch: margins, fonts, line widths), so the image printed in a report matches
what the dashboard shows without starting Chromium (kaleido costs 2-3.5 s to start and
about 0.4 s a chart; docs/performance.md). matplotlib is imported on the first drawing only.
"""

from __future__ import annotations

import abc
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from monitoring.charts.geometry import (
    MARK_HALF_HEIGHT,
    BoundaryLines,
    KmLines,
    boundary_lines,
    km_lines,
)
from monitoring.charts.palette import BLACK, BLUE, FONT_SIZE, GRID, TICK_SIZE, VERMILLION
from monitoring.series import SurvivalView, ToxicityPath

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PX = 96  # CSS px per inch: plotly's layout unit
PT_PER_PX = 72 / PX  # matplotlib sizes text, lines and markers in points
FONTS = ["Liberation Sans", "Arial", "Helvetica", "DejaVu Sans"]  # plotly's "Arial, Helvetica"
MARGIN = {"l": 80, "r": 30, "b": 70}  # monitoring.charts.theme.styled
LABEL_PAD = {"x": 16, "y": 14}  # px between tick labels and axis title, as plotly places it
TITLE_PAD = 12  # px from the left edge, as the plotly title's pad
BAND_ALPHA = 0.18
UNTITLED_SAVING = 36  # px a chart without its own title saves above the legend


def _pt(px: float) -> float:
    return px * PT_PER_PX


def _number(value: int | None) -> float:
    """A value to plot; a missing one is not drawn (plotly leaves a gap for None)."""
    return float("nan") if value is None else float(value)


class StaticChart(abc.ABC):
    """A dashboard chart of a report: its plotly figure, and the same chart as a PNG."""

    @property
    @abc.abstractmethod
    def height_px(self) -> int:
        """The chart's height in CSS px (the plotly layout's height)."""

    @abc.abstractmethod
    def plotly(self) -> Any:
        """The dashboard's plotly figure of the same series."""

    @abc.abstractmethod
    def draw(self, figure: Figure) -> None:
        """Draw the chart on an empty matplotlib figure."""

    def figure(self, width_in: float, height_in: float, dpi: int) -> Figure:
        """The chart drawn on a matplotlib figure of this printed size."""
        from matplotlib.figure import Figure

        figure = Figure(figsize=(width_in, height_in), dpi=dpi, facecolor="white")
        self.draw(figure)
        return figure

    def png(self, width_in: float, height_in: float, dpi: int) -> bytes:
        """PNG of ``width_in`` x ``height_in`` inches at ``dpi``: 8-bit RGB (the chart is
        opaque: the alpha channel ``savefig`` writes is 255 everywhere), which the PDF
        writer embeds without decoding it (``monitoring.reports.pdf_images``)."""
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from PIL import Image

        with matplotlib.rc_context(_STYLE):
            figure = self.figure(width_in, height_in, dpi)
            canvas: Any = FigureCanvasAgg(figure)  # backend_agg has no type hints
            canvas.draw()  # the pixels ``figure.savefig(format="png")`` writes
            rgba = canvas.buffer_rgba()
        size = (rgba.shape[1], rgba.shape[0])
        image = Image.frombuffer("RGBA", size, rgba, "raw", "RGBA", 0, 1).convert("RGB")
        buffer = io.BytesIO()
        # fast zlib level: larger files, a tenth of the encoding time of the default level
        image.save(buffer, format="png", dpi=(dpi, dpi), compress_level=1)
        return buffer.getvalue()


_STYLE: Any = {
    "font.family": "sans-serif",
    "font.sans-serif": FONTS,
    "font.size": _pt(FONT_SIZE),
    "text.color": BLACK,
    "axes.unicode_minus": False,
    "axes.edgecolor": BLACK,
    "axes.linewidth": _pt(1),
    "axes.labelsize": _pt(FONT_SIZE),
    "axes.labelcolor": BLACK,
    "xtick.labelsize": _pt(TICK_SIZE),
    "ytick.labelsize": _pt(TICK_SIZE),
    "xtick.major.size": 0,
    "ytick.major.size": 0,
    "xtick.major.pad": _pt(6),
    "ytick.major.pad": _pt(6),
    "legend.fontsize": _pt(TICK_SIZE),
    "legend.frameon": False,
    "path.simplify": False,
}


def _frame(figure: Figure, top_px: float, bottom_px: float) -> tuple[float, float, float, float]:
    """(left, bottom, width, height) in figure fractions of the plot area between
    ``top_px`` and ``bottom_px`` from the top and bottom edges, inside plotly's margins."""
    width_px = figure.get_figwidth() * PX
    height_px = figure.get_figheight() * PX
    left = MARGIN["l"] / width_px
    right = 1 - MARGIN["r"] / width_px
    bottom = bottom_px / height_px
    return left, bottom, right - left, 1 - top_px / height_px - bottom


def _title(figure: Figure, text: str) -> None:
    """The chart's title: top left, 2% of the height from the top (theme.styled)."""
    x = TITLE_PAD / (figure.get_figwidth() * PX)
    figure.text(x, 0.98, text, ha="left", va="top", fontsize=_pt(FONT_SIZE + 2))


def _axes_style(axes: Axes, *, y_grid: bool = True) -> None:
    axes.set_facecolor("white")
    axes.spines[["top", "right"]].set_visible(False)
    axes.xaxis.labelpad = _pt(LABEL_PAD["x"])
    axes.yaxis.labelpad = _pt(LABEL_PAD["y"])
    axes.grid(True, axis="x", color=GRID, linewidth=_pt(1))
    if y_grid:
        axes.grid(True, axis="y", color=GRID, linewidth=_pt(1))
    axes.set_axisbelow(True)


def _ticks(axes: Axes, low: float, high: float, step: float) -> None:
    """x ticks every ``step`` from 0, as plotly's ``dtick`` (tick0 = 0)."""
    import math

    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    axes.set_xticks([i * step for i in range(first, last + 1)])
    axes.xaxis.set_major_formatter(_number_format())


def _number_format() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _: f"{value:g}")


def _legend(
    figure: Figure, axes: Axes, handles: list[Any], columns: int, spacing: float = 3.0
) -> None:
    """Legend above the plot area, left-aligned (plotly's horizontal legend, y = 1.02)."""
    box = axes.get_position()
    figure.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(box.x0, box.y1 + 0.02 * box.height),
        ncol=columns,
        handlelength=2.2,
        columnspacing=spacing,
        borderaxespad=0,
    )


@dataclass(frozen=True, eq=False)
class KmChart(StaticChart):
    """Kaplan–Meier chart of one endpoint (``monitoring.charts.km.km_figure``)."""

    view: SurvivalView

    @property
    def lines(self) -> KmLines:
        return km_lines(self.view)

    @property
    def height_px(self) -> int:
        return self.lines.height

    def plotly(self) -> Any:
        from monitoring.charts.km import km_figure

        return km_figure(self.view)

    def draw(self, figure: Figure) -> None:
        """The dashboard's layout, fitted to the printed size: the legend above the curves
        in as many columns as fit the width (else one), the curves' plot area below it,
        room between the curves' time labels and "Number at risk" (``RISK_GAP``), and the
        at-risk labels set off so that the counts at time 0 clear them."""
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch
        from matplotlib.ticker import FuncFormatter

        lines = self.lines
        handles: list[Any] = []
        for curve in lines.curves:
            c = curve.colour
            handles.append(Line2D([], [], color=c, lw=_pt(3), label=curve.line_name))
            handles.append(Patch(color=c, alpha=BAND_ALPHA, lw=0, label=curve.band_name))
        rows = len(lines.curves)
        width_px, height_px = figure.get_figwidth() * PX, figure.get_figheight() * PX
        renderer = figure._get_renderer()  # type: ignore[attr-defined]  # measures text
        counts = [n for curve in lines.curves for n in curve.at_risk[:1]]
        half = max((_text_px(figure, renderer, n) for n in counts), default=0.0) / 2
        label_pad = 10 + half  # px: the y labels clear the counts centred at time 0
        labels = [c.curve.label for c in lines.curves]
        widest = max((_text_px(figure, renderer, t) for t in labels), default=0.0)
        left_px = max(MARGIN["l"], widest + label_pad + 6)
        columns, legend_px = _legend_fit(figure, renderer, handles, rows, width_px - left_px - 4)
        top_px = KM_TITLE_PX + legend_px + 6
        left = left_px / width_px
        width = 1 - MARGIN["r"] / width_px - left
        bottom = MARGIN["b"] / height_px
        height = 1 - top_px / height_px - bottom
        gap = min(RISK_GAP / height_px, 0.3 * height)
        upper_h, lower_h = (h * (height - gap) for h in lines.row_heights)
        curves_ax = figure.add_axes((left, bottom + height - upper_h, width, upper_h))
        risk_ax = figure.add_axes((left, bottom, width, lower_h), sharex=curves_ax)
        for curve in lines.curves:
            c = curve.colour
            lower = [float("nan") if v is None else v for v in curve.lower]
            upper = [float("nan") if v is None else v for v in curve.upper]
            curves_ax.fill_between(
                curve.months, lower, upper, step="post", color=c, alpha=BAND_ALPHA, linewidth=0
            )
            curves_ax.plot(curve.months, curve.survival, drawstyle="steps-post", color=c, lw=_pt(3))
            marks = curve.mark_survival
            curves_ax.vlines(
                curve.mark_months,
                [s - MARK_HALF_HEIGHT for s in marks],
                [s + MARK_HALF_HEIGHT for s in marks],
                color=c,
                lw=_pt(2),
            )
        curves_ax.set_ylim(0, 1.02)
        curves_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
        curves_ax.set_ylabel("Probability without event")
        curves_ax.tick_params(labelbottom=True)
        _axes_style(curves_ax)
        for i, curve in enumerate(lines.curves):
            for month, count in zip(lines.risk_months, curve.at_risk, strict=True):
                risk_ax.text(month, i, count, color=curve.colour, ha="center", va="center")
        risk_ax.set_ylim(rows - 0.5, -0.5)
        risk_ax.set_yticks(range(rows), labels)
        risk_ax.tick_params(axis="y", pad=_pt(label_pad))
        risk_ax.set_xlabel("Months from origin")
        _axes_style(risk_ax, y_grid=False)
        risk_ax.set_title("Number at risk", loc="left", fontsize=_pt(FONT_SIZE), pad=_pt(6))
        low, high = lines.x_range
        curves_ax.set_xlim(low, high)
        _ticks(curves_ax, low, high, lines.x_step)
        _title(figure, lines.title)
        _legend(figure, curves_ax, handles, columns)


KM_TITLE_PX = 44  # px the static Kaplan–Meier chart's title takes above its legend
RISK_GAP = 62  # px between the curves' plot area and the at-risk table: the time labels
# (6 px pad, 14 px text), then "Number at risk" (6 px pad, 16 px text), with air between


def _text_px(figure: Figure, renderer: Any, text: str) -> float:
    """Width (CSS px) of ``text`` at the tick label size on ``figure``."""
    probe = figure.text(0, 0, text, fontsize=_pt(TICK_SIZE))
    width = probe.get_window_extent(renderer=renderer).width
    probe.remove()
    return float(width) * PX / figure.get_dpi()


def _legend_fit(
    figure: Figure, renderer: Any, handles: list[Any], columns: int, room_px: float
) -> tuple[int, float]:
    """Columns of a legend of ``handles`` that fit ``room_px`` (``columns``, else one), and
    its height in CSS px."""
    scale = PX / figure.get_dpi()
    ncol, box = columns, None
    for ncol in (columns, 1):
        probe = figure.legend(handles=handles, ncol=ncol, handlelength=2.2, columnspacing=3.0)
        box = probe.get_window_extent(renderer=renderer)
        probe.remove()
        if box.width * scale <= room_px:
            break
    assert box is not None
    return ncol, float(box.height) * scale


@dataclass(frozen=True, eq=False)
class BoundaryChart(StaticChart):
    """Toxicity events against the stopping boundaries
    (``monitoring.charts.toxicity.toxicity_boundary_figure``)."""

    path: ToxicityPath
    titled: bool = True
    """False: no title in the image (a report prints the figure's title above it); the
    legend moves up and the image is that much shorter."""
    height: int | None = None
    """CSS px of the titled chart (None: the dashboard's); a report's is shorter."""

    @property
    def lines(self) -> BoundaryLines:
        return boundary_lines(self.path)

    @property
    def _top(self) -> int:
        return 110 if self.titled else 110 - UNTITLED_SAVING

    @property
    def height_px(self) -> int:
        height = self.lines.height if self.height is None else self.height
        return height - (110 - self._top)

    def plotly(self) -> Any:
        from monitoring.charts.toxicity import toxicity_boundary_figure

        return toxicity_boundary_figure(self.path)

    def draw(self, figure: Figure) -> None:
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        lines = self.lines
        axes = figure.add_axes(_frame(figure, self._top, MARGIN["b"]))
        looks, top = lines.stop_looks, lines.top
        axes.bar(
            [look.n for look in looks],
            [top - (look.stop_at or 0) for look in looks],
            width=1.5,
            bottom=[look.stop_at or 0 for look in looks],
            color=VERMILLION,
            alpha=BAND_ALPHA,
            linewidth=0,
        )
        axes.plot(
            [look.n for look in looks],
            [look.stop_at or 0 for look in looks],
            linestyle="none",
            marker="_",
            markersize=_pt(22),
            markeredgewidth=_pt(4),
            color=VERMILLION,
        )
        for look in looks:
            axes.annotate(
                f"≥ {look.stop_at}",
                (look.n, look.stop_at or 0),
                xytext=(_pt(13), 0),
                textcoords="offset points",
                ha="left",
                va="center",
                color=VERMILLION,
                annotation_clip=False,
            )
        path = lines.path
        axes.plot(
            range(len(path.cumulative)),
            path.cumulative,
            drawstyle="steps-post",
            color=BLUE,
            lw=_pt(3),
        )
        reached = lines.reached
        axes.scatter(
            [look.n for look in reached],
            [_number(look.events) for look in reached],
            s=_pt(12) ** 2,
            c=[VERMILLION if look.crossed else BLUE for look in reached],
            edgecolors="white",
            linewidths=_pt(1),
            zorder=3,
            clip_on=False,
        )
        low, high = lines.x_range
        axes.set_xlim(low, high)
        axes.set_ylim(0, top)
        _ticks(axes, low, high, lines.x_step)
        axes.set_xlabel("Evaluable patients (first-dose order)")
        axes.set_ylabel("Cumulative events (patients)")
        _axes_style(axes)
        if self.titled:
            _title(figure, "Toxicity events against the stopping boundaries")
        handles = [
            Patch(color=VERMILLION, alpha=BAND_ALPHA, lw=0, label="Stop region at each look"),
            Line2D([], [], color=BLUE, lw=_pt(3), label="Observed events"),
            Line2D(
                [],
                [],
                marker="_",
                markersize=_pt(22),
                markeredgewidth=_pt(4),
                color=VERMILLION,
                linestyle="none",
                label="Stopping boundary (stop if events at or above)",
            ),
            Line2D(
                [],
                [],
                marker="o",
                markersize=_pt(12),
                markeredgecolor="white",
                markerfacecolor=BLUE,
                linestyle="none",
                label="Events at each look reached",
            ),
        ]
        _legend(figure, axes, handles, 2, spacing=10.5)
