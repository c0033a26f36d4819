"""The shared sidebar: trial, data cut-off, "as known on" date and the provenance line."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import streamlit as st

from dashboard import cache, source
from dashboard.keys import Key
from dashboard.selection import Selection

EARLIEST = date(1990, 1, 1)  # date pickers default to ten years back; trials run longer


def _end_of_day(day: date | None) -> datetime | None:
    """An "as known on" date means everything recorded up to the end of that day (UTC)."""
    if day is None:
        return None
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def render_sidebar() -> Selection:
    """Draw the inputs, store the selection in session state and show its provenance."""
    url = source.database_url()
    trials = {t.id: t for t in source.trials(url)}
    with st.sidebar:
        trial_id = st.selectbox(
            "Trial", list(trials), format_func=lambda t: f"{t} · {trials[t].title}", key=Key.TRIAL
        )
        known_day = st.date_input(
            "As known on",
            value=None,
            min_value=EARLIEST,
            key=Key.AS_KNOWN_ON,
            help="Reproduce a past look: the data as recorded by the end of this day. "
            "Empty: everything recorded until now.",
        )
        as_known_on = _end_of_day(known_day)
        version = source.data_version(url, str(trial_id))
        latest = cache.latest(url, str(trial_id), as_known_on, version)
        chosen = st.date_input(
            "Data cut-off",
            value=None,
            min_value=EARLIEST,
            max_value=latest,
            key=Key.CUTOFF,
            help=f"Records dated after the cut-off are ignored. Empty: the latest data "
            f"({latest.isoformat()}).",
        )
        cutoff = chosen if chosen is not None else latest
        selection = Selection(url, str(trial_id), cutoff, latest, as_known_on, version)
        st.session_state[Key.SELECTION] = selection
        if chosen is None:
            st.caption(f"Cut-off: latest data, {latest.isoformat()}")
        st.caption(selection.status().provenance.line)
    return selection
