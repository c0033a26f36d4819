"""Time-to-event records for OS, PFS, EFS, DoR and DoR1 (SPEC 4 table).

Built from the derived patient frame (``derive_patients``), so the cut-off is already
applied: events after it are missing and follow-up ends at the latest date the patient is
known alive, which is never after the cut-off. Times are whole days from the origin.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from monitoring.derive.scope import treated_positions
from monitoring.errors import DataInputError

A = TypeVar("A", bound=np.ndarray)
Dates = npt.NDArray[np.datetime64]


class Endpoint(Enum):
    OS = "OS"
    PFS = "PFS"
    EFS = "EFS"
    DOR = "DoR"
    DOR1 = "DoR1"


@dataclass(frozen=True)
class _Definition:
    population: str | None  # boolean-like column selecting the population, or None: treated
    origin: str
    events: tuple[str, ...]
    induction_failure: bool = False


_DEFINITIONS = {
    Endpoint.OS: _Definition(None, "first_dose_date", ("death_date",)),
    Endpoint.PFS: _Definition(None, "first_dose_date", ("progression_date", "death_date")),
    Endpoint.EFS: _Definition(
        None,
        "first_dose_date",
        ("progression_date", "death_date", "second_malignancy_date"),
        induction_failure=True,
    ),
    Endpoint.DOR: _Definition(
        "first_response_date", "first_response_date", ("progression_date", "death_date")
    ),
    Endpoint.DOR1: _Definition(
        "first_remission_date", "first_remission_date", ("progression_date", "death_date")
    ),
}


@dataclass(frozen=True, eq=False)
class TimeToEvent:
    """One endpoint's analysis records, one per patient of its population, in first-dose
    order. ``time`` in days from the origin, ``event`` True for an event, False for a
    censored observation; ``groups`` holds the values of column ``by`` (None if missing)."""

    endpoint: Endpoint
    patient_ids: npt.NDArray[np.object_]
    time: npt.NDArray[np.float64]
    event: npt.NDArray[np.bool_]
    by: str | None = None
    groups: npt.NDArray[np.object_] | None = None

    @property
    def n(self) -> int:
        return len(self.time)

    @property
    def events(self) -> int:
        return int(self.event.sum())


def _frozen(values: A) -> A:
    values.setflags(write=False)
    return values


def _population(patients: pd.DataFrame, definition: _Definition) -> npt.NDArray[np.intp]:
    """Row positions of the endpoint's population in treatment order."""
    among = None
    if definition.population is not None:
        among = patients[definition.population].notna().to_numpy(bool)
    return treated_positions(patients, among=among)


def _column(patients: pd.DataFrame, column: str, rows: npt.NDArray[np.intp]) -> Dates:
    return patients[column].to_numpy("datetime64[ns]")[rows]


def _event_dates(patients: pd.DataFrame, rows: npt.NDArray[np.intp], d: _Definition) -> Dates:
    """Earliest event date on or after the origin (earlier dates are not events of this
    endpoint: a progression before the first response does not end a response)."""
    origin = _column(patients, d.origin, rows)
    first = np.full(rows.size, np.datetime64("NaT"), dtype="datetime64[ns]")
    for column in d.events:
        dates = _column(patients, column, rows)
        first = np.fmin(first, np.where(dates >= origin, dates, np.datetime64("NaT")))
    return first


def time_to_event(
    patients: pd.DataFrame,
    endpoint: Endpoint | str,
    by: str | None = None,
    *,
    last_assessment: pd.Series | None = None,
    last_contact: pd.Series | None = None,
    inclusive: bool = False,
) -> TimeToEvent:
    """Time-to-event records of ``endpoint`` from the derived patient frame.

    Censoring is at ``last_known_alive_date`` (last contact or the latest dated record,
    capped at the cut-off). With ``last_assessment`` (latest response assessment per
    ``patient_id``; protocol ``progression_censoring = "last_assessment"``) every endpoint
    but OS is censored at the last assessment on or after the origin, else at the origin.
    With ``last_contact`` (last contact date per ``patient_id``; ``os_censoring =
    "last_contact"``) OS is censored at the last contact where it is given.
    ``inclusive`` counts the origin as day 1 (``day_count = "inclusive"``, ADaM's
    AVAL = ADT - STARTDT + 1). EFS: an induction failure (no remission by the end of the
    protocol's cycle) is an event at day 0 (day 1 when inclusive).
    """
    endpoint = Endpoint(endpoint)
    if by is not None and by not in patients.columns:
        raise DataInputError(f"unknown grouping column '{by}'; use a patient column")
    definition = _DEFINITIONS[endpoint]
    rows = _population(patients, definition)
    origin = _column(patients, definition.origin, rows)
    event_date = _event_dates(patients, rows, definition)
    event = ~np.isnat(event_date)
    censor = _column(patients, "last_known_alive_date", rows)
    ids = patients["patient_id"].to_numpy(object)[rows]
    if last_contact is not None and endpoint is Endpoint.OS:
        contact = pd.Series(last_contact).reindex(ids).to_numpy("datetime64[ns]")
        censor = np.where(np.isnat(contact), censor, contact)
    if last_assessment is not None and endpoint is not Endpoint.OS:
        assessed = pd.Series(last_assessment).reindex(ids).to_numpy("datetime64[ns]")
        censor = np.where(assessed >= origin, assessed, origin)
    end = np.where(event, event_date, censor)
    time = (end - origin) / np.timedelta64(1, "D") + (1.0 if inclusive else 0.0)
    if definition.induction_failure:
        failure = patients["induction_failure"].to_numpy(bool)[rows]
        time = np.where(failure, 1.0 if inclusive else 0.0, time)
        event = event | failure
    groups = None
    if by is not None:
        values = patients[by].iloc[rows].astype(object)
        groups = _frozen(values.where(values.notna(), None).to_numpy(object))
    return TimeToEvent(
        endpoint=endpoint,
        patient_ids=_frozen(patients["patient_id"].to_numpy(object)[rows]),
        time=_frozen(time.astype(float)),
        event=_frozen(np.asarray(event, dtype=bool)),
        by=by,
        groups=groups,
    )
