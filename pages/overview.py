"""Overview: the DSMB's first screen — the overall verdict and its alerts, one card per rule,
enrolment, the monitoring log.

The title, the cut-off line and the verdict are drawn into a container made before the cards
and filled after them: on screen they stay above the cards, but the cards are the first
thing the page sends (Streamlit sends elements in the order the script makes them), so a
page switch shows them as early as a page with nothing above its cards."""

import streamlit as st

from dashboard import components, decisions, tables
from dashboard.selection import current
from dashboard.verdict import verdict_section
from monitoring.verdict import verdict

selection = current()
status = selection.status()
protocol = status.protocol
head = st.container()  # on screen above the cards, sent after them
decisions.rule_cards(status.decisions, "This protocol has no stopping rule.")
with head:
    st.title(protocol.short_title or protocol.title)
    st.caption(
        f"Data cut-off {status.cutoff.isoformat()} · {status.enrolled} enrolled · "
        f"{status.treated} treated · protocol {protocol.version}"
    )
    verdict_section(verdict(status))
components.paint_first()
components.chart(selection.enrolment_chart(), "Enrolment")
st.subheader("Monitoring log")
st.caption(
    f"A look every {protocol.reporting.summary_every} evaluable patients; counts and "
    "decisions are those of the data cut on the day each look was reached."
)
components.table(tables.monitoring_log_frame(status), "Monitoring log")
components.reproduce(f"python -m monitoring status {selection.cli_options()} --json")
