"""Past looks read off one later derivation equal a full derivation at the look's day.

``monitoring.derive.looks`` replaces one ``derive`` per scheduled look by comparisons of
per-patient dates; these tests are the proof of equality the monitoring log relies on:
every count and toxicity outcome a look uses, compared with ``derive(data, protocol, day)``
on the demo scenarios (all protocols shipped), at every scheduled look and at random days.
No expected number is hard-coded: the reference is ``derive`` itself.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.data_dictionary import TrialData
from monitoring.demo import generate
from monitoring.derive import Derivation, derive
from monitoring.derive.looks import LookDates, look_counts, look_dates
from monitoring.protocol import Protocol, SimonRule, load_protocol
from monitoring.rules.efficacy import efficacy_decision
from monitoring.rules.toxicity import toxicity_decision
from monitoring.status import trial_status
from tests.conftest import PROTOCOL_DIR

DEFAULT = load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml")
EXAMPLES = sorted((PROTOCOL_DIR / "examples").glob("*.toml"))
SCENARIOS = ("on_track", "accrual_suspended", "futility", "toxicity_stop", "early_success")


def _by_enrolment(protocol: Protocol) -> Protocol:
    """The same protocol with the Simon stage-1 cohort ordered by enrolment date."""
    efficacy = tuple(
        dataclasses.replace(r, stage1_order="enrollment_date") if isinstance(r, SimonRule) else r
        for r in protocol.efficacy
    )
    return dataclasses.replace(protocol, efficacy=efficacy)


def _scoped(protocol: Protocol) -> Protocol:
    """The same protocol with the Simon rule restricted to men and the toxicity rules to
    women (scopes on a patient column the demo data fill)."""
    efficacy = tuple(
        dataclasses.replace(r, scope={"sex": "M"}) if isinstance(r, SimonRule) else r
        for r in protocol.efficacy
    )
    toxicity = tuple(dataclasses.replace(r, scope={"sex": "F"}) for r in protocol.toxicity)
    return dataclasses.replace(protocol, efficacy=efficacy, toxicity=toxicity)


def assert_same_as_derive(data: TrialData, protocol: Protocol, dates: LookDates, day: date) -> None:
    counts = look_counts(dates, protocol, day)
    reference = derive(data, protocol, day)
    assert counts.treated == reference.evaluable.treated
    assert counts.stage1 == reference.stage1
    assert counts.simon_cohort == reference.simon_cohort
    assert counts.overall == reference.overall
    if protocol.primary_toxicity is None:
        assert counts.toxicity is None
    else:
        assert counts.toxicity == reference.toxicity[0]


def _days(full: Derivation) -> list[date]:
    """Every first-dose day (the days looks are reached on), plus the cut-off."""
    doses = full.patients["first_dose_date"].dropna().dt.date
    return sorted({*doses, full.cutoff})


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize(
    "protocol",
    [DEFAULT, _by_enrolment(DEFAULT), _scoped(DEFAULT)],
    ids=["dose", "enrol", "scoped"],
)
def test_every_first_dose_day_matches_a_full_derivation(scenario: str, protocol: Protocol) -> None:
    data = generate(protocol, scenario, seed=0)
    full = derive(data, protocol)
    dates = look_dates(full, protocol)
    for day in _days(full)[::3]:
        assert_same_as_derive(data, protocol, dates, day)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_protocols_match_a_full_derivation(path: Path) -> None:
    """Protocols with rule scopes (cohorts) and other toxicity rules."""
    protocol = load_protocol(path)
    # the demo generator needs a Simon rule; a protocol without one reads default data
    data = generate(protocol if protocol.simon else DEFAULT, "on_track", seed=2)
    full = derive(data, protocol)
    dates = look_dates(full, protocol)
    for day in _days(full)[::4]:
        assert_same_as_derive(data, protocol, dates, day)


TOXIC = generate(DEFAULT, "toxicity_stop", seed=3)
FULL = derive(TOXIC, DEFAULT)
DATES = look_dates(FULL, DEFAULT)
FIRST = FULL.patients["enrollment_date"].min().date() - timedelta(days=5)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(min_value=0, max_value=(FULL.cutoff - FIRST).days))
def test_any_day_up_to_the_cut_off_matches_a_full_derivation(offset: int) -> None:
    assert_same_as_derive(TOXIC, DEFAULT, DATES, FIRST + timedelta(days=offset))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_monitoring_log_equals_one_derivation_per_look(scenario: str) -> None:
    """Each reached look of the log equals the look decided on ``derive`` at its day (the
    computation the log used before ``monitoring.derive.looks``)."""
    data = generate(DEFAULT, scenario, seed=1)
    simon, rule = DEFAULT.simon, DEFAULT.primary_toxicity
    assert simon is not None
    assert rule is not None
    reached = [
        look for look in trial_status(DEFAULT, derive(data, DEFAULT)).looks if look.reached_on
    ]
    assert reached
    for look in reached:
        assert look.reached_on is not None
        past = derive(data, DEFAULT, look.reached_on)
        treated = min(past.evaluable.treated, simon.n)
        efficacy = efficacy_decision(simon, past.stage1, past.simon_cohort, treated)
        tox = toxicity_decision(rule, past.toxicity[0].outcomes)
        boundary = next((lk.boundary for lk in tox.looks if lk.n == look.evaluable), None)
        assert look.efficacy_state is efficacy.state
        assert look.responders == past.overall.responders
        assert look.non_responders == past.overall.non_responders
        assert look.pending == past.overall.pending
        assert look.toxicity_events == past.toxicity[0].events_among_first(look.evaluable)
        assert look.toxicity_boundary == boundary
        assert look.toxicity_state is tox.decision
