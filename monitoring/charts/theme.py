"""One look for every chart: the Okabe–Ito colour-blind-safe palette and projector-sized text.

Okabe & Ito (2008), "Color Universal Design": eight colours distinguishable under the
common colour-vision deficiencies. Text is at least 14 px so a chart reads on a projector.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from monitoring.charts.labels import plain

BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
YELLOW = "#F0E442"
BLACK = "#000000"
GREY = "rgba(0,0,0,0.55)"  # Okabe–Ito black at reduced opacity, for reference lines

PALETTE = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK)
FONT_SIZE = 16
TICK_SIZE = 14
WIDTH = 1180  # fits a 1280 px window with the sidebar collapsed; pages stretch to the column
HEIGHT = 440


def rgba(hex_colour: str, alpha: float) -> str:
    """``#RRGGBB`` with an opacity, for bands and fills."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


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
        "gridcolor": "#E5E5E5",
        "tickfont": {"size": TICK_SIZE},
        "title": {"font": {"size": FONT_SIZE}},
        "zeroline": False,
    }
    figure.update_xaxes(**axis)
    figure.update_yaxes(**axis)
    figure.update_xaxes(title_text=plain(x_title), row=None)
    figure.update_yaxes(title_text=plain(y_title))
    return figure
