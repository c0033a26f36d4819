"""Audit of the protocol's toxicity rule against its printed Tables 3 and 4 (seed 003)."""

from __future__ import annotations

import dataclasses

import pytest

from monitoring.designs.toxicity_audit import (
    audit_toxicity_rule,
    compare_printed,
    printed_decimals,
)
from monitoring.protocol import (
    DEFAULT_TRIAL_ID,
    PrintedBoundary,
    ToxicityRule,
    bundled_protocols,
    load_protocol,
)


@pytest.fixture(scope="module")
def rule() -> ToxicityRule:
    tox = load_protocol(bundled_protocols()[DEFAULT_TRIAL_ID]).primary_toxicity
    assert tox is not None
    return tox


def test_seed_003_is_reproduced(rule: ToxicityRule) -> None:
    """Tables 3 and 4 are reproduced; the closest call is 10/32 (R: pbeta(0.2, 10.4, 23.6,
    lower.tail = FALSE) = 0.9195458634, 0.00045 under 0.92)."""
    audit = audit_toxicity_rule(rule)
    assert audit.matches
    assert len(audit.boundary_checks) == 5
    assert len(audit.oc_checks) == 8
    assert audit.findings == (
        "The printed boundaries are reproduced at every interim look (8, 16, 24, 32, 40).",
        "At 48 patients the trial ends whatever the count; the posterior rule would be met "
        "there with 14 or more events (posterior 0.9240), a figure for the final analysis, "
        "not a stopping boundary.",
        "Closest call: at 32 patients, 10 events give Pr(p > 0.2 | data) = 0.919546, 0.000454 "
        "below the cut-off 0.92; the boundary there is 11, and a cut-off of 0.9195 or less "
        "would make it 10.",
        "The printed operating characteristics are reproduced at their printed precision "
        "for all 8 true rates.",
    )


def test_printed_precision_of_table_4(rule: ToxicityRule) -> None:
    """0.008 is printed with 3 decimals, 0.40 (read as 0.4) with the column's 2."""
    audit = audit_toxicity_rule(rule)
    assert [c.stop_prob.decimals for c in audit.oc_checks] == [3, 2, 2, 2, 2, 2, 2, 2]
    assert {c.mean_n.decimals for c in audit.oc_checks} == {1}
    # Exact early-stopping probability at 0.10 is 0.0082 (R reference in
    # test_toxicity_design.py: 0.008151181571).
    assert audit.oc_checks[0].stop_prob.computed == pytest.approx(0.008151181571, abs=1e-11)


def test_boundary_difference_is_flagged(rule: ToxicityRule) -> None:
    """A misprinted 9/24 (the rule gives 8/24) and a boundary printed at nmax."""
    printed = (
        *rule.printed_boundaries[:2],
        PrintedBoundary(24, 9),
        *rule.printed_boundaries[3:],
        PrintedBoundary(48, 14),
    )
    audit = audit_toxicity_rule(dataclasses.replace(rule, printed_boundaries=printed))
    assert not audit.matches
    bad = [c.n for c in audit.boundary_checks if not c.matches]
    assert bad == [24, 48]
    assert (
        "At 24 patients the protocol prints stop at 9 or more, but the rule stops at 8 or more."
        in audit.findings
    )
    assert any("prints a boundary at 48 patients" in f and "nmax" in f for f in audit.findings)


def test_closest_call_above_the_cut_off(rule: ToxicityRule) -> None:
    """With c = 0.9205 the closest call is 8/24: R pbeta(0.2, 8.4, 17.6, lower.tail = FALSE)
    = 0.9208664329, 0.000366 above; a cut-off of 0.9209 (>= 0.92087) would need 9."""
    audit = audit_toxicity_rule(dataclasses.replace(rule, confidence=0.9205))
    assert audit.findings[2] == (
        "Closest call: at 24 patients, 8 events give Pr(p > 0.2 | data) = 0.920866, 0.000366 "
        "above the cut-off 0.9205; the boundary there is 8, and a cut-off of 0.9209 or more "
        "would make it 9."
    )


def test_missing_printed_boundary_is_flagged(rule: ToxicityRule) -> None:
    audit = audit_toxicity_rule(
        dataclasses.replace(rule, printed_boundaries=rule.printed_boundaries[:4])
    )
    assert not audit.matches
    assert "No boundary is printed at 40 patients; the rule stops at 12 or more." in audit.findings


def test_oc_difference_is_flagged(rule: ToxicityRule) -> None:
    """Printing 0.19 at p = 0.20 (exact 0.1742) or a 25th percentile of 16 at 0.25 (exact
    24) is flagged; the other rows still match."""
    rows = list(rule.printed_oc)
    rows[2] = dataclasses.replace(rows[2], stop_prob=0.19)
    rows[3] = dataclasses.replace(rows[3], p25=16)
    audit = audit_toxicity_rule(dataclasses.replace(rule, printed_oc=tuple(rows)))
    assert [c.matches for c in audit.oc_checks] == [
        True,
        True,
        False,
        False,
        True,
        True,
        True,
        True,
    ]
    assert (
        "At a true rate of 0.2 the exact early-stopping probability is 0.1742; "
        "the protocol prints 0.19." in audit.findings
    )
    assert (
        "At a true rate of 0.25 the exact 25th percentile is 24; the protocol prints 16."
        in audit.findings
    )


def test_rule_without_printed_tables(rule: ToxicityRule) -> None:
    audit = audit_toxicity_rule(dataclasses.replace(rule, printed_boundaries=(), printed_oc=()))
    assert "The protocol prints no stopping boundaries." in audit.findings
    assert "The protocol prints no operating characteristics." in audit.findings
    assert audit.matches  # nothing printed, nothing contradicted


@pytest.mark.parametrize(
    ("value", "minimum", "expected"),
    [(0.008, 2, 3), (0.4, 2, 2), (0.05, 2, 2), (43.0, 1, 1), (47.7, 1, 1), (48, 0, 0)],
)
def test_printed_decimals(value: float, minimum: int, expected: int) -> None:
    assert printed_decimals(value, minimum) == expected


@pytest.mark.parametrize(
    ("printed", "computed", "matches"),
    [
        (0.05, 0.0499461, True),  # Table 4 at 0.15
        (0.05, 0.0449, False),
        (0.008, 0.0085, True),  # exactly half a unit: accepted
        (0.008, 0.00851, False),
    ],
)
def test_compare_printed(printed: float, computed: float, matches: bool) -> None:
    assert compare_printed(printed, computed, 2).matches is matches
