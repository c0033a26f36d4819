"""Laboratory: CTCAE shift tables, the hepatotoxicity (eDISH) plot with a patient's liver
tests on click, and the SOS/VOD cases beside their diagnostic criteria."""

import streamlit as st

from dashboard import components, labs
from dashboard.selection import current
from monitoring.analyses.labs import Quadrant, lab_trajectories
from monitoring.analysis.access import View
from monitoring.charts.labs import edish_figure, trajectory_figure

selection = current()
st.title("Laboratory")
if selection.data.lab_results.empty:
    st.info("No laboratory data imported for this trial.")
else:
    shifts, hep, cases = selection.labs()
    st.subheader("Hepatotoxicity (eDISH)")
    st.caption(hep.note)
    counts = st.columns(len(Quadrant))
    for column, quadrant in zip(counts, Quadrant, strict=True):
        column.metric(quadrant.value, hep.count(quadrant), border=True)
    event = st.plotly_chart(
        edish_figure(hep),
        width="stretch",
        theme=None,
        on_select="rerun",
        selection_mode=("points", "box"),
        key="edish",
    )
    points = event.selection.points if event else []
    patients = [p.patient_id for p in hep.peaks]
    clicked = str(points[0].get("customdata", "")) if points else ""
    st.caption("Click a point (or choose a patient) to see that patient's liver tests.")
    chosen = st.selectbox(
        "Patient",
        patients,
        index=patients.index(clicked) if clicked in patients else None,
        placeholder="Choose a patient",
    )
    if chosen:
        trajectories = lab_trajectories(selection.derivation(), chosen)
        components.chart(trajectory_figure(chosen, trajectories), f"Liver tests {chosen}")
    components.table(labs.peaks_frame(hep), "Hepatic peaks")

    st.subheader("SOS/VOD cases and their diagnostic criteria")
    st.caption(cases.note)
    if cases.cases:
        components.table(labs.vod_frame(cases), "SOS-VOD cases")
    else:
        st.markdown("No SOS/VOD adverse event by the cut-off.")

    st.subheader("Shift tables: baseline grade by worst post-baseline grade")
    st.caption(f"{shifts.note} Source: {shifts.source}.")
    for table in shifts.tables:
        group = f" — {table.group}" if table.group else ""
        st.markdown(f"**{table.term} ({table.test}){group}**")
        components.table(labs.shift_frame(table), f"Shift {table.test}{group}")

version = "closed" if selection.view is View.CLOSED else "open"
components.reproduce(
    f"python -m monitoring report {selection.cli_options()} --version {version} "
    "--format pdf,xlsx --out laboratory"
)
