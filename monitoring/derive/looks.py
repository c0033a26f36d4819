"""The counts of a past scheduled look, read off one later derivation.

A look reached on day D is decided on the data cut at D (``derive(data, protocol, D)``).
Every quantity a rule needs only asks whether some dated fact happened by D: enrolment,
first dose, first remission, the date the status became non-responder (off treatment,
death, first assessment in a cycle >= the non-response cycle) and the first monitored
toxicity of each toxicity rule. Those dates are computed once per patient from a
derivation at a later cut-off (``LookDates``); each rule at each day is then a few
vectorised comparisons (``simon_counts``, ``toxicity_at``) instead of a full derivation.
``tests/test_derive_looks.py`` checks equality with ``derive`` at every look of the demo
scenarios and at random days, for every rule of every bundled protocol.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from monitoring.derive import grouping
from monitoring.derive.cutoff import as_timestamp
from monitoring.derive.detail_dates import DetailDates, detail_dates
from monitoring.derive.patients import ALIVE_RECORD_DATES, non_response_cycle
from monitoring.derive.scope import in_scope
from monitoring.derive.strata import factor_values
from monitoring.derive.summary import Derivation
from monitoring.derive.toxicity import ToxicityOutcomes, monitored_events
from monitoring.protocol import GroupSequentialRule, MrdRule, Protocol, SimonRule, ToxicityRule
from monitoring.rules.efficacy import ResponseCounts

Nanos = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
NEVER = np.iinfo(np.int64).max  # a missing date: never happened


def _nanos(values: npt.NDArray[np.datetime64]) -> Nanos:
    out = np.asarray(values, dtype="datetime64[ns]").view(np.int64).copy()
    out[np.isnat(np.asarray(values, dtype="datetime64[ns]"))] = NEVER
    return out


@dataclass(frozen=True, eq=False)
class LookDates:
    """Per patient (rows of ``Derivation.patients``), the day each fact became known.

    Dates are int64 nanoseconds; a missing date is int64 max (never, within the data).
    ``scopes`` holds each rule's patients (by rule id), ``orders`` the date a Simon rule
    counts its patients in, ``toxicity`` the first monitored event of each toxicity rule,
    ``strata`` each stratified group-sequential rule's stratum per patient (the values of
    its ``strata`` factors, patient columns or baseline characteristics, joined by " / ",
    "(missing)" for a missing value).
    """

    ids: npt.NDArray[np.str_]
    enrolled: Nanos
    first_dose: Nanos
    remission: Nanos
    non_responder: Nanos
    scopes: Mapping[str, Mask]
    orders: Mapping[str, Nanos]
    toxicity: Mapping[str, Nanos]
    survival: SurvivalDates | None = None
    strata: Mapping[str, npt.NDArray[np.object_]] = field(default_factory=dict)
    detail: DetailDates | None = None
    windows: Mapping[str, tuple[Nanos, Nanos]] = field(default_factory=dict)
    """Per Simon rule with ``within_cycles``: the day of the first remission assessed within
    its cycles, and the day its patient became a non-responder of the rule."""

    def fact_days(self) -> Nanos:
        """Every dated fact a decision reads (with NEVER where a fact did not happen)."""
        parts = [self.enrolled, self.first_dose, self.remission, self.non_responder]
        if self.survival is not None:
            s = self.survival
            parts += [s.progression, s.death, s.second_malignancy]
        if self.detail is not None:
            parts.append(self.detail.fact_days())
        for responder, non_responder in self.windows.values():
            parts += [responder, non_responder]
        return np.concatenate([*parts, *self.toxicity.values()])


@dataclass(frozen=True, eq=False)
class SurvivalDates:
    """What time-to-event records at a day need (``time_to_event`` on ``derive`` at that
    day): the event dates, the first remission in time (EFS induction failure), the last
    contact (capped at the cut-off by ``apply_cutoff``) and every other dated record that
    shows the patient alive (``alive_rows``, ``alive_dates``: counted once dated by the day),
    and each patient's arm (None where missing)."""

    progression: Nanos
    death: Nanos
    second_malignancy: Nanos
    remission_in_time: Nanos
    last_contact: Nanos
    alive_rows: npt.NDArray[np.intp]
    alive_dates: Nanos
    arms: npt.NDArray[np.object_]


def _first_late_assessment(derived: Derivation, cycle: int) -> Nanos:
    """First assessment dated in a cycle >= ``cycle`` (the 'late' non-response criterion)."""
    responses = derived.data.responses
    where = grouping.codes(derived.patients["patient_id"], responses["patient_id"])
    late = (responses["cycle"] >= cycle).fillna(False).to_numpy(bool)
    dates = responses["assessment_date"]
    return _nanos(grouping.date_extreme(where, len(derived.patients), dates, late, True))


def _first_toxicity(derived: Derivation, rule: ToxicityRule) -> Nanos:
    events = monitored_events(derived.data.adverse_events, rule)
    where = grouping.codes(derived.patients["patient_id"], events["patient_id"])
    every = np.ones(len(events), dtype=bool)
    size = len(derived.patients)
    return _nanos(grouping.date_extreme(where, size, events["onset_date"], every, True))


def _first_remission_in_time(derived: Derivation, cycle: int, remission: Sequence[str]) -> Nanos:
    """First remission assessment dated in a cycle <= ``cycle`` (EFS induction failure)."""
    responses = derived.data.responses
    where = grouping.codes(derived.patients["patient_id"], responses["patient_id"])
    early = (responses["cycle"] <= cycle).fillna(False).to_numpy(bool)
    early &= responses["response"].isin(remission).to_numpy(bool)
    dates = responses["assessment_date"]
    return _nanos(grouping.date_extreme(where, len(derived.patients), dates, early, True))


def _window_dates(derived: Derivation, protocol: Protocol, rule: SimonRule) -> tuple[Nanos, Nanos]:
    """A Simon rule's responder and non-responder days when it counts a remission only
    within ``within_cycles`` (``patients.status_within_cycles`` on the data cut at a day)."""
    assert rule.within_cycles is not None
    response = protocol.response
    patients = derived.patients
    responder = _first_remission_in_time(derived, rule.within_cycles, response.remission)
    cycle = non_response_cycle(response.nonresponse_after_cycle, rule.within_cycles)
    ended = np.minimum(
        _nanos(patients["off_treatment_date"].to_numpy("datetime64[ns]")),
        _nanos(patients["death_date"].to_numpy("datetime64[ns]")),
    )
    return responder, np.minimum(ended, _first_late_assessment(derived, cycle))


def survival_dates(derived: Derivation, protocol: Protocol) -> SurvivalDates:
    """The dates time-to-event records at any earlier day are built from."""
    patients, data = derived.patients, derived.data
    size = len(patients)
    rows: list[npt.NDArray[np.intp]] = []
    when: list[Nanos] = []
    # a record counts once dated by the day; an AE resolution once onset and resolution are
    responses = data.responses
    rows.append(grouping.codes(patients["patient_id"], responses["patient_id"]))
    when.append(_nanos(responses["assessment_date"].to_numpy("datetime64[ns]")))
    events = data.adverse_events
    where = grouping.codes(patients["patient_id"], events["patient_id"])
    onset = _nanos(events["onset_date"].to_numpy("datetime64[ns]"))
    resolved = _nanos(events["resolution_date"].to_numpy("datetime64[ns]"))
    rows += [where, where]
    when += [onset, np.where(resolved == NEVER, NEVER, np.maximum(onset, resolved))]
    source = data.patients.set_index("patient_id").reindex(patients["patient_id"])
    for column in ALIVE_RECORD_DATES:
        rows.append(np.arange(size, dtype=np.intp))
        when.append(_nanos(source[column].to_numpy("datetime64[ns]")))
    all_rows = np.concatenate(rows).astype(np.intp)
    all_when = np.concatenate(when)
    keep = (all_rows >= 0) & (all_when != NEVER)
    arms = (
        patients["arm"].astype(object).where(patients["arm"].notna(), None).to_numpy(object)
        if "arm" in patients.columns
        else np.full(size, None, dtype=object)
    )
    return SurvivalDates(
        progression=_nanos(patients["progression_date"].to_numpy("datetime64[ns]")),
        death=_nanos(patients["death_date"].to_numpy("datetime64[ns]")),
        second_malignancy=_nanos(patients["second_malignancy_date"].to_numpy("datetime64[ns]")),
        remission_in_time=_first_remission_in_time(
            derived, protocol.response.nonresponse_after_cycle, protocol.response.remission
        ),
        last_contact=_nanos(source["last_contact_date"].to_numpy("datetime64[ns]")),
        alive_rows=all_rows[keep],
        alive_dates=all_when[keep],
        arms=arms,
    )


def stratum_labels(
    patients: pd.DataFrame, columns: Sequence[str], baseline: pd.DataFrame | None = None
) -> npt.NDArray[np.object_]:
    """Each patient's stratum: the values of ``columns`` joined by " / " ("(missing)" for a
    missing value, a stratum of its own). A name that is not a patient column is a
    ``[[baseline]]`` characteristic, read from the patient's ``baseline`` row."""
    parts = []
    for c in columns:
        values = factor_values(patients, baseline, c)
        parts.append(values.where(values.notna(), "(missing)").astype(str))
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + " / " + part
    return joined.to_numpy(object)


def look_dates(derived: Derivation, protocol: Protocol) -> LookDates:
    """The dates of ``derived`` (any later cut-off) that decide every earlier look."""
    patients = derived.patients

    def dates(name: str) -> Nanos:
        return _nanos(patients[name].to_numpy("datetime64[ns]"))

    ended = np.minimum(dates("off_treatment_date"), dates("death_date"))
    late = _first_late_assessment(derived, protocol.response.nonresponse_after_cycle)
    rules = protocol.rules
    return LookDates(
        ids=patients["patient_id"].to_numpy(object).astype(str),
        enrolled=dates("enrollment_date"),
        first_dose=dates("first_dose_date"),
        remission=dates("first_remission_date"),
        non_responder=np.minimum(ended, late),
        scopes={r.id: in_scope(patients, r.scope) for r in rules},
        orders={r.id: dates(r.stage1_order) for r in protocol.efficacy if isinstance(r, SimonRule)},
        toxicity={r.id: _first_toxicity(derived, r) for r in protocol.toxicity},
        survival=(
            survival_dates(derived, protocol)
            if any(isinstance(r, GroupSequentialRule) for r in protocol.efficacy)
            else None
        ),
        strata={
            r.id: stratum_labels(patients, r.strata, derived.data.baseline)
            for r in protocol.efficacy
            if isinstance(r, GroupSequentialRule) and r.strata
        },
        detail=(
            detail_dates(derived, protocol)
            if protocol.dose_finding or any(isinstance(r, MrdRule) for r in protocol.efficacy)
            else None
        ),
        windows={
            r.id: _window_dates(derived, protocol, r)
            for r in protocol.efficacy
            if isinstance(r, SimonRule) and r.within_cycles is not None
        },
    )


@dataclass(frozen=True)
class SimonCounts:
    """What a Simon rule reads on one day: its treated patients (in scope, capped at n),
    the first n1 of them and the first n, by response status."""

    treated: int
    stage1: ResponseCounts
    cohort: ResponseCounts


@dataclass(frozen=True)
class LookCounts:
    """What one scheduled look reports, as ``derive`` at its day would give it (the
    protocol's first Simon rule and first toxicity rule, and every treated patient)."""

    cutoff: date
    treated: int
    stage1: ResponseCounts
    simon_cohort: ResponseCounts
    overall: ResponseCounts
    toxicity: ToxicityOutcomes | None


def _tally(responder: Mask, non_responder: Mask, treated: Mask) -> ResponseCounts:
    return ResponseCounts(
        responders=int(responder.sum()),
        non_responders=int(non_responder.sum()),
        pending=int((treated & ~responder & ~non_responder).sum()),
    )


def _ordered(dates: LookDates, key: Nanos, among: Mask) -> npt.NDArray[np.intp]:
    """Positions ``among`` sorted by ``key`` then id (``scope.treated_positions``)."""
    rows = np.flatnonzero(among)
    return rows[np.lexsort((dates.ids[rows], key[rows]))]


@dataclass(frozen=True)
class _Day:
    treated: Mask
    responder: Mask
    non_responder: Mask

    def tally(self, rows: npt.NDArray[np.intp]) -> ResponseCounts:
        mask = np.zeros(len(self.treated), dtype=bool)
        mask[rows] = True
        return _tally(self.responder & mask, self.non_responder & mask, self.treated & mask)


def _day(dates: LookDates, day: date, rule_id: str | None = None) -> _Day:
    """Treated, responders and non-responders at ``day``; with ``rule_id`` of a Simon rule
    with ``within_cycles``, responses as that rule counts them."""
    t = as_timestamp(day).value
    treated = (dates.enrolled <= t) & (dates.first_dose <= t)
    remission, failed = dates.windows.get(rule_id or "", (dates.remission, dates.non_responder))
    responder = treated & (remission <= t)
    non_responder = treated & ~responder & (failed <= t)
    return _Day(treated, responder, non_responder)


def simon_counts(dates: LookDates, rule: SimonRule, day: date) -> SimonCounts:
    """The counts a Simon rule is decided on, on the data cut at ``day`` (a remission counted
    only within the rule's ``within_cycles`` when it has them)."""
    state = _day(dates, day, rule.id)
    cohort = _ordered(dates, dates.orders[rule.id], state.treated & dates.scopes[rule.id])
    return SimonCounts(
        treated=min(len(cohort), rule.n),
        stage1=state.tally(cohort[: rule.n1]),
        cohort=state.tally(cohort[: rule.n]),
    )


def toxicity_at(dates: LookDates, rule: ToxicityRule, day: date) -> ToxicityOutcomes:
    """A toxicity rule's evaluable patients (first dose order) and outcomes at ``day``."""
    t = as_timestamp(day).value
    state = _day(dates, day)
    rows = _ordered(dates, dates.first_dose, state.treated & dates.scopes[rule.id])
    return ToxicityOutcomes(
        rule_id=rule.id,
        patient_ids=tuple(str(i) for i in dates.ids[rows]),
        outcomes=tuple(bool(x) for x in dates.toxicity[rule.id][rows] <= t),
    )


def look_counts(dates: LookDates, protocol: Protocol, day: date) -> LookCounts:
    """Counts and toxicity outcomes of the data cut at ``day`` (on or before the cut-off of
    the derivation ``dates`` come from), for the first Simon and first toxicity rule."""
    state = _day(dates, day)
    simon = protocol.simon
    empty = ResponseCounts(0, 0, 0)
    counts = simon_counts(dates, simon, day) if simon else None
    rule = protocol.primary_toxicity
    return LookCounts(
        cutoff=day,
        treated=int(state.treated.sum()),
        stage1=counts.stage1 if counts else empty,
        simon_cohort=counts.cohort if counts else empty,
        overall=_tally(state.responder, state.non_responder, state.treated),
        toxicity=toxicity_at(dates, rule, day) if rule else None,
    )


@dataclass(frozen=True, eq=False)
class SurvivalAtDay:
    """Time-to-event records of the treated patients at a day (``time_to_event`` of
    ``derive`` at that day): row positions, time in days, event, arm."""

    rows: npt.NDArray[np.intp]
    time: npt.NDArray[np.float64]
    event: npt.NDArray[np.bool_]
    arms: npt.NDArray[np.object_]


_EVENTS = {"OS": ("death",), "PFS": ("progression", "death"),
           "EFS": ("progression", "death", "second_malignancy")}  # fmt: skip


def events_by_day(
    dates: LookDates, endpoint: str, among: Mask, days: Sequence[date]
) -> npt.NDArray[np.int64]:
    """The events of ``endpoint`` among the patients ``among`` on the data cut at each of
    ``days``, as :func:`survival_at` counts them, without building the records of each day.

    A patient counts from the first endpoint event on or after the first dose (once
    treated), and, for EFS, also while an induction failure: from the day the response is
    decided (remission or non-response known, once treated) until a remission in time is
    dated. Each is an interval of days, so the counts are differences of sorted searches.
    """
    s = dates.survival
    if s is None:
        raise ValueError("these look dates hold no survival dates (no group_sequential rule)")
    start = np.maximum(dates.enrolled, dates.first_dose)
    origin = dates.first_dose
    first = np.full(len(origin), NEVER, dtype=np.int64)
    for name in _EVENTS[endpoint]:
        d = getattr(s, name)
        first = np.minimum(first, np.where(d >= origin, d, NEVER))
    a = np.maximum(first, start)[among]
    t = np.asarray([as_timestamp(day).value for day in days], dtype=np.int64)

    def upto(values: Nanos) -> npt.NDArray[np.int64]:
        return np.searchsorted(np.sort(values), t, side="right").astype(np.int64)

    counts = upto(a)
    if endpoint == "EFS":
        f = np.maximum(start, np.minimum(dates.remission, dates.non_responder))[among]
        r = s.remission_in_time[among]
        both = np.maximum(a, f)
        counts += upto(f) - upto(np.maximum(f, r)) - upto(both) + upto(np.maximum(both, r))
    return counts


def survival_at(dates: LookDates, endpoint: str, day: date) -> SurvivalAtDay:
    """``endpoint`` (OS, PFS or EFS, from first dose) on the data cut at ``day``."""
    s = dates.survival
    if s is None:
        raise ValueError("these look dates hold no survival dates (no group_sequential rule)")
    t = as_timestamp(day).value
    treated = (dates.enrolled <= t) & (dates.first_dose <= t)
    origin = dates.first_dose
    first = np.full(len(origin), NEVER, dtype=np.int64)
    for name in _EVENTS[endpoint]:
        d = getattr(s, name)
        first = np.minimum(first, np.where((d <= t) & (d >= origin), d, NEVER))
    event = first != NEVER
    known = s.alive_dates <= t
    latest = np.full(len(origin), np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(latest, s.alive_rows[known], s.alive_dates[known])
    latest = np.maximum(
        latest, np.where(s.last_contact == NEVER, latest, np.minimum(s.last_contact, t))
    )
    end = np.where(event, first, latest)
    time = (end - origin) / 86_400e9
    if endpoint == "EFS":
        responder = dates.remission <= t
        decided = responder | (dates.non_responder <= t)
        failure = treated & ~(s.remission_in_time <= t) & decided
        time = np.where(failure, 0.0, time)
        event = event | failure
    rows = np.flatnonzero(treated)
    return SurvivalAtDay(rows, time[rows].astype(float), event[rows], s.arms[rows])
