"""The path of dose levels over time: each patient at the level treated, DLTs marked."""

from __future__ import annotations

import plotly.graph_objects as go

from monitoring.charts.theme import BLUE, GREY, VERMILLION, styled
from monitoring.series.dose_finding import DoseEscalationView


def dose_path_figure(view: DoseEscalationView) -> go.Figure:
    """Each patient's first dose (and later level changes) on the level's row; a DLT in
    vermillion, no DLT in blue, still in the DLT window hollow; a line joins them in time.

    The rows are every level of the protocol ordered by dose, the lowest at the bottom, so
    a de-escalation draws downward and a level nobody has reached yet still has its row."""
    order = list(view.levels_by_dose)
    row = {level: i for i, level in enumerate(order)}
    points = sorted(view.path, key=lambda p: (p.day, p.patient_id))
    fig = go.Figure()
    fig.add_scatter(
        x=[p.day for p in points],
        y=[row[p.level] for p in points],
        mode="lines",
        line={"color": GREY, "width": 1.5, "shape": "hv"},
        name="Dose level over time",
        hoverinfo="skip",
    )
    groups: tuple[tuple[str, bool | None, str, str], ...] = (
        ("No DLT", False, BLUE, "circle"),
        ("DLT", True, VERMILLION, "x"),
        ("In the DLT window", None, BLUE, "circle-open"),
    )
    for name, outcome, color, symbol in groups:
        chosen = [p for p in points if p.dlt is outcome]
        fig.add_scatter(
            x=[p.day for p in chosen],
            y=[row[p.level] for p in chosen],
            mode="markers",
            marker={"color": color, "size": 12, "symbol": symbol, "line": {"width": 2}},
            text=[p.patient_id for p in chosen],
            customdata=[p.level for p in chosen],
            name=name,
            hovertemplate="%{text}: level %{customdata} from %{x}<extra></extra>",
        )
    fig.update_yaxes(
        tickmode="array",
        tickvals=list(range(len(order))),
        ticktext=order,
        range=[-0.5, len(order) - 0.5],
        zeroline=False,
    )
    return styled(
        fig,
        title="Dose levels over time",
        x_title="Date treatment started at the level",
        y_title="Dose level",
    )
