"""``python -m monitoring design dose-finding`` (issue 15's command line): BOIN boundaries
and MTD selection as R's BOIN 2.7.2 gives them, the 3+3 decision after a cohort sequence."""

from __future__ import annotations

import json
from typing import Any

import pytest

from monitoring.cli import main

BOIN = ["design", "dose-finding", "--method", "boin", "--target", "0.3", "--ncohort", "10"]
BOIN += ["--cohort-size", "3"]


def _json(args: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_boin_boundary_table(capsys: pytest.CaptureFixture[str]) -> None:
    """get.boundary(target = 0.3, ncohort = 10, cohortsize = 3)$boundary_tab."""
    out = _json(BOIN, capsys)
    assert out["lambda_e"] == pytest.approx(0.236490685236468, rel=1e-13)
    assert out["lambda_d"] == pytest.approx(0.35851946464093, rel=1e-13)
    table = out["table"]
    assert [row["n"] for row in table] == [3, 6, 9, 12, 15, 18, 21, 24, 27, 30]
    assert [row["escalate_if_at_most"] for row in table] == [0, 1, 2, 2, 3, 4, 4, 5, 6, 7]
    assert [row["deescalate_if_at_least"] for row in table] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert [row["eliminate_if_at_least"] for row in table] == [3, 4, 5, 7, 8, 9, 10, 11, 12, 14]


def test_boin_select(capsys: pytest.CaptureFixture[str]) -> None:
    """select.mtd(0.3, c(3, 6, 12, 9, 3), c(0, 1, 3, 5, 2)): MTD 3; p_est$phat 0.02, 0.17,
    0.25, then doses 4-5 pooled at 0.55 and 0.66 (tests/reference/boin_reference.json)."""
    args = [*BOIN, "--select", "--n", "3,6,12,9,3", "--dlt", "0,1,3,5,2"]
    out = _json(args, capsys)
    assert out["mtd"] == 3
    assert [f"{v:.2f}" for v in out["isotonic"]] == ["0.02", "0.17", "0.25", "0.55", "0.66"]
    assert out["eliminated"] == [4, 5]


def test_boin_select_none_when_lowest_dose_too_toxic(capsys: pytest.CaptureFixture[str]) -> None:
    out = _json([*BOIN, "--select", "--n", "3,0,0", "--dlt", "3,0,0"], capsys)
    assert out["mtd"] is None
    assert out["isotonic"][1:] == [None, None]


def test_boin_next_cohort_and_oc(capsys: pytest.CaptureFixture[str]) -> None:
    args = [*BOIN, "--n", "3,3,0", "--dlt", "0,3,0", "--current", "2"]
    args += ["--rates", "0.1,0.3,0.5", "--trials", "500", "--seed", "1"]
    out = _json(args, capsys)
    assert out["next"] == "deescalate"
    assert out["decision"]["next_level"] == 1
    assert out["decision"]["eliminated"] == [2, 3]
    assert out["oc"]["method"] == "simulation"
    assert out["oc"]["trials"] == 500
    assert sum(out["oc"]["select"]) + out["oc"]["no_selection"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("sequence", "mtd", "next_"),
    [
        ("1:0/3,2:1/3,2:0/3", None, "escalate"),  # 1/6 at level 2: escalate
        ("1:0/3,2:0/3,3:2/3,2:0/3", 2, "stop"),  # level 3 too toxic, 0/6 at 2: MTD 2
        ("1:1/3,1:1/3", None, "stop"),  # 2/6 at the lowest level: no MTD
        ("1:0/3,2:1/3", None, "stay"),  # 1/3: 3 more at level 2
        ("1:0/3,2:2/3", None, "deescalate"),  # 2/3: back to level 1, expand it
    ],
)
def test_three_plus_three_sequence(
    sequence: str, mtd: int | None, next_: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _json(["design", "dose-finding", "--method", "3+3", "--sequence", sequence], capsys)
    assert (out["mtd"], out["next"]) == (mtd, next_)


def test_deescalation_levels_and_exact_oc(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["design", "dose-finding", "--method", "3+3", "--levels=-2,-1,1"]
    args += ["--sequence=1:0/3,1:2/3", "--rates", "0.1,0.2,0.4", "--start", "1"]
    out = _json(args, capsys)
    assert out["next"] == "deescalate"
    assert out["decision"]["next_level"] == -1
    assert out["oc"]["method"] == "exact"
    assert out["oc"]["patients"][2] >= 3 - 1e-12


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--method", "boin", "--ncohort", "10", "--cohort-size", "3"], "--target is required"),
        ([*BOIN[2:], "--select", "--n", "3,3", "--dlt", "1"], "--n has 2 doses"),
        ([*BOIN[2:], "--select", "--n", "3", "--dlt", "4"], "4 DLTs among 3"),
        ([*BOIN[2:5], "0.8", *BOIN[6:]], "target must lie"),
        (["--method", "3+3"], "needs --sequence"),
        (["--method", "3+3", "--sequence", "1:0-3"], "is not LEVEL:DLTS/PATIENTS"),
        (["--method", "3+3", "--sequence", "1:0/9"], "at most 6"),
        (["--method", "3+3", "--rates", "0.1,1.5"], "between 0 and 1"),
    ],
)
def test_bad_arguments_exit_2(
    args: list[str], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["design", "dose-finding", *args]) == 2
    err = capsys.readouterr().err
    assert reason in err
    assert len(err.strip().splitlines()) == 1
