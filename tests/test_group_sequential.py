"""Group-sequential designs (Lan–DeMets spending) against rpact, and their properties.

Expected numbers come from ``tests/reference/group_sequential_reference.json``, written by
``Rscript tests/reference/group_sequential_reference.R`` with rpact 3.3.4 (R 4.2.2); that
script names every R call, e.g.

    d <- getDesignGroupSequential(kMax = 3, alpha = 0.025, beta = 0.2, sided = 1,
           informationRates = c(0.33, 0.67, 1), typeOfDesign = "asOF",
           typeBetaSpending = "bsOF", bindingFutility = FALSE)
    d$criticalValues   # 3.73066529319049 2.50387135893106 1.99370985478163
    d$futilityBounds   # -0.256533833197931 1.18314683949575
    getDesignCharacteristics(d)$shift   # 8.67319621559905

CI has no R: the tests only read the JSON. Tolerance 1e-6 absolute (the requirement); the
observed agreement is about 1e-8, rpact's own accuracy (its grid has 91 points and its root
finders a tolerance of 1e-8). Properties that need no R are checked against closed forms and
against an independent adaptive quadrature (scipy.integrate), including two looks only 0.01
apart in information, where rpact itself loses accuracy.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy.special import ndtr, ndtri
from scipy.stats import norm

from monitoring.designs.group_sequential import design as design_module
from monitoring.designs.group_sequential import integration
from monitoring.designs.group_sequential.design import (
    DesignSpec,
    compute_design,
    efficacy_bounds,
)
from monitoring.designs.group_sequential.look import LookDecision, evaluate_look, schedule
from monitoring.designs.group_sequential.spending import (
    GroupSequentialError,
    SpendingFamily,
    SpendingFunction,
)
from monitoring.designs.group_sequential.survival import planned_events

REFERENCE = Path(__file__).parent / "reference" / "group_sequential_reference.json"
DATA: dict[str, Any] = json.loads(REFERENCE.read_text())
ATOL = 1e-6

OF = SpendingFunction(SpendingFamily.OBRIEN_FLEMING)
POCOCK = SpendingFunction(SpendingFamily.POCOCK)


def _spending(case: dict[str, Any]) -> SpendingFunction:
    family = SpendingFamily(case["spending"])
    gamma = None if case["gamma"] == "NA" else float(case["gamma"])
    return SpendingFunction(family, gamma)


def _spec(case: dict[str, Any], fractions: list[float] | None = None) -> DesignSpec:
    spending = _spending(case)
    return DesignSpec(
        alpha=0.025,
        fractions=tuple(fractions if fractions is not None else case["fractions"]),
        efficacy=spending,
        beta=0.2,
        futility=spending if case["futility"] else None,
    )


def _id(case: dict[str, Any]) -> str:
    gamma = "" if case["gamma"] == "NA" else f"({case['gamma']})"
    fut = "+futility" if case["futility"] else ""
    return f"{case['spending']}{gamma}{fut}@{','.join(map(str, case['fractions']))}"


def test_reference_covers_the_required_cases() -> None:
    assert DATA["rpact_version"] == "3.3.4"
    seen = {
        (c["spending"], c["gamma"], c["futility"], len(c["fractions"])) for c in DATA["designs"]
    }
    for family, gamma in [("obrien_fleming", "NA"), ("pocock", "NA"), ("hsd", -4), ("hsd", 1)]:
        for futility in (False, True):
            assert (family, gamma, futility, 3) in seen
            assert (family, gamma, futility, 4) in seen
    assert [0.41, 0.58, 1] in [c["fractions"] for c in DATA["designs"]]


@pytest.mark.r_reference
@pytest.mark.parametrize("case", DATA["designs"], ids=_id)
def test_design_equals_rpact(case: dict[str, Any]) -> None:
    """getDesignGroupSequential + getDesignCharacteristics (see the R script)."""
    design = compute_design(_spec(case))
    looks = design.looks
    assert [lk.z_efficacy for lk in looks] == pytest.approx(case["critical_values"], abs=ATOL)
    assert [lk.alpha_spent for lk in looks] == pytest.approx(case["alpha_spent"], abs=ATOL)
    assert [lk.nominal_p_efficacy for lk in looks] == pytest.approx(case["stage_levels"], abs=ATOL)
    assert design.shift == pytest.approx(case["shift"], abs=ATOL)
    assert design.inflation_factor == pytest.approx(case["inflation_factor"], abs=ATOL)
    assert list(design.power) == pytest.approx(case["power"], abs=ATOL)
    assert [lk.efficacy_h1 for lk in looks] == pytest.approx(
        case["rejection_probabilities"], abs=ATOL
    )
    assert design.asn_h1 == pytest.approx(case["asn1"], abs=ATOL)
    assert design.asn_h01 == pytest.approx(case["asn01"], abs=ATOL)
    assert design.asn_h0 == pytest.approx(case["asn0"], abs=ATOL)
    if case["futility"]:
        assert design.futility_bounds == pytest.approx(case["futility_bounds"], abs=ATOL)
        assert [lk.beta_spent for lk in looks] == pytest.approx(case["beta_spent"], abs=ATOL)
        assert [lk.futility_h1 for lk in looks[:-1]] == pytest.approx(
            case["futility_probabilities"], abs=ATOL
        )
        assert looks[-1].z_futility is None
    else:
        assert design.futility_bounds is None
        assert all(lk.z_futility is None and lk.beta_spent is None for lk in looks)


@pytest.mark.r_reference
@pytest.mark.parametrize("case", DATA["designs"], ids=_id)
def test_survival_events_equal_rpact(case: dict[str, Any]) -> None:
    """getSampleSizeSurvival(d, hazardRatio = 0.7) and (0.75, allocationRatioPlanned = 2)."""
    design = compute_design(_spec(case))
    events = planned_events(design, 0.7)
    assert events.max_events == pytest.approx(case["events_hr07"], rel=1e-7)
    assert list(events.events_per_look) == pytest.approx(case["events_per_stage_hr07"], rel=1e-7)
    assert planned_events(design, 0.75, 2.0).max_events == pytest.approx(
        case["events_hr075_a2"], rel=1e-7
    )


@pytest.mark.r_reference
@pytest.mark.parametrize("case", DATA["looks"], ids=lambda c: f"{c['spending']}-{c['events']}")
def test_look_equals_rpact(case: dict[str, Any]) -> None:
    """Boundaries on the observed schedule, getAnalysisResults' conditional power and RCI."""
    spec = _spec({**case, "fractions": case["planned"]})
    events = (
        [float(e) for e in case["events"]]
        if isinstance(case["events"], list)
        else [float(case["events"])]
    )
    zs = case["z"] if isinstance(case["z"], list) else [case["z"]]
    got = evaluate_look(spec, case["max_events"], events, zs[-1], case["hr"], case["a"])
    assert list(got.design.spec.fractions) == pytest.approx(case["fractions"], abs=1e-12)
    assert list(got.design.critical_values) == pytest.approx(case["critical_values"], abs=ATOL)
    if case["futility"]:
        assert got.design.futility_bounds == pytest.approx(case["futility_bounds"], abs=ATOL)
    if case["final"]:
        assert got.conditional_power_design is None
        assert got.conditional_power_trend is None
    else:
        assert got.conditional_power_design == pytest.approx(
            case["conditional_power_design"], abs=ATOL
        )
        assert got.conditional_power_trend == pytest.approx(
            case["conditional_power_trend"], abs=ATOL
        )
    # the decision follows from rpact's bounds at this look
    k = len(events) - 1
    if zs[-1] >= case["critical_values"][k]:
        assert got.decision is LookDecision.EFFICACY
    elif case["final"]:
        assert got.decision is LookDecision.FINAL_NOT_SIGNIFICANT
    elif case["futility"] and zs[-1] <= case["futility_bounds"][k]:
        assert got.decision is LookDecision.FUTILITY
    else:
        assert got.decision is LookDecision.CONTINUE
    # rpact finds the RCI by root finding (tolerance 1e-8 on the p-value scale)
    assert got.rci_lower == pytest.approx(case["rci_lower"], abs=ATOL)
    assert got.rci_upper == pytest.approx(case["rci_upper"], abs=ATOL)


# ---------------------------------------------------------------- properties (no R needed)

SPENDINGS = [
    OF,
    POCOCK,
    SpendingFunction(SpendingFamily.HSD, -4.0),
    SpendingFunction(SpendingFamily.HSD, 1.0),
    SpendingFunction(SpendingFamily.HSD, 0.0),
]


@pytest.mark.parametrize("spending", SPENDINGS, ids=lambda s: s.label())
def test_spending_reaches_total_at_one_and_is_increasing(spending: SpendingFunction) -> None:
    assert spending.cumulative(0.025, 1.0) == pytest.approx(0.025, abs=1e-15)
    assert spending.cumulative(0.025, 0.0) == 0.0
    values = [spending.cumulative(0.025, t / 20) for t in range(21)]
    assert all(b > a for a, b in itertools.pairwise(values))


def test_spending_closed_forms() -> None:
    """rpact's formulas: asOF keeps alpha/2 inside even one-sided; asP; asHSD."""
    t = 0.4
    assert OF.cumulative(0.025, t) == pytest.approx(
        2 * (1 - norm.cdf(norm.ppf(1 - 0.0125) / math.sqrt(t))), rel=1e-13
    )
    assert POCOCK.cumulative(0.025, t) == pytest.approx(0.025 * math.log(1 + (math.e - 1) * t))
    hsd = SpendingFunction(SpendingFamily.HSD, -4.0)
    assert hsd.cumulative(0.025, t) == pytest.approx(
        0.025 * (1 - math.exp(4 * t)) / (1 - math.exp(4)), rel=1e-13
    )
    with pytest.raises(GroupSequentialError):
        SpendingFunction(SpendingFamily.HSD)
    with pytest.raises(GroupSequentialError):
        SpendingFunction(SpendingFamily.POCOCK, 1.0)


@pytest.mark.parametrize("spending", SPENDINGS, ids=lambda s: s.label())
@pytest.mark.parametrize("fractions", [(0.33, 0.67, 1.0), (0.2, 0.41, 0.58, 0.8, 1.0)])
def test_exit_probabilities_under_h0_sum_to_alpha(
    spending: SpendingFunction, fractions: tuple[float, ...]
) -> None:
    design = compute_design(DesignSpec(0.025, fractions, spending, 0.2, spending))
    exits = [lk.efficacy_h0 for lk in design.looks]
    assert sum(exits) == pytest.approx(0.025, abs=1e-10)
    increments = [
        b.alpha_spent - a
        for a, b in zip([0.0, *(lk.alpha_spent for lk in design.looks)], design.looks, strict=False)
    ]
    assert exits == pytest.approx(increments, abs=1e-10)
    # power at the drift is 1 - beta, whether or not futility stops are counted
    assert design.power[-1] == pytest.approx(0.8, abs=1e-9)


def test_obrien_fleming_bounds_decrease_and_match_lan_demets_values() -> None:
    """Four equal looks, one-sided 0.025: the Lan–DeMets OF-type bounds 4.333, 2.963,
    2.359, 2.014 (not the classical O'Brien–Fleming 4.049, 2.863, 2.337, 2.024)."""
    bounds = efficacy_bounds(0.025, (0.25, 0.5, 0.75, 1.0), OF)
    assert all(b < a for a, b in itertools.pairwise(bounds))
    assert [round(b, 3) for b in bounds] == [4.333, 2.963, 2.359, 2.014]


@pytest.mark.parametrize("spending", SPENDINGS, ids=lambda s: s.label())
def test_single_look_is_the_fixed_design(spending: SpendingFunction) -> None:
    design = compute_design(DesignSpec(0.025, (1.0,), spending, 0.2, spending))
    z_alpha, z_beta = -ndtri(0.025), -ndtri(0.2)
    assert design.critical_values == pytest.approx((z_alpha,), abs=1e-12)
    assert design.drift == pytest.approx(z_alpha + z_beta, abs=1e-10)
    assert design.inflation_factor == pytest.approx(1.0, abs=1e-10)
    assert design.looks[0].z_futility is None


def _two_look_exit(b1: float, b2: float, t1: float, t2: float, drift: float) -> float:
    """P(Z1 < b1, Z2 >= b2) by adaptive quadrature (independent of the library's grid)."""
    d = t2 - t1

    def integrand(u: float) -> float:
        mean = u * math.sqrt(t1) + drift * d
        return float(
            norm.pdf(u - drift * math.sqrt(t1)) * ndtr((mean - b2 * math.sqrt(t2)) / math.sqrt(d))
        )

    value, _ = integrate.quad(integrand, -12.0, b1, epsabs=1e-14, epsrel=1e-13, limit=200)
    return value


def _three_look_exit(b: tuple[float, float, float], t: tuple[float, float, float]) -> float:
    """P(Z1 < b1, Z2 < b2, Z3 >= b3) under H0 by nested adaptive quadrature."""
    t1, t2, t3 = t

    def inner(u: float) -> float:
        def g(v: float) -> float:
            p2 = norm.pdf((v * math.sqrt(t2) - u * math.sqrt(t1)) / math.sqrt(t2 - t1))
            p2 *= math.sqrt(t2 / (t2 - t1))
            tail = ndtr((v * math.sqrt(t2) - b[2] * math.sqrt(t3)) / math.sqrt(t3 - t2))
            return float(p2 * tail)

        value, _ = integrate.quad(g, -12.0, b[1], epsabs=1e-14, epsrel=1e-12, limit=400)
        return float(norm.pdf(u)) * value

    value, _ = integrate.quad(inner, -12.0, b[0], epsabs=1e-13, epsrel=1e-11, limit=400)
    return value


def test_close_looks_against_independent_quadrature() -> None:
    """Looks at 0.61 and 0.62: the bounds spend exactly the alpha increments when checked
    with scipy's adaptive quadrature (where rpact's fixed 91-point grid is inaccurate)."""
    fractions = (0.61, 0.62, 1.0)
    b = efficacy_bounds(0.025, fractions, OF)
    spent = [OF.cumulative(0.025, t) for t in fractions]
    assert 1 - ndtr(b[0]) == pytest.approx(spent[0], abs=1e-15)
    second = _two_look_exit(b[0], b[1], 0.61, 0.62, 0.0)
    assert second == pytest.approx(spent[1] - spent[0], abs=1e-11)
    third = _three_look_exit((b[0], b[1], b[2]), fractions)
    assert third == pytest.approx(0.025 - spent[1], abs=1e-10)


def test_drift_crossing_against_independent_quadrature() -> None:
    fractions = (0.41, 1.0)
    b = efficacy_bounds(0.025, fractions, POCOCK)
    got = integration.crossing_probabilities(fractions, b, [-math.inf, -math.inf], 2.7)
    assert got.upper[1] == pytest.approx(_two_look_exit(b[0], b[1], 0.41, 1.0, 2.7), abs=1e-12)


def test_doubling_the_nodes_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The grid's accuracy claim (integration docstring): twice the nodes, same design."""
    spec = DesignSpec(
        0.025, (0.2, 0.41, 0.58, 1.0), OF, 0.2, SpendingFunction(SpendingFamily.HSD, -4.0)
    )
    base = compute_design(spec)
    monkeypatch.setattr(integration, "NODES_PER_PANEL", 24)
    monkeypatch.setattr(integration, "PANEL_SCALE", 0.5)
    fine = compute_design(spec)
    assert fine.critical_values == pytest.approx(base.critical_values, abs=1e-10)
    assert fine.futility_bounds == pytest.approx(base.futility_bounds, abs=1e-10)
    assert fine.shift == pytest.approx(base.shift, abs=1e-10)


@pytest.mark.parametrize(
    "fractions",
    [(0.0, 1.0), (0.5, 0.5, 1.0), (0.3, 0.9), (0.6, 0.3, 1.0), (), (0.5, math.nan, 1.0)],
)
def test_bad_fractions_are_refused(fractions: tuple[float, ...]) -> None:
    with pytest.raises(GroupSequentialError):
        DesignSpec(0.025, fractions, OF)


def test_bad_error_rates_are_refused() -> None:
    with pytest.raises(GroupSequentialError):
        DesignSpec(0.6, (0.5, 1.0), OF)
    with pytest.raises(GroupSequentialError):
        DesignSpec(0.025, (0.5, 1.0), OF, beta=0.0)


# ---------------------------------------------------------------- looks

SPEC = DesignSpec(0.025, (0.33, 0.67, 1.0), OF, 0.2, OF)


def test_schedule_keeps_later_planned_looks_and_recomputes() -> None:
    fractions, final = schedule(SPEC.fractions, [110.0], 273.0, final=False)
    assert fractions == pytest.approx((110 / 273, 0.67, 1.0))
    assert not final
    # a late second look (0.70 > 0.67) is followed by the final look only
    fractions, _ = schedule(SPEC.fractions, [90.0, 191.0], 273.0, final=False)
    assert fractions == pytest.approx((90 / 273, 191 / 273, 1.0))
    # the final look spends all alpha at the events actually reached
    fractions, final = schedule(SPEC.fractions, [90.0, 180.0, 280.0], 273.0, final=False)
    assert final
    assert fractions == pytest.approx((90 / 280, 180 / 280, 1.0))
    with pytest.raises(GroupSequentialError):
        schedule(SPEC.fractions, [90.0, 80.0], 273.0, final=False)


@pytest.mark.parametrize(
    ("events", "z", "decision"),
    [
        ([90.0], 3.9, LookDecision.EFFICACY),
        ([90.0], 1.0, LookDecision.CONTINUE),
        ([90.0, 183.0], 1.0, LookDecision.FUTILITY),
        ([90.0, 183.0, 273.0], 1.9, LookDecision.FINAL_NOT_SIGNIFICANT),
        ([90.0, 183.0, 273.0], 2.0, LookDecision.EFFICACY),
    ],
)
def test_decision_and_rci_agree(events: list[float], z: float, decision: LookDecision) -> None:
    """The RCI excludes HR = 1 exactly when the efficacy bound is crossed."""
    got = evaluate_look(SPEC, 273.0, events, z, 0.7)
    assert got.decision is decision
    assert (got.rci_upper < 1.0) == (decision is LookDecision.EFFICACY)
    assert got.rci_lower < got.hazard_ratio < got.rci_upper
    assert got.hazard_ratio == pytest.approx(math.exp(-z * 2 / math.sqrt(events[-1])))
    assert got.sentence.startswith(f"Look {len(events)} at ")
    if decision is LookDecision.FINAL_NOT_SIGNIFICANT or len(events) == 3:
        assert got.conditional_power_design is None
    else:
        assert got.conditional_power_design is not None


def test_conditional_power_rises_with_z_and_with_the_assumed_effect() -> None:
    low = evaluate_look(SPEC, 273.0, [120.0], 0.5, 0.7)
    high = evaluate_look(SPEC, 273.0, [120.0], 2.0, 0.7)
    assert low.conditional_power_design is not None
    assert high.conditional_power_design is not None
    assert high.conditional_power_design > low.conditional_power_design
    # the current trend at z = 0.5 (HR ~ 0.91) is weaker than the design HR 0.7
    assert low.conditional_power_trend is not None
    assert low.conditional_power_trend < low.conditional_power_design


def test_sentence_says_non_binding_futility() -> None:
    got = evaluate_look(SPEC, 273.0, [90.0, 183.0], 0.5, 0.7)
    assert got.decision is LookDecision.FUTILITY
    assert "non-binding" in got.sentence
    assert "may stop" in got.sentence


def test_reweighted_h0_densities_give_the_direct_drift(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without futility the drift is solved on reweighted H0 sub-densities (likelihood
    ratio); the direct propagation under each drift gives the same drift."""
    spec = DesignSpec(0.025, (0.2, 0.41, 0.58, 1.0), POCOCK)
    fast = compute_design(spec)
    monkeypatch.setattr(design_module, "_TILT_LIMIT", -math.inf)
    direct = compute_design(spec)
    assert fast.drift == pytest.approx(direct.drift, abs=1e-10)


def test_very_close_looks_with_capped_panels(monkeypatch: pytest.MonkeyPatch) -> None:
    """Looks 0.0005 apart hit the panel cap (integration.MAX_PANELS); the bounds do not move
    when the cap is tripled, and the H0 exits still sum to alpha."""
    fractions = (0.5, 0.5005, 1.0)
    capped = efficacy_bounds(0.025, fractions, OF)
    monkeypatch.setattr(integration, "MAX_PANELS", 600)
    finer = efficacy_bounds(0.025, fractions, OF)
    assert finer == pytest.approx(capped, abs=1e-12)
    exits = integration.crossing_probabilities(fractions, capped, [-math.inf] * 3, 0.0).upper
    assert sum(exits) == pytest.approx(0.025, abs=1e-12)


def test_final_sentence_says_significant_not_may_stop() -> None:
    got = evaluate_look(SPEC, 273.0, [90.0, 185.0, 280.0], 2.1, 0.7)
    assert got.final
    assert got.decision is LookDecision.EFFICACY
    assert "significant at the final analysis" in got.sentence
    assert "may stop" not in got.sentence


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    cuts=st.lists(st.floats(0.05, 0.95), min_size=1, max_size=4, unique=True),
    family=st.sampled_from([*SPENDINGS[:4]]),
    futility=st.booleans(),
)
def test_random_schedules_keep_alpha_and_power(
    cuts: list[float], family: SpendingFunction, futility: bool
) -> None:
    """Any schedule (looks at least 0.02 apart): H0 exits sum to alpha, the power at the
    drift is 1 - beta, futility bounds lie below the efficacy bounds they precede."""
    fractions = (*sorted(round(c, 2) for c in cuts), 1.0)
    assume(all(b - a >= 0.02 for a, b in itertools.pairwise(fractions)))
    design = compute_design(DesignSpec(0.025, fractions, family, 0.2, family if futility else None))
    assert sum(lk.efficacy_h0 for lk in design.looks) == pytest.approx(0.025, abs=1e-10)
    assert design.power[-1] == pytest.approx(0.8, abs=1e-9)
    assert design.inflation_factor >= 1.0 - 1e-9
    if futility:
        assert all(lk.z_futility < lk.z_efficacy for lk in design.looks[:-1])
        assert design.looks[-1].beta_spent == pytest.approx(0.2, abs=1e-9)


# --- expected events ---------------------------------------------------------------------------


@pytest.mark.r_reference
@pytest.mark.parametrize("case", DATA["designs"], ids=_id)
def test_expected_events_equal_rpact_and_the_crossing_probabilities(case: dict[str, Any]) -> None:
    """Expected events at HR 0.7: rpact's expected information (``averageSampleNumber1``,
    ``0``, relative to the fixed design) times rpact's fixed-design events
    (``maxNumberOfEvents / inflationFactor``); and, independently of the expected-information
    code, under H1 the sum over looks of the events there times the probability of first
    crossing either bound there (the design's per-look crossing probabilities), the rest
    reaching the last look."""
    design = compute_design(_spec(case))
    events = planned_events(design, 0.7)
    fixed = case["events_hr07"] / case["inflation_factor"]
    assert events.expected_events_h1 == pytest.approx(case["asn1"] * fixed, rel=1e-6)
    assert events.expected_events_h0 == pytest.approx(case["asn0"] * fixed, rel=1e-6)
    stops = [lk.efficacy_h1 + lk.futility_h1 for lk in design.looks[:-1]]
    by_look = sum(d * p for d, p in zip(events.events_per_look, stops, strict=False))
    by_look += events.max_events * (1.0 - sum(stops))
    assert events.expected_events_h1 == pytest.approx(by_look, rel=1e-10)
    assert events.expected_events_h1 <= events.max_events


@pytest.mark.parametrize("drift_of", ["h0", "h1"])
def test_expected_events_of_two_looks_by_hand(drift_of: str) -> None:
    """Two looks (t1 = 0.5) with futility: the trial stops at look 1 when Z1 >= b1 or
    Z1 <= a1, Z1 ~ N(theta sqrt(t1), 1), so E[D] = D (t1 p + 1 - p) with
    p = 1 - Phi(b1 - theta sqrt(t1)) + Phi(a1 - theta sqrt(t1)): a closed form."""
    design = compute_design(DesignSpec(0.025, (0.5, 1.0), OF, 0.2, POCOCK))
    events = planned_events(design, 0.6, 1.5)
    b1 = design.looks[0].z_efficacy
    a1 = design.looks[0].z_futility
    assert a1 is not None
    theta = 0.0 if drift_of == "h0" else design.drift
    mean = theta * math.sqrt(0.5)
    p = float(1.0 - ndtr(b1 - mean) + ndtr(a1 - mean))
    expected = events.max_events * (0.5 * p + 1.0 - p)
    got = events.expected_events_h0 if drift_of == "h0" else events.expected_events_h1
    assert got == pytest.approx(expected, rel=1e-10)


def test_hazard_ratio_at_a_bound_inverts_the_logrank_z() -> None:
    """z = -log(HR) sqrt(c d) with c = a / (1 + a)^2: at d = 100, a = 1, z = 1.96 the HR is
    exp(-1.96 / 5)."""
    from monitoring.designs.group_sequential import hazard_ratio_at

    assert hazard_ratio_at(1.96, 100.0) == pytest.approx(math.exp(-1.96 / 5.0), rel=1e-15)
    assert hazard_ratio_at(1.0, 90.0, 2.0) == pytest.approx(math.exp(-1.0 / math.sqrt(20)))
    assert hazard_ratio_at(math.inf, 10.0) == 0.0
