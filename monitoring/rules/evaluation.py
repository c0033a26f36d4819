"""Every rule of a protocol decided at a cut-off, through its kind (the registry).

Efficacy rules come first, then dose-finding rules, then toxicity rules, each in protocol
order: the order of the cards, the monitoring log's columns and the reports (the verdict
breaks ties toxicity first).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from monitoring import vocabulary
from monitoring.derive.looks import LookDates
from monitoring.protocol import Protocol
from monitoring.rules.crossing import first_crossing
from monitoring.rules.interface import Fact, LogEntry, RuleContext, RuleDecision
from monitoring.rules.registry import Rule, kind_of


def protocol_rules(protocol: Protocol) -> tuple[Rule, ...]:
    """The protocol's rules in the order decisions are shown: efficacy, dose finding, then
    toxicity."""
    return protocol.rules


ASSUMED = "Assumed (the registry record is silent)"
"""The evidence row that says what a rule's protocol entry assumes (``assumption``)."""


def with_assumption(rule: Rule, decision: RuleDecision) -> RuleDecision:
    """The decision with the rule's ``assumption`` as the last evidence row, so that every
    card, log and report says which numbers are assumed, whatever the kind."""
    assumption = getattr(rule, "assumption", None)  # a kind registered at run time may lack it
    if not assumption or any(f.label == ASSUMED for f in decision.evidence):
        return decision
    return replace(decision, evidence=(*decision.evidence, Fact(ASSUMED, str(assumption))))


def in_stratum(decision: RuleDecision) -> RuleDecision:
    """The decision's sentence saying what a rule restricted to a stratum stops or
    continues: that stratum, not the trial ("so cohort 1 stops for futility")."""
    if not decision.scope:
        return decision
    return replace(decision, sentence=vocabulary.for_stratum(decision.sentence, decision.scope))


def rule_decisions(protocol: Protocol, dates: LookDates, cutoff: date) -> tuple[RuleDecision, ...]:
    """Each rule's decision on the data cut at ``cutoff``, with the day a stop was crossed."""
    context = RuleContext(protocol, dates, cutoff)
    out = []
    for rule in protocol_rules(protocol):
        kind = kind_of(rule)
        decision = kind.evaluate(rule, context, cutoff)
        crossing = first_crossing(kind, rule, context) if kind.stops(decision) else None
        described = kind.describe(rule, decision, context, crossing)
        out.append(with_assumption(rule, in_stratum(described)))
    return tuple(out)


def log_entries(protocol: Protocol, dates: LookDates, day: date, look: int) -> tuple[LogEntry, ...]:
    """Each rule's state and counts on the day a scheduled look (``look`` evaluable
    patients) was reached."""
    context = RuleContext(protocol, dates, day)
    return tuple(
        kind_of(rule).log_entry(rule, kind_of(rule).evaluate(rule, context, day), look)
        for rule in protocol_rules(protocol)
    )
