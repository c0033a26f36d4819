"""Simon two-stage efficacy decisions with curtailment (monitoring.rules.efficacy).

The default rule is seed 003, section 11: n1 = 18, r1 = 6, n = 48, r = 20 (continue to
stage 2 with >= 7 of the first 18 responders; success with >= 21 of 48).
"""

from __future__ import annotations

import dataclasses
import re
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from monitoring.protocol import SimonRule, load_protocol
from monitoring.rules.efficacy import (
    EfficacyDecision,
    EfficacyState,
    ResponseCounts,
    Stage1State,
    efficacy_decision,
)
from tests.conftest import PROTOCOL_DIR

C = ResponseCounts
RULE = load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml").simon
assert RULE is not None
DEFAULT: SimonRule = RULE


def decide(stage1: ResponseCounts, overall: ResponseCounts | None = None) -> EfficacyDecision:
    """Decision for the default rule; ``overall`` defaults to the stage-1 counts."""
    overall = overall or stage1
    return efficacy_decision(DEFAULT, stage1, overall, overall.total)


# --- Worked cases (hand-checked against seed 003 section 11 and SPEC 3.1) -----------------


@pytest.mark.parametrize(
    ("stage1", "overall", "state", "stage1_state"),
    [
        # Nobody treated yet: 7 responders still needed among 18.
        (C(0, 0, 0), None, EfficacyState.STAGE1_ACCRUING, Stage1State.PENDING),
        # 7 responders among the first 14: stage 2 before all 18 are evaluable (curtailment).
        (C(7, 5, 2), None, EfficacyState.STAGE2, Stage1State.CONTINUE),
        # 18 treated, 5 responders, 3 pending: 5 + 3 >= 7 is still possible -> suspended.
        (C(5, 10, 3), None, EfficacyState.ACCRUAL_SUSPENDED, Stage1State.ACCRUAL_SUSPENDED),
        # 18 treated, 5 responders, 1 pending: 5 + 1 < 7 -> futility without waiting.
        (C(5, 12, 1), None, EfficacyState.STOP_FUTILITY, Stage1State.STOP_FUTILITY),
        # 12 treated, no responder: even 6 more stage-1 responders give 6 < 7 -> futility.
        (C(0, 12, 0), None, EfficacyState.STOP_FUTILITY, Stage1State.STOP_FUTILITY),
        # 11 treated, no responder: 0 + 7 open places = 7 -> still possible.
        (C(0, 11, 0), None, EfficacyState.STAGE1_ACCRUING, Stage1State.PENDING),
        # Exactly r1 = 6 of 18 with nobody pending: futility (stop if <= r1).
        (C(6, 12, 0), None, EfficacyState.STOP_FUTILITY, Stage1State.STOP_FUTILITY),
        # Stage 2 running: 21 of 40 -> success before the last 8 are treated (curtailment).
        (C(8, 10, 0), C(21, 15, 4), EfficacyState.SUCCESS, Stage1State.CONTINUE),
        # 20 responders, 4 pending, 8 open: success still possible, not yet reached.
        (C(8, 10, 0), C(20, 16, 4), EfficacyState.STAGE2, Stage1State.CONTINUE),
        # 12 of 38, 1 pending, 10 open: 12 + 1 + 10 = 23 >= 21 -> stage 2 goes on.
        (C(8, 10, 0), C(12, 25, 1), EfficacyState.STAGE2, Stage1State.CONTINUE),
        # 10 of 38, 0 pending, 10 open: 10 + 10 = 20 < 21 -> cannot succeed.
        (C(8, 10, 0), C(10, 28, 0), EfficacyState.CANNOT_SUCCEED, Stage1State.CONTINUE),
        # All 48 known, 20 responders = r: final criterion (> r) not met.
        (C(8, 10, 0), C(20, 28, 0), EfficacyState.CANNOT_SUCCEED, Stage1State.CONTINUE),
        # All 48 known, 21 responders: success.
        (C(7, 11, 0), C(21, 27, 0), EfficacyState.SUCCESS, Stage1State.CONTINUE),
    ],
)
def test_default_rule_worked_cases(
    stage1: ResponseCounts,
    overall: ResponseCounts | None,
    state: EfficacyState,
    stage1_state: Stage1State,
) -> None:
    d = decide(stage1, overall)
    assert (d.state, d.stage1_state) == (state, stage1_state)


def test_brief_sentences_exactly() -> None:
    """The two example sentences of the product brief, word for word."""
    assert decide(C(7, 11, 0)).explanation == (
        "7 of the first 18 patients have responded, so the trial continues to stage 2."
    )
    assert decide(C(5, 12, 1)).explanation == (
        "5 of the first 18 patients have responded and 1 is pending; even if it responds "
        "the total cannot reach 7, so the trial stops for futility."
    )


@pytest.mark.parametrize(
    ("stage1", "overall", "sentence"),
    [
        (
            C(0, 0, 0),
            None,
            "No patient has been treated yet; 7 more responders among the first 18 patients "
            "are needed to continue to stage 2.",
        ),
        (
            C(1, 0, 0),
            None,
            "The only patient treated so far has responded; 6 more responders among the "
            "first 18 patients are needed to continue to stage 2.",
        ),
        (
            C(6, 11, 1),
            None,
            "6 of the first 18 patients have responded and 1 is pending; accrual is suspended "
            "until 1 more responds, which would continue the trial to stage 2, or futility "
            "is certain.",
        ),
        (
            C(0, 12, 0),
            None,
            "None of the 12 patients treated so far has responded; even if all 6 patients "
            "still to be treated in stage 1 respond the total cannot reach 7, so the trial "
            "stops for futility.",
        ),
        (
            C(0, 16, 1),
            None,
            "None of the 17 patients treated so far has responded and 1 is pending; even if "
            "the pending patient and the 1 patient still to be treated in stage 1 both "
            "respond the total cannot reach 7, so the trial stops for futility.",
        ),
        (
            C(1, 17, 0),
            None,
            "1 of the first 18 patients has responded, fewer than the 7 needed, so the trial "
            "stops for futility.",
        ),
        (
            C(8, 10, 0),
            C(9, 12, 4),
            "8 of the first 18 patients have responded, so the trial continues to stage 2; "
            "overall 9 of the 25 patients treated have responded and 4 are pending, and 12 "
            "more responders are needed to reach 21 of 48.",
        ),
        (
            C(8, 10, 0),
            C(21, 15, 4),
            "21 of the 40 patients treated have responded, reaching the 21 of 48 needed, so "
            "the final efficacy criterion is met.",
        ),
        (
            C(8, 10, 0),
            C(15, 31, 2),
            "15 of all 48 patients have responded and 2 are pending; even if both respond the "
            "total cannot reach 21 of 48, so the final efficacy criterion can no longer be met.",
        ),
        (
            C(8, 10, 0),
            C(20, 28, 0),
            "20 of all 48 patients have responded, fewer than the 21 of 48 needed, so the "
            "final efficacy criterion is not met.",
        ),
    ],
)
def test_sentences(stage1: ResponseCounts, overall: ResponseCounts | None, sentence: str) -> None:
    """Hand-written expected sentences; grammar for 1 patient vs patients included."""
    assert decide(stage1, overall).explanation == sentence


def test_result_carries_numbers_thresholds_and_needs() -> None:
    """Stage 2 with 9 of 25 (4 pending): 12 more needed for 21.

    Hand calculation of the best cases: stage 1, 8 + 0 pending + 0 open; overall,
    9 + 4 pending + 23 open = 36.
    """
    d = decide(C(8, 10, 0), C(9, 12, 4))
    assert (d.n1, d.r1, d.n, d.r) == (18, 6, 48, 20)
    assert (d.stage1_target, d.final_target) == (7, 21)
    assert (d.stage1_needed, d.final_needed) == (0, 12)
    assert (d.stage1_open, d.final_open) == (0, 23)
    assert (d.stage1_best, d.final_best) == (8, 36)
    assert d.treated == 25
    assert d.overall == C(9, 12, 4)


def test_no_suspension_when_protocol_says_so() -> None:
    """With suspend_accrual_after_stage1 = false, an undecided stage 1 stays 'pending'."""
    rule = dataclasses.replace(DEFAULT, suspend_accrual_after_stage1=False)
    d = efficacy_decision(rule, C(5, 10, 3), C(6, 12, 4), 22)
    assert (d.state, d.stage1_state) == (EfficacyState.STAGE1_ACCRUING, Stage1State.PENDING)


def test_cannot_succeed_while_stage1_undecided() -> None:
    """A rule where stage 2 is too short to catch up: n1 = 10, r1 = 2, n = 12, r = 8.

    3 of 10 stage-1 places are still open-or-pending with 1 responder (1 + 2 + 0 = 3 >= 3,
    stage 1 undecided), yet 1 + 2 + 2 = 5 <= r = 8 responders overall: the final criterion
    can no longer be met, which is reported although stage 1 is not resolved.
    """
    rule = dataclasses.replace(DEFAULT, n1=10, r1=2, n=12, r=8)
    d = efficacy_decision(rule, C(1, 7, 2), C(1, 7, 2), 10)
    assert d.state is EfficacyState.CANNOT_SUCCEED
    assert d.stage1_state is Stage1State.ACCRUAL_SUSPENDED


@pytest.mark.parametrize(
    ("stage1", "overall", "treated", "message"),
    [
        (C(0, 0, 0), C(0, 0, 0), -1, "treated must be a non-negative integer"),
        (C(7, 11, 0), C(21, 28, 0), 49, "exceeds the design's total sample size n (48)"),
        (C(7, 11, 0), C(7, 11, 1), 18, "must add up to treated (18)"),
        (C(7, 11, 1), C(7, 11, 2), 20, "min(treated, n1) = 18"),
        (C(3, 2, 0), C(3, 2, 0), 6, "must add up to treated (6)"),
        (C(3, 2, 0), C(3, 3, 0), 6, "min(treated, n1) = 6"),
        (C(8, 10, 0), C(7, 12, 1), 20, "stage-1 responders (8) exceed overall responders (7)"),
        (C(6, 10, 2), C(8, 12, 0), 20, "stage-1 pending (2) exceed overall pending (0)"),
    ],
)
def test_inconsistent_counts_are_refused(
    stage1: ResponseCounts, overall: ResponseCounts, treated: int, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        efficacy_decision(DEFAULT, stage1, overall, treated)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, 0, 0), "ResponseCounts.responders must be >= 0; got -1"),
        ((0, -2, 0), "ResponseCounts.non_responders must be >= 0; got -2"),
        ((0, 0, 1.5), "ResponseCounts.pending must be an integer; got 1.5"),
        ((True, 0, 0), "ResponseCounts.responders must be an integer; got True"),
    ],
)
def test_invalid_response_counts(args: tuple[int, int, int], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        ResponseCounts(*args)


def test_numpy_integers_are_accepted_as_plain_counts() -> None:
    """Counts computed with pandas arrive as numpy integers; they are stored as int."""
    counts = ResponseCounts(np.int64(7), np.int64(11), np.int64(0))
    assert type(counts.responders) is int
    d = efficacy_decision(DEFAULT, counts, counts, np.int64(18))
    assert d.state is EfficacyState.STAGE2
    assert type(d.treated) is int


def test_simon_characteristics_from_the_decision_function() -> None:
    """Applying the final (all known) decision to every outcome gives the exact design figures.

    SPEC 3.1 / Simon (1989) for n1 = 18, r1 = 6, n = 48, r = 20, p0 = 0.35, p1 = 0.50:
    PET(p0) = 0.549, alpha = 0.1127, power = 0.7853 (the protocol prints 78.3%). Stage-2
    patients after a stage-1 futility stop are never treated, so only stage-1 outcomes count
    there. Tolerance: the figures are quoted to 3 or 4 decimals.
    """
    figures = {}
    for p in (DEFAULT.p0, DEFAULT.p1):
        pet = success = 0.0
        n2 = DEFAULT.n - DEFAULT.n1
        for x1 in range(DEFAULT.n1 + 1):
            s1 = C(x1, DEFAULT.n1 - x1, 0)
            w1 = stats.binom.pmf(x1, DEFAULT.n1, p)
            if efficacy_decision(DEFAULT, s1, s1, DEFAULT.n1).state is EfficacyState.STOP_FUTILITY:
                pet += w1
                continue
            for x2 in range(n2 + 1):
                overall = C(x1 + x2, DEFAULT.n - x1 - x2, 0)
                d = efficacy_decision(DEFAULT, s1, overall, DEFAULT.n)
                if d.state is EfficacyState.SUCCESS:
                    success += w1 * stats.binom.pmf(x2, n2, p)
        figures[p] = (pet, success)
    assert figures[0.35][0] == pytest.approx(0.549, abs=5e-4)
    assert figures[0.35][1] == pytest.approx(0.1127, abs=5e-5)
    assert figures[0.50][1] == pytest.approx(0.7853, abs=5e-5)


# --- Properties ------------------------------------------------------------------------------


class Case(NamedTuple):
    rule: SimonRule
    stage1: ResponseCounts
    overall: ResponseCounts
    treated: int


def _split(draw: st.DrawFn, total: int) -> ResponseCounts:
    responders = draw(st.integers(0, total))
    pending = draw(st.integers(0, total - responders))
    return C(responders, total - responders - pending, pending)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A valid trial state: a small random Simon rule or the default one, and counts."""
    if draw(st.booleans()):
        rule = DEFAULT
    else:
        n1 = draw(st.integers(1, 10))
        n = draw(st.integers(n1 + 1, n1 + 12))
        r1 = draw(st.integers(0, n1 - 1))
        r = draw(st.integers(r1, n - 1))
        rule = dataclasses.replace(DEFAULT, n1=n1, r1=r1, n=n, r=r)
    rule = dataclasses.replace(rule, suspend_accrual_after_stage1=draw(st.booleans()))
    treated = draw(st.integers(0, rule.n))
    stage1 = _split(draw, min(treated, rule.n1))
    later = _split(draw, treated - stage1.total)
    overall = C(
        stage1.responders + later.responders,
        stage1.non_responders + later.non_responders,
        stage1.pending + later.pending,
    )
    return Case(rule, stage1, overall, treated)


def _outcomes(case: Case) -> set[tuple[bool, bool]]:
    """(stage 1 passed, final success) over every completion of the unknown patients.

    y1 of the m1 stage-1 patients still unknown (pending or not yet treated) respond, and y2
    of the m2 later ones; every (y1, y2) pair is a possible completion.
    """
    rule, s1, overall, treated = case
    m1 = s1.pending + rule.n1 - s1.total
    m2 = overall.pending - s1.pending + rule.n - treated - (rule.n1 - s1.total)
    found = set()
    for y1 in range(m1 + 1):
        passed = s1.responders + y1 > rule.r1
        for y2 in range(m2 + 1):
            found.add((passed, passed and overall.responders + y1 + y2 > rule.r))
    return found


@settings(max_examples=400, derandomize=True, deadline=None)
@given(cases())
def test_decisions_are_certain_and_taken_as_soon_as_certain(case: Case) -> None:
    """Every completion of the pending and untreated patients agrees with a terminal decision,
    and a non-terminal decision leaves both outcomes possible (curtailment only when certain,
    and always when certain)."""
    d = efficacy_decision(*case)
    outcomes = _outcomes(case)
    passes = {p for p, _ in outcomes}
    successes = {s for _, s in outcomes}
    expected_stage1 = {
        Stage1State.CONTINUE: {True},
        Stage1State.STOP_FUTILITY: {False},
        Stage1State.PENDING: {True, False},
        Stage1State.ACCRUAL_SUSPENDED: {True, False},
    }
    assert passes == expected_stage1[d.stage1_state]
    if d.state is EfficacyState.SUCCESS:
        assert successes == {True}
    elif d.state in (EfficacyState.STOP_FUTILITY, EfficacyState.CANNOT_SUCCEED):
        assert successes == {False}
    else:
        assert successes == {True, False}


def _resolve_one_pending(case: Case, in_stage1: bool, responds: bool) -> Case | None:
    """The same trial after one pending patient (stage-1 or later) becomes known."""
    rule, s1, overall, treated = case
    later_pending = overall.pending - s1.pending
    if (in_stage1 and s1.pending == 0) or (not in_stage1 and later_pending == 0):
        return None

    def move(c: ResponseCounts) -> ResponseCounts:
        return C(c.responders + responds, c.non_responders + (not responds), c.pending - 1)

    return Case(rule, move(s1) if in_stage1 else s1, move(overall), treated)


KEPT_AFTER_A_RESPONSE = {
    EfficacyState.STAGE2: {EfficacyState.STAGE2, EfficacyState.SUCCESS},
    EfficacyState.SUCCESS: {EfficacyState.SUCCESS},
    EfficacyState.STOP_FUTILITY: {EfficacyState.STOP_FUTILITY},
    EfficacyState.CANNOT_SUCCEED: {EfficacyState.CANNOT_SUCCEED},
}


@settings(max_examples=300, derandomize=True, deadline=None)
@given(cases(), st.booleans(), st.booleans())
def test_resolving_a_pending_patient_never_reverses_a_decision(
    case: Case, in_stage1: bool, responds: bool
) -> None:
    """A pending patient turning responder never turns continue into futility nor success into
    anything else; any resolution keeps terminal decisions (they were certain)."""
    after_case = _resolve_one_pending(case, in_stage1, responds)
    if after_case is None:
        return
    before, after = efficacy_decision(*case), efficacy_decision(*after_case)
    if before.stage1_state in (Stage1State.CONTINUE, Stage1State.STOP_FUTILITY):
        assert after.stage1_state is before.stage1_state
    if responds and before.state in KEPT_AFTER_A_RESPONSE:
        assert after.state in KEPT_AFTER_A_RESPONSE[before.state]
    if before.state in (EfficacyState.SUCCESS, EfficacyState.STOP_FUTILITY):
        assert after.state is before.state


@settings(max_examples=300, derandomize=True, deadline=None)
@given(cases())
def test_treating_one_more_patient_keeps_certain_decisions(case: Case) -> None:
    """A newly treated patient (pending) fills an open place: it changes no best case, so
    continue, futility, success and cannot_succeed all stay; an undecided stage 1 can only
    move from pending to accrual_suspended when its last place is filled."""
    rule, s1, overall, treated = case
    if treated == rule.n:
        return
    new_s1 = C(s1.responders, s1.non_responders, s1.pending + (treated < rule.n1))
    new_overall = C(overall.responders, overall.non_responders, overall.pending + 1)
    before = efficacy_decision(*case)
    after = efficacy_decision(rule, new_s1, new_overall, treated + 1)
    if before.state not in (EfficacyState.STAGE1_ACCRUING, EfficacyState.ACCRUAL_SUSPENDED):
        assert after.state is before.state
    if before.stage1_state is not Stage1State.PENDING:
        assert after.stage1_state is before.stage1_state
    else:
        assert after.stage1_state in (Stage1State.PENDING, Stage1State.ACCRUAL_SUSPENDED)


BAD_GRAMMAR = re.compile(
    r"(?<!stage )\b1 (patients|are|have|respond\b|more responders)"
    r"|\b([02-9]|\d\d+) (patient\b|is\b|has\b)"
    r"|\b([02-9]|\d\d+) more (responder\b|responds)"
    r"|\b(None|1) of [^;,]*? have responded|\b([2-9]|\d\d+) of [^;,]*? has responded"
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(cases())
def test_explanation_is_one_grammatical_sentence(case: Case) -> None:
    """One sentence (capital start, one final full stop), singular/plural agreement, and the
    words of its decision."""
    d = efficacy_decision(*case)
    text = d.explanation
    assert text[0].isupper() or text[0].isdigit()
    assert text.endswith(".")
    assert text.count(".") == 1
    assert not BAD_GRAMMAR.search(text), text
    words = {
        EfficacyState.STOP_FUTILITY: "stops for futility",
        EfficacyState.SUCCESS: "criterion is met",
        EfficacyState.CANNOT_SUCCEED: "criterion ",
        EfficacyState.STAGE2: "continues to stage 2",
        EfficacyState.ACCRUAL_SUSPENDED: "accrual is suspended",
        EfficacyState.STAGE1_ACCRUING: "needed to continue to stage 2",
    }
    assert words[d.state] in text
