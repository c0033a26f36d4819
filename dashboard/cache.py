"""Memoised library results, keyed on (database URL, trial, cut-off, as-known-on, version).

The trial's state is read once per (database, trial, as-known-on, version) and each cut's
:class:`~monitoring.analysis.Analysis` is shared: a page view derives the data once.

The data version is the trial's latest import or correction time, read from the repository
on every run, so an import or a correction gives new keys and no page shows a stale
decision. Small results go through ``st.cache_data`` (copied on each hit). The trial's data,
derivation and safety listings are large (8 MB on the 5,000-patient trial; a copy costs
0.1 s) and are never mutated, so they are shared with ``st.cache_resource`` under the same
key. Display tables and charts that take long to build are cached too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import source, tables
from monitoring import vocabulary
from monitoring.analyses.conduct import ConductTables, conduct_tables
from monitoring.analyses.labs import (
    Hepatotoxicity,
    LabShifts,
    VodCases,
    hepatotoxicity,
    shift_tables,
    vod_cases,
)
from monitoring.analyses.response import ResponseTables, response_tables
from monitoring.analyses.safety import AeTables, ae_tables
from monitoring.analyses.safety_listings import SafetyListings, safety_listings
from monitoring.analysis import Analysis, Cut, Reading, TrialState
from monitoring.charts import (
    design_boundaries_figure,
    enrolment_figure,
    incidence_figure,
    km_figure,
    simon_designs_figure,
    toxicity_oc_figure,
)
from monitoring.data_quality import Finding
from monitoring.derive import Derivation
from monitoring.derive.cutoff import data_latest_date
from monitoring.designs.audit import ProtocolAudit, audit_protocol
from monitoring.designs.group_sequential import (
    DesignSpec,
    GroupSequentialDesign,
    SurvivalEvents,
    compute_design,
    planned_events,
)
from monitoring.designs.simon_search import SimonSearch, search
from monitoring.designs.toxicity import ToxicityDesign, ToxicityPlan, toxicity_design
from monitoring.protocol import Protocol
from monitoring.series import SurvivalView, enrolment_series, survival_view
from monitoring.series import arm_comparison as comparisons
from monitoring.series.arm_comparison import ArmComparison
from monitoring.series.incidence import IncidenceView, incidence_view
from monitoring.status import LookRecord, TrialStatus

CUTS_HELD = 32
"""Trial states and analyses kept (one per trial, cut-off and as-known-on date): enough for
20 people each on their own trial (benchmarks/bench_load.py); the data of a 5,000-patient
trial alone take about 8 MB."""


@st.cache_resource(show_spinner=False, max_entries=CUTS_HELD)
def loaded(url: str, trial_id: str, as_known_on: datetime | None, version: str) -> TrialState:
    """Protocol, data, batch and history head of the trial as known on the date, read in
    one snapshot (shared, read-only): a page never shows rows of one import with the
    batch of another."""
    cut = Cut(trial_id, None, as_known_on, version)
    with source.trial_source(url).read(cut, Reading.ALL) as state:
        return state


@st.cache_data(show_spinner=False, max_entries=64)
def latest(url: str, trial_id: str, as_known_on: datetime | None, version: str) -> date | None:
    """The default cut-off: the latest date in the data; None when the trial has no data."""
    return data_latest_date(loaded(url, trial_id, as_known_on, version).data)


@st.cache_resource(show_spinner=False, max_entries=CUTS_HELD)
def analysis(
    url: str, trial_id: str, cutoff: date, as_known_on: datetime | None, version: str
) -> Analysis:
    """The trial at the cut-off (shared, read-only): derived once, on the first question,
    for every page and result of that cut."""
    state = loaded(url, trial_id, as_known_on, version)
    return Analysis(state, Cut(trial_id, cutoff, as_known_on, version))


def derivation(
    url: str, trial_id: str, cutoff: date, as_known_on: datetime | None, version: str
) -> Derivation:
    """Derived records at the cut-off (shared, read-only)."""
    return analysis(url, trial_id, cutoff, as_known_on, version).derivation


@st.cache_data(show_spinner=False, max_entries=64)
def status(
    url: str,
    trial_id: str,
    cutoff: date,
    as_known_on: datetime | None,
    version: str,
    records: tuple[LookRecord, ...],
) -> TrialStatus:
    """Every decision and estimate at the cut-off; ``records`` (the looks' summaries
    generated and signed off, read on every run) are part of the key."""
    return analysis(url, trial_id, cutoff, as_known_on, version).status_with(records)


@st.cache_data(show_spinner=False, max_entries=64)
def enrolment_chart(
    url: str, trial_id: str, cutoff: date, as_known_on: datetime | None, version: str
) -> go.Figure:
    """The Overview's enrolment chart (built once per key: about 0.1 s on a cold process,
    and every run of the Overview, on every tab, used to build it again)."""
    cut = analysis(url, trial_id, cutoff, as_known_on, version)
    return enrolment_figure(enrolment_series(cut.derivation, cut.protocol))


@st.cache_data(show_spinner=False, max_entries=64)
def survival(
    url: str,
    trial_id: str,
    cutoff: date,
    as_known_on: datetime | None,
    version: str,
    endpoint: str,
    by: str | None,
) -> SurvivalView:
    """Kaplan–Meier view of one endpoint, optionally split by a patient column."""
    cut = analysis(url, trial_id, cutoff, as_known_on, version)
    return survival_view(cut.derivation, cut.protocol, endpoint, by)


@st.cache_data(show_spinner=False, max_entries=64)
def arm_comparison(
    url: str,
    trial_id: str,
    cutoff: date,
    as_known_on: datetime | None,
    version: str,
    endpoint: str,
) -> ArmComparison | None:
    """Medians and landmark survival compared between arms (the bootstrap of the median
    difference takes about 0.1 s per comparison)."""
    cut = analysis(url, trial_id, cutoff, as_known_on, version)
    return comparisons.arm_comparison(cut.derivation, cut.protocol, endpoint)


@st.cache_data(show_spinner=False, max_entries=64)
def incidence(
    url: str,
    trial_id: str,
    cutoff: date,
    as_known_on: datetime | None,
    version: str,
    by: str | None,
) -> IncidenceView | None:
    """Cumulative incidence of relapse and death in remission, optionally by a column."""
    cut = analysis(url, trial_id, cutoff, as_known_on, version)
    return incidence_view(cut.derivation, cut.protocol, by)


@st.cache_data(show_spinner=False, max_entries=64)
def incidence_chart(
    url: str,
    trial_id: str,
    cutoff: date,
    as_known_on: datetime | None,
    version: str,
    by: str | None,
) -> go.Figure | None:
    """The cumulative-incidence chart of that view (None: no patient in remission)."""
    view = incidence(url, trial_id, cutoff, as_known_on, version, by)
    return None if view is None else incidence_figure(view)


@st.cache_data(show_spinner=False, max_entries=64)
def km_chart(
    url: str,
    trial_id: str,
    cutoff: date,
    as_known_on: datetime | None,
    version: str,
    endpoint: str,
    by: str | None,
) -> go.Figure:
    """The Kaplan–Meier chart of that view (building it takes about 0.1 s on 5,000 patients)."""
    return km_figure(survival(url, trial_id, cutoff, as_known_on, version, endpoint, by))


@st.cache_data(show_spinner=False, max_entries=64)
def responses(
    url: str, trial_id: str, cutoff: date, as_known_on: datetime | None, version: str
) -> ResponseTables:
    """Response rates of each definition and the best overall response of treated patients."""
    cut = analysis(url, trial_id, cutoff, as_known_on, version)
    return response_tables(cut.derivation, cut.protocol)


@st.cache_data(show_spinner=False, max_entries=64)
def conduct(
    url: str, trial_id: str, cutoff: date, as_known_on: datetime | None, version: str, closed: bool
) -> ConductTables:
    """Disposition, accrual, baseline, exposure and deaths (per arm or cohort in the
    closed view only)."""
    cut = analysis(url, trial_id, cutoff, as_known_on, version)
    return conduct_tables(cut.derivation, cut.protocol, closed)


@st.cache_resource(show_spinner=False, max_entries=CUTS_HELD)
def safety(
    url: str, trial_id: str, cutoff: date, as_known_on: datetime | None, version: str
) -> tuple[AeTables, SafetyListings]:
    """AE tables (all, serious, related) with credible intervals, and the listings (shared,
    read-only: a copy of the 5,000-patient trial's listings cost up to 0.15 s a run)."""
    cut = analysis(url, trial_id, cutoff, as_known_on, version)
    return ae_tables(cut.derivation, cut.protocol), safety_listings(cut.derivation, cut.protocol)


@st.cache_resource(show_spinner=False, max_entries=CUTS_HELD)
def labs(
    url: str,
    trial_id: str,
    cutoff: date,
    as_known_on: datetime | None,
    version: str,
    by: str | None,
) -> tuple[LabShifts, Hepatotoxicity, VodCases]:
    """Shift tables, eDISH peaks and SOS/VOD cases (``by``: a closed-view breakdown)."""
    cut = analysis(url, trial_id, cutoff, as_known_on, version)
    derived = cut.derivation
    return (
        shift_tables(derived, by),
        hepatotoxicity(derived, by),
        vod_cases(derived, cut.protocol),
    )


@st.cache_data(show_spinner=False, max_entries=32)
def quality(
    url: str, trial_id: str, cutoff: date, as_known_on: datetime | None, version: str
) -> tuple[Finding, ...]:
    """Data-quality findings at the cut-off (0.12 s on the 5,000-patient trial)."""
    return analysis(url, trial_id, cutoff, as_known_on, version).quality.findings


@dataclass(frozen=True)
class SafetyFrames:
    """The safety page's tables ready to draw: AE tables, then the listings."""

    ae: tuple[pd.DataFrame, ...]
    monitored: tuple[pd.DataFrame, ...]
    serious: pd.DataFrame
    deaths: pd.DataFrame


@st.cache_data(show_spinner=False, max_entries=CUTS_HELD)
def safety_frames(
    url: str, trial_id: str, cutoff: date, as_known_on: datetime | None, version: str
) -> SafetyFrames:
    """Display tables of ``safety`` (the 28,000-row SAE listing of the 5,000-patient trial
    takes 0.16 s to lay out: once per key, not on every run)."""
    ae, listings = safety(url, trial_id, cutoff, as_known_on, version)
    return SafetyFrames(
        ae=tuple(tables.ae_table_frame(t) for t in ae.tables),
        monitored=tuple(tables.ae_listing_frame(m) for m in listings.monitored),
        serious=tables.ae_listing_frame(listings.serious),
        deaths=tables.death_listing_frame(listings.deaths),
    )


@st.cache_data(show_spinner=False, max_entries=32)
def simon_designs(
    p0: float, p1: float, alpha: float, beta: float, nmax: int
) -> tuple[SimonSearch, go.Figure]:
    """Every admissible Simon design up to nmax, and its chart (ValueError on bad input)."""
    found = search(p0, p1, alpha, beta, nmax)
    return found, simon_designs_figure(found)


@st.cache_data(show_spinner=False, max_entries=32)
def group_sequential_explorer(
    spec: DesignSpec, hazard_ratio: float, allocation_ratio: float
) -> tuple[GroupSequentialDesign, SurvivalEvents, go.Figure, go.Figure]:
    """A group-sequential design, its planned and expected events, and its boundary charts
    on the z and hazard-ratio scales (GroupSequentialError on bad input)."""
    design = compute_design(spec)
    events = planned_events(design, hazard_ratio, allocation_ratio)
    return (
        design,
        events,
        design_boundaries_figure(design, events, "z"),
        design_boundaries_figure(design, events, "hr"),
    )


@st.cache_data(show_spinner=False, max_entries=32)
def toxicity_explorer(
    plan: ToxicityPlan, rates: tuple[float, ...]
) -> tuple[ToxicityDesign, go.Figure]:
    """Boundaries and exact operating characteristics of a toxicity plan, and their chart."""
    design = toxicity_design(plan, rates)
    return design, toxicity_oc_figure(design)


@st.cache_data(show_spinner=False, max_entries=8, hash_funcs={Protocol: lambda p: p.digest})
def design_audit(protocol: Protocol) -> ProtocolAudit:
    """The printed design figures of the protocol against their exact values."""
    return audit_protocol(protocol)


@st.cache_data(show_spinner=False, max_entries=8, hash_funcs={Protocol: lambda p: p.digest})
def simon_design(protocol: Protocol) -> str | None:
    """The Simon design by name and exact error rates ("optimal" only where audited so)."""
    return None if protocol.simon is None else vocabulary.simon_design(protocol.simon)
