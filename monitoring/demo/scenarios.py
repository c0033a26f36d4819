"""Demo scenarios: which patients respond and who has VOD, so that each scenario shows the
decision its name promises under the protocol's own rules (SPEC 3). Sizes and thresholds
come from the protocol (Simon n1, r1, n, r; toxicity looks and Beta posterior); the
scenario only chooses counts relative to them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum

import numpy as np

from monitoring.demo.plan import Course, Ints, Plan
from monitoring.designs.toxicity import ToxicityPlan, stopping_boundaries
from monitoring.protocol import Protocol, SimonRule, ToxicityRule


class Scenario(Enum):
    ON_TRACK = "on_track"
    ACCRUAL_SUSPENDED = "accrual_suspended"
    FUTILITY = "futility"
    TOXICITY_STOP = "toxicity_stop"
    EARLY_SUCCESS = "early_success"
    LARGE = "large"


@dataclass(frozen=True)
class DemoSettings:
    """Demo-only settings the protocol file does not carry.

    ``max_cycles``: seed 003 section 4 gives up to 6 cycles (the large trial uses the
    retreatment allowance of 6 more, 12). ``accrual_per_month`` is used when the protocol
    has no planned accrual. ``start``: first enrolment; ``large_start`` for the large
    trial, whose 48 months of accrual must also lie in the past (an import refuses dates
    after the day it runs).
    """

    start: date = date(2024, 1, 8)
    large_start: date = date(2020, 1, 6)
    max_cycles: int = 6
    large_max_cycles: int = 12
    accrual_per_month: float = 2.0
    large_patients: int = 5000
    large_accrual_months: float = 48.0
    ae_per_cycle: float = 2.5
    large_ae_per_cycle: float = 2.4
    hsct_probability: float = 0.3
    tail_days: int = 10


SETTINGS = DemoSettings()
MATURE_RESPONSE = 24  # days after first dose by which a day-14/21 remission is assessed


def toxicity_boundary(rule: ToxicityRule, k: int) -> int | None:
    """The rule's stopping count at look k (None where no count stops), from the design."""
    bounds = stopping_boundaries(ToxicityPlan.from_rule(rule))
    boundary = bounds.at(k) or (bounds.final if bounds.final and bounds.final.n == k else None)
    return boundary.stop_at if boundary else None


class Builder:
    """Timeline first (enrolment, first dose, data date), then courses chosen on it."""

    def __init__(
        self,
        protocol: Protocol,
        rng: np.random.Generator,
        n: int,
        *,
        per_month: float | None = None,
        untreated: tuple[int, ...] = (),
        tail: int = SETTINGS.tail_days,
        max_cycles: int = SETTINGS.max_cycles,
    ) -> None:
        self.protocol = protocol
        self.rng = rng
        rate = per_month or protocol.accrual.planned_per_month or SETTINGS.accrual_per_month
        gaps = rng.exponential(protocol.survival.days_per_month / rate, n)
        gaps[0] = 0.0
        self.enroll = np.rint(np.cumsum(gaps)).astype(np.int64)
        self.delay = rng.integers(2, 8, n)
        self.delay[list(untreated)] = -1
        self.treated = self.delay >= 0
        self.first_dose = self.enroll + np.maximum(self.delay, 0)
        idx = np.nonzero(self.treated)[0]
        self.order = idx[np.lexsort((idx, self.first_dose[idx]))]
        self.data_end = int(self.first_dose[self.order].max()) + tail
        self.maturity = self.data_end - self.first_dose
        self.course = np.full(n, Course.REFRACTORY, dtype=np.int64)
        self.remission_index = rng.choice([0, 1], n, p=[0.35, 0.65]).astype(np.int64)
        self.vod = np.zeros(n, dtype=np.int64)
        self.max_cycles = max_cycles
        self.n_cycle = protocol.response.nonresponse_after_cycle

    def no_remission(self, who: Ints) -> None:
        self.course[who] = self.rng.choice(
            [Course.PARTIAL, Course.REFRACTORY, Course.EARLY_DEATH], who.size, p=[0.3, 0.6, 0.1]
        )

    def random(self, who: Ints, p_remission: float) -> None:
        self.no_remission(who)
        self.course[who[self.rng.random(who.size) < p_remission]] = Course.REMISSION

    def responders(self, pool: Ints, count: int) -> None:
        """Exactly ``count`` of ``pool`` remit early enough to be known at the data date;
        the rest of the pool never remits."""
        eligible = pool[self.maturity[pool] >= MATURE_RESPONSE]
        if eligible.size < count:
            raise RuntimeError(f"only {eligible.size} patients can respond in time, need {count}")
        self.no_remission(pool)
        self.course[self.rng.choice(eligible, count, replace=False)] = Course.REMISSION

    def vod_at(self, who: Ints, related: bool = True) -> None:
        self.vod[who] = 1 if related else 2

    def plan(
        self,
        *,
        hsct: float = SETTINGS.hsct_probability,
        ae_per_cycle: float = SETTINGS.ae_per_cycle,
        protect: bool = True,
        relapse_median: int = 240,
        start: date = SETTINGS.start,
    ) -> Plan:
        """Recent patients without remission stay alive and on treatment through the data
        date (pending), so the scenario's pending counts hold."""
        alive_until = np.zeros(self.course.size, dtype=np.int64)
        if protect:
            young = self.treated & (self.maturity < 31 * self.n_cycle + 21)
            young &= self.course != Course.REMISSION
            self.course[young] = Course.PARTIAL
            alive_until[young] = self.data_end + 1
        return Plan(
            start=start,
            enroll_day=self.enroll,
            dose_delay=self.delay,
            course=self.course,
            remission_index=self.remission_index,
            vod=self.vod,
            alive_until=alive_until,
            data_end=self.data_end,
            max_cycles=self.max_cycles,
            ae_per_cycle=ae_per_cycle,
            hsct_probability=hsct,
            relapse_median_days=relapse_median,
        )


def _simon(protocol: Protocol) -> SimonRule:
    if protocol.simon is None:
        raise ValueError(f"demo scenarios need a Simon rule; protocol {protocol.id} has none")
    return protocol.simon


def _safe_vod(b: Builder, rule: ToxicityRule | None) -> None:
    """A few related VOD cases, fewer than the first look's boundary (so no look is
    crossed: boundaries do not decrease), plus one case deemed unlikely related."""
    if rule is None:
        return
    first = toxicity_boundary(rule, rule.looks[0])
    count = max(0, (first if first is not None else 2) - 2)
    picked = b.rng.choice(b.order, min(count + 1, b.order.size), replace=False)
    b.vod_at(picked[:count])
    b.vod_at(picked[count:], related=False)


def _on_track(protocol: Protocol, rng: np.random.Generator) -> Plan:
    s = _simon(protocol)
    n = s.n1 + round(0.4 * (s.n - s.n1))
    b = Builder(protocol, rng, n, untreated=(s.n1 + 2,))
    stage1, rest = b.order[: s.n1], b.order[s.n1 :]
    b.responders(stage1, min(s.r1 + 3, s.n1))
    b.random(rest, s.p1)
    extra = np.nonzero(b.course[rest] == Course.REMISSION)[0][s.r - (s.r1 + 3) :]
    b.course[rest[extra]] = Course.PARTIAL  # keep the final criterion open
    _safe_vod(b, protocol.primary_toxicity)
    return b.plan()


def _accrual_suspended(protocol: Protocol, rng: np.random.Generator) -> Plan:
    s = _simon(protocol)
    b = Builder(protocol, rng, s.n1)
    b.responders(b.order, s.r1)  # r1 responders; the latest patient is still pending
    _safe_vod(b, protocol.primary_toxicity)
    return b.plan()


def _futility(protocol: Protocol, rng: np.random.Generator) -> Plan:
    s = _simon(protocol)
    n_cycle = protocol.response.nonresponse_after_cycle
    b = Builder(protocol, rng, s.n1, tail=31 * n_cycle + 40)
    b.responders(b.order, max(s.r1 - 1, 0))
    _safe_vod(b, protocol.primary_toxicity)
    return b.plan()


def _toxicity_stop(protocol: Protocol, rng: np.random.Generator) -> Plan:
    s = _simon(protocol)
    rule = protocol.primary_toxicity
    if rule is None:
        raise ValueError(f"scenario toxicity_stop needs a toxicity rule; {protocol.id} has none")
    looks = rule.looks
    crossing = looks[1] if len(looks) > 1 else looks[0]
    b = Builder(protocol, rng, max(crossing + 4, s.n1 + 2))
    b.responders(b.order[: s.n1], min(s.r1 + 2, s.n1))
    b.random(b.order[s.n1 :], (s.p0 + s.p1) / 2)
    stop = toxicity_boundary(rule, crossing)
    if stop is None:
        raise ValueError(f"no toxicity count stops the trial at {crossing} patients")
    before = toxicity_boundary(rule, looks[0]) if crossing != looks[0] else None
    early = min(stop, (before - 1) if before is not None else 0)
    first = b.order[: looks[0]] if before is not None else b.order[:0]
    b.vod_at(rng.choice(first, early, replace=False))
    later = b.order[first.size : crossing]
    b.vod_at(rng.choice(later, stop - early, replace=False))
    return b.plan()


def _early_success(protocol: Protocol, rng: np.random.Generator) -> Plan:
    s = _simon(protocol)
    b = Builder(protocol, rng, s.n - s.n1 // 2)
    stage1, rest = b.order[: s.n1], b.order[s.n1 :]
    first = min(s.r1 + 3, s.n1)
    b.responders(stage1, first)
    b.responders(rest, s.r + 2 - first)
    _safe_vod(b, protocol.primary_toxicity)
    return b.plan()


def _large(protocol: Protocol, rng: np.random.Generator) -> Plan:
    n = SETTINGS.large_patients
    untreated = tuple(int(i) for i in np.nonzero(rng.random(n) < 0.02)[0])
    b = Builder(
        protocol,
        rng,
        n,
        per_month=n / SETTINGS.large_accrual_months,
        untreated=untreated,
        tail=21,
        max_cycles=SETTINGS.large_max_cycles,
    )
    b.random(b.order, 0.85)
    b.remission_index = rng.choice([0, 1, 2], n, p=[0.3, 0.5, 0.2]).astype(np.int64)
    draw = rng.random(n)
    b.vod[(draw < 0.07) & b.treated] = 1
    b.vod[(draw >= 0.07) & (draw < 0.09) & b.treated] = 2
    return b.plan(
        hsct=0.05,
        ae_per_cycle=SETTINGS.large_ae_per_cycle,
        protect=False,
        relapse_median=720,
        start=SETTINGS.large_start,
    )


BUILDERS: dict[Scenario, Callable[[Protocol, np.random.Generator], Plan]] = {
    Scenario.ON_TRACK: _on_track,
    Scenario.ACCRUAL_SUSPENDED: _accrual_suspended,
    Scenario.FUTILITY: _futility,
    Scenario.TOXICITY_STOP: _toxicity_stop,
    Scenario.EARLY_SUCCESS: _early_success,
    Scenario.LARGE: _large,
}
