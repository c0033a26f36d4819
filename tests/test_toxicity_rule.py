"""Live toxicity decision (SPEC 3.2, 6.1) for the default trial's rule (seed 003 Table 3).

Boundaries quoted below are seed 003 Table 3: stop if >= 4/8, 6/16, 8/24, 11/32, 12/40;
the trial ends at 48. Posteriors are checked against R's pbeta.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.designs.toxicity import ToxicityPlan, stopping_boundaries
from monitoring.protocol import DEFAULT_TRIAL_ID, ToxicityRule, bundled_protocols, load_protocol
from monitoring.rules.toxicity import ToxicityState, toxicity_decision, toxicity_name

PROPERTY_SETTINGS = settings(max_examples=80, derandomize=True, deadline=None)


@pytest.fixture(scope="module")
def rule() -> ToxicityRule:
    tox = load_protocol(bundled_protocols()[DEFAULT_TRIAL_ID]).primary_toxicity
    assert tox is not None
    return tox


def outcomes(events_at: set[int], total: int) -> list[bool]:
    """Outcome list with toxicities at the given 1-based positions."""
    return [i + 1 in events_at for i in range(total)]


def test_spec_example_between_looks(rule: ToxicityRule) -> None:
    """SPEC 6.1 example shape: 3 events in 29, all among the first 24. Boundary at 24 is 8
    (not crossed); at 32 it is 11, so 8 more are needed. Posterior: R
    pbeta(0.2, 3.4, 27.6, lower.tail = FALSE) = 0.0692529439 (SPEC's 0.41 is illustrative)."""
    d = toxicity_decision(rule, outcomes({3, 10, 20}, 29))
    assert d.evaluable == 29
    assert d.events == 3
    assert d.posterior_prob == pytest.approx(0.0692529439, abs=1e-9)
    assert (d.last_look, d.events_at_last_look, d.boundary_at_last_look) == (24, 3, 8)
    assert (d.next_look, d.boundary_next_look, d.events_to_cross_next) == (32, 11, 8)
    assert d.decision is ToxicityState.CONTINUE
    assert d.stopped_at is None
    assert not d.complete
    assert [(look.n, look.events, look.boundary, look.crossed) for look in d.looks] == [
        (8, 1, 4, False),
        (16, 2, 6, False),
        (24, 3, 8, False),
    ]
    assert d.explanation == (
        "3 of 29 evaluable patients have had any-grade VOD/SOS related to inotuzumab "
        "ozogamicin; the boundary at 24 patients (8 events) was not reached, so the trial "
        "continues; it would stop at the next look, 32 patients, if 8 more of the first 32 "
        "have had it (11 in all)."
    )


def test_crossing_at_a_look_stops(rule: ToxicityRule) -> None:
    """4 of the first 8 meets Table 3's 4/8: STOP, and no next look."""
    d = toxicity_decision(rule, outcomes({1, 2, 5, 8}, 8))
    assert d.decision is ToxicityState.STOP
    assert d.stopped_at == 8
    assert (d.next_look, d.boundary_next_look, d.events_to_cross_next) == (None, None, None)
    assert d.explanation.endswith(
        "4 events among the first 8 patients reached the boundary at 8 patients (4 events), "
        "so the trial stops for toxicity."
    )


def test_stop_persists_after_later_looks(rule: ToxicityRule) -> None:
    """Crossed at 8 (4/8), then no events: still STOP at 20, first crossing reported."""
    d = toxicity_decision(rule, outcomes({1, 2, 3, 4}, 20))
    assert d.decision is ToxicityState.STOP
    assert d.stopped_at == 8
    assert d.last_look == 16
    assert [look.crossed for look in d.looks] == [True, False]


def test_events_count_among_the_first_n_only(rule: ToxicityRule) -> None:
    """3 of the first 8 and a 4th in patient 9: 3 < 4 at look 8, so CONTINUE; the events
    already number 4 of the 6 needed at 16."""
    d = toxicity_decision(rule, outcomes({1, 2, 3, 9}, 9))
    assert d.decision is ToxicityState.CONTINUE
    assert d.events_at_last_look == 3
    assert d.events_to_cross_next == 2


def test_late_event_in_an_early_patient_counts_at_the_next_look(rule: ToxicityRule) -> None:
    """Patients 1-8 had 3 events at look 8; with a later cut-off patient 2 also has VOD, so
    4 of the first 8: the look at 8 is re-evaluated on the data known at the cut-off."""
    d = toxicity_decision(rule, outcomes({1, 2, 3, 4}, 10))
    assert d.decision is ToxicityState.STOP


def test_boundary_already_reached_before_the_look(rule: ToxicityRule) -> None:
    """0 of the first 8, then 6 events among patients 9-14: 6 already meets 6/16."""
    d = toxicity_decision(rule, outcomes({9, 10, 11, 12, 13, 14}, 14))
    assert d.decision is ToxicityState.CONTINUE
    assert d.events_to_cross_next == 0
    assert d.explanation.endswith(
        "the 6 events so far already reach the boundary at 16 patients (6 events), "
        "so it will stop when 16 patients are evaluable."
    )


def test_no_patient_yet(rule: ToxicityRule) -> None:
    """Prior only: R pbeta(0.2, 0.4, 1.6, lower.tail = FALSE) = 0.3606778602."""
    d = toxicity_decision(rule, [])
    assert d.posterior_prob == pytest.approx(0.3606778602, abs=1e-9)
    assert (d.last_look, d.next_look, d.boundary_next_look) == (None, 8, 4)
    assert d.explanation == (
        "No patient is evaluable for toxicity yet, so the trial continues; it would stop at "
        "the next look, 8 patients, if 4 of the first 8 have had it."
    )


def test_after_the_last_interim_look(rule: ToxicityRule) -> None:
    """42 patients: next look is 48, the end, where no stopping boundary applies."""
    d = toxicity_decision(rule, outcomes({5, 30}, 42))
    assert (d.last_look, d.boundary_at_last_look, d.next_look) == (40, 12, 48)
    assert d.boundary_next_look is None
    assert d.events_to_cross_next is None
    assert d.explanation.endswith(
        "no stopping boundary remains before the trial ends at 48 patients."
    )


def test_complete_at_nmax(rule: ToxicityRule) -> None:
    """48 evaluable and no crossing: monitoring complete; 13 events at 48 would not matter
    (the end of the trial is not a stopping boundary)."""
    d = toxicity_decision(rule, outcomes(set(range(36, 49)), 48))
    assert d.complete
    assert d.decision is ToxicityState.CONTINUE
    assert (d.last_look, d.events_at_last_look, d.boundary_at_last_look) == (48, 13, None)
    assert d.next_look is None
    assert d.looks[-1].final
    assert d.explanation == (
        "13 of 48 evaluable patients have had any-grade VOD/SOS related to inotuzumab "
        "ozogamicin; no stopping boundary was reached and the trial has reached its maximum "
        "of 48 patients, so toxicity monitoring is complete."
    )


def test_singular_wording(rule: ToxicityRule) -> None:
    d = toxicity_decision(rule, [True])
    assert d.explanation.startswith("1 of 1 evaluable patient has had any-grade VOD/SOS")
    assert "if 3 more of the first 8 have had it (4 in all)" in d.explanation


def test_label_keeps_leading_acronym(rule: ToxicityRule) -> None:
    assert (
        toxicity_name(dataclasses.replace(rule, label="VOD/SOS (related)")) == "VOD/SOS (related)"
    )


def test_reused_boundaries_must_belong_to_the_rule(rule: ToxicityRule) -> None:
    other = stopping_boundaries(ToxicityPlan(1.0, 1.0, 0.3, 0.9, 8, 48))
    with pytest.raises(ValueError, match="another rule"):
        toxicity_decision(rule, [False] * 5, boundaries=other)
    same = stopping_boundaries(ToxicityPlan.from_rule(rule))
    assert toxicity_decision(rule, [False] * 5, boundaries=same) == toxicity_decision(
        rule, [False] * 5
    )


outcome_lists = st.lists(st.booleans(), max_size=60)


@PROPERTY_SETTINGS
@given(outcome_lists, st.integers(0, 59))
def test_one_more_toxicity_never_turns_stop_into_continue(
    rule: ToxicityRule, data: list[bool], position: int
) -> None:
    if not data:
        return
    i = position % len(data)
    worse = [*data[:i], True, *data[i + 1 :]]
    before, after = toxicity_decision(rule, data), toxicity_decision(rule, worse)
    if before.decision is ToxicityState.STOP:
        assert after.decision is ToxicityState.STOP
    assert after.posterior_prob >= before.posterior_prob


@PROPERTY_SETTINGS
@given(outcome_lists, outcome_lists)
def test_later_patients_never_undo_a_stop(
    rule: ToxicityRule, data: list[bool], more: list[bool]
) -> None:
    """Past looks are unchanged by patients added after them."""
    before, after = toxicity_decision(rule, data), toxicity_decision(rule, data + more)
    assert after.looks[: len(before.looks)] == before.looks
    if before.decision is ToxicityState.STOP:
        assert after.decision is ToxicityState.STOP
        assert after.stopped_at == before.stopped_at


@PROPERTY_SETTINGS
@given(outcome_lists)
def test_fields_are_consistent(rule: ToxicityRule, data: list[bool]) -> None:
    d = toxicity_decision(rule, data)
    assert d.events == sum(data)
    assert 0.0 <= d.posterior_prob <= 1.0
    assert d.explanation.count(". ") == 0
    assert d.explanation.endswith(".")
    if d.next_look is not None:
        assert d.last_look is None or d.last_look < d.next_look
        assert d.evaluable < d.next_look
    if d.events_to_cross_next is not None and d.boundary_next_look is not None:
        assert d.events + d.events_to_cross_next >= d.boundary_next_look


def test_one_event_already_reaching_the_next_boundary(rule: ToxicityRule) -> None:
    """Beta(0.5, 4), t = 0.05, c = 0.5, looks every 4: R pbeta(0.05, 0.5 + x, 4 + n - x,
    lower.tail = FALSE) is 0.3724 (x = 0) and 0.8631 (x = 1) at n = 4, 0.2722 and 0.7642 at
    n = 8, so the boundary is 1 at both. 0 of the first 4, then 1 event in patient 5."""
    strict = dataclasses.replace(
        rule, prior_a=0.5, prior_b=4.0, threshold=0.05, confidence=0.5, cohort_size=4, nmax=20
    )
    d = toxicity_decision(strict, outcomes({5}, 5))
    assert [(look.n, look.boundary, look.crossed) for look in d.looks] == [(4, 1, False)]
    assert (d.next_look, d.boundary_next_look, d.events_to_cross_next) == (8, 1, 0)
    assert d.decision is ToxicityState.CONTINUE
    assert d.explanation.endswith(
        "the 1 event so far already reaches the boundary at 8 patients (1 event), so it will "
        "stop when 8 patients are evaluable."
    )
