"""Two-arm comparison of a time-to-event endpoint: signed log-rank z and Cox hazard ratio.

``logrank_z`` is the log-rank statistic (R's ``survdiff``) as a signed z with the sign
convention of ``monitoring.designs.group_sequential.evaluate_look``: (E - O) / sqrt(V) of
the experimental arm, positive when the experimental arm has fewer events than expected
(hazard ratio experimental / control below 1); its square is ``survdiff``'s chi-square.
``cox_hazard_ratio`` is the Cox model with the arm as the only covariate (experimental = 1),
Efron ties (``monitoring.survival.cox``, as R's ``coxph`` default), iterated to full
convergence, with the 95 % Wald interval. Both take optional ``strata``: the stratified
log-rank (``survdiff(... + strata(s))``) and the stratified Cox model
(``coxph(... + strata(s))``). ``tests/test_group_sequential_rule.py`` and
``tests/test_survival_compare.py`` check them against R (``tests/reference/``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from monitoring.distributions import norm_ppf, norm_sf
from monitoring.survival.cox import cox_efron
from monitoring.survival.logrank import stratified_log_rank


@dataclass(frozen=True)
class LogRankZ:
    """Events observed and expected in the experimental arm, the variance and the signed z
    (None when no event has happened yet)."""

    events: int
    observed: float
    expected: float
    variance: float
    z: float | None


def logrank_z(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    experimental: npt.ArrayLike,
    strata: npt.ArrayLike | None = None,
) -> LogRankZ:
    """Signed log-rank z of the experimental arm (``experimental`` True) against control,
    stratified when ``strata`` is given."""
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=bool)
    x = np.asarray(experimental, dtype=bool)
    events = int(e.sum())
    if events == 0 or x.all() or not x.any():
        return LogRankZ(events, float(e[x].sum()), math.nan, math.nan, None)
    result = stratified_log_rank(t, e, np.where(x, "experimental", "control"), strata)
    i = result.groups.index("experimental")
    observed = float(result.observed[i])
    expected = float(result.expected[i])
    variance = float(result.variance[i, i])
    z = (expected - observed) / math.sqrt(variance) if variance > 0 else None
    return LogRankZ(events, observed, expected, variance, z)


@dataclass(frozen=True)
class HazardRatio:
    """Cox hazard ratio experimental / control with its 95 % Wald interval and p-value."""

    hr: float
    lower: float
    upper: float
    p_wald: float


def cox_hazard_ratio(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    experimental: npt.ArrayLike,
    strata: npt.ArrayLike | None = None,
) -> HazardRatio | None:
    """The Cox hazard ratio (Efron ties), stratified when ``strata`` is given; None without
    events in both arms (or when the estimate diverges)."""
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=bool)
    x = np.asarray(experimental, dtype=bool)
    if not (e & x).any() or not (e & ~x).any():
        return None
    fit = cox_efron(t, e, x.astype(float), strata)
    if not fit.converged:
        return None
    beta = fit.coef
    se = fit.se
    q = float(norm_ppf(0.975))
    return HazardRatio(
        hr=math.exp(beta),
        lower=math.exp(beta - q * se),
        upper=math.exp(beta + q * se),
        p_wald=float(2 * norm_sf(abs(beta / se))),
    )
