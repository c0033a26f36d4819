"""``python -m monitoring design simon`` (monitoring/cli/design_simon.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring.cli import main
from tests.waits import HANG_GUARD

ROOT = Path(__file__).resolve().parent.parent
D_KEYS = {"r1", "n1", "r", "n", "alpha", "power", "pet0", "en0"}


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["design", "simon", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_search_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    """SPEC 6.1 keys; designs from Simon (1989) Table 1, p0 0.10, p1 0.30, alpha .05, beta .20."""
    code, out, _ = run_cli(
        capsys, "--p0", "0.1", "--p1", "0.3", "--alpha", "0.05", "--beta", "0.2", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert set(data["optimal"]) >= D_KEYS
    assert set(data["minimax"]) >= D_KEYS
    assert [data["optimal"][k] for k in ("r1", "n1", "r", "n")] == [1, 10, 5, 29]
    assert [data["minimax"][k] for k in ("r1", "n1", "r", "n")] == [1, 15, 5, 25]
    hull = data["admissible"]
    assert all(D_KEYS | {"q_low", "q_high", "kind"} <= set(d) for d in hull)
    assert hull[0]["q_high"] == 1.0
    assert hull[-1]["q_low"] == 0.0


def test_one_design_json(capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 003 design: alpha 0.1127, power 0.7853, PET0 0.549, EN0 31.5 (SPEC 3.1)."""
    code, out, _ = run_cli(
        capsys, "--p0", "0.35", "--p1", "0.5", "--r1", "6", "--n1", "18", "--r", "20",
        "--n", "48", "--json",
    )  # fmt: skip
    assert code == 0
    d = json.loads(out)
    assert set(d) >= D_KEYS
    assert (round(d["alpha"], 4), round(d["power"], 4)) == (0.1127, 0.7853)
    assert (round(d["pet0"], 3), round(d["en0"], 1)) == (0.549, 31.5)


def test_search_table_is_aligned(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--p0", "0.35", "--p1", "0.5", "--alpha", "0.1", "--beta", "0.2")
    assert code == 0
    lines = out.splitlines()
    optimal = next(line for line in lines if line.startswith("optimal"))
    header = next(line for line in lines if line.strip().startswith("r1"))
    assert optimal.split()[1:5] == ["7", "20", "24", "58"]
    assert len(optimal) == len(header)
    assert "q_low" in out


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--p0", "0.5", "--p1", "0.3", "--alpha", "0.1", "--beta", "0.2"], "must exceed"),
        (["--p0", "0.3", "--p1", "0.5", "--alpha", "1.5", "--beta", "0.2"], "--alpha"),
        (["--p0", "0.3", "--p1", "0.5", "--alpha", "0", "--beta", "0.2"], "--alpha"),
        (["--p0", "x", "--p1", "0.5", "--alpha", "0.1", "--beta", "0.2"], "--p0"),
        (["--p0", "0.3", "--p1", "0.5", "--alpha", "0.1", "--beta", "0.2", "--nmax", "1"], "nmax"),
        (["--p0", "0.3", "--p1", "0.5", "--alpha", "0.1"], "--beta"),
        (["--p0", "0.3", "--p1", "0.5", "--r1", "6", "--n1", "18"], "all of"),
        (["--p0", "0.3", "--p1", "0.5", "--r1", "19", "--n1", "18", "--r", "20", "--n", "48"],
         "inconsistent design"),
        (["--p0", "0.3", "--p1", "0.5", "--alpha", "0.1", "--beta", "0.2", "--r1", "1"],
         "not both"),
        (["--p0", "0.35", "--p1", "0.5", "--alpha", "0.1", "--beta", "0.2", "--nmax", "30"],
         "increase nmax"),
        (["--p0", "0.35", "--p1", "0.5", "--alpha", "0.1", "--beta", "0.2", "--nmax", "x"],
         "--nmax: 'x' is not an integer"),
        (["--p1", "0.5", "--alpha", "0.1", "--beta", "0.2"], "--p0 is required"),
        (["--p0", "0.3", "--p1", "0.5", "--r1", "a", "--n1", "18", "--r", "20", "--n", "48"],
         "--r1"),
    ],
)  # fmt: skip
def test_bad_arguments_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], reason: str
) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert reason in err


def test_module_entry_point_with_help_and_json() -> None:
    """One real process: ``python -m monitoring design simon ... --json`` from the repo."""
    proc = subprocess.run(
        [sys.executable, "-m", "monitoring", "design", "simon", "--p0", "0.2", "--p1", "0.4",
         "--alpha", "0.1", "--beta", "0.1", "--json"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=HANG_GUARD,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    # clinfun's ph2simon help page: ph2simon(0.2, 0.4, 0.1, 0.1) optimal 3/17, 10/37.
    assert [data["optimal"][k] for k in ("r1", "n1", "r", "n")] == [3, 17, 10, 37]


def test_help_works(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["design", "simon", "--help"])
    assert exc.value.code == 0
    assert "--nmax" in capsys.readouterr().out
