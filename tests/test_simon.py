"""Exact characteristics of one Simon design (monitoring/designs/simon.py)."""

from __future__ import annotations

import pytest

from monitoring.designs.simon import (
    DesignError,
    characteristics,
    for_rule,
    rejection_probability,
)
from monitoring.protocol import load_protocol
from tests.conftest import PROTOCOL_DIR

# Reference values from R 4 (base R, no package), printed with options(digits = 15):
#   rej <- function(r1, n1, r, n, p) { x1 <- (r1 + 1):n1
#     sum(dbinom(x1, n1, p) * pbinom(r - x1, n - n1, p, lower.tail = FALSE)) }
#   rej(6, 18, 20, 48, 0.35); rej(6, 18, 20, 48, 0.5); pbinom(6, 18, 0.35)
#   18 + (1 - pbinom(6, 18, 0.35)) * 30; pbinom(6, 18, 0.5)
R_SEED003 = (0.112742022720812, 0.785294923342423, 0.549103112647689, 31.5269066205693)
R_SEED003_PET1 = 0.118942260742188
# Same R function: rej(1, 10, 5, 29, 0.1); rej(1, 10, 5, 29, 0.3); pbinom(1, 10, 0.1)
R_SIMON_1_10_5_29 = (0.0470863066438913, 0.805062913150325, 0.7360989291, 15.0141203471)
# R prints 15 significant digits: relative agreement to 1e-13 is what the reference holds.
R_TOLERANCE = 1e-13


def test_seed_003_design_matches_spec_3_1() -> None:
    """SPEC 3.1: alpha = 0.1127, power = 0.7853, PET(p0) = 0.549, EN(p0) = 31.5."""
    d = characteristics(6, 18, 20, 48, 0.35, 0.50)
    assert round(d.alpha, 4) == 0.1127
    assert round(d.power, 4) == 0.7853
    assert round(d.pet0, 3) == 0.549
    assert round(d.en0, 1) == 31.5


def test_seed_003_design_against_r() -> None:
    d = characteristics(6, 18, 20, 48, 0.35, 0.50)
    got = (d.alpha, d.power, d.pet0, d.en0)
    assert got == pytest.approx(R_SEED003, rel=R_TOLERANCE)
    assert d.pet1 == pytest.approx(R_SEED003_PET1, rel=R_TOLERANCE)
    assert d.beta == pytest.approx(1 - R_SEED003[1], rel=R_TOLERANCE)


def test_design_from_protocol_file() -> None:
    """The default protocol's rule gives the same exact figures (protocol -> design)."""
    rule = load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml").simon
    assert rule is not None
    d = for_rule(rule)
    assert d.rule == (6, 18, 20, 48)
    assert (d.alpha, d.power, d.pet0, d.en0) == pytest.approx(R_SEED003, rel=R_TOLERANCE)


def test_simon_1989_optimal_design_against_r() -> None:
    """Simon (1989) Table 1, p0 = 0.10, p1 = 0.30, alpha 0.05, beta 0.20: optimal 1/10, 5/29
    with EN(p0) 15.0 and PET(p0) 0.74; exact values from the R function above."""
    d = characteristics(1, 10, 5, 29, 0.10, 0.30)
    assert (d.alpha, d.power, d.pet0, d.en0) == pytest.approx(R_SIMON_1_10_5_29, rel=R_TOLERANCE)
    assert round(d.en0, 1) == 15.0
    assert round(d.pet0, 2) == 0.74


def test_expected_size_under_p1_by_hand() -> None:
    """EN(p1) = n1 + (1 - PET(p1)) (n - n1): 18 + (1 - 0.118942...) * 30 (hand calculation)."""
    d = characteristics(6, 18, 20, 48, 0.35, 0.50)
    assert d.en1 == pytest.approx(18 + (1 - R_SEED003_PET1) * 30, rel=R_TOLERANCE)


def test_no_early_stop_is_a_single_stage_test() -> None:
    """With r1 = 0 and p tiny, a two-stage design is almost Pr(Bin(n, p) > r); with r = r1
    every continuing trial succeeds, so alpha = 1 - PET(p0) exactly (hand calculation)."""
    d = characteristics(3, 10, 3, 20, 0.2, 0.4)
    assert d.alpha == pytest.approx(1 - d.pet0, abs=1e-15)
    assert d.power == pytest.approx(1 - d.pet1, abs=1e-15)


@pytest.mark.parametrize(
    ("r1", "n1", "r", "n"),
    [(6, 6, 20, 48), (-1, 18, 20, 48), (6, 48, 20, 48), (6, 18, 5, 48), (6, 18, 48, 48)],
)
def test_inconsistent_design_is_refused(r1: int, n1: int, r: int, n: int) -> None:
    with pytest.raises(DesignError):
        characteristics(r1, n1, r, n, 0.35, 0.5)


@pytest.mark.parametrize(("p0", "p1"), [(0.5, 0.35), (0.35, 0.35), (0.0, 0.5), (0.35, 1.0)])
def test_bad_rates_are_refused(p0: float, p1: float) -> None:
    with pytest.raises(DesignError):
        characteristics(6, 18, 20, 48, p0, p1)


def test_rejection_probability_limits() -> None:
    """At p -> 0 no trial rejects; at p -> 1 every trial does (hand calculation)."""
    assert rejection_probability(6, 18, 20, 48, 1e-12) == pytest.approx(0.0, abs=1e-12)
    assert rejection_probability(6, 18, 20, 48, 1 - 1e-12) == pytest.approx(1.0, abs=1e-9)
