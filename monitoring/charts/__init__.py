"""Plotly figures drawn from result dataclasses (no Streamlit): pages and reports share them.

Every function takes a frozen result (from :mod:`monitoring.series`, :mod:`monitoring.estimates`
or the designs) and returns a ``plotly.graph_objects.Figure`` styled by
:mod:`monitoring.charts.theme` (Okabe–Ito palette, text of 14 px and more).

The figure functions are loaded on first use (``from monitoring.charts import km_figure``
works as before), so that a module of the package without plotly (``palette``,
``geometry``, ``static``: the report's chart images) does not load plotly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from monitoring.charts.design import simon_designs_figure as simon_designs_figure
    from monitoring.charts.design import toxicity_oc_figure as toxicity_oc_figure
    from monitoring.charts.dose_finding import dose_path_figure as dose_path_figure
    from monitoring.charts.efficacy import posterior_figure as posterior_figure
    from monitoring.charts.efficacy import responder_path_figure as responder_path_figure
    from monitoring.charts.enrolment import enrolment_figure as enrolment_figure
    from monitoring.charts.group_sequential import (
        design_boundaries_figure as design_boundaries_figure,
    )
    from monitoring.charts.group_sequential import (
        sequential_boundary_figure as sequential_boundary_figure,
    )
    from monitoring.charts.incidence import incidence_figure as incidence_figure
    from monitoring.charts.km import km_figure as km_figure
    from monitoring.charts.swimmer import swimmer_figure as swimmer_figure
    from monitoring.charts.toxicity import toxicity_boundary_figure as toxicity_boundary_figure
    from monitoring.charts.toxicity import (
        toxicity_posterior_figure as toxicity_posterior_figure,
    )

_MODULES = {
    "design_boundaries_figure": "group_sequential",
    "dose_path_figure": "dose_finding",
    "enrolment_figure": "enrolment",
    "incidence_figure": "incidence",
    "km_figure": "km",
    "posterior_figure": "efficacy",
    "responder_path_figure": "efficacy",
    "sequential_boundary_figure": "group_sequential",
    "simon_designs_figure": "design",
    "swimmer_figure": "swimmer",
    "toxicity_boundary_figure": "toxicity",
    "toxicity_oc_figure": "design",
    "toxicity_posterior_figure": "toxicity",
}

__all__ = [
    "design_boundaries_figure",
    "dose_path_figure",
    "enrolment_figure",
    "incidence_figure",
    "km_figure",
    "posterior_figure",
    "responder_path_figure",
    "sequential_boundary_figure",
    "simon_designs_figure",
    "swimmer_figure",
    "toxicity_boundary_figure",
    "toxicity_oc_figure",
    "toxicity_posterior_figure",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'monitoring.charts' has no attribute '{name}'")
    return getattr(importlib.import_module(f"monitoring.charts.{module}"), name)
