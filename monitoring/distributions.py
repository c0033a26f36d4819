"""The few probability functions the decisions need, without loading ``scipy.stats``.

``scipy.stats`` takes 0.8 s to import (its distribution objects build their docstrings);
every command that decides a rule would pay it. These functions call the same numerical
kernels ``scipy.stats`` calls (``scipy.special``: Boost's binomial and beta functions,
``betaln``, ``ndtr``/``ndtri``, ``chdtrc``) with the same support rules and clipping, so
they return the same numbers bit for bit (``tests/test_distributions.py`` compares them
with ``scipy.stats`` on grids). Arguments are assumed valid (``0 <= p <= 1``, ``n`` a whole
number, shapes positive); an invalid one gives ``nan`` as in ``scipy.stats``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.special._ufuncs as _scu  # the kernels scipy.stats' binom and beta call
from scipy.special import betaln, chdtrc, ndtr, ndtri

ArrayLike = Any
"""A number or an array of numbers (numpy broadcasting)."""


def _result(output: np.ndarray) -> Any:
    return output[()] if output.ndim == 0 else output


def _binomial(
    kernel: Any, k: ArrayLike, n: ArrayLike, p: ArrayLike, below: float, above: float
) -> Any:
    """``kernel(floor(k), n, p)`` inside ``0 <= k < n``; ``below`` for ``k < 0``, ``above``
    for ``k >= n`` (``scipy.stats.rv_discrete.cdf``/``sf``)."""
    k, n, p = np.broadcast_arrays(np.asarray(k), np.asarray(n), np.asarray(p))
    valid = (n >= 0) & (np.floor(n) == n) & (p >= 0) & (p <= 1)
    inside = valid & (k >= 0) & (k < n) & np.isfinite(k)
    output = np.zeros(k.shape, "d")
    output[valid & (k >= n)] = above
    output[valid & (k < 0)] = below
    output[~valid | np.isnan(k)] = np.nan
    if np.any(inside):
        values = kernel(np.floor(k[inside]), n[inside], p[inside])
        output[inside] = np.clip(values, 0, 1)
    return _result(output)


def binom_pmf(k: ArrayLike, n: ArrayLike, p: ArrayLike) -> Any:
    """``scipy.stats.binom.pmf(k, n, p)``."""
    k, n, p = np.broadcast_arrays(np.asarray(k), np.asarray(n), np.asarray(p))
    valid = (n >= 0) & (np.floor(n) == n) & (p >= 0) & (p <= 1)
    inside = valid & (k >= 0) & (k <= n) & (np.floor(k) == k)
    output = np.zeros(k.shape, "d")
    output[~valid | np.isnan(k)] = np.nan
    if np.any(inside):
        output[inside] = np.clip(_scu._binom_pmf(k[inside], n[inside], p[inside]), 0, 1)
    return _result(output)


def binom_cdf(k: ArrayLike, n: ArrayLike, p: ArrayLike) -> Any:
    """``scipy.stats.binom.cdf(k, n, p)``: Pr(X <= k)."""
    return _binomial(_scu._binom_cdf, k, n, p, below=0.0, above=1.0)


def binom_sf(k: ArrayLike, n: ArrayLike, p: ArrayLike) -> Any:
    """``scipy.stats.binom.sf(k, n, p)``: Pr(X > k)."""
    return _binomial(_scu._binom_sf, k, n, p, below=1.0, above=0.0)


def beta_ppf(q: float, a: float, b: float) -> float:
    """``scipy.stats.beta.ppf(q, a, b)`` of one probability ``q`` (0 at 0, 1 at 1)."""
    if not (a > 0 and b > 0 and 0 <= q <= 1):
        return float("nan")
    if q == 0:
        return 0.0
    if q == 1:
        return 1.0
    return float(_scu._beta_ppf(q, a, b))


def betabinom_pmf(k: ArrayLike, n: int, a: float, b: float) -> Any:
    """``scipy.stats.betabinom.pmf(k, n, a, b)`` for whole ``k`` in ``0..n`` (its
    ``_logpmf``, exponentiated and clipped as ``rv_discrete.pmf`` does)."""
    k, n_, a_, b_ = np.broadcast_arrays(np.asarray(k), np.asarray(n), np.asarray(a), np.asarray(b))
    valid = (n_ >= 0) & (np.floor(n_) == n_) & (a_ > 0) & (b_ > 0)
    inside = valid & (k >= 0) & (k <= n_) & (np.floor(k) == k)
    output = np.zeros(k.shape, "d")
    output[~valid | np.isnan(k)] = np.nan
    if np.any(inside):
        x, m, aa, bb = k[inside], n_[inside], a_[inside], b_[inside]
        kk = np.floor(x)
        combiln = -np.log(m + 1) - betaln(m - kk + 1, kk + 1)
        log_pmf = combiln + betaln(kk + aa, m - kk + bb) - betaln(aa, bb)
        output[inside] = np.clip(np.exp(log_pmf), 0, 1)
    return _result(output)


def norm_ppf(q: ArrayLike) -> Any:
    """``scipy.stats.norm.ppf(q)`` (the standard normal quantile)."""
    return ndtri(q)


def norm_sf(x: ArrayLike) -> Any:
    """``scipy.stats.norm.sf(x)``: Pr(Z > x)."""
    return ndtr(-np.asarray(x))


def chi2_sf(x: float, df: float) -> float:
    """``scipy.stats.chi2.sf(x, df)`` of one value (1 at or below 0)."""
    if not df > 0 or x != x:
        return float("nan")
    if x <= 0:
        return 1.0
    return float(chdtrc(df, x))
