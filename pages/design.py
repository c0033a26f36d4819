"""Design: the toxicity and Simon design explorers and the audit of the loaded protocol."""

import streamlit as st

from dashboard import awaiting, cache, components, tables
from dashboard.keys import Key
from dashboard.selection import EmptyTrial, current_trial
from monitoring import vocabulary
from monitoring.awaiting_data import rule_outlines
from monitoring.designs.toxicity import ToxicityPlan, default_rates
from monitoring.errors import InputError
from monitoring.protocol import SimonRule

selection = current_trial()
protocol = selection.protocol
st.title("Design")
if isinstance(selection, EmptyTrial):  # the designs need no data: the page is whole
    awaiting.notice(selection.awaiting)
assumed = protocol.assumptions()
if assumed:  # above the tabs: the page never hides that a number is assumed
    st.warning(
        f"{len(assumed)} of {len(protocol.rules)} rules use numbers the trial's documents "
        "do not give: the protocol file marks them as ASSUMED ("
        + "; ".join(vocabulary.rule_name(r, protocol) for r in protocol.rules if r.assumption)
        + "). Each rule's 'Assumed' sentence is under 'Rules and assumed numbers'; "
        "docs/methods.md argues them with their sources."
    )
simon_tab, tox_tab, audit_tab, rules_tab = st.tabs(
    [
        "Simon two-stage",
        "Toxicity (Thall–Simon–Estey)",
        "Audit of this protocol",
        "Rules and assumed numbers",
    ]
)

with simon_tab:
    rule = protocol.simon
    cols = st.columns(6)
    p0 = cols[0].number_input("p0", 0.01, 0.98, rule.p0 if rule else 0.2, key=Key.SIMON_P0)
    p1 = cols[1].number_input("p1", 0.02, 0.99, rule.p1 if rule else 0.4, key=Key.SIMON_P1)
    alpha = cols[2].number_input(
        "alpha", 0.001, 0.5, (rule.nominal_alpha if rule else None) or 0.1, key=Key.SIMON_ALPHA
    )
    beta = cols[3].number_input(
        "beta", 0.001, 0.5, (rule.nominal_beta if rule else None) or 0.2, key=Key.SIMON_BETA
    )
    nmax = cols[4].number_input("nmax", 5, 1000, 100, key=Key.SIMON_NMAX)
    try:
        with st.spinner(f"Searching every two-stage design up to n = {nmax}…"):
            found, figure = cache.simon_designs(
                float(p0), float(p1), float(alpha), float(beta), int(nmax)
            )
    except InputError as error:  # a parameter out of range; anything else is a bug
        st.error(str(error))
    else:
        components.chart(figure, "Simon designs")
        components.table(tables.simon_frame(found), "Simon admissible designs")
        components.reproduce(
            f"python -m monitoring design simon --p0 {p0:g} --p1 {p1:g} --alpha {alpha:g} "
            f"--beta {beta:g} --nmax {nmax} --json"
        )

with tox_tab:
    base = protocol.primary_toxicity
    cols = st.columns(6)
    a = cols[0].number_input(
        "Prior a", 0.01, 100.0, base.prior_a if base else 1.0, key=Key.TOX_PRIOR_A
    )
    b = cols[1].number_input(
        "Prior b", 0.01, 100.0, base.prior_b if base else 1.0, key=Key.TOX_PRIOR_B
    )
    t = cols[2].number_input(
        "Threshold", 0.01, 0.99, base.threshold if base else 0.3, key=Key.TOX_THRESHOLD
    )
    c = cols[3].number_input(
        "Confidence", 0.5, 0.999, base.confidence if base else 0.9, key=Key.TOX_CONFIDENCE
    )
    k = cols[4].number_input("Cohort", 1, 100, base.cohort_size if base else 5, key=Key.TOX_COHORT)
    n = cols[5].number_input("Max patients", 2, 500, base.nmax if base else 40, key=Key.TOX_NMAX)
    try:
        plan = ToxicityPlan(float(a), float(b), float(t), float(c), int(k), int(n))
    except InputError as error:  # a parameter out of range; anything else is a bug
        st.error(str(error))
    else:
        rates = default_rates(float(t))
        with st.spinner("Computing exact operating characteristics…"):
            design, figure = cache.toxicity_explorer(plan, tuple(rates))
        components.chart(figure, "Toxicity operating characteristics")
        left, right = st.columns(2)
        with left:
            st.subheader("Stopping boundaries")
            components.table(tables.boundaries_frame(design), "Toxicity boundaries design")
        with right:
            st.subheader("Operating characteristics")
            components.table(tables.oc_frame(design), "Toxicity OC")
        components.reproduce(
            f"python -m monitoring design toxicity --prior-a {a:g} --prior-b {b:g} "
            f"--threshold {t:g} --confidence {c:g} --cohort {k} --nmax {n} "
            f"--rates {','.join(f'{r:g}' for r in rates)} --json"
        )

with audit_tab:
    audit = cache.design_audit(protocol)
    verdict = "figures differ from the exact values" if audit.flagged else "all reproduced"
    st.subheader(f"Printed design figures: {verdict}")
    simon_rules = [r for r in protocol.efficacy if isinstance(r, SimonRule)]
    for simon_rule, simon_audit in zip(simon_rules, audit.simon, strict=True):
        st.markdown(
            f"**{vocabulary.rule_name(simon_rule, protocol)}** — "
            f"{vocabulary.simon_design(simon_rule, simon_audit)} "
            f"(the protocol calls it {simon_audit.claimed_type})"
        )
        for finding in simon_audit.findings:
            st.markdown(f"- {'⚠ ' if finding.flagged else ''}{finding.message}")
    for tox_rule, tox_audit in zip(protocol.toxicity, audit.toxicity, strict=True):
        state = "reproduced" if tox_audit.matches else "NOT reproduced"
        st.markdown(f"**{vocabulary.rule_name(tox_rule)}**: printed tables {state}")
        for text in tox_audit.findings:
            st.markdown(f"- {text}")
        components.table(
            tables.audit_frame(tox_audit), f"Audit of {vocabulary.rule_name(tox_rule)}"
        )
    components.reproduce(f"python -m monitoring design audit --protocol {protocol.source}")

with rules_tab:
    for outline in rule_outlines(protocol):
        st.markdown(f"**{outline.label}** (`{outline.kind}`, `{outline.id}`): {outline.sentence}")
