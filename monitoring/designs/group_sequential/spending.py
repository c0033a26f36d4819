"""Lan–DeMets spending functions, with rpact's conventions (one-sided error rates).

A spending function gives the cumulative error spent by information fraction t in [0, 1],
with f(0) = 0 and f(1) = total. The same three families serve alpha (efficacy) and beta
(futility); rpact calls them ``asOF``/``bsOF``, ``asP``/``bsP`` and ``asHSD``/``bsHSD``.

- O'Brien–Fleming type: 2(1 - Phi(Phi^-1(1 - e/2) / sqrt(t))) for a total one-sided error e.
  rpact uses this form (with e/2 inside) even for a one-sided design.
- Pocock type: e * ln(1 + (exp(1) - 1) t).
- Hwang–Shih–DeCani with gamma: e (1 - exp(-gamma t)) / (1 - exp(-gamma)); e t when gamma = 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from scipy.special import ndtr, ndtri

from monitoring.errors import InputError


class GroupSequentialError(InputError, ValueError):
    """Design or look parameters that do not describe a group-sequential design."""


class SpendingFamily(StrEnum):
    """The spending families (their command-line names)."""

    OBRIEN_FLEMING = "obrien_fleming"
    POCOCK = "pocock"
    HSD = "hsd"


_RPACT_SUFFIX = {
    SpendingFamily.OBRIEN_FLEMING: "OF",
    SpendingFamily.POCOCK: "P",
    SpendingFamily.HSD: "HSD",
}


@dataclass(frozen=True)
class SpendingFunction:
    """One spending family; ``gamma`` only for Hwang–Shih–DeCani (required there)."""

    family: SpendingFamily
    gamma: float | None = None

    def __post_init__(self) -> None:
        if self.family is SpendingFamily.HSD:
            if self.gamma is None or not math.isfinite(self.gamma):
                raise GroupSequentialError("Hwang–Shih–DeCani spending needs a finite gamma")
        elif self.gamma is not None:
            raise GroupSequentialError(f"gamma applies to 'hsd' spending only, not {self.family}")

    def cumulative(self, total: float, t: float) -> float:
        """Error spent by information fraction ``t`` out of ``total`` (one-sided)."""
        if not 0.0 <= t <= 1.0 + 1e-12:
            raise GroupSequentialError(f"information fraction must lie in [0, 1]; got {t}")
        t = min(t, 1.0)  # a last fraction within rounding of 1 spends everything
        if t == 0.0:
            return 0.0
        if self.family is SpendingFamily.OBRIEN_FLEMING:
            return float(2.0 * ndtr(-ndtri(1.0 - total / 2.0) / math.sqrt(t)))
        if self.family is SpendingFamily.POCOCK:
            return total * math.log(1.0 + (math.e - 1.0) * t)
        gamma = self.gamma
        assert gamma is not None  # checked in __post_init__
        if gamma == 0.0:
            return total * t
        return total * (-math.expm1(-gamma * t)) / (-math.expm1(-gamma))

    def rpact_name(self, kind: str) -> str:
        """rpact's name: ``kind`` 'as' (alpha) or 'bs' (beta), e.g. 'asOF', 'bsHSD'."""
        return kind + _RPACT_SUFFIX[self.family]

    def label(self) -> str:
        """A short human label, e.g. 'Hwang–Shih–DeCani (γ = -4)'."""
        if self.family is SpendingFamily.OBRIEN_FLEMING:
            return "O'Brien–Fleming type"
        if self.family is SpendingFamily.POCOCK:
            return "Pocock type"
        return f"Hwang–Shih–DeCani (γ = {self.gamma:g})"
