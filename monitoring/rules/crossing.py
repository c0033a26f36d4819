"""When a stopping boundary was first crossed, and who was enrolled after that day.

A stop is known on the first day whose data cut already gives it. Decisions change only
on days a dated fact happened (enrolment, first dose, remission, the day a patient became
a non-responder, a first monitored toxicity), and once a boundary is crossed the decision
stays a stop as facts accumulate (``RuleKind.stops`` promises it); the first such day is
found by bisection over those days, each decided by the rule's own kind on the same fact
dates as the monitoring log (``monitoring.derive.looks``). Patients enrolled strictly after
that day were enrolled although the trial should have stopped: the DSMB must hear of them.
A rule restricted to a stratum (its ``scope``, e.g. cohort 1) stops that stratum only, so
only the stratum's own patients enrolled after the day count.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from monitoring.derive.looks import NEVER, LookDates
from monitoring.rules.interface import Crossing, RuleContext, RuleKind


def fact_days(dates: LookDates, cutoff: date) -> list[date]:
    """Every day up to ``cutoff`` on which some fact that a decision reads happened."""
    stacked = dates.fact_days()
    limit = np.datetime64(cutoff, "D").astype("datetime64[ns]").view(np.int64)
    known = stacked[(stacked != NEVER) & (stacked <= limit)]
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


def enrolled_after(
    dates: LookDates, day: date, among: npt.NDArray[np.bool_] | None = None
) -> tuple[str, ...]:
    """Patients (``among`` a rule's stratum, default all) enrolled strictly after ``day``,
    in enrolment order then id."""
    t = np.datetime64(day, "D").astype("datetime64[ns]").view(np.int64)
    late = (dates.enrolled != NEVER) & (dates.enrolled > t)
    if among is not None:
        late &= among
    rows = np.flatnonzero(late)
    rows = rows[np.lexsort((dates.ids[rows], dates.enrolled[rows]))]
    return tuple(str(i) for i in dates.ids[rows])


def first_crossing(kind: RuleKind[Any, Any], rule: Any, context: RuleContext) -> Crossing | None:
    """The day ``rule`` first gave a stop on the data cut at that day (None if it never
    did up to the cut-off), with the patients of the rule's scope enrolled after it."""

    def stops(day: date) -> bool:
        return bool(kind.stops(kind.evaluate(rule, context, day)))

    day = _first_stop(fact_days(context.dates, context.cutoff), stops)
    if day is None:
        return None
    return Crossing(day, enrolled_after(context.dates, day, context.dates.scopes.get(rule.id)))
