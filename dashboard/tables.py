"""Display tables built from result dataclasses (formatting only, no arithmetic)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from monitoring.analyses.conduct import Accrual, BaselineTable, Deaths, Exposure
from monitoring.analyses.mrd import MrdListing
from monitoring.analyses.randomization import CountTable, RandomizationListing
from monitoring.analyses.response import BestResponseTable, ResponseSummary, RuleRates
from monitoring.analyses.safety import AeTable, RowLevel
from monitoring.analyses.safety_listings import AeListing, DeathListing
from monitoring.analyses.treatment import Distribution
from monitoring.data_quality import Finding
from monitoring.designs.group_sequential import (
    GroupSequentialDesign,
    SurvivalEvents,
    hazard_ratio_at,
)
from monitoring.designs.simon_search import SimonSearch
from monitoring.designs.toxicity import ToxicityDesign
from monitoring.designs.toxicity_audit import ToxicityAudit
from monitoring.estimates import RateEstimate
from monitoring.monitoring_log import log_rows, log_rules
from monitoring.series import SurvivalView, ToxicityPath
from monitoring.series.arm_comparison import ArmComparison
from monitoring.series.incidence import IncidenceView
from monitoring.status import TrialStatus


def _pct(value: float | None) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.1%}"


def _interval(low: float, high: float) -> str:
    """ "a – b"; a single dash where neither end is estimable (e.g. past the last follow-up)."""
    if not (math.isfinite(low) or math.isfinite(high)):
        return "—"
    return f"{_pct(low)} – {_pct(high)}"


def rates_frame(estimates: Sequence[RateEstimate]) -> pd.DataFrame:
    """Rates with the Bayesian credible and the exact (Clopper–Pearson) interval."""
    return pd.DataFrame(
        {
            "Rate": [e.label for e in estimates],
            "Patients": [f"{e.x} / {e.n}" for e in estimates],
            "Observed": [_pct(e.proportion) for e in estimates],
            "Posterior mean": [_pct(e.posterior_mean) for e in estimates],
            "Credible interval": [_interval(e.credible.low, e.credible.high) for e in estimates],
            "Exact interval (Clopper–Pearson)": [
                _interval(e.exact.low, e.exact.high) for e in estimates
            ],
            "Level": [f"{e.level:.0%}" for e in estimates],
            "Prior": [f"Beta({e.prior.a:g}, {e.prior.b:g})" for e in estimates],
        }
    )


def response_rates_frame(summary: ResponseSummary) -> pd.DataFrame:
    """Each response definition of the protocol among evaluable, then among treated
    patients, with both intervals (the numbers of ``monitoring.analyses.response``)."""
    rates = (summary.remission, summary.response)
    estimates = [r.among_evaluable for r in rates] + [r.among_treated for r in rates]
    frame = rates_frame(estimates)
    among = ["evaluable"] * len(rates) + ["treated (pending = not yet)"] * len(rates)
    frame.insert(1, "Among", among)
    return frame


def rule_rates_frame(rates: RuleRates) -> pd.DataFrame:
    """A rule's endpoint rates among evaluable, then among treated patients, both intervals."""
    estimates = [r.among_evaluable for r in rates.rates] + [r.among_treated for r in rates.rates]
    frame = rates_frame(estimates)
    among = ["evaluable"] * len(rates.rates) + ["treated (pending = not yet)"] * len(rates.rates)
    frame.insert(1, "Among", among)
    return frame


def mrd_listing_frame(listing: MrdListing) -> pd.DataFrame:
    """MRD results per patient: date, method, value, thresholds, negative yes/no."""
    rows = listing.rows
    return pd.DataFrame(
        {
            "Patient": [r.patient_id for r in rows],
            "Sample date": [r.sample_date.isoformat() for r in rows],
            "Method": [r.method for r in rows],
            "Time point": [r.timepoint or "" for r in rows],
            "MRD %": [f"{r.value_pct:g}" for r in rows],
            "Assay threshold %": ["" if r.assay_pct is None else f"{r.assay_pct:g}" for r in rows],
            "Negative below %": [f"{r.threshold_pct:g}" for r in rows],
            "Negative": ["yes" if r.negative else "no" for r in rows],
        }
    )


def best_response_frame(table: BestResponseTable) -> pd.DataFrame:
    """Best overall response: each category in protocol order, count and share of treated."""
    rows = table.rows
    return pd.DataFrame(
        {
            "Best response": [r.category for r in rows],
            "Patients": [f"{r.estimate.x} / {r.estimate.n}" for r in rows],
            "Observed": [_pct(r.estimate.proportion) for r in rows],
            "Credible interval": [
                _interval(r.estimate.credible.low, r.estimate.credible.high) for r in rows
            ],
            "Exact interval (Clopper–Pearson)": [
                _interval(r.estimate.exact.low, r.estimate.exact.high) for r in rows
            ],
        }
    )


def _text(value: object) -> str:
    if value is None:
        return "—"
    return str(getattr(value, "value", value)).replace("_", " ")


def monitoring_log_frame(status: TrialStatus) -> pd.DataFrame:
    """Every scheduled look, reached or not, with each rule's decision and counts on the day
    it was reached (``monitoring.monitoring_log``)."""
    rows = log_rows(status)
    frame: dict[str, list[object]] = {
        "Look": [r.number for r in rows],
        "Patients": [r.evaluable for r in rows],
        "Reached on": [_text(r.reached_on) for r in rows],
    }
    for i, name in enumerate(log_rules(status)):
        frame[name] = [r.cells[i] or "—" for r in rows]
    frame["Summary"] = [r.summary for r in rows]
    return pd.DataFrame(frame)


def toxicity_looks_frame(path: ToxicityPath) -> pd.DataFrame:
    """Each interim look: boundary, events and the posterior probability once reached."""
    return pd.DataFrame(
        {
            "Look (evaluable patients)": [lk.n for lk in path.looks],
            "Stop if events ≥": [_text(lk.stop_at) for lk in path.looks],
            "Reached": ["yes" if lk.reached else "no" for lk in path.looks],
            "Events": [_text(lk.events) for lk in path.looks],
            f"Pr(p > {path.threshold:g} | data)": [
                "—" if lk.posterior_prob is None else f"{lk.posterior_prob:.4f}"
                for lk in path.looks
            ],
            "Crossed": ["STOP" if lk.crossed else "no" for lk in path.looks],
        }
    )


def _months(days: float | None, per_month: float) -> str:
    if days is None or not math.isfinite(days):
        return "not reached"
    return f"{days / per_month:.1f}"


def survival_frame(view: SurvivalView) -> pd.DataFrame:
    """Median with its CI (months) and landmark survival with CI, per curve."""
    per_month = view.days_per_month
    rows = []
    for curve in view.curves:
        m = curve.fit.median
        rows.append(
            {
                "Curve": curve.label,
                "Patients": curve.fit.n,
                "Events": curve.fit.events,
                "Median (months)": _months(m.time, per_month),
                "95% CI (months)": f"{_months(m.lower, per_month)} – {_months(m.upper, per_month)}",
            }
        )
    return pd.DataFrame(rows)


def landmark_frame(view: SurvivalView) -> pd.DataFrame:
    """The protocol's landmarks (months) on the overall curve."""
    s = view.summary.landmarks
    return pd.DataFrame(
        {
            "Landmark (months)": [f"{m:g}" for m in view.summary.landmark_months],
            "At risk": [int(v) for v in s.n_risk],
            "Survival": [_pct(float(v)) for v in s.survival],
            "95% CI": [
                _interval(float(lo), float(hi)) for lo, hi in zip(s.lower, s.upper, strict=True)
            ],
        }
    )


def _cell(rate: RateEstimate) -> str:
    """``x (p%) [low–high]``: patients, proportion and the credible interval."""
    return (
        f"{rate.x} ({_pct(rate.proportion)}) [{_interval(rate.credible.low, rate.credible.high)}]"
    )


def ae_table_frame(table: AeTable) -> pd.DataFrame:
    """An AE table: one row per any-event / category / term, one column per grade band."""
    labels = [
        "Any adverse event"
        if row.level is RowLevel.ANY
        else (row.category or "")
        if row.level is RowLevel.CATEGORY
        else f"    {row.term}"
        for row in table.rows
    ]
    frame = pd.DataFrame({"Category / term": labels})
    for i, band in enumerate(table.bands):
        frame[band.label] = [_cell(r.cells[i]) for r in table.rows]
    return frame


def ae_listing_frame(listing: AeListing) -> pd.DataFrame:
    """An AE listing, one row per event."""
    return pd.DataFrame(
        {
            "Patient": listing.patient_id,
            "Term": listing.term,
            "Category": listing.category,
            "Grade": listing.grade,
            "Onset": [_text(d) for d in listing.onset_date],
            "Day": [_text(d) for d in listing.onset_day],
            "Resolved": [_text(d) for d in listing.resolution_date],
            "Attribution": [_text(a) for a in listing.attribution],
            "Serious": [_text(v) for v in listing.serious],
            "Outcome": [_text(o) for o in listing.outcome],
        }
    )


def death_listing_frame(listing: DeathListing) -> pd.DataFrame:
    """Deaths with their cause and the day from first dose."""
    return pd.DataFrame(
        {
            "Patient": [r.patient_id for r in listing.rows],
            "Death": [_text(r.death_date) for r in listing.rows],
            "Day": [_text(r.days_from_first_dose) for r in listing.rows],
            "Cause": [_text(r.cause) for r in listing.rows],
        }
    )


def boundaries_frame(design: ToxicityDesign) -> pd.DataFrame:
    """Stopping boundaries with the posterior probability at and below each."""
    rows = design.boundaries.interim
    return pd.DataFrame(
        {
            "Look (patients)": [b.n for b in rows],
            "Stop if events ≥": [_text(b.stop_at) for b in rows],
            "Pr(p > t) at the boundary": [
                "—" if b.posterior_at_stop is None else f"{b.posterior_at_stop:.4f}" for b in rows
            ],
            "Pr(p > t) one event below": [
                "—" if b.posterior_below is None else f"{b.posterior_below:.4f}" for b in rows
            ],
        }
    )


def _z(value: float | None) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.3f}"


def _hr(z: float | None, events: float, allocation: float) -> str:
    if z is None or not math.isfinite(z):
        return "—"
    return f"{hazard_ratio_at(z, events, allocation):.3f}"


def group_sequential_frame(design: GroupSequentialDesign, events: SurvivalEvents) -> pd.DataFrame:
    """A design's looks: planned events, bounds on the z and HR scales, nominal p, alpha
    spent and the probabilities of first crossing each bound there (rpact's summary)."""
    looks = design.looks
    a = events.allocation_ratio
    d = events.events_per_look
    return pd.DataFrame(
        {
            "Look": [k + 1 for k in range(len(looks))],
            "Fraction": [f"{lk.fraction:.3f}" for lk in looks],
            "Events": [f"{x:.1f}" for x in d],
            "Efficacy z": [_z(lk.z_efficacy) for lk in looks],
            "Efficacy HR": [_hr(lk.z_efficacy, x, a) for lk, x in zip(looks, d, strict=True)],
            "Nominal p": [f"{lk.nominal_p_efficacy:.5f}" for lk in looks],
            "Alpha spent": [f"{lk.alpha_spent:.5f}" for lk in looks],
            "Futility z": [_z(lk.z_futility) for lk in looks],
            "Futility HR": [_hr(lk.z_futility, x, a) for lk, x in zip(looks, d, strict=True)],
            "Pr(efficacy) under H1": [f"{lk.efficacy_h1:.4f}" for lk in looks],
            "Pr(futility) under H1": [
                "—" if lk.z_futility is None else f"{lk.futility_h1:.4f}" for lk in looks
            ],
            "Pr(efficacy) under H0": [f"{lk.efficacy_h0:.5f}" for lk in looks],
            "Pr(futility) under H0": [
                "—" if lk.z_futility is None else f"{lk.futility_h0:.4f}" for lk in looks
            ],
        }
    )


def oc_frame(design: ToxicityDesign) -> pd.DataFrame:
    """Exact operating characteristics by true rate."""
    return pd.DataFrame(
        {
            "True rate": [f"{oc.rate:g}" for oc in design.oc],
            "Pr(stop early)": [f"{oc.stop_prob:.4f}" for oc in design.oc],
            "Expected patients": [f"{oc.mean_n:.2f}" for oc in design.oc],
            "25th percentile": [oc.p25 for oc in design.oc],
            "75th percentile": [oc.p75 for oc in design.oc],
        }
    )


def audit_frame(audit: ToxicityAudit) -> pd.DataFrame:
    """Printed OC numbers of the protocol beside the exact ones."""
    return pd.DataFrame(
        {
            "True rate": [f"{c.rate:g}" for c in audit.oc_checks],
            "Pr(stop) printed": [f"{c.stop_prob.printed:g}" for c in audit.oc_checks],
            "Pr(stop) exact": [f"{c.stop_prob.computed:.4f}" for c in audit.oc_checks],
            "Mean N printed": [f"{c.mean_n.printed:g}" for c in audit.oc_checks],
            "Mean N exact": [f"{c.mean_n.computed:.2f}" for c in audit.oc_checks],
            "Matches": ["yes" if c.matches else "NO" for c in audit.oc_checks],
        }
    )


def simon_frame(found: SimonSearch) -> pd.DataFrame:
    """Admissible designs (minimax to optimal) with their exact characteristics."""
    rows = found.admissible
    return pd.DataFrame(
        {
            "Kind": [a.kind.value.replace("_", " and ") for a in rows],
            "r1/n1": [f"{a.design.r1}/{a.design.n1}" for a in rows],
            "r/n": [f"{a.design.r}/{a.design.n}" for a in rows],
            "Alpha": [f"{a.design.alpha:.4f}" for a in rows],
            "Power": [f"{a.design.power:.4f}" for a in rows],
            "PET(p0)": [f"{a.design.pet0:.4f}" for a in rows],
            "EN(p0)": [f"{a.design.en0:.2f}" for a in rows],
            "Best for q in": [f"[{a.q_low:.3f}, {a.q_high:.3f}]" for a in rows],
        }
    )


ACRONYMS = {"ae": "AE", "hsct": "HSCT"}


def finding_words(kind: str) -> str:
    """A data-quality finding kind in words ("unresolved_severe_ae" -> "unresolved severe
    AE"): the code's underscores as spaces, its acronyms in capitals."""
    return " ".join(ACRONYMS.get(w, w) for w in kind.split("_"))


def quality_frame(findings: Sequence[Finding]) -> pd.DataFrame:
    """Data-quality findings, one row each (warnings first, as the library sorts them)."""
    return pd.DataFrame(
        {
            "Severity": [f.severity.value for f in findings],
            "Finding": [finding_words(f.kind.value) for f in findings],
            "Patient": [f.patient_id for f in findings],
            "Table": [f.table for f in findings],
            "Column": [f.column for f in findings],
            "Date": [f.day.isoformat() for f in findings],
            "Detail": [f.message for f in findings],
        }
    )


def count_frame(table: CountTable) -> pd.DataFrame:
    """A randomization table (``monitoring.analyses.randomization``): rows indented by level,
    a factor's header row blank in the count columns."""
    data: dict[str, list[str]] = {"": ["\u2003" * r.indent + r.label for r in table.rows]}
    for i, column in enumerate(table.columns):
        data[column] = [str(r.counts[i]) if r.counts else "" for r in table.rows]
    return pd.DataFrame(data)


def randomization_listing_frame(listing: RandomizationListing) -> pd.DataFrame:
    """Randomization per patient; the arm columns only in a listing by arm."""
    data: dict[str, list[str]] = {"Patient": [r.patient_id for r in listing.rows]}
    if listing.by_arm:
        data["Arm assigned"] = [r.arm for r in listing.rows]
    data["Randomized on"] = [r.randomization_date for r in listing.rows]
    if listing.by_arm:
        data["Arm received"] = [r.arm_received or "none" for r in listing.rows]
    for j, factor in enumerate(listing.factors):
        data[factor] = [r.strata[j] for r in listing.rows]
    return pd.DataFrame(data)


def accrual_frame(accrual: Accrual) -> pd.DataFrame:
    """Months as rows, one column per site, then all sites, cumulative and planned."""
    months = accrual.months
    data: dict[str, list[object]] = {"Month": [m.month for m in months]}
    for i, site in enumerate(accrual.sites):
        data[site] = [m.by_site[i] for m in months]
    data["All sites"] = [m.total for m in months]
    data["Cumulative"] = [m.cumulative for m in months]
    if accrual.planned_per_month is not None:
        data["Planned (cumulative)"] = [
            "" if m.planned_cumulative is None else f"{m.planned_cumulative:g}" for m in months
        ]
    return pd.DataFrame(data)


def baseline_frame(table: BaselineTable) -> pd.DataFrame:
    """Characteristics as header rows, their statistics indented below."""
    data: dict[str, list[str]] = {"": ["\u2003" * r.indent + r.label for r in table.rows]}
    for i, (column, size) in enumerate(zip(table.columns, table.sizes, strict=True)):
        data[f"{column} (N = {size})"] = [r.cells[i] if r.cells else "" for r in table.rows]
    return pd.DataFrame(data)


def _median_range(d: Distribution, percent: bool = False) -> str:
    if d.median is None or d.minimum is None or d.maximum is None:
        return "—"
    if percent:
        return f"{d.median:.0%} ({d.minimum:.0%}–{d.maximum:.0%})"
    return f"{d.median:g} ({d.minimum:g}–{d.maximum:g})"


def exposure_frame(exposure: Exposure) -> pd.DataFrame:
    """One row per agent: patients, cycles, cumulative doses, intensity, changes."""
    return pd.DataFrame(
        {
            "Agent": [a.agent for a in exposure.agents],
            "Patients": [a.patients for a in exposure.agents],
            "Cycles given": [a.cycles for a in exposure.agents],
            "Planned (cumulative)": [f"{a.planned:g} {a.unit}".strip() for a in exposure.agents],
            "Given (cumulative)": [f"{a.given:g} {a.unit}".strip() for a in exposure.agents],
            "Relative dose intensity": [_pct(a.relative_intensity) for a in exposure.agents],
            "Per patient, median (range)": [
                _median_range(a.patient_intensity, percent=True) for a in exposure.agents
            ],
            "Patients delayed": [a.delayed for a in exposure.agents],
            "Patients reduced": [a.reduced for a in exposure.agents],
            "Omitted doses (patients)": [
                f"{a.omitted_cycles} ({a.omitted_patients})" for a in exposure.agents
            ],
        }
    )


def cycles_frame(exposure: Exposure) -> pd.DataFrame:
    total = sum(n for _, n in exposure.cycle_counts)
    return pd.DataFrame(
        {
            "Cycles received": [c for c, _ in exposure.cycle_counts],
            "Patients": [f"{n} ({n / total:.0%})" for _, n in exposure.cycle_counts],
        }
    )


def reasons_frame(exposure: Exposure) -> pd.DataFrame:
    return pd.DataFrame(
        {"Reason": [r for r, _ in exposure.reasons], "Cycles": [n for _, n in exposure.reasons]}
    )


def deaths_frame(deaths: Deaths) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Patient": [r.patient_id for r in deaths.rows],
            "Date of death": [r.death_date.isoformat() for r in deaths.rows],
            "Cause": [r.cause for r in deaths.rows],
            "Day from first dose": ["" if r.day is None else str(r.day) for r in deaths.rows],
            "Phase": [r.phase for r in deaths.rows],
        }
    )


def mortality_frame(deaths: Deaths) -> pd.DataFrame:
    rows = deaths.mortality
    return pd.DataFrame(
        {
            "By": [f"day {m.days}" for m in rows],
            "Deaths / patients": [f"{m.deaths} / {m.patients}" for m in rows],
            "Mortality": [_pct(m.proportion) for m in rows],
            "Exact 95% CI (Clopper–Pearson)": [_interval(m.exact.low, m.exact.high) for m in rows],
        }
    )


def _signed_months(days: float | None, per_month: float) -> str:
    return "—" if days is None else f"{days / per_month:+.1f}"


def _signed_pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1%}"


def arm_medians_frame(comparison: ArmComparison) -> pd.DataFrame:
    """Median per arm with its CI, and each arm's difference from the reference arm with
    its bootstrap interval (months)."""
    per_month = comparison.days_per_month
    versus = {c.arm.arm: c for c in comparison.comparisons}
    rows = []
    for arm in comparison.arms:
        m = arm.fit.median
        diff = versus.get(arm.arm)
        rows.append(
            {
                "Arm": f"{arm.arm}: {arm.label}",
                "Patients": arm.fit.n,
                "Events": arm.fit.events,
                "Median (months)": _months(m.time, per_month),
                "95% CI (months)": f"{_months(m.lower, per_month)} – {_months(m.upper, per_month)}",
                "Difference from reference (months)": "reference"
                if diff is None
                else _signed_months(diff.median.difference, per_month),
                "95% CI of the difference": "—"
                if diff is None or diff.median.difference is None
                else f"{_signed_months(diff.median.lower, per_month)} to "
                f"{_signed_months(diff.median.upper, per_month)}",
            }
        )
    return pd.DataFrame(rows)


def arm_landmarks_frame(comparison: ArmComparison) -> pd.DataFrame:
    """Survival per arm at each protocol landmark and the difference from the reference arm
    with its Wald interval (Greenwood variances)."""
    rows = []
    for c in comparison.comparisons:
        for month, d in zip(comparison.landmark_months, c.landmarks, strict=True):
            rows.append(
                {
                    "Comparison": f"{c.arm.arm} − {c.reference.arm}",
                    "Landmark (months)": f"{month:g}",
                    "Reference arm": f"{c.reference.arm}: {_pct(d.survival_a)}",
                    "Compared arm": f"{c.arm.arm}: {_pct(d.survival_b)}",
                    "Difference": _signed_pct(d.difference),
                    "95% CI of the difference": "—"
                    if d.lower is None or d.upper is None
                    else f"{_signed_pct(d.lower)} to {_signed_pct(d.upper)}",
                }
            )
    return pd.DataFrame(rows)


def _incidence(value: float | None, low: float | None, high: float | None) -> tuple[str, str]:
    if value is None:
        return "—", "—"
    if low is None or high is None:
        return _pct(value), "—"
    return _pct(value), f"{_pct(low)} – {_pct(high)}"


def incidence_frame(view: IncidenceView) -> pd.DataFrame:
    """Cumulative incidence of relapse and of death in remission at each landmark, per group."""
    rows = []
    for group in view.groups:
        for relapse, death in zip(group.relapse_at, group.death_at, strict=True):
            r, r_ci = _incidence(relapse.estimate, relapse.lower, relapse.upper)
            d, d_ci = _incidence(death.estimate, death.lower, death.upper)
            rows.append(
                {
                    "Group": group.label,
                    "In remission": group.n,
                    "Landmark (months)": f"{relapse.months:g}",
                    "Relapse": r,
                    "Relapse 95% CI": r_ci,
                    "Death in remission": d,
                    "Death in remission 95% CI": d_ci,
                }
            )
    return pd.DataFrame(rows)
