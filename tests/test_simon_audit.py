"""Audit of a protocol's Simon rule (monitoring/designs/simon_audit.py)."""

from __future__ import annotations

import pytest

from monitoring.designs.simon_audit import (
    Topic,
    agrees,
    audit_rule,
    decimals,
    round_up,
)
from monitoring.protocol import SimonRule, parse_protocol
from tests.conftest import PROTOCOL_DIR

DEFAULT = PROTOCOL_DIR / "ino-lowdose-ph2.toml"


def rule_from(replacements: dict[str, str]) -> SimonRule:
    """The default protocol with some lines replaced (a variant protocol for the audit)."""
    text = DEFAULT.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    rule = parse_protocol(text, "variant.toml").simon
    assert rule is not None
    return rule


def by_topic(rule: SimonRule) -> dict[Topic, tuple[bool, str]]:
    return {f.topic: (f.flagged, f.message) for f in audit_rule(rule).findings}


def test_seed_003_printed_power_is_flagged() -> None:
    """Seed 003 section 11 prints alpha 0.113, power 78.3%, PET 0.549, EN 31.5; exact values
    0.1127, 0.7853, 0.5491, 31.53 (SPEC 3.1): only the power differs at printed precision."""
    findings = by_topic(rule_from({}))
    assert findings[Topic.PRINTED_POWER][0]
    assert "0.783" in findings[Topic.PRINTED_POWER][1]
    assert "0.7853" in findings[Topic.PRINTED_POWER][1]
    for topic in (Topic.PRINTED_ALPHA, Topic.PRINTED_PET0, Topic.PRINTED_EN0):
        assert not findings[topic][0], findings[topic][1]


def test_seed_003_is_not_optimal_for_its_nominal_rates() -> None:
    """Nominal alpha 0.10, beta 0.20 (protocol file): the design's alpha 0.1127 breaks the
    bound, and the optimal design there is 7/20, 24/58 (Simon search, see test_simon_search)."""
    audit = audit_rule(rule_from({}))
    findings = by_topic(rule_from({}))
    assert findings[Topic.NOMINAL_ERRORS][0]
    flagged, message = findings[Topic.NOMINAL_OPTIMAL]
    assert flagged
    assert "not the optimal design" in message
    assert "7/20, 24/58" in message
    assert audit.nominal is not None
    assert audit.nominal.optimal is not None
    assert audit.nominal.optimal.rule == (7, 20, 24, 58)
    # Claimed optimal, so not being minimax is information, not a flag.
    assert not findings[Topic.NOMINAL_MINIMAX][0]


def test_seed_003_is_optimal_for_its_own_rates_rounded_up() -> None:
    """Exact alpha 0.11274 and beta 0.21471 round up (3 places) to 0.113 and 0.215; the search
    there returns 6/18, 20/48 as the optimal design (checked by the search itself), which
    confirms the protocol's claim 'Simon's optimal two-stage design'."""
    audit = audit_rule(rule_from({}))
    three, two = audit.own
    assert (three.alpha, three.beta) == (0.113, 0.215)
    assert three.is_optimal
    assert not three.is_minimax
    assert (two.alpha, two.beta) == (0.12, 0.22)
    assert not two.is_optimal
    finding = next(f for f in audit.findings if f.topic is Topic.OWN_ERRORS)
    assert not finding.flagged
    assert "alpha < 0.113, beta < 0.215 it is the optimal" in finding.message


def test_correct_printed_power_is_not_flagged() -> None:
    rule = rule_from({"power = 0.783": "power = 0.785"})
    assert not by_topic(rule)[Topic.PRINTED_POWER][0]


def test_minimax_claim_that_fails_is_flagged() -> None:
    """Claiming 'minimax' for 6/18, 20/48: it is neither minimax at the nominal rates nor at
    its own rounded-up rates (the minimax there is 11/30, 19/45, from the search)."""
    rule = rule_from({'design_type = "optimal"': 'design_type = "minimax"'})
    findings = by_topic(rule)
    assert findings[Topic.NOMINAL_MINIMAX][0]
    assert findings[Topic.OWN_ERRORS][0]
    assert not findings[Topic.NOMINAL_OPTIMAL][0]


def test_design_that_is_optimal_at_nominal_rates() -> None:
    """The Simon search's optimal design for 0.35/0.50, alpha 0.10, beta 0.20 is 7/20, 24/58:
    a protocol using it passes the nominal checks."""
    rule = rule_from(
        {
            "max_patients = 48": "max_patients = 58",
            "n1 = 18": "n1 = 20",
            "r1 = 6": "r1 = 7",
            "n = 48": "n = 58",
            "r = 20": "r = 24",
        }
    )
    findings = by_topic(rule)
    assert not findings[Topic.NOMINAL_ERRORS][0]
    assert findings[Topic.NOMINAL_OPTIMAL] == (
        False,
        "The design is the optimal design for alpha = 0.1, beta = 0.2.",
    )


@pytest.mark.parametrize(("value", "places"), [(0.783, 3), (31.5, 1), (0.1, 1), (12.0, 0)])
def test_decimals_of_printed_numbers(value: float, places: int) -> None:
    assert decimals(value) == places


def test_agreement_is_half_a_unit_of_the_last_digit() -> None:
    """0.7853 prints as 0.785 (3 places), so it agrees with 0.785 and not with 0.783."""
    assert agrees(0.785, 0.7853)
    assert not agrees(0.783, 0.7853)
    assert agrees(31.5, 31.5269)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [(0.11274, 3, 0.113), (0.11274, 2, 0.12), (0.2147, 3, 0.215), (0.11, 2, 0.12)],
)
def test_round_up_is_strictly_above(value: float, places: int, expected: float) -> None:
    """Hand calculation; a value already on the grid moves one step up (strict bounds)."""
    assert round_up(value, places) == expected
