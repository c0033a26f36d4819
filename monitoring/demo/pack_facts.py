"""What the demo's meeting-pack tables are drawn from: each protocol's treatment regimen
(agents, planned dose per cycle, dose levels a reduction steps through), the laboratory
tests with their units and normal limits, and how each baseline characteristic a protocol
declares is distributed.

Doses: the default trial (seed 003) gives them in sections 3.3 and 8.1.6: cycle 1
inotuzumab ozogamicin 0.8 mg/m2 day 1 + 0.5 mg/m2 days 8 and 15 (1.8 mg/m2), later cycles
0.6 mg/m2 day 1 + 0.3 mg/m2 day 8 (0.9 mg/m2, level 0), reduced to 0.6 (level -1) and then
0.4 mg/m2 (level -2). Seed 002 gives 0.5 mg/m2 days 1, 8 and 15 (1.5 mg/m2 per 28-day
cycle); seed 001 liposomal vincristine 2.25 mg/m2 (days 1, 8 and 15 in induction, days 1
and 15 in maintenance) and the protocol file's dose levels (0.9 to 1.8 mg/m2 per cycle).
Seed 000 cohort 1 uses the adult dose (as seed 003's cycle 1, then 0.5 mg/m2 x 3); its
cohort 2 levels and AALL1732's inotuzumab blocks (0.5 mg/m2 day 1 + 0.3 mg/m2 days 8 and
15, two blocks, arm B) are ILLUSTRATIVE: the seed texts give no dose. Baseline
distributions and laboratory values are illustrative demo figures, chosen to respect each
seed's eligibility criteria (seed 003: Ph-negative, bilirubin <= 1.5 x ULN and ALT/AST <=
2.5 x ULN at screening), not estimates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import pandas as pd

Floats = npt.NDArray[np.float64]
Objects = npt.NDArray[np.object_]

INO = "Inotuzumab ozogamicin"


@dataclass(frozen=True)
class Agent:
    """One agent of a regimen. ``first``/``later``: planned dose of cycle 1 and of later
    cycles (None: not recorded as a dose, only the cycle); ``by_level``: planned dose per
    cycle by the patient's dose level (overrides first/later); ``reductions``: the
    fractions of the planned dose given at the successive reduced levels; ``last_dose``:
    the fraction of a cycle's dose an omitted last dose removes; ``only``: (patient column,
    value) the agent is given to; ``cycles``: given in the first N cycles only."""

    name: str
    unit: str | None
    first: float | None
    later: float | None
    by_level: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    reductions: tuple[float, ...] = (2 / 3, 4 / 9)
    last_dose: float = 1 / 3
    last_dose_first: float | None = None
    only: tuple[str, str] | None = None
    cycles: int | None = None


@dataclass(frozen=True)
class Regimen:
    """The agents of a protocol and its number of cycles (``cohort_cycles``: fewer for a
    cohort, by id). ``platelets``: median platelet count at entry (10^9/L)."""

    agents: tuple[Agent, ...]
    max_cycles: int = 6
    cohort_cycles: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    platelets: float = 60.0


def _levels(**doses: float) -> Mapping[str, float]:
    return MappingProxyType({k.replace("m", "-"): v for k, v in doses.items()})


DEFAULT_REGIMEN = Regimen(
    agents=(Agent(INO, "mg/m2", 1.8, 0.9, reductions=(0.6 / 0.9, 0.4 / 0.9), last_dose=0.3 / 0.9),),
)

REGIMENS: Mapping[str, Regimen] = MappingProxyType(
    {
        "ino-lowdose-ph2": DEFAULT_REGIMEN,
        "peds-ino-two-cohorts": Regimen(
            agents=(
                Agent(INO, "mg/m2", 1.8, 1.5, last_dose_first=0.5 / 1.8, only=("cohort", "1")),
                Agent(
                    INO,
                    "mg/m2",
                    1.5,
                    1.5,
                    by_level=_levels(**{"1": 1.5, "m1": 0.9, "m2": 0.9}),
                    only=("cohort", "2"),
                ),
            ),
            cohort_cycles=MappingProxyType({"2": 2}),
            platelets=70.0,
        ),
        "mrd-ino-ph2": Regimen(agents=(Agent(INO, "mg/m2", 1.5, 1.5),), platelets=170.0),
        "ino-liposomal-vcr-ph1b2": Regimen(
            agents=(
                Agent(
                    INO,
                    "mg/m2",
                    1.2,
                    1.2,
                    by_level=_levels(m1=0.9, **{"1": 1.2, "2": 1.5, "3": 1.8}),
                ),
                Agent("Vincristine sulfate liposome", "mg/m2", 6.75, 4.5, last_dose=0.5),
            ),
        ),
        "aall1732-randomized": Regimen(
            agents=(
                Agent("Post-induction chemotherapy", None, None, None),
                Agent(INO, "mg/m2", 1.1, 1.1, last_dose=0.3 / 1.1, only=("arm", "B"), cycles=2),
            ),
            max_cycles=4,
            platelets=90.0,
        ),
    }
)
"""Regimens by protocol id; another protocol gets ``GENERIC_REGIMEN``."""

GENERIC_REGIMEN = Regimen(agents=(Agent("Study treatment", None, None, None),))

NO_PACK = frozenset({"pharmaverseadam"})
"""Protocols whose demo gets no meeting-pack tables: the ADaM sample is imported from its
own data (tests/data/pharmaverseadam)."""


@dataclass(frozen=True)
class LabTest:
    """A laboratory test: code, unit, normal limits (``uln_child``: the upper limit under
    18 years, where it differs), the log-normal median and spread of a screening value
    and of the visit-to-visit noise, the screening range allowed, rounding."""

    code: str
    unit: str
    lln: float | None
    uln: float | None
    median: float
    spread: float
    noise: float
    low: float
    high: float
    decimals: int
    uln_child: float | None = None


LAB_TESTS: tuple[LabTest, ...] = (
    LabTest("BILI", "mg/dL", None, 1.2, 0.55, 0.35, 0.15, 0.2, 1.7, 1),
    LabTest("ALT", "U/L", None, 40.0, 24.0, 0.35, 0.2, 6.0, 95.0, 0),
    LabTest("AST", "U/L", None, 40.0, 25.0, 0.35, 0.2, 8.0, 95.0, 0),
    LabTest("ALP", "U/L", None, 120.0, 85.0, 0.3, 0.12, 30.0, 250.0, 0, uln_child=350.0),
    LabTest("WEIGHT", "kg", None, None, 70.0, 0.0, 0.012, 8.0, 160.0, 1),
    LabTest("PLT", "10^9/L", 150.0, 400.0, 60.0, 0.7, 0.3, 8.0, 400.0, 0),
)
"""Screening limits follow seed 003's eligibility (bilirubin <= 1.5 x ULN, ALT and AST <=
2.5 x ULN); a child's ALP runs higher (median 200 U/L, ULN 350)."""

LAB_AE_TERMS: Mapping[str, str] = MappingProxyType(
    {
        "Alanine aminotransferase increased": "ALT",
        "Aspartate aminotransferase increased": "AST",
        "Blood bilirubin increased": "BILI",
        "Alkaline phosphatase increased": "ALP",
        "Platelet count decreased": "PLT",
    }
)
"""Adverse-event terms a laboratory value defines: the value at onset matches the grade."""

GRADE_RANGES: Mapping[str, tuple[tuple[float, float], ...]] = MappingProxyType(
    {
        # CTCAE v4.03 grades 1-4: multiples of ULN (ALT, AST, BILI, ALP), counts (PLT).
        "ALT": ((1.2, 2.8), (3.2, 4.8), (5.5, 15.0), (21.0, 30.0)),
        "AST": ((1.2, 2.8), (3.2, 4.8), (5.5, 15.0), (21.0, 30.0)),
        "BILI": ((1.1, 1.45), (1.6, 2.9), (3.2, 9.0), (10.5, 14.0)),
        "ALP": ((1.2, 2.4), (2.6, 4.8), (5.5, 15.0), (21.0, 25.0)),
        "PLT": ((80.0, 140.0), (52.0, 74.0), (26.0, 49.0), (5.0, 24.0)),
    }
)

VOD_TERMS = frozenset(
    {
        "veno-occlusive disease",
        "hepatic veno-occlusive disease",
        "sinusoidal obstruction syndrome",
        "vod",
        "sos",
        "vod/sos",
        "sos/vod",
    }
)
"""VOD/SOS spellings (lower case) the bundled protocols monitor."""

VOD_BILIRUBIN = ((2.1, 3.0), (2.5, 5.0), (4.0, 8.0), (6.0, 12.0))
"""Peak bilirubin (mg/dL) of a VOD/SOS by grade 1-4: at least 2 mg/dL (modified Seattle
and Baltimore criteria)."""
VOD_WEIGHT_GAIN = (1.07, 1.15)
"""Peak weight as a multiple of screening weight: a gain above 5 %."""

Draw = Callable[[np.random.Generator, pd.DataFrame], Objects]


def category_draw(values: tuple[str, ...], p: tuple[float, ...]) -> Draw:
    def draw(rng: np.random.Generator, patients: pd.DataFrame) -> Objects:
        return rng.choice(np.array(values, dtype=object), len(patients), p=list(p))

    return draw


def number_draw(low: float, high: float, decimals: int, shape: float = 1.0) -> Draw:
    """Values between low and high (a Beta(shape, 1) position: > 1 leans high)."""

    def draw(rng: np.random.Generator, patients: pd.DataFrame) -> Objects:
        x = low + (high - low) * rng.beta(shape, 1.0, len(patients))
        return np.array([f"{v:.{decimals}f}" for v in x], dtype=object)

    return draw


def _lognumber_draw(low: float, high: float, decimals: int) -> Draw:
    """Values spread evenly on the log scale between low and high."""

    def draw(rng: np.random.Generator, patients: pd.DataFrame) -> Objects:
        x = np.exp(rng.uniform(np.log(low), np.log(high), len(patients)))
        return np.array([f"{v:.{decimals}f}" for v in x], dtype=object)

    return draw


def _prior_hsct(rng: np.random.Generator, patients: pd.DataFrame) -> Objects:
    """More likely after more salvage lines (none in first salvage's first relapse)."""
    line = patients["salvage_line"].astype("Float64").fillna(1).to_numpy(float)
    chance = np.clip(0.08 + 0.12 * (line - 1), 0.0, 0.4)
    return np.where(rng.random(len(patients)) < chance, "yes", "no").astype(object)


def _risk_group(rng: np.random.Generator, patients: pd.DataFrame) -> Objects:
    """AALL1732: higher risk more often at 10 years or older (NCI high risk by age)."""
    age = patients["age"].astype("Float64").fillna(10).to_numpy(float)
    chance = np.where(age >= 10, 0.7, 0.45)
    return np.where(rng.random(len(patients)) < chance, "high", "standard").astype(object)


BASELINE_DRAWS: Mapping[str, Draw] = MappingProxyType(
    {
        "ecog": category_draw(("0", "1", "2", "3"), (0.3, 0.45, 0.2, 0.05)),
        "marrow_blasts": number_draw(6.0, 95.0, 1, shape=1.3),
        "cd22": number_draw(60.0, 100.0, 1, shape=2.5),
        "ph_status": category_draw(("negative", "positive"), (0.8, 0.2)),
        "prior_hsct": _prior_hsct,
        "cns_status": category_draw(("CNS1", "CNS2", "CNS3"), (0.82, 0.12, 0.06)),
        "down_syndrome": category_draw(("no", "yes"), (0.95, 0.05)),
        "mrd_at_entry": _lognumber_draw(0.1, 4.99, 2),
        "entry_setting": category_draw(
            ("after two induction attempts", "relapse", "after HSCT"), (0.35, 0.45, 0.2)
        ),
        "performance_score": category_draw(
            ("50", "60", "70", "80", "90", "100"), (0.03, 0.05, 0.1, 0.22, 0.3, 0.3)
        ),
        "risk_group": _risk_group,
        "wbc_at_diagnosis": _lognumber_draw(1.0, 400.0, 1),
        "diagnosis": category_draw(("B-ALL", "MPAL", "B-LLy"), (0.94, 0.02, 0.04)),
    }
)
"""How each baseline characteristic id the bundled protocols declare is drawn (values are
the text the importer reads). The protocol's own ``categories`` restrict a category."""

FIXED_BASELINE: Mapping[tuple[str, str], str] = MappingProxyType(
    {("ino-lowdose-ph2", "ph_status"): "negative"}
)
"""(protocol, characteristic) with one value for every patient: seed 003 excludes Ph+ ALL
(exclusion criterion 3)."""
