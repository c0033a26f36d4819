"""The states of a ``group_sequential`` rule (kept apart so ``monitoring.vocabulary`` can
give their words without importing the rule kind)."""

from __future__ import annotations

from enum import StrEnum


class SequentialState(StrEnum):
    """Where a group-sequential comparison stands at the latest look reached.

    ``FUTILITY`` is the non-binding futility bound: a decision for the DSMB to discuss, not a
    stop (stopping or going on keeps the type I error at most alpha).
    """

    BEFORE_FIRST_LOOK = "before_first_look"
    CONTINUE = "continue_between_bounds"
    FUTILITY = "futility_bound_crossed"
    EFFICACY = "stop_for_efficacy"
    FINAL_NOT_SIGNIFICANT = "final_not_significant"
