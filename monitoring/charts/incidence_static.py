"""The cumulative-incidence chart as a report image (matplotlib), from the same geometry as
the dashboard's plotly chart (:func:`monitoring.charts.incidence_geometry.incidence_lines`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from monitoring.charts.static import (
    MARGIN,
    StaticChart,
    _axes_style,
    _frame,
    _legend,
    _pt,
    _ticks,
)
from monitoring.series.incidence import IncidenceView

if TYPE_CHECKING:
    from matplotlib.figure import Figure

REPORT_HEIGHT = 280  # CSS px: shorter than the dashboard's, to keep the report compact
LEGEND_ROW_PX = 22  # a legend row above the plot


@dataclass(frozen=True, eq=False)
class IncidenceChart(StaticChart):
    """Relapse (solid) and death in remission (dashed) per group; no title of its own (the
    report prints the figure's title above it)."""

    view: IncidenceView
    height: int = REPORT_HEIGHT

    @property
    def _top(self) -> int:
        return 20 + LEGEND_ROW_PX * len(self.view.groups)

    @property
    def height_px(self) -> int:
        return self.height + self._top

    def plotly(self) -> Any:
        from monitoring.charts.incidence import incidence_figure

        return incidence_figure(self.view, self.height_px)

    def draw(self, figure: Figure) -> None:
        from matplotlib.lines import Line2D
        from matplotlib.ticker import FuncFormatter

        from monitoring.charts.incidence_geometry import incidence_lines

        geometry = incidence_lines(self.view)
        axes = figure.add_axes(_frame(figure, self._top, MARGIN["b"]))
        handles = []
        for line in geometry.lines:
            style: Literal["-", "--"] = "--" if line.dashed else "-"
            width = _pt(2 if line.dashed else 3)
            axes.plot(
                line.months, line.incidence, drawstyle="steps-post", color=line.colour,
                linestyle=style, lw=width,
            )  # fmt: skip
            handles.append(
                Line2D([], [], color=line.colour, linestyle=style, lw=width, label=line.name)
            )
        low, high = geometry.x_range
        axes.set_xlim(low, high)
        axes.set_ylim(0, geometry.y_top)
        _ticks(axes, low, high, geometry.x_step)
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
        axes.set_xlabel("Months from first remission (CR/CRi)")
        axes.set_ylabel("Cumulative incidence")
        _axes_style(axes)
        _legend(figure, axes, handles, 2, spacing=1.5)
