"""Which scheduled look a request names: the report of a look, a sign-off."""

from __future__ import annotations

from datetime import date

import numpy as np

from monitoring.data_dictionary import TrialData
from monitoring.derive.cutoff import as_timestamp
from monitoring.errors import DataInputError, LookNotReachedError
from monitoring.status import ScheduledLook, TrialStatus


def resolve_look(status: TrialStatus, look: int | None) -> ScheduledLook | None:
    """The scheduled look at ``look`` evaluable patients, or the latest one reached.

    A look that is not scheduled, or not reached by the status' cut-off, is refused.
    """
    reached = [lk for lk in status.looks if lk.reached]
    if look is None:
        return reached[-1] if reached else None
    for candidate in status.looks:
        if candidate.evaluable == look:
            if not candidate.reached:
                raise LookNotReachedError(look)
            return candidate
    every = status.protocol.reporting.summary_every
    raise DataInputError(f"no scheduled look at {look} evaluable patients (looks every {every})")


def look_reached_on(data: TrialData, cutoff: date, look: int) -> date | None:
    """The day the look at ``look`` evaluable patients was reached in ``data`` cut at
    ``cutoff``, read off the patients' rows without deriving them: the first-dose day of the
    ``look``-th patient treated by then (enrolled and first dosed on or before the cut-off,
    ``monitoring.derive.apply_cutoff``), as the monitoring log reaches it
    (``monitoring.status.monitoring_log``). None when fewer were treated. Whether a look at
    ``look`` is scheduled is not checked here (``resolve_look`` does that)."""
    if look < 1:
        return None
    day = as_timestamp(cutoff)
    patients = data.patients
    treated = (patients["enrollment_date"] <= day) & (patients["first_dose_date"] <= day)
    doses = np.sort(patients.loc[treated.to_numpy(bool), "first_dose_date"].to_numpy())
    if len(doses) < look:
        return None
    reached: date = as_timestamp(doses[look - 1]).date()
    return reached
