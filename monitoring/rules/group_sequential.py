"""Rule kind ``group_sequential``: a group-sequential log-rank comparison of two arms.

Looks are event-driven: look k of the protocol's ``information_fractions`` t_1 < ... < 1 is
reached on the first day the data cut at that day hold ceil(t_k * D) events of the
endpoint in the two arms (D the planned events: the protocol's ``planned_events``, or
Schoenfeld's number for the design, ``monitoring.designs.group_sequential.planned_events``).
Looks reached on the same day are one look. Each look is decided on the data cut at its
own day: the signed log-rank z (``monitoring.survival.arms.logrank_z``, positive when the
experimental arm does better) against the boundaries recomputed at the observed
information fractions (events at each look / D; ``evaluate_look``). With ``strata`` in the
protocol the log-rank z and the Cox hazard ratio are stratified by those patient columns
(``monitoring.derive.looks.stratum_labels``). Unplanned looks (a DSMB meeting off the event
schedule) are left for later.

Decision on a day: before the first look, ``BEFORE_FIRST_LOOK``; once any look reached by
that day crossed the efficacy bound, ``EFFICACY`` — a stop that stays a stop (the crossing
search relies on it); otherwise the decision of the latest look: between the bounds
(``CONTINUE``), at or below the non-binding futility bound (``FUTILITY``, severity
ATTENTION: a decision for the DSMB to discuss, not a stop, because futility is
non-binding — going on does not raise the type I error — and a later look may return
between the bounds), or the final look not significant. Everything by arm (events per arm,
z, hazard ratios, boundaries with the observed z) lives in this rule's decision and
evidence only, so a closed/open view can withhold it as a whole.
"""

from __future__ import annotations

import functools
import math
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from monitoring import vocabulary
from monitoring.derive.cutoff import as_timestamp
from monitoring.derive.looks import LookDates, SurvivalAtDay, events_by_day, survival_at
from monitoring.designs.group_sequential import (
    DesignSpec,
    LookDecision,
    LookResult,
    SpendingFamily,
    SpendingFunction,
    compute_design,
    evaluate_look,
    planned_events,
)
from monitoring.protocol import GroupSequentialRule
from monitoring.rules.crossing import fact_days
from monitoring.rules.interface import Crossing, Fact, LogEntry, RuleContext, RuleDecision
from monitoring.rules.sequential_state import SequentialState
from monitoring.survival.arms import HazardRatio, cox_hazard_ratio, logrank_z

_STATES = {
    LookDecision.CONTINUE: SequentialState.CONTINUE,
    LookDecision.EFFICACY: SequentialState.EFFICACY,
    LookDecision.FUTILITY: SequentialState.FUTILITY,
    LookDecision.FINAL_NOT_SIGNIFICANT: SequentialState.FINAL_NOT_SIGNIFICANT,
}

LOOK_WORDS = {
    LookDecision.CONTINUE: "Continue",
    LookDecision.EFFICACY: "Efficacy bound crossed",
    LookDecision.FUTILITY: "Futility bound crossed (non-binding)",
    LookDecision.FINAL_NOT_SIGNIFICANT: "Final: not significant",
}


@dataclass(frozen=True)
class ArmCounts:
    """Patients and events of one arm on the data cut at a day."""

    arm: str
    patients: int
    events: int


@dataclass(frozen=True)
class SequentialLook:
    """One look reached: its day, the events then, and the boundaries with the observed z
    (``result``: ``evaluate_look`` on the events of every look up to this one)."""

    day: date
    result: LookResult


@dataclass(frozen=True)
class SequentialDecision:
    """A group-sequential rule on the data cut at ``day``."""

    state: SequentialState
    day: date
    planned_events: float
    thresholds: tuple[int, ...]
    events: int
    arms: tuple[ArmCounts, ...]
    looks: tuple[SequentialLook, ...]
    crossed_look: int | None

    @property
    def latest(self) -> SequentialLook | None:
        return self.looks[-1] if self.looks else None

    def looks_json(self) -> list[dict[str, object]]:
        """Each look reached: day, events, fraction, boundaries, observed z, decision and the
        crossing probabilities at the look."""
        return [
            {
                "look": r.look,
                "day": look.day.isoformat(),
                "events": r.events,
                "fraction": r.fraction,
                "z_efficacy": r.z_efficacy,
                "z_futility": r.z_futility,
                "nominal_p_efficacy": r.nominal_p_efficacy,
                "alpha_spent": r.alpha_spent,
                "z": r.z,
                "hazard_ratio": r.hazard_ratio,
                "rci_lower": r.rci_lower,
                "rci_upper": r.rci_upper,
                "conditional_power_design": r.conditional_power_design,
                "conditional_power_trend": r.conditional_power_trend,
                "decision": r.decision.value,
                "final": r.final,
                # first-crossing probabilities at this look of the design recomputed at the
                # observed fractions: efficacy under H0 (ignoring futility) and under H1,
                # futility under H0 and H1 (None without a futility bound at this look)
                "efficacy_h0": r.crossing.efficacy_h0,
                "efficacy_h1": r.crossing.efficacy_h1,
                "futility_h0": None if r.z_futility is None else r.crossing.futility_h0,
                "futility_h1": None if r.z_futility is None else r.crossing.futility_h1,
            }
            for look in self.looks
            for r in (look.result,)
        ]

    @property
    def next_threshold(self) -> int | None:
        """Events the next planned look needs (None once the final look is reached)."""
        ahead = [
            m for m in self.thresholds if m > (self.looks[-1].result.events if self.looks else 0)
        ]
        return ahead[0] if ahead and self.crossed_look is None else None


def spending(family: str, gamma: float | None) -> SpendingFunction:
    return SpendingFunction(SpendingFamily(family), gamma)


def design_spec(rule: GroupSequentialRule) -> DesignSpec:
    """The rule's design: one-sided alpha, planned fractions, spending, beta = 1 - power."""
    futility = (
        None
        if rule.futility_spending == "none"
        else spending(rule.futility_spending, rule.futility_gamma)
    )
    return DesignSpec(
        alpha=rule.alpha,
        fractions=rule.information_fractions,
        efficacy=spending(rule.efficacy_spending, rule.efficacy_gamma),
        beta=1.0 - rule.power,
        futility=futility,
    )


@functools.lru_cache(maxsize=64)
def _planned(spec: DesignSpec, hazard_ratio: float, allocation_ratio: float) -> float:
    return planned_events(compute_design(spec), hazard_ratio, allocation_ratio).max_events


def rule_planned_events(rule: GroupSequentialRule) -> float:
    """The protocol's planned events, or Schoenfeld's number for the design."""
    if rule.planned_events is not None:
        return rule.planned_events
    return _planned(design_spec(rule), rule.hazard_ratio, rule.allocation_ratio)


def thresholds(rule: GroupSequentialRule) -> tuple[int, ...]:
    """Events at which each planned look is reached: ceil(t_k * planned events)."""
    d = rule_planned_events(rule)
    return tuple(math.ceil(t * d - 1e-9) for t in rule.information_fractions)


@functools.lru_cache(maxsize=4096)
def _look(
    spec: DesignSpec,
    planned: float,
    events: tuple[float, ...],
    z: float,
    hazard_ratio: float,
    allocation_ratio: float,
) -> LookResult:
    return evaluate_look(spec, planned, events, z, hazard_ratio, allocation_ratio)


@dataclass(frozen=True, eq=False)
class Comparison:
    """The two arms' records on one day (in the rule's scope), with each record's stratum
    when the rule is stratified (None otherwise)."""

    records: SurvivalAtDay
    experimental: np.ndarray
    strata: np.ndarray | None = None

    @property
    def events(self) -> int:
        return int(self.records.event.sum())


def comparison(rule: GroupSequentialRule, context: RuleContext, day: date) -> Comparison:
    """The treated patients of the two arms (and the rule's scope) on the data cut at ``day``."""
    s = survival_at(context.dates, rule.endpoint, day)
    scope = context.dates.scopes[rule.id][s.rows]
    keep = scope & np.isin(s.arms.astype(str), [rule.experimental_arm, rule.control_arm])
    records = SurvivalAtDay(s.rows[keep], s.time[keep], s.event[keep], s.arms[keep])
    labels = context.dates.strata.get(rule.id)
    strata = None if labels is None else labels[records.rows]
    return Comparison(records, records.arms.astype(str) == rule.experimental_arm, strata)


def _look_days(
    rule: GroupSequentialRule, context: RuleContext, day: date, marks: Sequence[int]
) -> list[date]:
    """The first day (up to ``day``) the events reach each of ``marks`` (distinct days).

    The events on each fact day come from ``events_by_day`` (equal to counting the records
    of ``comparison`` on that day); their number is not monotone in the day (an induction
    failure stops counting once a remission in time is dated), so the first day is found by
    a scan, not a bisection."""
    days = fact_days(context.dates, day)
    if not days:
        return []
    s = context.dates.survival
    assert s is not None
    among = context.dates.scopes[rule.id] & np.isin(
        s.arms.astype(str), [rule.experimental_arm, rule.control_arm]
    )
    counts = events_by_day(context.dates, rule.endpoint, among, days)
    out: list[date] = []
    for m in marks:
        reached = np.flatnonzero(counts >= m)
        if reached.size == 0:
            break
        first = days[int(reached[0])]
        if not out or first > out[-1]:
            out.append(first)
    return out


# Every look of a rule on one derivation's dates, computed once up to the last fact day and
# read for any day (the monitoring log decides the rule at every scheduled summary look): a
# look reached by a day is decided on the data cut at its own day, so the looks reached by
# an earlier day are the first ones of this list.
_LOOKS: weakref.WeakKeyDictionary[LookDates, dict[str, tuple[SequentialLook, ...]]]
_LOOKS = weakref.WeakKeyDictionary()


def _all_looks(
    rule: GroupSequentialRule, context: RuleContext, day: date
) -> tuple[SequentialLook, ...]:
    """The looks reached by ``day``, up to the first efficacy crossing or the final look."""
    spec = design_spec(rule)
    planned = rule_planned_events(rule)
    marks = thresholds(rule)
    looks: list[SequentialLook] = []
    counts: list[float] = []
    for look_day in _look_days(rule, context, day, marks):
        c = comparison(rule, context, look_day)
        z = logrank_z(c.records.time, c.records.event, c.experimental, c.strata).z
        counts.append(float(c.events))
        result = _look(spec, planned, tuple(counts), 0.0 if z is None else z,
                       rule.hazard_ratio, rule.allocation_ratio)  # fmt: skip
        looks.append(SequentialLook(look_day, result))
        if result.decision is LookDecision.EFFICACY or result.final:
            break
    return tuple(looks)


def looks_by(rule: GroupSequentialRule, context: RuleContext, day: date) -> list[SequentialLook]:
    """The looks reached by ``day``, read off the looks up to the last fact day of the
    dates (computed once per derivation and rule)."""
    cache = _LOOKS.setdefault(context.dates, {})
    if rule.id not in cache:
        known = fact_days(context.dates, date(2200, 1, 1))
        cache[rule.id] = _all_looks(rule, context, known[-1]) if known else ()
    return [look for look in cache[rule.id] if look.day <= day]


def _arm_counts(
    rule: GroupSequentialRule, context: RuleContext, day: date
) -> tuple[ArmCounts, ...]:
    """Treated patients and events of each arm (experimental first) on the data cut at
    ``day``: what ``comparison`` holds, counted without building the records."""
    dates = context.dates
    s = dates.survival
    assert s is not None
    t = as_timestamp(day).value
    treated = (dates.enrolled <= t) & (dates.first_dose <= t) & dates.scopes[rule.id]
    out = []
    for arm in (rule.experimental_arm, rule.control_arm):
        mine = dates.scopes[rule.id] & np.asarray(s.arms == arm, dtype=bool)
        events = int(events_by_day(dates, rule.endpoint, mine, [day])[0])
        out.append(ArmCounts(arm, int((treated & mine).sum()), events))
    return tuple(out)


class GroupSequential:
    """``rule = "group_sequential"`` in ``[[efficacy]]``."""

    name = "group_sequential"

    def evaluate(
        self, rule: GroupSequentialRule, context: RuleContext, day: date
    ) -> SequentialDecision:
        planned = rule_planned_events(rule)
        marks = thresholds(rule)
        arms = _arm_counts(rule, context, day)
        looks = looks_by(rule, context, day)
        crossed = next(
            (k + 1 for k, lk in enumerate(looks) if lk.result.decision is LookDecision.EFFICACY),
            None,
        )
        if crossed is not None:
            state = SequentialState.EFFICACY
        elif looks:
            state = _STATES[looks[-1].result.decision]
        else:
            state = SequentialState.BEFORE_FIRST_LOOK
        return SequentialDecision(
            state=state,
            day=day,
            planned_events=planned,
            thresholds=marks,
            events=sum(a.events for a in arms),
            arms=arms,
            looks=tuple(looks),
            crossed_look=crossed,
        )

    def stops(self, decision: SequentialDecision) -> bool:
        return decision.state is SequentialState.EFFICACY

    def hazard_ratio(
        self, rule: GroupSequentialRule, context: RuleContext, day: date
    ) -> HazardRatio | None:
        """Cox hazard ratio experimental / control (Efron ties) on the data cut at ``day``,
        stratified as the rule's log-rank test."""
        c = comparison(rule, context, day)
        return cox_hazard_ratio(c.records.time, c.records.event, c.experimental, c.strata)

    def evidence(
        self, rule: GroupSequentialRule, d: SequentialDecision, context: RuleContext
    ) -> tuple[Fact, ...]:
        spec = design_spec(rule)
        futility = "none" if spec.futility is None else f"{spec.futility.label()} (non-binding)"
        arms = "; ".join(f"arm {a.arm}: {a.events} events in {a.patients}" for a in d.arms)
        out = [
            Fact(
                "Design",
                f"{rule.endpoint}, arm {rule.experimental_arm} versus arm {rule.control_arm}; "
                f"one-sided alpha {rule.alpha:g}, power {rule.power:g} at HR "
                f"{rule.hazard_ratio:g}; efficacy {spec.efficacy.label()}, futility {futility}"
                + (
                    f"; log-rank and Cox model stratified by {', '.join(rule.strata)}"
                    if rule.strata
                    else ""
                ),
            ),
            Fact(
                "Planned events",
                f"{d.planned_events:.1f}; looks at "
                + ", ".join(str(m) for m in d.thresholds)
                + " events (fractions "
                + ", ".join(f"{t:g}" for t in rule.information_fractions)
                + ")",
            ),
            Fact(f"Events by {d.day}", f"{d.events} of {d.planned_events:.1f} ({arms})"),
        ]
        latest = d.latest
        if latest is None:
            return tuple(out)
        r = latest.result
        futility_bound = "none" if r.z_futility is None else f"{r.z_futility:.3f}"
        out += [
            Fact(
                "Look",
                f"event-driven look {r.look} of {len(rule.information_fractions)} planned, "
                f"reached on {latest.day} at {r.events:g} events (information fraction "
                f"{r.fraction:.3f})" + (", final" if r.final else ""),
            ),
            Fact(
                "Observed z (log-rank)",
                f"{r.z:.3f} (positive favours arm {rule.experimental_arm})",
            ),
            Fact(
                "Boundary at this fraction",
                f"efficacy z {r.z_efficacy:.3f} (nominal one-sided p {r.nominal_p_efficacy:.4g}"
                f"), futility z {futility_bound}; cumulative alpha spent {r.alpha_spent:.4g}",
            ),
            Fact(
                "Hazard ratio (from z) with repeated CI",
                f"{r.hazard_ratio:.3f} ({r.rci_lower:.3f} to {r.rci_upper:.3f})",
            ),
        ]
        cox = self.hazard_ratio(rule, context, latest.day)
        if cox is not None:
            out.append(
                Fact(
                    "Cox hazard ratio at the look (Efron ties)",
                    f"{cox.hr:.3f} (95% CI {cox.lower:.3f} to {cox.upper:.3f}, Wald p "
                    f"{cox.p_wald:.4g})",
                )
            )
        if r.conditional_power_design is not None and r.conditional_power_trend is not None:
            out.append(
                Fact(
                    "Conditional power",
                    f"{r.conditional_power_design:.3f} under the design HR "
                    f"{rule.hazard_ratio:g}, {r.conditional_power_trend:.3f} under the trend",
                )
            )
        return tuple(out)

    def describe(
        self,
        rule: GroupSequentialRule,
        decision: SequentialDecision,
        context: RuleContext,
        crossing: Crossing | None,
    ) -> RuleDecision:
        words = vocabulary.words(decision.state)
        name = vocabulary.rule_name(rule, context.protocol)
        latest = decision.latest
        if decision.crossed_look is not None:
            sentence = decision.looks[decision.crossed_look - 1].result.sentence
        elif latest is not None:
            sentence = latest.result.sentence
        else:
            sentence = (
                f"{decision.events} events so far; the first look is at {decision.thresholds[0]}."
            )
        if crossing is not None:
            sentence = f"{sentence} The boundary was first crossed on {crossing.crossed_on}."
        key_facts = [f"Events: {decision.events} of {decision.planned_events:.1f} planned"]
        if latest is not None:
            r = latest.result
            key_facts.append(
                f"Look {r.look} (fraction {r.fraction:.3f}): z {r.z:.3f}, efficacy bound "
                f"{r.z_efficacy:.3f}"
            )
        return RuleDecision(
            rule_id=rule.id,
            kind=self.name,
            name=name,
            scope=rule.scope,
            state=decision.state,
            severity=words.severity,
            headline=words.headline,
            sentence=sentence,
            evidence=self.evidence(rule, decision, context),
            key_facts=tuple(key_facts),
            next_look=next_look(decision),
            crossing=crossing,
            detail=decision,
        )

    def log_entry(
        self, rule: GroupSequentialRule, decision: SequentialDecision, look: int
    ) -> LogEntry:
        """Events so far and the latest event-driven look (``look`` counts patients)."""
        counts = f"{decision.events}/{decision.planned_events:.0f} events"
        if decision.latest is not None:
            r = decision.latest.result
            counts += f", look {r.look}: z {r.z:.2f} vs {r.z_efficacy:.2f}"
        return LogEntry(rule.id, decision.state, vocabulary.title(decision.state), counts)


def next_look(d: SequentialDecision) -> str | None:
    """The events the next event-driven look needs."""
    m = d.next_threshold
    if m is None:
        return None
    k = d.thresholds.index(m) + 1
    return (
        f"look {k} at {m} events ({m - d.events} more)"
        if m > d.events
        else f"look {k} at {m} events"
    )


GROUP_SEQUENTIAL = GroupSequential()
