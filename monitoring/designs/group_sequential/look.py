"""One look of a group-sequential log-rank comparison: boundary, decision, CP and RCI.

Sign convention: the observed log-rank z is positive when the experimental arm does better
(fewer events, hazard ratio experimental / control below 1); the estimate of the hazard
ratio is exp(-z / sqrt(c d)) with d the events so far and c = a / (1 + a)^2 for allocation
ratio a = n_experimental / n_control.

Boundaries at observed fractions. The fractions of the looks taken are their events divided
by the planned maximum; the looks still to come keep their planned fractions (those after
the current one). The whole design is recomputed on that schedule, as rpact does when
``getDesignGroupSequential`` is called again with the observed ``informationRates``: alpha
spent at each look is alpha(t) at its observed fraction, and the beta-spending drift is
solved again. At the final look (``final=True``, or events reaching the planned maximum),
fractions are events divided by the final events, so all remaining alpha is spent.

Conditional power is rpact's ``getConditionalPower`` for a group-sequential design: the
probability, given Z_k = z, of crossing an efficacy bound at some later look, with the
design's (non-binding) futility bounds counted as stops, events at later looks as planned,
under a log hazard ratio theta: under the design effect (theta = log of the design hazard
ratio) and under the current trend (theta = the estimate).

Repeated confidence interval (Jennison & Turnbull 2000, ch. 9; rpact
``getRepeatedConfidenceIntervals``): exp(log HR_hat -+ b_k SE), SE = 1 / sqrt(c d), with b_k
the efficacy bound at this look; it excludes 1 exactly when the efficacy bound is crossed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from monitoring.designs.group_sequential.design import (
    DesignLook,
    DesignSpec,
    GroupSequentialDesign,
    compute_design,
)
from monitoring.designs.group_sequential.integration import crossing_probabilities
from monitoring.designs.group_sequential.spending import GroupSequentialError
from monitoring.designs.group_sequential.survival import information_per_event


class LookDecision(StrEnum):
    """What the boundaries say at a look."""

    CONTINUE = "continue"
    EFFICACY = "stop_for_efficacy"
    FUTILITY = "futility_boundary_crossed"
    FINAL_NOT_SIGNIFICANT = "final_not_significant"


@dataclass(frozen=True)
class LookResult:
    """The boundaries and the observed z at look ``look`` (1-based).

    ``design`` is the design recomputed on the schedule of observed and planned fractions.
    ``z_futility`` is None at the final look or without futility spending. Conditional
    powers are None at the final look.
    """

    look: int
    final: bool
    events: float
    fraction: float
    z: float
    z_efficacy: float
    z_futility: float | None
    nominal_p_efficacy: float
    alpha_spent: float
    decision: LookDecision
    hazard_ratio: float
    rci_lower: float
    rci_upper: float
    conditional_power_design: float | None
    conditional_power_trend: float | None
    design: GroupSequentialDesign
    sentence: str

    @property
    def crossing(self) -> DesignLook:
        """This look in the recomputed design: its probabilities of first crossing the
        efficacy bound (under H0 ignoring futility, and under the design effect) and the
        futility bound (under H0 and the design effect) at this look."""
        return self.design.looks[self.look - 1]


def schedule(
    planned: Sequence[float], events: Sequence[float], planned_events: float, final: bool
) -> tuple[tuple[float, ...], bool]:
    """Fractions of the looks taken, then the planned ones after; and whether this is final."""
    if not events or any(d <= 0 or not math.isfinite(d) for d in events):
        raise GroupSequentialError(f"events at each look must be positive; got {events}")
    if any(b <= a for a, b in itertools.pairwise(events)):
        raise GroupSequentialError(f"events must increase from look to look; got {events}")
    if not (math.isfinite(planned_events) and planned_events > 0):
        raise GroupSequentialError(f"planned events must be positive; got {planned_events}")
    final = final or events[-1] >= planned_events
    if final:
        return tuple(d / events[-1] for d in events), True
    taken = tuple(d / planned_events for d in events)
    later = tuple(t for t in planned[len(events) :] if t > taken[-1])
    return (*taken, *(later or (1.0,))), False


def _conditional_power(
    design: GroupSequentialDesign, k: int, z: float, theta: float, information_max: float
) -> float:
    fractions = design.spec.fractions
    t_k = fractions[k]
    rest = fractions[k + 1 :]
    remaining = 1.0 - t_k
    scaled = [(t - t_k) / remaining for t in rest]
    upper, lower = [], []
    for j, t in enumerate(rest, start=k + 1):
        width = math.sqrt(t - t_k)
        upper.append((design.looks[j].z_efficacy * math.sqrt(t) - z * math.sqrt(t_k)) / width)
        a = design.looks[j].z_futility
        lower.append(-math.inf if a is None else (a * math.sqrt(t) - z * math.sqrt(t_k)) / width)
    drift = theta * math.sqrt(information_max * remaining)
    return sum(crossing_probabilities(scaled, upper, lower, drift).upper)


def evaluate_look(
    spec: DesignSpec,
    planned_events: float,
    events: Sequence[float],
    z: float,
    design_hazard_ratio: float,
    allocation_ratio: float = 1.0,
    final: bool = False,
) -> LookResult:
    """The look after ``events[-1]`` events (``events``: cumulative, one per look so far)."""
    if not math.isfinite(z):
        raise GroupSequentialError(f"observed z must be finite; got {z}")
    if not (math.isfinite(design_hazard_ratio) and design_hazard_ratio > 0):
        raise GroupSequentialError(
            f"design hazard ratio must be positive; got {design_hazard_ratio}"
        )
    fractions, is_final = schedule(spec.fractions, events, planned_events, final)
    design = compute_design(
        DesignSpec(spec.alpha, fractions, spec.efficacy, spec.beta, spec.futility)
    )
    k = len(events) - 1
    look = design.looks[k]
    c = information_per_event(allocation_ratio)
    d = events[-1]
    se = 1.0 / math.sqrt(c * d)
    log_hr = -z * se
    b = look.z_efficacy
    lower_ci = math.exp(log_hr - b * se) if math.isfinite(b) else 0.0
    upper_ci = math.exp(log_hr + b * se) if math.isfinite(b) else math.inf
    if z >= b:
        decision = LookDecision.EFFICACY
    elif is_final:
        decision = LookDecision.FINAL_NOT_SIGNIFICANT
    elif look.z_futility is not None and z <= look.z_futility:
        decision = LookDecision.FUTILITY
    else:
        decision = LookDecision.CONTINUE
    cp_design = cp_trend = None
    if not is_final:
        information_max = c * d / fractions[k]
        cp_design = _conditional_power(
            design, k, z, -math.log(design_hazard_ratio), information_max
        )
        cp_trend = _conditional_power(design, k, z, -log_hr, information_max)
    result = LookResult(
        look=k + 1,
        final=is_final,
        events=d,
        fraction=fractions[k],
        z=z,
        z_efficacy=b,
        z_futility=look.z_futility,
        nominal_p_efficacy=look.nominal_p_efficacy,
        alpha_spent=look.alpha_spent,
        decision=decision,
        hazard_ratio=math.exp(log_hr),
        rci_lower=lower_ci,
        rci_upper=upper_ci,
        conditional_power_design=cp_design,
        conditional_power_trend=cp_trend,
        design=design,
        sentence="",
    )
    return _with_sentence(result)


def _with_sentence(r: LookResult) -> LookResult:
    where = f"Look {r.look} at {r.events:g} events (information fraction {r.fraction:.3f})"
    observed = f"z = {r.z:.3f}, HR {r.hazard_ratio:.3f}"
    if r.decision is LookDecision.EFFICACY:
        outcome = (
            "significant at the final analysis" if r.final else "the trial may stop for efficacy"
        )
        text = (
            f"{where}: {observed} crosses the efficacy bound {r.z_efficacy:.3f} "
            f"(nominal one-sided p {r.nominal_p_efficacy:.4g}); {outcome}."
        )
    elif r.decision is LookDecision.FUTILITY:
        text = (
            f"{where}: {observed} is at or below the non-binding futility bound "
            f"{r.z_futility:.3f}; the trial may stop for futility (continuing does not raise "
            "the type I error)."
        )
    elif r.decision is LookDecision.FINAL_NOT_SIGNIFICANT:
        text = (
            f"{where}, final: {observed} stays below the efficacy bound {r.z_efficacy:.3f}; "
            "not significant."
        )
    else:
        text = (
            f"{where}: {observed} lies between the bounds; continue "
            f"(efficacy bound {r.z_efficacy:.3f})."
        )
    return LookResult(**{**r.__dict__, "sentence": text})
