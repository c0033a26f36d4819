"""Safety charts: observed toxicities against the stopping boundaries, and Pr(p > t) per look."""

from __future__ import annotations

import plotly.graph_objects as go

from monitoring.charts.geometry import boundary_lines
from monitoring.charts.theme import BLUE, GREY, VERMILLION, rgba, styled
from monitoring.series import ToxicityPath


def toxicity_boundary_figure(path: ToxicityPath) -> go.Figure:
    """Cumulative events by evaluable patient; each look's boundary with the stop region."""
    lines = boundary_lines(path)
    looks, top = lines.stop_looks, lines.top
    fig = go.Figure()
    fig.add_bar(
        x=[look.n for look in looks],
        base=[look.stop_at for look in looks],
        y=[top - (look.stop_at or 0) for look in looks],
        width=1.5,
        marker={"color": rgba(VERMILLION, 0.18), "line": {"width": 0}},
        name="Stop region at each look",
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=[look.n for look in looks],
        y=[look.stop_at for look in looks],
        mode="markers+text",
        marker={"symbol": "line-ew-open", "size": 22, "color": VERMILLION, "line": {"width": 4}},
        text=[f"≥ {look.stop_at}" for look in looks],
        textposition="middle right",
        textfont={"color": VERMILLION},
        name="Stopping boundary (stop if events at or above)",
        hovertemplate="Look at %{x} patients: stop if ≥ %{y} events<extra></extra>",
    )
    fig.add_scatter(
        x=list(range(len(path.cumulative))),
        y=list(path.cumulative),
        mode="lines",
        line={"color": BLUE, "width": 3, "shape": "hv"},
        name="Observed events",
        hovertemplate="First %{x} patients: %{y} events<extra></extra>",
    )
    reached = lines.reached
    fig.add_scatter(
        x=[look.n for look in reached],
        y=[look.events for look in reached],
        mode="markers",
        marker={
            "size": 12,
            "color": [VERMILLION if look.crossed else BLUE for look in reached],
            "line": {"color": "white", "width": 1},
        },
        name="Events at each look reached",
    )
    fig.update_xaxes(range=list(lines.x_range), dtick=lines.x_step)
    fig.update_yaxes(range=[0, top], rangemode="tozero")
    return styled(
        fig,
        title="Toxicity events against the stopping boundaries",
        x_title="Evaluable patients (first-dose order)",
        y_title="Cumulative events (patients)",
    )


def toxicity_posterior_figure(path: ToxicityPath) -> go.Figure:
    """Pr(p > threshold | data) at each look reached, against the stopping confidence."""
    reached = [look for look in path.looks if look.reached]
    fig = go.Figure()
    fig.add_bar(
        x=[str(look.n) for look in reached],
        y=[look.posterior_prob for look in reached],
        marker={"color": [VERMILLION if look.crossed else BLUE for look in reached]},
        text=[f"{look.posterior_prob:.3f}" for look in reached],
        textposition="outside",
        name=f"Pr(p > {path.threshold:g} | data)",
    )
    fig.add_hline(y=path.confidence, line={"color": VERMILLION, "dash": "dash", "width": 2})
    fig.add_annotation(
        x=1.0,
        xref="paper",
        y=path.confidence,
        text=f"stop above {path.confidence:g}",
        showarrow=False,
        yshift=12,
        xanchor="right",
        font={"color": VERMILLION},
    )
    fig.update_yaxes(range=[0, 1.08], tickformat=".0%")
    fig.update_xaxes(type="category", linecolor=GREY)
    return styled(
        fig,
        title=f"Posterior probability that the toxicity rate exceeds {path.threshold:g}",
        x_title="Look (evaluable patients)",
        y_title=f"Pr(p > {path.threshold:g} | data)",
    )
