"""The eDISH scatter as a report image (matplotlib), from the same geometry as the
dashboard's plotly chart (:func:`monitoring.charts.lab_geometry.edish_geometry`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from monitoring.analyses.labs import HYS_AMINOTRANSFERASE, HYS_BILIRUBIN, Hepatotoxicity
from monitoring.charts.static import MARGIN, StaticChart, _axes_style, _frame, _legend, _pt

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True, eq=False)
class EdishChart(StaticChart):
    """Peak aminotransferase against peak bilirubin, log axes, Hy's-law lines."""

    hepatotoxicity: Hepatotoxicity
    height: int = 270  # CSS px: shorter than the dashboard's, to keep the report compact

    @property
    def height_px(self) -> int:
        return self.height

    def plotly(self) -> Any:
        from monitoring.charts.labs import edish_figure

        return edish_figure(self.hepatotoxicity, self.height)

    def draw(self, figure: Figure) -> None:
        from matplotlib.lines import Line2D
        from matplotlib.ticker import FuncFormatter

        from monitoring.charts.lab_geometry import edish_geometry

        geometry = edish_geometry(self.hepatotoxicity)
        # Compact: the report prints the figure's title above the image, so the image has
        # no title of its own and its legend is one row above the plot.
        axes = figure.add_axes(_frame(figure, 40, MARGIN["b"]))
        handles = []
        for name, colour, points in geometry.series:
            axes.scatter(
                [p.aminotransferase or 0.0 for p in points],
                [p.bilirubin or 0.0 for p in points],
                s=_pt(11) ** 2,
                c=colour,
                edgecolors="white",
                linewidths=_pt(1),
                zorder=3,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    markersize=_pt(11),
                    markerfacecolor=colour,
                    markeredgecolor="white",
                    linestyle="none",
                    label=name,
                )
            )
        grey = (0, 0, 0, 0.55)  # palette.GREY, rgba(0,0,0,0.55)
        axes.axvline(HYS_AMINOTRANSFERASE, color=grey, linestyle="--", lw=_pt(1.5))
        axes.axhline(HYS_BILIRUBIN, color=grey, linestyle="--", lw=_pt(1.5))
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlim(10 ** geometry.x_range[0], 10 ** geometry.x_range[1])
        axes.set_ylim(10 ** geometry.y_range[0], 10 ** geometry.y_range[1])
        plain = FuncFormatter(lambda value, _: f"{value:g}")
        axes.xaxis.set_major_formatter(plain)
        axes.yaxis.set_major_formatter(plain)
        axes.set_xlabel("Peak ALT or AST (x ULN, log scale)")
        axes.set_ylabel("Peak bilirubin (x ULN)")  # short: the plot is short
        _axes_style(axes)
        if handles:
            _legend(figure, axes, handles, len(handles), spacing=1.5)
