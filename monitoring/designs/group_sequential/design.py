"""Lan–DeMets group-sequential designs: boundaries, beta-spending futility, characteristics.

Conventions are rpact's (``getDesignGroupSequential(..., sided = 1, bindingFutility = FALSE)``
and ``getDesignCharacteristics``):

- One-sided test of H0: theta <= 0 against benefit theta > 0; z statistics are positive when
  the experimental arm does better.
- Efficacy bounds b_k solve P_0(Z_1 < b_1, ..., Z_{k-1} < b_{k-1}, Z_k >= b_k) = alpha(t_k) -
  alpha(t_{k-1}) ignoring any futility bound (non-binding futility: stopping for futility
  can only lower the type I error, which stays at most alpha).
- Futility bounds a_k (beta spending) solve, under the drift eta,
  P_eta(continue to k, Z_k < a_k) = beta(t_k) - beta(t_{k-1}) with the continuation regions
  (a_j, b_j), j < k; eta is the drift at which the last futility bound meets the last
  efficacy bound, a_K = b_K, so that the power at eta is exactly 1 - beta.
- Without futility, eta solves P_eta(reject) = 1 - beta.
- ``shift`` = eta^2 and ``inflation_factor`` = eta^2 / (z_alpha + z_beta)^2, the maximum
  information relative to the fixed design with the same alpha and power.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from scipy.special import ndtr, ndtri

from monitoring.designs.group_sequential.integration import (
    Crossings,
    Stage,
    crossing_probabilities,
    first_stage,
    next_stage,
    null_stages,
    tilted_upper_crossings,
)
from monitoring.designs.group_sequential.spending import (
    GroupSequentialError,
    SpendingFunction,
)

_XTOL = 1e-13
_BOUND_LIMIT = 40.0
# Reweighting H0 sub-densities (grid up to 9) serves for drifts when bounds stay below this.
_TILT_LIMIT = 6.0


@dataclass(frozen=True)
class DesignSpec:
    """What a group-sequential design is asked to do.

    ``fractions``: information fractions of the looks, increasing, the last 1. ``beta`` sets
    the power 1 - beta used for the drift (and the futility spending when ``futility`` is
    given; rpact's ``typeBetaSpending``).
    """

    alpha: float
    fractions: tuple[float, ...]
    efficacy: SpendingFunction
    beta: float = 0.2
    futility: SpendingFunction | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.alpha < 0.5:
            raise GroupSequentialError(f"one-sided alpha must lie in (0, 0.5); got {self.alpha}")
        if not 0.0 < self.beta < 0.5:
            raise GroupSequentialError(f"beta must lie in (0, 0.5); got {self.beta}")
        check_fractions(self.fractions)


def _brentq(f: Callable[[float], float], a: float, b: float, **options: Any) -> float:
    """``scipy.optimize.brentq``, imported on first use: ``scipy.optimize`` loads
    ``scipy.linalg`` and ``scipy.sparse`` (about 0.2 s), which a command that only reads a
    trial's decisions (``status``, ``report``) does not need."""
    from scipy.optimize import brentq as solve

    return float(solve(f, a, b, **options))


def check_fractions(fractions: Sequence[float]) -> None:
    """Refuse fractions that are not increasing in (0, 1] ending at 1."""
    if not fractions:
        raise GroupSequentialError("need at least one look")
    if any(not math.isfinite(t) for t in fractions):
        raise GroupSequentialError(f"information fractions must be finite; got {fractions}")
    if fractions[0] <= 0.0 or any(b <= a for a, b in itertools.pairwise(fractions)):
        raise GroupSequentialError(
            f"information fractions must be positive and strictly increasing; got {fractions}"
        )
    if abs(fractions[-1] - 1.0) > 1e-12:
        raise GroupSequentialError(f"the last information fraction must be 1; got {fractions[-1]}")


@dataclass(frozen=True)
class DesignLook:
    """One look of a design.

    ``z_efficacy``: efficacy bound (z scale; +inf when no alpha is spent at this look);
    ``nominal_p_efficacy``: 1 - Phi(z_efficacy) (rpact ``stageLevels``); ``alpha_spent`` and
    ``beta_spent``: cumulative; ``z_futility``: None at the last look or without futility.
    Crossing probabilities are first-crossing probabilities at this look: under H0 for
    efficacy ignoring futility (they sum to alpha), under H0 for futility, and under the
    design drift for both (with futility stopping, rpact ``rejectionProbabilities`` and
    ``futilityProbabilities``).
    """

    fraction: float
    z_efficacy: float
    nominal_p_efficacy: float
    alpha_spent: float
    z_futility: float | None
    beta_spent: float | None
    efficacy_h0: float
    futility_h0: float
    efficacy_h1: float
    futility_h1: float


@dataclass(frozen=True)
class GroupSequentialDesign:
    """A computed design: its looks and characteristics at the design drift.

    ``drift``: eta = sqrt(shift), E[Z_k] = eta sqrt(t_k) under the design alternative;
    ``power``: cumulative power per look; ``asn_h1``, ``asn_h01``, ``asn_h0``: expected
    information relative to the fixed design under eta, eta/2 and 0 (rpact
    ``averageSampleNumber1``, ``01``, ``0``), counting futility stops.
    """

    spec: DesignSpec
    looks: tuple[DesignLook, ...]
    drift: float
    shift: float
    inflation_factor: float
    power: tuple[float, ...]
    asn_h1: float
    asn_h01: float
    asn_h0: float

    @property
    def critical_values(self) -> tuple[float, ...]:
        """Efficacy bounds, z scale."""
        return tuple(look.z_efficacy for look in self.looks)

    @property
    def futility_bounds(self) -> tuple[float, ...] | None:
        """Futility bounds at looks 1..K-1 (z scale), None without futility spending."""
        if self.spec.futility is None:
            return None
        return tuple(look.z_futility for look in self.looks[:-1] if look.z_futility is not None)


def _next_fraction(fractions: Sequence[float], k: int) -> float | None:
    return fractions[k + 1] if k + 1 < len(fractions) else None


def efficacy_bounds(
    alpha: float, fractions: Sequence[float], spending: SpendingFunction
) -> tuple[float, ...]:
    """Efficacy bounds b_k spending alpha(t_k) - alpha(t_{k-1}) under H0, no futility."""
    check_fractions(fractions)
    spent = [spending.cumulative(alpha, t) for t in fractions]
    spent[-1] = alpha
    bounds: list[float] = []
    stage: Stage | None = None
    previous = 0.0
    for k, t in enumerate(fractions):
        increment = spent[k] - previous
        previous = spent[k]
        t_next = _next_fraction(fractions, k)
        if stage is None:
            b = float(-ndtri(increment)) if increment > 0 else math.inf
            stage = first_stage(t, 0.0, -math.inf, b, t_next)
        else:
            b = _solve_upper(stage, t, increment)
            if t_next is not None:
                stage = next_stage(stage, t, 0.0, -math.inf, b, t_next)
        bounds.append(b)
    return tuple(bounds)


def _exit_function(stage: Stage, t: float, drift: float, upper: bool) -> Callable[[float], float]:
    """bound -> first-crossing probability above (``upper``) or below it at look t."""
    d = t - stage.fraction
    base = (stage.nodes * math.sqrt(stage.fraction) + drift * d) / math.sqrt(d)
    scale = math.sqrt(t / d)
    masses = stage.masses
    sign = -1.0 if upper else 1.0
    return lambda bound: float(ndtr(sign * (bound * scale - base)) @ masses)


def _solve_upper(stage: Stage, t: float, increment: float) -> float:
    if increment <= 0.0:
        return math.inf
    exit_above = _exit_function(stage, t, 0.0, upper=True)
    if exit_above(-_BOUND_LIMIT) < increment:
        raise GroupSequentialError("alpha to spend exceeds the probability left to spend it")
    return float(
        _brentq(lambda b: exit_above(b) - increment, -_BOUND_LIMIT, _BOUND_LIMIT, xtol=_XTOL)
    )


def futility_bounds(
    beta: float,
    fractions: Sequence[float],
    spending: SpendingFunction,
    upper: Sequence[float],
    drift: float,
) -> tuple[float, ...]:
    """Futility bounds a_1..a_K spending beta under ``drift`` (the last one unconstrained).

    A bound the beta increment cannot reach (too little probability left) is +inf.
    """
    spent = [spending.cumulative(beta, t) for t in fractions]
    spent[-1] = beta
    bounds: list[float] = []
    stage: Stage | None = None
    previous = 0.0
    for k, t in enumerate(fractions):
        increment = spent[k] - previous
        previous = spent[k]
        t_next = _next_fraction(fractions, k)
        if stage is None:
            a = float(ndtri(increment)) + drift * math.sqrt(t) if increment > 0 else -math.inf
            if t_next is not None:
                stage = first_stage(t, drift, a, upper[k], t_next)
        else:
            a = _solve_lower(stage, t, drift, increment)
            if t_next is not None:
                stage = next_stage(stage, t, drift, a, upper[k], t_next)
        bounds.append(a)
    return tuple(bounds)


def _solve_lower(stage: Stage, t: float, drift: float, increment: float) -> float:
    if increment <= 0.0:
        return -math.inf
    if stage.nodes.size == 0:
        return math.inf
    mean = drift * math.sqrt(t)
    lo, hi = mean - _BOUND_LIMIT, mean + _BOUND_LIMIT
    exit_below = _exit_function(stage, t, drift, upper=False)
    if exit_below(hi) < increment:
        return math.inf
    return float(_brentq(lambda a: exit_below(a) - increment, lo, hi, xtol=_XTOL))


def _finite(x: float) -> float:
    return x if math.isfinite(x) else _BOUND_LIMIT


def _beta_spending_drift(spec: DesignSpec, upper: Sequence[float]) -> float:
    futility = spec.futility
    assert futility is not None

    def gap(drift: float) -> float:
        a = futility_bounds(spec.beta, spec.fractions, futility, upper, drift)
        return _finite(a[-1]) - upper[-1]

    hi = 2.0 * (float(-ndtri(spec.alpha)) + float(-ndtri(spec.beta))) + 1.0
    if not gap(0.0) < 0.0 < gap(hi):
        raise GroupSequentialError("no drift makes the last futility bound meet the efficacy bound")
    return float(_brentq(gap, 0.0, hi, xtol=_XTOL, maxiter=200))


def _power_drift(spec: DesignSpec, upper: Sequence[float]) -> float:
    target = 1.0 - spec.beta
    if max(upper[:-1], default=0.0) < _TILT_LIMIT:
        stages = null_stages(spec.fractions, upper)

        def shortfall(drift: float) -> float:
            return tilted_upper_crossings(stages, spec.fractions, upper, drift) - target
    else:  # H0 grids end at 9: too short for a drifted density above a bound that high
        lower = [-math.inf] * len(upper)

        def shortfall(drift: float) -> float:
            crossings = crossing_probabilities(spec.fractions, upper, lower, drift)
            return sum(crossings.upper) - target

    hi = 2.0 * (float(-ndtri(spec.alpha)) + float(-ndtri(spec.beta))) + 1.0
    return float(_brentq(shortfall, 0.0, hi, xtol=_XTOL, maxiter=200))


def _asn(fractions: Sequence[float], crossings: Crossings) -> float:
    """Expected information as a fraction of the maximum, counting both kinds of stop."""
    stops = [u + lo for u, lo in zip(crossings.upper[:-1], crossings.lower[:-1], strict=True)]
    return 1.0 - sum(p * (1.0 - t) for p, t in zip(stops, fractions[:-1], strict=True))


def compute_design(spec: DesignSpec) -> GroupSequentialDesign:
    """Boundaries, spending and characteristics of ``spec`` (rpact conventions, see module)."""
    fractions = spec.fractions
    k_max = len(fractions)
    upper = efficacy_bounds(spec.alpha, fractions, spec.efficacy)
    alpha_spent = [spec.efficacy.cumulative(spec.alpha, t) for t in fractions]
    alpha_spent[-1] = spec.alpha
    none = [-math.inf] * k_max
    if spec.futility is None:
        drift = _power_drift(spec, upper)
        lower: list[float] = none
    else:
        drift = _beta_spending_drift(spec, upper)
        raw = futility_bounds(spec.beta, fractions, spec.futility, upper, drift)
        lower = [*raw[:-1], -math.inf]
    h0 = crossing_probabilities(fractions, upper, lower, 0.0)
    h0_efficacy = h0.upper
    if spec.futility is not None:
        h0_efficacy = crossing_probabilities(fractions, upper, none, 0.0).upper
    h1 = crossing_probabilities(fractions, upper, lower, drift)
    h01 = crossing_probabilities(fractions, upper, lower, drift / 2.0)
    beta_spent = [sum(h1.lower[: k + 1]) for k in range(k_max)]
    if spec.futility is not None:
        # at the last look a_K = b_K: whatever does not reject counts as futility
        beta_spent[-1] = 1.0 - sum(h1.upper)
    looks = tuple(
        DesignLook(
            fraction=fractions[k],
            z_efficacy=upper[k],
            nominal_p_efficacy=float(ndtr(-upper[k])),
            alpha_spent=alpha_spent[k],
            z_futility=lower[k] if spec.futility is not None and k < k_max - 1 else None,
            beta_spent=beta_spent[k] if spec.futility is not None else None,
            efficacy_h0=h0_efficacy[k],
            futility_h0=h0.lower[k],
            efficacy_h1=h1.upper[k],
            futility_h1=h1.lower[k],
        )
        for k in range(k_max)
    )
    fixed = (float(-ndtri(spec.alpha)) + float(-ndtri(spec.beta))) ** 2
    power = [sum(h1.upper[: k + 1]) for k in range(k_max)]
    return GroupSequentialDesign(
        spec=spec,
        looks=looks,
        drift=drift,
        shift=drift * drift,
        inflation_factor=drift * drift / fixed,
        power=tuple(power),
        asn_h1=_asn(fractions, h1) * drift * drift / fixed,
        asn_h01=_asn(fractions, h01) * drift * drift / fixed,
        asn_h0=_asn(fractions, h0) * drift * drift / fixed,
    )
