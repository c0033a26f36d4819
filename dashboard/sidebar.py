"""The shared sidebar: trial, data cut-off, "as known on" date and the provenance line.

The choice is read before the page runs and the widgets are drawn after it, into a slot
reserved at the top of the sidebar. Streamlit sends elements in the order a script makes
them and the browser loads each widget's code on first use, so widgets drawn first held the
decision cards back by about a second on a new tab (benchmarks/bench_pages.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import cache, source
from dashboard.keys import Key
from dashboard.selection import EmptyTrial, Selection
from monitoring.accounts.model import Principal
from monitoring.analysis import TrialEntry

EARLIEST = date(1990, 1, 1)  # date pickers default to ten years back; trials run longer


@dataclass(frozen=True)
class SidebarChoice:
    """What the sidebar widgets hold this run, and the selection computed from it."""

    trials: dict[str, TrialEntry]
    selection: Selection | EmptyTrial
    cutoff_chosen: bool


def _end_of_day(day: date | None) -> datetime | None:
    """An "as known on" date means everything recorded up to the end of that day (UTC)."""
    if day is None:
        return None
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def _stored_date(key: Key) -> date | None:
    value = st.session_state.get(key)
    return value if isinstance(value, date) else None


NO_TRIAL = (
    "Your account holds no role on any trial of this database, so no trial data are shown. "
    "An administrator gives roles with `python -m monitoring users role NAME --role R "
    "--trial ID` (docs/security.md)."
)


def choose(principal: Principal) -> SidebarChoice | None:
    """The selection from the sidebar widgets' values (their defaults on a session's first
    run), stored in session state for the pages; None when ``principal`` holds a role on no
    trial (an administrator's account alone: no trial data)."""
    url = source.database_url()
    trials = {t.id: t for t in source.trials(url, principal)}
    if not trials:
        st.session_state.pop(Key.SELECTION, None)
        return None
    stored = st.session_state.get(Key.TRIAL)
    trial_id = stored if isinstance(stored, str) and stored in trials else next(iter(trials))
    as_known_on = _end_of_day(_stored_date(Key.AS_KNOWN_ON))
    version = source.data_version(url, trial_id)
    latest = cache.latest(url, trial_id, as_known_on, version)
    if latest is None:  # registered, nothing imported (as known on the date)
        empty = EmptyTrial(url, trial_id, as_known_on, version)
        st.session_state[Key.SELECTION] = empty
        return SidebarChoice(trials, empty, False)
    chosen = _stored_date(Key.CUTOFF)
    if chosen is not None and chosen > latest:  # a later "as known on" date had more data
        del st.session_state[Key.CUTOFF]
        chosen = None
    cutoff = chosen if chosen is not None else latest
    selection = Selection(url, trial_id, cutoff, latest, as_known_on, version, principal)
    st.session_state[Key.SELECTION] = selection
    return SidebarChoice(trials, selection, chosen is not None)


def draw(slot: DeltaGenerator, choice: SidebarChoice) -> None:
    """The widgets behind ``choice`` and the provenance line, in the reserved slot."""
    trials, selection = choice.trials, choice.selection
    with slot:
        st.selectbox(
            "Trial", list(trials), format_func=lambda t: f"{t} · {trials[t].title}", key=Key.TRIAL
        )
        st.date_input(
            "As known on",
            value=None,
            min_value=EARLIEST,
            key=Key.AS_KNOWN_ON,
            help="Reproduce a past look: the data as recorded by the end of this day. "
            "Empty: everything recorded until now.",
        )
        if isinstance(selection, EmptyTrial):
            protocol = selection.protocol
            st.caption(f"No data yet · {protocol.id} · protocol {protocol.version}")
            return
        st.date_input(
            "Data cut-off",
            value=None,
            min_value=EARLIEST,
            max_value=selection.latest,
            key=Key.CUTOFF,
            help=f"Records dated after the cut-off are ignored. Empty: the latest data "
            f"({selection.latest.isoformat()}).",
        )
        if not choice.cutoff_chosen:
            st.caption(f"Cut-off: latest data, {selection.latest.isoformat()}")
        st.caption(selection.status().provenance.line)
