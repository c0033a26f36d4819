"""Decision cards of the rules: verdict in words, colour, the numbers behind it.

Words and severity come from ``monitoring.vocabulary``, as in the reports and the CLI.
"""

from __future__ import annotations

from dashboard.components import Tone, decision_card
from monitoring import vocabulary
from monitoring.estimates import PredictiveProbability
from monitoring.protocol import Protocol, SimonRule, ToxicityRule
from monitoring.rules.efficacy import EfficacyDecision, EfficacyState
from monitoring.rules.thall_simon_estey import deciding_look, deciding_posterior
from monitoring.rules.toxicity import ToxicityDecision, ToxicityState
from monitoring.vocabulary import Severity

TONES: dict[Severity, Tone] = {
    Severity.OK: Tone.GO,
    Severity.INFO: Tone.INFO,
    Severity.ATTENTION: Tone.WAIT,
    Severity.STOP: Tone.STOP,
}


def tone(state: vocabulary.State) -> Tone:
    """The card colour of a state's severity."""
    return TONES[vocabulary.severity(state)]


def efficacy_words(state: EfficacyState) -> str:
    """The state's title, for tables ("Continue to stage 2", "Stage 1 accruing")."""
    return vocabulary.title(state)


def toxicity_words(state: ToxicityState) -> str:
    """The state's title, for tables ("Continue", "STOP for toxicity")."""
    return vocabulary.title(state)


def _events(count: int) -> str:
    return f"{count} event" if count == 1 else f"{count} events"


def _target(target: int, still_needed: int) -> str:
    """'7 needed, 2 more to go' while open; '7 needed: reached' once met."""
    if still_needed == 0:
        return f"{target} needed: reached"
    return f"{target} needed, {still_needed} more to go"


def efficacy_card(
    protocol: Protocol,
    rule: SimonRule,
    decision: EfficacyDecision,
    predictive: PredictiveProbability | None,
    design: str | None = None,
) -> None:
    """The Simon rule's card; ``design`` is :func:`monitoring.vocabulary.simon_design`."""
    s, o = decision.stage1, decision.overall
    facts = [
        ("Design (Simon 1989)", design or vocabulary.simon_design(rule)),
        (
            "Rule",
            f"p0 = {rule.p0:g}, p1 = {rule.p1:g}; continue if > {decision.r1} of "
            f"{decision.n1} respond, success if > {decision.r} of {decision.n}",
        ),
        (
            f"Stage 1 (first {decision.n1})",
            f"{s.responders} responders, {s.non_responders} non-responders, "
            f"{s.pending} pending; {_target(decision.stage1_target, decision.stage1_needed)}",
        ),
        (
            f"All treated ({decision.treated} of {decision.n})",
            f"{o.responders} responders, {o.non_responders} non-responders, "
            f"{o.pending} pending; {_target(decision.final_target, decision.final_needed)}",
        ),
    ]
    if predictive is not None:
        facts.append(("Predictive probability of final success", f"{predictive.probability:.3f}"))
    decision_card(
        vocabulary.rule_name(rule, protocol),
        vocabulary.words(decision.state).headline,
        tone(decision.state),
        decision.explanation,
        facts,
    )


def toxicity_card(rule: ToxicityRule, decision: ToxicityDecision) -> None:
    """The Thall–Simon–Estey rule's card."""
    facts = [
        (
            "Rule (Thall, Simon & Estey 1995)",
            f"stop if Pr(p > {rule.threshold:g}) > {rule.confidence:g}, "
            f"prior Beta({rule.prior_a:g}, {rule.prior_b:g}), looks every {rule.cohort_size}",
        ),
        ("Events / evaluable", f"{decision.events} / {decision.evaluable}"),
        (
            f"Pr(p > {rule.threshold:g} | data) now",
            f"{decision.posterior_prob:.3f} (stop above {rule.confidence:g})",
        ),
    ]
    stop = deciding_look(decision)
    if stop is not None:
        facts.append(
            (
                f"Deciding look ({stop.n} patients)",
                f"{_events(stop.events)} (stop at {_events(stop.boundary or 0)}); "
                f"Pr = {deciding_posterior(rule, stop):.3f} at {stop.n} patients",
            )
        )
    if decision.last_look is not None:
        bound = decision.boundary_at_last_look
        facts.append(
            (
                f"Last look ({decision.last_look} patients)",
                f"{_events(decision.events_at_last_look or 0)}; stop at "
                + (_events(bound) if bound is not None else "no count"),
            )
        )
    if decision.next_look is not None:
        more = decision.events_to_cross_next
        facts.append(
            (
                f"Next look ({decision.next_look} patients)",
                (
                    f"stop at {_events(decision.boundary_next_look)}"
                    if decision.boundary_next_look is not None
                    else "no count can stop"
                )
                + (f" ({more} more)" if more is not None else ""),
            )
        )
    decision_card(
        vocabulary.rule_name(rule),
        vocabulary.words(decision.decision).headline,
        tone(decision.decision),
        decision.explanation,
        facts,
    )
