"""What a demo scenario fixes about each patient; the engine draws the rest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Objects = npt.NDArray[np.object_]


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
    ``relapse_median_days``: median time from remission to relapse among those who relapse
    (one for all, or one per patient).

    The remaining fields have the defaults of the default trial (seed 003) and are set by
    the example protocols' scenarios (``monitoring/demo/examples.py``): ``durable_remission``
    the chance a remission never relapses (one or per patient); ``death_in_remission`` the
    chance a patient in lasting remission dies; ``remission_codes`` and
    ``remission_code_p`` the codes a remission is recorded as and their chances;
    ``mrd_negative`` the chance a remission marrow is MRD-negative; ``units`` the
    ``cohort``/``arm``/``dose_level`` of each patient (a column left out is drawn evenly
    from the protocol's units); ``age`` (mean, sd, lowest, highest) in years;
    ``salvage_line_p`` the chances of salvage lines 1, 2, ... (empty: not recorded).
    ``other_toxicity``: for a protocol whose toxicity rules monitor more than one set of
    terms, the events of the second, third, ... set (coded as ``vod``, which holds the
    first set's); see :func:`monitoring.demo.events.monitored_terms`.
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
    relapse_median_days: int | Ints
    durable_remission: float | Floats = 0.3
    death_in_remission: float = 0.2
    remission_codes: tuple[str, ...] = ("CR", "CRp", "CRi")
    remission_code_p: tuple[float, ...] = (0.5, 0.2, 0.3)
    mrd_negative: float = 0.55
    units: Mapping[str, Objects] = field(default_factory=dict)
    age: tuple[float, float, int, int] = (46.0, 15.0, 18, 84)
    salvage_line_p: tuple[float, ...] = (0.45, 0.35, 0.2)
    other_toxicity: tuple[Ints, ...] = ()
