"""Reports: generate and download the efficacy/toxicity summaries."""

import streamlit as st

from dashboard import components
from dashboard.selection import current

selection = current()
status = selection.status()
st.title("Reports")
st.info(
    "The efficacy/toxicity summary content is being built (monitoring.reports); its "
    "generation and download (PDF, DOCX, XLSX) appear here when it lands.",
    icon=":material/hourglass_top:",
)
due = status.summary_due
if due is not None:
    st.warning(f"Summary due for look {due.number} ({due.evaluable} evaluable patients).")
components.reproduce(
    f"python -m monitoring report {selection.cli_options()} --format pdf --out summary.pdf"
)
