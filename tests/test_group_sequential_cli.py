"""``python -m monitoring design group-sequential`` (monitoring/cli/design_group_sequential.py).

Expected numbers are rpact 3.3.4's, from tests/reference/group_sequential_reference.json
(the R calls are in tests/reference/group_sequential_reference.R), e.g. asOF + bsOF at
(0.33, 0.67, 1), alpha 0.025, beta 0.2: criticalValues 3.73066529319049 2.50387135893106
1.99370985478163, futilityBounds -0.256533833197931 1.18314683949575, inflationFactor
1.10502345674154, maxNumberOfEvents for HR 0.7: 272.705539346158.
"""

from __future__ import annotations

import json

import pytest

from monitoring.cli import main

LOOK_KEYS = {"fraction", "z_efficacy", "nominal_p_efficacy", "alpha_spent", "z_futility"}


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["design", "group-sequential", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_contract_and_rpact_values(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "--alpha", "0.025", "--spending", "obrien_fleming", "--fractions", "0.33,0.67,1",
        "--beta", "0.2", "--futility-spending", "obrien_fleming", "--hazard-ratio", "0.7",
        "--json",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    looks = data["looks"]
    assert all(set(lk) >= LOOK_KEYS for lk in looks)
    assert [lk["z_efficacy"] for lk in looks] == pytest.approx(
        [3.73066529319049, 2.50387135893106, 1.99370985478163], abs=1e-6
    )
    assert [lk["z_futility"] for lk in looks[:2]] == pytest.approx(
        [-0.256533833197931, 1.18314683949575], abs=1e-6
    )
    assert looks[-1]["z_futility"] is None
    assert looks[-1]["alpha_spent"] == 0.025
    assert data["max_information_inflation"] == pytest.approx(1.10502345674154, abs=1e-6)
    assert data["events"]["max"] == pytest.approx(272.705539346158, rel=1e-7)


def test_without_beta_inflation_is_null(capsys: pytest.CaptureFixture[str]) -> None:
    """asHSD gamma -4, 4 equal looks (rpact reference: HSD(-4) at (0.25, 0.5, 0.75, 1))."""
    code, out, _ = run_cli(
        capsys, "--alpha", "0.025", "--spending", "hsd", "--gamma", "-4", "--k", "4", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["max_information_inflation"] is None
    assert all(lk["z_futility"] is None for lk in data["looks"])
    assert sum(lk["efficacy_h0"] for lk in data["looks"]) == pytest.approx(0.025, abs=1e-10)


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "--alpha", "0.025", "--spending", "pocock", "--fractions", "0.5,1", "--beta", "0.1"
    )
    assert code == 0
    assert "efficacy (alpha) spending pocock; beta 0.1, futility (beta) spending none" in out
    assert "Maximum information inflation" in out


@pytest.mark.parametrize(
    "args",
    [
        ["--alpha", "0.025", "--spending", "hsd", "--k", "3"],
        ["--alpha", "0.025", "--spending", "pocock", "--fractions", "0.5,0.4,1"],
        ["--alpha", "0.025", "--spending", "pocock", "--fractions", "0.5,0.9"],
        ["--alpha", "0.025", "--spending", "pocock", "--fractions", "a,1"],
        ["--alpha", "0.025", "--spending", "pocock", "--k", "3", "--fractions", "0.5,1"],
        ["--alpha", "0.025", "--spending", "pocock", "--k", "3", "--futility", "pocock"],
        ["--alpha", "0.7", "--spending", "pocock", "--k", "3"],
        ["--alpha", "0.025", "--spending", "pocock"],
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1


def test_text_labels_efficacy_and_futility_spending_apart(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The AALL1732 design: O'Brien–Fleming-type efficacy, HSD(-2) futility. The gamma is
    the futility spending's, not the efficacy's (it used to print 'obrien_fleming (gamma
    -2)')."""
    code, out, _ = run_cli(
        capsys, "--alpha", "0.025", "--spending", "obrien_fleming", "--gamma", "-2",
        "--fractions", "0.25,0.5,0.75,1", "--beta", "0.2", "--futility-spending", "hsd",
    )  # fmt: skip
    assert code == 0
    head = out.splitlines()[0]
    assert "efficacy (alpha) spending obrien_fleming;" in head
    assert "futility (beta) spending hsd (gamma -2) (non-binding)" in head
    assert "obrien_fleming (gamma" not in head


def test_futility_gamma_sets_the_beta_spending_alone(capsys: pytest.CaptureFixture[str]) -> None:
    """--gamma -4 --futility-gamma -2: efficacy bounds of asHSD(-4) (rpact reference:
    HSD(-4) at four equal looks, as in the test above) and futility bounds of bsHSD(-2),
    the library's design with those two spending functions."""
    from monitoring.designs.group_sequential import (
        DesignSpec,
        SpendingFamily,
        SpendingFunction,
        compute_design,
    )

    code, out, _ = run_cli(
        capsys, "--alpha", "0.025", "--spending", "hsd", "--gamma", "-4", "--k", "4",
        "--beta", "0.2", "--futility-spending", "hsd", "--futility-gamma", "-2", "--json",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert (data["gamma"], data["futility_gamma"]) == (-4, -2)
    hsd = SpendingFamily.HSD
    design = compute_design(
        DesignSpec(
            0.025,
            (0.25, 0.5, 0.75, 1.0),
            SpendingFunction(hsd, -4.0),
            0.2,
            SpendingFunction(hsd, -2.0),
        )
    )
    assert [lk["z_futility"] for lk in data["looks"][:3]] == pytest.approx(
        list(design.futility_bounds or ()), abs=1e-12
    )
    same = compute_design(
        DesignSpec(0.025, (0.25, 0.5, 0.75, 1.0), SpendingFunction(hsd, -4.0), 0.2,
                   SpendingFunction(hsd, -4.0))
    )  # fmt: skip
    assert design.futility_bounds != pytest.approx(same.futility_bounds, abs=1e-3)
