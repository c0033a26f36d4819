"""Decision cards of the two rules: verdict in words, colour, the numbers behind it."""

from __future__ import annotations

from dashboard.components import Tone, decision_card
from monitoring.estimates import PredictiveProbability
from monitoring.protocol import SimonRule, ToxicityRule
from monitoring.rules.efficacy import EfficacyDecision, EfficacyState
from monitoring.rules.toxicity import ToxicityDecision, ToxicityState

EFFICACY_VERDICT: dict[EfficacyState, tuple[str, Tone]] = {
    EfficacyState.STAGE1_ACCRUING: ("Stage 1 accruing — continue", Tone.INFO),
    EfficacyState.ACCRUAL_SUSPENDED: ("Accrual suspended — awaiting stage-1 responses", Tone.WAIT),
    EfficacyState.STOP_FUTILITY: ("STOP for futility", Tone.STOP),
    EfficacyState.STAGE2: ("Continue to stage 2", Tone.GO),
    EfficacyState.SUCCESS: ("Final efficacy criterion met", Tone.GO),
    EfficacyState.CANNOT_SUCCEED: ("Final criterion can no longer be met", Tone.STOP),
}

TOXICITY_VERDICT: dict[ToxicityState, tuple[str, Tone]] = {
    ToxicityState.CONTINUE: ("Continue — no toxicity boundary crossed", Tone.GO),
    ToxicityState.STOP: ("STOP for toxicity", Tone.STOP),
}


def efficacy_words(state: EfficacyState) -> str:
    """The verdict's first words, for tables ("Continue to stage 2", "Stage 1 accruing")."""
    return EFFICACY_VERDICT[state][0].split(" — ")[0]


def toxicity_words(state: ToxicityState) -> str:
    """The verdict's first words, for tables ("Continue", "STOP for toxicity")."""
    return TOXICITY_VERDICT[state][0].split(" — ")[0]


def _events(count: int) -> str:
    return f"{count} event" if count == 1 else f"{count} events"


def _target(target: int, still_needed: int) -> str:
    """'7 needed, 2 more to go' while open; '7 needed: reached' once met."""
    if still_needed == 0:
        return f"{target} needed: reached"
    return f"{target} needed, {still_needed} more to go"


def efficacy_card(
    rule: SimonRule, decision: EfficacyDecision, predictive: PredictiveProbability | None
) -> None:
    """The Simon rule's card."""
    verdict, tone = EFFICACY_VERDICT[decision.state]
    s, o = decision.stage1, decision.overall
    facts = [
        (
            "Design (Simon 1989)",
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
        f"Efficacy — {rule.label}",
        verdict,
        tone,
        decision.explanation,
        facts,
    )


def toxicity_card(rule: ToxicityRule, decision: ToxicityDecision) -> None:
    """The Thall–Simon–Estey rule's card."""
    verdict, tone = TOXICITY_VERDICT[decision.decision]
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
        f"Toxicity — {rule.label}",
        verdict,
        tone,
        decision.explanation,
        facts,
    )
