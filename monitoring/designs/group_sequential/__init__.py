"""Group-sequential designs with Lan–DeMets spending (docs/methods.md, "Group-sequential
designs (Lan–DeMets)"): pure functions returning frozen dataclasses, rpact's conventions."""

from monitoring.designs.group_sequential.design import (
    DesignLook,
    DesignSpec,
    GroupSequentialDesign,
    compute_design,
    efficacy_bounds,
    futility_bounds,
)
from monitoring.designs.group_sequential.look import (
    LookDecision,
    LookResult,
    evaluate_look,
    schedule,
)
from monitoring.designs.group_sequential.spending import (
    GroupSequentialError,
    SpendingFamily,
    SpendingFunction,
)
from monitoring.designs.group_sequential.survival import (
    SurvivalEvents,
    hazard_ratio_at,
    information_per_event,
    planned_events,
)

__all__ = [
    "DesignLook",
    "DesignSpec",
    "GroupSequentialDesign",
    "GroupSequentialError",
    "LookDecision",
    "LookResult",
    "SpendingFamily",
    "SpendingFunction",
    "SurvivalEvents",
    "compute_design",
    "efficacy_bounds",
    "evaluate_look",
    "futility_bounds",
    "hazard_ratio_at",
    "information_per_event",
    "planned_events",
    "schedule",
]
