"""One look for every chart: the Okabe–Ito colour-blind-safe palette and projector-sized text
(:mod:`monitoring.charts.palette`), applied to plotly figures by :func:`styled`."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from monitoring.charts.labels import plain
from monitoring.charts.palette import BLACK as BLACK
from monitoring.charts.palette import BLUE as BLUE
from monitoring.charts.palette import FONT_SIZE as FONT_SIZE
from monitoring.charts.palette import GREEN as GREEN
from monitoring.charts.palette import GREY as GREY
from monitoring.charts.palette import GRID
from monitoring.charts.palette import HEIGHT as HEIGHT
from monitoring.charts.palette import ORANGE as ORANGE
from monitoring.charts.palette import PALETTE as PALETTE
from monitoring.charts.palette import PURPLE as PURPLE
from monitoring.charts.palette import SKY as SKY
from monitoring.charts.palette import TICK_SIZE as TICK_SIZE
from monitoring.charts.palette import VERMILLION as VERMILLION
from monitoring.charts.palette import WIDTH as WIDTH
from monitoring.charts.palette import YELLOW as YELLOW
from monitoring.charts.palette import rgba as rgba


def styled(
    figure: go.Figure, *, title: str, x_title: str, y_title: str, height: int = HEIGHT
) -> go.Figure:
    """Apply the shared layout: title, axis titles with units, fonts, legend on top. The
    titles are plain text (they may quote data: a cut-off, an endpoint's name)."""
    figure.update_layout(
        title={
            "text": plain(title),
            "font": {"size": FONT_SIZE + 2},
            "x": 0.0,
            "xanchor": "left",
            "pad": {"l": 12},  # off the image's edge in exported PNG/SVG and reports
            "yref": "container",
            "y": 0.98,
            "yanchor": "top",
        },
        font={"family": "Arial, Helvetica, sans-serif", "size": FONT_SIZE, "color": BLACK},
        colorway=list(PALETTE),
        height=height,
        margin={"l": 80, "r": 30, "t": 110, "b": 70},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "xanchor": "left",
            "x": 0.0,
            "font": {"size": TICK_SIZE},
        },
        hoverlabel={"font": {"size": TICK_SIZE}},
    )
    axis: dict[str, Any] = {
        "showline": True,
        "linecolor": BLACK,
        "gridcolor": GRID,
        "tickfont": {"size": TICK_SIZE},
        "title": {"font": {"size": FONT_SIZE}},
        "zeroline": False,
    }
    figure.update_xaxes(**axis)
    figure.update_yaxes(**axis)
    figure.update_xaxes(title_text=plain(x_title), row=None)
    figure.update_yaxes(title_text=plain(y_title))
    return figure
