"""Safety: toxicity posterior and boundaries at each look, what would stop the trial next,
AE tables and the SAE, death and monitored-toxicity listings."""

import streamlit as st

from dashboard import components, decisions, tables
from dashboard.selection import current
from monitoring import vocabulary
from monitoring.charts import posterior_figure, toxicity_boundary_figure, toxicity_posterior_figure
from monitoring.charts.dose_finding import dose_path_figure
from monitoring.estimates import BetaPrior, rate_estimate
from monitoring.series import toxicity_path
from monitoring.series.dose_finding import (
    dose_escalation_views,
    dose_level_frame,
    oc_frame,
    oc_note,
)

selection = current()
status = selection.status()
protocol = status.protocol
st.title("Safety")
derived = selection.derivation()
decisions.rule_cards(status.toxicity_decisions, "This protocol has no toxicity stopping rule.")
components.paint_first()
for view in dose_escalation_views(status):
    st.subheader(f"Dose levels: {view.name.removeprefix('Dose: ')}")
    st.markdown(f"**Next cohort** — {view.next_cohort}")
    components.table(dose_level_frame(view), f"Dose levels {view.rule_id}")
    components.chart(dose_path_figure(view), f"Dose path {view.rule_id}")
    if view.oc:
        st.markdown(f"**Operating characteristics of the design** — {oc_note(view)}")
        components.table(oc_frame(view, protocol), f"Dose-finding OC {view.rule_id}")
shown = status.toxicity_rules()
indices = {r.id: i for i, r in enumerate(protocol.toxicity)}
for rule, decision in shown:
    index = indices[rule.id]
    suffix = "" if index == 0 else f" {rule.id}"  # the first rule keeps its plain names
    if len(shown) > 1:  # name the rule the metrics and charts below belong to
        st.subheader(vocabulary.rule_name(rule, protocol))
    left, mid, right = st.columns(3)
    left.metric(f"Pr(p > {rule.threshold:g} | data)", f"{decision.posterior_prob:.3f}", border=True)
    mid.metric("Next look (evaluable patients)", decision.next_look or "none", border=True)
    right.metric(
        "More events to stop at the next look",
        "—" if decision.events_to_cross_next is None else decision.events_to_cross_next,
        border=True,
        help="How many more patients among the first at the next look would have to have "
        "the toxicity for its boundary to be met.",
    )
    path = toxicity_path(rule, derived.toxicity[index], decision)
    components.chart(toxicity_boundary_figure(path), f"Toxicity boundaries{suffix}")
    components.chart(toxicity_posterior_figure(path), f"Toxicity posterior by look{suffix}")
    components.table(tables.toxicity_looks_frame(path), f"Toxicity looks{suffix}")
    current_rate = rate_estimate(
        rule.label,
        decision.events,
        decision.evaluable,
        BetaPrior(rule.prior_a, rule.prior_b),
        protocol.estimates.credible_level,
    )
    components.chart(
        posterior_figure(
            current_rate,
            [("threshold", rule.threshold)],
            title=f"Posterior of the toxicity rate ({decision.events}/{decision.evaluable})",
        ),
        f"Toxicity posterior{suffix}",
    )

st.subheader("Adverse events by category and grade")
ae, listings = selection.safety()
frames = selection.safety_frames()
st.caption(f"Cells: patients (%) [credible interval]. {ae.note}")
titles = [t.title.split(":")[0] for t in ae.tables]
for tab, title, frame in zip(st.tabs(titles), titles, frames.ae, strict=True):
    with tab:
        components.table(frame, title, height=420)
for listing, frame in zip(listings.monitored, frames.monitored, strict=True):
    st.subheader(f"Listing: {listing.title}")
    st.caption(listing.note)
    components.table(frame, listing.title)
st.subheader(f"Listing: {listings.serious.title.lower()}")
components.table(frames.serious, "SAE listing", height=360)
st.subheader("Listing: deaths")
components.table(frames.deaths, "Death listing", height=360)
components.reproduce(f"python -m monitoring status {selection.cli_options()} --json")
