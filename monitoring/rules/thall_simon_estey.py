"""Rule kind ``thall_simon_estey``: Bayesian toxicity stopping (Thall, Simon & Estey 1995).

The decision itself is ``monitoring.rules.toxicity.toxicity_decision``; this module reads
the rule's evaluable patients on a day (its ``scope``, in first-dose order:
``monitoring.derive.looks.toxicity_at``), keeps the boundaries computed once per rule,
and says the decision in the shared terms of ``monitoring.rules.interface``.
"""

from __future__ import annotations

import functools
from datetime import date

from monitoring import vocabulary
from monitoring.derive.looks import toxicity_at
from monitoring.designs.toxicity import (
    ToxicityBoundaries,
    ToxicityPlan,
    posterior_prob,
    stopping_boundaries,
)
from monitoring.protocol import ToxicityRule
from monitoring.rules.interface import Crossing, Fact, LogEntry, RuleContext, RuleDecision
from monitoring.rules.toxicity import (
    LookResult,
    ToxicityDecision,
    ToxicityState,
    toxicity_decision,
)


@functools.lru_cache(maxsize=64)
def boundaries(plan: ToxicityPlan) -> ToxicityBoundaries:
    """The rule's stopping boundaries, computed once per plan in a process."""
    return stopping_boundaries(plan)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def deciding_look(decision: ToxicityDecision) -> LookResult | None:
    """The first look whose boundary was met (None while the rule continues)."""
    return next((look for look in decision.looks if look.crossed), None)


def deciding_posterior(rule: ToxicityRule, look: LookResult) -> float:
    """Pr(p > threshold | the look's events of its n patients) under the rule's prior."""
    return posterior_prob(ToxicityPlan.from_rule(rule), look.events, look.n)


def deciding_numbers(rule: ToxicityRule, look: LookResult) -> str:
    """ "6 events among the first 16 patients (boundary 6): Pr(p > 0.2) = 0.928 at 16
    patients, stop above 0.92": the look that decided, not today's numbers."""
    prob = deciding_posterior(rule, look)
    return (
        f"{_plural(look.events, 'event')} among the first {look.n} patients "
        f"(boundary {look.boundary}): Pr(p > {rule.threshold:g}) = {prob:.3f} at {look.n} "
        f"patients, stop above {rule.confidence:g}"
    )


def _events(count: int) -> str:
    return f"{count} event" if count == 1 else f"{count} events"


def evidence(rule: ToxicityRule, d: ToxicityDecision) -> tuple[Fact, ...]:
    """The card's facts: the rule, events now, the deciding, last and next looks."""
    facts = [
        Fact(
            "Rule (Thall, Simon & Estey 1995)",
            f"stop if Pr(p > {rule.threshold:g}) > {rule.confidence:g}, "
            f"prior Beta({rule.prior_a:g}, {rule.prior_b:g}), looks every {rule.cohort_size}",
        ),
        Fact("Events / evaluable", f"{d.events} / {d.evaluable}"),
        Fact(
            f"Pr(p > {rule.threshold:g} | data) now",
            f"{d.posterior_prob:.3f} (stop above {rule.confidence:g})",
        ),
    ]
    stop = deciding_look(d)
    if stop is not None:
        facts.append(
            Fact(
                f"Deciding look ({stop.n} patients)",
                f"{_events(stop.events)} (stop at {_events(stop.boundary or 0)}); "
                f"Pr = {deciding_posterior(rule, stop):.3f} at {stop.n} patients",
            )
        )
    if d.last_look is not None:
        bound = d.boundary_at_last_look
        facts.append(
            Fact(
                f"Last look ({d.last_look} patients)",
                f"{_events(d.events_at_last_look or 0)}; "
                + (
                    f"stop at {_events(bound)}"
                    if bound is not None
                    else "no number of events stops at this look"
                ),
            )
        )
    if d.next_look is not None:
        facts.append(Fact(f"Next look ({d.next_look} patients)", _next_words(d)))
    return tuple(facts)


def _next_words(d: ToxicityDecision) -> str:
    more = d.events_to_cross_next
    bound = d.boundary_next_look
    text = f"stop at {_events(bound)}" if bound is not None else "no number of events can stop"
    return text + (f" ({more} more)" if more is not None else "")


class ThallSimonEstey:
    """``rule = "thall_simon_estey"`` in ``[[toxicity]]``."""

    name = "thall_simon_estey"

    def evaluate(self, rule: ToxicityRule, context: RuleContext, day: date) -> ToxicityDecision:
        outcomes = toxicity_at(context.dates, rule, day).outcomes
        return toxicity_decision(
            rule, outcomes, boundaries=boundaries(ToxicityPlan.from_rule(rule))
        )

    def stops(self, decision: ToxicityDecision) -> bool:
        return decision.decision is ToxicityState.STOP

    def describe(
        self,
        rule: ToxicityRule,
        decision: ToxicityDecision,
        context: RuleContext,
        crossing: Crossing | None,
    ) -> RuleDecision:
        d = decision
        words = vocabulary.words(d.decision)
        today = (
            f"Today: {_plural(d.events, 'event')} in "
            f"{_plural(d.evaluable, 'evaluable patient')}, "
            f"Pr(p > {rule.threshold:g}) = {d.posterior_prob:.3f}"
        )
        look = deciding_look(d)
        sentence = d.explanation
        key_facts: tuple[str, ...] = (today,)
        if look is not None:
            when = f" on {crossing.crossed_on.isoformat()}" if crossing else ""
            sentence = (
                "The toxicity stopping boundary was crossed at the look at "
                f"{look.n} patients{when}, so the trial stops for toxicity."
            )
            key_facts = (f"Deciding look: {deciding_numbers(rule, look)}", today)
        return RuleDecision(
            rule_id=rule.id,
            kind=self.name,
            name=vocabulary.rule_name(rule, context.protocol),
            scope=rule.scope,
            state=d.decision,
            severity=words.severity,
            headline=words.headline,
            sentence=sentence,
            evidence=evidence(rule, d),
            key_facts=key_facts,
            next_look=None if d.next_look is None else f"{d.next_look} patients: {_next_words(d)}",
            crossing=crossing,
            detail=d,
        )

    def log_entry(self, rule: ToxicityRule, decision: ToxicityDecision, look: int) -> LogEntry:
        """Events among the first ``look`` patients and the boundary there."""
        at = next((lk for lk in decision.looks if lk.n == look), None)
        title = vocabulary.title(decision.decision)
        if at is None:
            return LogEntry(rule.id, decision.decision, title, _events(decision.events))
        bound = f", stop at {at.boundary}" if at.boundary is not None else ""
        return LogEntry(rule.id, decision.decision, title, _events(at.events) + bound)


THALL_SIMON_ESTEY = ThallSimonEstey()
