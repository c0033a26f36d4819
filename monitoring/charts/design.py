"""Design explorer charts: a toxicity rule's exact operating characteristics."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from monitoring.charts.theme import BLUE, ORANGE, styled
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
