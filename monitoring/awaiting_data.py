"""A registered trial without data: what exists already and what to import next.

A trial is registered from its protocol before its first extract arrives. Until then there
is no date, hence no cut-off and no decision; what exists is the protocol (design, rules
and the toxicity boundaries, which need no data). The CLI and the dashboard show this
state from here, with the same words, instead of failing on the missing cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.data_dictionary import CORE_TABLES, TABLES, TrialData
from monitoring.derive.cutoff import data_latest_date
from monitoring.designs.toxicity import ToxicityPlan, stopping_boundaries
from monitoring.protocol import (
    DeescalationRule,
    DoseRule,
    EfficacyRule,
    GroupSequentialRule,
    MrdRule,
    Protocol,
    SimonRule,
    ToxicityRule,
)
from monitoring.rules.outlines import deescalation_sentence, dose_finding_sentence, mrd_sentence

IMPORT_COMMAND = "python -m monitoring import --db URL --trial {trial} FILE..."


@dataclass(frozen=True)
class ImportFile:
    """One file of an extract: its name and the columns it must and may hold (SPEC 5)."""

    file: str
    required: tuple[str, ...]
    optional: tuple[str, ...]


@dataclass(frozen=True)
class RuleOutline:
    """A monitoring rule as the protocol states it, before any patient is seen."""

    kind: str
    id: str
    label: str
    sentence: str


@dataclass(frozen=True)
class AwaitingData:
    """A trial that holds no data yet: its protocol's rules and the files to import."""

    trial_id: str
    protocol: Protocol
    rules: tuple[RuleOutline, ...]
    files: tuple[ImportFile, ...]
    known_on: str | None = None  # an "as known on" time that saw no data (None: now)

    @property
    def message(self) -> str:
        return no_data_message(self.trial_id, self.known_on)

    @property
    def command(self) -> str:
        return IMPORT_COMMAND.format(trial=self.trial_id)


def no_data_message(trial_id: str, known_on: str | None = None) -> str:
    """One line for the CLI and the top of every page (``known_on``: an "as known on" time
    that saw no data although later imports may have brought some)."""
    names = ", ".join(f"{table}.csv" for table in CORE_TABLES)  # what every trial needs
    when = "yet" if known_on is None else f"known on {known_on}"
    return f"trial '{trial_id}' has no patient data {when}: import an extract ({names})"


def has_data(data: TrialData) -> bool:
    """True when the data hold a date, so that a default cut-off exists (SPEC 4)."""
    return data_latest_date(data) is not None


def import_files() -> tuple[ImportFile, ...]:
    """The three files of an extract with their columns, from the data dictionary."""
    return tuple(
        ImportFile(
            f"{spec.name}.csv",
            spec.required,
            tuple(c.name for c in spec.columns if not c.required),
        )
        for spec in TABLES.values()
    )


def _simon(rule: SimonRule) -> RuleOutline:
    sentence = (
        f"Simon two-stage design (p0 {rule.p0:g}, p1 {rule.p1:g}) on {rule.endpoint}: stop for "
        f"futility if {rule.r1} or fewer of the first {rule.n1} patients respond; the "
        f"treatment is promising if more than {rule.r} of {rule.n} respond."
    )
    return RuleOutline("simon_two_stage", rule.id, rule.label, sentence)


def _group_sequential(rule: GroupSequentialRule) -> RuleOutline:
    fractions = ", ".join(f"{f:g}" for f in rule.information_fractions)
    sentence = (
        f"Group-sequential comparison of {rule.endpoint} (one-sided alpha {rule.alpha:g}, "
        f"{rule.efficacy_spending} spending) at information fractions {fractions}."
    )
    return RuleOutline("group_sequential", rule.id, rule.label, sentence)


def _toxicity(rule: ToxicityRule) -> RuleOutline:
    boundaries = stopping_boundaries(ToxicityPlan.from_rule(rule))
    stops = "; ".join(f"{b.stop_at} of {b.n}" for b in boundaries.interim if b.stop_at is not None)
    sentence = (
        f"Bayesian toxicity monitoring of {rule.label}: stop if Pr(rate > {rule.threshold:g}) "
        f"> {rule.confidence:g} under a Beta({rule.prior_a:g}, {rule.prior_b:g}) prior, "
        f"looking every {rule.cohort_size} evaluable patients up to {rule.nmax}; "
        f"stopping boundaries: {stops or 'none'}."
    )
    return RuleOutline("toxicity", rule.id, rule.label, sentence)


def _efficacy(rule: EfficacyRule) -> RuleOutline:
    if isinstance(rule, SimonRule):
        return _simon(rule)
    if isinstance(rule, MrdRule):
        return RuleOutline("mrd_response", rule.id, rule.label, mrd_sentence(rule))
    return _group_sequential(rule)


def _dose(rule: DoseRule) -> RuleOutline:
    if isinstance(rule, DeescalationRule):
        return RuleOutline("dose_deescalation", rule.id, rule.label, deescalation_sentence(rule))
    return RuleOutline("dose_finding", rule.id, rule.label, dose_finding_sentence(rule))


def rule_outlines(protocol: Protocol, *, assumptions: bool = True) -> tuple[RuleOutline, ...]:
    """Every rule of the protocol in one sentence each, the toxicity boundaries included;
    a number the protocol marks as assumed is said so (unless ``assumptions`` is False: the
    report's methods page lists them on their own)."""
    outlines = (
        *(_efficacy(r) for r in protocol.efficacy),
        *(_dose(r) for r in protocol.dose_finding),
        *(_toxicity(r) for r in protocol.toxicity),
    )
    if not assumptions:
        return outlines
    assumed = {rule_id: text for rule_id, _, text in protocol.assumptions()}
    return tuple(
        RuleOutline(o.kind, o.id, o.label, f"{o.sentence} Assumed: {assumed[o.id]}")
        if o.id in assumed
        else o
        for o in outlines
    )


def awaiting_data(trial_id: str, protocol: Protocol, known_on: str | None = None) -> AwaitingData:
    """What a trial without data shows: its rules and the extract to import."""
    return AwaitingData(trial_id, protocol, rule_outlines(protocol), import_files(), known_on)
