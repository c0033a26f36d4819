"""Live trial status: protocol + derived data at a cut-off -> every decision and look.

One :class:`TrialStatus` feeds the ``status`` command, the dashboard and the reports, so the
numbers a DSMB member reads are the same everywhere. Everything here is pure: the cut-off,
the "as known on" time and the report records are arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from monitoring.derive import Derivation
from monitoring.derive.looks import LookDates, look_counts, look_dates
from monitoring.estimates import (
    BetaPrior,
    PredictiveProbability,
    RateEstimate,
    predictive_probability,
    rate_estimate,
)
from monitoring.protocol import Protocol, SimonRule, ToxicityRule
from monitoring.provenance import Provenance, data_digest
from monitoring.rules.efficacy import EfficacyDecision, EfficacyState
from monitoring.rules.evaluation import protocol_rules, rule_decisions
from monitoring.rules.interface import LogEntry, RuleContext, RuleDecision
from monitoring.rules.registry import kind_of
from monitoring.rules.toxicity import ToxicityDecision, ToxicityState
from monitoring.summary_state import SummaryState


@dataclass(frozen=True)
class LookRecord:
    """What the database knows about a look's summary: generated, sent, signed off."""

    evaluable: int
    generated_at: datetime | None = None
    generated_by: str | None = None
    signed_off_at: datetime | None = None
    signed_off_by: str | None = None
    recommendation: str | None = None
    """The committee's recommendation recorded with the latest sign-off (continue, modify,
    pause, stop), if one was."""


@dataclass(frozen=True)
class ScheduledLook:
    """One scheduled look (every ``summary_every`` evaluable patients) and its decisions.

    Counts and decisions are those of the data cut at ``reached_on``: what the board could
    see on the day the look was reached.
    """

    number: int
    evaluable: int
    reached_on: date | None
    efficacy_state: EfficacyState | None
    responders: int | None
    non_responders: int | None
    pending: int | None
    toxicity_events: int | None
    toxicity_boundary: int | None
    toxicity_state: ToxicityState | None
    summary: SummaryState
    record: LookRecord | None
    entries: tuple[LogEntry, ...] = ()

    @property
    def reached(self) -> bool:
        return self.reached_on is not None


@dataclass(frozen=True)
class TrialStatus:
    """Every decision and headline estimate of one trial at one cut-off.

    ``decisions`` holds every rule's decision in the shared terms (efficacy rules first,
    then toxicity rules); ``efficacy`` and ``toxicity`` are the kinds' own typed decisions
    of the first Simon rule and of each toxicity rule, for the views made for them.
    ``withheld_rules`` names the rules whose decisions this status does not hold (the open
    view, ``monitoring.open_view``): ``toxicity`` then holds the other toxicity rules only,
    in protocol order (:meth:`toxicity_rules` pairs each with its rule).
    """

    protocol: Protocol
    provenance: Provenance
    cutoff: date
    enrolled: int
    treated: int
    efficacy: EfficacyDecision | None
    predictive: PredictiveProbability | None
    remission: RateEstimate
    response: RateEstimate
    toxicity: tuple[ToxicityDecision, ...]
    looks: tuple[ScheduledLook, ...]
    decisions: tuple[RuleDecision, ...] = ()
    withheld_rules: frozenset[str] = frozenset()

    @property
    def summary_due(self) -> ScheduledLook | None:
        """The latest reached look whose summary is not yet generated, if any."""
        due = [look for look in self.looks if look.summary is SummaryState.DUE]
        return due[-1] if due else None

    @property
    def efficacy_decisions(self) -> tuple[RuleDecision, ...]:
        """The decisions of the protocol's ``[[efficacy]]`` rules."""
        ids = {r.id for r in self.protocol.efficacy}
        return tuple(d for d in self.decisions if d.rule_id in ids)

    @property
    def toxicity_decisions(self) -> tuple[RuleDecision, ...]:
        """The decisions of the protocol's ``[[dose_finding]]`` and ``[[toxicity]]`` rules
        (the Safety page's cards)."""
        ids = {r.id for r in (*self.protocol.dose_finding, *self.protocol.toxicity)}
        return tuple(d for d in self.decisions if d.rule_id in ids)

    def toxicity_rules(self) -> tuple[tuple[ToxicityRule, ToxicityDecision], ...]:
        """Each toxicity rule whose decision this status holds, with that decision."""
        shown = [r for r in self.protocol.toxicity if r.id not in self.withheld_rules]
        return tuple(zip(shown, self.toxicity, strict=True))

    @property
    def primary_toxicity(self) -> ToxicityDecision | None:
        """The decision of the protocol's first toxicity rule (None when withheld)."""
        rule = self.protocol.primary_toxicity
        if rule is None or rule.id in self.withheld_rules:
            return None
        return self.toxicity[0]


def _toxicity(detail: object) -> ToxicityDecision:
    assert isinstance(detail, ToxicityDecision)
    return detail


def _rates(protocol: Protocol, derived: Derivation) -> tuple[RateEstimate, RateEstimate]:
    """Remission and hematologic response among treated patients whose status is known."""
    patients = derived.patients.loc[derived.patients["treated"].to_numpy(bool)]
    known = patients["status"].isin(["responder", "non_responder"]).to_numpy(bool)
    evaluated = int(known.sum())
    remitted = int(patients["first_remission_date"].notna().sum())
    responded = int(patients["first_response_date"].notna().sum())
    evaluated_response = int((known | patients["first_response_date"].notna().to_numpy()).sum())
    prior = BetaPrior(*protocol.estimates.response_prior)
    level = protocol.estimates.credible_level
    definition = protocol.response
    remission_codes = "+".join(definition.remission)
    response_codes = "+".join(definition.hematologic_response)
    remission = definition.remission_label or "Remission"
    response = definition.response_label or "Hematologic response"
    return (
        rate_estimate(f"{remission} ({remission_codes})", remitted, evaluated, prior, level),
        rate_estimate(
            f"{response} ({response_codes})",
            responded,
            evaluated_response,
            prior,
            level,
        ),
    )


def _look_limit(protocol: Protocol, treated: int) -> int:
    """The last scheduled look: the planned maximum (``max_patients``, else the largest
    rule size); a protocol that plans none has a look every ``summary_every`` treated
    patients so far and the next one."""
    limits = [protocol.max_patients or 0]
    limits += [r.n for r in protocol.efficacy if isinstance(r, SimonRule)]
    limits += [r.nmax for r in protocol.toxicity]
    planned = max(limits)
    if planned > 0:
        return planned
    every = protocol.reporting.summary_every
    return (treated // every + 1) * every


def _summary(record: LookRecord | None) -> SummaryState:
    if record is None or record.generated_at is None:
        return SummaryState.DUE
    if record.signed_off_at is None:
        return SummaryState.GENERATED
    return SummaryState.SIGNED_OFF


def _not_reached(number: int, evaluable: int, record: LookRecord | None) -> ScheduledLook:
    return ScheduledLook(
        number, evaluable, None, None, None, None, None, None, None, None,
        SummaryState.NOT_REACHED, record,
    )  # fmt: skip


def _look_at(
    protocol: Protocol,
    dates: LookDates,
    number: int,
    evaluable: int,
    reached_on: date | None,
    record: LookRecord | None,
) -> ScheduledLook:
    if reached_on is None:
        return _not_reached(number, evaluable, record)
    counts = look_counts(dates, protocol, reached_on)
    context = RuleContext(protocol, dates, reached_on)
    decided = {
        rule.id: kind_of(rule).evaluate(rule, context, reached_on)
        for rule in protocol_rules(protocol)
    }
    entries = tuple(
        kind_of(rule).log_entry(rule, decided[rule.id], evaluable)
        for rule in protocol_rules(protocol)
    )
    simon, tox_rule = protocol.simon, protocol.primary_toxicity
    efficacy = decided[simon.id] if simon else None
    tox = decided[tox_rule.id] if tox_rule else None
    assert efficacy is None or isinstance(efficacy, EfficacyDecision)
    assert tox is None or isinstance(tox, ToxicityDecision)
    look = next((lk for lk in tox.looks if lk.n == evaluable), None) if tox else None
    outcomes = counts.toxicity
    return ScheduledLook(
        number=number,
        evaluable=evaluable,
        reached_on=reached_on,
        efficacy_state=efficacy.state if efficacy else None,
        responders=counts.overall.responders,
        non_responders=counts.overall.non_responders,
        pending=counts.overall.pending,
        toxicity_events=outcomes.events_among_first(evaluable) if tox and outcomes else None,
        toxicity_boundary=look.boundary if look else None,
        toxicity_state=tox.decision if tox else None,
        summary=_summary(record),
        record=record,
        entries=entries,
    )


def monitoring_log(
    protocol: Protocol,
    derived: Derivation,
    records: Sequence[LookRecord] = (),
    dates: LookDates | None = None,
) -> tuple[ScheduledLook, ...]:
    """Every scheduled look up to the planned maximum, reached or not, with its decisions.

    Each reached look is decided on the data cut at the day it was reached; the counts come
    from ``derived`` (``monitoring.derive.looks``: equal to deriving the data at that day,
    since the cut rows in ``derived`` hold every fact dated up to any earlier look).
    """
    every = protocol.reporting.summary_every
    by_n = {r.evaluable: r for r in records}
    patients = derived.patients
    treated = patients["treated"].to_numpy(bool)
    order = np.argsort(patients["treatment_order"].to_numpy("int64", na_value=0)[treated])
    first_doses = patients["first_dose_date"].to_numpy("datetime64[D]")[treated][order]
    limit = _look_limit(protocol, len(first_doses))
    schedule = list(enumerate(range(every, limit + 1, every), start=1))
    reached = {n: first_doses[n - 1].item() for _, n in schedule if len(first_doses) >= n}
    dates = dates if dates is not None else look_dates(derived, protocol)
    return tuple(
        _look_at(protocol, dates, number, n, reached.get(n), by_n.get(n)) for number, n in schedule
    )


def trial_status(
    protocol: Protocol,
    derived: Derivation,
    *,
    as_known_on: datetime | None = None,
    records: Sequence[LookRecord] = (),
    trial_id: str | None = None,
    data_batch: int | None = None,
    table_digests: Mapping[str, str] | None = None,
    chain_head: str | None = None,
) -> TrialStatus:
    """Decisions, estimates and the monitoring log of the data derived at a cut-off
    (``monitoring.derive.derive``: the caller derives once and shares the result).

    The data must already be those as known on ``as_known_on`` (the repository does that);
    the time and the last import batch (``data_batch``) are carried into the provenance
    only. ``table_digests`` gives the digests of tables of which the data hold only some
    rows, computed over all of them at the same cut-off (``monitoring.analysis.database``
    passes the adverse events' digest from the database); the data digest is then the one
    every row gives.
    """
    dates = look_dates(derived, protocol)
    decisions = rule_decisions(protocol, dates, derived.cutoff)
    by_id = {d.rule_id: d.detail for d in decisions}
    simon = protocol.simon
    efficacy = by_id[simon.id] if simon else None
    assert efficacy is None or isinstance(efficacy, EfficacyDecision)
    predictive = None
    if simon is not None and efficacy is not None:
        predictive = predictive_probability(
            simon,
            BetaPrior(*protocol.estimates.response_prior),
            efficacy.stage1,
            efficacy.overall,
            efficacy.treated,
        )
    remission, response = _rates(protocol, derived)
    toxicity = tuple(_toxicity(by_id[rule.id]) for rule in protocol.toxicity)
    provenance = Provenance(
        trial_id=trial_id or protocol.id,
        protocol_version=protocol.version,
        protocol_digest=protocol.digest,
        data_digest=data_digest(derived.data, table_digests),
        cutoff=derived.cutoff,
        as_known_on=as_known_on,
        data_batch=data_batch,
        chain_head=chain_head,
    )
    return TrialStatus(
        protocol=protocol,
        provenance=provenance,
        cutoff=derived.cutoff,
        enrolled=derived.evaluable.enrolled,
        treated=derived.evaluable.treated,
        efficacy=efficacy,
        predictive=predictive,
        remission=remission,
        response=response,
        toxicity=toxicity,
        looks=monitoring_log(protocol, derived, records, dates),
        decisions=decisions,
    )
