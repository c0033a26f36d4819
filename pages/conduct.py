"""Trial conduct: disposition flow, accrual by site and month against plan, baseline
characteristics, exposure and dose intensity, deaths and early mortality."""

import streamlit as st

from dashboard import components, tables
from dashboard.selection import current
from monitoring.analysis.access import View
from monitoring.charts.conduct import AccrualChart, FlowChart

selection = current()
conduct = selection.conduct()
st.title("Trial conduct")
by = f" · by {conduct.grouped_by} (closed view)" if conduct.grouped_by else ""
st.caption(f"Data cut-off {conduct.cutoff}{by}")

st.subheader("Disposition")
flow = conduct.disposition
components.chart(FlowChart(flow).plotly(), "Disposition flow")
st.caption(flow.table.note)
components.table(tables.count_frame(flow.table), "Disposition")

st.subheader("Accrual by site and month")
if conduct.accrual.months:
    components.chart(AccrualChart(conduct.accrual).plotly(), "Accrual against plan")
    components.table(tables.accrual_frame(conduct.accrual), "Accrual by site and month")
else:
    st.info("No patient enrolled by the cut-off.")

st.subheader("Baseline characteristics")
st.caption(conduct.baseline.note)
components.table(tables.baseline_frame(conduct.baseline), "Baseline characteristics")

st.subheader("Exposure and dose intensity")
exposure = conduct.exposure
if exposure is None:
    st.info("Exposure by agent may tell the arms apart: it is shown in the closed view only.")
elif exposure.patients:
    st.caption(exposure.note)
    components.table(tables.exposure_frame(exposure), "Exposure by agent")
    left, right = st.columns(2)
    with left:
        components.table(tables.cycles_frame(exposure), "Cycles received")
    with right:
        if exposure.reasons:
            components.table(tables.reasons_frame(exposure), "Dose change reasons")
else:
    st.info("No exposure records (exposure.csv) at the cut-off.")

st.subheader("Deaths")
deaths = conduct.deaths
st.caption(deaths.note)
components.table(tables.mortality_frame(deaths), "Early mortality")
if deaths.rows:
    components.table(tables.deaths_frame(deaths), "Deaths")
else:
    st.info("No death by the cut-off.")
version = "closed" if selection.view is View.CLOSED else "open"
components.reproduce(
    f"python -m monitoring report {selection.cli_options()} --version {version} "
    "--format pdf,xlsx --out conduct"
)
