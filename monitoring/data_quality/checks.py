"""The data-quality checks: each a vectorised mask over the derived patient frame or the cut
tables, turned into findings (only the flagged rows are visited one by one)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from monitoring.data_quality.model import SEVERITY, Finding, FindingKind, QualitySettings
from monitoring.derive import Derivation, ResponseStatus
from monitoring.protocol import Protocol

Record = dict[Hashable, Any]


@dataclass(frozen=True, eq=False)
class Context:
    """What every check reads: the derivation at the cut-off, the protocol, the settings."""

    derived: Derivation
    protocol: Protocol
    settings: QualitySettings

    @property
    def cut(self) -> pd.Timestamp:
        return pd.Timestamp(self.derived.cutoff)


def _days(n: int) -> pd.Timedelta:
    return pd.Timedelta(days=n)


def _iso(value: object) -> str:
    return pd.Timestamp(value).date().isoformat()  # type: ignore[arg-type]


def _emit(
    kind: FindingKind,
    rows: pd.DataFrame,
    where: tuple[str, str],
    day: str,
    text: Callable[[Record], str],
) -> list[Finding]:
    """One finding per row of ``rows`` (already filtered), dated by its column ``day``."""
    table, column = where
    return [
        Finding(
            SEVERITY[kind],
            kind,
            str(row["patient_id"]),
            table,
            column,
            pd.Timestamp(row[day]).date(),
            text(row),
        )
        for row in rows.to_dict("records")
    ]


def _ended_by(patients: pd.DataFrame, when: pd.Series) -> pd.Series:
    """Off treatment or dead on or before ``when`` (no assessment expected afterwards)."""
    return (patients["off_treatment_date"] <= when) | (patients["death_date"] <= when)


def missing_assessment(ctx: Context) -> list[Finding]:
    """Treated, never assessed, the end of cycle N plus grace passed, still on treatment."""
    p = ctx.derived.patients
    s = ctx.settings
    cycle = ctx.protocol.response.nonresponse_after_cycle
    due = p["first_dose_date"] + _days(s.cycle_days * cycle + s.assessment_grace_days)
    flag = p["treated"] & p["last_cycle"].isna().to_numpy(bool) & (due < ctx.cut)
    flag &= ~_ended_by(p, due)
    return _emit(
        FindingKind.MISSING_RESPONSE_ASSESSMENT,
        p[flag].assign(due=due[flag]),
        ("responses", "assessment_date"),
        "due",
        lambda r: (
            f"No response assessment although the end of cycle {cycle} was due by "
            f"{_iso(r['due'])} (first dose {_iso(r['first_dose_date'])})."
        ),
    )


def pending_too_long(ctx: Context) -> list[Finding]:
    """Assessed at least once, status still pending long after the first dose."""
    p = ctx.derived.patients
    limit = _days(ctx.settings.pending_days)
    pending = (p["status"] == ResponseStatus.PENDING.value).to_numpy(bool)
    flag = (
        pending & p["last_cycle"].notna().to_numpy(bool) & (p["first_dose_date"] + limit < ctx.cut)
    )
    return _emit(
        FindingKind.PENDING_TOO_LONG,
        p[flag],
        ("responses", "cycle"),
        "first_dose_date",
        lambda r: (
            f"Response status still pending {(ctx.cut - r['first_dose_date']).days} days "
            f"after the first dose: last assessed cycle {r['last_cycle']}, no off-treatment date."
        ),
    )


def overdue_follow_up(ctx: Context) -> list[Finding]:
    """Not known dead and last known alive long before the cut-off."""
    p = ctx.derived.patients
    since = p["last_known_alive_date"]
    flag = p["death_date"].isna() & (since < ctx.cut - _days(ctx.settings.follow_up_days))
    return _emit(
        FindingKind.OVERDUE_FOLLOW_UP,
        p[flag],
        ("patients", "last_contact_date"),
        "last_known_alive_date",
        lambda r: (
            f"Last known alive {_iso(r['last_known_alive_date'])}, "
            f"{(ctx.cut - r['last_known_alive_date']).days} days before the cut-off: survival "
            "times are censored there."
        ),
    )


def first_dose_missing(ctx: Context) -> list[Finding]:
    """Enrolled long ago and no first dose: never treated, or the date is missing."""
    p = ctx.derived.patients
    limit = _days(ctx.settings.untreated_days)
    flag = ~p["treated"].to_numpy(bool) & (p["enrollment_date"] + limit < ctx.cut)
    return _emit(
        FindingKind.FIRST_DOSE_MISSING,
        p[flag],
        ("patients", "first_dose_date"),
        "enrollment_date",
        lambda r: (
            f"Enrolled {_iso(r['enrollment_date'])} and no first dose date: never "
            "treated, or the date is missing."
        ),
    )


def _first_per_patient(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    return rows.sort_values(["patient_id", column]).drop_duplicates("patient_id")


def assessment_without_first_dose(ctx: Context) -> list[Finding]:
    """Response assessments for a patient with no first dose (first such assessment)."""
    p = ctx.derived.patients
    untreated = p.loc[~p["treated"].to_numpy(bool), "patient_id"]
    r = ctx.derived.data.responses
    rows = _first_per_patient(r[r["patient_id"].isin(untreated)], "assessment_date")
    return _emit(
        FindingKind.ASSESSMENT_WITHOUT_FIRST_DOSE,
        rows,
        ("patients", "first_dose_date"),
        "assessment_date",
        lambda x: (
            f"Response assessed on {_iso(x['assessment_date'])} (cycle {x['cycle']}) but "
            "the patient has no first dose date."
        ),
    )


def cycle_order(ctx: Context) -> list[Finding]:
    """An assessment whose cycle is lower than that of an earlier-dated assessment."""
    r = ctx.derived.data.responses.sort_values(["patient_id", "assessment_date"])
    ids = r["patient_id"].to_numpy(object)
    cycles = r["cycle"].to_numpy("int64", na_value=0)
    same = np.zeros(len(r), dtype=bool)
    same[1:] = ids[1:] == ids[:-1]
    top = pd.Series(cycles).groupby(ids).cummax().to_numpy()
    previous = np.zeros(len(r), dtype=np.int64)
    previous[1:] = top[:-1]
    flag = same & (cycles < previous)
    rows = r[flag].assign(previous=previous[flag])
    return _emit(
        FindingKind.CYCLE_ORDER,
        rows,
        ("responses", "cycle"),
        "assessment_date",
        lambda x: (
            f"Assessment of {_iso(x['assessment_date'])} is cycle {x['cycle']}, after "
            f"an earlier-dated assessment of cycle {x['previous']}."
        ),
    )


def off_treatment_missing(ctx: Context) -> list[Finding]:
    """Treated, progressed or died, and no off-treatment date."""
    p = ctx.derived.patients
    ended = p[["progression_date", "death_date"]].min(axis=1)
    flag = p["treated"].to_numpy(bool) & p["off_treatment_date"].isna() & ended.notna()
    return _emit(
        FindingKind.OFF_TREATMENT_MISSING,
        p[flag].assign(ended=ended[flag]),
        ("patients", "off_treatment_date"),
        "ended",
        lambda r: (
            f"{'Died' if pd.notna(r['death_date']) else 'Progressed'} "
            f"({_iso(r['ended'])}) and no off-treatment date."
        ),
    )


def off_treatment_before_first_dose(ctx: Context) -> list[Finding]:
    """Off treatment dated before the first dose."""
    p = ctx.derived.patients
    flag = p["off_treatment_date"] < p["first_dose_date"]
    return _emit(
        FindingKind.OFF_TREATMENT_BEFORE_FIRST_DOSE,
        p[flag],
        ("patients", "off_treatment_date"),
        "off_treatment_date",
        lambda r: (
            f"Off treatment {_iso(r['off_treatment_date'])}, before the first dose "
            f"{_iso(r['first_dose_date'])}."
        ),
    )


def response_after_off_treatment(ctx: Context) -> list[Finding]:
    """A response (hematologic-response set) assessed after the off-treatment date."""
    p = ctx.derived.patients
    r = ctx.derived.data.responses
    off = r["patient_id"].map(pd.Series(p["off_treatment_date"].to_numpy(), index=p["patient_id"]))
    hit = r["response"].isin(ctx.protocol.response.hematologic_response).to_numpy(bool)
    rows = _first_per_patient(
        r[hit & (r["assessment_date"] > off).to_numpy(bool)], "assessment_date"
    )
    rows = rows.assign(off=off[rows.index])
    return _emit(
        FindingKind.RESPONSE_AFTER_OFF_TREATMENT,
        rows,
        ("responses", "assessment_date"),
        "assessment_date",
        lambda x: (
            f"Response {x['response']} assessed {_iso(x['assessment_date'])}, after the "
            f"off-treatment date {_iso(x['off'])}: it counts as a study response."
        ),
    )


def hsct_before_response(ctx: Context) -> list[Finding]:
    """Transplant dated before the first response: the response may be the transplant's."""
    p = ctx.derived.patients
    flag = p["hsct_date"] < p["first_response_date"]
    return _emit(
        FindingKind.HSCT_BEFORE_RESPONSE,
        p[flag],
        ("patients", "hsct_date"),
        "hsct_date",
        lambda r: (
            f"Transplant {_iso(r['hsct_date'])} before the first response "
            f"{_iso(r['first_response_date'])}: the response counts for the study treatment."
        ),
    )


def unresolved_severe_ae(ctx: Context) -> list[Finding]:
    """Grade >= ae_min_grade (below 5) AE with no resolution long after its onset."""
    s = ctx.settings
    e = ctx.derived.data.adverse_events
    grade = e["grade"].to_numpy("int64", na_value=0)
    old = (e["onset_date"] + _days(s.ae_unresolved_days) < ctx.cut).to_numpy(bool)
    flag = (grade >= s.ae_min_grade) & (grade < 5) & e["resolution_date"].isna().to_numpy(bool)
    rows = e.loc[flag & old, ["patient_id", "term", "grade", "onset_date"]]
    return _emit(
        FindingKind.UNRESOLVED_SEVERE_AE,
        rows,
        ("adverse_events", "resolution_date"),
        "onset_date",
        lambda x: (
            f"Grade {x['grade']} {x['term']} since {_iso(x['onset_date'])} has no "
            f"resolution date after {(ctx.cut - x['onset_date']).days} days."
        ),
    )


CHECKS: tuple[Callable[[Context], list[Finding]], ...] = (
    missing_assessment,
    pending_too_long,
    overdue_follow_up,
    first_dose_missing,
    assessment_without_first_dose,
    cycle_order,
    off_treatment_missing,
    off_treatment_before_first_dose,
    response_after_off_treatment,
    hsct_before_response,
    unresolved_severe_ae,
)
