"""Invariants of the Kaplan–Meier library over random data (hypothesis, deterministic)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.survival import (
    ConfType,
    kaplan_meier,
    kaplan_meier_by,
    log_rank,
    restricted_mean,
    survival_at,
)
from monitoring.survival.quantiles import TOLERANCE

SETTINGS = settings(max_examples=60, derandomize=True, deadline=None)

# Day counts with many ties (as trial data are), events 0/1, groups from a small set.
subjects = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=40),
        st.booleans(),
        st.sampled_from(["a", "b", "c"]),
    ),
    min_size=1,
    max_size=40,
)


def _arrays(rows: list[tuple[int, bool, str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t, e, g = zip(*rows, strict=True)
    return np.array(t, float), np.array(e, bool), np.array(g)


@SETTINGS
@given(subjects, st.sampled_from(list(ConfType)))
def test_curve_and_band_are_well_formed(rows: list[tuple[int, bool, str]], ct: ConfType) -> None:
    """S is non-increasing in [0, 1]; the band contains S wherever it is defined; the
    counts add up: n at risk starts at n, events + censorings = n."""
    t, e, _ = _arrays(rows)
    fit = kaplan_meier(t, e, ct)
    assert np.all(np.diff(fit.survival) <= 0)
    assert np.all((fit.survival >= 0) & (fit.survival <= 1))
    ok = ~np.isnan(fit.lower)
    assert np.all(fit.lower[ok] <= fit.survival[ok] + 1e-12)
    assert np.all(fit.upper[ok] >= fit.survival[ok] - 1e-12)
    assert np.all((fit.lower[ok] >= 0) & (fit.upper[ok] <= 1))
    assert fit.n_risk[0] == t.size
    assert fit.n_event.sum() + fit.n_censor.sum() == t.size
    assert fit.events == int(e.sum())


@SETTINGS
@given(subjects, st.randoms(use_true_random=False))
def test_order_of_subjects_does_not_matter(rows: list[tuple[int, bool, str]], rnd) -> None:  # type: ignore[no-untyped-def]
    t, e, _ = _arrays(rows)
    perm = np.array(rnd.sample(range(t.size), t.size))
    a, b = kaplan_meier(t, e), kaplan_meier(t[perm], e[perm])
    np.testing.assert_array_equal(a.survival, b.survival)
    np.testing.assert_array_equal(a.lower, b.lower)
    assert a.median == b.median


@SETTINGS
@given(subjects)
def test_landmarks_at_own_times_equal_rows(rows: list[tuple[int, bool, str]]) -> None:
    """S(t) at each distinct time is that row's value; at risk is that row's n at risk."""
    t, e, _ = _arrays(rows)
    fit = kaplan_meier(t, e)
    lm = survival_at(fit, list(fit.time))
    np.testing.assert_array_equal(lm.survival, fit.survival)
    np.testing.assert_array_equal(lm.n_risk, fit.n_risk)
    np.testing.assert_array_equal(lm.cum_event, np.cumsum(fit.n_event))


@SETTINGS
@given(subjects)
def test_median_is_first_time_below_half(rows: list[tuple[int, bool, str]]) -> None:
    """The median's row has S <= 0.5 and every earlier row has S >= 0.5 (0.5 itself only in
    the midpoint case); no median means S stays above 0.5 at every time."""
    t, e, _ = _arrays(rows)
    fit = kaplan_meier(t, e)
    m = fit.median.time
    if m is None:
        assert np.all(fit.survival > 0.5 - TOLERANCE)
        return
    before = fit.survival[fit.time < m]
    assert np.all(before >= 0.5 - TOLERANCE)
    at = fit.survival[fit.time <= m][-1]
    assert at <= 0.5 + TOLERANCE
    if fit.median.lower is not None:
        assert fit.median.lower <= m
    if fit.median.upper is not None:
        assert fit.median.upper >= m


@SETTINGS
@given(subjects, st.floats(min_value=0.5, max_value=60), st.floats(min_value=0, max_value=20))
def test_rmst_grows_with_horizon_and_stays_below_it(
    rows: list[tuple[int, bool, str]], h: float, extra: float
) -> None:
    t, e, _ = _arrays(rows)
    fit = kaplan_meier(t, e)
    a, b = restricted_mean(fit, h), restricted_mean(fit, h + extra)
    assert 0 <= a.rmst <= h + 1e-12
    assert b.rmst >= a.rmst - 1e-12
    assert a.se >= 0


@SETTINGS
@given(subjects)
def test_grouped_fit_equals_separate_fits(rows: list[tuple[int, bool, str]]) -> None:
    t, e, g = _arrays(rows)
    grouped = kaplan_meier_by(t, e, g)
    for label, fit in zip(grouped.groups, grouped.fits, strict=True):
        alone = kaplan_meier(t[g == label], e[g == label])
        np.testing.assert_array_equal(fit.survival, alone.survival)


@SETTINGS
@given(subjects)
def test_log_rank_is_label_free_and_consistent(rows: list[tuple[int, bool, str]]) -> None:
    """Renaming groups changes nothing; observed and expected totals are equal (both are
    the number of deaths); the variance matrix rows sum to zero. A singular variance (R's
    survdiff stops with an error) gives no statistic."""
    t, e, g = _arrays(rows)
    if np.unique(g).size < 2:
        return
    a = log_rank(t, e, g)
    b = log_rank(t, e, np.char.add("z", g))
    assert abs(a.observed.sum() - a.expected.sum()) <= 1e-9
    np.testing.assert_allclose(a.variance.sum(axis=1), 0, atol=1e-9)
    if a.chisq is None:  # singular variance: no test, whatever the labels
        assert b.chisq is None
        return
    assert b.chisq is not None
    assert a.chisq >= 0
    assert abs(a.chisq - b.chisq) <= 1e-9 * max(1.0, a.chisq)


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1e300, allow_nan=False, allow_infinity=False),
            st.booleans(),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_count_table_equals_naive_counting(rows: list[tuple[float, bool]]) -> None:
    """The one-key sort (time bits and event flag) gives the same distinct times, subjects
    and events as counting each distinct time directly, for any non-negative doubles
    (subnormals, -0.0 and huge values included)."""
    t = np.array([r[0] for r in rows] + [-0.0])
    e = np.array([r[1] for r in rows] + [True])
    fit = kaplan_meier(t, e)
    expected_times = np.unique(t)
    np.testing.assert_array_equal(fit.time, expected_times)
    assert fit.n_event.tolist() == [int(e[t == x].sum()) for x in expected_times]
    assert (fit.n_event + fit.n_censor).tolist() == [int((t == x).sum()) for x in expected_times]
