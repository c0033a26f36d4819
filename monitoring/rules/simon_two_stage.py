"""Rule kind ``simon_two_stage``: the Simon (1989) two-stage futility rule as a plug-in.

The decision itself is ``monitoring.rules.efficacy.efficacy_decision`` (curtailed Simon
rule); this module reads the rule's own patients on a day (its ``scope``, counted in its
``stage1_order``: ``monitoring.derive.looks.simon_counts``) and says the decision in the
shared terms of ``monitoring.rules.interface``.
"""

from __future__ import annotations

from datetime import date

from monitoring import vocabulary
from monitoring.derive.looks import simon_counts
from monitoring.estimates import BetaPrior, predictive_probability
from monitoring.protocol import SimonRule
from monitoring.rules.efficacy import (
    EfficacyDecision,
    EfficacyState,
    ResponseCounts,
    efficacy_decision,
)
from monitoring.rules.interface import Crossing, Fact, LogEntry, RuleContext, RuleDecision
from monitoring.wording import counted

STOPS = frozenset({EfficacyState.STOP_FUTILITY, EfficacyState.CANNOT_SUCCEED})
_DESIGNS: dict[tuple[object, ...], str] = {}


def design_name(rule: SimonRule) -> str:
    """The design by name and exact error rates (``vocabulary.simon_design``: a design
    audit, tens of milliseconds), computed once per design in a process."""
    key = (
        rule.p0, rule.p1, rule.n1, rule.r1, rule.n, rule.r,
        rule.design_type, rule.nominal_alpha, rule.nominal_beta,
    )  # fmt: skip
    if key not in _DESIGNS:
        _DESIGNS[key] = vocabulary.simon_design(rule)
    return _DESIGNS[key]


def _by_status(c: ResponseCounts) -> str:
    """ "1 responder, 10 non-responders, 0 pending": each count agreeing with its noun."""
    return (
        f"{counted(c.responders, 'responder')}, {counted(c.non_responders, 'non-responder')}, "
        f"{c.pending} pending"
    )


def _target(target: int, still_needed: int) -> str:
    """'7 needed, 2 more to go' while open; '7 needed: reached' once met."""
    if still_needed == 0:
        return f"{target} needed: reached"
    return f"{target} needed, {still_needed} more to go"


def _responders(k: int) -> str:
    return f"{k} more responder" if k == 1 else f"{k} more responders"


def next_look(d: EfficacyDecision) -> str | None:
    """What the rule waits for next, in words (None once it has decided for good)."""
    if d.state is EfficacyState.STAGE1_ACCRUING:
        return f"{_responders(d.stage1_needed)} among the first {d.n1} treated to continue"
    if d.state is EfficacyState.ACCRUAL_SUSPENDED:
        return f"the stage-1 outcomes of {d.stage1.pending} pending patients"
    if d.state is EfficacyState.STAGE2:
        return f"{_responders(d.final_needed)} among {d.n} treated for the final criterion"
    return None


class SimonTwoStage:
    """``rule = "simon_two_stage"`` in ``[[efficacy]]``."""

    name = "simon_two_stage"

    def evaluate(self, rule: SimonRule, context: RuleContext, day: date) -> EfficacyDecision:
        counts = simon_counts(context.dates, rule, day)
        return efficacy_decision(rule, counts.stage1, counts.cohort, counts.treated)

    def stops(self, decision: EfficacyDecision) -> bool:
        return decision.state in STOPS

    def evidence(
        self, rule: SimonRule, d: EfficacyDecision, context: RuleContext
    ) -> tuple[Fact, ...]:
        """The card's facts: design, rule, stage-1 and final counts, predictive chance."""
        s, o = d.stage1, d.overall
        predictive = predictive_probability(
            rule, BetaPrior(*context.protocol.estimates.response_prior), s, o, d.treated
        )
        return (
            Fact("Design (Simon 1989)", design_name(rule)),
            Fact(
                "Rule",
                f"p0 = {rule.p0:g}, p1 = {rule.p1:g}; continue if > {d.r1} of {d.n1} "
                f"respond, success if > {d.r} of {d.n}",
            ),
            Fact(
                f"Stage 1 (first {d.n1})",
                f"{_by_status(s)}; {_target(d.stage1_target, d.stage1_needed)}",
            ),
            Fact(
                f"All treated ({d.treated} of {d.n})",
                f"{_by_status(o)}; {_target(d.final_target, d.final_needed)}",
            ),
            Fact("Predictive probability of final success", f"{predictive.probability:.3f}"),
        )

    def describe(
        self,
        rule: SimonRule,
        decision: EfficacyDecision,
        context: RuleContext,
        crossing: Crossing | None,
    ) -> RuleDecision:
        words = vocabulary.words(decision.state)
        s, d = decision.stage1, decision
        sentence = decision.explanation
        if crossing is not None:
            sentence = f"{sentence} The boundary was first crossed on {crossing.crossed_on}."
        key_facts = (
            f"Stage 1 (first {d.n1}): {_by_status(s)}; more than {d.r1} needed to continue",
            f"All treated ({d.treated} of {d.n}): "
            f"{counted(d.overall.responders, 'responder')}; more than {d.r} needed for success",
        )
        return RuleDecision(
            rule_id=rule.id,
            kind=self.name,
            name=vocabulary.rule_name(rule, context.protocol),
            scope=rule.scope,
            state=decision.state,
            severity=words.severity,
            headline=words.headline,
            sentence=sentence,
            evidence=self.evidence(rule, decision, context),
            key_facts=key_facts,
            next_look=next_look(decision),
            crossing=crossing,
            detail=decision,
        )

    def log_entry(self, rule: SimonRule, decision: EfficacyDecision, look: int) -> LogEntry:
        """The rule's own treated patients by status (``look`` counts all treated)."""
        o = decision.overall
        counts = f"{o.responders} R / {o.non_responders} NR / {o.pending} pending"
        return LogEntry(rule.id, decision.state, vocabulary.title(decision.state), counts)


SIMON_TWO_STAGE = SimonTwoStage()
