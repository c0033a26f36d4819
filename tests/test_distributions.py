"""``monitoring.distributions`` returns what ``scipy.stats`` returns, bit for bit.

The decisions call these functions instead of ``scipy.stats`` (0.8 s to import); the
expected values are ``scipy.stats``' own on grids covering the support's edges (k below 0,
at 0, at n and above n; p at 0 and 1), compared with ``==``, not a tolerance.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from monitoring import distributions as d


def _same(mine: object, theirs: object) -> None:
    a, b = np.asarray(mine), np.asarray(theirs)
    assert a.shape == b.shape
    assert np.array_equal(a, b, equal_nan=True), (a, b)


def test_binomial_pmf_cdf_sf_equal_scipy_stats() -> None:
    k = np.arange(-3, 45)[None, :]
    for n in (0, 1, 7, 18, 30, 40):
        p = np.array([0.0, 1e-9, 0.05, 0.2, 0.35, 0.5, 0.8, 0.999, 1.0])[:, None]
        _same(d.binom_pmf(k, n, p), stats.binom.pmf(k, n, p))
        _same(d.binom_cdf(k, n, p), stats.binom.cdf(k, n, p))
        _same(d.binom_sf(k, n, p), stats.binom.sf(k, n, p))
    # scalars stay scalars, as callers wrap them in float()
    _same(d.binom_cdf(6, 18, 0.35), stats.binom.cdf(6, 18, 0.35))
    assert np.ndim(d.binom_sf(3, 10, 0.4)) == 0


def test_beta_quantiles_equal_scipy_stats() -> None:
    for q in (0.0, 0.025, 0.05, 0.5, 0.95, 0.975, 1.0):
        for a, b in ((0.5, 0.5), (1.0, 1.0), (3.0, 17.0), (41.0, 8.0), (363.5, 4531.5)):
            assert d.beta_ppf(q, a, b) == float(stats.beta.ppf(q, a, b))


def test_beta_binomial_pmf_equals_scipy_stats() -> None:
    for m in (0, 1, 12, 30):
        for a, b in ((0.5, 0.5), (7.2, 11.8), (15.0, 3.0)):
            k = np.arange(m + 1)
            _same(d.betabinom_pmf(k, m, a, b), stats.betabinom.pmf(k, m, a, b))


def test_normal_and_chi_square_equal_scipy_stats() -> None:
    q = np.array([0.0, 0.025, 0.5, 0.975, 1.0])
    _same(d.norm_ppf(q), stats.norm.ppf(q))
    x = np.array([-3.0, 0.0, 1.96, 8.5])
    _same(d.norm_sf(x), stats.norm.sf(x))
    for df in (1, 2, 5):
        for chisq in (0.0, 0.3, 3.84, 40.0):
            assert d.chi2_sf(chisq, df) == float(stats.chi2.sf(chisq, df))
