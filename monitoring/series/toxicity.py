"""The toxicity rule's path: events per evaluable patient, boundaries and posterior per look."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from monitoring.derive.toxicity import ToxicityOutcomes
from monitoring.designs.toxicity import (
    ToxicityBoundaries,
    ToxicityPlan,
    posterior_prob,
    stopping_boundaries,
)
from monitoring.protocol import ToxicityRule
from monitoring.rules.toxicity import ToxicityDecision


@dataclass(frozen=True)
class ToxicityLookPoint:
    """One scheduled look: its boundary and, once reached, the events and Pr(p > t | data)."""

    n: int
    stop_at: int | None
    reached: bool
    events: int | None
    posterior_prob: float | None
    crossed: bool


@dataclass(frozen=True)
class ToxicityPath:
    """Cumulative events among the first k evaluable patients (k = 0..min(evaluable, nmax)),
    the looks, the rule's threshold and confidence, and the live decision."""

    label: str
    cumulative: tuple[int, ...]
    looks: tuple[ToxicityLookPoint, ...]
    threshold: float
    confidence: float
    nmax: int
    decision: ToxicityDecision
    boundaries: ToxicityBoundaries


def toxicity_path(
    rule: ToxicityRule, outcomes: ToxicityOutcomes, decision: ToxicityDecision
) -> ToxicityPath:
    """Every interim look of ``rule`` with what the data show there."""
    plan = ToxicityPlan.from_rule(rule)
    bounds = stopping_boundaries(plan)
    # The rule watches the first nmax evaluable patients only.
    first = outcomes.outcomes[: rule.nmax]
    cumulative = (0, *itertools.accumulate(int(o) for o in first))
    evaluable = len(cumulative) - 1
    looks = []
    for b in bounds.interim:
        reached = b.n <= evaluable
        events = cumulative[b.n] if reached else None
        looks.append(
            ToxicityLookPoint(
                n=b.n,
                stop_at=b.stop_at,
                reached=reached,
                events=events,
                posterior_prob=posterior_prob(plan, events, b.n) if events is not None else None,
                crossed=events is not None and b.stop_at is not None and events >= b.stop_at,
            )
        )
    return ToxicityPath(
        label=rule.label,
        cumulative=cumulative,
        looks=tuple(looks),
        threshold=rule.threshold,
        confidence=rule.confidence,
        nmax=rule.nmax,
        decision=decision,
        boundaries=bounds,
    )
