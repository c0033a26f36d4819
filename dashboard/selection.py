"""The sidebar's choice (trial, cut-off, as-known-on) and the cached results it keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NoReturn

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import cache, navigation, source, writes
from dashboard.keys import Key
from monitoring.accounts.model import Principal
from monitoring.analyses.conduct import ConductTables
from monitoring.analyses.labs import Hepatotoxicity, LabShifts, VodCases
from monitoring.analyses.response import ResponseTables
from monitoring.analyses.safety import AeTables
from monitoring.analyses.safety_listings import SafetyListings
from monitoring.analysis.access import View, as_seen, check_breakdown, view_of
from monitoring.awaiting_data import AwaitingData, awaiting_data
from monitoring.data_dictionary import TrialData
from monitoring.data_quality import Finding
from monitoring.derive import Derivation
from monitoring.open_view import closed_columns
from monitoring.protocol import Protocol
from monitoring.series import SurvivalView
from monitoring.series.arm_comparison import ARM_COLUMN, ArmComparison
from monitoring.series.incidence import IncidenceView
from monitoring.status import TrialStatus


@dataclass(frozen=True)
class Selection:
    """What every page computes from; ``version`` is the data version of the cache key."""

    url: str
    trial_id: str
    cutoff: date
    latest: date
    as_known_on: datetime | None
    version: str
    principal: Principal | None = None

    @property
    def protocol(self) -> Protocol:
        return cache.loaded(self.url, self.trial_id, self.as_known_on, self.version).protocol

    @property
    def view(self) -> View | None:
        """The view the signed-in person has of the trial (open or closed)."""
        return view_of(self.principal, self.trial_id)

    def breakdowns(self, columns: tuple[str, ...]) -> tuple[str, ...]:
        """``columns`` less the protocol's ``closed_by`` ones unless the view is closed."""
        if self.view is View.CLOSED:
            return columns
        return tuple(c for c in columns if c not in self.protocol.closed_by)

    @property
    def data(self) -> TrialData:
        return cache.loaded(self.url, self.trial_id, self.as_known_on, self.version).data

    @property
    def key(self) -> tuple[str, str, date, datetime | None, str]:
        """The cache key of every result at this cut: database, trial, cut-off, as-known-on,
        data version."""
        return (self.url, self.trial_id, self.cutoff, self.as_known_on, self.version)

    def status(self) -> TrialStatus:
        """The status as the signed-in person's view may see it (``access.as_seen``); the
        first closed status of a trial in a session is recorded as closed data viewed."""
        view = self.view
        if view is View.CLOSED and self.principal is not None:
            writes.record_closed_view(self.url, self.trial_id, "closed view of the dashboard")
        return as_seen(cache.status(*self.key, source.records(self.url, self.trial_id)), view)

    def derivation(self) -> Derivation:
        return cache.derivation(*self.key)

    def analysed_tables(self) -> dict[str, pd.DataFrame]:
        """The tables analysed at the cut-off, patient by patient; the open view gets them
        without the protocol's ``closed_by`` columns (no patient's arm, for example, nor the
        arm received: ``monitoring.open_view.closed_columns``)."""
        data = self.derivation().data
        tables = {
            "patients": data.patients,
            "responses": data.responses,
            "adverse_events": data.adverse_events,
        }
        if len(data.randomization):  # date and arm received, the arm closed in the open view
            tables["randomization"] = data.randomization
        if self.view is View.CLOSED:
            return tables
        protocol = self.protocol
        return {
            n: t.drop(columns=[c for c in t.columns if c in closed_columns(protocol, n)])
            for n, t in tables.items()
        }

    def survival(self, endpoint: str, by: str | None) -> SurvivalView:
        """Refused (``PermissionRefusedError``) by a ``closed_by`` column in the open view."""
        check_breakdown(self.principal, self.protocol, self.trial_id, by)
        return cache.survival(*self.key, endpoint, by)

    def arm_comparison(self, endpoint: str) -> ArmComparison | None:
        """Medians and landmarks compared by arm: refused in the open view where the arm
        is a ``closed_by`` column."""
        check_breakdown(self.principal, self.protocol, self.trial_id, ARM_COLUMN)
        return cache.arm_comparison(*self.key, endpoint)

    def incidence(self, by: str | None) -> IncidenceView | None:
        """Refused (``PermissionRefusedError``) by a ``closed_by`` column in the open view."""
        check_breakdown(self.principal, self.protocol, self.trial_id, by)
        return cache.incidence(*self.key, by)

    def incidence_chart(self, by: str | None) -> go.Figure | None:
        check_breakdown(self.principal, self.protocol, self.trial_id, by)
        return cache.incidence_chart(*self.key, by)

    def km_chart(self, endpoint: str, by: str | None) -> go.Figure:
        check_breakdown(self.principal, self.protocol, self.trial_id, by)
        return cache.km_chart(*self.key, endpoint, by)

    def enrolment_chart(self) -> go.Figure:
        return cache.enrolment_chart(*self.key)

    def responses(self) -> ResponseTables:
        return cache.responses(*self.key)

    def conduct(self) -> ConductTables:
        """The trial-conduct tables of the signed-in person's view; a breakdown by a
        ``closed_by`` column (arm, cohort) is recorded as closed data viewed."""
        closed = self.view is View.CLOSED
        tables = cache.conduct(*self.key, closed)
        if tables.grouped_by in self.protocol.closed_by and self.principal is not None:
            writes.record_closed_view(
                self.url, self.trial_id, f"trial conduct by {tables.grouped_by}"
            )
        return tables

    def safety(self) -> tuple[AeTables, SafetyListings]:
        return cache.safety(*self.key)

    def safety_frames(self) -> cache.SafetyFrames:
        return cache.safety_frames(*self.key)

    def quality(self) -> tuple[Finding, ...]:
        return cache.quality(*self.key)

    def labs(self) -> tuple[LabShifts, Hepatotoxicity, VodCases]:
        """Laboratory results, broken down by the first ``closed_by`` column in the closed
        view only."""
        by = next(iter(self.breakdowns(self.protocol.closed_by)), None)
        return cache.labs(*self.key, by)

    def cli_options(self) -> str:
        """The options that make the command line compute the same numbers."""
        text = f"--db '{self.url}' --trial {self.trial_id} --cutoff {self.cutoff.isoformat()}"
        if self.as_known_on is not None:
            text += f" --as-known-on {self.as_known_on.date().isoformat()}"
        return text


@dataclass(frozen=True)
class EmptyTrial:
    """A chosen trial that holds no data (as known on the date): no cut-off exists."""

    url: str
    trial_id: str
    as_known_on: datetime | None
    version: str

    @property
    def protocol(self) -> Protocol:
        return cache.loaded(self.url, self.trial_id, self.as_known_on, self.version).protocol

    @property
    def awaiting(self) -> AwaitingData:
        known_on = None if self.as_known_on is None else self.as_known_on.date().isoformat()
        return awaiting_data(self.trial_id, self.protocol, known_on)


class NoDataYet(Exception):  # noqa: N818 (a state the app draws, not an error)
    """Raised by :func:`current` for a trial without data; app.py draws the trial's
    protocol, rules and the files to import in place of the page."""

    def __init__(self, trial: EmptyTrial) -> None:
        super().__init__(trial.trial_id)
        self.trial = trial


def current_trial() -> Selection | EmptyTrial:
    """The sidebar's choice for pages that also serve a trial without data (Data, Design)."""
    selection = st.session_state.get(Key.SELECTION)
    if not isinstance(selection, Selection | EmptyTrial):
        _through_app()
    return selection


def current() -> Selection:
    """The selection the sidebar stored for this run (the app draws the sidebar first);
    :class:`NoDataYet` when the trial holds no data."""
    selection = current_trial()
    if isinstance(selection, EmptyTrial):
        raise NoDataYet(selection)
    return selection


def _through_app() -> NoReturn:
    """Rerun through app.py. Until a script has called ``st.navigation``, Streamlit treats
    an app with a ``pages/`` folder as a legacy multipage app, so the first request of a
    fresh server on a page's URL runs that page alone, without app.py and its sidebar.
    Declaring the app's pages ends that mode for the server, and the rerun serves the same
    URL through app.py (tests/test_browser.py opens such a deep link)."""
    if st.session_state.get(Key.REROUTED):
        raise RuntimeError("the sidebar has not run: open the dashboard through app.py")
    st.session_state[Key.REROUTED] = True
    navigation.declare()
    st.rerun()
