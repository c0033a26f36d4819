"""Search for Simon's optimal and minimax designs and the admissible designs between them.

Conventions follow the clinfun R package's ``ph2simon`` (Fortran ``f2bdry``) and
``twostage.admissible`` exactly:

* a design (r1/n1, r/n) is feasible when alpha < the alpha bound and 1 - power < the beta
  bound (strict inequalities), with 0 <= r1 < n1 < n <= nmax and r1 <= r <= r1 + n - n1;
* for each total size n the design of least EN(p0) is kept; ties go to the smaller n1, and
  for one (r1, n1) to the largest feasible r;
* minimax = the kept design of the smallest n; optimal = the kept design of least EN(p0),
  the smallest n on ties;
* admissible designs (Jung, Lee, Kim & George 2004) = the lower convex hull of the points
  (n, EN(p0)) from the minimax to the optimal design; each minimises q n + (1 - q) EN(p0)
  for q in [q_low, q_high].

The search is exact but prunes what cannot change its answer (docs/methods.md): a size n
whose most powerful single-stage test already misses the power target, a (r1, n1) whose
PET(p1) alone exceeds beta, and a candidate whose EN(p0) is not below the best EN(p0) of a
smaller n (such a design is never optimal, minimax or on the hull).
"""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass

from monitoring.designs.simon import DesignError, SimonDesign, check_rates
from monitoring.designs.simon_enumeration import best_designs_by_size
from monitoring.errors import InputError

NMAX_LIMIT = 1000


class NoFeasibleDesignError(InputError, ValueError):
    """No design with n <= nmax meets the error bounds."""


class DesignKind(enum.Enum):
    """Place of an admissible design between the minimax and the optimal design."""

    MINIMAX = "minimax"
    ADMISSIBLE = "admissible"
    OPTIMAL = "optimal"
    MINIMAX_AND_OPTIMAL = "minimax_and_optimal"


@dataclass(frozen=True)
class AdmissibleDesign:
    """A design on the admissible hull and the weights q for which it is best."""

    design: SimonDesign
    kind: DesignKind
    q_low: float
    q_high: float


@dataclass(frozen=True)
class SimonSearch:
    """Optimal, minimax and admissible designs for (p0, p1, alpha, beta, nmax).

    ``frontier`` holds, for each n at which EN(p0) improves on every smaller n, the best
    design of that size: the points the admissible hull is taken from.
    """

    p0: float
    p1: float
    alpha: float
    beta: float
    nmax: int
    optimal: SimonDesign
    minimax: SimonDesign
    admissible: tuple[AdmissibleDesign, ...]
    frontier: tuple[SimonDesign, ...]


def check_search_inputs(p0: float, p1: float, alpha: float, beta: float, nmax: int) -> None:
    """Refuse rates, error bounds or nmax outside their ranges, naming the value."""
    check_rates(p0, p1)
    for name, value in (("alpha", alpha), ("beta", beta)):
        if not 0.0 < value < 1.0:
            raise DesignError(f"{name} must lie strictly between 0 and 1; got {value}")
    if not 2 <= nmax <= NMAX_LIMIT:
        raise DesignError(f"nmax must lie between 2 and {NMAX_LIMIT}; got {nmax}")


def search(p0: float, p1: float, alpha: float, beta: float, nmax: int = 100) -> SimonSearch:
    """Optimal, minimax and admissible Simon designs with n <= nmax (clinfun conventions)."""
    check_search_inputs(p0, p1, alpha, beta, nmax)
    frontier = best_designs_by_size(p0, p1, alpha, beta, nmax)
    if not frontier:
        raise NoFeasibleDesignError(
            f"no two-stage design with n <= {nmax} has alpha < {alpha} and beta < {beta}; "
            "increase nmax"
        )
    hull = admissible_hull(frontier)
    return SimonSearch(
        p0=p0,
        p1=p1,
        alpha=alpha,
        beta=beta,
        nmax=nmax,
        optimal=hull[-1].design,
        minimax=frontier[0],
        admissible=hull,
        frontier=tuple(frontier),
    )


def admissible_hull(frontier: list[SimonDesign]) -> tuple[AdmissibleDesign, ...]:
    """clinfun's ``twostage.admissible``: lower hull of (n, EN0) from minimax to optimal."""
    en = [d.en0 for d in frontier]
    last = en.index(min(en))
    chosen = [0]
    while chosen[-1] < last:
        start = chosen[-1]
        slopes = [
            (en[j] - en[start]) / (frontier[j].n - frontier[start].n)
            for j in range(start + 1, last + 1)
        ]
        chosen.append(start + 1 + slopes.index(min(slopes)))
    designs = [frontier[i] for i in chosen]
    # Weight at which consecutive designs tie: q n_a + (1-q) EN_a = q n_b + (1-q) EN_b.
    q = [(b.en0 - a.en0) / ((b.en0 - a.en0) - (b.n - a.n)) for a, b in itertools.pairwise(designs)]
    highs = [1.0, *q]
    lows = [*q, 0.0]
    return tuple(
        AdmissibleDesign(d, _kind(i, len(designs)), lows[i], highs[i])
        for i, d in enumerate(designs)
    )


def _kind(index: int, count: int) -> DesignKind:
    if count == 1:
        return DesignKind.MINIMAX_AND_OPTIMAL
    if index == 0:
        return DesignKind.MINIMAX
    return DesignKind.OPTIMAL if index == count - 1 else DesignKind.ADMISSIBLE
