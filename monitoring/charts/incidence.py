"""Cumulative incidence of relapse and of death in remission (plotly), drawn from
:func:`monitoring.charts.incidence_geometry.incidence_lines`."""

from __future__ import annotations

import plotly.graph_objects as go

from monitoring.charts.incidence_geometry import incidence_lines
from monitoring.charts.labels import plain
from monitoring.charts.theme import styled
from monitoring.series.incidence import IncidenceView

HEIGHT = 440


def incidence_figure(view: IncidenceView, height: int = HEIGHT) -> go.Figure:
    """Step curves over months from the first remission, one colour per group, relapse solid
    and death in remission dashed."""
    geometry = incidence_lines(view)
    fig = go.Figure()
    for line in geometry.lines:
        name = plain(line.name)  # a group's label comes from the data
        fig.add_scatter(
            x=list(line.months),
            y=list(line.incidence),
            mode="lines",
            line={
                "color": line.colour,
                "width": 2 if line.dashed else 3,
                "shape": "hv",
                "dash": "dash" if line.dashed else "solid",
            },
            name=name,
            hovertemplate="%{x:.1f} months: %{y:.3f}<extra>" + name + "</extra>",
        )
    fig.update_xaxes(range=list(geometry.x_range), dtick=geometry.x_step)
    fig.update_yaxes(range=[0, geometry.y_top], tickformat=".0%")
    return styled(
        fig,
        title=geometry.title,
        x_title="Months from first remission (CR/CRi)",
        y_title="Cumulative incidence",
        height=height,
    )
