"""What a demo scenario fixes about each patient; the engine draws the rest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]


class Course(IntEnum):
    """How a treated patient's disease responds."""

    REMISSION = 0  # remission at assessment ``remission_index``, may relapse later
    PARTIAL = 1  # partial response at best, off treatment after cycle N
    REFRACTORY = 2  # no response (or progression), off treatment by cycle N
    EARLY_DEATH = 3  # dies during cycle 1


@dataclass(frozen=True, eq=False)
class Plan:
    """What a scenario fixes. Arrays have one entry per patient, in enrolment order.

    ``dose_delay`` < 0 means never treated. ``remission_index`` is the assessment at which
    a REMISSION patient first shows remission (0: cycle 1 day 14, 1: cycle 1 day 21,
    k >= 2: cycle k). ``vod``: 0 none, 1 VOD deemed related, 2 VOD deemed unrelated.
    ``alive_until``: trial day up to which the patient neither dies nor stops treatment for
    death (0 for no constraint). ``data_end``: trial day of the data (the cut-off).
    ``relapse_median_days``: median time from remission to relapse among those who relapse.
    """

    start: date
    enroll_day: Ints
    dose_delay: Ints
    course: Ints
    remission_index: Ints
    vod: Ints
    alive_until: Ints
    data_end: int
    max_cycles: int
    ae_per_cycle: float
    hsct_probability: float
    relapse_median_days: int
