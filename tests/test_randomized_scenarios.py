"""The AALL1732 demo's scenarios that cross a group-sequential boundary
(``monitoring/demo/examples.py``, ``VARIANTS``): ``early_success`` crosses the
O'Brien–Fleming-type efficacy bound at an interim look, ``futility`` falls below the
non-binding Hwang–Shih–DeCani futility bound; both imported through the importer by the
``demo`` command, and ``status --json`` shows the crossing.

Looks fall at observed, not planned, information fractions (events at the look / 70.89
planned events: 18/70.89 = 0.2539 instead of 0.25; 37 events where two arrive on the day the
36th does): every boundary is checked against ``evaluate_look`` at the observed events, the
design recomputed at those fractions.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitoring.cli import main
from monitoring.designs.group_sequential import evaluate_look
from monitoring.protocol import bundled_protocol, load_protocol
from monitoring.rules.group_sequential import design_spec, rule_planned_events

AALL = load_protocol(bundled_protocol("aall1732-randomized"))
RULE = AALL.efficacy[0]


def _status(tmp_path: Path, scenario: str, capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    url = str(tmp_path / f"{scenario}.sqlite")
    assert main(["demo", "--db", url, "--protocol", AALL.id, "--scenario", scenario]) == 0
    capsys.readouterr()
    # exit 3: a summary is due (docs/cli.md), not an error
    assert main(["status", "--db", url, "--trial", AALL.id, "--json"]) in (0, 3)
    out = json.loads(capsys.readouterr().out)
    (rule,) = [r for r in out["decisions"] if r["kind"] == "group_sequential"]
    return rule  # type: ignore[no-any-return]


def _check_looks(rule: dict) -> None:  # type: ignore[type-arg]
    planned = rule_planned_events(RULE)
    fractions = RULE.information_fractions
    counts: list[float] = []
    for k, look in enumerate(rule["looks"]):
        counts.append(look["events"])
        assert look["fraction"] == pytest.approx(look["events"] / planned, abs=1e-12)
        assert look["fraction"] != pytest.approx(fractions[k], abs=1e-3)  # not the planned one
        expected = evaluate_look(
            design_spec(RULE), planned, tuple(counts), look["z"], RULE.hazard_ratio
        )
        assert look["z_efficacy"] == pytest.approx(expected.z_efficacy, abs=1e-9)
        if expected.z_futility is None:
            assert look["z_futility"] is None
        else:
            assert look["z_futility"] == pytest.approx(expected.z_futility, abs=1e-9)


def test_early_success_crosses_the_efficacy_bound_at_an_interim_look(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rule = _status(tmp_path, "early_success", capsys)
    assert rule["state"] == "stop_for_efficacy"
    assert rule["severity"] == "stop"
    last = rule["looks"][-1]
    assert last["decision"] == "stop_for_efficacy"
    assert last["z"] >= last["z_efficacy"]
    assert last["fraction"] < 1  # an interim look, not the final analysis
    assert all(lk["z"] < lk["z_efficacy"] for lk in rule["looks"][:-1])
    _check_looks(rule)


def test_futility_crosses_the_non_binding_futility_bound(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rule = _status(tmp_path, "futility", capsys)
    assert rule["state"] == "futility_bound_crossed"
    assert rule["severity"] == "attention"  # non-binding: for the DSMB to discuss, not a stop
    last = rule["looks"][-1]
    assert last["decision"] == "futility_boundary_crossed"
    assert last["z_futility"] is not None
    assert last["z"] <= last["z_futility"]
    _check_looks(rule)


def test_the_scenarios_are_offered_for_the_randomized_example_only() -> None:
    from monitoring.demo import Scenario, scenarios_of

    assert scenarios_of(AALL) == (
        Scenario.ON_TRACK,
        Scenario.EARLY_SUCCESS,
        Scenario.FUTILITY,
        Scenario.LARGE,
    )
    other = load_protocol(bundled_protocol("mrd-ino-ph2"))
    assert not {Scenario.EARLY_SUCCESS, Scenario.LARGE} & set(scenarios_of(other))
