"""Survival: Kaplan–Meier curves with CI bands, risk table, medians, landmarks, follow-up."""

import streamlit as st

from dashboard import components, tables, writes
from dashboard.keys import Key
from dashboard.selection import current
from monitoring.series.arm_comparison import ARM_COLUMN, comparison_note
from monitoring.series.incidence import gray_sentence, incidence_column, incidence_note

selection = current()
protocol = selection.protocol
settings = protocol.survival
st.title("Survival")
left, right = st.columns(2)
endpoint = left.selectbox("Endpoint", settings.endpoints, key=Key.ENDPOINT)
by = right.selectbox(
    "Split by",
    [None, *selection.breakdowns(settings.subgroups)],
    key=Key.GROUP_BY,
    format_func=lambda v: "no split (all patients)" if v is None else v,
)
view = selection.survival(str(endpoint), by)
if by is not None and by in protocol.closed_by:  # served to the closed view only
    writes.record_closed_view(selection.url, selection.trial_id, f"survival by {by}")
components.chart(selection.km_chart(str(endpoint), by), f"KM {endpoint}")
st.caption(
    f"Times from the endpoint's origin; {view.summary.fit.conf_level:.0%} CI by the "
    f"{settings.conf_type} method (R survival's default); | marks a censored patient."
)
if view.log_rank is not None and view.log_rank.p_value is not None:
    st.markdown(
        f"**Log-rank test** across {len(view.curves)} groups: chi-square "
        f"{view.log_rank.chisq:.2f} on {view.log_rank.df} df, **p = {view.log_rank.p_value:.3f}**"
    )
if view.missing_group:
    st.caption(f"{view.missing_group} patients without a value of {by} are left out of the split.")
follow = view.summary.follow_up
cols = st.columns(3)
cols[0].metric(
    "Patients / events", f"{view.summary.fit.n} / {view.summary.fit.events}", border=True
)
cols[1].metric(
    "Median follow-up (reverse KM)",
    "not reached" if follow.time is None else f"{follow.time / settings.days_per_month:.1f} months",
    border=True,
)
if view.summary.rmst is not None:
    rm = view.summary.rmst
    cols[2].metric(
        f"Restricted mean to {rm.horizon / settings.days_per_month:g} months",
        f"{rm.rmst / settings.days_per_month:.1f} months",
        border=True,
    )
st.subheader("Median")
components.table(tables.survival_frame(view), f"{endpoint} medians")
if settings.landmarks_months:  # nothing to show where the protocol declares no landmark
    st.subheader("Landmarks (all patients)")
    components.table(tables.landmark_frame(view), f"{endpoint} landmarks")
if ARM_COLUMN in selection.breakdowns((ARM_COLUMN,)):  # by arm: the closed view only
    comparison = selection.arm_comparison(str(endpoint))
    if comparison is not None:
        if ARM_COLUMN in protocol.closed_by:
            writes.record_closed_view(selection.url, selection.trial_id, "survival by arm")
        st.subheader("Comparison by arm")
        components.table(tables.arm_medians_frame(comparison), f"{endpoint} medians by arm")
        if comparison.landmark_months:
            components.table(tables.arm_landmarks_frame(comparison), f"{endpoint} landmarks by arm")
        st.caption(comparison_note(comparison))
split = incidence_column(protocol)
shown_by = split if split is not None and split in selection.breakdowns((split,)) else None
incidence = selection.incidence(shown_by)
chart = selection.incidence_chart(shown_by)
if incidence is not None and chart is not None:  # only where a patient is in remission
    if shown_by is not None and shown_by in protocol.closed_by:
        writes.record_closed_view(selection.url, selection.trial_id, f"relapse by {shown_by}")
    st.subheader("Relapse and death in remission")
    components.chart(chart, "Cumulative incidence of relapse")
    test = gray_sentence(incidence)
    if test is not None:
        st.markdown(test)
    components.table(tables.incidence_frame(incidence), "Relapse incidence")
    st.caption(incidence_note(incidence))
command = f"python -m monitoring km {selection.cli_options()} --endpoint {endpoint}"
components.reproduce(command + (f" --by {by}" if by else "") + " --json")
