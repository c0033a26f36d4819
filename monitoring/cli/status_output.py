"""What ``status`` prints: its JSON document (``status --json``) and its text.

Imported when ``status`` runs (``monitoring.cli.monitor``), not at every command's start.
"""

from __future__ import annotations

from typing import Any

from monitoring import vocabulary
from monitoring.cli.common import to_jsonable
from monitoring.cli.verdict_output import verdict_json, verdict_lines
from monitoring.monitoring_log import log_rows, log_rules
from monitoring.protocol import SimonRule, ToxicityRule
from monitoring.rules.interface import RuleDecision
from monitoring.rules.simon_two_stage import design_name
from monitoring.status import TrialStatus
from monitoring.verdict import verdict


def _verdict(state: vocabulary.State) -> str:
    """ "Continue to stage 2 [OK]": the vocabulary's words and the severity in words."""
    w = vocabulary.words(state)
    return f"{w.headline} [{w.severity.word}]"


def _words(state: vocabulary.State | None, key: str) -> dict[str, Any]:
    """``{key}_title``, ``{key}_severity``: the words beside a state's code (None if none)."""
    if state is None:
        return {f"{key}_title": None, f"{key}_severity": None}
    w = vocabulary.words(state)
    return {f"{key}_title": w.title, f"{key}_severity": w.severity.name.lower()}


def _rule_json(status: TrialStatus, rule: SimonRule | ToxicityRule | None) -> dict[str, Any]:
    """The rule's id (a code) and its name and kind in words."""
    if rule is None:
        return {}
    return {
        "id": rule.id,
        "name": vocabulary.rule_name(rule, status.protocol),
        "kind": vocabulary.rule_kind(rule),
    }


def decision_json(decision: RuleDecision) -> dict[str, Any]:
    """One rule's decision: codes (rule id, kind, state) and the words beside them."""
    crossing = decision.crossing
    looks: dict[str, Any] = {}
    # Only a decided group-sequential rule has its module loaded; a withheld one has no detail.
    if decision.kind == "group_sequential" and decision.detail is not None:
        from monitoring.rules.group_sequential import SequentialDecision

        if isinstance(decision.detail, SequentialDecision):
            looks = {"looks": decision.detail.looks_json()}
    return {
        "rule_id": decision.rule_id,
        "kind": decision.kind,
        "name": decision.name,
        "scope": dict(decision.scope),
        "state": to_jsonable(decision.state),
        "severity": decision.severity.name.lower(),
        "headline": decision.headline,
        "sentence": decision.sentence,
        "evidence": [{"label": f.label, "value": f.value} for f in decision.evidence],
        "next_look": decision.next_look,
        "crossed_on": to_jsonable(crossing.crossed_on if crossing else None),
        "enrolled_after_crossing": list(crossing.enrolled_after) if crossing else [],
        **looks,
    }


def status_json(status: TrialStatus) -> dict[str, Any]:
    """SPEC 6.1 ``status --json`` keys, plus every rule's decision (``decisions``, any number
    of rules of any kind), estimates, the monitoring log and provenance."""
    efficacy: dict[str, Any] | None = None
    if status.efficacy is not None:
        e = status.efficacy
        efficacy = {
            "decision": e.state.value,
            **_words(e.state, "decision"),
            "rule": _rule_json(status, status.protocol.simon),
            "design": None if status.protocol.simon is None else design_name(status.protocol.simon),
            "responders": e.overall.responders,
            "non_responders": e.overall.non_responders,
            "pending": e.overall.pending,
            "stage1": {
                "n": e.n1,
                "treated": min(status.treated, e.n1),
                "responders": e.stage1.responders,
                "non_responders": e.stage1.non_responders,
                "pending": e.stage1.pending,
                "decision": e.stage1_state.value,
                **_words(e.stage1_state, "decision"),
            },
            "futility_r1": e.r1,
            "success_r": e.r,
            "n": e.n,
            "explanation": e.explanation,
            "predictive_probability": (
                status.predictive.probability if status.predictive else None
            ),
        }
    tox = status.primary_toxicity
    toxicity: dict[str, Any] | None = None
    if tox is not None:
        toxicity = {
            "evaluable": tox.evaluable,
            "events": tox.events,
            "posterior_prob": tox.posterior_prob,
            "last_look": tox.last_look,
            "events_at_last_look": tox.events_at_last_look,
            "boundary_at_last_look": tox.boundary_at_last_look,
            "next_look": tox.next_look,
            "boundary_next_look": tox.boundary_next_look,
            "events_to_cross_next": tox.events_to_cross_next,
            "decision": tox.decision.value,
            **_words(tox.decision, "decision"),
            "rule": _rule_json(status, status.protocol.primary_toxicity),
            "explanation": tox.explanation,
        }
    due = status.summary_due
    return {
        "verdict": verdict_json(verdict(status)),
        "trial": status.provenance.trial_id,
        "cutoff": status.cutoff.isoformat(),
        "as_known_on": to_jsonable(status.provenance.as_known_on),
        "enrolled": status.enrolled,
        "treated": status.treated,
        "decisions": [decision_json(d) for d in status.decisions],
        "efficacy": efficacy,
        "toxicity": toxicity,
        "predictive_probability": (status.predictive.probability if status.predictive else None),
        "remission_rate": to_jsonable(status.remission),
        "response_rate": to_jsonable(status.response),
        "summary_due": due.evaluable if due else None,
        "looks": [
            {
                "look": look.number,
                "evaluable": look.evaluable,
                "reached_on": to_jsonable(look.reached_on),
                "efficacy_decision": to_jsonable(look.efficacy_state),
                **_words(look.efficacy_state, "efficacy_decision"),
                "responders": look.responders,
                "toxicity_events": look.toxicity_events,
                "toxicity_boundary": look.toxicity_boundary,
                "toxicity_decision": to_jsonable(look.toxicity_state),
                **_words(look.toxicity_state, "toxicity_decision"),
                "rules": [
                    {
                        "rule_id": e.rule_id,
                        "state": to_jsonable(e.state),
                        "title": e.title,
                        "counts": e.counts,
                    }
                    for e in look.entries
                ],
                "summary": look.summary.value,
                **_words(look.summary, "summary"),
                "generated_at": to_jsonable(look.record.generated_at if look.record else None),
                "signed_off_by": look.record.signed_off_by if look.record else None,
                "signed_off_at": to_jsonable(look.record.signed_off_at if look.record else None),
            }
            for look in status.looks
        ],
        "provenance": to_jsonable(status.provenance),
    }


def print_status(status: TrialStatus) -> None:
    p = status.provenance
    print(f"{status.protocol.short_title} ({p.trial_id}) — cut-off {status.cutoff.isoformat()}")
    print(f"Enrolled {status.enrolled}, treated {status.treated}")
    print("\n" + "\n".join(verdict_lines(verdict(status))))
    for decision in status.decisions:
        print(f"\n{decision.name}")
        print(f"  {decision.headline} [{decision.severity.word}]")
        for fact in decision.facts():
            print(f"  {fact.label}: {fact.value}")
        print(f"  {decision.sentence}")
    for rate in (status.remission, status.response):
        print(
            f"\n{rate.label}: {rate.x}/{rate.n}; {rate.level:.0%} credible interval "
            f"{rate.credible.low:.3f}–{rate.credible.high:.3f} ({rate.prior.label} prior); "
            f"exact {rate.exact.low:.3f}–{rate.exact.high:.3f}"
        )
    print("\nMonitoring log")
    rules = log_rules(status)
    for i, name in enumerate(rules, start=1):
        print(f"  rule {i}: {name}")
    for row in log_rows(status):
        cells = "  ".join(f"rule {i}: {cell or '-'}" for i, cell in enumerate(row.cells, start=1))
        states = f"{cells}; {row.summary}" if cells else row.summary  # a trial without rules
        print(
            f"  look {row.number:>2} at {row.evaluable:>3} evaluable, reached "
            f"{row.reached_on or '-'!s:>10}: {states}"
        )
    due = status.summary_due
    if due is not None:
        print(
            f"\nSUMMARY DUE: the efficacy/toxicity summary for look {due.number} "
            f"({due.evaluable} evaluable patients, reached {due.reached_on}) is not generated."
        )
    print(f"\n{p.line}")
