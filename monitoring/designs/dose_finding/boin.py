"""BOIN, the Bayesian optimal interval design (Liu & Yuan 2015): boundaries, the decision
for the next cohort, and the selection of the maximum tolerated dose (MTD).

Everything here is exact (closed-form boundaries, Beta posteriors, isotonic regression); the
operating characteristics are simulated (``monitoring.designs.dose_finding.simulation``).
The conventions are those of the R package BOIN 2.7.2 (``get.boundary``, ``select.mtd``,
the trial loop of ``get.oc``), checked against it in tests/test_dose_finding.py:

- λe = log((1 - φ1)/(1 - φ)) / log(φ(1 - φ1)/(φ1(1 - φ))),
  λd = log((1 - φ)/(1 - φ2)) / log(φ2(1 - φ)/(φ(1 - φ2))), φ1 = 0.6φ, φ2 = 1.4φ by default.
- With n patients at the current dose: escalate if DLTs <= floor(λe·n); de-escalate if
  DLTs >= the smallest integer strictly above λd·n, capped at the elimination bound.
- Eliminate a dose and every higher dose when n >= 3 and Pr(p > φ | Beta(y + 1, n - y + 1))
  > 0.95; if the lowest dose goes, the trial stops with no dose selected. With
  ``extrasafe`` the trial also stops when that probability exceeds 0.95 - offset at the
  lowest dose.
- Stop early when the current dose holds ``n_earlystop`` patients and the rule says stay.
- MTD: isotonic (PAVA) estimates of (y + 0.05)/(n + 0.1) weighted by 1/variance over the
  treated, non-eliminated doses; the dose closest to φ, ties going to the higher dose below
  φ and the lower dose above it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from monitoring.designs.dose_finding.decision import (
    DoseData,
    NextCohort,
    Recommendation,
    dose_table,
    label_of,
    posterior_over,
)
from monitoring.designs.dose_finding.errors import DoseFindingError
from monitoring.designs.dose_finding.isotonic import boin_isotonic_estimates, pava

# get.boundary treats λd·n within this distance of an integer as that integer (so that the
# de-escalation bound is strictly above λd·n despite rounding).
_INTEGER_TOLERANCE = 1e-12


@dataclass(frozen=True)
class BoinDesign:
    """The parameters of a BOIN design (the arguments of BOIN's ``get.boundary``).

    ``phi1``/``phi2`` default to 0.6·target and 1.4·target. Raises
    :class:`DoseFindingError` on the values ``get.boundary`` refuses.
    """

    target: float
    ncohort: int
    cohort_size: int
    n_earlystop: int = 100
    phi1: float | None = None
    phi2: float | None = None
    cutoff_eli: float = 0.95
    extrasafe: bool = False
    offset: float = 0.05

    def __post_init__(self) -> None:
        if not 0.05 <= self.target <= 0.6:
            raise DoseFindingError(f"target must lie between 0.05 and 0.6; got {self.target}")
        if self.target - self.p_saf < 0.1 * self.target:
            raise DoseFindingError(
                f"phi1 ({self.p_saf:g}) must be below the target by at least 10% of it"
            )
        if self.p_tox - self.target < 0.1 * self.target:
            raise DoseFindingError(
                f"phi2 ({self.p_tox:g}) must be above the target by at least 10% of it"
            )
        if not self.p_saf > 0 or not self.p_tox < 1:
            raise DoseFindingError("phi1 and phi2 must lie strictly between 0 and 1")
        if not 0 <= self.offset < 0.5:
            raise DoseFindingError(f"offset must lie in [0, 0.5); got {self.offset}")
        if not 0 < self.cutoff_eli < 1:
            raise DoseFindingError(f"cutoff_eli must lie in (0, 1); got {self.cutoff_eli}")
        if self.ncohort < 1 or self.cohort_size < 1:
            raise DoseFindingError("ncohort and cohort_size must be at least 1")
        if self.n_earlystop < 1:
            raise DoseFindingError("n_earlystop must be at least 1")

    @property
    def p_saf(self) -> float:
        """φ1, the highest rate deemed sub-therapeutic (0.6·target unless given)."""
        return 0.6 * self.target if self.phi1 is None else self.phi1

    @property
    def p_tox(self) -> float:
        """φ2, the lowest rate deemed overly toxic (1.4·target unless given)."""
        return 1.4 * self.target if self.phi2 is None else self.phi2

    @property
    def npts(self) -> int:
        """The maximum sample size, ncohort × cohort_size."""
        return self.ncohort * self.cohort_size

    @property
    def lambda_e(self) -> float:
        phi, phi1 = self.target, self.p_saf
        return math.log((1 - phi1) / (1 - phi)) / math.log(phi * (1 - phi1) / (phi1 * (1 - phi)))

    @property
    def lambda_d(self) -> float:
        phi, phi2 = self.target, self.p_tox
        return math.log((1 - phi) / (1 - phi2)) / math.log(phi2 * (1 - phi) / (phi * (1 - phi2)))


@dataclass(frozen=True)
class BoinBoundary:
    """The rule with ``n`` patients at a dose: escalate if DLTs <= ``escalate_if_at_most``,
    de-escalate if DLTs >= ``deescalate_if_at_least``, eliminate the dose (and higher ones)
    if DLTs >= ``eliminate_if_at_least`` (None: no count eliminates, as for n < 3).
    ``stop_if_at_least`` is the extra-safe stopping bound for the lowest dose (None without
    ``extrasafe``, or where no count meets it)."""

    n: int
    escalate_if_at_most: int
    deescalate_if_at_least: int
    eliminate_if_at_least: int | None
    stop_if_at_least: int | None


@dataclass(frozen=True)
class BoinBoundaries:
    """λe, λd and the boundary for every n (``full``: n = 1 ... min(npts, n_earlystop))
    and at the cohort ends (``table``: n = C, 2C, ..., as BOIN's ``boundary_tab``)."""

    design: BoinDesign
    lambda_e: float
    lambda_d: float
    full: tuple[BoinBoundary, ...]
    table: tuple[BoinBoundary, ...]


def escalation_bound(lambda_e: float, n: int) -> int:
    """Escalate if DLTs <= floor(λe·n)."""
    return math.floor(lambda_e * n)


def deescalation_bound_uncapped(lambda_d: float, n: int) -> int:
    """The smallest integer strictly above λd·n (before the cap at the elimination bound)."""
    x = lambda_d * n
    if abs(round(x) - x) < _INTEGER_TOLERANCE:
        return round(x) + 1
    return math.ceil(x)


def elimination_bound(target: float, n: int, cutoff: float) -> int | None:
    """The smallest m >= 1 with Pr(p > target | Beta(m + 1, n - m + 1)) > cutoff, n >= 3."""
    if n < 3:
        return None
    for m in range(1, n + 1):
        if posterior_over(target, n, m) > cutoff:
            return m
    return None


def boundary_at(design: BoinDesign, n: int) -> BoinBoundary:
    """The boundary with ``n`` >= 1 patients at a dose (any n, also beyond npts)."""
    if n < 1:
        raise DoseFindingError(f"a boundary needs at least one patient; got n = {n}")
    eliminate = elimination_bound(design.target, n, design.cutoff_eli)
    deescalate = deescalation_bound_uncapped(design.lambda_d, n)
    if eliminate is not None and deescalate > eliminate:
        deescalate = eliminate
    stop = (
        elimination_bound(design.target, n, design.cutoff_eli - design.offset)
        if design.extrasafe
        else None
    )
    return BoinBoundary(
        n=n,
        escalate_if_at_most=escalation_bound(design.lambda_e, n),
        deescalate_if_at_least=deescalate,
        eliminate_if_at_least=eliminate,
        stop_if_at_least=stop,
    )


def boin_boundaries(design: BoinDesign) -> BoinBoundaries:
    """BOIN's ``get.boundary``: every n up to min(npts, n_earlystop), and the cohort ends."""
    last = min(design.npts, design.n_earlystop)
    full = tuple(boundary_at(design, n) for n in range(1, last + 1))
    ends = [k * design.cohort_size for k in range(1, last // design.cohort_size + 1)]
    return BoinBoundaries(
        design=design,
        lambda_e=design.lambda_e,
        lambda_d=design.lambda_d,
        full=full,
        table=tuple(full[n - 1] for n in ends),
    )


@dataclass(frozen=True)
class MtdSelection:
    """BOIN's ``select.mtd``: the selected dose (None: no dose selected), the doses
    eliminated by the data, and the isotonic estimates per dose (None where untreated)."""

    mtd: int | None
    eliminated: tuple[int, ...]
    isotonic: tuple[float | None, ...]
    reason: str


def eliminated_doses(
    target: float,
    n: Sequence[int],
    dlt: Sequence[int],
    cutoff_eli: float = 0.95,
    extrasafe: bool = False,
    offset: float = 0.05,
) -> tuple[int, ...]:
    """Doses removed by the data: the lowest dose with n >= 3 and Pr(p > target) > cutoff
    and every dose above it; with ``extrasafe``, every dose when the lowest dose has n >= 3
    and Pr(p > target) > cutoff - offset."""
    doses = len(n)
    for i in range(doses):
        if n[i] >= 3 and posterior_over(target, n[i], dlt[i]) > cutoff_eli:
            gone = set(range(i, doses))
            break
    else:
        gone = set()
    if extrasafe and n[0] >= 3 and posterior_over(target, n[0], dlt[0]) > cutoff_eli - offset:
        gone = set(range(doses))
    return tuple(sorted(gone))


def select_mtd(
    target: float,
    n: Sequence[int],
    dlt: Sequence[int],
    cutoff_eli: float = 0.95,
    extrasafe: bool = False,
    offset: float = 0.05,
    bound_mtd: bool = False,
    p_tox: float | None = None,
) -> MtdSelection:
    """BOIN's ``select.mtd`` (same arguments; ``bound_mtd`` is ``boundMTD``: only doses
    whose isotonic estimate is at most λd may be selected)."""
    data = DoseData.of(n, dlt)
    isotonic = boin_isotonic_estimates(data.n, data.dlt)
    gone = eliminated_doses(target, data.n, data.dlt, cutoff_eli, extrasafe, offset)
    lambda_d = BoinDesign(target, 1, 1, phi2=p_tox).lambda_d if bound_mtd else None
    chosen, estimate = choose_mtd(target, data.n, data.dlt, gone, lambda_d)
    if chosen is not None:
        reason = f"its isotonic estimate {estimate:.3f} is the closest to the target {target:g}"
    elif 0 in gone:
        reason = "the lowest dose is too toxic: no dose is selected"
    elif lambda_d is not None and any(v > 0 for v in data.n):
        reason = "every isotonic estimate is above λd: no dose is selected"
    else:
        reason = "no patient was treated at an admissible dose: no dose is selected"
    return MtdSelection(chosen, gone, isotonic, reason)


def choose_mtd(
    target: float,
    n: Sequence[int],
    dlt: Sequence[int],
    eliminated: Sequence[int],
    lambda_d: float | None = None,
) -> tuple[int | None, float]:
    """The selection step of ``select.mtd`` given the eliminated doses: the index chosen
    (None: no dose) and its isotonic estimate among the admissible doses (NaN if none).

    ``lambda_d`` set: only estimates at most λd may be chosen (``boundMTD``).
    """
    gone = set(eliminated)
    admissible = [i for i in range(len(n)) if n[i] > 0 and i not in gone]
    if 0 in gone or not admissible:
        return None, math.nan
    rates = []
    weights = []
    for i in admissible:
        y, m = dlt[i], n[i]
        rates.append((y + 0.05) / (m + 0.1))
        weights.append(1.0 / ((y + 0.05) * (m - y + 0.05) / ((m + 0.1) ** 2 * (m + 0.1 + 1))))
    fitted = pava(rates, weights)
    # BOIN adds k·1e-10 to the k-th estimate: among tied estimates below the target the
    # higher dose is closer, above it the lower one.
    shifted = [v + (k + 1) * 1e-10 for k, v in enumerate(fitted)]
    candidates: Sequence[int] = range(len(shifted))
    if lambda_d is not None:
        candidates = [k for k in candidates if shifted[k] <= lambda_d]
        if not candidates:
            return None, math.nan
    # R's sort(index.return = TRUE) is stable: equal distances keep the lower dose.
    best = min(candidates, key=lambda k: (abs(shifted[k] - target), k))
    return admissible[best], fitted[best]


def boin_next(
    design: BoinDesign,
    data: DoseData,
    current: int,
    eliminated: Sequence[int] = (),
) -> NextCohort:
    """The decision for the next cohort after the data at ``current`` (a dose index).

    ``eliminated`` adds doses removed earlier in the trial to those the data remove now (the
    two agree for data produced by the design). Follows the trial loop of BOIN's ``get.oc``.
    """
    data.check_dose(current)
    target = design.target
    gone = set(eliminated_doses(target, data.n, data.dlt, design.cutoff_eli, False, design.offset))
    for dose in eliminated:
        data.check_dose(dose, "eliminated dose")
        gone.update(range(dose, data.doses))
    n, y = data.n[current], data.dlt[current]
    here = data.labels[current]

    def decide(
        recommendation: Recommendation, next_dose: int | None, reason: str, mtd: int | None
    ) -> NextCohort:
        return NextCohort(
            design="BOIN",
            current=current,
            current_label=here,
            recommendation=recommendation,
            next_dose=next_dose,
            next_label=label_of(data, next_dose),
            eliminated=tuple(sorted(gone)),
            mtd=mtd,
            mtd_label=label_of(data, mtd),
            reason=reason,
            table=dose_table(data, target, sorted(gone)),
        )

    def finish(why: str) -> NextCohort:
        selection = select_mtd(
            target,
            data.n,
            data.dlt,
            design.cutoff_eli,
            design.extrasafe,
            design.offset,
            p_tox=design.p_tox,
        )
        if selection.mtd is None:
            return decide(Recommendation.STOP, None, f"{why}; {selection.reason}.", None)
        chosen = data.labels[selection.mtd]
        return decide(
            Recommendation.STOP,
            None,
            f"{why}; dose {chosen} is selected as the MTD: {selection.reason}.",
            selection.mtd,
        )

    if n == 0:
        if current in gone:
            raise DoseFindingError(f"the current dose {here} is eliminated")
        return decide(
            Recommendation.STAY,
            current,
            f"No patient has been treated at dose {here} yet: treat the next cohort there.",
            None,
        )
    observed = f"{y} of {n} patients at dose {here} had a DLT"
    if 0 in gone:
        p = posterior_over(target, data.n[0], data.dlt[0])
        return decide(
            Recommendation.STOP,
            None,
            f"{data.dlt[0]} of {data.n[0]} patients at the lowest dose {data.labels[0]} had a "
            f"DLT, so Pr(DLT rate > {target:g}) = {p:.3f} exceeds {design.cutoff_eli:g}: every "
            "dose is eliminated, the trial stops and no dose is selected.",
            None,
        )
    if design.extrasafe and data.n[0] >= 3:
        p = posterior_over(target, data.n[0], data.dlt[0])
        if p > design.cutoff_eli - design.offset:
            gone = set(range(data.doses))
            return decide(
                Recommendation.STOP,
                None,
                f"{data.dlt[0]} of {data.n[0]} patients at the lowest dose {data.labels[0]} "
                f"had a DLT, so Pr(DLT rate > {target:g}) = {p:.3f} exceeds the extra-safe "
                f"cut-off {design.cutoff_eli - design.offset:g}: the trial stops and no dose "
                "is selected.",
                None,
            )
    if sum(data.n) >= design.npts:
        return finish(f"The maximum sample size of {design.npts} patients is reached ({observed})")
    bound = boundary_at(design, n)
    top = current == data.doses - 1
    if current in gone:
        p = posterior_over(target, n, y)
        if current == 0:  # unreachable: dose 0 eliminated is handled above
            raise AssertionError
        return decide(
            Recommendation.DEESCALATE,
            current - 1,
            f"{observed}, so Pr(DLT rate > {target:g}) = {p:.3f} exceeds "
            f"{design.cutoff_eli:g}: dose {here} and every higher dose are eliminated; "
            f"de-escalate to dose {data.labels[current - 1]}.",
            None,
        )
    if y <= bound.escalate_if_at_most:
        rule = f"{observed}, at most the escalation boundary ({bound.escalate_if_at_most})"
        if not top and current + 1 not in gone:
            recommendation, next_dose = Recommendation.ESCALATE, current + 1
            action = f"escalate to dose {data.labels[current + 1]}"
        elif top:
            recommendation, next_dose = Recommendation.STAY, current
            action = f"dose {here} is the highest dose, so stay"
        else:
            recommendation, next_dose = Recommendation.STAY, current
            action = f"dose {data.labels[current + 1]} is eliminated, so stay"
    elif y >= bound.deescalate_if_at_least:
        rule = f"{observed}, at least the de-escalation boundary ({bound.deescalate_if_at_least})"
        if current > 0:
            recommendation, next_dose = Recommendation.DEESCALATE, current - 1
            action = f"de-escalate to dose {data.labels[current - 1]}"
        else:
            recommendation, next_dose = Recommendation.STAY, current
            action = f"dose {here} is the lowest dose, so stay"
    else:
        rule = (
            f"{observed}, between the escalation ({bound.escalate_if_at_most}) and "
            f"de-escalation ({bound.deescalate_if_at_least}) boundaries"
        )
        recommendation, next_dose = Recommendation.STAY, current
        action = f"stay at dose {here}"
    if recommendation is Recommendation.STAY and n >= design.n_earlystop:
        return finish(
            f"{rule}, and dose {here} already holds {n} patients "
            f"(n.earlystop = {design.n_earlystop}): the trial stops"
        )
    return decide(recommendation, next_dose, f"{rule}: {action}.", None)
