"""Kaplan–Meier medians and landmark survival compared between randomized arms.

For a protocol with two or more arms, each arm other than the reference is compared with
it: the reference is the control arm of the protocol's group-sequential rule, or else the
protocol's first arm. Per arm, the median with its CI (R's rule, the protocol's
``conf_type``); per comparison, the difference in medians with its bootstrap interval and
the difference in survival at each protocol landmark with its Greenwood/Wald interval
(``monitoring.survival.differences``). Results by arm: the closed view only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from monitoring.derive import Derivation
from monitoring.protocol import GroupSequentialRule, Protocol
from monitoring.survival import KaplanMeierResult, kaplan_meier
from monitoring.survival.differences import (
    LandmarkDifference,
    MedianDifference,
    landmark_difference,
    median_difference,
)

ARM_COLUMN = "arm"


@dataclass(frozen=True, eq=False)
class ArmFit:
    """One arm's Kaplan–Meier fit (``arm`` the protocol's id, ``label`` its name)."""

    arm: str
    label: str
    fit: KaplanMeierResult


@dataclass(frozen=True, eq=False)
class ArmDifference:
    """``arm`` against ``reference``: median and landmark differences (arm minus reference)."""

    reference: ArmFit
    arm: ArmFit
    median: MedianDifference
    landmarks: tuple[LandmarkDifference, ...]


@dataclass(frozen=True, eq=False)
class ArmComparison:
    """One endpoint compared by arm; times in days, ``landmark_months`` the protocol's."""

    endpoint: str
    arms: tuple[ArmFit, ...]
    comparisons: tuple[ArmDifference, ...]
    landmark_months: tuple[float, ...]
    days_per_month: float


def reference_arm(protocol: Protocol) -> str | None:
    """The control arm of the first group-sequential rule, else the first arm; None
    without two arms."""
    if len(protocol.arms) < 2:
        return None
    for rule in protocol.efficacy:
        if isinstance(rule, GroupSequentialRule) and rule.control_arm:
            return rule.control_arm
    return protocol.arms[0].id


def arm_comparison(derived: Derivation, protocol: Protocol, endpoint: str) -> ArmComparison | None:
    """Medians and landmark survival by arm, each arm against the reference; None for a
    protocol without two arms."""
    reference = reference_arm(protocol)
    if reference is None:
        return None
    settings = protocol.survival
    records = derived.time_to_event(endpoint, ARM_COLUMN)
    assert records.groups is not None
    values = np.array([str(g) if g is not None else "" for g in records.groups], dtype=object)
    order = sorted(protocol.arms, key=lambda unit: unit.id != reference)
    fits = tuple(
        ArmFit(
            unit.id,
            unit.label,
            kaplan_meier(
                records.time[values == unit.id],
                records.event[values == unit.id],
                settings.conf_type,
            ),
        )
        for unit in order
    )
    days = [m * settings.days_per_month for m in settings.landmarks_months]
    base = fits[0]
    comparisons = tuple(
        ArmDifference(
            base,
            other,
            _median(records.time, records.event, values, base.arm, other.arm),
            tuple(landmark_difference(base.fit, other.fit, d) for d in days),
        )
        for other in fits[1:]
        if other.fit.n and base.fit.n
    )
    return ArmComparison(
        endpoint, fits, comparisons, settings.landmarks_months, settings.days_per_month
    )


def _median(
    time: np.ndarray, event: np.ndarray, arms: np.ndarray, reference: str, other: str
) -> MedianDifference:
    a, b = arms == reference, arms == other
    return median_difference(time[a], event[a], time[b], event[b])


def comparison_note(comparison: ArmComparison) -> str:
    """How the differences are computed, in the words the page and the report print."""
    reference = comparison.arms[0].arm
    median = next((c.median for c in comparison.comparisons), None)
    level = 0.95 if median is None else median.conf_level
    boot = (
        ""
        if median is None
        else f"{median.resamples:,} resamples of each arm, seed {median.seed}; "
    )
    return (
        f"Differences: each arm minus arm {reference} (the reference). Median difference: "
        f"{level:.0%} percentile bootstrap interval ({boot}a median not reached counts as "
        "later than every time). Landmarks: Kaplan–Meier survival with Greenwood variances, "
        f"{level:.0%} Wald interval of the difference (normal approximation). — : not "
        "estimable (a median not reached, a landmark after an arm's last observation)."
    )
