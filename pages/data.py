"""Data: the trial's tables as analysed, imports, data-quality findings, corrections, audit."""

import streamlit as st

from dashboard import components
from dashboard.selection import current

selection = current()
data = selection.derivation().data
st.title("Data")
st.info(
    "Imports (all or nothing, every problem listed by file, row and column), data-quality "
    "findings, corrections with a required reason and the audit log need the database "
    "layer (monitoring/db); the tables below are the data analysed at the cut-off.",
    icon=":material/info:",
)
for name, frame in (
    ("patients", data.patients),
    ("responses", data.responses),
    ("adverse_events", data.adverse_events),
):
    st.subheader(f"{name} ({len(frame)} rows)")
    components.table(frame, name, height=320)
components.reproduce(f"python -m monitoring status {selection.cli_options()} --json")
