"""Dose finding: BOIN (Liu & Yuan 2015) and the 3+3 design (monitoring.designs.dose_finding).

Where the expected numbers come from:

- ``tests/reference/boin_reference.json``, written by ``Rscript tests/reference/boin_reference.R``
  with the R package BOIN 2.7.2 (R is not needed to run these tests). Each case records its
  exact R call (``get.boundary``, ``select.mtd``, ``get.oc``).
- Liu S, Yuan Y. Bayesian optimal interval designs for phase I clinical trials. J R Stat Soc
  C 2015;64(3):507-523, Table 1 (λe, λd to 3 decimals with φ1 = 0.6φ, φ2 = 1.4φ).
- The 3+3 rule table: Storer BE. Biometrics 1989;45:925-937; Le Tourneau C, Lee JJ, Siu LL.
  J Natl Cancer Inst 2009;101(10):708-720. The probability that a dose is passed is the
  textbook b(0;3,p) + b(1;3,p)·b(0;3,p).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.designs.dose_finding import (
    BoinDesign,
    Cohort,
    DoseData,
    DoseFindingError,
    OperatingCharacteristics,
    Recommendation,
    boin_boundaries,
    boin_next,
    boin_oc,
    boin_path,
    boundary_at,
    eliminated_doses,
    pava,
    select_mtd,
    three_plus_three_mtd,
    three_plus_three_next,
    three_plus_three_oc,
    three_plus_three_oc_simulated,
    three_plus_three_path,
)

REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "boin_reference.json").read_text(encoding="utf-8")
)
FAST = settings(max_examples=60, derandomize=True, deadline=None)


def _listed(value: Any) -> list[Any]:
    """jsonlite writes a length-1 R vector as a scalar."""
    return value if isinstance(value, list) else [value]


# --- BOIN boundaries -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "lambda_e", "lambda_d"),
    [
        (0.15, 0.118, 0.179),
        (0.20, 0.157, 0.238),
        (0.25, 0.197, 0.298),
        (0.30, 0.236, 0.358),
        (0.35, 0.276, 0.419),
        (0.40, 0.316, 0.479),
    ],
)
def test_lambdas_equal_liu_yuan_table_1(target: float, lambda_e: float, lambda_d: float) -> None:
    """The table prints 3 decimals, some rounded and some cut (0.3585 is printed 0.358,
    0.4797 as 0.479): each value lies within 0.001 of the printed one."""
    design = BoinDesign(target, ncohort=10, cohort_size=3)
    assert abs(design.lambda_e - lambda_e) < 1e-3
    assert abs(design.lambda_d - lambda_d) < 1e-3


@pytest.mark.parametrize("case", REFERENCE["boundaries"], ids=lambda c: c["name"])
def test_boundaries_equal_r_get_boundary(case: dict[str, Any]) -> None:
    """Every n from 1 to min(npts, n.earlystop) (``full_boundary_tab``) and the cohort ends
    (``boundary_tab``), plus the extra-safe stopping bound, equal R's ``case['call']``."""
    design = BoinDesign(
        case["target"],
        case["ncohort"],
        case["cohortsize"],
        n_earlystop=case["n_earlystop"],
        phi1=case["p_saf"],
        phi2=case["p_tox"],
        extrasafe=case["extrasafe"],
    )
    result = boin_boundaries(design)
    assert result.lambda_e == pytest.approx(case["lambda_e"], rel=1e-13)
    assert result.lambda_d == pytest.approx(case["lambda_d"], rel=1e-13)
    for rows, ref in ((result.full, case["full"]), (result.table, case["table"])):
        assert [b.n for b in rows] == _listed(ref["n"])
        assert [b.escalate_if_at_most for b in rows] == _listed(ref["escalate"])
        assert [b.deescalate_if_at_least for b in rows] == _listed(ref["deescalate"])
        assert [b.eliminate_if_at_least for b in rows] == _listed(ref["eliminate"])
    if case["extrasafe"]:
        stops = _listed(case["stop_boundary"]["stop"])
        assert [b.stop_if_at_least for b in result.full] == stops[: len(result.full)]


def test_default_table_target_030() -> None:
    """The 10-cohorts-of-3 table at target 0.3 as BOIN prints it (get.boundary(0.3, 10, 3))."""
    table = boin_boundaries(BoinDesign(0.3, 10, 3)).table
    assert [b.n for b in table] == [3, 6, 9, 12, 15, 18, 21, 24, 27, 30]
    assert [b.escalate_if_at_most for b in table] == [0, 1, 2, 2, 3, 4, 4, 5, 6, 7]
    assert [b.deescalate_if_at_least for b in table] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert [b.eliminate_if_at_least for b in table] == [3, 4, 5, 7, 8, 9, 10, 11, 12, 14]


@FAST
@given(st.sampled_from([0.2, 0.25, 0.3, 0.33, 0.4]), st.integers(1, 60))
def test_boundaries_monotone_in_n(target: float, n: int) -> None:
    """One more patient never lowers a boundary, and escalate < de-escalate <= eliminate."""
    design = BoinDesign(target, 30, 3)
    here, more = boundary_at(design, n), boundary_at(design, n + 1)
    assert here.escalate_if_at_most <= more.escalate_if_at_most
    assert here.deescalate_if_at_least <= more.deescalate_if_at_least
    assert here.escalate_if_at_most < here.deescalate_if_at_least
    if here.eliminate_if_at_least is not None:
        assert more.eliminate_if_at_least is not None
        assert here.eliminate_if_at_least <= more.eliminate_if_at_least
        assert here.deescalate_if_at_least <= here.eliminate_if_at_least


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"target": 0.7}, "target"),
        ({"target": 0.3, "phi1": 0.29}, "phi1"),
        ({"target": 0.3, "phi2": 0.31}, "phi2"),
        ({"target": 0.3, "offset": 0.5}, "offset"),
    ],
)
def test_design_refuses_what_get_boundary_refuses(kwargs: dict[str, Any], word: str) -> None:
    with pytest.raises(DoseFindingError, match=word):
        BoinDesign(ncohort=10, cohort_size=3, **kwargs)


# --- BOIN MTD selection ----------------------------------------------------------------


def test_select_mtd_equals_r_on_every_reference_case() -> None:
    """MTD, isotonic estimates (1e-9: R's Iso::pava sums in another order) and the
    two-decimal table of ``select.mtd`` for 166 data sets × extrasafe × boundMTD."""
    cases = REFERENCE["selections"]
    assert len(cases) == 664
    for case in cases:
        got = select_mtd(
            case["target"],
            case["n"],
            case["y"],
            extrasafe=case["extrasafe"],
            bound_mtd=case["boundMTD"],
        )
        assert (None if got.mtd is None else got.mtd + 1) == case["mtd"], case["call"]
        fitted = [v for v in got.isotonic if v is not None]
        assert fitted == pytest.approx(_listed(case["isotonic"]), abs=1e-9), case["call"]
        shown = ["----" if v is None else f"{v:.2f}" for v in got.isotonic]
        assert shown == _listed(case["phat"]), case["call"]


def test_select_mtd_issue_example() -> None:
    """select.mtd(0.3, c(3, 6, 12, 9, 3), c(0, 1, 3, 5, 2))$MTD is 3 in R."""
    got = select_mtd(0.3, [3, 6, 12, 9, 3], [0, 1, 3, 5, 2])
    assert got.mtd == 2
    # 5 of 9 at dose 4: Pr(p > 0.3 | Beta(6, 5)) = 0.9527 > 0.95 removes doses 4 and 5.
    assert got.eliminated == (3, 4)


def test_ties_go_to_the_higher_dose_below_target_and_lower_above() -> None:
    """Pooled estimates tie; BOIN adds k·1e-10 to the k-th, so below the target the higher
    dose wins and above it the lower one (R: select.mtd(0.3, c(6,6,6,6,0), c(1,1,1,1,0))$MTD
    is 4; select.mtd(0.3, c(6,6,6,6,6), c(3,3,3,3,3))$MTD is 1 under extrasafe = FALSE)."""
    assert select_mtd(0.3, [6, 6, 6, 6, 0], [1, 1, 1, 1, 0]).mtd == 3
    assert select_mtd(0.3, [6, 6, 6, 6, 6], [3, 3, 3, 3, 3]).mtd == 0


def test_no_dose_selected_when_the_lowest_dose_is_too_toxic() -> None:
    """3 of 3 at dose 1: Pr(p > 0.3 | Beta(4, 1)) = 1 - 0.3^4 > 0.95."""
    got = select_mtd(0.3, [3, 0, 0], [3, 0, 0])
    assert got.mtd is None
    assert got.eliminated == (0, 1, 2)


@FAST
@given(
    st.lists(st.tuples(st.sampled_from([0, 3, 6, 9, 12]), st.floats(0, 1)), min_size=1, max_size=7),
    st.sampled_from([0.2, 0.25, 0.3]),
    st.booleans(),
)
def test_mtd_is_never_eliminated_nor_untreated(
    doses: list[tuple[int, float]], target: float, extrasafe: bool
) -> None:
    n = [count for count, _ in doses]
    y = [math.floor(share * count) for count, share in doses]
    got = select_mtd(target, n, y, extrasafe=extrasafe)
    gone = eliminated_doses(target, n, y, extrasafe=extrasafe)
    assert got.eliminated == gone
    if got.mtd is not None:
        assert got.mtd not in gone
        assert n[got.mtd] > 0
    fitted = [v for v in got.isotonic if v is not None]
    assert fitted == sorted(fitted)


def test_pava_pools_adjacent_violators() -> None:
    assert pava([1, 3, 2, 4]) == (1, 2.5, 2.5, 4)
    assert pava([3, 1], [1, 3]) == (1.5, 1.5)
    assert pava([0.5, 0.2, 0.1]) == pytest.approx((0.8 / 3,) * 3)


# --- BOIN decision for the next cohort -------------------------------------------------

DESIGN = BoinDesign(0.3, ncohort=10, cohort_size=3)


def _next(n: list[int], y: list[int], current: int, **kwargs: Any) -> Any:
    return boin_next(kwargs.pop("design", DESIGN), DoseData.of(n, y), current, **kwargs)


def test_boin_escalates_stays_and_deescalates_by_the_table() -> None:
    """Target 0.3, n = 3: escalate if 0 DLTs, stay if 1, de-escalate if 2, eliminate if 3."""
    up = _next([3, 0, 0], [0, 0, 0], 0)
    assert (up.recommendation, up.next_dose) == (Recommendation.ESCALATE, 1)
    assert up.reason == (
        "0 of 3 patients at dose 1 had a DLT, at most the escalation boundary (0): "
        "escalate to dose 2."
    )
    stay = _next([3, 3, 0], [0, 1, 0], 1)
    assert (stay.recommendation, stay.next_dose) == (Recommendation.STAY, 1)
    down = _next([3, 3, 0], [0, 2, 0], 1)
    assert (down.recommendation, down.next_dose) == (Recommendation.DEESCALATE, 0)
    assert down.eliminated == ()


def test_boin_eliminates_the_dose_and_every_higher_one() -> None:
    got = _next([3, 3, 0], [0, 3, 0], 1)
    assert got.recommendation is Recommendation.DEESCALATE
    assert got.eliminated == (1, 2)
    assert "eliminated" in got.reason
    row = got.table[1]
    assert (row.n, row.dlt, row.eliminated) == (3, 3, True)
    assert row.posterior_over_target == pytest.approx(1 - 0.3**4)
    # Back at dose 1 with 0 of 6, escalation is closed: stay.
    back = _next([6, 3, 0], [0, 3, 0], 0)
    assert back.recommendation is Recommendation.STAY
    assert "dose 2 is eliminated" in back.reason


def test_boin_stops_when_the_lowest_dose_is_eliminated() -> None:
    got = _next([3, 0, 0], [3, 0, 0], 0)
    assert got.recommendation is Recommendation.STOP
    assert got.mtd is None
    assert got.next_dose is None
    assert got.eliminated == (0, 1, 2)
    assert got.reason.endswith("no dose is selected.")


def test_boin_extrasafe_stops_earlier_at_the_lowest_dose() -> None:
    """6 of 12 at dose 1: Pr(p > 0.3 | Beta(7, 7)) = 0.9376, above 0.95 - 0.05, below 0.95."""
    safe = BoinDesign(0.3, 10, 3, extrasafe=True)
    assert _next([12, 0], [6, 0], 0).recommendation is Recommendation.STAY
    got = _next([12, 0], [6, 0], 0, design=safe)
    assert got.recommendation is Recommendation.STOP
    assert got.mtd is None
    assert "extra-safe" in got.reason


def test_boin_remembers_doses_eliminated_before() -> None:
    got = _next([6, 3, 0], [1, 0, 0], 1, eliminated=[2])
    assert got.recommendation is Recommendation.STAY
    assert got.eliminated == (2,)


def test_boin_stops_at_n_earlystop_when_the_rule_says_stay() -> None:
    """get.oc's early stop: n at the current dose >= n.earlystop and the decision is stay."""
    design = BoinDesign(0.3, 10, 3, n_earlystop=12)
    got = _next([3, 12, 0], [0, 3, 0], 1, design=design)
    assert got.recommendation is Recommendation.STOP
    assert got.mtd == 1
    assert "n.earlystop" in got.reason
    # Escalation still allowed: 2 of 12 <= floor(0.2365 * 12) = 2.
    assert _next([3, 12, 0], [0, 2, 0], 1, design=design).recommendation is (
        Recommendation.ESCALATE
    )


def test_boin_selects_the_mtd_at_the_maximum_sample_size() -> None:
    got = _next([3, 6, 12, 9, 0], [0, 1, 3, 5, 0], 3)
    assert got.recommendation is Recommendation.STOP
    assert got.mtd == 2
    assert got.mtd_label == "3"
    assert "dose 3 is selected as the MTD" in got.reason
    assert [r.isotonic is None for r in got.table] == [False] * 4 + [True]


@FAST
@given(st.integers(0, 3), st.integers(1, 8), st.data())
def test_boin_decision_follows_the_boundary_table(dose: int, cohorts: int, data: Any) -> None:
    n = 3 * cohorts
    y = data.draw(st.integers(0, n))
    counts = [6] * 4
    dlts = [1] * 4
    counts[dose], dlts[dose] = n, y
    design = BoinDesign(0.3, 100, 3)
    bound = boundary_at(design, n)
    got = boin_next(design, DoseData.of(counts, dlts), dose)
    gone = eliminated_doses(0.3, counts, dlts)
    if 0 in gone:
        assert got.recommendation is Recommendation.STOP
    elif dose in gone or (y >= bound.deescalate_if_at_least and dose > 0):
        assert got.recommendation is Recommendation.DEESCALATE
    elif y <= bound.escalate_if_at_most and dose < 3 and dose + 1 not in gone:
        assert got.recommendation is Recommendation.ESCALATE
    else:
        assert got.recommendation is Recommendation.STAY
    assert got.mtd is None or got.mtd not in got.eliminated


# --- BOIN operating characteristics against get.oc ------------------------------------

Z = 4.5
"""Tolerance in standard errors of a difference of two independent simulations. With 64
compared figures (4 cases × 16), Pr(any |Z| > 4.5) under agreement is below
64 × 6.8e-6 < 0.0005."""


@pytest.mark.parametrize("case", REFERENCE["oc"], ids=lambda c: c["call"])
def test_boin_oc_agrees_with_get_oc(case: dict[str, Any]) -> None:
    """Ours (10,000 trials, seed 2015) against R's ``case['call']`` (10,000 trials, seed 6).
    A proportion p differs by at most Z·sqrt(p(1-p)(1/N1 + 1/N2)) (pooled p); a mean by
    Z·s·sqrt(1/N1 + 1/N2), s our sample standard deviation; plus 1e-9 where the SE is 0."""
    design = BoinDesign(
        case["target"],
        case["ncohort"],
        case["cohortsize"],
        n_earlystop=case["n_earlystop"],
        extrasafe=case["extrasafe"],
    )
    ours = boin_oc(design, case["p_true"], trials=10_000, seed=2015)
    n1, n2 = ours.trials, case["ntrial"]
    assert n1 is not None
    assert ours.patients_se is not None
    assert ours.dlts_se is not None
    both = math.sqrt(1 / n1 + 1 / n2)

    def close_proportion(mine: float, theirs: float) -> bool:
        p = (mine * n1 + theirs * n2) / (n1 + n2)
        return abs(mine - theirs) <= Z * math.sqrt(p * (1 - p)) * both + 1e-9

    for mine, theirs in zip(ours.select, case["selpercent"], strict=True):
        assert close_proportion(mine, theirs / 100), (ours.select, case["selpercent"])
    assert close_proportion(ours.no_selection, case["percentstop"] / 100)
    for means, ses, theirs_list in (
        (ours.patients, ours.patients_se, case["npatients"]),
        (ours.dlts, ours.dlts_se, case["ntox"]),
    ):
        for mine, se, theirs in zip(means, ses, theirs_list, strict=True):
            sd = se * math.sqrt(n1)
            assert abs(mine - theirs) <= Z * sd * both + 1e-9, (means, theirs_list)


def test_boin_oc_is_reproducible_and_consistent() -> None:
    rates = [0.05, 0.15, 0.3, 0.45, 0.6]
    first = boin_oc(DESIGN, rates, trials=2_000, seed=11)
    assert first == boin_oc(DESIGN, rates, trials=2_000, seed=11)
    assert first != boin_oc(DESIGN, rates, trials=2_000, seed=12)
    assert sum(first.select) + first.no_selection == pytest.approx(1.0)
    assert first.total_patients <= DESIGN.npts
    assert first.method == "simulation"
    assert first.max_select_se is not None


# --- 3+3 -----------------------------------------------------------------------------


def _ttt(n: list[int], y: list[int], current: int, labels: list[str] | None = None) -> Any:
    return three_plus_three_next(DoseData.of(n, y, labels), current)


@pytest.mark.parametrize(
    ("n", "y", "current", "recommendation", "next_dose", "mtd"),
    [
        ([3, 0, 0], [0, 0, 0], 0, Recommendation.ESCALATE, 1, None),  # 0/3: escalate
        ([3, 3, 0], [0, 1, 0], 1, Recommendation.STAY, 1, None),  # 1/3: expand to 6
        ([3, 6, 0], [0, 1, 0], 1, Recommendation.ESCALATE, 2, None),  # 1/6: escalate
        ([3, 3, 0], [0, 2, 0], 1, Recommendation.DEESCALATE, 0, None),  # 2/3: expand below
        ([3, 6, 0], [0, 2, 0], 1, Recommendation.DEESCALATE, 0, None),  # 2/6: expand below
        ([6, 6, 0], [0, 2, 0], 1, Recommendation.STOP, None, 0),  # below holds 6: MTD
        ([6, 3, 0], [1, 2, 0], 0, Recommendation.STOP, None, 0),  # 1/6 below 2/3: MTD
        ([6, 3, 0], [2, 2, 0], 0, Recommendation.STOP, None, None),  # lowest too toxic
        ([3, 0, 0], [2, 0, 0], 0, Recommendation.STOP, None, None),  # 2/3 at the lowest
        ([3, 3, 3], [0, 0, 0], 2, Recommendation.STAY, 2, None),  # top: 0/3 -> confirm
        ([3, 3, 6], [0, 0, 1], 2, Recommendation.STOP, None, 2),  # top 1/6: MTD = top
        ([6, 3, 0], [0, 3, 0], 0, Recommendation.STOP, None, 0),  # back below, 0/6
        ([3, 3, 0], [0, 2, 0], 0, Recommendation.STAY, 0, None),  # 0/3 under a toxic level
    ],
)
def test_three_plus_three_rule_table(
    n: list[int],
    y: list[int],
    current: int,
    recommendation: Recommendation,
    next_dose: int | None,
    mtd: int | None,
) -> None:
    got = _ttt(n, y, current)
    assert (got.recommendation, got.next_dose, got.mtd) == (recommendation, next_dose, mtd)
    assert got.reason.count(".") == 1
    assert got.reason.endswith(".")


def test_three_plus_three_reasons_read_aloud() -> None:
    assert _ttt([3, 3, 0], [0, 1, 0], 1).reason == (
        "1 of 3 patients at dose 2 had a DLT: treat 3 more patients at dose 2."
    )
    assert _ttt([6, 6, 0], [0, 2, 0], 1).reason == (
        "2 of 6 patients at dose 2 had a DLT (2 or more), so dose 2 exceeds the MTD; "
        "dose 1 had 0 DLTs in 6 patients and is the MTD."
    )


def test_three_plus_three_mtd_from_data() -> None:
    assert three_plus_three_mtd(DoseData.of([6, 6, 3], [0, 1, 2])) == 1
    assert three_plus_three_mtd(DoseData.of([6, 3, 6], [0, 0, 2])) == 0
    assert three_plus_three_mtd(DoseData.of([3], [2])) is None


def test_three_plus_three_refuses_more_than_six_at_a_level() -> None:
    with pytest.raises(DoseFindingError, match="at most 6"):
        _ttt([9], [0], 0)


def test_deescalation_only_cohort_seed_000() -> None:
    """Seed 000 cohort 2: start at dose level 1, then -1, then -2 on excessive toxicity."""
    labels = ["-2", "-1", "1"]
    first = _ttt([0, 0, 3], [0, 0, 0], 2, labels)
    assert first.recommendation is Recommendation.STAY  # highest level: confirm with 6
    assert "dose 1 is the highest dose" in first.reason
    down = _ttt([0, 0, 3], [0, 0, 2], 2, labels)
    assert (down.recommendation, down.next_label) == (Recommendation.DEESCALATE, "-1")
    assert down.reason.endswith("treat 3 patients at dose -1.")
    tolerated = _ttt([0, 6, 3], [0, 1, 2], 1, labels)
    assert (tolerated.recommendation, tolerated.mtd_label) == (Recommendation.STOP, "-1")
    nothing = _ttt([3, 6, 3], [2, 2, 2], 0, labels)
    assert nothing.recommendation is Recommendation.STOP
    assert nothing.mtd is None
    oc = three_plus_three_oc([0.1, 0.2, 0.5], start=2)
    assert oc.patients[2] >= 3 - 1e-12  # every trial starts at level 1
    assert sum(oc.select) + oc.no_selection == pytest.approx(1.0)


def _b(k: int, p: float) -> float:
    return math.comb(3, k) * p**k * (1 - p) ** (3 - k)


@pytest.mark.parametrize("p", [0.05, 0.2, 0.33, 0.5])
def test_three_plus_three_oc_exact_one_and_two_doses(p: float) -> None:
    """Textbook: a level is passed with probability b0 + b1·b0 (b_k = b(k; 3, p)); with
    one level it is the MTD with that probability (6 treated, at most 1 DLT)."""
    passed = _b(0, p) + _b(1, p) * _b(0, p)
    # At the highest level 0 of 3 is followed by 3 more: the MTD needs at most 1 of 6.
    confirmed = _b(0, p) * (_b(0, p) + _b(1, p)) + _b(1, p) * _b(0, p)
    one = three_plus_three_oc([p])
    assert one.select[0] == pytest.approx(confirmed, abs=1e-14)
    assert one.no_selection == pytest.approx(1 - confirmed, abs=1e-14)
    # Two levels with a certain DLT at level 2 (p2 = 1): level 2 is reached when level 1 is
    # passed and always fails with 3 of 3; level 1 is then confirmed with 6 patients.
    two = three_plus_three_oc([p, 1.0])
    assert two.select == pytest.approx((confirmed, 0.0), abs=1e-14)
    assert two.patients[1] == pytest.approx(3 * passed, abs=1e-14)


def test_three_plus_three_simulation_agrees_with_enumeration() -> None:
    rates = [0.05, 0.15, 0.3, 0.45, 0.6]
    exact = three_plus_three_oc(rates)
    simulated = three_plus_three_oc_simulated(rates, trials=20_000, seed=3)
    assert sum(exact.select) + exact.no_selection == pytest.approx(1.0, abs=1e-12)
    assert exact.method == "exact"
    assert exact.select_se is None
    assert simulated.select_se is not None
    assert simulated.patients_se is not None
    for p, q, se in zip(exact.select, simulated.select, simulated.select_se, strict=True):
        assert abs(p - q) <= Z * max(se, math.sqrt(p * (1 - p) / 20_000)) + 1e-9
    for m, s, se in zip(exact.patients, simulated.patients, simulated.patients_se, strict=True):
        assert abs(m - s) <= Z * se + 1e-9
    assert abs(exact.no_selection - simulated.no_selection) <= 0.01


def test_oc_refuses_rates_out_of_range() -> None:
    with pytest.raises(DoseFindingError):
        three_plus_three_oc([0.1, 1.2])
    with pytest.raises(DoseFindingError):
        boin_oc(DESIGN, [], trials=10)


def test_oc_type_is_frozen() -> None:
    oc = three_plus_three_oc([0.2])
    assert isinstance(oc, OperatingCharacteristics)
    with pytest.raises(AttributeError):
        oc.no_selection = 0.0  # type: ignore[misc]


def test_trials_driven_by_boin_next_agree_with_get_oc() -> None:
    """The decision function itself, run as a trial loop (one cohort at a time, stop when
    it says stop), reproduces R's get.oc for the first reference scenario within Monte Carlo
    error: this ties ``boin_next`` (not only the vectorised simulation) to BOIN's rules."""
    case = REFERENCE["oc"][0]
    rates = case["p_true"]
    rng = np.random.default_rng(7)
    trials = 1_500
    chosen = np.zeros(len(rates) + 1)
    for _ in range(trials):
        n, y, dose = [0] * len(rates), [0] * len(rates), 0
        while True:
            n[dose] += 3
            y[dose] += int(rng.binomial(3, rates[dose]))
            decision = boin_next(DESIGN, DoseData.of(n, y), dose)
            if decision.recommendation is Recommendation.STOP:
                chosen[-1 if decision.mtd is None else decision.mtd] += 1
                break
            assert decision.next_dose is not None
            dose = decision.next_dose
    mine = chosen[:-1] / trials
    both = math.sqrt(1 / trials + 1 / case["ntrial"])
    for p, theirs in zip(mine, case["selpercent"], strict=True):
        pooled = (p * trials + theirs / 100 * case["ntrial"]) / (trials + case["ntrial"])
        assert abs(p - theirs / 100) <= Z * math.sqrt(pooled * (1 - pooled)) * both + 1e-9


# --- the path of a trial ---------------------------------------------------------------


def test_three_plus_three_path_flags_a_deviation() -> None:
    """Cohorts 1:0/3, 2:1/3, 2:0/3, then 2 again although 1 of 6 said escalate."""
    cohorts = [Cohort(0, 3, 0), Cohort(1, 3, 1), Cohort(1, 3, 0), Cohort(1, 3, 0)]
    with pytest.raises(DoseFindingError, match="at most 6"):
        three_plus_three_path(["1", "2", "3"], cohorts)
    path = three_plus_three_path(["1", "2", "3"], [*cohorts[:3], Cohort(0, 3, 0)])
    assert [s.decision.recommendation for s in path.steps[:3]] == [
        Recommendation.ESCALATE,
        Recommendation.STAY,
        Recommendation.ESCALATE,
    ]
    assert [s.followed for s in path.steps] == [None, True, True, False]
    assert path.deviations == (3,)


def test_boin_path_keeps_eliminated_doses() -> None:
    """3 of 3 at dose 2 eliminates doses 2-3; later data at dose 1 do not bring them back."""
    cohorts = [Cohort(0, 3, 0), Cohort(1, 3, 3), Cohort(0, 3, 0), Cohort(0, 3, 0)]
    path = boin_path(DESIGN, ["1", "2", "3"], cohorts)
    assert path.steps[1].decision.eliminated == (1, 2)
    last = path.last
    assert last is not None
    assert last.eliminated == (1, 2)
    assert last.recommendation is Recommendation.STAY
    assert path.deviations == ()
