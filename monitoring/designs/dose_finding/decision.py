"""Types shared by the dose-finding designs: per-dose data and the next-cohort decision.

Doses are indexed 0, 1, ... from the lowest to the highest; each has a label for people
("1", "2", ... by default; "-2", "-1", "1" for a de-escalation-only cohort).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from scipy.special import betaincc

from monitoring.designs.dose_finding.errors import DoseFindingError
from monitoring.designs.dose_finding.isotonic import boin_isotonic_estimates


class Recommendation(StrEnum):
    """What to do with the next cohort."""

    ESCALATE = "escalate"
    STAY = "stay"
    DEESCALATE = "deescalate"
    STOP = "stop"


@dataclass(frozen=True)
class DoseData:
    """Evaluable patients and DLTs per dose level, lowest dose first.

    Raises :class:`DoseFindingError` unless 0 <= dlt <= n at every dose and the three
    sequences have one entry per dose.
    """

    n: tuple[int, ...]
    dlt: tuple[int, ...]
    labels: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.n:
            raise DoseFindingError("at least one dose level is needed")
        if not len(self.n) == len(self.dlt) == len(self.labels):
            raise DoseFindingError(
                f"{len(self.n)} patient counts, {len(self.dlt)} DLT counts and "
                f"{len(self.labels)} labels: one of each per dose level is needed"
            )
        if len(set(self.labels)) != len(self.labels):
            raise DoseFindingError(f"dose labels must differ: {', '.join(self.labels)}")
        for label, n, y in zip(self.labels, self.n, self.dlt, strict=True):
            if not 0 <= y <= n:
                raise DoseFindingError(
                    f"dose {label}: {y} DLTs among {n} patients (need 0 <= DLTs <= patients)"
                )

    @classmethod
    def of(
        cls, n: Sequence[int], dlt: Sequence[int], labels: Sequence[str] | None = None
    ) -> DoseData:
        """Per-dose data with labels "1", "2", ... unless given."""
        names = tuple(str(i + 1) for i in range(len(n))) if labels is None else tuple(labels)
        return cls(tuple(int(v) for v in n), tuple(int(v) for v in dlt), names)

    @property
    def doses(self) -> int:
        return len(self.n)

    def check_dose(self, dose: int, what: str = "current dose") -> None:
        if not 0 <= dose < self.doses:
            raise DoseFindingError(
                f"{what} index {dose} is not a dose level (0 to {self.doses - 1})"
            )


@dataclass(frozen=True)
class DoseRow:
    """One dose level of the decision table.

    ``rate`` is DLTs/n; ``posterior_over_target`` is Pr(p > target | data) under a Beta(1, 1)
    prior (BOIN's elimination quantity; None for a design without a target);
    ``isotonic`` is BOIN's isotonic estimate (bias-corrected, pooled across doses). All three
    are None where no patient was treated.
    """

    dose: int
    label: str
    n: int
    dlt: int
    rate: float | None
    posterior_over_target: float | None
    isotonic: float | None
    eliminated: bool


@dataclass(frozen=True)
class NextCohort:
    """The decision for the next cohort, with its reason and the per-dose table.

    ``next_dose`` is where the next cohort goes (None when the recommendation is stop).
    ``mtd`` is the dose selected as maximum tolerated dose when dose finding ends with one
    (None while it goes on, or when no dose is tolerable). ``reason`` is one sentence.
    """

    design: str
    current: int
    current_label: str
    recommendation: Recommendation
    next_dose: int | None
    next_label: str | None
    eliminated: tuple[int, ...]
    mtd: int | None
    mtd_label: str | None
    reason: str
    table: tuple[DoseRow, ...]


def posterior_over(target: float, n: int, y: int) -> float:
    """Pr(p > target) when p ~ Beta(y + 1, n - y + 1) (Beta(1, 1) prior, y DLTs of n)."""
    return float(betaincc(y + 1.0, n - y + 1.0, target))


def dose_table(
    data: DoseData, target: float | None, eliminated: Sequence[int]
) -> tuple[DoseRow, ...]:
    """The per-dose rows of a decision."""
    isotonic = boin_isotonic_estimates(data.n, data.dlt)
    gone = set(eliminated)
    rows = []
    for i, (label, n, y) in enumerate(zip(data.labels, data.n, data.dlt, strict=True)):
        rows.append(
            DoseRow(
                dose=i,
                label=label,
                n=n,
                dlt=y,
                rate=None if n == 0 else y / n,
                posterior_over_target=(
                    None if n == 0 or target is None else posterior_over(target, n, y)
                ),
                isotonic=isotonic[i],
                eliminated=i in gone,
            )
        )
    return tuple(rows)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def label_of(data: DoseData, dose: int | None) -> str | None:
    return None if dose is None else data.labels[dose]
