"""Laboratory charts: the hepatotoxicity (eDISH) scatter with the Hy's-law quadrant lines
and a patient's lab trajectories in multiples of ULN (plotly, for the dashboard; the report
draws the scatter with :class:`monitoring.charts.labs_static.EdishChart`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import plotly.graph_objects as go

from monitoring.analyses.labs import (
    HYS_AMINOTRANSFERASE,
    HYS_BILIRUBIN,
    HepaticPeak,
    Hepatotoxicity,
    LabTrajectory,
    Quadrant,
)
from monitoring.charts.palette import BLACK, BLUE, GREEN, ORANGE, PALETTE, VERMILLION
from monitoring.charts.theme import GREY, styled

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


def edish_figure(hep: Hepatotoxicity, height: int = EDISH_HEIGHT) -> go.Figure:
    """One point per patient (peak ALT or AST / ULN, peak bilirubin / ULN), log axes, the
    Hy's-law lines at 3 x ULN and 2 x ULN; each point carries its patient id
    (``customdata``) for the dashboard's selection."""
    geometry = edish_geometry(hep)
    fig = go.Figure()
    for name, colour, points in geometry.series:
        fig.add_scatter(
            x=[p.aminotransferase for p in points],
            y=[p.bilirubin for p in points],
            customdata=[p.patient_id for p in points],
            mode="markers",
            marker={"size": 11, "color": colour, "line": {"color": "white", "width": 1}},
            name=name,
            hovertemplate="%{customdata}: ALT/AST %{x:.2f} x ULN, bilirubin %{y:.2f} x ULN"
            "<extra></extra>",
        )
    fig.add_vline(x=HYS_AMINOTRANSFERASE, line={"color": GREY, "dash": "dash", "width": 1.5})
    fig.add_hline(y=HYS_BILIRUBIN, line={"color": GREY, "dash": "dash", "width": 1.5})
    fig.update_xaxes(type="log", range=list(geometry.x_range))
    fig.update_yaxes(type="log", range=list(geometry.y_range))
    fig.update_layout(clickmode="event+select", dragmode="select")
    return styled(fig, title=EDISH_TITLE, x_title=EDISH_X, y_title=EDISH_Y, height=height)


def trajectory_figure(patient_id: str, trajectories: tuple[LabTrajectory, ...]) -> go.Figure:
    """A patient's ALT, AST, bilirubin and ALP in multiples of ULN by study day, with the
    Hy's-law lines for reference."""
    fig = go.Figure()
    for i, t in enumerate(trajectories):
        fig.add_scatter(
            x=list(t.days),
            y=list(t.ratios),
            mode="lines+markers",
            name=t.test,
            line={"color": PALETTE[i % len(PALETTE)], "width": 2},
            customdata=list(t.values),
            hovertemplate=f"{t.test} day %{{x}}: %{{customdata}} {t.unit} "
            "(%{y:.2f} x ULN)<extra></extra>",
        )
    fig.add_hline(y=1.0, line={"color": BLACK, "width": 1})
    fig.add_hline(y=HYS_BILIRUBIN, line={"color": GREY, "dash": "dot", "width": 1})
    fig.add_hline(y=HYS_AMINOTRANSFERASE, line={"color": GREY, "dash": "dash", "width": 1})
    fig.update_yaxes(type="log")
    return styled(
        fig,
        title=f"Patient {patient_id}: liver tests by study day",
        x_title="Days from the first dose",
        y_title="Value (x ULN, log scale)",
    )
