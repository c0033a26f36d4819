"""Where the efficacy/toxicity summary of a scheduled look stands (SPEC 6.2)."""

from __future__ import annotations

from enum import StrEnum


class SummaryState(StrEnum):
    """Where the efficacy/toxicity summary of a scheduled look stands."""

    NOT_REACHED = "not_reached"
    DUE = "due"
    GENERATED = "generated"
    SIGNED_OFF = "signed_off"
