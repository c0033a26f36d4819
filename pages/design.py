"""Design: the toxicity and Simon design explorers and the audit of the loaded protocol."""

import streamlit as st

from dashboard import components, tables
from dashboard.keys import Key
from dashboard.selection import current
from monitoring.charts import toxicity_oc_figure
from monitoring.cli.design_toxicity import default_rates
from monitoring.designs.toxicity import ToxicityPlan, toxicity_design
from monitoring.designs.toxicity_audit import audit_toxicity_rule

selection = current()
protocol = selection.protocol
st.title("Design")
simon_tab, tox_tab, audit_tab = st.tabs(
    ["Simon two-stage", "Toxicity (Thall–Simon–Estey)", "Audit of this protocol"]
)

with simon_tab:
    rule = protocol.simon
    st.info(
        "The Simon design search (optimal, minimax and admissible designs) comes with the "
        "Simon design module (monitoring/designs/simon.py).",
        icon=":material/info:",
    )
    if rule is not None:
        st.markdown(
            f"**This protocol:** p0 = {rule.p0:g}, p1 = {rule.p1:g}; stage 1 r1/n1 = "
            f"{rule.r1}/{rule.n1}, overall r/n = {rule.r}/{rule.n} ({rule.design_type})."
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
    except ValueError as error:
        st.error(str(error))
    else:
        rates = default_rates(float(t))
        with st.spinner("Computing exact operating characteristics…"):
            design = toxicity_design(plan, rates)
        components.chart(toxicity_oc_figure(design), "Toxicity operating characteristics")
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
    for tox_rule in protocol.toxicity:
        audit = audit_toxicity_rule(tox_rule)
        verdict = "reproduced" if audit.matches else "NOT reproduced"
        st.subheader(f"{tox_rule.label}: printed tables {verdict}")
        for finding in audit.findings:
            st.markdown(f"- {finding}")
        components.table(tables.audit_frame(audit), f"Audit {tox_rule.id}")
    components.reproduce(f"python -m monitoring design audit --protocol {protocol.source}")
