"""Two-group survival comparison, plain and stratified, against R's survival package.

Expected numbers come from ``tests/reference/survival_compare_reference.json``, written by
``tests/reference/survival_compare_reference.R`` (``coxph`` with Efron ties and
``survdiff``, with and without ``strata()``, R 4.2.2, survival 3.5-3). Checked: the Cox
coefficient, its standard error, the hazard ratio with its 95 % Wald interval and p-value
(``monitoring.survival.arms``, ``monitoring.survival.cox``), the log-rank chi-square, df and
p-value (``monitoring.survival.logrank``), and ``survival compare`` on the command line.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from monitoring.cli import main
from monitoring.survival.arms import cox_hazard_ratio, logrank_z
from monitoring.survival.cox import cox_efron
from monitoring.survival.logrank import log_rank, stratified_log_rank

REFERENCE = Path(__file__).parent / "reference" / "survival_compare_reference.json"
CASES: list[dict[str, Any]] = json.loads(REFERENCE.read_text())["cases"]
TOL = 1e-6


def _experimental(case: dict[str, Any]) -> np.ndarray:
    return np.asarray(case["group"]) == case["levels"][1]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_cox_equals_coxph(case: dict[str, Any]) -> None:
    x = _experimental(case)
    fit = cox_efron(case["time"], case["event"], x.astype(float), case["strata"])
    assert fit.converged
    assert fit.coef == pytest.approx(case["cox"]["coef"], abs=TOL)
    assert fit.se == pytest.approx(case["cox"]["se"], abs=TOL)
    assert fit.loglik == pytest.approx(case["cox"]["loglik"], abs=TOL)
    hr = cox_hazard_ratio(case["time"], case["event"], x, case["strata"])
    assert hr is not None
    for key in ("hr", "lower", "upper", "p_wald"):
        assert getattr(hr, key) == pytest.approx(case["cox"][key], abs=TOL), key


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_logrank_equals_survdiff(case: dict[str, Any]) -> None:
    r = stratified_log_rank(case["time"], case["event"], case["group"], case["strata"])
    assert r.chisq == pytest.approx(case["logrank"]["chisq"], abs=TOL)
    assert r.df == case["logrank"]["df"]
    assert r.p_value == pytest.approx(case["logrank"]["p"], abs=TOL)
    z = logrank_z(case["time"], case["event"], _experimental(case), case["strata"]).z
    assert z is not None
    assert z**2 == pytest.approx(case["logrank"]["chisq"], abs=TOL)


def test_one_stratum_is_the_plain_test() -> None:
    case = next(c for c in CASES if c["name"] == "seeded_monthly_ties")
    plain = log_rank(case["time"], case["event"], case["group"])
    one = stratified_log_rank(case["time"], case["event"], case["group"], ["s"] * len(case["time"]))
    assert one.chisq == pytest.approx(plain.chisq, abs=1e-12)
    x = _experimental(case).astype(float)
    a = cox_efron(case["time"], case["event"], x)
    b = cox_efron(case["time"], case["event"], x, ["s"] * len(case["time"]))
    assert a.coef == pytest.approx(b.coef, abs=1e-12)


def test_stratification_changes_the_estimate() -> None:
    """The seeded set's high-risk stratum is unbalanced by chance: the stratified HR is not
    the plain one (R gives both, reference cases 7 and 8)."""
    plain = next(c for c in CASES if c["name"] == "seeded_monthly_ties")
    strat = next(c for c in CASES if c["name"] == "seeded_monthly_ties_stratified")
    assert abs(plain["cox"]["coef"] - strat["cox"]["coef"]) > 1e-3


def test_an_arm_without_events_has_no_hazard_ratio() -> None:
    assert cox_hazard_ratio([1, 2, 3, 4], [1, 1, 0, 0], [False, False, True, True]) is None


def _write(path: Path, case: dict[str, Any]) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["months", "efs", "arm", "risk"])
        strata = case["strata"] or [""] * len(case["time"])
        for row in zip(case["time"], case["event"], case["group"], strata, strict=True):
            w.writerow(row)


@pytest.mark.parametrize("stratified", [False, True])
def test_cli_compare_prints_the_reference_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stratified: bool
) -> None:
    case = next(c for c in CASES if c["name"] == "seeded_monthly_ties_stratified")
    plain = next(c for c in CASES if c["name"] == "seeded_monthly_ties")
    _write(tmp_path / "d.csv", case)
    args = ["survival", "compare", "--csv", str(tmp_path / "d.csv"), "--time", "months"]
    args += ["--event", "efs", "--group", "arm", "--json"]
    if stratified:
        args += ["--strata", "risk"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    expected = case if stratified else plain
    assert out["reference"] == "A"
    for key in ("hr", "lower", "upper", "p_wald"):
        assert out["cox"][key] == pytest.approx(expected["cox"][key], abs=TOL)
    for key in ("chisq", "p"):
        assert out["logrank"][key] == pytest.approx(expected["logrank"][key], abs=TOL)
    assert out["logrank"]["df"] == 1


def test_cli_compare_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "d.csv"
    path.write_text("t,e,g\n1,1,a\n2,0,b\n3,1,c\n")
    base = ["survival", "compare", "--csv", str(path), "--time", "t", "--event", "e"]
    assert main([*base, "--group", "g"]) == 2
    assert "exactly two groups" in capsys.readouterr().err
    assert main([*base, "--group", "nope"]) == 2
    assert "no column 'nope'" in capsys.readouterr().err
    path.write_text("t,e,g\n1,2,a\n2,0,b\n")
    assert main([*base, "--group", "g"]) == 2
    assert "1 (event) or 0" in capsys.readouterr().err
    path.write_text("t,e,g\nsoon,1,a\n2,0,b\n")
    assert main([*base, "--group", "g"]) == 2
    assert "line 2" in capsys.readouterr().err


def test_hazard_ratio_interval_is_the_wald_interval() -> None:
    case = CASES[0]
    hr = cox_hazard_ratio(case["time"], case["event"], _experimental(case))
    assert hr is not None
    se = case["cox"]["se"]
    assert math.log(hr.upper / hr.lower) == pytest.approx(2 * 1.959963984540054 * se, abs=1e-9)
