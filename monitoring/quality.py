"""Data-quality findings for the data manager: missing assessments, overdue follow-up and
dates out of order, per patient, at a cut-off.

These are warnings about data that were accepted (the importer already refuses impossible
records); the settings are the windows, given as arguments (``QualitySettings``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import pandas as pd

from monitoring.derive import Derivation
from monitoring.derive.cutoff import as_timestamp


class FindingKind(enum.StrEnum):
    """What a finding is about."""

    MISSING_ASSESSMENT = "missing assessment"
    OVERDUE_FOLLOW_UP = "overdue follow-up"
    DATE_ORDER = "dates out of order"


@dataclass(frozen=True)
class QualitySettings:
    """Windows in days: an assessment is expected within ``assessment_days`` of the first dose;
    a patient alive at the cut-off is overdue without news for ``follow_up_days``."""

    assessment_days: int = 42
    follow_up_days: int = 90

    def __post_init__(self) -> None:
        for name in ("assessment_days", "follow_up_days"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1 day; got {getattr(self, name)}")


@dataclass(frozen=True)
class QualityFinding:
    """One finding: the patient, the column to look at and a sentence."""

    kind: FindingKind
    patient_id: str
    table: str
    column: str
    message: str


# (earlier column, later column) pairs of the patients table that must not be reversed
DATE_ORDER = (
    ("enrollment_date", "first_dose_date"),
    ("first_dose_date", "progression_date"),
    ("first_dose_date", "off_treatment_date"),
    ("first_dose_date", "hsct_date"),
)


def _iso(value: object) -> str:
    return pd.Timestamp(value).date().isoformat()  # type: ignore[arg-type]


def _missing_assessments(derived: Derivation, days: int) -> list[QualityFinding]:
    p = derived.patients
    assessed = set(derived.data.responses["patient_id"])
    window = pd.Timedelta(days=days)
    due = as_timestamp(derived.cutoff) - window
    # a patient who died or stopped treatment within the window had no assessment to miss
    ended = (p["death_date"] <= p["first_dose_date"] + window) | (
        p["off_treatment_date"] <= p["first_dose_date"] + window
    )
    rows = p.loc[
        p["treated"].to_numpy(bool)
        & ~p["patient_id"].isin(assessed).to_numpy(bool)
        & (p["first_dose_date"] <= due).to_numpy(bool)
        & ~ended.to_numpy(bool)
    ]
    return [
        QualityFinding(
            FindingKind.MISSING_ASSESSMENT,
            str(r.patient_id),
            "responses",
            "assessment_date",
            f"no response assessment {days}+ days after the first dose ({_iso(r.first_dose_date)})",
        )
        for r in rows.itertuples()
    ]


def _overdue(derived: Derivation, days: int) -> list[QualityFinding]:
    p = derived.patients
    limit = as_timestamp(derived.cutoff) - pd.Timedelta(days=days)
    rows = p.loc[p["death_date"].isna().to_numpy(bool) & (p["last_known_alive_date"] < limit)]
    return [
        QualityFinding(
            FindingKind.OVERDUE_FOLLOW_UP,
            str(r.patient_id),
            "patients",
            "last_contact_date",
            f"alive at the cut-off but last known alive on {_iso(r.last_known_alive_date)}, "
            f"more than {days} days before it",
        )
        for r in rows.itertuples()
    ]


def _date_order(derived: Derivation) -> list[QualityFinding]:
    p = derived.data.patients
    found = []
    for earlier, later in DATE_ORDER:
        rows = p.loc[(p[later] < p[earlier]).to_numpy(bool)]
        found += [
            QualityFinding(
                FindingKind.DATE_ORDER,
                str(pid),
                "patients",
                later,
                f"{later} {_iso(b)} is before {earlier} {_iso(a)}",
            )
            for pid, a, b in zip(rows["patient_id"], rows[earlier], rows[later], strict=True)
        ]
    return found


def quality_findings(
    derived: Derivation, settings: QualitySettings | None = None
) -> tuple[QualityFinding, ...]:
    """Every finding at the derivation's cut-off, by kind then patient."""
    s = settings or QualitySettings()
    found = (
        _missing_assessments(derived, s.assessment_days)
        + _overdue(derived, s.follow_up_days)
        + _date_order(derived)
    )
    order = list(FindingKind)
    return tuple(sorted(found, key=lambda f: (order.index(f.kind), f.patient_id, f.column)))
