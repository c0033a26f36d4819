"""The rules of the dose-finding, de-escalation and MRD-response kinds in one sentence
each, as the protocol states them (no data needed): the trial-without-data view, the
Design page and the report's methods print them."""

from __future__ import annotations

from monitoring.protocol import DeescalationRule, DoseFindingRule, MrdRule


def mrd_sentence(rule: MrdRule) -> str:
    return (
        f"MRD negativity by {rule.method} (MRD below {rule.threshold_pct:g} %) within "
        f"{rule.within_days} days of the first dose, Simon two-stage (p0 {rule.p0:g}, "
        f"p1 {rule.p1:g}): stop for futility if {rule.r1} or fewer of the first {rule.n1} "
        f"patients become MRD-negative; promising if more than {rule.r} of {rule.n} do."
    )


def dose_finding_sentence(rule: DoseFindingRule) -> str:
    levels = ", ".join(rule.levels)
    window = f"DLT window {rule.dlt_window_days} days ({rule.dlt_definition})"
    if rule.method == "boin":
        return (
            f"BOIN dose finding (Liu & Yuan 2015) over dose levels {levels}, starting at "
            f"{rule.start}: target DLT rate {rule.target:g}, cohorts of {rule.cohort_size}, "
            f"at most {rule.ncohort} cohorts; a dose with Pr(DLT rate > {rule.target:g}) > 0.95 "
            f"(3 or more patients) is eliminated with every higher dose; {window}."
        )
    return (
        f"3+3 dose escalation over dose levels {levels}, starting at {rule.start}: 0 of 3 "
        f"escalate, 1 of 3 expand to 6, 1 of 6 escalate, 2 or more DLTs de-escalate; the MTD "
        f"is the highest level with 6 treated and at most 1 DLT; {window}."
    )


def deescalation_sentence(rule: DeescalationRule) -> str:
    path = " → ".join(rule.levels)
    return (
        f"Dose de-escalation for excessive toxicity ({path}): at the current level, "
        f"{rule.deescalate_at} or more DLTs among up to {rule.patients_per_level} evaluable "
        f"patients de-escalate to the next level, or stop at the last; DLT window "
        f"{rule.dlt_window_days} days ({rule.dlt_definition})."
    )
