"""Efficacy: response rates, best response and each patient's course for every protocol;
remission within cycle windows, MRD-negativity rates, HSCT and MRD among responders and the
MRD results per patient where the protocol and the data have them;
the decision card and the stage-1 tally, responder path, posterior and predictive
probability of each efficacy rule the protocol has."""

import streamlit as st

from dashboard import components, decisions, tables
from dashboard.keys import Key
from dashboard.selection import current
from monitoring.analyses.efficacy_extras import efficacy_extras
from monitoring.analyses.randomization import (
    for_view,
    listing_for_view,
    randomization_listing,
    randomization_tables,
)
from monitoring.analyses.response import rule_posterior
from monitoring.analysis.access import View
from monitoring.charts import (
    posterior_figure,
    responder_path_figure,
    sequential_boundary_figure,
    swimmer_figure,
)
from monitoring.rules.group_sequential import SequentialDecision
from monitoring.series import patient_courses, responder_path

selection = current()
status = selection.status()
protocol = status.protocol
rule, decision = protocol.simon, status.efficacy
st.title("Efficacy")
decisions.rule_cards(
    status.efficacy_decisions,
    "This protocol names no efficacy stopping rule: the rates below are descriptive.",
)
components.paint_first()

derived = selection.derivation()
responses = selection.responses()
overall = responses.overall
st.subheader("Remission and response rates")
st.caption(
    f"Each response definition of the protocol among evaluable patients (status known or "
    f"definition met) and among all {overall.treated} treated patients ({overall.pending} "
    f"pending). Bayesian credible interval under the protocol's "
    f"Beta{protocol.estimates.response_prior} prior, exact Clopper–Pearson interval beside it."
)
components.table(tables.response_rates_frame(overall), "Response rates")
extras = efficacy_extras(derived, protocol)
for rule_rates in extras.rule_rates:
    st.subheader(rule_rates.title)
    st.caption(rule_rates.note)
    components.table(tables.rule_rates_frame(rule_rates), rule_rates.title)
if extras.secondary is not None:
    st.subheader(extras.secondary.title)
    st.caption(extras.secondary.note)
    components.table(tables.rates_frame(extras.secondary.rates), extras.secondary.title)
if extras.mrd_listing is not None:
    with st.expander(f"{extras.mrd_listing.title} ({len(extras.mrd_listing.rows)})"):
        st.caption(extras.mrd_listing.note)
        components.table(tables.mrd_listing_frame(extras.mrd_listing), extras.mrd_listing.title)
st.subheader(overall.best_response.title)
st.caption(overall.best_response.note)
components.table(tables.best_response_frame(overall.best_response), "Best overall response")

randomization = randomization_tables(derived, protocol)
if randomization is not None:
    shown = for_view(randomization, protocol, closed=selection.view is View.CLOSED)
    st.subheader("Randomization" + (": arms pooled (open view)" if shown.pooled else ""))
    if shown.pooled:
        st.caption("Counts by arm are shown to the DSMB (closed view) only.")
    if shown.unassigned:
        st.caption(f"{shown.unassigned} enrolled patients have no arm and are not counted.")
    for randomization_table in shown.tables:
        st.markdown(f"**{randomization_table.title}**")
        st.caption(randomization_table.note)
        components.table(tables.count_frame(randomization_table), randomization_table.title)
    listing = randomization_listing(derived, protocol)
    if listing is not None and listing.rows:
        listed = listing_for_view(listing, protocol, closed=selection.view is View.CLOSED)
        with st.expander(f"Randomization per patient ({len(listed.rows)})"):
            st.caption(
                listed.date_source
                + ("" if listed.by_arm else " Arms assigned and received: closed view only.")
            )
            frame = tables.randomization_listing_frame(listed)
            components.table(frame, "Randomization per patient")

if rule is not None and decision is not None:
    st.subheader(f"Stage 1: the first {decision.n1} treated patients (by first dose)")
    cols = st.columns(4)
    cols[0].metric("Responders", decision.stage1.responders, border=True)
    cols[1].metric("Non-responders", decision.stage1.non_responders, border=True)
    cols[2].metric("Pending", decision.stage1.pending, border=True)
    cols[3].metric(
        "Still to be treated in stage 1",
        decision.stage1_open,
        border=True,
        help=f"{decision.stage1_target} responders among {decision.n1} continue to stage 2",
    )
    components.chart(responder_path_figure(responder_path(derived, rule)), "Responder path")
    components.chart(
        posterior_figure(
            rule_posterior(rule, decision, protocol), [("p0", rule.p0), ("p1", rule.p1)]
        ),
        "Remission posterior",
    )
    if status.predictive is not None:
        pp = status.predictive
        st.subheader("Predictive probability of final success")
        left, right = st.columns(2)
        left.metric("Pass stage 1", f"{pp.stage1_probability:.3f}", border=True)
        right.metric(
            f"Reach {decision.final_target} of {decision.n} responders",
            f"{pp.probability:.3f}",
            border=True,
        )
        st.caption(
            f"Posterior predictive under Beta({pp.posterior.a:g}, {pp.posterior.b:g}) for the "
            f"{pp.stage1_unknown + pp.later_unknown} patients whose outcome is still unknown."
        )

for rule_decision in status.efficacy_decisions:
    if isinstance(rule_decision.detail, SequentialDecision):
        st.subheader(rule_decision.name)
        components.chart(
            sequential_boundary_figure(rule_decision.detail), "Group-sequential boundaries"
        )

st.subheader("Each patient's course")
limit = st.number_input(
    "Patients shown (treatment order)",
    min_value=5,
    max_value=500,
    value=60,
    step=5,
    key=Key.SWIMMER_LIMIT,
)
components.chart(swimmer_figure(patient_courses(derived, protocol, int(limit))), "Swimmer plot")
components.reproduce(f"python -m monitoring status {selection.cli_options()} --json")
