"""Pruned exact enumeration of Simon designs: the best design of each improving size n.

For each n = 2..nmax this finds the feasible design of least EN(p0) exactly as clinfun's
Fortran ``f2bdry`` would (strict bounds; ties to the smaller n1; the largest feasible r),
but only where the answer can matter: sizes n whose best EN(p0) beats every smaller n.
Three exact bounds skip work without changing any result (docs/methods.md):

* Neyman-Pearson: the randomised UMP single-stage test of size alpha bounds the power of
  every two-stage test of size < alpha, so sizes n where it misses 1 - beta are skipped;
* PET(p1) <= beta: a stage-1 rule that stops too often under p1 can never have the power;
* EN(p0) < best so far: other designs are never minimax, optimal or admissible.

Each size n is then checked in one of two vectorised ways, whichever touches fewer cells:
candidate by candidate in EN(p0) order (stopping at the first feasible one), or the full
(n1, r1, r) table, built from suffix sums over the stage-1 count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from monitoring.designs.simon import SimonDesign
from monitoring.designs.simon_tables import FloatArray, GrowingTables, IntArray

# Float cells per vectorised batch of candidate checks (keeps arrays in cache-sized chunks).
_CELLS_PER_BATCH = 1_000_000
# Largest full (n1, stage-1 count, r) table built for one n.
_CELLS_FULL_TABLE = 1_500_000
# Safety margin (in probability) for the pruning bounds, far above float rounding.
_BOUND_MARGIN = 1e-9


Strategy = Literal["auto", "table", "candidates"]


def best_designs_by_size(
    p0: float, p1: float, alpha: float, beta: float, nmax: int, strategy: Strategy = "auto"
) -> list[SimonDesign]:
    """For each n whose best EN(p0) beats every smaller n, that best design (n ascending).

    ``strategy`` forces one way of checking each size (both give the same designs; "auto"
    takes the cheaper one); it exists so that tests can exercise both.
    """
    return _Search(p0, p1, alpha, beta, nmax, strategy).run()


@dataclass(frozen=True)
class _Candidates:
    """Stage-1 rules (r1, n1) at one total size n, in the order they are tried."""

    n1: IntArray
    r1: IntArray
    en0: FloatArray


class _Search:
    """One search: walks n = 2..nmax and keeps the best design of each improving n."""

    def __init__(
        self, p0: float, p1: float, alpha: float, beta: float, nmax: int, strategy: Strategy
    ) -> None:
        self.p0, self.p1, self.alpha, self.beta, self.nmax = p0, p1, alpha, beta, nmax
        self.strategy = strategy
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
        with np.errstate(divide="ignore", invalid="ignore"):
            gamma = (self.alpha - t0.sf[n, c]) / t0.pmf[n, c]
            power = t1.sf[n, c] + gamma * t1.pmf[n, c]
        # Skip only what the bound excludes for sure (a NaN from underflow keeps the size).
        self.reachable = ~(power <= 1.0 - self.beta - _BOUND_MARGIN)

    def _candidates(self, n: int, best: float) -> _Candidates:
        """(r1, n1) with PET(p1) < beta and EN(p0) < best, by EN(p0) then n1.

        EN(p0) < n as well: like f2bdry, a rule that can never stop early is not kept.
        """
        best = min(best, float(n))
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
        """The first feasible candidate (in EN(p0) order) with its largest feasible r."""
        lo, hi = self._r_windows(n, c)
        keep = lo <= hi
        c = _Candidates(c.n1[keep], c.r1[keep], c.en0[keep])
        lo, hi = lo[keep], hi[keep]
        if c.n1.size == 0:
            return None
        x_cells = int(c.n1.max()) + 1
        one_by_one = int((hi - lo + 1).sum()) * x_cells
        full = np.unique(c.n1).size * x_cells * (int(hi.max() - lo.min()) + 1)
        cheaper = full < min(one_by_one, _CELLS_FULL_TABLE)
        if self.strategy == "table" or (self.strategy == "auto" and cheaper):
            return self._check_table(n, c, lo, hi)
        cells = (int((hi - lo).max()) + 1) * x_cells
        largest = max(1, _CELLS_PER_BATCH // cells)
        start, batch = 0, min(16, largest)
        while start < c.n1.size:
            stop = min(c.n1.size, start + batch)
            found = self._check_batch(n, c, lo, hi, slice(start, stop))
            if found is not None:
                return found
            start, batch = stop, min(batch * 4, largest)
        return None

    def _check_table(
        self, n: int, c: _Candidates, lo: IntArray, hi: IntArray
    ) -> SimonDesign | None:
        """All candidates at once from suffix sums over the stage-1 count x1.

        For each n1 and r, S[x] = sum over x1 >= x of Pr(X1 = x1) Pr(X2 > r - x1), so
        Pr(X1 > r1, X1 + X2 > r) = S[r1 + 1] for every r1 in one cumulative sum.
        """
        n1s, row = np.unique(c.n1, return_inverse=True)
        x0 = int(c.r1.min()) + 1  # smaller stage-1 counts never go on
        x = np.arange(x0, int(n1s.max()) + 1)
        r = np.arange(int(lo.min()), int(hi.max()) + 1)
        k = r[0] - x[None, :]  # run start for each stage-1 count
        m2 = (n - n1s)[:, None]
        sums = []
        for t in (self.tables.t0, self.tables.t1):
            terms = t.pmf[n1s[:, None], x[None, :]][:, :, None] * t.survival_runs(m2, k, r.size)
            suffix = np.cumsum(terms[:, ::-1, :], axis=1)[:, ::-1, :]
            sums.append(suffix[row, c.r1 + 1 - x0, :])
        alpha, power = sums
        inside = (r[None, :] >= lo[:, None]) & (r[None, :] <= hi[:, None])
        ok = (alpha < self.alpha) & (1.0 - power < self.beta) & inside
        feasible = ok.any(axis=1)
        if not feasible.any():
            return None
        i = int(np.argmax(feasible))
        j = int(np.nonzero(ok[i])[0][-1])  # clinfun keeps the largest feasible r
        return self._design(
            int(c.r1[i]), int(c.n1[i]), int(r[j]), n, float(alpha[i, j]), float(power[i, j])
        )

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
        go_on0 = np.maximum(1.0 - self.tables.t0.cdf[c.n1, c.r1], 0.0)
        with np.errstate(divide="ignore"):
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
        x = np.arange(int(r1.min()) + 1, int(n1.max()) + 1)  # stage-1 counts that go on
        go_on = x[None, :] > r1[:, None]
        w0 = t0.pmf[n1[:, None], x[None, :]] * go_on
        w1 = t1.pmf[n1[:, None], x[None, :]] * go_on
        width = int((hi - lo).max()) + 1
        r = lo[:, None] + np.arange(width)[None, :]
        k = lo[:, None] - x[None, :]  # run start for each stage-1 count
        m2 = n2[:, None]
        alpha = np.einsum("kxw,kx->kw", t0.survival_runs(m2, k, width), w0)
        power = np.einsum("kxw,kx->kw", t1.survival_runs(m2, k, width), w1)
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
