"""Laboratory charts: the hepatotoxicity (eDISH) scatter with the Hy's-law quadrant lines
and a patient's lab trajectories in multiples of ULN (plotly, for the dashboard; the report
draws the scatter with :class:`monitoring.charts.labs_static.EdishChart`)."""

from __future__ import annotations

import plotly.graph_objects as go

from monitoring.analyses.labs import (
    HYS_AMINOTRANSFERASE,
    HYS_BILIRUBIN,
    Hepatotoxicity,
    LabTrajectory,
)
from monitoring.charts.lab_geometry import (
    EDISH_HEIGHT,
    EDISH_TITLE,
    EDISH_X,
    EDISH_Y,
    edish_geometry,
)
from monitoring.charts.palette import BLACK, PALETTE
from monitoring.charts.theme import GREY, styled


def edish_figure(hep: Hepatotoxicity, height: int = EDISH_HEIGHT) -> go.Figure:
    """One point per patient (peak ALT or AST / ULN, peak bilirubin / ULN), log axes, the
    Hy's-law lines at 3 x ULN and 2 x ULN; each point carries its patient id
    (``customdata``) for the dashboard's selection: a single click selects a patient."""
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
    # A click selects the point under it; a drag zooms (box select stays in the modebar).
    # Not dragmode="select": Streamlit turns click selection off for a select/lasso drag.
    fig.update_layout(clickmode="event+select", dragmode="zoom")
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
