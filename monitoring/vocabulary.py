"""The one vocabulary of decisions: each state's severity and words, rule kinds, endpoints.

Every screen, report format and command prints a decision state through this module, so a
state reads the same everywhere and its severity (the colour, and which decision is the
most severe) is defined once. The codes themselves (``stage2``, ``stop``) stay what the
library and ``status --json`` exchange; people read the words.

A Simon design is called "optimal" or "minimax" only where the design audit
(``monitoring.designs.simon_audit``) finds it so for the protocol's nominal error rates;
otherwise it is named by its boundaries and its exact error rates.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from monitoring.designs.simon_audit import SimonAudit, audit_rule
from monitoring.disclosure import Disclosure
from monitoring.protocol import (
    DeescalationRule,
    DoseFindingRule,
    DoseRule,
    EfficacyRule,
    GroupSequentialRule,
    MrdRule,
    Protocol,
    SimonRule,
    ToxicityRule,
)
from monitoring.rules.dose_state import DoseState
from monitoring.rules.efficacy import EfficacyState, Stage1State
from monitoring.rules.sequential_state import SequentialState
from monitoring.rules.toxicity import ToxicityState
from monitoring.summary_state import SummaryState


class Severity(enum.IntEnum):
    """How much a state asks of the reader, least to most: the highest one wins."""

    OK = 0
    INFO = 1
    ATTENTION = 2
    STOP = 3

    @property
    def word(self) -> str:
        """The level as printed beside a colour ("OK", "Info", "Attention", "STOP")."""
        return {0: "OK", 1: "Info", 2: "Attention", 3: "STOP"}[int(self)]


@dataclass(frozen=True)
class Words:
    """A state's severity and words.

    ``title`` is the short name printed in tables and logs ("Continue to stage 2");
    ``note`` what it means for the trial, printed after the title on a card ("continue");
    ``sentence`` a plain sentence with ``{rule}`` standing for the rule's name.
    """

    severity: Severity
    title: str
    note: str
    sentence: str

    @property
    def headline(self) -> str:
        """Title and note ("Stage 1 accruing — continue"), the verdict of a card."""
        return f"{self.title} — {self.note}" if self.note else self.title

    def say(self, rule: str) -> str:
        """The sentence about the rule named ``rule``."""
        return self.sentence.format(rule=rule)


State = (
    EfficacyState
    | Stage1State
    | ToxicityState
    | SummaryState
    | SequentialState
    | Disclosure
    | DoseState
)

EFFICACY: Mapping[EfficacyState, Words] = {
    EfficacyState.STAGE1_ACCRUING: Words(
        Severity.INFO,
        "Stage 1 accruing",
        "continue",
        "{rule}: stage 1 is still accruing and the trial continues.",
    ),
    EfficacyState.ACCRUAL_SUSPENDED: Words(
        Severity.ATTENTION,
        "Accrual suspended",
        "awaiting stage-1 responses",
        "{rule}: accrual is suspended until the stage-1 responses are known.",
    ),
    EfficacyState.STOP_FUTILITY: Words(
        Severity.STOP,
        "STOP for futility",
        "",
        "{rule}: too few stage-1 patients can respond, so the trial stops for futility.",
    ),
    EfficacyState.STAGE2: Words(
        Severity.OK,
        "Continue to stage 2",
        "",
        "{rule}: enough stage-1 patients responded, so the trial continues to stage 2.",
    ),
    EfficacyState.SUCCESS: Words(
        Severity.OK,
        "Final efficacy criterion met",
        "",
        "{rule}: enough patients responded, so the final efficacy criterion is met.",
    ),
    EfficacyState.CANNOT_SUCCEED: Words(
        Severity.STOP,
        "Final criterion can no longer be met",
        "",
        "{rule}: too few patients can respond, so the final efficacy criterion cannot be met.",
    ),
}

STAGE1: Mapping[Stage1State, Words] = {
    Stage1State.PENDING: Words(
        Severity.INFO,
        "Stage 1 undecided",
        "awaiting stage-1 responses",
        "{rule}: the stage-1 analysis is not decided yet.",
    ),
    Stage1State.ACCRUAL_SUSPENDED: Words(
        Severity.ATTENTION,
        "Accrual suspended",
        "awaiting stage-1 responses",
        "{rule}: stage 1 is fully treated and accrual waits for its responses.",
    ),
    Stage1State.CONTINUE: Words(
        Severity.OK,
        "Stage 1 passed",
        "",
        "{rule}: stage 1 has enough responders to continue to stage 2.",
    ),
    Stage1State.STOP_FUTILITY: Words(
        Severity.STOP,
        "STOP for futility",
        "",
        "{rule}: stage 1 cannot reach its responders, so the trial stops for futility.",
    ),
}

TOXICITY: Mapping[ToxicityState, Words] = {
    ToxicityState.CONTINUE: Words(
        Severity.OK,
        "Continue",
        "no toxicity boundary crossed",
        "{rule}: no stopping boundary has been reached, so the trial continues.",
    ),
    ToxicityState.STOP: Words(
        Severity.STOP,
        "STOP for toxicity",
        "",
        "{rule}: a stopping boundary has been reached, so the trial stops for toxicity.",
    ),
}

SUMMARY: Mapping[SummaryState, Words] = {
    SummaryState.NOT_REACHED: Words(
        Severity.OK, "Not reached", "", "{rule}: this look is not reached yet."
    ),
    SummaryState.DUE: Words(
        Severity.ATTENTION,
        "Summary due",
        "not generated yet",
        "{rule}: the look is reached and its summary is due.",
    ),
    SummaryState.GENERATED: Words(
        Severity.INFO,
        "Generated",
        "awaiting sign-off",
        "{rule}: the summary is generated and awaits sign-off.",
    ),
    SummaryState.SIGNED_OFF: Words(
        Severity.OK, "Signed off", "", "{rule}: the summary is generated and signed off."
    ),
}

SEQUENTIAL: Mapping[SequentialState, Words] = {
    SequentialState.BEFORE_FIRST_LOOK: Words(
        Severity.INFO,
        "Collecting events",
        "no interim look yet",
        "{rule}: the events for the first interim look have not been reached yet.",
    ),
    SequentialState.CONTINUE: Words(
        Severity.OK,
        "Continue",
        "between the boundaries",
        "{rule}: the observed z lies between the boundaries, so the trial continues.",
    ),
    SequentialState.FUTILITY: Words(
        Severity.ATTENTION,
        "Futility bound crossed",
        "non-binding: for the DSMB to discuss",
        "{rule}: the observed z is at or below the non-binding futility bound; the DSMB "
        "decides whether to stop.",
    ),
    SequentialState.EFFICACY: Words(
        Severity.STOP,
        "STOP for efficacy",
        "",
        "{rule}: the observed z crossed the efficacy boundary, so the trial may stop for efficacy.",
    ),
    SequentialState.FINAL_NOT_SIGNIFICANT: Words(
        Severity.INFO,
        "Final analysis: not significant",
        "",
        "{rule}: at the final analysis the observed z stays below the efficacy boundary.",
    ),
}

# Per enum: StrEnum members of different enums with the same code compare equal.
DISCLOSURE: Mapping[Disclosure, Words] = {
    Disclosure.CLOSED: Words(
        Severity.INFO,
        "Closed: shown to the DSMB",
        "in the closed view only",
        "{rule}: its decision compares results by a closed column and is shown in the closed "
        "view only.",
    ),
}

DOSE: Mapping[DoseState, Words] = {
    DoseState.AWAITING: Words(
        Severity.INFO,
        "Awaiting DLT data",
        "no evaluable patient yet",
        "{rule}: no patient has completed the DLT window yet; the first cohort is treated at "
        "the starting level.",
    ),
    DoseState.COHORT_OPEN: Words(
        Severity.INFO,
        "Cohort in progress",
        "no decision until the cohort is complete",
        "{rule}: the current cohort is not yet complete; the design takes its next decision "
        "when every patient of the cohort is evaluable.",
    ),
    DoseState.ESCALATE: Words(
        Severity.OK,
        "Escalate",
        "next cohort one level up",
        "{rule}: the DLTs seen allow the next cohort to be treated one dose level higher.",
    ),
    DoseState.STAY: Words(
        Severity.OK,
        "Stay",
        "next cohort at the same level",
        "{rule}: the next cohort is treated at the current dose level.",
    ),
    DoseState.DEESCALATE: Words(
        Severity.ATTENTION,
        "De-escalate",
        "too many DLTs at the current level",
        "{rule}: too many DLTs at the current level, so the next patients are treated one "
        "level lower.",
    ),
    DoseState.ELIMINATED: Words(
        Severity.ATTENTION,
        "Dose eliminated",
        "it and every higher dose are closed",
        "{rule}: a dose is very likely above the target DLT rate, so it and every higher dose "
        "are closed for the rest of the trial.",
    ),
    DoseState.COMPLETE: Words(
        Severity.INFO,
        "Dose finding complete",
        "MTD selected",
        "{rule}: the planned cohorts are treated and the maximum tolerated dose is selected.",
    ),
    DoseState.STOP: Words(
        Severity.STOP,
        "STOP for toxicity",
        "the lowest dose is too toxic",
        "{rule}: the lowest dose level is too toxic, so dosing stops.",
    ),
}

VOCABULARY: Mapping[type[enum.Enum], Mapping[Any, Words]] = {
    EfficacyState: EFFICACY,
    Stage1State: STAGE1,
    ToxicityState: TOXICITY,
    SummaryState: SUMMARY,
    SequentialState: SEQUENTIAL,
    Disclosure: DISCLOSURE,
    DoseState: DOSE,
}


def words(state: State) -> Words:
    """The severity and words of a decision state."""
    return VOCABULARY[type(state)][state]


def severity(state: State) -> Severity:
    return words(state).severity


def title(state: State | None, missing: str = "—") -> str:
    """The state's short title; ``missing`` where there is no state (a look not reached)."""
    return missing if state is None else words(state).title


def most_severe(states: Iterable[State]) -> Severity:
    """The highest severity among ``states`` (OK when there are none)."""
    return max((severity(s) for s in states), default=Severity.OK)


def state_json(state: State) -> dict[str, str]:
    """The words and severity of a state for JSON output (the code is kept by the caller)."""
    w = words(state)
    return {"title": w.title, "headline": w.headline, "severity": w.severity.name.lower()}


# --- Rule kinds, endpoints, rules -----------------------------------------------------------

RULE_KINDS: Mapping[str, str] = {
    "simon_two_stage": "Simon two-stage (efficacy)",
    "group_sequential": "Group-sequential comparison (efficacy)",
    "thall_simon_estey": "Thall–Simon–Estey Bayesian monitoring (toxicity)",
    "mrd_response": "MRD response, Simon two-stage (efficacy)",
    "dose_finding": "Dose finding (BOIN or 3+3)",
    "dose_deescalation": "Dose de-escalation for toxicity",
}

ENDPOINTS: Mapping[str, str] = {
    "remission": "Hematologic remission",
    "hematologic_response": "Hematologic response",
    "mrd_negativity": "MRD negativity",
    "OS": "Overall survival",
    "PFS": "Progression-free survival",
    "EFS": "Event-free survival",
    "DoR": "Duration of response",
    "DoR1": "Duration of remission",
}


AnyRule = EfficacyRule | DoseRule | ToxicityRule


def rule_kind(rule: AnyRule) -> str:
    """The words for the rule's kind ("Simon two-stage (efficacy)")."""
    if isinstance(rule, SimonRule):
        return RULE_KINDS["simon_two_stage"]
    if isinstance(rule, GroupSequentialRule):
        return RULE_KINDS["group_sequential"]
    if isinstance(rule, MrdRule):
        return RULE_KINDS["mrd_response"]
    if isinstance(rule, DoseFindingRule):
        return RULE_KINDS["dose_finding"]
    if isinstance(rule, DeescalationRule):
        return RULE_KINDS["dose_deescalation"]
    return RULE_KINDS["thall_simon_estey"]


def endpoint_name(endpoint: str, protocol: Protocol | None = None) -> str:
    """An endpoint in words, with the response codes it counts where the protocol has them.

    "Hematologic remission (CR + CRp + CRi)"; an unknown code is returned unchanged.
    """
    name = ENDPOINTS.get(endpoint, endpoint)
    if protocol is None:
        return name
    labels = {
        "remission": protocol.response.remission_label,
        "hematologic_response": protocol.response.response_label,
    }
    name = labels.get(endpoint) or name
    codes = {
        "remission": protocol.response.remission,
        "hematologic_response": protocol.response.hematologic_response,
    }.get(endpoint)
    return f"{name} ({' + '.join(codes)})" if codes else name


def rule_subject(rule: AnyRule, protocol: Protocol | None = None) -> str:
    """What the rule watches, in words: a toxicity rule's protocol label, a Simon rule's
    endpoint ("Hematologic remission (CR + CRp + CRi)"). A Simon rule's label is not used:
    it may claim a design property the audit does not confirm (see :func:`simon_design`)."""
    if isinstance(rule, SimonRule):
        return endpoint_name(rule.endpoint, protocol)
    if isinstance(rule, MrdRule):
        return f"MRD negativity ({rule.method} < {rule.threshold_pct:g} %)"
    return rule.label.strip()


def rule_name(rule: AnyRule, protocol: Protocol | None = None) -> str:
    """The rule as people name it, with what it guards: never its bare id.

    "Toxicity: Any-grade VOD/SOS related to inotuzumab ozogamicin",
    "Efficacy: Hematologic remission (CR + CRp + CRi)".
    """
    guards = (
        "Toxicity"
        if isinstance(rule, ToxicityRule)
        else "Dose"
        if isinstance(rule, DoseFindingRule | DeescalationRule)
        else "Efficacy"
    )
    where = scope_words(rule.scope, protocol)
    return f"{guards}: {rule_subject(rule, protocol)}" + (f" — {where}" if where else "")


def scope_words(scope: Mapping[str, str], protocol: Protocol | None = None) -> str:
    """The stratum a rule is restricted to, in words ("cohort 1: Relapsed/refractory"; the
    label alone where it names the stratum already: "Cohort 2: InO + augmented mBFM");
    empty for a rule on every patient."""
    if not scope:
        return ""
    units = {}
    if protocol is not None:
        units = {
            "cohort": protocol.cohorts,
            "arm": protocol.arms,
            "dose_level": protocol.dose_levels,
        }
    parts = []
    for name, value in scope.items():
        label = next((u.label for u in units.get(name, ()) if u.id == value), "")
        short = f"{name.replace('_', ' ')} {value}"
        if not label or label == value:
            parts.append(short)
        elif label.casefold().startswith(short.casefold()):
            parts.append(label)  # the label names the stratum already: "Cohort 2: InO + …"
        else:
            parts.append(f"{short}: {label}")
    return ", ".join(parts)


def stratum_words(scope: Mapping[str, str]) -> str:
    """The stratum a rule is restricted to, short ("cohort 1", "cohort 2, arm B"); empty
    for a rule on every patient. What stops or continues when such a rule decides."""
    return ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in scope.items())


_THE_TRIAL = re.compile(r"\b([Tt])he trial\b")


def for_stratum(sentence: str, scope: Mapping[str, str]) -> str:
    """``sentence`` with "the trial" said of the rule's stratum ("so cohort 1 stops for
    futility"): a rule restricted to a stratum stops or continues that stratum only.
    Unchanged for a rule on every patient."""
    who = stratum_words(scope)
    if not who:
        return sentence

    def say(match: re.Match[str]) -> str:
        return who[:1].upper() + who[1:] if match.group(1) == "T" else who

    return _THE_TRIAL.sub(say, sentence)


def confirmed_role(audit: SimonAudit) -> str | None:
    """ "optimal" or "minimax" where the audit finds the design so for its nominal error
    rates and the protocol claims it; None otherwise (no nominal rates, or not so)."""
    nominal = audit.nominal
    if nominal is None:
        return None
    if audit.claimed_type == "optimal" and nominal.is_optimal:
        return "optimal"
    if audit.claimed_type == "minimax" and nominal.is_minimax:
        return "minimax"
    return None


def simon_design(rule: SimonRule, audit: SimonAudit | None = None) -> str:
    """The design by name and exact error rates, computed from the rule by the audit.

    "Simon two-stage 6/18, 20/48: alpha 0.113, power 0.785"; with a confirmed role,
    "Simon optimal two-stage 7/20, 24/58 for alpha 0.1, beta 0.2: alpha 0.100, power 0.802".
    Words, not Greek letters: the PDF font has none, and every format must read the same.
    """
    audit = audit if audit is not None else audit_rule(rule)
    exact = audit.exact
    role = confirmed_role(audit)
    errors = f"alpha {exact.alpha:.3f}, power {exact.power:.3f}"
    if role is None or audit.nominal is None:
        return f"Simon two-stage {exact.label()}: {errors}"
    bounds = f"alpha {audit.nominal.alpha:g}, beta {audit.nominal.beta:g}"
    return f"Simon {role} two-stage {exact.label()} for {bounds}: {errors}"
