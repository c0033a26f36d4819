"""What the dashboard's eDISH chart (plotly, :mod:`monitoring.charts.labs`) and the
report's (matplotlib, :mod:`monitoring.charts.labs_static`) share, without plotly."""

from __future__ import annotations

import math
from dataclasses import dataclass

from monitoring.analyses.labs import (
    HYS_AMINOTRANSFERASE,
    HYS_BILIRUBIN,
    HepaticPeak,
    Hepatotoxicity,
    Quadrant,
)
from monitoring.charts.palette import BLUE, GREEN, ORANGE, PALETTE, VERMILLION

EDISH_TITLE = "Hepatotoxicity: peak aminotransferase against peak bilirubin (eDISH)"
EDISH_X = "Peak ALT or AST (x ULN, log scale)"
EDISH_Y = "Peak total bilirubin (x ULN, log scale)"
EDISH_HEIGHT = 520
QUADRANT_COLOUR = {
    Quadrant.HYS_LAW: VERMILLION,
    Quadrant.HYPERBILIRUBINEMIA: ORANGE,
    Quadrant.TEMPLE: BLUE,
    Quadrant.NORMAL: GREEN,
}


@dataclass(frozen=True)
class EdishGeometry:
    """What both drawings of the eDISH scatter share: the plotted points (patients with
    both peaks), the log-axis ranges (decades, always including the quadrant lines), the
    series (one per quadrant, or per group) and the quadrant labels' corners."""

    points: tuple[HepaticPeak, ...]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    series: tuple[tuple[str, str, tuple[HepaticPeak, ...]], ...]  # name, colour, points


def _decades(values: list[float], line: float) -> tuple[float, float]:
    low = min([*values, line / 10])
    high = max([*values, line * 10])
    return float(math.floor(math.log10(low))), float(math.ceil(math.log10(high)))


def edish_geometry(hep: Hepatotoxicity) -> EdishGeometry:
    points = tuple(
        p for p in hep.peaks if p.aminotransferase and p.bilirubin and p.quadrant is not None
    )
    x = _decades([p.aminotransferase or 1.0 for p in points], HYS_AMINOTRANSFERASE)
    y = _decades([p.bilirubin or 1.0 for p in points], HYS_BILIRUBIN)
    if hep.by is not None:
        groups = sorted({p.group or "" for p in points})
        series = tuple(
            (g, PALETTE[i % len(PALETTE)], tuple(p for p in points if (p.group or "") == g))
            for i, g in enumerate(groups)
        )
    else:
        series = tuple(
            (
                f"{q.value} ({sum(p.quadrant is q for p in points)})",
                QUADRANT_COLOUR[q],
                tuple(p for p in points if p.quadrant is q),
            )
            for q in Quadrant
        )
    return EdishGeometry(points, x, y, series)
