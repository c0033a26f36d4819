"""Cumulative incidence with a competing event and Gray's test, against R's cmprsk.

Expected numbers come from ``tests/reference/competing_risks_reference.json``, written by
``tests/reference/competing_risks_reference.R`` (cmprsk 2.2-11: ``cuminc``, ``timepoints``,
``$Tests``). Checked: every corner of each step function (times, estimates, Gray's variance
with its tie factor), the values read at given times (None past a group's last follow-up),
Gray's statistic and p-value (``monitoring.survival.competing_risks``), and
``survival cif`` on the command line.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from monitoring.cli import main
from monitoring.survival.competing_risks import cumulative_incidence, gray_test, incidence_at

REFERENCE = Path(__file__).parent / "reference" / "competing_risks_reference.json"
CASES: list[dict[str, Any]] = json.loads(REFERENCE.read_text())["cases"]
TOL = 1e-6


def _subset(case: dict[str, Any], group: str | None) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(case["time"], dtype=float)
    s = np.asarray(case["status"])
    keep = np.ones(t.size, bool) if group is None else np.asarray(case["group"]) == group
    return t[keep], s[keep]


def _close(got: list[float | None], want: list[float | None]) -> None:
    assert [g is None for g in got] == [w is None for w in want]
    for g, w in zip(got, want, strict=True):
        if w is not None:
            assert g == pytest.approx(w, abs=TOL)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_curves_equal_cuminc(case: dict[str, Any]) -> None:
    for ref in case["curves"]:
        curve = cumulative_incidence(*_subset(case, ref["group"]), case["cause"], case["competing"])
        # cmprsk lists each jump twice (before and after) and ends at the last follow-up
        corners = np.asarray(ref["corner_time"])
        jumps = corners[1:-1:2]
        assert curve.times[1:] == pytest.approx(jumps, abs=1e-12)
        assert curve.cif[1:] == pytest.approx(ref["corner_est"][2:-1:2], abs=TOL)
        assert curve.var[1:] == pytest.approx(ref["corner_var"][2:-1:2], abs=TOL)
        assert curve.last_follow_up == corners[-1]
        cif, var = incidence_at(curve, case["times"])
        _close(cif, ref["cif"])
        _close(var, ref["var"])


@pytest.mark.parametrize(
    "case", [c for c in CASES if c["gray"]], ids=[c["name"] for c in CASES if c["gray"]]
)
def test_gray_test_equals_cuminc(case: dict[str, Any]) -> None:
    r = gray_test(case["time"], case["status"], case["group"], case["cause"], case["competing"])
    assert r.stat == pytest.approx(case["gray"]["stat"], abs=TOL)
    assert r.p == pytest.approx(case["gray"]["p"], abs=TOL)
    assert r.df == case["gray"]["df"]


def test_a_time_past_the_last_follow_up_is_not_estimated() -> None:
    curve = cumulative_incidence([1, 2, 3], [1, 2, 0], 1, 2)
    cif, var = incidence_at(curve, [3, 3.5])
    assert cif == [pytest.approx(1 / 3), None]
    assert var[1] is None


def test_other_status_codes_are_refused() -> None:
    with pytest.raises(ValueError, match="found 3"):
        cumulative_incidence([1, 2, 3], [1, 2, 3], 1, 2)


def _write(path: Path, case: dict[str, Any]) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["days", "status", "arm"])
        for row in zip(case["time"], case["status"], case["group"], strict=True):
            w.writerow(row)


def test_cli_cif_by_group(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = next(c for c in CASES if c["name"] == "relapse_monthly_by_arm")
    _write(tmp_path / "d.csv", case)
    times = ",".join(f"{t:g}" for t in case["times"])
    args = ["survival", "cif", "--csv", str(tmp_path / "d.csv"), "--time", "days"]
    args += ["--status", "status", "--event-code", "1", "--competing-code", "2"]
    assert main([*args, "--group", "arm", "--times", times, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [c["group"] for c in out["curves"]] == ["A", "B"]
    for got, ref in zip(out["curves"], case["curves"], strict=True):
        assert got["times"] == case["times"]
        _close(got["cif"], ref["cif"])
        _close(got["var"], ref["var"])
    assert out["curves"][0]["cif"][-1] is None  # 5000 days: past the last follow-up
    assert out["gray"]["stat"] == pytest.approx(case["gray"]["stat"], abs=TOL)
    assert out["gray"]["p"] == pytest.approx(case["gray"]["p"], abs=TOL)


def test_cli_cif_without_groups(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = next(c for c in CASES if c["name"] == "cmprsk_example_pooled")
    path = tmp_path / "d.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["t", "s"])
        w.writerows(zip(case["time"], case["status"], strict=True))
    args = ["survival", "cif", "--csv", str(path), "--time", "t", "--status", "s"]
    args += ["--event-code", "1", "--competing-code", "2", "--times", "0.25,1,2.5", "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["gray"] is None
    assert len(out["curves"]) == 1
    assert out["curves"][0]["group"] is None
    _close(out["curves"][0]["cif"], case["curves"][0]["cif"])
    _close(out["curves"][0]["var"], case["curves"][0]["var"])


def test_cli_cif_refuses_an_unknown_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "d.csv"
    path.write_text("t,s\n1,1\n2,5\n")
    args = ["survival", "cif", "--csv", str(path), "--time", "t", "--status", "s"]
    assert main([*args, "--event-code", "1", "--competing-code", "2", "--times", "1"]) == 2
    assert "line 3: status 5" in capsys.readouterr().err
