"""Proportions of a population, each with the protocol's credible and exact intervals.

Tables show many cells over the same denominator; the intervals of a cell depend only on
(x, n), so one :class:`ProportionMaker` computes
``monitoring.estimates.rates.rate_estimate`` once per distinct count and relabels it for every
cell that shares it.
"""

from __future__ import annotations

import dataclasses

from monitoring.estimates.rates import BetaPrior, RateEstimate, rate_estimate


class ProportionMaker:
    """``rate_estimate`` with a fixed prior and level, computed once per (x, n)."""

    def __init__(self, prior: tuple[float, float], level: float) -> None:
        self.prior = BetaPrior(*prior)
        self.level = level
        self._known: dict[tuple[int, int], RateEstimate] = {}

    def __call__(self, label: str, x: int, n: int) -> RateEstimate:
        key = (int(x), int(n))
        known = self._known.get(key)
        if known is None:
            known = rate_estimate(label, key[0], key[1], self.prior, self.level)
            self._known[key] = known
            return known
        return known if known.label == label else dataclasses.replace(known, label=label)

    @property
    def note(self) -> str:
        """How every interval of the table was computed, for its footnote."""
        pct = f"{self.level * 100:g}%"
        return (
            f"{pct} equal-tailed Bayesian credible interval, prior {self.prior.label}; "
            f"{pct} exact (Clopper-Pearson) interval."
        )
