"""When a stopping boundary was first crossed, and who was enrolled after that day.

A STOP decision is known on the first day whose data cut already gives STOP. Decisions
change only on days a dated fact happened (enrolment, first dose, remission, the day a
patient became a non-responder, the first monitored toxicity), and once a boundary is
crossed the decision stays STOP as facts accumulate; the first such day is found by
bisection over those days, each evaluated with the same counts as the monitoring log
(``monitoring.derive.looks.look_counts``). Patients enrolled strictly after that day were
enrolled although the trial should have stopped: the DSMB must hear of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from monitoring.derive.looks import LookCounts, LookDates, look_counts
from monitoring.designs.toxicity import ToxicityPlan, stopping_boundaries
from monitoring.protocol import Protocol
from monitoring.rules.efficacy import EfficacyState, efficacy_decision
from monitoring.rules.toxicity import ToxicityState, toxicity_decision

_NEVER = np.iinfo(np.int64).max
EFFICACY_STOPS = frozenset({EfficacyState.STOP_FUTILITY, EfficacyState.CANNOT_SUCCEED})


@dataclass(frozen=True)
class StopCrossing:
    """A rule's stopping boundary: the first day the data gave STOP, and the patients
    enrolled after that day (ids in enrolment order)."""

    rule_id: str
    crossed_on: date
    enrolled_after: tuple[str, ...]


def _fact_days(dates: LookDates, cutoff: date) -> list[date]:
    """Every day up to ``cutoff`` on which some fact that a decision reads happened."""
    stacked = np.concatenate(
        [dates.enrolled, dates.first_dose, dates.remission, dates.non_responder, dates.toxicity]
    )
    limit = np.datetime64(cutoff, "D").astype("datetime64[ns]").view(np.int64)
    known = stacked[(stacked != _NEVER) & (stacked <= limit)]
    days = np.unique(known.astype("datetime64[ns]").astype("datetime64[D]"))
    return [d.item() for d in days]


def _first_stop(days: list[date], stops: Callable[[date], bool]) -> date | None:
    """The first of ``days`` (sorted) on which ``stops`` holds, given it stays true after."""
    lo, hi = 0, len(days)
    while lo < hi:
        mid = (lo + hi) // 2
        if stops(days[mid]):
            hi = mid
        else:
            lo = mid + 1
    return days[lo] if lo < len(days) else None


def _enrolled_after(dates: LookDates, day: date) -> tuple[str, ...]:
    t = np.datetime64(day, "D").astype("datetime64[ns]").view(np.int64)
    rows = np.flatnonzero((dates.enrolled != _NEVER) & (dates.enrolled > t))
    rows = rows[np.lexsort((dates.ids[rows], dates.enrolled[rows]))]
    return tuple(str(i) for i in dates.ids[rows])


def _efficacy_stops(protocol: Protocol) -> Callable[[LookCounts], bool] | None:
    simon = protocol.simon
    if simon is None:
        return None

    def stops(counts: LookCounts) -> bool:
        treated = min(counts.treated, simon.n)
        decision = efficacy_decision(simon, counts.stage1, counts.simon_cohort, treated)
        return decision.state in EFFICACY_STOPS

    return stops


def _toxicity_stops(protocol: Protocol) -> Callable[[LookCounts], bool] | None:
    rule = protocol.primary_toxicity
    if rule is None:
        return None
    bounds = stopping_boundaries(ToxicityPlan.from_rule(rule))

    def stops(counts: LookCounts) -> bool:
        outcomes = counts.toxicity.outcomes if counts.toxicity else ()
        decision = toxicity_decision(rule, outcomes, boundaries=bounds)
        return decision.decision is ToxicityState.STOP

    return stops


def _on_day(
    protocol: Protocol, dates: LookDates, stops: Callable[[LookCounts], bool]
) -> Callable[[date], bool]:
    """Whether the rule is at STOP on the data cut at a day."""
    return lambda day: stops(look_counts(dates, protocol, day))


def stop_crossings(
    protocol: Protocol,
    dates: LookDates,
    cutoff: date,
    *,
    efficacy_stopped: bool,
    toxicity_stopped: bool,
) -> tuple[StopCrossing, ...]:
    """The crossing of each rule that is at STOP on ``cutoff`` (the Simon rule and the
    primary toxicity rule, the rules the monitoring log follows)."""
    checks: list[tuple[str, Callable[[LookCounts], bool]]] = []
    efficacy, toxicity = _efficacy_stops(protocol), _toxicity_stops(protocol)
    if efficacy_stopped and efficacy is not None and protocol.simon is not None:
        checks.append((protocol.simon.id, efficacy))
    if toxicity_stopped and toxicity is not None and protocol.primary_toxicity is not None:
        checks.append((protocol.primary_toxicity.id, toxicity))
    if not checks:
        return ()
    days = _fact_days(dates, cutoff)
    out = []
    for rule_id, stops in checks:
        day = _first_stop(days, _on_day(protocol, dates, stops))
        if day is not None:
            out.append(StopCrossing(rule_id, day, _enrolled_after(dates, day)))
    return tuple(out)
