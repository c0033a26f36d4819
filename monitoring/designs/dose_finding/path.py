"""The path of a dose-finding trial: the decision after each cohort, and whether the next
cohort went where the design said (exact; no simulation).

A cohort is (dose index, patients, DLTs) in the order the cohorts completed their DLT
window. After each cohort the data so far are summed per dose and the design's decision
function is applied at that cohort's dose. ``followed`` records, for every cohort but the
first, whether it was treated at the dose the previous decision recommended (None after a
"stop": the design had ended dose finding).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from monitoring.designs.dose_finding.boin import BoinDesign, boin_next
from monitoring.designs.dose_finding.decision import DoseData, NextCohort, Recommendation
from monitoring.designs.dose_finding.errors import DoseFindingError
from monitoring.designs.dose_finding.three_plus_three import three_plus_three_next


@dataclass(frozen=True)
class Cohort:
    """One cohort: the dose index it was treated at, its evaluable patients and DLTs."""

    dose: int
    n: int
    dlt: int


@dataclass(frozen=True)
class PathStep:
    """The state after one cohort and the decision taken on it.

    ``followed`` is None for the first cohort and after a stop; otherwise whether this
    cohort was treated at the dose the previous decision recommended.
    """

    index: int
    cohort: Cohort
    label: str
    followed: bool | None
    decision: NextCohort


@dataclass(frozen=True)
class DosePath:
    """Every cohort's decision, in order; ``deviations`` lists the cohorts (0-based) not
    treated at the recommended dose."""

    design: str
    labels: tuple[str, ...]
    steps: tuple[PathStep, ...]

    @property
    def deviations(self) -> tuple[int, ...]:
        return tuple(step.index for step in self.steps if step.followed is False)

    @property
    def last(self) -> NextCohort | None:
        return self.steps[-1].decision if self.steps else None


def _replay(
    design: str,
    labels: Sequence[str],
    cohorts: Sequence[Cohort],
    decide: Callable[[DoseData, int], NextCohort],
) -> DosePath:
    names = tuple(labels)
    n = [0] * len(names)
    y = [0] * len(names)
    steps: list[PathStep] = []
    previous: NextCohort | None = None
    for index, cohort in enumerate(cohorts):
        if not 0 <= cohort.dose < len(names):
            raise DoseFindingError(f"cohort {index + 1}: dose index {cohort.dose} is not a level")
        if not 0 <= cohort.dlt <= cohort.n:
            raise DoseFindingError(
                f"cohort {index + 1}: {cohort.dlt} DLTs among {cohort.n} patients"
            )
        n[cohort.dose] += cohort.n
        y[cohort.dose] += cohort.dlt
        decision = decide(DoseData.of(n, y, names), cohort.dose)
        followed = (
            None
            if previous is None or previous.recommendation is Recommendation.STOP
            else previous.next_dose == cohort.dose
        )
        steps.append(PathStep(index, cohort, names[cohort.dose], followed, decision))
        previous = decision
    return DosePath(design, names, tuple(steps))


def boin_path(design: BoinDesign, labels: Sequence[str], cohorts: Sequence[Cohort]) -> DosePath:
    """BOIN's decision after each cohort; doses eliminated at any earlier step stay
    eliminated."""
    gone: set[int] = set()

    def decide(data: DoseData, current: int) -> NextCohort:
        decision = boin_next(design, data, current, eliminated=sorted(gone))
        gone.update(decision.eliminated)
        return decision

    return _replay("BOIN", labels, cohorts, decide)


def three_plus_three_path(labels: Sequence[str], cohorts: Sequence[Cohort]) -> DosePath:
    """The 3+3 decision after each cohort."""
    return _replay("3+3", labels, cohorts, three_plus_three_next)
