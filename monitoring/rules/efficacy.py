"""Efficacy decision of a Simon two-stage design with curtailment (Simon 1989).

The trial passes stage 1 when more than ``r1`` of the first ``n1`` treated patients respond,
and meets its final criterion when more than ``r`` of ``n`` respond. A decision is taken as
soon as it is certain, whatever the outcomes of the patients still pending or still to be
treated: this is deterministic curtailment, and it never changes the design's error rates.
"""

from __future__ import annotations

import enum
import numbers
from dataclasses import dataclass, replace

from monitoring.protocol import SimonRule


def is_count(value: object) -> bool:
    """True for Python or numpy integers (counts from pandas are numpy), False for bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


class EfficacyState(enum.StrEnum):
    """Overall efficacy state (SPEC 6.1)."""

    STAGE1_ACCRUING = "stage1_accruing"
    ACCRUAL_SUSPENDED = "accrual_suspended"
    STOP_FUTILITY = "stop_futility"
    STAGE2 = "stage2"
    SUCCESS = "success"
    CANNOT_SUCCEED = "cannot_succeed"


class Stage1State(enum.StrEnum):
    """State of the stage-1 futility analysis (SPEC 6.1)."""

    PENDING = "pending"
    ACCRUAL_SUSPENDED = "accrual_suspended"
    CONTINUE = "continue"
    STOP_FUTILITY = "stop_futility"


@dataclass(frozen=True)
class ResponseCounts:
    """Treated patients of a cohort by response status: responder, non-responder or pending."""

    responders: int
    non_responders: int
    pending: int

    def __post_init__(self) -> None:
        for name in ("responders", "non_responders", "pending"):
            value = getattr(self, name)
            if not is_count(value):
                raise ValueError(f"ResponseCounts.{name} must be an integer; got {value!r}")
            if value < 0:
                raise ValueError(f"ResponseCounts.{name} must be >= 0; got {value}")
            object.__setattr__(self, name, int(value))  # numpy integers become plain int

    @property
    def total(self) -> int:
        """Number of treated patients counted (responders + non-responders + pending)."""
        return self.responders + self.non_responders + self.pending

    @property
    def evaluated(self) -> int:
        """Patients whose response status is known."""
        return self.responders + self.non_responders


@dataclass(frozen=True)
class EfficacyDecision:
    """An efficacy decision with the counts and thresholds it was made from.

    ``stage1_needed`` and ``final_needed`` are how many more responders each milestone needs
    (0 once reached); ``stage1_best`` and ``final_best`` are the most responders still
    reachable (responders + pending + places not yet treated). ``explanation`` is one
    sentence a DSMB member can read aloud.
    """

    state: EfficacyState
    stage1_state: Stage1State
    stage1: ResponseCounts
    overall: ResponseCounts
    treated: int
    n1: int
    r1: int
    n: int
    r: int
    stage1_needed: int
    final_needed: int
    stage1_open: int
    final_open: int
    stage1_best: int
    final_best: int
    explanation: str

    @property
    def stage1_target(self) -> int:
        """Responders among the first n1 needed to continue to stage 2 (r1 + 1)."""
        return self.r1 + 1

    @property
    def final_target(self) -> int:
        """Responders among n needed for the final efficacy criterion (r + 1)."""
        return self.r + 1


def validate_counts(
    rule: SimonRule, stage1: ResponseCounts, overall: ResponseCounts, treated: int
) -> None:
    """Refuse counts that cannot describe a trial run under ``rule`` (ValueError)."""
    if not is_count(treated) or treated < 0:
        raise ValueError(f"treated must be a non-negative integer; got {treated!r}")
    if treated > rule.n:
        raise ValueError(
            f"treated ({treated}) exceeds the design's total sample size n ({rule.n}); "
            f"pass the first {rule.n} treated patients"
        )
    if overall.total != treated:
        raise ValueError(
            f"overall counts ({overall.total} = {overall.responders} responders + "
            f"{overall.non_responders} non-responders + {overall.pending} pending) "
            f"must add up to treated ({treated})"
        )
    expected = min(treated, rule.n1)
    if stage1.total != expected:
        raise ValueError(
            f"stage-1 counts add up to {stage1.total} but the stage-1 cohort holds the first "
            f"min(treated, n1) = {expected} treated patients"
        )
    for name in ("responders", "non_responders", "pending"):
        if getattr(stage1, name) > getattr(overall, name):
            raise ValueError(
                f"stage-1 {name} ({getattr(stage1, name)}) exceed overall {name} "
                f"({getattr(overall, name)}); the stage-1 cohort is part of all treated"
            )


def _stage1_state(rule: SimonRule, stage1: ResponseCounts, open_slots: int) -> Stage1State:
    if stage1.responders > rule.r1:
        return Stage1State.CONTINUE
    if stage1.responders + stage1.pending + open_slots <= rule.r1:
        return Stage1State.STOP_FUTILITY
    if open_slots == 0 and rule.suspend_accrual_after_stage1:
        return Stage1State.ACCRUAL_SUSPENDED
    return Stage1State.PENDING


def _overall_state(
    rule: SimonRule, stage1_state: Stage1State, final_best: int, responders: int
) -> EfficacyState:
    if stage1_state is Stage1State.STOP_FUTILITY:
        return EfficacyState.STOP_FUTILITY
    if final_best <= rule.r:
        return EfficacyState.CANNOT_SUCCEED
    if stage1_state is Stage1State.CONTINUE:
        return EfficacyState.SUCCESS if responders > rule.r else EfficacyState.STAGE2
    if stage1_state is Stage1State.ACCRUAL_SUSPENDED:
        return EfficacyState.ACCRUAL_SUSPENDED
    return EfficacyState.STAGE1_ACCRUING


def efficacy_decision(
    rule: SimonRule, stage1: ResponseCounts, overall: ResponseCounts, treated: int
) -> EfficacyDecision:
    """Decide the Simon rule from counts, curtailing as soon as an outcome is certain.

    ``stage1`` counts the first min(treated, n1) treated patients, ``overall`` all
    ``treated`` patients (at most n). Invalid or inconsistent counts raise ValueError.
    """
    validate_counts(rule, stage1, overall, treated)
    treated = int(treated)
    stage1_open = rule.n1 - stage1.total
    final_open = rule.n - treated
    stage1_best = stage1.responders + stage1.pending + stage1_open
    final_best = overall.responders + overall.pending + final_open
    s1_state = _stage1_state(rule, stage1, stage1_open)
    decision = EfficacyDecision(
        state=_overall_state(rule, s1_state, final_best, overall.responders),
        stage1_state=s1_state,
        stage1=stage1,
        overall=overall,
        treated=treated,
        n1=rule.n1,
        r1=rule.r1,
        n=rule.n,
        r=rule.r,
        stage1_needed=max(0, rule.r1 + 1 - stage1.responders),
        final_needed=max(0, rule.r + 1 - overall.responders),
        stage1_open=stage1_open,
        final_open=final_open,
        stage1_best=stage1_best,
        final_best=final_best,
        explanation="",
    )
    return replace(decision, explanation=explain(decision))


# --- The sentence read aloud -------------------------------------------------------------


def _patients(k: int) -> str:
    return f"{k} patient" if k == 1 else f"{k} patients"


def _is(k: int) -> str:
    return "is" if k == 1 else "are"


def _respond(k: int) -> str:
    return "responds" if k == 1 else "respond"


def _responded(k: int, group: str, pending: int) -> str:
    """'5 of the first 18 patients have responded and 1 is pending' (agreement included)."""
    who = "None" if k == 0 else str(k)
    verb = "have" if k > 1 else "has"
    text = f"{who} of {group} {verb} responded"
    return text + (f" and {pending} {_is(pending)} pending" if pending else "")


def _first(n1: int) -> str:
    return "the first patient" if n1 == 1 else f"the first {n1} patients"


def _stage1_group(d: EfficacyDecision) -> str:
    if d.stage1.total == d.n1:
        return _first(d.n1)
    return f"the {d.stage1.total} patients treated so far"


def _overall_group(d: EfficacyDecision) -> str:
    return f"all {d.n} patients" if d.treated == d.n else f"the {_patients(d.treated)} treated"


def _stage1_clause(d: EfficacyDecision) -> str:
    s = d.stage1
    if s.total == 0:
        return "No patient has been treated yet"
    if s.total == 1:
        status = {1: "has responded"}.get(s.responders, "is pending" if s.pending else "")
        return f"The only patient treated so far {status or 'has not responded'}"
    return _responded(s.responders, _stage1_group(d), s.pending)


def _even_if(pending: int, open_places: int, where: str) -> str:
    """'even if it responds' / 'even if all 3 respond' / 'even if the 2 pending ... respond'."""
    if open_places == 0:
        if pending == 1:
            return "even if it responds"
        return "even if both respond" if pending == 2 else f"even if all {pending} respond"
    still = f"still to be treated{where}"
    if pending == 0:
        if open_places == 1:
            return f"even if the 1 patient {still} responds"
        return f"even if all {open_places} patients {still} respond"
    every = "both" if pending + open_places == 2 else "all"
    waiting = "the pending patient" if pending == 1 else f"the {pending} pending patients"
    return f"even if {waiting} and the {_patients(open_places)} {still} {every} respond"


def _futility_sentence(d: EfficacyDecision) -> str:
    clause = _stage1_clause(d)
    target = d.stage1_target
    if d.stage1.pending + d.stage1_open == 0:
        return f"{clause}, fewer than the {target} needed, so the trial stops for futility."
    even_if = _even_if(d.stage1.pending, d.stage1_open, " in stage 1")
    return f"{clause}; {even_if} the total cannot reach {target}, so the trial stops for futility."


def _cannot_succeed_sentence(d: EfficacyDecision) -> str:
    o = d.overall
    clause = _responded(o.responders, _overall_group(d), o.pending)
    goal = f"{d.final_target} of {d.n}"
    if o.pending + d.final_open == 0:
        return (
            f"{clause}, fewer than the {goal} needed, so the final efficacy criterion is not met."
        )
    even_if = _even_if(o.pending, d.final_open, "")
    return (
        f"{clause}; {even_if} the total cannot reach {goal}, "
        "so the final efficacy criterion can no longer be met."
    )


def _stage2_sentence(d: EfficacyDecision) -> str:
    head = _responded(d.stage1.responders, _first(d.n1), 0)
    head += ", so the trial continues to stage 2"
    if d.treated <= d.n1:
        return head + "."
    o = d.overall
    need = d.final_needed
    return (
        f"{head}; overall {_responded(o.responders, _overall_group(d), o.pending)}, "
        f"and {need} more {'responder is' if need == 1 else 'responders are'} needed "
        f"to reach {d.final_target} of {d.n}."
    )


def _waiting_sentence(d: EfficacyDecision) -> str:
    need = d.stage1_needed
    clause = _stage1_clause(d)
    if d.stage1_state is Stage1State.ACCRUAL_SUSPENDED:
        return (
            f"{clause}; accrual is suspended until {need} more {_respond(need)}, "
            "which would continue the trial to stage 2, or futility is certain."
        )
    return (
        f"{clause}; {need} more {'responder' if need == 1 else 'responders'} among "
        f"{_first(d.n1)} {_is(need)} needed to continue to stage 2."
    )


def explain(d: EfficacyDecision) -> str:
    """One plain-language sentence stating the decision and the counts behind it."""
    if d.state is EfficacyState.STOP_FUTILITY:
        return _futility_sentence(d)
    if d.state is EfficacyState.CANNOT_SUCCEED:
        return _cannot_succeed_sentence(d)
    if d.state is EfficacyState.SUCCESS:
        return (
            f"{_responded(d.overall.responders, _overall_group(d), 0)}, reaching the "
            f"{d.final_target} of {d.n} needed, so the final efficacy criterion is met."
        )
    if d.state is EfficacyState.STAGE2:
        return _stage2_sentence(d)
    return _waiting_sentence(d)
