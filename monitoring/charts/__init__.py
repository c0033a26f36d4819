"""Plotly figures drawn from result dataclasses (no Streamlit): pages and reports share them.

Every function takes a frozen result (from :mod:`monitoring.series`, :mod:`monitoring.estimates`
or the designs) and returns a ``plotly.graph_objects.Figure`` styled by
:mod:`monitoring.charts.theme` (Okabe–Ito palette, text of 14 px and more).
"""

from monitoring.charts.design import simon_designs_figure, toxicity_oc_figure
from monitoring.charts.dose_finding import dose_path_figure
from monitoring.charts.efficacy import posterior_figure, responder_path_figure
from monitoring.charts.enrolment import enrolment_figure
from monitoring.charts.group_sequential import sequential_boundary_figure
from monitoring.charts.km import km_figure
from monitoring.charts.swimmer import swimmer_figure
from monitoring.charts.toxicity import toxicity_boundary_figure, toxicity_posterior_figure

__all__ = [
    "dose_path_figure",
    "enrolment_figure",
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
