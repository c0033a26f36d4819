"""Efficacy charts: the responder path through the Simon design and a rate's posterior."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from scipy import stats

from monitoring.charts.labels import plain
from monitoring.charts.theme import BLUE, GREY, ORANGE, VERMILLION, rgba, styled
from monitoring.estimates import RateEstimate
from monitoring.series import ResponderPath


def responder_path_figure(path: ResponderPath) -> go.Figure:
    """Cumulative responders by patient in treatment order, against the design's floors."""
    k = list(range(path.treated + 1))
    fig = go.Figure()
    fig.add_scatter(
        x=list(range(path.n1 + 1)),
        y=list(path.stage1_floor),
        name=f"Stage-1 futility floor (reach {path.r1 + 1} of {path.n1})",
        mode="lines",
        line={"color": VERMILLION, "dash": "dash", "width": 2, "shape": "hv"},
    )
    fig.add_scatter(
        x=list(range(path.n + 1)),
        y=list(path.final_floor),
        name=f"Final floor (reach {path.r + 1} of {path.n})",
        mode="lines",
        line={"color": ORANGE, "dash": "dot", "width": 2, "shape": "hv"},
    )
    fig.add_scatter(
        x=k,
        y=[0, *path.best],
        name="Responders + pending",
        mode="lines",
        line={"color": BLUE, "dash": "dash", "width": 2, "shape": "hv"},
    )
    fig.add_scatter(
        x=k,
        y=[0, *path.responders],
        name="Responders",
        mode="lines+markers",
        line={"color": BLUE, "width": 3, "shape": "hv"},
        marker={"size": 6},
        customdata=["", *(plain(p) for p in path.patient_ids)],
        hovertemplate="Patient %{x} (%{customdata}): %{y} responders<extra></extra>",
    )
    fig.add_hline(y=path.r + 1, line={"color": GREY, "width": 1})
    fig.add_annotation(
        x=path.n,
        y=path.r + 1,
        text=f"success: {path.r + 1} responders",
        showarrow=False,
        xanchor="right",  # inside the plot: the label ends at the last patient
        yshift=12,
    )
    fig.add_vline(x=path.n1, line={"color": GREY, "width": 1, "dash": "dot"})
    fig.add_annotation(
        x=path.n1, y=0, text=f"end of stage 1 ({path.n1})", showarrow=False, xshift=70, yshift=10
    )
    fig.update_xaxes(range=[0, path.n + 0.5])
    fig.update_yaxes(range=[0, path.r + 3])
    return styled(
        fig,
        title="Responders by patient in treatment order",
        x_title="Patients treated (first-dose order)",
        y_title="Cumulative responders (patients)",
    )


def posterior_figure(
    estimate: RateEstimate, marks: Sequence[tuple[str, float]] = (), *, title: str | None = None
) -> go.Figure:
    """Posterior density Beta(a + x, b + n - x) of a rate, credible interval shaded, ``marks``
    (for example p0 and p1, or a toxicity threshold) drawn as labelled vertical lines."""
    a = estimate.prior.a + estimate.x
    b = estimate.prior.b + estimate.n - estimate.x
    grid = np.linspace(0.0005, 0.9995, 800)
    density = stats.beta.pdf(grid, a, b)
    inside = (grid >= estimate.credible.low) & (grid <= estimate.credible.high)
    fig = go.Figure()
    fig.add_scatter(
        x=grid[inside],
        y=density[inside],
        fill="tozeroy",
        fillcolor=rgba(BLUE, 0.25),
        line={"width": 0},
        name=f"{estimate.level:.0%} credible interval",
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=grid,
        y=density,
        mode="lines",
        line={"color": BLUE, "width": 3},
        name=f"Posterior Beta({a:g}, {b:g})",
    )
    colours = (VERMILLION, ORANGE, GREY)
    for i, (label, value) in enumerate(marks):
        colour = colours[i % len(colours)]
        fig.add_vline(x=value, line={"color": colour, "width": 2, "dash": "dash"})
        fig.add_annotation(
            x=value,
            y=1.0,
            yref="paper",
            text=f"{plain(label)} = {value:g}",
            showarrow=False,
            font={"color": colour},
            bgcolor="rgba(255,255,255,0.85)",
            yshift=-12 - 24 * i,
            xshift=8,
            xanchor="left",
        )
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    return styled(
        fig,
        title=title or f"Posterior of the {estimate.label.split(' (')[0].lower()} rate",
        x_title="Rate (proportion of patients)",
        y_title="Posterior density",
    )
