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
import math
from dataclasses import dataclass

import numpy as np

from monitoring.designs.simon import SimonDesign, check_rates
from monitoring.designs.simon_tables import FloatArray, GrowingTables, IntArray

NMAX_LIMIT = 1000
# Float cells per vectorised batch of candidate checks (keeps arrays in cache-sized chunks).
_CELLS_PER_BATCH = 250_000
# Safety margin (in probability) for the pruning bounds, far above float rounding.
_BOUND_MARGIN = 1e-9


class NoFeasibleDesignError(ValueError):
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
            raise ValueError(f"{name} must lie strictly between 0 and 1; got {value}")
    if not 2 <= nmax <= NMAX_LIMIT:
        raise ValueError(f"nmax must lie between 2 and {NMAX_LIMIT}; got {nmax}")


def search(p0: float, p1: float, alpha: float, beta: float, nmax: int = 100) -> SimonSearch:
    """Optimal, minimax and admissible Simon designs with n <= nmax (clinfun conventions)."""
    check_search_inputs(p0, p1, alpha, beta, nmax)
    frontier = _Search(p0, p1, alpha, beta, nmax).run()
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


@dataclass(frozen=True)
class _Candidates:
    """Stage-1 rules (r1, n1) at one total size n, in the order they are tried."""

    n1: IntArray
    r1: IntArray
    en0: FloatArray


class _Search:
    """One search: walks n = 2..nmax and keeps the best design of each improving n."""

    def __init__(self, p0: float, p1: float, alpha: float, beta: float, nmax: int) -> None:
        self.p0, self.p1, self.alpha, self.beta, self.nmax = p0, p1, alpha, beta, nmax
        self.tables = GrowingTables(p0, p1, nmax)
        self._stage1_limits()

    def _stage1_limits(self) -> None:
        """Per n1: the largest r1 with PET(p1) < beta (-1 if none), and PET(p0) there."""
        t0, t1 = self.tables.t0, self.tables.t1
        n1 = np.arange(t1.size + 1)
        self.r1max: IntArray = (t1.cdf < self.beta).sum(axis=1) - 1
        self.r1max = np.minimum(self.r1max, n1 - 1)
        self.pet0_at_max: FloatArray = np.where(
            self.r1max >= 0, t0.cdf[n1, np.maximum(self.r1max, 0)], 0.0
        )
        self._single_stage_bound()

    def run(self) -> list[SimonDesign]:
        frontier: list[SimonDesign] = []
        best = math.inf
        for n in range(2, self.nmax + 1):
            if n > self.tables.size:
                self.tables.ensure(n)
                self._stage1_limits()
            if best == math.inf and not self.reachable[n]:
                continue
            candidates = self._candidates(n, best)
            if candidates.n1.size == 0:
                if n >= best:
                    break  # no n1 can ever again beat the best EN(p0)
                continue
            if not self.reachable[n]:
                continue
            design = self._first_feasible(n, candidates)
            if design is not None:
                frontier.append(design)
                best = design.en0
        return frontier

    def _single_stage_bound(self) -> None:
        """Per n: can the randomised UMP test of size alpha (Neyman-Pearson) reach the power?

        A two-stage test is a test on the whole sample, so its power at size < alpha is at
        most that of the UMP test; a size n where even that misses 1 - beta is skipped.
        """
        t0, t1 = self.tables.t0, self.tables.t1
        n = np.arange(t0.size + 1)
        c = np.argmax(t0.sf <= self.alpha, axis=1)
        gamma = (self.alpha - t0.sf[n, c]) / t0.pmf[n, c]
        power = t1.sf[n, c] + gamma * t1.pmf[n, c]
        self.reachable = power > 1.0 - self.beta - _BOUND_MARGIN

    def _candidates(self, n: int, best: float) -> _Candidates:
        """(r1, n1) with PET(p1) < beta and EN(p0) < best, by EN(p0) then n1."""
        n1 = np.arange(1, n)
        r1max = self.r1max[n1]
        en_floor = n1 + (1.0 - self.pet0_at_max[n1]) * (n - n1)
        keep = (r1max >= 0) & (en_floor < best)
        n1, r1max = n1[keep], r1max[keep]
        if n1.size == 0:
            empty = np.zeros(0, dtype=np.int64)
            return _Candidates(empty, empty, np.zeros(0))
        r1 = np.arange(int(r1max.max()) + 1)
        en = n1[:, None] + (1.0 - self.tables.t0.cdf[n1[:, None], r1[None, :]]) * (n - n1)[:, None]
        ok = (r1[None, :] <= r1max[:, None]) & (en < best)
        rows, cols = np.nonzero(ok)
        order = np.lexsort((n1[rows], en[rows, cols]))
        return _Candidates(n1[rows][order], r1[cols][order], en[rows, cols][order])

    def _first_feasible(self, n: int, c: _Candidates) -> SimonDesign | None:
        """Check candidates in order, in growing vectorised batches; first feasible wins."""
        lo, hi = self._r_windows(n, c)
        keep = lo <= hi
        c = _Candidates(c.n1[keep], c.r1[keep], c.en0[keep])
        lo, hi = lo[keep], hi[keep]
        if c.n1.size == 0:
            return None
        cells = (int((hi - lo).max()) + 1) * (int(c.n1.max()) + 1)
        start, batch = 0, max(16, _CELLS_PER_BATCH // cells)
        while start < c.n1.size:
            stop = min(c.n1.size, start + batch)
            found = self._check_batch(n, c, lo, hi, slice(start, stop))
            if found is not None:
                return found
            start, batch = stop, batch * 4
        return None

    def _r_windows(self, n: int, c: _Candidates) -> tuple[IntArray, IntArray]:
        """Range of r that can hold a feasible r (empty when the candidate cannot be).

        alpha(r) < alpha bound needs r >= the smallest such r, which by the Harris-FKG
        inequality (both events increase in every patient's response, so alpha(r) >=
        (1 - PET(p0)) Pr(X > r | p0)) is at least the first r where that product drops
        below the bound. power(r) > 1 - beta needs r <= the last r where
        Pr(X > r | p1) > 1 - beta, since power(r) <= Pr(X > r | p1). One extra value each
        side guards against rounding; r also stays in clinfun's range [r1, r1 + n - n1].
        """
        rising0 = -self.tables.t0.sf[n, : n + 1]
        falling1 = -self.tables.t1.sf[n, : n + 1]
        go_on0 = 1.0 - self.tables.t0.cdf[c.n1, c.r1]
        c0_low = np.searchsorted(rising0, -self.alpha / go_on0, side="right")
        c1 = int(np.searchsorted(falling1, -(1.0 - self.beta), side="left")) - 1
        lo = np.maximum(c.r1, c0_low - 1)
        hi = np.minimum(c1 + 1, n - c.n1 + c.r1)
        return lo.astype(np.int64), hi.astype(np.int64)

    def _check_batch(
        self, n: int, c: _Candidates, lo_all: IntArray, hi_all: IntArray, part: slice
    ) -> SimonDesign | None:
        """The first feasible candidate of the batch with its largest feasible r, if any."""
        n1, r1, lo, hi = c.n1[part], c.r1[part], lo_all[part], hi_all[part]
        n2 = n - n1
        t0, t1 = self.tables.t0, self.tables.t1
        x = np.arange(int(n1.max()) + 1)
        go_on = x[None, :] > r1[:, None]
        w0 = t0.pmf[n1[:, None], x[None, :]] * go_on
        w1 = t1.pmf[n1[:, None], x[None, :]] * go_on
        r = lo[:, None] + np.arange(int((hi - lo).max()) + 1)[None, :]
        k = r[:, :, None] - x[None, None, :]
        m2 = n2[:, None, None]
        alpha = np.einsum("kwx,kx->kw", t0.survival(m2, k), w0)
        power = np.einsum("kwx,kx->kw", t1.survival(m2, k), w1)
        ok = (alpha < self.alpha) & (1.0 - power < self.beta) & (r <= hi[:, None])
        feasible = ok.any(axis=1)
        if not feasible.any():
            return None
        i = int(np.argmax(feasible))
        j = int(np.nonzero(ok[i])[0][-1])  # clinfun keeps the largest feasible r
        return self._design(
            int(r1[i]), int(n1[i]), int(r[i, j]), n, float(alpha[i, j]), float(power[i, j])
        )

    def _design(self, r1: int, n1: int, r: int, n: int, alpha: float, power: float) -> SimonDesign:
        pet0 = float(self.tables.t0.cdf[n1, r1])
        pet1 = float(self.tables.t1.cdf[n1, r1])
        return SimonDesign(
            r1=r1,
            n1=n1,
            r=r,
            n=n,
            alpha=alpha,
            power=power,
            pet0=pet0,
            en0=n1 + (1.0 - pet0) * (n - n1),
            pet1=pet1,
            en1=n1 + (1.0 - pet1) * (n - n1),
            p0=self.p0,
            p1=self.p1,
        )
