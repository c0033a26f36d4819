"""Recursive numerical integration of the canonical joint distribution of sequential z's.

Canonical model (Jennison & Turnbull 2000, ch. 3 and 19): with information fractions
0 < t_1 < ... < t_K = 1 and drift eta, the score process W(t) = sqrt(t) Z(t) is a Brownian
motion with drift: W(t_k) - W(t_{k-1}) ~ N(eta (t_k - t_{k-1}), t_k - t_{k-1}), independent
increments, so E[Z_k] = eta sqrt(t_k). For a design with maximum information I_max and
effect theta (log hazard ratio, sign so that benefit is positive), eta = theta sqrt(I_max);
rpact's ``shift`` is eta^2.

The sub-density of Z_k on the continuation region (a_k, b_k) (no boundary crossed at looks
1..k) follows the recursion (Armitage, McPherson & Rowe 1969)

    f_1(z) = phi(z - eta sqrt(t_1)),
    f_k(z) = integral f_{k-1}(u) sqrt(t_k / D)
                 phi((z sqrt(t_k) - u sqrt(t_{k-1}) - eta D) / sqrt(D)) du,

with D = t_k - t_{k-1}, and the probability of first crossing b_k (or a_k) at look k is the
integral of f_{k-1}(u) times the normal tail of the increment, evaluated in closed form with
Phi. Only one dimension is integrated numerically at each look.

Grid. Each look's continuation region, clipped to eta sqrt(t_k) +- 9 (a sub-density is at most
the N(eta sqrt(t_k), 1) marginal, so the mass left out is below 1e-18), is cut into equal panels
no wider than ``PANEL_SCALE`` times the smallest normal width met by the integrand (1, the
width sqrt(D_k / t_k) of the kernel into look k, and sqrt(D_{k+1} / t_k) of the kernel out of
it), each panel carrying ``NODES_PER_PANEL`` Gauss–Legendre nodes. With panels of at most one
standard deviation and 12 nodes the quadrature error on these Gaussian integrands is below
1e-12 (checked by doubling the nodes: tests/test_group_sequential.py); close looks (e.g.
fractions 0.61 and 0.62) get proportionally narrower panels rather than lose accuracy.
A four-look design uses about 250 nodes per look.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

FloatArray = NDArray[np.float64]

NODES_PER_PANEL = 12
PANEL_SCALE = 1.0
# At most this many panels per look (2,400 nodes, a 2,400 x 2,400 kernel, 46 MB): reached only
# for looks less than about 0.008 apart in information, where panels then span a little more
# than the kernel's width; 12 Gauss–Legendre nodes still integrate that: looks at 0.5 and
# 0.5005 give the same bounds to 1e-14 with 600 or 2,000 panels (tests).
MAX_PANELS = 200
TAIL = 9.0
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@lru_cache(maxsize=8)
def _legendre(n: int) -> tuple[FloatArray, FloatArray]:
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return nodes, weights


def quadrature(lo: float, hi: float, scale: float) -> tuple[FloatArray, FloatArray]:
    """Composite Gauss–Legendre nodes and weights on [lo, hi], panels at most ``scale`` wide."""
    panels = min(MAX_PANELS, max(1, math.ceil((hi - lo) / (PANEL_SCALE * scale) - 1e-9)))
    x0, w0 = _legendre(NODES_PER_PANEL)
    width = (hi - lo) / panels
    starts = lo + width * np.arange(panels)
    nodes = (starts[:, None] + (x0[None, :] + 1.0) * (width / 2.0)).ravel()
    weights = np.tile(w0 * (width / 2.0), panels)
    return nodes, weights


@dataclass(frozen=True)
class Stage:
    """The continuation sub-density at one look: ``masses[i]`` = weight * f_k(nodes[i]).

    ``fraction`` is t_k; an empty stage (no nodes) has no mass left to continue.
    """

    fraction: float
    nodes: FloatArray
    masses: FloatArray

    @property
    def mass(self) -> float:
        """Probability of reaching this look without crossing (and continuing past it)."""
        return float(self.masses.sum())


def _scale(t_prev: float, t: float, t_next: float | None) -> float:
    widths = [1.0, math.sqrt((t - t_prev) / t)] if t_prev > 0 else [1.0]
    if t_next is not None:
        widths.append(math.sqrt((t_next - t) / t))
    return min(widths)


def _region(t: float, drift: float, lower: float, upper: float) -> tuple[float, float]:
    mean = drift * math.sqrt(t)
    return max(lower, mean - TAIL), min(upper, mean + TAIL)


def first_stage(t: float, drift: float, lower: float, upper: float, t_next: float | None) -> Stage:
    """Sub-density of Z_1 on (lower, upper)."""
    lo, hi = _region(t, drift, lower, upper)
    if hi <= lo:
        return Stage(t, np.empty(0), np.empty(0))
    x, w = quadrature(lo, hi, _scale(0.0, t, t_next))
    dens = _INV_SQRT_2PI * np.exp(-0.5 * (x - drift * math.sqrt(t)) ** 2)
    return Stage(t, x, w * dens)


def _increment_standardised(
    stage: Stage, t: float, drift: float, z: float | FloatArray
) -> FloatArray:
    """(z sqrt(t) - u sqrt(t_prev) - eta D) / sqrt(D) for each node u (and each z)."""
    d = t - stage.fraction
    shift = stage.nodes * math.sqrt(stage.fraction) + drift * d
    if isinstance(z, np.ndarray):
        return np.asarray((z[:, None] * math.sqrt(t) - shift[None, :]) / math.sqrt(d))
    return np.asarray((z * math.sqrt(t) - shift) / math.sqrt(d))


def next_stage(
    stage: Stage, t: float, drift: float, lower: float, upper: float, t_next: float | None
) -> Stage:
    """Sub-density of Z_k on (lower, upper) from that of look k-1."""
    lo, hi = _region(t, drift, lower, upper)
    if hi <= lo or stage.nodes.size == 0:
        return Stage(t, np.empty(0), np.empty(0))
    x, w = quadrature(lo, hi, _scale(stage.fraction, t, t_next))
    d = t - stage.fraction
    s = _increment_standardised(stage, t, drift, x)
    kernel = np.exp(-0.5 * s * s) * (_INV_SQRT_2PI * math.sqrt(t / d))
    return Stage(t, x, w * (kernel @ stage.masses))


def upper_exit(stage: Stage, t: float, drift: float, bound: float) -> float:
    """P(Z_k >= bound at look k, continuing at look k-1) with ``stage`` the look k-1."""
    if math.isinf(bound) or stage.nodes.size == 0:
        return 0.0 if bound > 0 or stage.nodes.size == 0 else stage.mass
    return float(ndtr(-_increment_standardised(stage, t, drift, bound)) @ stage.masses)


def lower_exit(stage: Stage, t: float, drift: float, bound: float) -> float:
    """P(Z_k < bound at look k, continuing at look k-1) with ``stage`` the look k-1."""
    if math.isinf(bound) or stage.nodes.size == 0:
        return stage.mass if bound > 0 and stage.nodes.size else 0.0
    return float(ndtr(_increment_standardised(stage, t, drift, bound)) @ stage.masses)


@dataclass(frozen=True)
class Crossings:
    """First-crossing probabilities per look: above ``upper`` and below ``lower``."""

    upper: tuple[float, ...]
    lower: tuple[float, ...]


def crossing_probabilities(
    fractions: Sequence[float],
    upper: Sequence[float],
    lower: Sequence[float],
    drift: float,
) -> Crossings:
    """First-crossing probabilities with continuation regions (lower_k, upper_k).

    ``lower`` may hold -inf (no futility bound at that look), ``upper`` +inf.
    """
    ups: list[float] = []
    lows: list[float] = []
    k_max = len(fractions)
    stage: Stage | None = None
    for k, t in enumerate(fractions):
        t_next = fractions[k + 1] if k + 1 < k_max else None
        if stage is None:
            mean = drift * math.sqrt(t)
            ups.append(float(ndtr(mean - upper[k])))
            lows.append(float(ndtr(lower[k] - mean)))
            stage = first_stage(t, drift, lower[k], upper[k], t_next)
        else:
            ups.append(upper_exit(stage, t, drift, upper[k]))
            lows.append(lower_exit(stage, t, drift, lower[k]))
            if t_next is not None:
                stage = next_stage(stage, t, drift, lower[k], upper[k], t_next)
    return Crossings(tuple(ups), tuple(lows))


def null_stages(fractions: Sequence[float], upper: Sequence[float]) -> tuple[Stage, ...]:
    """Sub-densities under H0 at looks 1..K-1 with continuation regions (-inf, upper_k)."""
    stages: list[Stage] = []
    k_max = len(fractions)
    for k in range(k_max - 1):
        t_next = fractions[k + 1]
        if not stages:
            stages.append(first_stage(fractions[0], 0.0, -math.inf, upper[0], t_next))
        else:
            stages.append(next_stage(stages[-1], fractions[k], 0.0, -math.inf, upper[k], t_next))
    return tuple(stages)


def tilted_upper_crossings(
    stages: Sequence[Stage], fractions: Sequence[float], upper: Sequence[float], drift: float
) -> float:
    """Total probability of crossing ``upper`` under ``drift``, from the H0 sub-densities.

    The likelihood ratio of drift eta to H0 given the path to look k depends on Z_k alone,
    exp(eta sqrt(t_k) Z_k - eta^2 t_k / 2), so the sub-densities under eta on the same
    continuation regions are the H0 ones times that factor (same nodes, reweighted masses).
    """
    mean = drift * math.sqrt(fractions[0])
    total = float(ndtr(mean - upper[0]))
    for k, stage in enumerate(stages, start=1):
        if stage.nodes.size == 0:
            break
        t_prev = stage.fraction
        ratio = np.exp(drift * math.sqrt(t_prev) * stage.nodes - 0.5 * drift * drift * t_prev)
        tilted = Stage(t_prev, stage.nodes, stage.masses * ratio)
        total += upper_exit(tilted, fractions[k], drift, upper[k])
    return total
