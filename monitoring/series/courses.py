"""Each treated patient's course for a swimmer plot: treatment, responses and key events."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import pandas as pd

from monitoring.derive import Derivation
from monitoring.protocol import Protocol


class CourseEventKind(enum.Enum):
    """Events marked on a patient's lane."""

    REMISSION = "remission"
    RESPONSE = "response"
    NO_RESPONSE = "no_response"
    RELAPSE = "relapse"
    HSCT = "hsct"
    DEATH = "death"


@dataclass(frozen=True)
class CourseEvent:
    """One event on a lane, ``day`` days after the first dose; ``label`` e.g. the response."""

    kind: CourseEventKind
    day: float
    label: str


@dataclass(frozen=True)
class PatientCourse:
    """One lane: days on treatment, days followed in all, last cycle and the events (each
    change of response, relapse, HSCT, death)."""

    patient_id: str
    treatment_days: float
    follow_up_days: float
    last_cycle: int | None
    alive_at_cutoff: bool
    events: tuple[CourseEvent, ...]


@dataclass(frozen=True)
class SwimmerData:
    """Lanes of the first ``len(courses)`` treated patients out of ``treated``."""

    courses: tuple[PatientCourse, ...]
    treated: int
    cutoff_label: str
    response_labels: tuple[tuple[CourseEventKind, str], ...] = ()


def _days(later: Any, origin: pd.Timestamp) -> float | None:
    """Days from ``origin`` to a date cell, None for a missing date."""
    if later is None or pd.isna(later):
        return None
    return float((pd.Timestamp(later) - origin) / pd.Timedelta(days=1))


def _response_kind(code: str, protocol: Protocol) -> CourseEventKind:
    if code in protocol.response.remission:
        return CourseEventKind.REMISSION
    if code in protocol.response.hematologic_response:
        return CourseEventKind.RESPONSE
    return CourseEventKind.NO_RESPONSE


def _response_changes(
    responses: pd.DataFrame, origin: pd.Timestamp, protocol: Protocol
) -> list[CourseEvent]:
    """Assessments whose response differs from the previous one (a lane stays readable)."""
    ordered = responses.sort_values("assessment_date", kind="mergesort")
    events: list[CourseEvent] = []
    previous = None
    for code, when in zip(ordered["response"], ordered["assessment_date"], strict=True):
        day = _days(when, origin)
        if day is None or code == previous:
            continue
        previous = code
        events.append(CourseEvent(_response_kind(str(code), protocol), day, str(code)))
    return events


def _course(row: pd.Series, responses: pd.DataFrame, protocol: Protocol) -> PatientCourse:
    origin = pd.Timestamp(row["first_dose_date"])
    end = _days(row["last_known_alive_date"], origin) or 0.0
    death = _days(row["death_date"], origin)
    stop = _days(row["off_treatment_date"], origin)
    events = _response_changes(responses, origin, protocol)
    for kind, column, label in (
        (CourseEventKind.RELAPSE, "progression_date", "Relapse/progression"),
        (CourseEventKind.HSCT, "hsct_date", "HSCT"),
        (CourseEventKind.DEATH, "death_date", "Death"),
    ):
        if (day := _days(row[column], origin)) is not None:
            events.append(CourseEvent(kind, day, label))
    follow = max([end, death or 0.0, *(e.day for e in events)])
    cycle = row["last_cycle"]
    return PatientCourse(
        patient_id=str(row["patient_id"]),
        treatment_days=min(follow, stop) if stop is not None else follow,
        follow_up_days=follow,
        last_cycle=None if pd.isna(cycle) else int(cycle),
        alive_at_cutoff=death is None,
        events=tuple(sorted(events, key=lambda e: e.day)),
    )


def patient_courses(derived: Derivation, protocol: Protocol, limit: int | None) -> SwimmerData:
    """Lanes of the first ``limit`` treated patients (all if None), in treatment order."""
    frame = derived.patients
    treated = frame.loc[frame["treated"].to_numpy(bool)].sort_values("treatment_order")
    shown = treated if limit is None else treated.head(limit)
    responses = derived.data.responses
    by_patient = dict(
        iter(responses.loc[responses["patient_id"].isin(shown["patient_id"])].groupby("patient_id"))
    )
    empty = responses.iloc[0:0]
    courses = tuple(
        _course(row, by_patient.get(row["patient_id"], empty), protocol)
        for _, row in shown.iterrows()
    )
    return SwimmerData(
        courses, len(treated), derived.cutoff.isoformat(), _response_labels(protocol)
    )


def _response_labels(protocol: Protocol) -> tuple[tuple[CourseEventKind, str], ...]:
    """The categories behind each response marker, from the protocol's definitions."""
    d = protocol.response
    groups = (
        (CourseEventKind.REMISSION, d.remission_label or "Remission", d.remission),
        (
            CourseEventKind.RESPONSE,
            "Response",
            tuple(c for c in d.hematologic_response if c not in d.remission),
        ),
        (
            CourseEventKind.NO_RESPONSE,
            "No response",
            tuple(
                c for c in d.categories if c not in d.remission and c not in d.hematologic_response
            ),
        ),
    )
    return tuple((kind, f"{name} ({'/'.join(codes)})") for kind, name, codes in groups if codes)
