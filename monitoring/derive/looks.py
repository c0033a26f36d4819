"""The counts of a past scheduled look, read off one later derivation.

A look reached on day D is decided on the data cut at D (``derive(data, protocol, D)``).
Every quantity a look needs only asks whether some dated fact happened by D: enrolment,
first dose, first remission, the date the status became non-responder (off treatment,
death, first assessment in a cycle >= the non-response cycle) and the first monitored
toxicity. Those dates are computed once per patient from a derivation at a later cut-off
(``LookDates``); each look is then a few vectorised comparisons (``look_counts``) instead
of a full derivation. ``tests/test_derive_looks.py`` checks equality with ``derive`` at
every look of the demo scenarios and at random days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from monitoring.derive import grouping
from monitoring.derive.cutoff import as_timestamp
from monitoring.derive.scope import in_scope
from monitoring.derive.summary import Derivation
from monitoring.derive.toxicity import ToxicityOutcomes, monitored_events
from monitoring.protocol import Protocol, SimonRule, ToxicityRule
from monitoring.rules.efficacy import ResponseCounts

Nanos = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
_NEVER = np.iinfo(np.int64).max  # a missing date: never happened


def _nanos(values: npt.NDArray[np.datetime64]) -> Nanos:
    out = np.asarray(values, dtype="datetime64[ns]").view(np.int64).copy()
    out[np.isnat(np.asarray(values, dtype="datetime64[ns]"))] = _NEVER
    return out


@dataclass(frozen=True, eq=False)
class LookDates:
    """Per patient (rows of ``Derivation.patients``), the day each fact became known.

    Dates are int64 nanoseconds; a missing date is int64 max (never, within the data).
    """

    ids: npt.NDArray[np.str_]
    enrolled: Nanos
    first_dose: Nanos
    stage1_key: Nanos
    remission: Nanos
    non_responder: Nanos
    simon_scope: Mask
    toxicity_scope: Mask
    toxicity: Nanos


def _first_late_assessment(derived: Derivation, cycle: int) -> Nanos:
    """First assessment dated in a cycle >= ``cycle`` (the 'late' non-response criterion)."""
    responses = derived.data.responses
    where = grouping.codes(derived.patients["patient_id"], responses["patient_id"])
    late = (responses["cycle"] >= cycle).fillna(False).to_numpy(bool)
    dates = responses["assessment_date"]
    return _nanos(grouping.date_extreme(where, len(derived.patients), dates, late, True))


def _first_toxicity(derived: Derivation, rule: ToxicityRule | None) -> Nanos:
    size = len(derived.patients)
    if rule is None:
        return np.full(size, _NEVER, dtype=np.int64)
    events = monitored_events(derived.data.adverse_events, rule)
    where = grouping.codes(derived.patients["patient_id"], events["patient_id"])
    every = np.ones(len(events), dtype=bool)
    return _nanos(grouping.date_extreme(where, size, events["onset_date"], every, True))


def look_dates(derived: Derivation, protocol: Protocol) -> LookDates:
    """The dates of ``derived`` (any later cut-off) that decide every earlier look."""
    patients = derived.patients

    def dates(name: str) -> Nanos:
        return _nanos(patients[name].to_numpy("datetime64[ns]"))

    ended = np.minimum(dates("off_treatment_date"), dates("death_date"))
    late = _first_late_assessment(derived, protocol.response.nonresponse_after_cycle)
    simon, rule = protocol.simon, protocol.primary_toxicity
    everyone = np.ones(len(patients), dtype=bool)
    return LookDates(
        ids=patients["patient_id"].to_numpy(object).astype(str),
        enrolled=dates("enrollment_date"),
        first_dose=dates("first_dose_date"),
        stage1_key=dates(simon.stage1_order) if simon else dates("first_dose_date"),
        remission=dates("first_remission_date"),
        non_responder=np.minimum(ended, late),
        simon_scope=in_scope(patients, simon.scope) if simon else everyone,
        toxicity_scope=in_scope(patients, rule.scope) if rule else everyone,
        toxicity=_first_toxicity(derived, rule),
    )


@dataclass(frozen=True)
class LookCounts:
    """What one scheduled look reports, as ``derive`` at its day would give it."""

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


def look_counts(dates: LookDates, protocol: Protocol, day: date) -> LookCounts:
    """Counts and toxicity outcomes of the data cut at ``day`` (on or before the cut-off of
    the derivation ``dates`` come from)."""
    t = as_timestamp(day).value
    treated = (dates.enrolled <= t) & (dates.first_dose <= t)
    responder = treated & (dates.remission <= t)
    non_responder = treated & ~responder & (dates.non_responder <= t)
    simon: SimonRule | None = protocol.simon
    cohort = _ordered(dates, dates.stage1_key, treated & dates.simon_scope)
    n1, n = (simon.n1, simon.n) if simon else (0, 0)

    def tally(rows: npt.NDArray[np.intp]) -> ResponseCounts:
        mask = np.zeros(len(treated), dtype=bool)
        mask[rows] = True
        return _tally(responder & mask, non_responder & mask, treated & mask)

    rule = protocol.primary_toxicity
    toxicity = None
    if rule is not None:
        rows = _ordered(dates, dates.first_dose, treated & dates.toxicity_scope)
        toxicity = ToxicityOutcomes(
            rule_id=rule.id,
            patient_ids=tuple(str(i) for i in dates.ids[rows]),
            outcomes=tuple(bool(x) for x in dates.toxicity[rows] <= t),
        )
    return LookCounts(
        cutoff=day,
        treated=int(treated.sum()),
        stage1=tally(cohort[:n1]),
        simon_cohort=tally(cohort[:n]),
        overall=_tally(responder, non_responder, treated),
        toxicity=toxicity,
    )
