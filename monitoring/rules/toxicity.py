"""Live state of a Thall-Simon-Estey toxicity rule from the outcomes of evaluable patients.

``outcomes[i]`` tells whether the i-th evaluable patient (ordered by first-dose date, then
patient id) has had the monitored toxicity by the data cut-off. At each interim look n
reached, the events among the first n patients are compared with the boundary at n; once
a reached look has met its boundary the decision is STOP for good. Between looks the
current posterior and what the next look would need are reported. Reaching nmax ends
the trial: no stopping boundary applies there (see monitoring.designs.toxicity).
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from monitoring.designs.toxicity import (
    ToxicityBoundaries,
    ToxicityPlan,
    posterior_prob,
    stopping_boundaries,
)
from monitoring.protocol import ToxicityRule


class ToxicityState(enum.Enum):
    """The toxicity decision (SPEC 6.1 values)."""

    CONTINUE = "continue"
    STOP = "stop"


@dataclass(frozen=True)
class LookResult:
    """One look reached: events among the first n patients against the boundary at n.

    ``boundary`` is None at nmax (the end of the trial, no stopping boundary) and where no
    count up to n meets the rule.
    """

    n: int
    events: int
    boundary: int | None
    crossed: bool
    final: bool


@dataclass(frozen=True)
class ToxicityDecision:
    """Toxicity monitoring state; field names follow SPEC 6.1 ``status --json``.

    ``events_to_cross_next`` is how many more toxicities, by the time ``next_look``
    patients are evaluable, would meet the boundary there (0 if the events already do;
    None where there is no boundary ahead). ``stopped_at`` is the first look whose
    boundary was met. ``complete`` is True once nmax evaluable patients are reached.
    """

    evaluable: int
    events: int
    posterior_prob: float
    looks: tuple[LookResult, ...]
    last_look: int | None
    events_at_last_look: int | None
    boundary_at_last_look: int | None
    next_look: int | None
    boundary_next_look: int | None
    events_to_cross_next: int | None
    stopped_at: int | None
    complete: bool
    decision: ToxicityState
    explanation: str


def toxicity_name(rule: ToxicityRule) -> str:
    """The rule's label as it reads inside a sentence ("any-grade VOD/SOS ...")."""
    label = rule.label.strip()
    if len(label) > 1 and label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def _looks_reached(
    boundaries: ToxicityBoundaries, cumulative: Sequence[int]
) -> tuple[LookResult, ...]:
    evaluable = len(cumulative) - 1
    results = [
        LookResult(
            n=b.n,
            events=cumulative[b.n],
            boundary=b.stop_at,
            crossed=b.stop_at is not None and cumulative[b.n] >= b.stop_at,
            final=False,
        )
        for b in boundaries.interim
        if b.n <= evaluable
    ]
    nmax = boundaries.plan.nmax
    if evaluable >= nmax:
        results.append(LookResult(nmax, cumulative[nmax], None, crossed=False, final=True))
    return tuple(results)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _status_clause(evaluable: int, events: int, name: str) -> str:
    if evaluable == 0:
        return "No patient is evaluable for toxicity yet"
    verb = "has" if 1 in (events, evaluable) else "have"
    return f"{events} of {_plural(evaluable, 'evaluable patient')} {verb} had {name}"


def _boundary_text(n: int, boundary: int | None) -> str:
    return f"the boundary at {n} patients ({_plural(boundary or 0, 'event')})"


def _last_look_clause(evaluable: int, last: LookResult | None) -> str:
    if evaluable == 0:
        return "so the trial continues"
    if last is None:
        return "no look has been reached yet, so the trial continues"
    if last.boundary is None:
        return f"no number of events could stop the trial at {last.n} patients, so it continues"
    return f"{_boundary_text(last.n, last.boundary)} was not reached, so the trial continues"


def _next_look_clause(d: ToxicityDecision, nmax: int) -> str:
    n = d.next_look
    if n is None:
        return ""
    if n == nmax:
        return f"; no stopping boundary remains before the trial ends at {nmax} patients"
    if d.boundary_next_look is None or d.events_to_cross_next is None:
        return f"; no number of events can stop the trial at the next look, {n} patients"
    if d.boundary_next_look == 0:
        return f"; it will stop at the next look, {n} patients, whatever the number of events"
    if d.events_to_cross_next == 0:
        verb = "reaches" if d.events == 1 else "reach"
        return (
            f"; the {_plural(d.events, 'event')} so far already {verb} "
            f"{_boundary_text(n, d.boundary_next_look)}, so it will stop when {n} patients "
            "are evaluable"
        )
    if d.events == 0:
        return (
            f"; it would stop at the next look, {n} patients, "
            f"if {d.boundary_next_look} of the first {n} have had it"
        )
    return (
        f"; it would stop at the next look, {n} patients, if {d.events_to_cross_next} more "
        f"of the first {n} have had it ({d.boundary_next_look} in all)"
    )


def explain(d: ToxicityDecision, name: str, nmax: int) -> str:
    """One sentence a DSMB member can read aloud."""
    status = _status_clause(d.evaluable, d.events, name)
    stop = next((look for look in d.looks if look.crossed), None)
    if stop is not None:
        return (
            f"{status}; {_plural(stop.events, 'event')} among the first {stop.n} patients "
            f"reached {_boundary_text(stop.n, stop.boundary)}, so the trial stops for toxicity."
        )
    if d.complete:
        return (
            f"{status}; no stopping boundary was reached and the trial has reached its "
            f"maximum of {nmax} patients, so toxicity monitoring is complete."
        )
    interim = [look for look in d.looks if not look.final]
    last = interim[-1] if interim else None
    sep = ", " if d.evaluable == 0 else "; "
    return f"{status}{sep}{_last_look_clause(d.evaluable, last)}{_next_look_clause(d, nmax)}."


def toxicity_decision(
    rule: ToxicityRule,
    outcomes: Sequence[bool],
    *,
    boundaries: ToxicityBoundaries | None = None,
) -> ToxicityDecision:
    """The toxicity decision from the ordered outcomes of the evaluable patients.

    ``boundaries`` may be passed to reuse boundaries computed once for ``rule``.
    """
    plan = ToxicityPlan.from_rule(rule)
    bounds = boundaries if boundaries is not None else stopping_boundaries(plan)
    if bounds.plan != plan:
        raise ValueError("boundaries were computed for another rule")
    cumulative = [0, *itertools.accumulate(int(bool(o)) for o in outcomes)]
    evaluable, events = len(outcomes), cumulative[-1]
    looks = _looks_reached(bounds, cumulative)
    stopped = next((look.n for look in looks if look.crossed), None)
    last = looks[-1] if looks else None
    upcoming = [n for n in plan.looks if n > evaluable] if stopped is None else []
    next_look = upcoming[0] if upcoming else None
    next_bound = bounds.at(next_look) if next_look is not None else None
    boundary_next = next_bound.stop_at if next_bound is not None else None
    decision = ToxicityDecision(
        evaluable=evaluable,
        events=events,
        posterior_prob=posterior_prob(plan, events, evaluable),
        looks=looks,
        last_look=last.n if last else None,
        events_at_last_look=last.events if last else None,
        boundary_at_last_look=last.boundary if last else None,
        next_look=next_look,
        boundary_next_look=boundary_next,
        events_to_cross_next=None if boundary_next is None else max(0, boundary_next - events),
        stopped_at=stopped,
        complete=evaluable >= plan.nmax,
        decision=ToxicityState.STOP if stopped is not None else ToxicityState.CONTINUE,
        explanation="",
    )
    return _with_explanation(decision, toxicity_name(rule), plan.nmax)


def _with_explanation(d: ToxicityDecision, name: str, nmax: int) -> ToxicityDecision:
    return replace(d, explanation=explain(d, name, nmax))
