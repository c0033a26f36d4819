"""A group-sequential rule's boundaries on the z scale with the observed log-rank z."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from monitoring.charts.theme import BLUE, ORANGE, VERMILLION, styled
from monitoring.rules.group_sequential import SequentialDecision


def sequential_boundary_figure(decision: SequentialDecision) -> go.Figure:
    """Efficacy and (non-binding) futility bounds against information fraction, from the
    design recomputed at the latest look's observed fractions (the planned design before the
    first look), with the observed z at each look reached."""
    fig = go.Figure()
    latest = decision.latest
    if latest is None:
        return styled(
            fig,
            title=f"No look yet: {decision.events} of {decision.thresholds[0]} events",
            x_title="Information fraction (events / planned events)",
            y_title="z (log-rank, positive favours the experimental arm)",
        )
    looks = latest.result.design.looks
    efficacy = [(lk.fraction, lk.z_efficacy) for lk in looks if math.isfinite(lk.z_efficacy)]
    fig.add_scatter(
        x=[f for f, _ in efficacy],
        y=[z for _, z in efficacy],
        mode="lines+markers",
        line={"color": VERMILLION, "width": 3},
        name="Efficacy bound (stop if z at or above)",
        hovertemplate="Fraction %{x:.3f}: efficacy bound %{y:.3f}<extra></extra>",
    )
    futility = [(lk.fraction, lk.z_futility) for lk in looks if lk.z_futility is not None]
    if futility:
        fig.add_scatter(
            x=[f for f, _ in futility],
            y=[z for _, z in futility],
            mode="lines+markers",
            line={"color": ORANGE, "width": 3, "dash": "dash"},
            name="Futility bound (non-binding)",
            hovertemplate="Fraction %{x:.3f}: futility bound %{y:.3f}<extra></extra>",
        )
    fig.add_scatter(
        x=[lk.result.fraction for lk in decision.looks],
        y=[lk.result.z for lk in decision.looks],
        mode="markers+text",
        marker={"size": 13, "color": BLUE, "line": {"color": "white", "width": 1}},
        text=[f"look {lk.result.look}" for lk in decision.looks],
        textposition="top center",
        name="Observed z at each look reached",
        hovertemplate="Fraction %{x:.3f}: observed z %{y:.3f}<extra></extra>",
    )
    fig.update_xaxes(range=[0, 1.05])
    return styled(
        fig,
        title="Group-sequential boundaries and the observed z",
        x_title="Information fraction (events / planned events)",
        y_title="z (log-rank, positive favours the experimental arm)",
    )
