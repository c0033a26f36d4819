"""Optimal, minimax and admissible Simon designs (monitoring/designs/simon_search.py)."""

from __future__ import annotations

import pytest

from monitoring.designs.simon import characteristics
from monitoring.designs.simon_enumeration import Strategy, best_designs_by_size
from monitoring.designs.simon_search import (
    DesignKind,
    NoFeasibleDesignError,
    admissible_hull,
    search,
)
from tests.simon_reference import literal_f2bdry_rows

# Simon R. (1989) Optimal two-stage designs for phase II clinical trials. Controlled
# Clinical Trials 10:1-10, Table 1 (p1 - p0 = 0.20): p0, p1, alpha, beta, optimal r1/n1, r/n,
# minimax r1/n1, r/n. One row per (p0, alpha, beta) block of the table.
SIMON_1989_TABLE_1 = [
    (0.05, 0.25, 0.10, 0.10, (0, 9, 2, 24), (0, 13, 2, 20)),
    (0.05, 0.25, 0.05, 0.10, (0, 9, 3, 30), (0, 15, 3, 25)),
    (0.10, 0.30, 0.10, 0.10, (1, 12, 5, 35), (1, 16, 4, 25)),
    (0.10, 0.30, 0.05, 0.20, (1, 10, 5, 29), (1, 15, 5, 25)),
    (0.10, 0.30, 0.05, 0.10, (2, 18, 6, 35), (2, 22, 6, 33)),
    (0.20, 0.40, 0.05, 0.20, (3, 13, 12, 43), (4, 18, 10, 33)),
    (0.20, 0.40, 0.05, 0.10, (4, 19, 15, 54), (5, 24, 13, 45)),
    (0.30, 0.50, 0.10, 0.10, (7, 22, 17, 46), (7, 28, 15, 39)),
    (0.30, 0.50, 0.05, 0.10, (8, 24, 24, 63), (7, 24, 21, 53)),
    (0.40, 0.60, 0.05, 0.20, (7, 16, 23, 46), (17, 34, 20, 39)),
    (0.50, 0.70, 0.10, 0.10, (11, 21, 26, 45), (11, 23, 23, 39)),
    (0.60, 0.80, 0.05, 0.10, (12, 19, 37, 53), (15, 26, 32, 45)),
    (0.70, 0.90, 0.05, 0.20, (4, 6, 22, 27), (19, 23, 21, 26)),
]


@pytest.mark.parametrize(("p0", "p1", "alpha", "beta", "optimal", "minimax"), SIMON_1989_TABLE_1)
def test_simon_1989_table_1(
    p0: float,
    p1: float,
    alpha: float,
    beta: float,
    optimal: tuple[int, int, int, int],
    minimax: tuple[int, int, int, int],
) -> None:
    """Each row: Simon (1989) Table 1, the row with these (p0, p1, alpha, beta)."""
    result = search(p0, p1, alpha, beta, nmax=100)
    assert result.optimal.rule == optimal
    assert result.minimax.rule == minimax


def test_brief_example_p0_010_p1_030() -> None:
    """Simon (1989) Table 1 row p0 = 0.10, p1 = 0.30, alpha 0.05, beta 0.20: optimal 1/10,
    5/29 with EN(p0) 15.0, PET(p0) 0.74; minimax 1/15, 5/25 with EN(p0) 19.5."""
    result = search(0.10, 0.30, 0.05, 0.20)
    assert result.optimal.label() == "1/10, 5/29"
    assert result.minimax.label() == "1/15, 5/25"
    assert round(result.optimal.en0, 1) == 15.0
    assert round(result.optimal.pet0, 2) == 0.74
    assert round(result.minimax.en0, 1) == 19.5


def test_clinfun_ph2simon_example_02_04() -> None:
    """clinfun's ph2simon help page: ph2simon(0.2, 0.4, 0.1, 0.1) prints Optimal 3 17 10 37
    EN 26.02 PET 0.5489 and Minimax 3 19 10 36 EN 28.26 PET 0.4551 (4 significant digits)."""
    result = search(0.2, 0.4, 0.1, 0.1, nmax=100)
    assert result.optimal.rule == (3, 17, 10, 37)
    assert (round(result.optimal.en0, 2), round(result.optimal.pet0, 4)) == (26.02, 0.5489)
    assert result.minimax.rule == (3, 19, 10, 36)
    assert (round(result.minimax.en0, 2), round(result.minimax.pet0, 4)) == (28.26, 0.4551)


@pytest.mark.parametrize(
    ("nmax", "optimal", "en0", "pet0"),
    [(100, (11, 53, 26, 99), 69.88, 0.6330), (150, (11, 50, 28, 109), 67.07, 0.7107)],
)
def test_clinfun_ph2simon_example_nmax(
    nmax: int, optimal: tuple[int, int, int, int], en0: float, pet0: float
) -> None:
    """clinfun's ph2simon help page: ph2simon(0.2, 0.35, 0.05, 0.05) and with nmax = 150;
    the optimal design depends on nmax, the minimax 15/68, 25/95 (EN 75.44) does not."""
    result = search(0.2, 0.35, 0.05, 0.05, nmax=nmax)
    assert result.optimal.rule == optimal
    assert (round(result.optimal.en0, 2), round(result.optimal.pet0, 4)) == (en0, pet0)
    assert result.minimax.rule == (15, 68, 25, 95)
    assert round(result.minimax.en0, 2) == 75.44


def test_clinfun_twostage_admissible_example() -> None:
    """clinfun's twostage.admissible help page, ph2simon(0.5, 0.7, 0.05, 0.1):
    Minimax 14/27 32/53 EN 36.11440 q 0.285-1; Admissible 12/23 34/57 EN 34.51987
    q 0.112-0.285; Optimal 13/24 36/61 EN 34.01324 q 0-0.112 (clinfun rounds q to 3 places)."""
    hull = search(0.5, 0.7, 0.05, 0.1).admissible
    assert [a.design.rule for a in hull] == [(14, 27, 32, 53), (12, 23, 34, 57), (13, 24, 36, 61)]
    assert [a.kind for a in hull] == [DesignKind.MINIMAX, DesignKind.ADMISSIBLE, DesignKind.OPTIMAL]
    assert [round(a.design.en0, 5) for a in hull] == [36.11440, 34.51987, 34.01324]
    assert [round(a.design.pet0, 7) for a in hull] == [0.6494460, 0.6611803, 0.7293719]
    assert [(round(a.q_low, 3), round(a.q_high, 3)) for a in hull] == [
        (0.285, 1.0),
        (0.112, 0.285),
        (0.0, 0.112),
    ]


def test_seed_003_nominal_search() -> None:
    """p0 = 0.35, p1 = 0.50, alpha 0.10, beta 0.20 (seed 003's nominal rates): the optimal
    design is 7/20, 24/58, not the protocol's 6/18, 20/48 (whose alpha 0.1127 > 0.10).
    Values cross-checked with the literal port of clinfun's f2bdry below."""
    result = search(0.35, 0.50, 0.10, 0.20)
    assert result.optimal.rule == (7, 20, 24, 58)
    assert result.minimax.rule == (10, 31, 21, 49)
    assert [a.design.rule for a in result.admissible] == [
        (10, 31, 21, 49),
        (9, 26, 22, 52),
        (5, 16, 23, 55),
        (7, 20, 24, 58),
    ]


@pytest.mark.parametrize("strategy", ["auto", "table", "candidates"])
@pytest.mark.parametrize(
    ("p0", "p1", "alpha", "beta", "nmax"),
    [
        (0.10, 0.30, 0.05, 0.20, 32),
        (0.30, 0.60, 0.10, 0.20, 30),
        (0.50, 0.80, 0.05, 0.10, 30),
        (0.80, 0.99, 0.05, 0.20, 30),  # rates near 1
        (0.001, 0.50, 0.05, 0.10, 25),  # PET(p0) = 1 to double precision for r1 >= 1
    ],
)
def test_search_equals_literal_enumeration(
    strategy: Strategy,
    p0: float,
    p1: float,
    alpha: float,
    beta: float,
    nmax: int,
) -> None:
    """Pruned search == the literal f2bdry enumeration on every row that can matter, with
    each size checked either way (full table, candidate by candidate, or the cheaper)."""
    rows = literal_f2bdry_rows(p0, p1, alpha, beta, nmax)
    frontier = best_designs_by_size(p0, p1, alpha, beta, nmax, strategy)
    result = search(p0, p1, alpha, beta, nmax)
    assert [d.rule for d in frontier] == [d.rule for d in result.frontier]
    assert result.minimax.rule == rows[min(rows)]
    en = {n: characteristics(*rule, p0, p1).en0 for n, rule in rows.items()}
    assert result.optimal.rule == rows[min(en, key=lambda n: (en[n], n))]
    improving, best = [], float("inf")
    for n in sorted(rows):
        if en[n] < best:
            improving.append(rows[n])
            best = en[n]
    assert [d.rule for d in result.frontier] == improving


def test_designs_carry_exact_characteristics() -> None:
    """Figures from the search tables equal the direct exact computation (to 1e-12, the
    float rounding of sums of ~100 terms)."""
    result = search(0.35, 0.50, 0.10, 0.20)
    for d in result.frontier:
        exact = characteristics(*d.rule, d.p0, d.p1)
        for field in ("alpha", "power", "pet0", "en0", "pet1", "en1"):
            assert getattr(d, field) == pytest.approx(getattr(exact, field), abs=1e-12)


def test_single_design_hull() -> None:
    """When the minimax design is also optimal the hull is that design for every q."""
    result = search(0.2, 0.4, 0.1, 0.1)
    frontier = [result.optimal]
    (only,) = admissible_hull(frontier)
    assert (only.kind, only.q_low, only.q_high) == (DesignKind.MINIMAX_AND_OPTIMAL, 0.0, 1.0)


def test_no_feasible_design_names_nmax() -> None:
    with pytest.raises(NoFeasibleDesignError, match="n <= 30"):
        search(0.35, 0.50, 0.10, 0.20, nmax=30)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0.5, 0.3, 0.1, 0.2, 100), "p1 must exceed p0"),
        ((0.3, 0.5, 0.0, 0.2, 100), "alpha"),
        ((0.3, 0.5, 0.1, 1.0, 100), "beta"),
        ((0.3, 0.5, 0.1, 0.2, 1), "nmax"),
        ((0.3, 0.5, 0.1, 0.2, 1001), "nmax"),
    ],
)
def test_bad_inputs_are_refused(args: tuple[float, float, float, float, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        search(*args)
