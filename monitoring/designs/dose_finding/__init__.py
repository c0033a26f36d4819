"""Dose finding from DLT data: the 3+3 design and BOIN (Liu & Yuan 2015).

Pure functions returning frozen dataclasses: boundaries and decisions are exact; the
operating characteristics are exact for 3+3 (enumeration) and simulated for BOIN (see
``simulation``).
"""

from monitoring.designs.dose_finding.boin import (
    BoinBoundaries,
    BoinBoundary,
    BoinDesign,
    MtdSelection,
    boin_boundaries,
    boin_next,
    boundary_at,
    eliminated_doses,
    select_mtd,
)
from monitoring.designs.dose_finding.decision import (
    DoseData,
    DoseRow,
    NextCohort,
    Recommendation,
)
from monitoring.designs.dose_finding.errors import DoseFindingError
from monitoring.designs.dose_finding.isotonic import boin_isotonic_estimates, pava
from monitoring.designs.dose_finding.path import (
    Cohort,
    DosePath,
    PathStep,
    boin_path,
    three_plus_three_path,
)
from monitoring.designs.dose_finding.simulation import (
    OperatingCharacteristics,
    boin_oc,
    three_plus_three_oc,
    three_plus_three_oc_simulated,
)
from monitoring.designs.dose_finding.three_plus_three import (
    three_plus_three_mtd,
    three_plus_three_next,
)

__all__ = [
    "BoinBoundaries",
    "BoinBoundary",
    "BoinDesign",
    "Cohort",
    "DoseData",
    "DoseFindingError",
    "DosePath",
    "DoseRow",
    "MtdSelection",
    "NextCohort",
    "OperatingCharacteristics",
    "PathStep",
    "Recommendation",
    "boin_boundaries",
    "boin_isotonic_estimates",
    "boin_next",
    "boin_oc",
    "boin_path",
    "boundary_at",
    "eliminated_doses",
    "pava",
    "select_mtd",
    "three_plus_three_mtd",
    "three_plus_three_next",
    "three_plus_three_oc",
    "three_plus_three_oc_simulated",
    "three_plus_three_path",
]
