"""Vectorised simulation of patient courses for the demo trials.

A :class:`Plan` fixes what a scenario must control (enrolment, who is treated, each
patient's course of response and the VOD events); everything else (cycle lengths,
assessment days, relapse, transplant, death, AEs, MRD) is drawn from one numpy Generator.
Days are counted from the trial start; courses from each patient's first dose. The full
histories are then cut at the scenario's data date with ``apply_cutoff``, so the demo data
follow the same cut-off rules as the analyses.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from monitoring.data_dictionary import TrialData
from monitoring.demo.courses import Courses, simulate_courses
from monitoring.demo.events import adverse_events, responses
from monitoring.demo.plan import Plan
from monitoring.derive.cutoff import apply_cutoff
from monitoring.protocol import Protocol

Ints = npt.NDArray[np.int64]


def _dates(start: pd.Timestamp, days: Ints, missing: npt.NDArray[np.bool_]) -> pd.Series:
    values = pd.Series(start + pd.to_timedelta(np.where(missing, 0, days), unit="D"))
    values[missing] = None
    return values.astype("datetime64[ns]")


def _masked(values: npt.NDArray[np.object_], keep: npt.NDArray[np.bool_]) -> list[object]:
    """Object values where ``keep``, None elsewhere."""
    out = values.astype(object)
    out[~keep] = None
    return list(out)


def _patients(plan: Plan, protocol: Protocol, c: Courses, rng: np.random.Generator) -> pd.DataFrame:
    n = len(plan.enroll_day)
    start = pd.Timestamp(plan.start)
    width = max(3, len(str(n)))
    treated = plan.dose_delay >= 0
    fd = plan.enroll_day + np.maximum(plan.dose_delay, 0)

    def on_course(rel: Ints) -> pd.Series:
        return _dates(start, fd + rel, ~treated | (rel >= c.never))

    def unit(column: str, units: tuple[str, ...]) -> list[object]:
        if column in plan.units:
            return list(plan.units[column])
        return list(rng.choice(np.array(units, dtype=object), n)) if units else [None] * n

    def salvage_lines() -> pd.arrays.IntegerArray:
        lines = plan.salvage_line_p
        if not lines:
            return pd.array([None] * n, dtype="Int64")
        return pd.array(rng.choice(np.arange(1, len(lines) + 1), n, p=list(lines)), dtype="Int64")

    mean, sd, youngest, oldest = plan.age

    return pd.DataFrame(
        {
            "patient_id": [f"P{i + 1:0{width}d}" for i in range(n)],
            "site": rng.choice(
                np.array(["Site 01", "Site 02", "Site 03", "Site 04"]), n, p=[0.4, 0.3, 0.2, 0.1]
            ).astype(object),
            "enrollment_date": _dates(start, plan.enroll_day, np.zeros(n, bool)),
            "first_dose_date": _dates(start, fd, ~treated),
            "age": pd.array(
                np.clip(rng.normal(mean, sd, n).round(), youngest, oldest).astype(int),
                dtype="Int64",
            ),
            "sex": rng.choice(np.array(["M", "F"], dtype=object), n, p=[0.55, 0.45]),
            "salvage_line": salvage_lines(),
            "cohort": unit("cohort", tuple(u.id for u in protocol.cohorts)),
            "arm": unit("arm", tuple(u.id for u in protocol.arms)),
            "dose_level": unit("dose_level", tuple(u.id for u in protocol.dose_levels)),
            "last_contact_date": on_course(c.death),
            "progression_date": on_course(c.progression),
            "death_date": on_course(c.death),
            "death_cause": _masked(c.death_cause, treated & (c.death < c.never)),
            "hsct_date": on_course(c.hsct),
            "second_malignancy_date": on_course(c.second_malignancy),
            "off_treatment_date": on_course(c.off),
            "off_treatment_reason": _masked(c.off_reason, treated),
        }
    )


def _last_contacts(data: TrialData, end: pd.Timestamp, rng: np.random.Generator) -> TrialData:
    """Alive patients: last contact a few weeks before the data date, never before their
    latest record; dead patients: the day of death."""
    p = data.patients.copy()
    ids = p["patient_id"]
    dates = p[
        [
            "enrollment_date",
            "first_dose_date",
            "progression_date",
            "hsct_date",
            "second_malignancy_date",
            "off_treatment_date",
        ]
    ].max(axis=1)
    r_last = data.responses.groupby("patient_id")["assessment_date"].max().reindex(ids)
    ae = data.adverse_events
    a_last = (
        ae[["onset_date", "resolution_date"]]
        .max(axis=1)
        .groupby(ae["patient_id"])
        .max()
        .reindex(ids)
    )
    latest = pd.concat(
        [dates, pd.Series(r_last.to_numpy()), pd.Series(a_last.to_numpy())], axis=1
    ).max(axis=1)
    visit = end - pd.to_timedelta(rng.integers(0, 29, len(p)), unit="D")
    alive = np.maximum(visit.to_numpy(), latest.to_numpy())
    dead = p["death_date"].notna()
    p["last_contact_date"] = pd.Series(np.where(dead, p["death_date"].to_numpy(), alive)).astype(
        "datetime64[ns]"
    )
    return TrialData(p, data.responses, data.adverse_events)


def simulate(plan: Plan, protocol: Protocol, rng: np.random.Generator) -> TrialData:
    """The demo tables of ``plan`` as known on its data date."""
    courses = simulate_courses(plan, protocol, rng)
    patients = _patients(plan, protocol, courses, rng)
    full = TrialData(
        patients,
        responses(plan, courses, patients["patient_id"], rng),
        adverse_events(plan, protocol, courses, patients["patient_id"], rng),
    )
    end = pd.Timestamp(plan.start) + pd.Timedelta(days=plan.data_end)
    return _last_contacts(apply_cutoff(full, end.date()), end, rng)
