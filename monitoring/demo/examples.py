"""Demo trials of protocols without a Simon rule: the bundled example protocols (and any
other such protocol), described as data.

Each example protocol has one :class:`ExampleScenario`: its size, accrual, follow-up, who
the patients are, and its strata (a cohort, arm or dose level, or a combination), each with
its own chance of remission and of relapse. The generator (:func:`build_example`) turns the
description into a :class:`~monitoring.demo.plan.Plan` on the same timeline and course model
as the default trial's scenarios, so the data obey the same import rules. Response codes
come from the protocol's own categories. A protocol without a description of its own gets
:func:`generic_scenario` (its units shared evenly). The figures are illustrative demo
values, chosen to look like the seed trials, not estimates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from types import MappingProxyType

import numpy as np

from monitoring.demo.detail import DetailScript
from monitoring.demo.events import monitored_terms
from monitoring.demo.plan import Plan
from monitoring.demo.scenarios import Builder, Scenario
from monitoring.errors import InputError
from monitoring.protocol import Protocol

# Codes the course model writes besides the protocol's remission codes (events.py).
OTHER_CODES = ("PR", "NR", "PD", "NE")
UNIT_COLUMNS = ("cohort", "arm", "dose_level")


class ExampleScenarioError(InputError):
    """A protocol's categories or units do not fit the demo's description of it."""


@dataclass(frozen=True)
class Stratum:
    """Patients of one unit combination: ``units`` maps a patient column (cohort, arm,
    dose_level) to the unit id; ``share`` is the chance a patient belongs here;
    ``remission`` the chance of a remission course; ``relapse`` the chance a remission
    relapses, after a median of ``relapse_median_days``."""

    units: Mapping[str, str]
    share: float
    remission: float
    relapse: float = 0.5
    relapse_median_days: int = 240


@dataclass(frozen=True)
class ExampleScenario:
    """One example trial. ``remission_codes``: the chance of each remission code (the
    protocol's own; the importer refuses others). ``follow_up_days``: from the last first
    dose to the data date. ``age``: (mean, sd, lowest, highest) years. ``salvage_line_p``:
    chances of salvage lines 1, 2, ... (empty: not recorded, as in a front-line trial).
    ``vod``: chance a treated patient has VOD deemed related (the event of the protocol's
    first monitored toxicity); ``toxicity``: that chance for a toxicity rule by its id, where
    it differs. Each rule monitoring its own terms gets its own events (a further 2 % of
    patients have one deemed unrelated)."""

    patients: int
    accrual_per_month: float
    start: date
    follow_up_days: int
    strata: tuple[Stratum, ...]
    remission_codes: Mapping[str, float]
    mrd_negative: float = 0.55
    age: tuple[float, float, int, int] = (46.0, 15.0, 18, 84)
    salvage_line_p: tuple[float, ...] = (0.45, 0.35, 0.2)
    max_cycles: int = 6
    hsct: float = 0.3
    death_in_remission: float = 0.2
    vod: float = 0.08
    toxicity: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    ae_per_cycle: float = 2.5
    untreated: float = 0.03
    detail: DetailScript = field(default_factory=DetailScript)
    note: str = field(default="", compare=False)


def _frozen(**units: str) -> Mapping[str, str]:
    return MappingProxyType(dict(units))


def _frozen_p(**chances: float) -> Mapping[str, float]:
    return MappingProxyType(dict(chances))


def _frozen_dlt(flags: dict[str, tuple[int, ...]]) -> Mapping[str, tuple[int, ...]]:
    return MappingProxyType(dict(flags))


CHILDREN = (9.0, 5.0, 1, 21)  # age at enrolment, years
GENERIC_END = date(2025, 1, 31)  # about when a generic example trial's data end

EXAMPLES: Mapping[str, ExampleScenario] = MappingProxyType(
    {
        "peds-ino-two-cohorts": ExampleScenario(
            note="40 children: cohort 1 single agent, cohort 2 with mBFM at dose levels "
            "1, -1, -2; remission after one cycle, relapse and 3-year EFS/OS",
            patients=40,
            accrual_per_month=1.5,
            start=date(2022, 3, 7),
            follow_up_days=180,
            strata=(
                Stratum(_frozen(cohort="1"), 0.5, remission=0.8, relapse=0.6),
                Stratum(_frozen(cohort="2"), 0.5, remission=0.8, relapse=0.45),
            ),
            remission_codes=_frozen_p(CR=0.6, CRi=0.4),
            age=CHILDREN,
            salvage_line_p=(0.6, 0.3, 0.1),
            max_cycles=4,
            hsct=0.45,
            vod=0.1,
            # Cohort 2: 2 DLTs among the first 4 at level 1 de-escalate to -1, tolerated there.
            detail=DetailScript(dlt=_frozen_dlt({"1": (0, 1, 0, 1), "-1": (0, 0, 1, 0, 0, 0)})),
        ),
        "mrd-ino-ph2": ExampleScenario(
            note="32 children in morphologic remission with MRD: the primary endpoint is MRD "
            "negativity; most stay in CR, relapses and deaths give EFS and OS",
            patients=32,
            accrual_per_month=1.2,
            start=date(2022, 9, 5),
            follow_up_days=240,
            strata=(Stratum(_frozen(), 1.0, remission=0.9, relapse=0.4, relapse_median_days=300),),
            remission_codes=_frozen_p(CR=0.85, CRi=0.15),
            mrd_negative=0.7,
            age=CHILDREN,
            salvage_line_p=(0.7, 0.3),
            max_cycles=3,
            hsct=0.5,
            death_in_remission=0.1,
            vod=0.06,
            ae_per_cycle=2.0,
            detail=DetailScript(mrd_negative=0.6),
        ),
        "ino-liposomal-vcr-ph1b2": ExampleScenario(
            note="Phase Ib: 18 adults in BOIN cohorts of 3 (level 3 eliminated after 3 DLTs "
            "in 3, MTD level 2); phase II: 37 adults at level 2, ORR, neuropathy and VOD",
            patients=55,
            accrual_per_month=2.0,
            start=date(2022, 5, 2),
            follow_up_days=150,
            strata=(
                Stratum(_frozen(cohort="Ib"), 18 / 55, remission=0.7, relapse=0.6),
                Stratum(_frozen(cohort="II"), 37 / 55, remission=0.72, relapse=0.6),
            ),
            remission_codes=_frozen_p(CR=0.6, CRi=0.4),
            max_cycles=6,
            hsct=0.35,
            vod=0.08,
            # Grade >= 2 neuropathy is the commoner toxicity of liposomal vincristine.
            toxicity=_frozen_p(neuropathy=0.14),
            untreated=0.0,
            detail=DetailScript(
                dlt=_frozen_dlt({"1": (0, 0, 0), "2": (0, 1, 0, 0, 0, 0, 0, 1, 0), "3": (1, 1, 1)}),
                phase_split=("Ib", "II"),
            ),
        ),
        "aall1732-randomized": ExampleScenario(
            note="200 newly diagnosed patients randomized 1:1 to A or B; high remission in "
            "both arms, fewer relapses on B (EFS by arm)",
            patients=200,
            accrual_per_month=8.0,
            start=date(2021, 6, 7),
            follow_up_days=365,
            strata=(
                Stratum(_frozen(arm="A"), 0.5, 0.93, relapse=0.3, relapse_median_days=420),
                Stratum(_frozen(arm="B"), 0.5, 0.95, relapse=0.18, relapse_median_days=420),
            ),
            remission_codes=_frozen_p(CR=0.9, CRi=0.1),
            mrd_negative=0.75,
            age=(10.0, 5.5, 1, 24),  # the seed: 1 to 24 years
            salvage_line_p=(),
            max_cycles=4,
            hsct=0.05,
            death_in_remission=0.05,
            vod=0.03,
            ae_per_cycle=2.0,
            untreated=0.01,
        ),
        "pharmaverseadam": ExampleScenario(
            note="254 patients randomized to placebo, xanomeline low or high dose (the CDISC "
            "pilot's size); few responses in every arm. The real sample is imported with "
            "import --format adam (data/mappings/pharmaverseadam.toml)",
            patients=254,
            accrual_per_month=10.0,
            start=date(2012, 7, 2),
            follow_up_days=180,
            strata=(
                Stratum(_frozen(arm="Pbo"), 0.34, 0.05, relapse=0.5, relapse_median_days=90),
                Stratum(_frozen(arm="Xan_Lo"), 0.33, 0.05, relapse=0.5, relapse_median_days=90),
                Stratum(_frozen(arm="Xan_Hi"), 0.33, 0.05, relapse=0.5, relapse_median_days=90),
            ),
            remission_codes=_frozen_p(CR=1.0),
            mrd_negative=0.0,
            age=(75.0, 8.0, 51, 89),
            salvage_line_p=(),
            max_cycles=3,
            hsct=0.0,
            death_in_remission=0.01,
            vod=0.0,
            ae_per_cycle=1.5,
            untreated=0.0,
        ),
    }
)


_AALL = EXAMPLES["aall1732-randomized"]

# Further scenarios of an example protocol, by (protocol id, scenario): each shows the
# decision its name promises under the protocol's own rules.
VARIANTS: Mapping[tuple[str, Scenario], ExampleScenario] = MappingProxyType(
    {
        # Cohort 1 responds poorly: the Simon rule on cohort 1 stops for futility at stage 1.
        ("peds-ino-two-cohorts", Scenario.FUTILITY): replace(
            EXAMPLES["peds-ino-two-cohorts"],
            note="Cohort 1 responds poorly (CR/CRi about 15 %): its Simon rule stops for "
            "futility at stage 1; cohort 2 as in on_track",
            strata=(
                Stratum(_frozen(cohort="1"), 0.5, remission=0.15, relapse=0.6),
                Stratum(_frozen(cohort="2"), 0.5, remission=0.8, relapse=0.45),
            ),
        ),
        # Cohort 2 too toxic at every level: 1 -> -1 -> -2, then stop.
        ("peds-ino-two-cohorts", Scenario.TOXICITY_STOP): replace(
            EXAMPLES["peds-ino-two-cohorts"],
            note="Cohort 2: 2 DLTs at level 1, at -1 and at -2: de-escalated twice, then "
            "the de-escalation rule stops the cohort",
            detail=DetailScript(dlt=_frozen_dlt({"1": (1, 1), "-1": (0, 1, 1), "-2": (1, 0, 1)})),
        ),
        # The lowest doses too toxic: BOIN eliminates level -1 with every higher dose: stop.
        ("ino-liposomal-vcr-ph1b2", Scenario.TOXICITY_STOP): replace(
            EXAMPLES["ino-liposomal-vcr-ph1b2"],
            note="Phase Ib: 2 DLTs of 3 at level 1, 3 of 3 at level -1: BOIN eliminates "
            "every dose and dose finding stops",
            detail=DetailScript(
                dlt=_frozen_dlt({"1": (1, 0, 1), "-1": (1, 1, 1)}), phase_split=("Ib", "II")
            ),
        ),
        # Few MRD responses: the Simon rule on MRD negativity stops for futility.
        ("mrd-ino-ph2", Scenario.FUTILITY): replace(
            EXAMPLES["mrd-ino-ph2"],
            note="Few patients clear their MRD (about 10 %): the MRD rule stops for futility",
            detail=DetailScript(mrd_negative=0.1),
        ),
        ("aall1732-randomized", Scenario.EARLY_SUCCESS): replace(
            _AALL,
            note="300 patients randomized 1:1; arm B relapses far less often than arm A: "
            "the EFS comparison crosses the O'Brien–Fleming efficacy bound at an interim look",
            patients=300,
            accrual_per_month=12.0,
            start=date(2021, 1, 4),
            follow_up_days=240,
            strata=(
                Stratum(_frozen(arm="A"), 0.5, 0.85, relapse=0.6, relapse_median_days=240),
                Stratum(_frozen(arm="B"), 0.5, 0.95, relapse=0.12, relapse_median_days=300),
            ),
        ),
        ("aall1732-randomized", Scenario.FUTILITY): replace(
            _AALL,
            note="240 patients randomized 1:1; arm B does no better than arm A (slightly "
            "worse): the EFS comparison falls below the non-binding futility bound",
            patients=240,
            accrual_per_month=12.0,
            start=date(2021, 1, 4),
            follow_up_days=60,
            strata=(
                Stratum(_frozen(arm="A"), 0.5, 0.93, relapse=0.3, relapse_median_days=300),
                Stratum(_frozen(arm="B"), 0.5, 0.88, relapse=0.45, relapse_median_days=300),
            ),
        ),
        ("aall1732-randomized", Scenario.LARGE): replace(
            _AALL,
            note="2,000 patients randomized 1:1 over about 4 years, for speed work",
            patients=2000,
            accrual_per_month=40.0,
            start=date(2020, 1, 6),
        ),
    }
)


def example_scenarios(protocol: Protocol) -> tuple[Scenario, ...]:
    """The scenarios of an example protocol: on_track and its variants."""
    extra = tuple(sc for (pid, sc) in VARIANTS if pid == protocol.id)
    return (Scenario.ON_TRACK, *extra)


def generic_scenario(protocol: Protocol) -> ExampleScenario:
    """A protocol without a description of its own: 40 patients (fewer if its maximum is
    smaller), each unit combination equally likely, remission 60%, the protocol's remission
    codes equally likely. Accrual starts so that the data end near ``GENERIC_END`` at the
    protocol's planned rate (an import refuses dates in the future)."""
    columns = {
        "cohort": [u.id for u in protocol.cohorts],
        "arm": [u.id for u in protocol.arms],
        "dose_level": [u.id for u in protocol.dose_levels],
    }
    combos: list[dict[str, str]] = [{}]
    for column, ids in columns.items():
        if ids:
            combos = [{**c, column: i} for c in combos for i in ids]
    codes = protocol.response.remission
    patients = min(40, protocol.max_patients or 40)
    rate = protocol.accrual.planned_per_month or 2.0
    follow_up = 180
    accrual = timedelta(days=round(patients / rate * protocol.survival.days_per_month))
    return ExampleScenario(
        patients=patients,
        accrual_per_month=rate,
        start=GENERIC_END - accrual - timedelta(days=follow_up),
        follow_up_days=follow_up,
        strata=tuple(Stratum(_frozen(**c), 1 / len(combos), remission=0.6) for c in combos),
        remission_codes=_frozen_p(**{c: 1 / len(codes) for c in codes}),
    )


def scenario_for(protocol: Protocol, scenario: Scenario = Scenario.ON_TRACK) -> ExampleScenario:
    """The protocol's own description of ``scenario`` if it has one (by id), else the
    generic one."""
    variant = VARIANTS.get((protocol.id, scenario))
    return variant or EXAMPLES.get(protocol.id) or generic_scenario(protocol)


def check_fits(scenario: ExampleScenario, protocol: Protocol) -> None:
    """Refuse a description that would write codes or units the protocol does not define."""
    defined = set(protocol.response.categories)
    codes = set(scenario.remission_codes)
    if not codes <= set(protocol.response.remission):
        raise ExampleScenarioError(
            f"demo remission codes {sorted(codes)} are not all remission categories of "
            f"protocol '{protocol.id}' ({', '.join(protocol.response.remission)})"
        )
    missing = [c for c in OTHER_CODES if c not in defined]
    if missing:
        raise ExampleScenarioError(
            f"the demo writes response codes {', '.join(missing)}, which protocol "
            f"'{protocol.id}' does not define; it cannot make demo data for it"
        )
    declared = {
        "cohort": {u.id for u in protocol.cohorts},
        "arm": {u.id for u in protocol.arms},
        "dose_level": {u.id for u in protocol.dose_levels},
    }
    for stratum in scenario.strata:
        for column, unit in stratum.units.items():
            if column not in declared or unit not in declared[column]:
                raise ExampleScenarioError(
                    f"demo stratum {column}={unit!r} is not a unit of protocol '{protocol.id}'"
                )
    if not np.isclose(sum(s.share for s in scenario.strata), 1.0):
        raise ExampleScenarioError(f"the demo strata of '{protocol.id}' do not add up to 1")
    if not np.isclose(sum(scenario.remission_codes.values()), 1.0):
        raise ExampleScenarioError(
            f"the demo remission codes of '{protocol.id}' do not add up to 1"
        )


def build_example(
    protocol: Protocol, rng: np.random.Generator, scenario: Scenario = Scenario.ON_TRACK
) -> Plan:
    """The plan of the protocol's example trial (its description, or the generic one)."""
    s = scenario_for(protocol, scenario)
    check_fits(s, protocol)
    n = s.patients
    untreated = tuple(int(i) for i in np.nonzero(rng.random(n) < s.untreated)[0])
    b = Builder(
        protocol,
        rng,
        n,
        per_month=s.accrual_per_month,
        untreated=untreated,
        tail=s.follow_up_days,
        max_cycles=s.max_cycles,
    )
    which = rng.choice(len(s.strata), n, p=[st.share for st in s.strata])
    relapse = np.zeros(n)
    median = np.zeros(n, dtype=np.int64)
    units = {c: np.full(n, None, dtype=object) for c in UNIT_COLUMNS}
    for k, stratum in enumerate(s.strata):
        members = np.nonzero(which == k)[0]
        b.random(members, stratum.remission)
        relapse[members] = stratum.relapse
        median[members] = stratum.relapse_median_days
        for column, unit in stratum.units.items():
            units[column][members] = unit
    treated = np.nonzero(b.treated)[0]
    groups = monitored_terms(protocol)
    chances = [s.toxicity.get(g.id, s.vod) for g in groups] or [s.vod]
    draw = rng.random(treated.size)
    b.vod_at(treated[draw < chances[0]])
    b.vod_at(treated[(draw >= chances[0]) & (draw < chances[0] + 0.02)], related=False)
    others = []
    for chance in chances[1:]:
        flags = np.zeros(n, dtype=np.int64)
        draw = rng.random(treated.size)
        flags[treated[draw < chance]] = 1
        flags[treated[(draw >= chance) & (draw < chance + 0.02)]] = 2
        others.append(flags)
    plan = b.plan(hsct=s.hsct, ae_per_cycle=s.ae_per_cycle, start=s.start)
    declared = {
        "cohort": protocol.cohorts,
        "arm": protocol.arms,
        "dose_level": protocol.dose_levels,
    }
    return replace(
        plan,
        relapse_median_days=median,
        durable_remission=1.0 - relapse,
        death_in_remission=s.death_in_remission,
        remission_codes=tuple(s.remission_codes),
        remission_code_p=tuple(s.remission_codes.values()),
        mrd_negative=s.mrd_negative,
        units={c: v for c, v in units.items() if declared[c]},
        age=s.age,
        salvage_line_p=s.salvage_line_p,
        other_toxicity=tuple(others),
    )
