"""Planned events for a log-rank comparison (Schoenfeld 1983), inflated for a design.

With allocation ratio a = n_experimental / n_control (rpact ``allocationRatioPlanned``), the
information about log HR from d events is about d a / (1 + a)^2, so the fixed design needs

    d_fixed = (z_alpha + z_beta)^2 (1 + a)^2 / (a log(HR)^2)

events (one-sided alpha), and the group-sequential design d_max = inflation_factor * d_fixed,
with d_max * t_k events at look k (rpact ``getSampleSizeSurvival(design, hazardRatio,
allocationRatioPlanned)$maxNumberOfEvents`` and ``$eventsPerStage``, Schoenfeld's formula).
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
    """Events needed: ``fixed_events`` for one analysis, ``max_events`` for the design, and
    the cumulative ``events_per_look`` (not rounded)."""

    hazard_ratio: float
    allocation_ratio: float
    fixed_events: float
    max_events: float
    events_per_look: tuple[float, ...]


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
    )
