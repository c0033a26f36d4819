"""Swimmer plot: one lane per treated patient with responses, relapse, HSCT and death."""

from __future__ import annotations

import plotly.graph_objects as go

from monitoring.charts.labels import plain
from monitoring.charts.theme import (
    BLACK,
    BLUE,
    GREEN,
    ORANGE,
    PURPLE,
    SKY,
    VERMILLION,
    rgba,
    styled,
)
from monitoring.series import SwimmerData
from monitoring.series.courses import CourseEventKind

_MARKERS = {
    CourseEventKind.REMISSION: ("Remission (CR/CRp/CRi)", GREEN, "circle"),
    CourseEventKind.RESPONSE: ("Response (PR)", SKY, "circle-open"),
    CourseEventKind.NO_RESPONSE: ("No response (NR/PD/NE)", ORANGE, "x"),
    CourseEventKind.RELAPSE: ("Relapse/progression", VERMILLION, "triangle-down"),
    CourseEventKind.HSCT: ("HSCT", PURPLE, "diamond"),
    CourseEventKind.DEATH: ("Death", BLACK, "square"),
}


def _lane(patient_id: str, last_cycle: int | None) -> str:
    """Lane label: the patient and the last cycle started ("P007 · C6")."""
    return plain(f"{patient_id} · C{last_cycle}" if last_cycle else patient_id)


def swimmer_figure(data: SwimmerData) -> go.Figure:
    """Bars: on treatment (solid) then follow-up (light); arrow-free, an open end is alive.
    Response markers are named by the protocol's categories (``data.response_labels``)."""
    ids = [_lane(c.patient_id, c.last_cycle) for c in data.courses]
    lane = dict(zip((c.patient_id for c in data.courses), ids, strict=True))
    fig = go.Figure()
    fig.add_bar(
        y=ids,
        x=[c.treatment_days for c in data.courses],
        orientation="h",
        marker={"color": BLUE},
        name="On treatment",
        hovertemplate="%{y}: %{x:.0f} days on treatment<extra></extra>",
    )
    fig.add_bar(
        y=ids,
        x=[c.follow_up_days - c.treatment_days for c in data.courses],
        base=[c.treatment_days for c in data.courses],
        orientation="h",
        marker={"color": rgba(BLUE, 0.25)},
        name="Follow-up",
        hovertemplate="%{y}: followed to day %{x:.0f}<extra></extra>",
    )
    labels = dict(data.response_labels)
    for kind, (default, colour, symbol) in _MARKERS.items():
        label = labels.get(kind, default)
        points = [(lane[c.patient_id], e) for c in data.courses for e in c.events if e.kind is kind]
        if not points:
            continue
        fig.add_scatter(
            y=[p for p, _ in points],
            x=[e.day for _, e in points],
            mode="markers",
            marker={"color": colour, "symbol": symbol, "size": 11, "line": {"width": 2}},
            name=label,
            customdata=[plain(e.label) for _, e in points],
            hovertemplate="%{y}: %{customdata} on day %{x:.0f}<extra></extra>",
        )
    lanes = max(len(ids), 1)
    fig.update_layout(barmode="overlay", bargap=0.4)
    fig.update_yaxes(autorange="reversed", type="category", tickfont={"size": 14})
    shown = f"first {len(ids)} of {data.treated}" if len(ids) < data.treated else f"{len(ids)}"
    return styled(
        fig,
        title=f"Course of each treated patient ({shown}, cut-off {data.cutoff_label})",
        x_title="Days from first dose",
        y_title="Patient · last cycle (treatment order)",
        height=max(420, 190 + 24 * lanes),
    ).update_layout(margin={"t": 140, "l": 150})
