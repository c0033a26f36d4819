"""Time from remission to relapse, with death in remission as the competing event.

One record per treated patient with a remission (a first assessment in the protocol's
remission set, CR/CRi), from the derived patient frame (the cut-off already applied):

- origin: the first remission date;
- relapse (status 1): the first progression or relapse on or after the origin (an earlier
  progression did not end this remission, as for DoR1);
- death in remission (status 2): a death on or after the origin without a relapse on or
  before its date (a relapse and a death on the same day count as a relapse);
- censored (status 0) at the last date known alive (last contact or the latest dated
  record, never after the cut-off).

Times are days from the origin (day 1 at the origin with ``inclusive``, as the protocol's
``day_count``). docs/methods.md, "Relapse and death in remission".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from monitoring.derive.scope import treated_positions
from monitoring.errors import DataInputError

CENSORED = 0
RELAPSE = 1
DEATH_IN_REMISSION = 2


@dataclass(frozen=True, eq=False)
class RelapseRecords:
    """Records of patients in remission, in first-dose order: ``time`` in days from the first
    remission, ``status`` 0 censored, 1 relapse, 2 death in remission; ``groups`` the values
    of column ``by`` (None where missing)."""

    patient_ids: npt.NDArray[np.object_]
    time: npt.NDArray[np.float64]
    status: npt.NDArray[np.int64]
    by: str | None = None
    groups: npt.NDArray[np.object_] | None = None

    @property
    def n(self) -> int:
        return len(self.time)

    def count(self, code: int) -> int:
        """Patients with status ``code``."""
        return int((self.status == code).sum())


def _dates(patients: pd.DataFrame, column: str, rows: npt.NDArray[np.intp]) -> np.ndarray:
    return patients[column].to_numpy("datetime64[ns]")[rows]


def relapse_records(
    patients: pd.DataFrame, by: str | None = None, *, inclusive: bool = False
) -> RelapseRecords:
    """Relapse and death in remission from the derived patient frame (``derive_patients``)."""
    if by is not None and by not in patients.columns:
        raise DataInputError(f"unknown grouping column '{by}'; use a patient column")
    rows = treated_positions(patients, among=patients["first_remission_date"].notna().to_numpy())
    origin = _dates(patients, "first_remission_date", rows)
    progression = _dates(patients, "progression_date", rows)
    death = _dates(patients, "death_date", rows)
    censor = _dates(patients, "last_known_alive_date", rows)
    relapse = ~np.isnat(progression) & (progression >= origin)
    died = ~np.isnat(death) & (death >= origin) & ~(relapse & (progression <= death))
    end = np.where(relapse, progression, np.where(died, death, censor))
    time = (end - origin) / np.timedelta64(1, "D") + (1.0 if inclusive else 0.0)
    status = np.where(relapse, RELAPSE, np.where(died, DEATH_IN_REMISSION, CENSORED))
    groups = None
    if by is not None:
        values = patients[by].iloc[rows].astype(object)
        groups = values.where(values.notna(), None).to_numpy(object)
        groups.setflags(write=False)
    ids = patients["patient_id"].to_numpy(object)[rows]
    days = time.astype(np.float64)
    codes = status.astype(np.int64)
    for array in (ids, days, codes):
        array.setflags(write=False)
    return RelapseRecords(
        patient_ids=ids,
        time=days,
        status=codes,
        by=by,
        groups=groups,
    )
