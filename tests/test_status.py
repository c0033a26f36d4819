"""Trial status from protocol + data + cut-off: the decisions the demo scenarios promise,
the monitoring log, and past looks that later data cannot change."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.demo import generate
from monitoring.derive import apply_cutoff, derive
from monitoring.protocol import load_protocol
from monitoring.rules.efficacy import EfficacyState
from monitoring.rules.toxicity import ToxicityState
from monitoring.status import LookRecord, trial_status
from monitoring.summary_state import SummaryState
from tests.conftest import PROTOCOL_DIR

PROTOCOL = load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml")


@pytest.mark.parametrize(
    ("scenario", "efficacy", "toxicity"),
    [
        ("on_track", EfficacyState.STAGE2, ToxicityState.CONTINUE),
        ("accrual_suspended", EfficacyState.ACCRUAL_SUSPENDED, ToxicityState.CONTINUE),
        ("futility", EfficacyState.STOP_FUTILITY, ToxicityState.CONTINUE),
        ("toxicity_stop", None, ToxicityState.STOP),
        ("early_success", EfficacyState.SUCCESS, ToxicityState.CONTINUE),
    ],
)
def test_each_demo_scenario_reaches_the_decision_its_name_promises(
    scenario: str, efficacy: EfficacyState | None, toxicity: ToxicityState
) -> None:
    status = trial_status(PROTOCOL, derive(generate(PROTOCOL, scenario, seed=0), PROTOCOL))
    assert status.efficacy is not None
    if efficacy is not None:
        assert status.efficacy.state is efficacy
    assert status.toxicity[0].decision is toxicity
    assert status.efficacy.explanation.endswith(".")
    assert status.toxicity[0].explanation.endswith(".")


def test_predictive_probability_is_certain_after_success_or_futility() -> None:
    success = trial_status(PROTOCOL, derive(generate(PROTOCOL, "early_success", seed=0), PROTOCOL))
    futility = trial_status(PROTOCOL, derive(generate(PROTOCOL, "futility", seed=0), PROTOCOL))
    assert success.predictive is not None
    assert success.predictive.probability == 1.0
    assert futility.predictive is not None
    assert futility.predictive.probability == 0.0


def test_monitoring_log_schedules_a_look_every_8_treated_patients() -> None:
    """Seed 003 section 11: a summary after the first 8 evaluable and every 8 thereafter."""
    data = generate(PROTOCOL, "on_track", seed=0)
    status = trial_status(PROTOCOL, derive(data, PROTOCOL))
    derived = derive(data, PROTOCOL)
    every = PROTOCOL.reporting.summary_every
    assert [look.evaluable for look in status.looks] == list(range(every, 49, every))
    first_doses = (
        derived.patients.loc[derived.patients["treated"]]
        .sort_values("treatment_order")["first_dose_date"]
        .dt.date.tolist()
    )
    for look in status.looks:
        if look.evaluable <= status.treated:
            assert look.reached_on == first_doses[look.evaluable - 1]
            assert look.summary is SummaryState.DUE
        else:
            assert look.reached_on is None
            assert look.summary is SummaryState.NOT_REACHED
    due = status.summary_due
    assert due is not None
    assert due.evaluable == (status.treated // every) * every


def test_report_records_mark_looks_generated_and_signed_off() -> None:
    data = generate(PROTOCOL, "on_track", seed=0)
    when = datetime(2025, 7, 5, 9, 30)
    records = [
        LookRecord(
            8, generated_at=when, generated_by="stat", signed_off_at=when, signed_off_by="PI"
        ),
        LookRecord(16, generated_at=when, generated_by="stat"),
    ]
    status = trial_status(PROTOCOL, derive(data, PROTOCOL), records=records)
    states = {look.evaluable: look.summary for look in status.looks}
    assert states[8] is SummaryState.SIGNED_OFF
    assert states[16] is SummaryState.GENERATED
    assert states[24] is SummaryState.DUE
    assert status.summary_due is not None
    assert status.summary_due.evaluable == 24


def test_toxicity_at_a_look_counts_events_among_the_first_patients() -> None:
    data = generate(PROTOCOL, "toxicity_stop", seed=0)
    status = trial_status(PROTOCOL, derive(data, PROTOCOL))
    stop_look = next(look for look in status.looks if look.toxicity_state is ToxicityState.STOP)
    assert stop_look.toxicity_events is not None
    assert stop_look.toxicity_boundary is not None
    assert stop_look.toxicity_events >= stop_look.toxicity_boundary


ON_TRACK = generate(PROTOCOL, "on_track", seed=1)
FIRST = min(ON_TRACK.patients["enrollment_date"]).date()
LAST = max(ON_TRACK.patients["enrollment_date"]).date() + timedelta(days=200)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(st.dates(min_value=FIRST, max_value=LAST))
def test_a_past_decision_is_unchanged_by_data_dated_after_it(cutoff: date) -> None:
    full = trial_status(PROTOCOL, derive(ON_TRACK, PROTOCOL, cutoff))
    only_known = trial_status(PROTOCOL, derive(apply_cutoff(ON_TRACK, cutoff), PROTOCOL, cutoff))
    assert full.efficacy == only_known.efficacy
    assert full.toxicity == only_known.toxicity
    assert full.provenance.data_digest == only_known.provenance.data_digest
    assert full.looks == only_known.looks
