"""A trial without data, drawn on every page: its protocol and rules, and what to import."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import components
from monitoring.awaiting_data import AwaitingData

NO_DATA_TITLE = "No data yet"


def _files_frame(awaiting: AwaitingData) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "File": [f.file for f in awaiting.files],
            "Required columns": [", ".join(f.required) for f in awaiting.files],
            "Optional columns": [", ".join(f.optional) for f in awaiting.files],
        }
    )


def notice(awaiting: AwaitingData) -> None:
    """The one-line notice (pages that work without data draw it above their content)."""
    st.info(f"**{NO_DATA_TITLE}** — {awaiting.message}.", icon=":material/hourglass_empty:")


def protocol_and_rules(awaiting: AwaitingData) -> None:
    """What exists before any patient: the protocol and its rules with their boundaries."""
    protocol = awaiting.protocol
    units = [u.label for u in (*protocol.cohorts, *protocol.arms, *protocol.dose_levels)]
    st.subheader("Protocol")
    st.markdown(
        f"{protocol.title}  \n"
        f"Protocol {protocol.version} · design {protocol.design.replace('_', ' ')} · "
        f"sha256 {protocol.digest[:12]}" + (f"  \nStrata: {', '.join(units)}" if units else "")
    )
    st.subheader("Monitoring rules")
    if not awaiting.rules:
        st.markdown("This protocol states no stopping rule.")
    for rule in awaiting.rules:
        st.markdown(f"**{rule.label}** ({rule.id}) — {rule.sentence}")


def import_next(awaiting: AwaitingData) -> None:
    """The three files of an extract and their columns (SPEC 5, docs/cli.md)."""
    st.subheader("What to import next")
    st.caption(
        "An extract is three CSV files (or one XLSX workbook with a sheet per table), "
        "imported on the Data page or from the command line; all or nothing."
    )
    components.table(_files_frame(awaiting), "Import files")
    components.reproduce(awaiting.command)


def page(title: str, awaiting: AwaitingData) -> None:
    """A page of a trial without data: title, notice, protocol and rules, files to import."""
    st.title(title)
    notice(awaiting)
    protocol_and_rules(awaiting)
    import_next(awaiting)
