"""``python -m monitoring design toxicity`` (SPEC 6, 6.1), checked against seed 003's
Tables 3 and 4 as stored in the protocol file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring.cli import main
from monitoring.protocol import DEFAULT_TRIAL_ID, ToxicityRule, bundled_protocols, load_protocol
from tests.waits import HANG_GUARD

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def rule() -> ToxicityRule:
    tox = load_protocol(bundled_protocols()[DEFAULT_TRIAL_ID]).primary_toxicity
    assert tox is not None
    return tox


def rule_args(rule: ToxicityRule) -> list[str]:
    return [
        "design", "toxicity",
        "--prior-a", str(rule.prior_a), "--prior-b", str(rule.prior_b),
        "--threshold", str(rule.threshold), "--confidence", str(rule.confidence),
        "--cohort", str(rule.cohort_size), "--nmax", str(rule.nmax),
        "--rates", ",".join(str(row.rate) for row in rule.printed_oc),
    ]  # fmt: skip


def test_json_reproduces_tables_3_and_4(
    rule: ToxicityRule, capsys: pytest.CaptureFixture[str]
) -> None:
    """Boundaries equal Table 3; OC rows round to Table 4 (stop probability to 2 decimals
    except 0.008 at 3, mean to 1 decimal, percentiles exact)."""
    assert main([*rule_args(rule), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [{"n": b["n"], "stop_at": b["stop_at"]} for b in out["boundaries"]] == [
        {"n": b.n, "stop_at": b.stop_at} for b in rule.printed_boundaries
    ]
    assert out["final"]["n"] == 48
    assert out["final"]["stop_at"] == 14
    for row, printed, decimals in zip(
        out["oc"], rule.printed_oc, [3, 2, 2, 2, 2, 2, 2, 2], strict=True
    ):
        assert row["rate"] == printed.rate
        assert round(row["stop_prob"], decimals) == pytest.approx(printed.stop_prob)
        assert round(row["mean_n"], 1) == pytest.approx(printed.mean_n)
        assert (row["p25"], row["p75"]) == (printed.p25, printed.p75)
    # Full precision in JSON, not the rounded table (R reference: 0.008151181571).
    assert out["oc"][0]["stop_prob"] == pytest.approx(0.008151181571, abs=1e-11)
    assert out["settings"]["cohort"] == 8


def test_text_output_is_an_aligned_table(
    rule: ToxicityRule, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(rule_args(rule)) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(i for i, line in enumerate(lines) if "stop if toxicities >=" in line)
    assert lines[header + 1].split() == ["8", "4", "0.9504"]
    assert lines[header + 5].split() == ["40", "12", "0.9211"]
    assert lines[header + 6].startswith("       48  end of trial")
    oc_header = next(i for i, line in enumerate(lines) if "P(stop early)" in line)
    assert lines[oc_header + 4].split() == ["0.25", "0.3971", "37.1", "24", "48"]
    widths = {len(line) for line in lines[oc_header : oc_header + 9]}
    assert len(widths) == 1


def test_default_rates_surround_the_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    """No --rates: the threshold 0.3 and steps of 0.05 around it (0.10 ... 0.55)."""
    args = ["design", "toxicity", "--prior-a", "1", "--prior-b", "1", "--threshold", "0.3",
            "--confidence", "0.9", "--cohort", "1", "--nmax", "30", "--json"]  # fmt: skip
    assert main(args) == 0
    rates = [row["rate"] for row in json.loads(capsys.readouterr().out)["oc"]]
    assert rates == [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55]


def test_null_where_no_count_stops(capsys: pytest.CaptureFixture[str]) -> None:
    """Beta(0.1, 10), t = 0.5, c = 0.99: 1 of 1 gives 0.0012 (R pbeta), so stop_at is null."""
    args = ["design", "toxicity", "--prior-a", "0.1", "--prior-b", "10", "--threshold",
            "0.5", "--confidence", "0.99", "--cohort", "1", "--nmax", "5", "--rates", "0.5",
            "--json"]  # fmt: skip
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["boundaries"][0]["stop_at"] is None


GOOD = {"--prior-a": "0.4", "--prior-b": "1.6", "--threshold": "0.2", "--confidence": "0.92",
        "--cohort": "8", "--nmax": "48"}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"--prior-a": "0"}, "--prior-a"),
        ({"--prior-b": "-1"}, "--prior-b"),
        ({"--prior-a": "abc"}, "--prior-a"),
        ({"--threshold": "1"}, "--threshold"),
        ({"--confidence": "0"}, "--confidence"),
        ({"--confidence": "1.2"}, "--confidence"),
        ({"--nmax": "1"}, "--nmax"),
        ({"--nmax": "4.5"}, "--nmax"),
        ({"--cohort": "0"}, "--cohort"),
        ({"--cohort": "49"}, "--cohort"),
        ({"--rates": "0.1,,0.3"}, "--rates"),
        ({"--rates": "0.1,x"}, "--rates"),
        ({"--rates": "0.1,1.5"}, "--rates"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    change: dict[str, str], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    values = {**GOOD, **change}
    args = ["design", "toxicity", *[item for pair in values.items() for item in pair]]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {reason}")


def test_module_entry_point(rule: ToxicityRule) -> None:
    """The real command line, in a subprocess from the project root."""
    result = subprocess.run(
        [sys.executable, "-m", "monitoring", *rule_args(rule), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=HANG_GUARD,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert [b["stop_at"] for b in out["boundaries"]] == [4, 6, 8, 11, 12]


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["design", "toxicity", "--help"])
    assert exc.value.code == 0
    assert "--prior-a" in capsys.readouterr().out
