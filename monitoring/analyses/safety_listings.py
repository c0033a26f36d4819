"""Patient listings for the DSMB: deaths, serious adverse events and the monitored toxicity.

Days are counted from the first dose (day 0 = the day of the first dose, as the survival
times are); they are None for a patient never treated. Listings show every record of the
enrolled patients known at the cut-off, treated or not (the tables count the safety
population only).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum
from functools import cached_property

import numpy as np
import pandas as pd

from monitoring.derive import Derivation, monitored_events
from monitoring.derive.grouping import codes
from monitoring.protocol import Protocol
from monitoring.wording import counted

FATAL_GRADE = 5  # CTCAE: grade 5 is death related to the adverse event


class AeOutcome(StrEnum):
    """Outcome of an adverse event at the cut-off."""

    RESOLVED = "resolved"
    ONGOING = "ongoing"
    FATAL = "fatal"


@dataclass(frozen=True)
class DeathRow:
    patient_id: str
    death_date: date
    days_from_first_dose: int | None
    cause: str | None


@dataclass(frozen=True)
class AeListingRow:
    """One adverse event; ``onset_day`` in days from the patient's first dose."""

    patient_id: str
    term: str
    category: str
    grade: int
    onset_date: date
    onset_day: int | None
    resolution_date: date | None
    attribution: str | None
    serious: str | None
    outcome: AeOutcome


@dataclass(frozen=True, eq=False)
class AeListing:
    """Adverse events held by column (a listing can run to tens of thousands of events);
    ``rows`` builds the row dataclasses on first use."""

    title: str
    note: str
    patient_id: tuple[str, ...]
    term: tuple[str, ...]
    category: tuple[str, ...]
    grade: tuple[int, ...]
    onset_date: tuple[date, ...]
    onset_day: tuple[int | None, ...]
    resolution_date: tuple[date | None, ...]
    attribution: tuple[str | None, ...]
    serious: tuple[str | None, ...]
    outcome: tuple[AeOutcome, ...]

    def __len__(self) -> int:
        return len(self.patient_id)

    @cached_property
    def rows(self) -> tuple[AeListingRow, ...]:
        columns = (getattr(self, f.name) for f in fields(AeListingRow))
        return tuple(map(AeListingRow, *columns))


@dataclass(frozen=True)
class DeathListing:
    title: str
    note: str
    rows: tuple[DeathRow, ...]


@dataclass(frozen=True)
class SafetyListings:
    """Deaths, SAEs and one listing per protocol toxicity rule (its monitored events)."""

    deaths: DeathListing
    serious: AeListing
    monitored: tuple[AeListing, ...]


def _days(dates: pd.Series, origin: np.ndarray) -> list[int | None]:
    """Whole days from ``origin`` (aligned array of datetime64), None where either is
    missing."""
    delta = (dates.to_numpy("datetime64[ns]") - origin) / np.timedelta64(1, "D")
    return [None if d != d else int(d) for d in delta.tolist()]


def _dates(values: pd.Series) -> list[date | None]:
    out: list[date | None] = values.to_numpy("datetime64[D]").tolist()
    return out


def _known_dates(values: pd.Series) -> list[date]:
    """Dates of a column that has no missing value here (NaT is refused)."""
    out = _dates(values)
    if any(v is None for v in out):
        raise ValueError(f"column {values.name} has missing dates")
    return [v for v in out if v is not None]


def _texts(values: pd.Series) -> list[str | None]:
    return [v if isinstance(v, str) else None for v in values.tolist()]


def _first_dose(derived: Derivation, patient_ids: pd.Series) -> np.ndarray:
    patients = derived.patients
    where = codes(patients["patient_id"], patient_ids)
    dose = patients["first_dose_date"].to_numpy("datetime64[ns]")
    return np.where(where >= 0, dose[np.maximum(where, 0)], np.datetime64("NaT"))


def death_listing(derived: Derivation) -> DeathListing:
    """Deaths known at the cut-off, by date then patient."""
    patients = derived.patients
    dead = patients.loc[patients["death_date"].notna().to_numpy(bool)]
    dead = dead.sort_values(["death_date", "patient_id"], kind="stable")
    days = _days(dead["death_date"], dead["first_dose_date"].to_numpy("datetime64[ns]"))
    rows = tuple(
        DeathRow(str(p), d, n, c)
        for p, d, n, c in zip(
            dead["patient_id"].tolist(),
            _known_dates(dead["death_date"]),
            days,
            _texts(dead["death_cause"]),
            strict=True,
        )
    )
    note = "Days from the first dose (day 0); empty for a patient never treated."
    return DeathListing(title=f"Deaths (n = {len(rows):,})", note=note, rows=rows)


def _outcome(events: pd.DataFrame) -> list[AeOutcome]:
    fatal = (events["grade"] == FATAL_GRADE).fillna(False).to_numpy(bool)
    resolved = events["resolution_date"].notna().to_numpy(bool)
    choices = (AeOutcome.ONGOING, AeOutcome.RESOLVED, AeOutcome.FATAL)
    index = np.select([fatal, resolved], [2, 1], 0)
    return [choices[i] for i in index.tolist()]


def ae_listing(derived: Derivation, events: pd.DataFrame, title: str, note: str) -> AeListing:
    """The given AE rows (of the cut data) by patient, onset date and term."""
    events = events.sort_values(["patient_id", "onset_date", "term"], kind="stable")
    origin = _first_dose(derived, events["patient_id"])
    return AeListing(
        title=f"{title} (n = {counted(len(events), 'event')})",
        note=note,
        patient_id=tuple(events["patient_id"].tolist()),
        term=tuple(events["term"].tolist()),
        category=tuple(events["category"].tolist()),
        grade=tuple(events["grade"].to_numpy(np.int64, na_value=0).tolist()),
        onset_date=tuple(_known_dates(events["onset_date"])),
        onset_day=tuple(_days(events["onset_date"], origin)),
        resolution_date=tuple(_dates(events["resolution_date"])),
        attribution=tuple(_texts(events["attribution"])),
        serious=tuple(_texts(events["serious"])),
        outcome=tuple(_outcome(events)),
    )


_AE_NOTE = (
    "Onset day = days from the first dose (day 0). Outcome at the cut-off: resolved "
    "(resolution dated), ongoing, or fatal (grade 5)."
)


def safety_listings(derived: Derivation, protocol: Protocol) -> SafetyListings:
    """Deaths, serious AEs and each toxicity rule's monitored events at the cut-off."""
    events = derived.data.adverse_events
    serious = events.loc[(events["serious"] == "Y").to_numpy(bool)]
    return SafetyListings(
        deaths=death_listing(derived),
        serious=ae_listing(derived, serious, "Serious adverse events", _AE_NOTE),
        monitored=tuple(
            ae_listing(
                derived,
                monitored_events(events, rule),
                f"Monitored toxicity: {rule.label}",
                f"{_AE_NOTE} Terms: {', '.join(rule.terms)}; attribution "
                f"{', '.join(rule.attributions)}; grade >= {rule.min_grade}.",
            )
            for rule in protocol.toxicity
        ),
    )
