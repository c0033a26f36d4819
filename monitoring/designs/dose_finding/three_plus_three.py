"""The 3+3 design (Storer 1989; Le Tourneau, Lee & Siu 2009) as a pure decision function.

Cohorts of 3 at a dose level, lowest first:

- 0 of 3 with a DLT: escalate to the next level.
- 1 of 3: treat 3 more at the same level; then at most 1 of 6: escalate.
- 2 or more DLTs (of 3 or of 6): the level exceeds the MTD. De-escalate: if the level below
  already holds 6 patients it is the MTD; if it holds 3, treat 3 more there (at most 1 of 6
  makes it the MTD, 2 or more sends the trial one level lower again). At the lowest level,
  the trial stops with no tolerable dose.
- A level that cannot be escalated from (the highest, or the one below a level that was too
  toxic) is declared the MTD only with 6 patients and at most 1 DLT: after 0 of 3 there,
  3 more are treated.

The MTD is the highest level with 6 patients and at most 1 DLT below the lowest level with
2 or more DLTs. A de-escalation-only design (start at the highest level, as "dose level 1,
then -1, then -2 if excessive toxicity is observed") is this rule started at the top: it
gives stay / de-escalate / stop and never escalates. Everything here is exact.
"""

from __future__ import annotations

from monitoring.designs.dose_finding.decision import (
    DoseData,
    NextCohort,
    Recommendation,
    dose_table,
    label_of,
    plural,
)
from monitoring.designs.dose_finding.errors import DoseFindingError

COHORT = 3
"""Patients per cohort in the 3+3 design."""

LEVEL_MAX = 6
"""Patients a level holds at most."""


def too_toxic(data: DoseData, dose: int) -> bool:
    """Two or more DLTs at the level (of 3 or of 6): it exceeds the MTD."""
    return data.dlt[dose] >= 2


def three_plus_three_mtd(data: DoseData) -> int | None:
    """The highest level with 6 patients and at most 1 DLT below the lowest level with 2
    or more DLTs (None if there is none)."""
    limit = next((i for i in range(data.doses) if too_toxic(data, i)), data.doses)
    for dose in range(limit - 1, -1, -1):
        if data.n[dose] >= LEVEL_MAX and data.dlt[dose] <= 1:
            return dose
    return None


def three_plus_three_next(
    data: DoseData, current: int, design: str = "3+3", *, with_table: bool = True
) -> NextCohort:
    """The decision for the next cohort after the data at ``current`` (a dose index).

    ``with_table=False`` leaves the per-dose table empty (the enumeration of the operating
    characteristics needs only the decision).

    Raises :class:`DoseFindingError` when a level holds more than 6 patients.
    """
    data.check_dose(current)
    for label, n in zip(data.labels, data.n, strict=True):
        if n > LEVEL_MAX:
            raise DoseFindingError(
                f"dose {label}: {n} patients; the 3+3 design treats at most {LEVEL_MAX}"
            )
    n, y = data.n[current], data.dlt[current]
    here = data.labels[current]
    observed = f"{y} of {n} patients at dose {here} had a DLT"
    toxic = sorted(i for i in range(data.doses) if too_toxic(data, i))

    def decide(
        recommendation: Recommendation, next_dose: int | None, reason: str, mtd: int | None
    ) -> NextCohort:
        gone = tuple(range(toxic[0], data.doses)) if toxic else ()
        return NextCohort(
            design=design,
            current=current,
            current_label=here,
            recommendation=recommendation,
            next_dose=next_dose,
            next_label=label_of(data, next_dose),
            eliminated=gone,
            mtd=mtd,
            mtd_label=label_of(data, mtd),
            reason=reason,
            table=dose_table(data, None, gone) if with_table else (),
        )

    if too_toxic(data, current):
        if current == 0:
            return decide(
                Recommendation.STOP,
                None,
                f"{observed} (2 or more) at the lowest dose: no dose is tolerable and the "
                "trial stops.",
                None,
            )
        below = current - 1
        lower = data.labels[below]
        if data.n[below] >= LEVEL_MAX and data.dlt[below] <= 1:
            return decide(
                Recommendation.STOP,
                None,
                f"{observed} (2 or more), so dose {here} exceeds the MTD; dose {lower} "
                f"had {plural(data.dlt[below], 'DLT')} in {data.n[below]} patients and is the MTD.",
                below,
            )
        more = "3 patients" if data.n[below] == 0 else "more patients"
        return decide(
            Recommendation.DEESCALATE,
            below,
            f"{observed} (2 or more), so dose {here} exceeds the MTD: de-escalate and treat "
            f"{more} at dose {lower}.",
            None,
        )
    if n == 0:
        return decide(
            Recommendation.STAY,
            current,
            f"No patient has been treated at dose {here} yet: treat 3 patients there.",
            None,
        )
    if n not in (COHORT, LEVEL_MAX):
        size = COHORT if n < COHORT else LEVEL_MAX
        return decide(
            Recommendation.STAY,
            current,
            f"{observed}; the cohort is incomplete: treat {size - n} more at dose {here}.",
            None,
        )
    blocked = current == data.doses - 1 or too_toxic(data, current + 1)
    why_blocked = (
        f"dose {here} is the highest dose"
        if current == data.doses - 1
        else f"dose {data.labels[current + 1]} was too toxic"
    )
    if n == COHORT and y == 1:
        return decide(
            Recommendation.STAY,
            current,
            f"{observed}: treat 3 more patients at dose {here}.",
            None,
        )
    if n == COHORT:  # 0 of 3
        if blocked:
            return decide(
                Recommendation.STAY,
                current,
                f"{observed} and {why_blocked}: treat 3 more patients at dose {here} to "
                "confirm it as the MTD.",
                None,
            )
        return decide(
            Recommendation.ESCALATE,
            current + 1,
            f"{observed}: escalate to dose {data.labels[current + 1]}.",
            None,
        )
    # 6 patients, at most 1 DLT
    if blocked:
        return decide(
            Recommendation.STOP,
            None,
            f"{observed} (at most 1) and {why_blocked}: dose {here} is the MTD.",
            current,
        )
    return decide(
        Recommendation.ESCALATE,
        current + 1,
        f"{observed} (at most 1): escalate to dose {data.labels[current + 1]}.",
        None,
    )
