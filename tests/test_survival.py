"""Kaplan–Meier library: hand calculations, the SPEC 6.1 contract, choices beyond R, errors.

R-equality over real and edge-case data is in test_survival_reference.py; here each
expected number is worked by hand (shown in the docstring) or is a documented choice.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

from monitoring.cli.common import to_jsonable
from monitoring.survival import (
    ConfType,
    KmJson,
    kaplan_meier,
    kaplan_meier_by,
    km_json,
    log_rank,
    median_follow_up,
    restricted_mean,
    risk_table,
    survival_at,
    survival_quantiles,
)

# times 1, 2, 2+, 3 (the + is censored)
TIME = [1, 2, 2, 3]
EVENT = [1, 1, 0, 1]
Z95 = 1.959963984540054  # qnorm(0.975)


def test_hand_kaplan_meier_and_greenwood() -> None:
    """S = 3/4, 3/4 * 2/3 = 1/2, then 0 (1 at risk, 1 death).
    Greenwood on the hazard scale: sqrt(1/(4*3)) = 0.2886751, sqrt(1/12 + 1/(3*2)) = 0.5,
    then 1/(1*0) = inf; se of S = S * that (NaN at S = 0, as R's 0 * Inf)."""
    fit = kaplan_meier(TIME, EVENT)
    np.testing.assert_array_equal(fit.time, [1, 2, 3])
    np.testing.assert_array_equal(fit.n_risk, [4, 3, 1])
    np.testing.assert_array_equal(fit.n_event, [1, 1, 1])
    np.testing.assert_array_equal(fit.n_censor, [0, 1, 0])
    np.testing.assert_allclose(fit.survival, [0.75, 0.5, 0.0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(fit.std_err_log, [math.sqrt(1 / 12), 0.5, math.inf], rtol=1e-14)
    np.testing.assert_allclose(fit.std_err[:2], [0.75 * math.sqrt(1 / 12), 0.25], rtol=1e-14)
    assert math.isnan(fit.std_err[2])
    assert (fit.n, fit.events) == (4, 3)


def test_hand_confidence_transforms_at_half() -> None:
    """At t = 2, S = 0.5 and se(log S) = 0.5. plain: 0.5 -+ z * 0.25;
    log: 0.5 * exp(-+ z * 0.5), upper capped at 1; log-log:
    exp(-exp(log(-log 0.5) -+ z * 0.5 / log 0.5)). Undefined at S = 0 (log, log-log)."""
    z = Z95
    plain = kaplan_meier(TIME, EVENT, "plain")
    assert plain.lower[1] == pytest.approx(0.5 - z * 0.25, abs=1e-12)
    assert plain.upper[1] == pytest.approx(0.5 + z * 0.25, abs=1e-12)
    log = kaplan_meier(TIME, EVENT, ConfType.LOG)
    assert log.lower[1] == pytest.approx(0.5 * math.exp(-z * 0.5), abs=1e-12)
    assert log.upper[1] == 1.0  # 0.5 * exp(0.98) = 1.33 capped at 1 (R's ulimit)
    ll = kaplan_meier(TIME, EVENT, "log-log")
    c = math.log(-math.log(0.5))
    shift = z * 0.5 / math.log(0.5)
    assert ll.lower[1] == pytest.approx(math.exp(-math.exp(c - shift)), abs=1e-12)
    assert ll.upper[1] == pytest.approx(math.exp(-math.exp(c + shift)), abs=1e-12)
    assert np.isnan(ll.lower[2])
    assert np.isnan(log.upper[2])


def test_conf_level_changes_only_the_normal_quantile() -> None:
    """90% plain limits at t = 2: 0.5 -+ qnorm(0.95) * 0.25, qnorm(0.95) = 1.644854."""
    fit = kaplan_meier(TIME, EVENT, "plain", conf_level=0.90)
    assert fit.lower[1] == pytest.approx(0.5 - 1.6448536269514722 * 0.25, abs=1e-12)


def test_log_log_undefined_before_first_event() -> None:
    """R gives NA for log-log limits where S = 1 (a censoring before any event)."""
    fit = kaplan_meier([1, 2, 3], [0, 1, 0])
    assert fit.survival[0] == 1.0
    assert np.isnan(fit.lower[0])
    assert np.isnan(fit.upper[0])
    assert km_json(fit, "OS").ci_lower[0] is None


def test_median_midpoint_rule() -> None:
    """Ten patients, deaths at 1..5 then S = 0.5 until the death at 8 (3 at risk): R's rule
    gives the midpoint (5 + 8) / 2 = 6.5, not 5 (Brookmeyer & Crowley's flat-segment case)."""
    fit = kaplan_meier(range(1, 11), [1, 1, 1, 1, 1, 0, 0, 1, 0, 1])
    assert fit.median.time == 6.5
    q = survival_quantiles(fit, [0.5])[0]
    assert q.time == 6.5


def test_median_not_reached_is_none() -> None:
    """One death among eight: S never drops to 0.5, so median and upper limit are None."""
    fit = kaplan_meier([2, 4, 6, 8, 10, 12, 14, 16], [1, 0, 0, 0, 0, 0, 0, 0])
    assert fit.median.time is None
    assert fit.median.upper is None
    out = km_json(fit, "OS")
    assert out.median is None
    assert out.median_ci[1] is None


def test_empty_input_gives_empty_curve() -> None:
    """No patients (an endpoint with no one eligible yet): empty arrays, nothing estimable."""
    fit = kaplan_meier([], [])
    assert (fit.n, fit.events, fit.time.size) == (0, 0, 0)
    assert fit.median.time is None
    assert km_json(fit, "DoR").times == ()


def test_results_are_immutable() -> None:
    fit = kaplan_meier(TIME, EVENT)
    with pytest.raises(ValueError, match="read-only"):
        fit.survival[0] = 0.1


def test_landmarks_extend_false_leaves_beyond_last_undefined() -> None:
    """Last time 3: at t = 5, extend=True carries S(3) = 0 with 0 at risk; extend=False
    gives NaN survival. At t = 2: S = 0.5, 3 at risk (times >= 2), 2 events, 1 censored."""
    fit = kaplan_meier(TIME, EVENT)
    ext = survival_at(fit, [5, 2])
    np.testing.assert_array_equal(ext.time, [2, 5])
    assert ext.survival.tolist() == [0.5, 0.0]
    assert ext.n_risk.tolist() == [3, 0]
    assert (ext.cum_event.tolist(), ext.cum_censor.tolist()) == ([2, 3], [1, 1])
    no_ext = survival_at(fit, [2, 5], extend=False)
    assert no_ext.survival[0] == 0.5
    assert math.isnan(no_ext.survival[1])


def test_risk_table_kmunicate() -> None:
    """At 0: 4 at risk, nothing yet; at 2.5: 1 at risk, 2 events, 1 censored."""
    table = risk_table(kaplan_meier(TIME, EVENT), [0, 2.5])
    assert table.at_risk.tolist() == [4, 1]
    assert table.events.tolist() == [0, 2]
    assert table.censored.tolist() == [0, 1]


def test_rmst_hand() -> None:
    """Horizon 2.5: area 1*1 + 1*0.75 + 0.5*0.5 = 2.0. Variance: area after t=1 is 1.0 with
    Greenwood term 1/12, after t=2 is 0.25 with 1/(3*2): 1/12 + 0.0625/6 = 0.09375."""
    got = restricted_mean(kaplan_meier(TIME, EVENT), 2.5)
    assert got.rmst == pytest.approx(2.0, abs=1e-14)
    assert got.se == pytest.approx(math.sqrt(0.09375), abs=1e-14)


def test_rmst_before_first_time_is_horizon() -> None:
    """R stops with an error here; the curve is 1 up to the first time, so RMST = H, se 0."""
    got = restricted_mean(kaplan_meier([5, 7], [1, 0]), 2.0)
    assert (got.rmst, got.se) == (2.0, 0.0)


def test_log_rank_two_groups_hand() -> None:
    """A dies at 1 and 3, B at 2 and 4. E_A = 2/4 + 1/3 + 1/2 + 0 = 4/3; V_AA =
    1*3/(16*3)*2*2 + 1*2/(9*2)*1*2 + 1*1/(4*1)*1*1 = 13/18; chi2 = (2 - 4/3)^2 / V = 8/13."""
    got = log_rank([1, 3, 2, 4], [1, 1, 1, 1], ["A", "A", "B", "B"])
    assert got.groups == ("A", "B")
    assert got.expected[0] == pytest.approx(4 / 3, abs=1e-14)
    assert got.variance[0, 0] == pytest.approx(13 / 18, abs=1e-14)
    assert got.chisq == pytest.approx(8 / 13, abs=1e-14)
    assert got.df == 1
    assert got.p_value == pytest.approx(0.43276, abs=1e-5)  # R: pchisq(8/13, 1, lower=FALSE)


def test_log_rank_singular_variance_has_no_statistic() -> None:
    """Two patients dying at the same time, one per group: V = 0 and R's survdiff stops
    ("system is exactly singular"); here chisq and p are None."""
    got = log_rank([1, 1], [1, 1], ["a", "b"])
    assert got.chisq is None
    assert got.p_value is None
    assert got.expected.tolist() == [1.0, 1.0]


def test_log_rank_without_events_has_no_p_value() -> None:
    """No events: no expected deaths in any group, no test (R prints chisq 0 on df 0)."""
    got = log_rank([1, 2, 3], [0, 0, 0], [1, 2, 2])
    assert (got.chisq, got.df, got.p_value) == (0.0, 0, None)


def test_reverse_km_follow_up_hand() -> None:
    """Censorings (the events of the reverse curve) at 2 and 4 among 1, 2, 3, 4 with deaths
    at 1 and 3: reverse S = 1, 2/3 at 2, 2/3, 0 at 4, so the median follow-up is 4."""
    assert median_follow_up([1, 2, 3, 4], [1, 0, 1, 0]).time == 4.0


def test_grouped_fit_named_access() -> None:
    grouped = kaplan_meier_by([1, 2, 3, 4], [1, 1, 0, 1], ["b", "a", "b", "a"])
    assert grouped.groups == ("a", "b")
    assert grouped.fit("a").time.tolist() == [2.0, 4.0]
    with pytest.raises(KeyError, match="groups are a, b"):
        grouped.fit("c")


def test_group_labels_numeric_and_missing() -> None:
    """Numbers sort numerically (2 before 10, as R's factor levels); whole floats are
    labelled as integers; a missing group value is refused."""
    grouped = kaplan_meier_by([1, 2, 3, 4], [1, 1, 1, 1], [10.0, 2.0, 10.0, 2.0])
    assert grouped.groups == ("2", "10")
    with pytest.raises(ValueError, match="missing"):
        kaplan_meier_by([1, 2], [1, 1], [1.0, math.nan])


def test_event_time_rows() -> None:
    """Rows of R's default summary(fit) are the times with at least one event."""
    fit = kaplan_meier([1, 2, 3], [0, 1, 0])
    assert fit.is_event_time.tolist() == [False, True, False]


def test_km_json_has_exactly_the_spec_keys() -> None:
    """SPEC 6.1 km --json keys; values are JSON-safe (no NaN) through the CLI serializer."""
    fit = kaplan_meier([1, 2, 3], [0, 1, 1])
    out = to_jsonable(km_json(fit, "OS"))
    assert list(out) == [
        "endpoint", "n", "events", "median", "median_ci",
        "times", "survival", "ci_lower", "ci_upper", "at_risk",
    ]  # fmt: skip
    json.dumps(out, allow_nan=False)
    assert out["times"] == [1.0, 2.0, 3.0]
    assert out["survival"] == [1.0, 0.5, 0.0]
    assert out["ci_lower"][0] is None
    assert out["ci_lower"][2] is None
    assert out["at_risk"] == [3, 2, 1]
    assert isinstance(km_json(fit, "OS"), KmJson)


@pytest.mark.parametrize(
    ("time", "event", "match"),
    [
        ([1, 2], [1], "2 values but event has 1"),
        ([1, -2], [1, 1], ">= 0"),
        ([1, math.nan], [1, 1], "finite"),
        ([1, 2], [1, 2], "0/1"),
        ([[1, 2]], [[1, 1]], "one-dimensional"),
    ],
)
def test_bad_input_is_refused(time: object, event: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        kaplan_meier(time, event)  # type: ignore[arg-type]


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="strictly between"):
        kaplan_meier(TIME, EVENT, conf_level=1.5)
    with pytest.raises(ValueError, match="logit"):
        kaplan_meier(TIME, EVENT, "logit")
    with pytest.raises(ValueError, match="positive"):
        restricted_mean(kaplan_meier(TIME, EVENT), 0.0)
    with pytest.raises(ValueError, match="two groups"):
        log_rank(TIME, EVENT, ["a"] * 4)
    with pytest.raises(ValueError, match="strictly between"):
        survival_quantiles(kaplan_meier(TIME, EVENT), [1.0])


def test_lifelines_agrees_on_curve_and_log_log_band() -> None:
    """lifelines' KaplanMeierFitter (exponential Greenwood band = R's log-log) agrees with
    R on S and on the band wherever R defines it; it differs where S = 1 or S = 0 (it gives
    (1, 1) and (0, 0) where R gives NA): see docs/methods.md."""
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(7)
    t = np.round(rng.exponential(30, 200))
    e = rng.random(200) < 0.7
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kmf = KaplanMeierFitter().fit(t, e)
    fit = kaplan_meier(t, e)
    ll_s = kmf.survival_function_.iloc[:, 0].loc[fit.time].to_numpy()
    ll_lo = kmf.confidence_interval_.iloc[:, 0].loc[fit.time].to_numpy()
    np.testing.assert_allclose(fit.survival, ll_s, rtol=0, atol=1e-12)
    defined = ~np.isnan(fit.lower)
    np.testing.assert_allclose(fit.lower[defined], ll_lo[defined], rtol=0, atol=1e-12)


def test_endpoint_summary_without_rmst_horizon() -> None:
    """A protocol without ``rmst_horizon_months`` gets no RMST; the landmark at 6 months of
    30.4375 days (182.625 days) is after the last time 3, so not estimable."""
    from dataclasses import replace
    from pathlib import Path

    from monitoring.protocol import load_protocol
    from monitoring.survival import summarize_endpoint

    toml = Path(__file__).parents[1] / "monitoring/protocols/ino-lowdose-ph2.toml"
    settings = replace(load_protocol(toml).survival, rmst_horizon_months=None)
    got = summarize_endpoint("PFS", TIME, EVENT, settings)
    assert got.rmst is None
    assert got.landmarks.time[0] == 182.625
    assert math.isnan(got.landmarks.survival[0])
    assert got.fit.conf_type is ConfType.LOG_LOG
