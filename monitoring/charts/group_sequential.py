"""A group-sequential rule's boundaries on the z scale with the observed log-rank z, and a
design's boundaries on the z and hazard-ratio scales (the Design page's explorer)."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from monitoring.charts.theme import BLUE, GREY, ORANGE, VERMILLION, styled
from monitoring.designs.group_sequential import (
    GroupSequentialDesign,
    SurvivalEvents,
    hazard_ratio_at,
)
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


def design_boundaries_figure(
    design: GroupSequentialDesign, events: SurvivalEvents, scale: str = "z"
) -> go.Figure:
    """A design's efficacy and non-binding futility bounds against the planned events of
    each look, on the z scale (``scale="z"``) or as hazard ratios (``"hr"``: the HR at which
    the log-rank z would reach the bound, log axis), the way rpact and gsDesign plot them."""
    if scale not in ("z", "hr"):
        raise ValueError(f"scale must be 'z' or 'hr'; got {scale!r}")
    fig = go.Figure()
    d = events.events_per_look

    def value(z: float, k: int) -> float:
        return z if scale == "z" else hazard_ratio_at(z, d[k], events.allocation_ratio)

    efficacy = [
        (d[k], value(lk.z_efficacy, k), lk.fraction)
        for k, lk in enumerate(design.looks)
        if math.isfinite(lk.z_efficacy)
    ]
    futility = [
        (d[k], value(lk.z_futility, k), lk.fraction)
        for k, lk in enumerate(design.looks)
        if lk.z_futility is not None and math.isfinite(lk.z_futility)
    ]
    unit = "z" if scale == "z" else "HR"
    for points, name, colour, dash in (
        (efficacy, "Efficacy bound", VERMILLION, "solid"),
        (futility, "Futility bound (non-binding)", ORANGE, "dash"),
    ):
        if not points:
            continue
        fig.add_scatter(
            x=[p[0] for p in points],
            y=[p[1] for p in points],
            customdata=[p[2] for p in points],
            mode="lines+markers",
            line={"color": colour, "width": 3, "dash": dash},
            name=name,
            hovertemplate=f"%{{x:.1f}} events (fraction %{{customdata:.3f}}): {name.lower()} "
            f"{unit} %{{y:.3f}}<extra></extra>",
        )
    if scale == "hr":
        fig.add_hline(y=1.0, line={"color": GREY, "width": 1})
        fig.add_hline(
            y=events.hazard_ratio,
            line={"color": BLUE, "width": 1, "dash": "dot"},
            annotation_text=f"design HR {events.hazard_ratio:g}",
            annotation_position="bottom right",
        )
        ticks = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0]
        fig.update_yaxes(type="log", tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])
    fig.update_xaxes(range=[0, events.max_events * 1.05])
    return styled(
        fig,
        title=(
            "Boundaries on the z scale" if scale == "z" else "Boundaries on the hazard-ratio scale"
        ),
        x_title="Planned events at the look",
        y_title=(
            "z (log-rank, positive favours the experimental arm)"
            if scale == "z"
            else "Hazard ratio, experimental / control (log scale)"
        ),
    )
