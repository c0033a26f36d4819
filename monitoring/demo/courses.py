"""Each treated patient's course, in days from first dose: assessment schedule, remission,
relapse, transplant, end of treatment and death (vectorised over patients)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from monitoring.demo.plan import Course, Ints, Plan
from monitoring.protocol import Protocol

NEVER = 40_000  # days: "does not happen" (kept finite so sums stay integer)
Objects = npt.NDArray[np.object_]


@dataclass(frozen=True, eq=False)
class Courses:
    """Per-patient timelines (days from first dose; ``never`` when it does not happen).

    ``days[i, k]`` is the day of assessment k (0: cycle 1 day 14, 1: cycle 1 day 21,
    k >= 2: cycle k, near day 21 of the cycle); ``cycles[k]`` its cycle; ``pd_index`` the
    assessment that shows progression (-1 if none).
    """

    never: int
    days: Ints
    cycles: Ints
    cycle_length: Ints
    pd_index: Ints
    remission_code: Objects
    off: Ints
    off_reason: Objects
    progression: Ints
    death: Ints
    death_cause: Objects
    hsct: Ints
    second_malignancy: Ints


def _exp_days(rng: np.random.Generator, median: float | Ints, n: int) -> Ints:
    """Exponential durations in whole days with the given median(s)."""
    scale = np.asarray(median, dtype=float) / np.log(2)
    return np.rint(rng.exponential(scale, n)).astype(np.int64)


def schedule(n: int, max_cycles: int, rng: np.random.Generator) -> tuple[Ints, Ints, Ints]:
    """Cycle lengths (26-30 days), assessment days (n, max_cycles + 1) and their cycles."""
    length = rng.integers(26, 31, n)
    k = np.arange(max_cycles + 1)
    nominal = np.where(k == 0, 14, 21 + np.maximum(k - 1, 0)[None, :] * length[:, None])
    days = nominal + rng.integers(-2, 3, (n, k.size))
    cycles = np.maximum(k, 1).astype(np.int64)
    return length, days.astype(np.int64), cycles


def _remission(plan: Plan, days: Ints, length: Ints, rng: np.random.Generator) -> dict[str, Ints]:
    """Relapse (detected at an assessment during treatment, or later), HSCT, end."""
    n, size = days.shape
    rows = np.arange(n)
    rem_index = np.clip(plan.remission_index, 0, size - 1)
    rem_day = days[rows, rem_index]
    completion = plan.max_cycles * length
    hsct_off = (np.maximum(2, np.maximum(rem_index, 1)) + rng.integers(0, 2, n)) * length
    hsct_off = hsct_off + rng.integers(0, 6, n)
    to_hsct = (rng.random(n) < plan.hsct_probability) & (hsct_off < completion)
    planned_end = np.where(to_hsct, hsct_off, completion)
    relapse = np.where(
        rng.random(n) < plan.durable_remission,
        NEVER,
        rem_day + 14 + _exp_days(rng, plan.relapse_median_days, n),
    )
    k = np.arange(size)[None, :]
    seen = (days >= relapse[:, None]) & (k > rem_index[:, None]) & (days <= planned_end[:, None])
    detected = seen.any(axis=1)
    pd_index = np.where(detected, seen.argmax(axis=1), -1)
    off = np.where(detected, days[rows, np.maximum(pd_index, 0)], planned_end)
    hsct = np.where(to_hsct & ~detected, off + rng.integers(14, 36, n), NEVER)
    relapse = np.where(detected, off, relapse)
    relapse = np.where((hsct < NEVER) & (relapse < NEVER), np.maximum(relapse, hsct + 30), relapse)
    dies = np.where(relapse < NEVER, rng.random(n) < 0.85, rng.random(n) < plan.death_in_remission)
    base = np.where(relapse < NEVER, relapse, np.maximum(off, rem_day) + 30)
    death = np.where(dies, base + _exp_days(rng, np.where(relapse < NEVER, 150, 400), n), NEVER)
    reason = np.where(detected, 1, np.where(to_hsct, 2, 0))
    return {
        "pd_index": pd_index,
        "off": off,
        "reason": reason,
        "progression": relapse,
        "death": np.maximum(death, rem_day + 7),
        "hsct": hsct,
    }


def _no_remission(
    plan: Plan, days: Ints, n_cycle: int, rng: np.random.Generator
) -> dict[str, Ints]:
    """Partial or no response: off treatment after the cycle-N assessment, or at an early
    progression (refractory); progression and death follow."""
    n = days.shape[0]
    rows = np.arange(n)
    early_pd = (plan.course == Course.REFRACTORY) & (rng.random(n) < 0.3)
    pd_at = rng.integers(1, n_cycle + 1, n)
    pd_day = days[rows, pd_at]
    off = np.where(
        early_pd, pd_day + rng.integers(0, 4, n), days[rows, n_cycle] + rng.integers(1, 6, n)
    )
    later = np.where(rng.random(n) < 0.8, off + 7 + _exp_days(rng, 45, n), NEVER)
    progression = np.where(early_pd, pd_day, later)
    base = np.where(progression < NEVER, progression, off)
    death = np.where(rng.random(n) < 0.9, base + 1 + _exp_days(rng, 100, n), NEVER)
    return {
        "pd_index": np.where(early_pd, pd_at, -1),
        "off": off,
        "reason": np.where(early_pd, 1, 3),
        "progression": progression,
        "death": death,
        "hsct": np.full(n, NEVER),
    }


REASONS = np.array(
    ["Completed treatment", "Progression/relapse", "Allogeneic HSCT", "No remission", "Death"],
    dtype=object,
)


def _death_causes(
    course: Ints, relapsed: npt.NDArray[np.bool_], hsct: Ints, rng: np.random.Generator
) -> Objects:
    n = course.size
    infection = rng.choice(np.array(["Sepsis", "Pneumonia", "Hemorrhage"], dtype=object), n)
    disease = np.where(rng.random(n) < 0.8, "Progressive disease", infection)
    transplant = np.where(rng.random(n) < 0.5, "GVHD", infection)
    return np.where(relapsed, disease, np.where(hsct < NEVER, transplant, infection)).astype(object)


def simulate_courses(plan: Plan, protocol: Protocol, rng: np.random.Generator) -> Courses:
    n = plan.course.size
    length, days, cycles = schedule(n, plan.max_cycles, rng)
    n_cycle = min(protocol.response.nonresponse_after_cycle, plan.max_cycles)
    rem = _remission(plan, days, length, rng)
    nor = _no_remission(plan, days, n_cycle, rng)
    is_rem = plan.course == Course.REMISSION
    early = plan.course == Course.EARLY_DEATH
    pick = {key: np.where(is_rem, rem[key], nor[key]) for key in rem}
    early_death = rng.integers(5, 26, n)
    fd = plan.enroll_day + np.maximum(plan.dose_delay, 0)
    death = np.where(early, early_death, pick["death"])
    death = np.maximum(death, plan.alive_until - fd)
    off = np.where(early, death, np.minimum(pick["off"], death))
    reason = np.where(early | (death <= pick["off"]), 4, pick["reason"])
    progression = np.where(early | (pick["progression"] > death), NEVER, pick["progression"])
    hsct = np.where(pick["hsct"] < death, pick["hsct"], NEVER)
    second = np.where(rng.random(n) < 0.02, off + rng.integers(90, 540, n), NEVER)
    codes = np.array(plan.remission_codes, dtype=object)
    return Courses(
        never=NEVER,
        days=days,
        cycles=cycles,
        cycle_length=length,
        pd_index=np.where(early, -1, pick["pd_index"]),
        remission_code=rng.choice(codes, n, p=list(plan.remission_code_p)),
        off=off,
        off_reason=REASONS[reason],
        progression=progression,
        death=np.where(death >= NEVER, NEVER, death),
        death_cause=_death_causes(plan.course, progression < NEVER, hsct, rng),
        hsct=hsct,
        second_malignancy=np.where(second < death, second, NEVER),
    )
