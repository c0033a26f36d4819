"""Colours and text sizes shared by the plotly charts and the report's static charts.

Without plotly, so that the report's chart images (``monitoring.charts.static``) can use
them without loading it. :mod:`monitoring.charts.theme` re-exports them.

Okabe & Ito (2008), "Color Universal Design": eight colours distinguishable under the
common colour-vision deficiencies. Text is at least 14 px so a chart reads on a projector.
"""

from __future__ import annotations

BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
YELLOW = "#F0E442"
BLACK = "#000000"
GREY = "rgba(0,0,0,0.55)"  # Okabe–Ito black at reduced opacity, for reference lines
GRID = "#E5E5E5"

PALETTE = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK)
FONT_SIZE = 16
TICK_SIZE = 14
WIDTH = 1180  # fits a 1280 px window with the sidebar collapsed; pages stretch to the column
HEIGHT = 440


def rgba(hex_colour: str, alpha: float) -> str:
    """``#RRGGBB`` with an opacity, for bands and fills."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
