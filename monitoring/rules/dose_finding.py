"""Rule kinds ``dose_finding`` (BOIN or 3+3) and ``dose_deescalation``, from DLT assessments.

Both read the DLT assessments of the rule's patients (its ``scope``) dated by the day
(``monitoring.derive.detail_dates``): a patient counts at the level assessed once the
assessment is dated, evaluable (or with a DLT). The decision itself is the design's
(``monitoring.designs.dose_finding``): the evaluable assessments, in the order they were
dated (then patient id), form the cohorts of the trial path (consecutive assessments at one
level, ``cohort_size`` at a time), which is replayed so that a BOIN elimination stays for
the rest of the trial. The de-escalation rule watches the current level of a
de-escalation-only cohort (seed 000 cohort 2: 1, then -1, then -2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pandas as pd

from monitoring import vocabulary
from monitoring.derive.cutoff import as_timestamp
from monitoring.derive.detail_dates import DetailDates, DoseChanges
from monitoring.derive.looks import LookDates
from monitoring.designs.dose_finding import (
    BoinDesign,
    Cohort,
    DoseData,
    DosePath,
    NextCohort,
    Recommendation,
    boin_boundaries,
    boin_path,
    select_mtd,
    three_plus_three_mtd,
    three_plus_three_path,
)
from monitoring.protocol import DeescalationRule, DoseFindingRule
from monitoring.rules.dose_state import DoseState
from monitoring.rules.interface import Crossing, Fact, LogEntry, RuleContext, RuleDecision
from monitoring.wording import counted


@dataclass(frozen=True)
class LevelHistory:
    """The patients treated at one level (entry level), with their DLT assessments by the day.

    ``patients`` in first-dose order; ``first_dose``/``last_dose`` the first and last of
    their first doses (None when nobody was treated there); ``evaluable``/``dlts`` the
    level's evaluable assessments and DLTs; ``in_window`` treated patients not yet assessed.
    ``decision``/``reason``: the last decision the design took at this level, in words
    ("escalate", "stay", "de-escalate", "stop: MTD level 2", "stop: no MTD", "eliminated";
    for the de-escalation rule "de-escalated", "stay", "de-escalate", "stop"), and why
    (empty where the level has not been used).
    """

    level: str
    label: str
    patients: tuple[str, ...]
    first_dose: date | None
    last_dose: date | None
    evaluable: int
    dlts: int
    in_window: int
    eliminated: bool = False
    decision: str = ""
    reason: str = ""


@dataclass(frozen=True)
class PathPoint:
    """One patient on the path of dose levels over time: the day treatment started there,
    and the DLT assessment there by the day (None while in the window)."""

    day: date
    patient_id: str
    level: str
    dlt: bool | None = None


@dataclass(frozen=True)
class DoseDecision:
    """A dose-finding or de-escalation rule's decision on one day (the card's detail and
    the dose-escalation view's data)."""

    state: DoseState
    method: str
    current: str
    next_level: str | None
    reason: str
    levels: tuple[LevelHistory, ...]
    path_of: Callable[[], tuple[PathPoint, ...]] = field(compare=False, repr=False)
    mtd: str | None
    evaluable: int
    dlts: int
    decision: NextCohort | None = None
    isotonic: tuple[float | None, ...] = ()

    @cached_property
    def path(self) -> tuple[PathPoint, ...]:
        """The path of dose levels over time: each patient's first dose at its level and
        every later dose-level change, by date (computed once, when first read)."""
        return self.path_of()


def level_counts(decision: DoseDecision) -> str:
    """The current level's own counts, as a monitoring-log entry prints them ("level -2: 3
    evaluable, 2 DLTs"): never the rule's totals over every level."""
    here = next((h for h in decision.levels if h.level == decision.current), None)
    evaluable, dlts = (here.evaluable, here.dlts) if here is not None else (0, 0)
    return f"level {decision.current}: {evaluable} evaluable, {counted(dlts, 'DLT')}"


def _level_word(rule: DoseFindingRule | DeescalationRule, context: RuleContext, level: str) -> str:
    label = next((u.label for u in context.protocol.dose_levels if u.id == level), "")
    return label or f"Dose level {level}"


def _detail(dates: LookDates) -> DetailDates:
    if dates.detail is None:
        raise ValueError("these look dates hold no DLT data (no dose rule in the protocol)")
    return dates.detail


def _assessed(
    dates: LookDates, rule_id: str, levels: Sequence[str], t: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """Positions (in DLT records) of the evaluable assessments of the rule's patients at
    its levels dated by ``t``, sorted by day then patient id; and whether each is a DLT."""
    d = _detail(dates).dlt
    scope = dates.scopes[rule_id]
    keep = (d.day <= t) & d.evaluable & scope[d.row] & np.isin(d.level, list(levels))
    keep &= dates.enrolled[d.row] <= t
    rows = np.flatnonzero(keep)
    order = np.lexsort((dates.ids[d.row[rows]], d.day[rows]))
    rows = rows[order]
    return rows, d.dlt[rows]


def _day(value: int) -> date:
    return pd.Timestamp(int(value)).date()


@dataclass(frozen=True, eq=False)
class PathSource:
    """What the path of dose levels over time is built from, when first read (a plain
    object of arrays, so a decision holding it can be cached and pickled)."""

    ids: npt.NDArray[np.str_]
    first_dose: npt.NDArray[np.int64]
    entry: npt.NDArray[np.object_]
    treated: npt.NDArray[np.bool_]
    levels: tuple[str, ...]
    dlt_rows: npt.NDArray[np.intp]
    dlt_levels: npt.NDArray[np.object_]
    dlt_flags: npt.NDArray[np.bool_]
    changes: DoseChanges
    t: int

    def __call__(self) -> tuple[PathPoint, ...]:
        outcome = {
            (int(r), str(lv)): bool(y)
            for r, lv, y in zip(self.dlt_rows, self.dlt_levels, self.dlt_flags, strict=True)
        }
        on_path = np.flatnonzero(self.treated & np.isin(self.entry, list(self.levels)))
        on_path = on_path[np.lexsort((self.ids[on_path], self.first_dose[on_path]))]
        points = [
            PathPoint(
                _day(self.first_dose[p]),
                str(self.ids[p]),
                str(self.entry[p]),
                outcome.get((int(p), str(self.entry[p]))),
            )
            for p in on_path
        ]
        changes = self.changes
        moved = (
            (changes.day <= self.t)
            & self.treated[changes.row]
            & np.isin(changes.level, list(self.levels))
        )
        seen = set(points)
        for i in np.flatnonzero(moved):
            row, level = int(changes.row[i]), str(changes.level[i])
            point = PathPoint(
                _day(changes.day[i]), str(self.ids[row]), level, outcome.get((row, level))
            )
            if point not in seen:
                seen.add(point)
                points.append(point)
        points.sort(key=lambda p: (p.day, p.patient_id))
        return tuple(points)


def _histories(
    dates: LookDates,
    rule: DoseFindingRule | DeescalationRule,
    context: RuleContext,
    t: int,
    eliminated: Sequence[str] = (),
) -> tuple[tuple[LevelHistory, ...], Callable[[], tuple[PathPoint, ...]]]:
    """Each level's history at ``t``, and the path of dose levels over time (computed when
    first asked for: the monitoring log's past looks need the levels only)."""
    detail = _detail(dates)
    treated = (dates.enrolled <= t) & (dates.first_dose <= t) & dates.scopes[rule.id]
    entry = detail.entry_level
    rows, dlt = _assessed(dates, rule.id, rule.levels, t)
    levels = detail.dlt.level[rows]
    assessed = np.zeros(len(treated), dtype=bool)
    assessed[detail.dlt.row[rows]] = True
    out = []
    for level in rule.levels:
        here = np.flatnonzero(treated & (entry == level))
        here = here[np.lexsort((dates.ids[here], dates.first_dose[here]))]
        at = levels == level
        out.append(
            LevelHistory(
                level=level,
                label=_level_word(rule, context, level),
                patients=tuple(str(i) for i in dates.ids[here]),
                first_dose=_day(dates.first_dose[here[0]]) if len(here) else None,
                last_dose=_day(dates.first_dose[here[-1]]) if len(here) else None,
                evaluable=int(at.sum()),
                dlts=int(dlt[at].sum()),
                in_window=int((~assessed[here]).sum()),
                eliminated=level in eliminated,
            )
        )

    path = PathSource(
        ids=dates.ids,
        first_dose=dates.first_dose,
        entry=entry,
        treated=treated,
        levels=tuple(rule.levels),
        dlt_rows=detail.dlt.row[rows],
        dlt_levels=levels,
        dlt_flags=dlt,
        changes=detail.changes,
        t=t,
    )
    return tuple(out), path


def cohorts_of(
    levels: Sequence[str], assessed: Sequence[str], dlt: Sequence[bool], size: int
) -> list[Cohort]:
    """The trial path's cohorts: consecutive assessments at one level, ``size`` at a time."""
    cohorts: list[Cohort] = []
    run_level: int | None = None
    run_n = run_y = 0
    for level, y in zip(assessed, dlt, strict=True):
        index = levels.index(level)
        if run_level is not None and (index != run_level or run_n == size):
            cohorts.append(Cohort(run_level, run_n, run_y))
            run_n = run_y = 0
        run_level = index
        run_n += 1
        run_y += int(y)
    if run_level is not None:
        cohorts.append(Cohort(run_level, run_n, run_y))
    return cohorts


def boin_design(rule: DoseFindingRule) -> BoinDesign:
    return BoinDesign(
        target=rule.target,
        ncohort=rule.ncohort,
        cohort_size=rule.cohort_size,
        phi1=rule.phi1,
        phi2=rule.phi2,
    )


def dose_path(rule: DoseFindingRule, cohorts: Sequence[Cohort]) -> DosePath:
    """The design's decision after each cohort."""
    if rule.method == "boin":
        return boin_path(boin_design(rule), rule.levels, cohorts)
    return three_plus_three_path(rule.levels, cohorts)


RECOMMENDATION_WORDS = {
    Recommendation.ESCALATE: "escalate",
    Recommendation.STAY: "stay",
    Recommendation.DEESCALATE: "de-escalate",
    Recommendation.STOP: "stop",
}


def closed_word(method: str) -> str:
    """What a level out of use is called: BOIN eliminates a dose and every higher one;
    3+3 has no elimination rule, but a dose with 2 or more DLTs exceeds the MTD, and it
    and every higher dose are closed to further cohorts."""
    return "eliminated" if method == "BOIN" else "closed: exceeds the MTD"


def _level_decisions(
    levels: tuple[LevelHistory, ...], path: DosePath, closed: str
) -> tuple[LevelHistory, ...]:
    """Each level with the last decision the design took after a cohort there; an
    eliminated (BOIN) or closed (3+3) level with the decision that put it out of use."""
    last: dict[int, NextCohort] = {}
    gone: dict[int, NextCohort] = {}
    for step in path.steps:
        last[step.cohort.dose] = step.decision
        for i in step.decision.eliminated:
            gone.setdefault(i, step.decision)
    out = []
    for i, h in enumerate(levels):
        taken = last.get(i)
        if taken is not None:
            word = RECOMMENDATION_WORDS[taken.recommendation]
            if taken.recommendation is Recommendation.STOP:
                chosen = taken.mtd_label
                word += f": MTD level {chosen}" if chosen is not None else ": no MTD"
            h = replace(h, decision=word, reason=taken.reason)
        if h.eliminated:
            why = gone[i].reason if i in gone else h.reason
            h = replace(h, decision=closed, reason=why)
        out.append(h)
    return tuple(out)


def _open_reason(rule: DoseFindingRule, cohort: Cohort, number: int) -> str:
    """Why no decision is taken yet: the cohort's evaluable patients and DLTs so far."""
    return (
        f"Cohort {number} at dose level {rule.levels[cohort.dose]} is not complete: "
        f"{cohort.n} of {rule.cohort_size} patients evaluable, {counted(cohort.dlt, 'DLT')} "
        "so far; the next decision is taken when the cohort is complete."
    )


_STATE = {
    Recommendation.ESCALATE: DoseState.ESCALATE,
    Recommendation.STAY: DoseState.STAY,
    Recommendation.DEESCALATE: DoseState.DEESCALATE,
}


class DoseFinding:
    """``rule = "dose_finding"`` in ``[[dose_finding]]``: BOIN or 3+3 (``method``)."""

    name = "dose_finding"

    def evaluate(self, rule: DoseFindingRule, context: RuleContext, day: date) -> DoseDecision:
        dates = context.dates
        t = as_timestamp(day).value
        rows, dlt = _assessed(dates, rule.id, rule.levels, t)
        assessed = [str(v) for v in _detail(dates).dlt.level[rows]]
        cohorts = cohorts_of(rule.levels, assessed, dlt.tolist(), rule.cohort_size)
        # The design decides when a cohort is complete: a last cohort with fewer evaluable
        # patients than its size is still being treated and assessed, and decides nothing.
        open_cohort = cohorts.pop() if cohorts and cohorts[-1].n < rule.cohort_size else None
        path = dose_path(rule, cohorts)
        gone = sorted({i for step in path.steps for i in step.decision.eliminated})
        eliminated = [rule.levels[i] for i in gone]
        levels, points = _histories(dates, rule, context, t, eliminated)
        method = "BOIN" if rule.method == "boin" else "3+3"
        levels = _level_decisions(levels, path, closed_word(method))
        n = [h.evaluable for h in levels]
        y = [h.dlts for h in levels]
        last = path.last
        stopped = last is not None and last.recommendation is Recommendation.STOP
        if open_cohort is not None and not stopped:
            level = rule.levels[open_cohort.dose]
            return DoseDecision(
                DoseState.COHORT_OPEN, method, level, None,
                _open_reason(rule, open_cohort, len(cohorts) + 1),
                levels, points, None, sum(n), sum(y), last, (),
            )  # fmt: skip
        if last is None:
            return DoseDecision(
                DoseState.AWAITING, method, rule.start, rule.start,
                f"No patient is evaluable for DLT yet: treat the first cohort at dose level "
                f"{rule.start}.",
                levels, points, None, 0, 0,
            )  # fmt: skip
        isotonic: tuple[float | None, ...] = ()
        mtd: str | None = last.mtd_label
        if rule.method == "boin":
            selection = select_mtd(rule.target, n, y)
            isotonic = selection.isotonic
            if (
                sum(n) >= rule.ncohort * rule.cohort_size
                or last.recommendation is Recommendation.STOP
            ):
                mtd = None if selection.mtd is None else rule.levels[selection.mtd]
        else:
            found = three_plus_three_mtd(DoseData.of(n, y, rule.levels))
            mtd = mtd or (None if found is None else rule.levels[found])
        state: DoseState
        if last.recommendation is Recommendation.STOP:
            state = DoseState.COMPLETE if last.mtd is not None else DoseState.STOP
        elif sum(n) >= rule.ncohort * rule.cohort_size:
            state = DoseState.COMPLETE
        elif gone and rule.method == "boin":  # 3+3 has no elimination: its own decision
            state = DoseState.ELIMINATED
        else:
            state = _STATE[last.recommendation]
        if state is DoseState.STOP:
            mtd = None
        return DoseDecision(
            state=state,
            method=method,
            current=last.current_label,
            next_level=None if state in (DoseState.STOP, DoseState.COMPLETE) else last.next_label,
            reason=last.reason,
            levels=levels,
            path_of=points,
            mtd=mtd,
            evaluable=sum(n),
            dlts=sum(y),
            decision=last,
            isotonic=isotonic,
        )

    def stops(self, decision: DoseDecision) -> bool:
        return decision.state is DoseState.STOP

    def _design(self, rule: DoseFindingRule) -> str:
        if rule.method == "3+3":
            return (
                "3+3 (cohorts of 3: 0/3 escalate, 1/3 expand to 6, 1/6 escalate, "
                "≥ 2 DLTs de-escalate)"
            )
        b = boin_boundaries(boin_design(rule))
        return (
            f"BOIN (Liu & Yuan 2015), target DLT rate {rule.target:g}, cohorts of "
            f"{rule.cohort_size}, at most {rule.ncohort}: escalate if the DLT rate at the "
            f"current dose ≤ {b.lambda_e:.3f}, de-escalate if ≥ {b.lambda_d:.3f}; eliminate a "
            f"dose when Pr(DLT rate > {rule.target:g}) > 0.95"
        )

    def describe(
        self, rule: DoseFindingRule, decision: DoseDecision, context: RuleContext,
        crossing: Crossing | None,
    ) -> RuleDecision:  # fmt: skip
        words = vocabulary.words(decision.state)
        d = decision
        evidence = [Fact("Design", self._design(rule))]
        evidence.append(Fact("DLT window", f"{rule.dlt_window_days} days: {rule.dlt_definition}"))
        for h in d.levels:
            text = f"{h.evaluable} evaluable, {counted(h.dlts, 'DLT')}"
            if h.in_window:
                text += f"; {h.in_window} in the DLT window"
            if h.eliminated:
                text += "; ELIMINATED" if d.method == "BOIN" else f"; {closed_word(d.method)}"
            evidence.append(Fact(f"Dose level {h.level}", text))
        evidence.append(Fact("Current dose level", d.current))
        if d.next_level is not None:
            evidence.append(Fact("Next cohort", f"dose level {d.next_level}: {d.reason}"))
        elif d.state is DoseState.COHORT_OPEN:
            evidence.append(Fact("Current cohort", d.reason))
        else:
            evidence.append(Fact("Decision", d.reason))
        if d.mtd is not None:
            evidence.append(Fact("Maximum tolerated dose", f"dose level {d.mtd}"))
        sentence = f"{words.say(rule.label)} {d.reason}"
        if crossing is not None:
            sentence += f" Dosing should have stopped from {crossing.crossed_on}."
        key = (
            f"{counted(d.evaluable, 'evaluable patient')}, {counted(d.dlts, 'DLT')}; "
            f"current dose level {d.current}",
            f"Next cohort: {d.next_level}" if d.next_level else f"Decision: {words.title}",
        )
        return RuleDecision(
            rule_id=rule.id,
            kind=self.name,
            name=vocabulary.rule_name(rule, context.protocol),
            scope=rule.scope,
            state=d.state,
            severity=words.severity,
            headline=words.headline,
            sentence=sentence,
            evidence=tuple(evidence),
            key_facts=key,
            next_look=(
                f"the DLT assessments of the current cohort at dose level {d.current}"
                if d.state is DoseState.COHORT_OPEN
                else None
                if d.next_level is None
                else f"the DLT assessments of the next cohort at dose level {d.next_level}"
            ),
            crossing=crossing,
            detail=d,
        )

    def log_entry(self, rule: DoseFindingRule, decision: DoseDecision, look: int) -> LogEntry:
        """The state and the current level's own evaluable patients and DLTs."""
        counts = level_counts(decision)
        return LogEntry(rule.id, decision.state, vocabulary.title(decision.state), counts)


_DEESCALATION_WORDS = {
    DoseState.STAY: "stay",
    DoseState.DEESCALATE: "de-escalate",
    DoseState.STOP: "stop",
}


def _deescalation_levels(
    rule: DeescalationRule,
    levels: tuple[LevelHistory, ...],
    current: str,
    state: DoseState,
    reason: str,
) -> tuple[LevelHistory, ...]:
    """The levels left before the current one were de-escalated from; the current one
    carries the rule's decision."""
    out = []
    position = rule.levels.index(current)
    for i, h in enumerate(levels):
        if i < position:
            lower = rule.levels[i + 1]
            why = (
                f"{h.dlts} of {h.evaluable} evaluable patients had a DLT "
                f"({rule.deescalate_at} or more): de-escalated to dose level {lower}."
            )
            out.append(replace(h, decision="de-escalated", reason=why))
        elif i == position:
            out.append(replace(h, decision=_DEESCALATION_WORDS.get(state, ""), reason=reason))
        else:
            out.append(h)
    return tuple(out)


class Deescalation:
    """``rule = "dose_deescalation"`` in ``[[dose_finding]]``."""

    name = "dose_deescalation"

    def evaluate(self, rule: DeescalationRule, context: RuleContext, day: date) -> DoseDecision:
        t = as_timestamp(day).value
        levels, points = _histories(context.dates, rule, context, t)
        used = [h for h in levels if h.patients or h.evaluable]
        n_all = sum(h.evaluable for h in levels)
        y_all = sum(h.dlts for h in levels)
        if not used:
            return DoseDecision(
                DoseState.AWAITING, "de-escalation", rule.levels[0], rule.levels[0],
                f"No patient is treated yet: start at dose level {rule.levels[0]}.",
                levels, points, None, 0, 0,
            )  # fmt: skip
        current = used[-1]
        index = rule.levels.index(current.level)
        lower = rule.levels[index + 1] if index + 1 < len(rule.levels) else None
        seen = (
            f"{current.dlts} of {current.evaluable} evaluable patients at dose level "
            f"{current.level} had a DLT"
        )
        if current.dlts >= rule.deescalate_at:
            if lower is None:
                state, nxt = DoseState.STOP, None
                reason = (
                    f"{seen} ({rule.deescalate_at} or more) and it is the last level: stop "
                    "treating this cohort."
                )
            else:
                state, nxt = DoseState.DEESCALATE, lower
                reason = (
                    f"{seen} ({rule.deescalate_at} or more): de-escalate to dose level {lower}."
                )
        elif current.evaluable >= rule.patients_per_level:
            state, nxt = DoseState.STAY, current.level
            reason = (
                f"{seen} (fewer than {rule.deescalate_at} of {rule.patients_per_level}): the "
                f"level is tolerable; continue at dose level {current.level}."
            )
        else:
            state, nxt = DoseState.STAY, current.level
            reason = (
                f"{seen}; {rule.patients_per_level - current.evaluable} more evaluable needed "
                f"to confirm it ({rule.deescalate_at} DLTs de-escalate): continue at dose level "
                f"{current.level}."
            )
        levels = _deescalation_levels(rule, levels, current.level, state, reason)
        return DoseDecision(
            state, "de-escalation", current.level, nxt, reason, levels, points, None, n_all, y_all
        )

    def stops(self, decision: DoseDecision) -> bool:
        return decision.state is DoseState.STOP

    def describe(
        self, rule: DeescalationRule, decision: DoseDecision, context: RuleContext,
        crossing: Crossing | None,
    ) -> RuleDecision:  # fmt: skip
        words = vocabulary.words(decision.state)
        d = decision
        evidence = [
            Fact(
                "Rule",
                f"{rule.deescalate_at} or more DLTs among up to {rule.patients_per_level} "
                f"evaluable patients at a level: de-escalate ({' → '.join(rule.levels)}), "
                "stop after the last",
            ),
            Fact("DLT window", f"{rule.dlt_window_days} days: {rule.dlt_definition}"),
        ]
        for h in d.levels:
            who = ", ".join(h.patients) if h.patients else "none"
            when = f" ({h.first_dose} to {h.last_dose})" if h.first_dose else ""
            evidence.append(
                Fact(
                    f"Dose level {h.level}",
                    f"{h.evaluable} evaluable, {counted(h.dlts, 'DLT')}; patients {who}{when}",
                )
            )
        evidence.append(Fact("Current dose level", d.current))
        evidence.append(Fact("Recommendation", d.reason))
        sentence = f"{words.say(rule.label)} {d.reason}"
        if crossing is not None:
            sentence += f" The stop was first reached on {crossing.crossed_on}."
        return RuleDecision(
            rule_id=rule.id,
            kind=self.name,
            name=vocabulary.rule_name(rule, context.protocol),
            scope=rule.scope,
            state=d.state,
            severity=words.severity,
            headline=words.headline,
            sentence=sentence,
            evidence=tuple(evidence),
            key_facts=(f"Current dose level {d.current}", d.reason),
            next_look=None if d.next_level is None else f"DLT assessments at level {d.next_level}",
            crossing=crossing,
            detail=d,
        )

    def log_entry(self, rule: DeescalationRule, decision: DoseDecision, look: int) -> LogEntry:
        """The state and the current level's own evaluable patients and DLTs."""
        counts = level_counts(decision)
        return LogEntry(rule.id, decision.state, vocabulary.title(decision.state), counts)


DOSE_FINDING = DoseFinding()
DOSE_DEESCALATION = Deescalation()
