"""Design explorer charts: Simon designs found by the search, and a toxicity rule's exact
operating characteristics."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from monitoring.charts.theme import BLUE, GREEN, ORANGE, SKY, VERMILLION, styled
from monitoring.designs.simon_search import SimonSearch
from monitoring.designs.toxicity import ToxicityDesign


def toxicity_oc_figure(design: ToxicityDesign) -> go.Figure:
    """Probability of an early stop (left axis) and expected patients (right) by true rate."""
    rates = [oc.rate for oc in design.oc]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_scatter(
        x=rates,
        y=[oc.stop_prob for oc in design.oc],
        mode="lines+markers",
        line={"color": BLUE, "width": 3},
        name="Probability of stopping early",
        secondary_y=False,
    )
    fig.add_scatter(
        x=rates,
        y=[oc.mean_n for oc in design.oc],
        mode="lines+markers",
        line={"color": ORANGE, "width": 3, "dash": "dash"},
        marker={"symbol": "square"},
        name="Expected patients treated",
        secondary_y=True,
    )
    plan = design.boundaries.plan
    fig.add_vline(x=plan.threshold, line={"color": "rgba(0,0,0,0.55)", "dash": "dot"})
    styled(
        fig,
        title="Exact operating characteristics by true toxicity rate",
        x_title="True toxicity rate (proportion)",
        y_title="Probability of stopping early",
    )
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", secondary_y=False)
    fig.update_yaxes(
        title_text="Expected patients treated",
        range=[0, plan.nmax * 1.05],
        secondary_y=True,
        showgrid=False,
    )
    fig.update_xaxes(tickformat=".0%")
    return fig


def simon_designs_figure(found: SimonSearch) -> go.Figure:
    """Expected size under p0 against the maximum size: the frontier of designs meeting
    alpha and beta, the admissible ones and the optimal and minimax designs marked."""
    fig = go.Figure()
    fig.add_scatter(
        x=[d.n for d in found.frontier],
        y=[d.en0 for d in found.frontier],
        mode="markers",
        marker={"color": SKY, "size": 8},
        name="Designs meeting alpha and beta (best EN(p0) per n)",
        hovertemplate="n = %{x}: EN(p0) = %{y:.2f}<extra></extra>",
    )
    fig.add_scatter(
        x=[a.design.n for a in found.admissible],
        y=[a.design.en0 for a in found.admissible],
        mode="lines+markers",
        line={"color": BLUE, "width": 2},
        marker={"size": 10},
        name="Admissible designs",
        customdata=[
            f"{a.design.r1}/{a.design.n1}, {a.design.r}/{a.design.n}" for a in found.admissible
        ],
        hovertemplate="r1/n1, r/n = %{customdata}: EN(p0) = %{y:.2f}<extra></extra>",
    )
    for label, design, colour, symbol, where in (
        ("Optimal", found.optimal, GREEN, "star", "bottom left"),
        ("Minimax", found.minimax, VERMILLION, "diamond", "top right"),
    ):
        fig.add_scatter(
            x=[design.n],
            y=[design.en0],
            mode="markers+text",
            marker={"color": colour, "size": 20, "symbol": symbol},
            text=[f"{label} {design.r1}/{design.n1}, {design.r}/{design.n}"],
            textposition=where,
            textfont={"color": colour},
            name=label,
        )
    sizes = [d.n for d in found.frontier]
    sizes_en = [d.en0 for d in found.frontier]
    fig.update_xaxes(range=[min(sizes) - 3, max(sizes) + 3])
    fig.update_yaxes(range=[min(sizes_en) * 0.95, max(sizes_en) * 1.05])
    styled(
        fig,
        title=(
            f"Simon two-stage designs: p0 = {found.p0:g}, p1 = {found.p1:g}, "
            f"alpha = {found.alpha:g}, beta = {found.beta:g}"
        ),
        x_title="Maximum sample size n (patients)",
        y_title="Expected sample size under p0 (patients)",
        height=500,
    )
    fig.update_layout(legend={"y": -0.25, "yanchor": "top"}, margin={"b": 140, "t": 70})
    return fig
