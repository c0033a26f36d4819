"""Planned events for a log-rank comparison (Schoenfeld 1983), inflated for a design.

With allocation ratio a = n_experimental / n_control (rpact ``allocationRatioPlanned``), the
information about log HR from d events is about d a / (1 + a)^2, so the fixed design needs

    d_fixed = (z_alpha + z_beta)^2 (1 + a)^2 / (a log(HR)^2)

events (one-sided alpha), and the group-sequential design d_max = inflation_factor * d_fixed,
with d_max * t_k events at look k (rpact ``getSampleSizeSurvival(design, hazardRatio,
allocationRatioPlanned)$maxNumberOfEvents`` and ``$eventsPerStage``, Schoenfeld's formula).

Expected events (rpact ``expectedEventsH0``, ``expectedEventsH1``): the trial stops at look k
with the probability of first crossing either bound there (futility stops counted, as rpact
does), so E[D] = sum_k d_k P(stop at k) + d_max P(reach the last look) = d_max times the
design's expected information fraction; under H0 (theta = 0) and under the design effect.
Events to reach a bound on the hazard-ratio scale: z at d events is HR = exp(-z / sqrt(c d)),
c = a / (1 + a)^2 (the HR at which the observed z would equal the bound).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.special import ndtri

from monitoring.designs.group_sequential.design import GroupSequentialDesign
from monitoring.designs.group_sequential.spending import GroupSequentialError


def information_per_event(allocation_ratio: float) -> float:
    """a / (1 + a)^2 = r (1 - r) with r = a / (1 + a), the share on the experimental arm."""
    if not (math.isfinite(allocation_ratio) and allocation_ratio > 0):
        raise GroupSequentialError(f"allocation ratio must be positive; got {allocation_ratio}")
    return allocation_ratio / (1.0 + allocation_ratio) ** 2


@dataclass(frozen=True)
class SurvivalEvents:
    """Events needed: ``fixed_events`` for one analysis, ``max_events`` for the design, the
    cumulative ``events_per_look`` (not rounded), and the expected events at which the trial
    ends under H0 and under the design hazard ratio (``expected_events_h0``, ``_h1``)."""

    hazard_ratio: float
    allocation_ratio: float
    fixed_events: float
    max_events: float
    events_per_look: tuple[float, ...]
    expected_events_h0: float
    expected_events_h1: float


def planned_events(
    design: GroupSequentialDesign, hazard_ratio: float, allocation_ratio: float = 1.0
) -> SurvivalEvents:
    """Events for ``design`` to detect ``hazard_ratio`` (< 1 or > 1, not 1) with power 1 - beta."""
    if not (math.isfinite(hazard_ratio) and hazard_ratio > 0 and hazard_ratio != 1.0):
        raise GroupSequentialError(f"hazard ratio must be positive and not 1; got {hazard_ratio}")
    z = float(-ndtri(design.spec.alpha)) + float(-ndtri(design.spec.beta))
    fixed = z * z / (information_per_event(allocation_ratio) * math.log(hazard_ratio) ** 2)
    total = fixed * design.inflation_factor
    return SurvivalEvents(
        hazard_ratio=hazard_ratio,
        allocation_ratio=allocation_ratio,
        fixed_events=fixed,
        max_events=total,
        events_per_look=tuple(total * t for t in design.spec.fractions),
        expected_events_h0=design.asn_h0 * fixed,
        expected_events_h1=design.asn_h1 * fixed,
    )


def hazard_ratio_at(z: float, events: float, allocation_ratio: float = 1.0) -> float:
    """The hazard ratio (experimental / control) at which the log-rank z after ``events``
    events equals ``z``: exp(-z / sqrt(c d)); 0 for z = +inf (no bound at that look)."""
    if not (math.isfinite(events) and events > 0):
        raise GroupSequentialError(f"events must be positive; got {events}")
    if math.isinf(z):
        return 0.0 if z > 0 else math.inf
    return math.exp(-z / math.sqrt(information_per_event(allocation_ratio) * events))
