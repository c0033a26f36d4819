"""Design: the Simon, toxicity and group-sequential design explorers and the audit of the
loaded protocol."""

import streamlit as st

from dashboard import awaiting, cache, components, tables
from dashboard.keys import Key
from dashboard.selection import EmptyTrial, current_trial
from monitoring import vocabulary
from monitoring.awaiting_data import rule_outlines
from monitoring.designs.group_sequential import (
    DesignSpec,
    SpendingFamily,
    SpendingFunction,
)
from monitoring.designs.toxicity import ToxicityPlan, default_rates
from monitoring.errors import InputError
from monitoring.protocol import GroupSequentialRule, SimonRule
from monitoring.wording import counted

selection = current_trial()
protocol = selection.protocol
st.title("Design")
if isinstance(selection, EmptyTrial):  # the designs need no data: the page is whole
    awaiting.notice(selection.awaiting)
assumed = protocol.assumptions()
if assumed:  # above the tabs: the page never hides that a number is assumed
    st.warning(
        f"{len(assumed)} of {counted(len(protocol.rules), 'rule')} "
        f"{'uses' if len(assumed) == 1 else 'use'} numbers the trial's documents "
        "do not give: the protocol file marks them as ASSUMED ("
        + "; ".join(vocabulary.rule_name(r, protocol) for r in protocol.rules if r.assumption)
        + "). Each rule's 'Assumed' sentence is under 'Rules and assumed numbers'; "
        "docs/methods.md argues them with their sources."
    )
simon_tab, tox_tab, gs_tab, audit_tab, rules_tab = st.tabs(
    [
        "Simon two-stage",
        "Toxicity (Thall–Simon–Estey)",
        "Group-sequential (Lan–DeMets)",
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

FAMILIES = [f.value for f in SpendingFamily]
FAMILY_WORDS = {"obrien_fleming": "O'Brien–Fleming type", "pocock": "Pocock type"}
FAMILY_WORDS |= {"hsd": "Hwang–Shih–DeCani (γ)", "none": "none"}


def _spending(family: str, gamma: float) -> SpendingFunction | None:
    if family == "none":
        return None
    return SpendingFunction(SpendingFamily(family), gamma if family == "hsd" else None)


with gs_tab:
    gs = next((r for r in protocol.efficacy if isinstance(r, GroupSequentialRule)), None)
    st.caption(
        "One-sided log-rank comparison with Lan–DeMets alpha spending and optional "
        "non-binding beta-spending futility, rpact's conventions; events by Schoenfeld's "
        "formula. "
        + (
            f"Defaults: the protocol's rule ({vocabulary.rule_name(gs, protocol)})."
            if gs
            else "This protocol has no group-sequential rule: generic defaults."
        )
    )
    gs_cols1 = st.columns(4)
    gs_alpha = gs_cols1[0].number_input(
        "One-sided alpha", 0.001, 0.25, gs.alpha if gs else 0.025, format="%.4f", key=Key.GS_ALPHA
    )
    gs_power = gs_cols1[1].number_input(
        "Power", 0.51, 0.99, gs.power if gs else 0.8, format="%.3f", key=Key.GS_POWER
    )
    gs_hr = gs_cols1[2].number_input(
        "Design hazard ratio", 0.05, 5.0, gs.hazard_ratio if gs else 0.7, key=Key.GS_HR
    )
    gs_allocation = gs_cols1[3].number_input(
        "Allocation (experimental : control)",
        0.1,
        10.0,
        gs.allocation_ratio if gs else 1.0,
        key=Key.GS_ALLOCATION,
    )
    gs_cols2 = st.columns(5)
    eff_family = gs_cols2[0].selectbox(
        "Efficacy (alpha) spending",
        FAMILIES,
        index=FAMILIES.index(gs.efficacy_spending if gs else "obrien_fleming"),
        format_func=FAMILY_WORDS.__getitem__,
        key=Key.GS_EFFICACY,
    )
    eff_gamma = gs_cols2[1].number_input(
        "γ (efficacy, HSD)",
        -40.0,
        40.0,
        (gs.efficacy_gamma if gs else None) or -4.0,
        disabled=eff_family != "hsd",
        key=Key.GS_EFFICACY_GAMMA,
    )
    fut_family = gs_cols2[2].selectbox(
        "Futility (beta) spending, non-binding",
        [*FAMILIES, "none"],
        index=[*FAMILIES, "none"].index(gs.futility_spending if gs else "none"),
        format_func=FAMILY_WORDS.__getitem__,
        key=Key.GS_FUTILITY,
    )
    fut_gamma = gs_cols2[3].number_input(
        "γ (futility, HSD)",
        -40.0,
        40.0,
        (gs.futility_gamma if gs else None) or -2.0,
        disabled=fut_family != "hsd",
        key=Key.GS_FUTILITY_GAMMA,
    )
    fractions_text = gs_cols2[4].text_input(
        "Information fractions",
        ", ".join(f"{t:g}" for t in (gs.information_fractions if gs else (0.5, 1.0))),
        key=Key.GS_FRACTIONS,
    )
    try:
        fractions = tuple(float(x) for x in fractions_text.replace(" ", "").split(","))
        spec = DesignSpec(
            float(gs_alpha),
            fractions,
            SpendingFunction(
                SpendingFamily(eff_family), float(eff_gamma) if eff_family == "hsd" else None
            ),
            1.0 - float(gs_power),
            _spending(fut_family, float(fut_gamma)),
        )
        with st.spinner("Computing boundaries and crossing probabilities…"):
            gs_design, gs_events, z_chart, hr_chart = cache.group_sequential_explorer(
                spec, float(gs_hr), float(gs_allocation)
            )
    except ValueError as error:  # InputError subclasses; a fraction that is not a number
        st.error(f"Not a design: {error}")
    else:
        gs_cols3 = st.columns(5)
        gs_cols3[0].metric("Planned events", f"{gs_events.max_events:.1f}")
        gs_cols3[1].metric("Fixed-design events", f"{gs_events.fixed_events:.1f}")
        gs_cols3[2].metric("Power", f"{gs_design.power[-1]:.3f}")
        gs_cols3[3].metric("Expected events under H1", f"{gs_events.expected_events_h1:.1f}")
        gs_cols3[4].metric("Expected events under H0", f"{gs_events.expected_events_h0:.1f}")
        st.caption(
            f"Maximum information {gs_design.inflation_factor:.4f} times the fixed design's; "
            "expected events count stops for efficacy and for futility (rpact's "
            "expectedEventsH1 and expectedEventsH0). HR bounds: the hazard ratio at which "
            "the log-rank z after the look's events reaches the bound."
        )
        components.table(
            tables.group_sequential_frame(gs_design, gs_events), "Group-sequential design"
        )
        left, right = st.columns(2)
        with left:
            components.chart(z_chart, "Group-sequential boundaries z")
        with right:
            components.chart(hr_chart, "Group-sequential boundaries HR")
        gamma = f" --gamma {eff_gamma:g}" if eff_family == "hsd" else ""
        if fut_family == "hsd":
            gamma += f" --futility-gamma {fut_gamma:g}"
        components.reproduce(
            f"python -m monitoring design group-sequential --alpha {gs_alpha:g} --spending "
            f"{eff_family}{gamma} --fractions {','.join(f'{t:g}' for t in fractions)} "
            f"--beta {1 - gs_power:g} --futility-spending {fut_family} --hazard-ratio "
            f"{gs_hr:g} --allocation-ratio {gs_allocation:g} --json"
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
