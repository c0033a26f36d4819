"""Kaplan–Meier results against R's survival package (3.5.3, R 4.2.2).

Every expected number is read from ``tests/reference/survival_reference.json``, written by
``Rscript tests/reference/survival_reference.R`` (the R calls are named in each test and at
the top of that script). Tolerance: 1e-6 absolute, the product requirement; the JSON holds
15 significant digits and both sides do the same arithmetic in a different order, so true
agreement is near 1e-12 and 1e-6 leaves room only for rounding, never for a different rule.
NA/NaN in R must be NaN (None for scalars) here, Inf must be inf: positions are compared
exactly.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from monitoring.protocol import load_protocol
from monitoring.survival import (
    ConfType,
    kaplan_meier,
    kaplan_meier_by,
    log_rank,
    median_follow_up,
    restricted_mean,
    summarize_endpoint,
    survival_at,
    survival_quantiles,
)
from tests.conftest import DEFAULT_PROTOCOL

pytestmark = pytest.mark.r_reference

REFERENCE = Path(__file__).parent / "reference" / "survival_reference.json"
ATOL = 1e-6  # product requirement; see the module docstring
DATA: dict[str, Any] = json.loads(REFERENCE.read_text())
CASES: list[dict[str, Any]] = DATA["cases"]


def r_values(value: Any) -> np.ndarray:
    """R's vector (length-1 vectors were unboxed) with "NA"/"NaN"/"Inf" as floats."""
    items = value if isinstance(value, list) else [value]
    special = {"NA": math.nan, "NaN": math.nan, "Inf": math.inf, "-Inf": -math.inf}
    return np.array([special.get(v, v) if isinstance(v, str) else v for v in items], float)


def r_scalar(value: Any) -> float | None:
    """An R scalar where NA means "does not exist" (None here)."""
    x = float(r_values(value)[0])
    return None if math.isnan(x) else x


def assert_r(ours: Any, expected: Any, what: str) -> None:
    np.testing.assert_allclose(
        np.asarray(ours, float),
        r_values(expected),
        rtol=0,
        atol=ATOL,
        equal_nan=True,
        err_msg=what,
    )


def assert_opt(ours: float | None, expected: Any, what: str) -> None:
    r = r_scalar(expected)
    if r is None or ours is None:
        assert ours == r, f"{what}: {ours} vs R {r}"
    else:
        assert ours == pytest.approx(r, abs=ATOL), what


@dataclass(frozen=True)
class Curve:
    """One R curve: the data it was fitted to and R's outputs for it."""

    id: str
    time: np.ndarray
    status: np.ndarray
    out: dict[str, Any]
    landmarks: list[float]


def _curves() -> list[Curve]:
    curves = []
    for case in CASES:
        time, status = r_values(case["time"]), r_values(case["status"])
        lm = list(r_values(case["landmarks"]))
        if case["group"] is None:
            curves.append(Curve(case["name"], time, status, case["curve"], lm))
            continue
        curves.append(Curve(f"{case['name']}/overall", time, status, case["overall"], lm))
        group = np.atleast_1d(np.array(case["group"], dtype=str))
        for stratum in case["strata"]:
            keep = group == stratum["label"]
            curves.append(
                Curve(
                    f"{case['name']}/{stratum['label']}",
                    time[keep],
                    status[keep],
                    stratum["curve"],
                    lm,
                )
            )
    return curves


CURVES = _curves()
CONF_TYPES = [c.value for c in ConfType]
CURVE_TYPES = [pytest.param(c, ct, id=f"{c.id}-{ct}") for c in CURVES for ct in CONF_TYPES]


@pytest.mark.parametrize(("curve", "conf_type"), CURVE_TYPES)
def test_rows_equal_summary_censored(curve: Curve, conf_type: str) -> None:
    """R: summary(survfit(Surv(time, status) ~ 1, conf.type = ct), censored = TRUE) and
    fit$std.err, every column at every distinct time."""
    r = curve.out["by_conf_type"][conf_type]["rows"]
    fit = kaplan_meier(curve.time, curve.status, conf_type)
    for ours, key in [
        (fit.time, "time"),
        (fit.n_risk, "n_risk"),
        (fit.n_event, "n_event"),
        (fit.n_censor, "n_censor"),
        (fit.survival, "surv"),
        (fit.std_err, "std_err"),
        (fit.std_err_log, "std_err_log"),
        (fit.lower, "lower"),
        (fit.upper, "upper"),
    ]:
        assert_r(ours, r[key], key)


@pytest.mark.parametrize(("curve", "conf_type"), CURVE_TYPES)
def test_median_equals_summary_table(curve: Curve, conf_type: str) -> None:
    """R: summary(fit)$table[c("records", "events", "median", "0.95LCL", "0.95UCL")]."""
    r = curve.out["by_conf_type"][conf_type]["table"]
    fit = kaplan_meier(curve.time, curve.status, conf_type)
    assert (fit.n, fit.events) == (r["records"], r["events"])
    assert_opt(fit.median.time, r["median"], "median")
    assert_opt(fit.median.lower, r["lcl"], "0.95LCL")
    assert_opt(fit.median.upper, r["ucl"], "0.95UCL")


@pytest.mark.parametrize(("curve", "conf_type"), CURVE_TYPES)
def test_quantiles_equal_quantile_survfit(curve: Curve, conf_type: str) -> None:
    """R: quantile(fit, probs = c(0.1, 0.25, 0.5, 0.75, 0.9)) with lower and upper."""
    r = curve.out["by_conf_type"][conf_type]["quantiles"]
    fit = kaplan_meier(curve.time, curve.status, conf_type)
    probs = list(r_values(r["probs"]))
    got = survival_quantiles(fit, probs)
    for i, q in enumerate(got):
        assert_opt(q.time, r_values(r["quantile"])[i], f"quantile {probs[i]}")
        assert_opt(q.lower, r_values(r["lower"])[i], f"lower {probs[i]}")
        assert_opt(q.upper, r_values(r["upper"])[i], f"upper {probs[i]}")


@pytest.mark.parametrize(("curve", "conf_type"), CURVE_TYPES)
def test_landmarks_equal_summary_times_extend(curve: Curve, conf_type: str) -> None:
    """R: summary(fit, times = landmarks, extend = TRUE); cumulative columns are
    cumsum(n.event) and cumsum(n.censor) of that summary (the KMunicate table)."""
    r = curve.out["by_conf_type"][conf_type]["landmarks"]
    fit = kaplan_meier(curve.time, curve.status, conf_type)
    got = survival_at(fit, curve.landmarks)
    for ours, key in [
        (got.time, "time"),
        (got.n_risk, "n_risk"),
        (got.n_event, "n_event"),
        (got.n_censor, "n_censor"),
        (got.cum_event, "cum_event"),
        (got.cum_censor, "cum_censor"),
        (got.survival, "surv"),
        (got.std_err, "std_err"),
        (got.lower, "lower"),
        (got.upper, "upper"),
    ]:
        assert_r(ours, r[key], key)


@pytest.mark.parametrize("curve", CURVES, ids=[c.id for c in CURVES])
def test_rmean_equals_print_rmean(curve: Curve) -> None:
    """R: summary(fit, rmean = H)$table[c("rmean", "se(rmean)")], as print(fit, rmean = H)."""
    fit = kaplan_meier(curve.time, curve.status)
    for r in curve.out["rmean"]:
        got = restricted_mean(fit, r["horizon"])
        assert got.rmst == pytest.approx(r["rmean"], abs=ATOL)
        assert got.se == pytest.approx(r["se"], abs=ATOL)


def _followups() -> list[Any]:
    out = []
    for case in CASES:
        time, status = r_values(case["time"]), r_values(case["status"])
        out.append(pytest.param(time, status, case["followup"], id=case["name"]))
        if case["group"] is not None:
            group = np.atleast_1d(np.array(case["group"], dtype=str))
            for s in case["strata"]:
                keep = group == s["label"]
                out.append(
                    pytest.param(
                        time[keep], status[keep], s["followup"], id=f"{case['name']}/{s['label']}"
                    )
                )
    return out


@pytest.mark.parametrize(("time", "status", "r"), _followups())
def test_reverse_km_follow_up(time: np.ndarray, status: np.ndarray, r: dict[str, Any]) -> None:
    """R: summary(survfit(Surv(time, 1 - status) ~ 1, conf.type = "log-log"))$table."""
    got = median_follow_up(time, status)
    assert_opt(got.time, r["median"], "median follow-up")
    assert_opt(got.lower, r["lcl"], "LCL")
    assert_opt(got.upper, r["ucl"], "UCL")


GROUPED = [c for c in CASES if c["group"] is not None]


@pytest.mark.parametrize("case", GROUPED, ids=[c["name"] for c in GROUPED])
def test_log_rank_equals_survdiff(case: dict[str, Any]) -> None:
    """R: survdiff(Surv(time, status) ~ group): n, obs, exp, var, chisq, df, p-value."""
    r = case["survdiff"]
    got = log_rank(r_values(case["time"]), r_values(case["status"]), case["group"])
    assert list(got.groups) == list(np.atleast_1d(r["levels"]))
    assert_r(got.n, r["n"], "n")
    assert_r(got.observed, r["observed"], "observed")
    assert_r(got.expected, r["expected"], "expected")
    assert_r(got.variance.ravel(order="F"), np.ravel(r["var"], order="F").tolist(), "var")
    assert got.chisq == pytest.approx(r["chisq"], abs=ATOL)
    assert got.df == r["df"]
    assert got.p_value == pytest.approx(r["p_value"], abs=ATOL)


@pytest.mark.parametrize("case", GROUPED, ids=[c["name"] for c in GROUPED])
def test_grouped_fit_equals_strata(case: dict[str, Any]) -> None:
    """R: survfit(Surv(time, status) ~ group, conf.type = "log-log")[i], each stratum."""
    grouped = kaplan_meier_by(r_values(case["time"]), r_values(case["status"]), case["group"])
    assert list(grouped.groups) == [s["label"] for s in case["strata"]]
    for stratum in case["strata"]:
        r = stratum["curve"]["by_conf_type"]["log-log"]
        fit = grouped.fit(stratum["label"])
        assert_r(fit.survival, r["rows"]["surv"], "surv")
        assert_r(fit.lower, r["rows"]["lower"], "lower")
        assert_opt(fit.median.time, r["table"]["median"], "median")
        assert_opt(fit.median.lower, r["table"]["lcl"], "LCL")


LEVELS = [
    pytest.param(c, ct, id=f"{c['name']}-{ct}") for c in DATA["level_cases"] for ct in CONF_TYPES
]


@pytest.mark.parametrize(("case", "conf_type"), LEVELS)
def test_other_confidence_levels(case: dict[str, Any], conf_type: str) -> None:
    """R: survfit(Surv(time, status) ~ 1, conf.type = ct, conf.int = 0.90 / 0.80): band,
    table median limits (0.9LCL, 0.9UCL) and quantile limits."""
    r = case["by_conf_type"][conf_type]
    fit = kaplan_meier(r_values(case["time"]), r_values(case["status"]), conf_type,
                       conf_level=case["conf_level"])  # fmt: skip
    assert_r(fit.lower, r["rows"]["lower"], "lower")
    assert_r(fit.upper, r["rows"]["upper"], "upper")
    assert_opt(fit.median.lower, r["table"]["lcl"], "LCL")
    assert_opt(fit.median.upper, r["table"]["ucl"], "UCL")
    probs = list(r_values(r["quantiles"]["probs"]))
    for i, q in enumerate(survival_quantiles(fit, probs)):
        assert_opt(q.lower, r_values(r["quantiles"]["lower"])[i], f"lower {probs[i]}")
        assert_opt(q.upper, r_values(r["quantiles"]["upper"])[i], f"upper {probs[i]}")


def test_endpoint_summary_with_default_protocol_settings() -> None:
    """The default protocol's [survival] settings on lung (log-log; landmarks 6, 12, 36
    months of 30.4375 days; RMST to 12 months). R: fit <- survfit(Surv(time, status) ~ 1,
    conf.type = "log-log"); summary(fit, times = c(6, 12, 36) * 30.4375, extend = FALSE)
    (R drops 36 months, after the last time 1022: here NaN, 0 at risk);
    summary(fit, rmean = 365.25)$table; reverse-KM table for follow-up."""
    r = DATA["protocol_lung"]
    protocol = load_protocol(DEFAULT_PROTOCOL)
    lung = next(c for c in CASES if c["name"] == "lung")
    got = summarize_endpoint("OS", r_values(lung["time"]), r_values(lung["status"]),
                             protocol.survival)  # fmt: skip
    assert got.landmark_months == (6.0, 12.0, 36.0)
    lm = got.landmarks
    assert_r(lm.time, r["days"], "landmark days")
    assert_r(lm.survival[:2], r["landmarks"]["surv"], "surv")
    assert_r(lm.lower[:2], r["landmarks"]["lower"], "lower")
    assert_r(lm.upper[:2], r["landmarks"]["upper"], "upper")
    assert_r(lm.n_risk[:2], r["landmarks"]["n_risk"], "n.risk")
    assert math.isnan(lm.survival[2])
    assert lm.n_risk[2] == 0
    assert got.rmst is not None
    assert got.rmst.rmst == pytest.approx(r["rmean"]["rmean"], abs=ATOL)
    assert got.rmst.se == pytest.approx(r["rmean"]["se"], abs=ATOL)
    assert_opt(got.fit.median.time, r["table"]["median"], "median")
    assert_opt(got.follow_up.time, r["followup"]["median"], "median follow-up")
    assert_opt(got.follow_up.lower, r["followup"]["lcl"], "follow-up LCL")
    assert got.km_json().endpoint == "OS"
