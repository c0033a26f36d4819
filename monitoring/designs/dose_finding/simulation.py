"""Operating characteristics of the dose-finding designs for true DLT rates per dose.

Which parts are exact and which simulated:

- 3+3: **exact**, by enumerating every path of the trial (:func:`three_plus_three_oc`);
  also simulated (:func:`three_plus_three_oc_simulated`), which the tests check against the
  enumeration.
- BOIN: **simulated** (:func:`boin_oc`), as the R package's ``get.oc`` does: ``trials``
  trials from a seeded numpy generator, vectorised over trials (one step per cohort); the
  MTD of each distinct final data set is selected once by the exact ``select_mtd``. The
  Monte Carlo standard error of every figure is returned with it. Equal seeds give equal
  results; the stream differs from R's, so figures agree with ``get.oc`` within Monte Carlo
  error, not digit for digit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import betaincc

from monitoring.designs.dose_finding.boin import BoinDesign, boundary_at, choose_mtd
from monitoring.designs.dose_finding.decision import DoseData, Recommendation
from monitoring.designs.dose_finding.errors import DoseFindingError
from monitoring.designs.dose_finding.three_plus_three import (
    COHORT,
    LEVEL_MAX,
    three_plus_three_next,
)

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class OperatingCharacteristics:
    """What a design does when the true DLT rates are ``true_rates``.

    ``select`` is the probability each dose is selected as the MTD; ``no_selection`` the
    probability that none is (the trial stopped for toxicity, or no dose qualified: R's
    ``percentstop``/100). ``early_stop`` is the probability that the trial stopped because
    the lowest dose was too toxic. ``patients``/``dlts`` are mean numbers per dose.
    ``method`` is "exact" or "simulation"; for a simulation ``trials`` and ``seed`` are set
    and each ``*_se`` holds the Monte Carlo standard errors (None when exact).
    """

    design: str
    true_rates: tuple[float, ...]
    method: str
    trials: int | None
    seed: int | None
    select: tuple[float, ...]
    no_selection: float
    early_stop: float
    patients: tuple[float, ...]
    dlts: tuple[float, ...]
    total_patients: float
    total_dlts: float
    select_se: tuple[float, ...] | None
    patients_se: tuple[float, ...] | None
    dlts_se: tuple[float, ...] | None

    @property
    def max_select_se(self) -> float | None:
        """The largest Monte Carlo standard error of a selection probability."""
        return None if self.select_se is None else max(self.select_se)


def _rates(true_rates: Sequence[float]) -> NDArray[np.float64]:
    rates = np.asarray([float(p) for p in true_rates], dtype=np.float64)
    if rates.size == 0 or not np.all((rates >= 0) & (rates <= 1)):
        raise DoseFindingError("true DLT rates must be given, each between 0 and 1")
    return rates


def _check_trials(trials: int) -> None:
    if trials < 2:
        raise DoseFindingError(f"at least 2 simulated trials are needed; got {trials}")


def _summarise(
    design: str,
    rates: NDArray[np.float64],
    trials: int,
    seed: int,
    selected: IntArray,
    stopped_early: BoolArray,
    n: IntArray,
    y: IntArray,
) -> OperatingCharacteristics:
    doses = rates.size
    chosen = np.array([np.mean(selected == d) for d in range(doses)])
    root = math.sqrt(trials)
    return OperatingCharacteristics(
        design=design,
        true_rates=tuple(float(p) for p in rates),
        method="simulation",
        trials=trials,
        seed=seed,
        select=tuple(float(v) for v in chosen),
        no_selection=float(np.mean(selected < 0)),
        early_stop=float(np.mean(stopped_early)),
        patients=tuple(float(v) for v in n.mean(axis=0)),
        dlts=tuple(float(v) for v in y.mean(axis=0)),
        total_patients=float(n.sum(axis=1).mean()),
        total_dlts=float(y.sum(axis=1).mean()),
        select_se=tuple(float(math.sqrt(p * (1 - p) / trials)) for p in chosen),
        patients_se=tuple(float(v) / root for v in n.std(axis=0, ddof=1)),
        dlts_se=tuple(float(v) / root for v in y.std(axis=0, ddof=1)),
    )


def boin_oc(
    design: BoinDesign,
    true_rates: Sequence[float],
    trials: int = 10_000,
    seed: int = 6,
    start: int = 0,
) -> OperatingCharacteristics:
    """Simulated operating characteristics of BOIN (``get.oc`` without titration)."""
    rates = _rates(true_rates)
    _check_trials(trials)
    doses = rates.size
    if not 0 <= start < doses:
        raise DoseFindingError(f"start dose index {start} is not a dose level")
    npts, size = design.npts, design.cohort_size
    # Boundaries indexed by n (index 0 unused); "never" as a count above any n.
    never = npts + 1
    bounds = [boundary_at(design, n) for n in range(1, npts + 1)]
    escalate = np.array([-1] + [b.escalate_if_at_most for b in bounds])
    deescalate = np.array([never] + [b.deescalate_if_at_least for b in bounds])
    eliminate = np.array(
        [never]
        + [never if b.eliminate_if_at_least is None else b.eliminate_if_at_least for b in bounds]
    )
    has_eliminate = np.array([False] + [b.eliminate_if_at_least is not None for b in bounds])
    rng = np.random.default_rng(seed)
    n = np.zeros((trials, doses), dtype=np.int64)
    y = np.zeros((trials, doses), dtype=np.int64)
    eliminated = np.zeros((trials, doses), dtype=bool)
    dose = np.full(trials, start, dtype=np.int64)
    active = np.ones(trials, dtype=bool)
    early = np.zeros(trials, dtype=bool)
    rows = np.arange(trials)
    for cohort in range(design.ncohort):
        idx = rows[active]
        d = dose[idx]
        y[idx, d] += rng.binomial(size, rates[d])
        n[idx, d] += size
        if (cohort + 1) * size >= npts:
            break
        nd, yd = n[idx, d], y[idx, d]
        out = has_eliminate[nd] & (yd >= eliminate[nd])
        later = np.arange(doses)[None, :] >= d[:, None]
        eliminated[idx] |= out[:, None] & later
        stop = out & (d == 0)
        if design.extrasafe:
            # get.oc checks Pr(p > target) > cutoff - offset itself (at n >= 3 where an
            # elimination bound exists), not a table of counts.
            over = betaincc(yd + 1.0, nd - yd + 1.0, design.target)
            lowest = has_eliminate[nd] & (d == 0) & (nd >= 3)
            stop |= lowest & (over > design.cutoff_eli - design.offset)
        early[idx[stop]] = True
        up = (yd <= escalate[nd]) & (d != doses - 1)
        next_open = np.zeros(idx.size, dtype=bool)
        can = d < doses - 1
        next_open[can] = ~eliminated[idx[can], d[can] + 1]
        down = ~(yd <= escalate[nd]) & (yd >= deescalate[nd]) & (d != 0)
        stays = ~(up & next_open) & ~down
        done_here = (nd >= design.n_earlystop) & stays
        finished = stop | done_here
        active[idx[finished]] = False
        go = ~finished
        dose[idx[go & up & next_open]] += 1
        dose[idx[go & down]] -= 1
        if not active.any():
            break
    selected = np.full(trials, -1, dtype=np.int64)
    candidates = ~early
    gone = _eliminated(design, n[candidates], y[candidates])
    table = np.concatenate([n[candidates], y[candidates], gone], axis=1)
    unique, inverse = np.unique(table, axis=0, return_inverse=True)
    picks = np.empty(len(unique), dtype=np.int64)
    for k, row in enumerate(unique):
        counts, dlts = row[:doses].tolist(), row[doses : 2 * doses].tolist()
        removed = [i for i in range(doses) if row[2 * doses + i]]
        choice, _ = choose_mtd(design.target, counts, dlts, removed)
        picks[k] = -1 if choice is None else choice
    selected[candidates] = picks[np.ravel(inverse)]
    return _summarise("BOIN", rates, trials, seed, selected, early, n, y)


def _eliminated(design: BoinDesign, n: IntArray, y: IntArray) -> IntArray:
    """``eliminated_doses`` of each row (1 = eliminated), vectorised with the same
    posterior function."""
    posterior = betaincc(y + 1.0, n - y + 1.0, design.target)
    hit = (n >= 3) & (posterior > design.cutoff_eli)
    gone = np.logical_or.accumulate(hit, axis=1)
    if design.extrasafe:
        lowest = (n[:, 0] >= 3) & (posterior[:, 0] > design.cutoff_eli - design.offset)
        gone[lowest, :] = True
    return gone.astype(np.int64)


def three_plus_three_oc(true_rates: Sequence[float], start: int = 0) -> OperatingCharacteristics:
    """Exact operating characteristics of the 3+3 design, by enumerating every path.

    Each path is driven by :func:`three_plus_three_next`, so the enumeration follows the
    decision rule itself; its probability is the product of the binomial probabilities of
    its cohorts.
    """
    rates = _rates(true_rates)
    doses = rates.size
    if not 0 <= start < doses:
        raise DoseFindingError(f"start dose index {start} is not a dose level")
    from scipy.stats import binom  # here: the report imports this package, not this function

    cohort_probability = [binom.pmf(np.arange(COHORT + 1), COHORT, p) for p in rates]
    select = np.zeros(doses)
    patients = np.zeros(doses)
    dlts = np.zeros(doses)
    patients_sq = np.zeros(doses)
    totals = {"none": 0.0, "early": 0.0}
    labels = tuple(str(i + 1) for i in range(doses))

    def walk(n: tuple[int, ...], y: tuple[int, ...], dose: int, probability: float) -> None:
        for k in range(COHORT + 1):
            p = probability * float(cohort_probability[dose][k])
            if p == 0.0:
                continue
            n2 = (*n[:dose], n[dose] + COHORT, *n[dose + 1 :])
            y2 = (*y[:dose], y[dose] + k, *y[dose + 1 :])
            decision = three_plus_three_next(DoseData(n2, y2, labels), dose, with_table=False)
            if decision.recommendation is Recommendation.STOP:
                if decision.mtd is None:
                    totals["none"] += p
                    totals["early"] += p
                else:
                    select[decision.mtd] += p
                patients[:] += p * np.array(n2)
                patients_sq[:] += p * np.array(n2) ** 2
                dlts[:] += p * np.array(y2)
            else:
                assert decision.next_dose is not None
                walk(n2, y2, decision.next_dose, p)

    walk((0,) * doses, (0,) * doses, start, 1.0)
    return OperatingCharacteristics(
        design="3+3",
        true_rates=tuple(float(p) for p in rates),
        method="exact",
        trials=None,
        seed=None,
        select=tuple(float(v) for v in select),
        no_selection=totals["none"],
        early_stop=totals["early"],
        patients=tuple(float(v) for v in patients),
        dlts=tuple(float(v) for v in dlts),
        total_patients=float(patients.sum()),
        total_dlts=float(dlts.sum()),
        select_se=None,
        patients_se=None,
        dlts_se=None,
    )


def three_plus_three_oc_simulated(
    true_rates: Sequence[float], trials: int = 10_000, seed: int = 6, start: int = 0
) -> OperatingCharacteristics:
    """Simulated operating characteristics of the 3+3 design, vectorised over trials (the
    same rule as :func:`three_plus_three_next`; a check on the exact enumeration)."""
    rates = _rates(true_rates)
    _check_trials(trials)
    doses = rates.size
    if not 0 <= start < doses:
        raise DoseFindingError(f"start dose index {start} is not a dose level")
    rng = np.random.default_rng(seed)
    n = np.zeros((trials, doses), dtype=np.int64)
    y = np.zeros((trials, doses), dtype=np.int64)
    dose = np.full(trials, start, dtype=np.int64)
    selected = np.full(trials, -1, dtype=np.int64)
    early = np.zeros(trials, dtype=bool)
    active = np.ones(trials, dtype=bool)
    rows = np.arange(trials)
    for _ in range(2 * doses * 2 + 2):  # each level holds at most 2 cohorts
        idx = rows[active]
        if idx.size == 0:
            break
        d = dose[idx]
        y[idx, d] += rng.binomial(COHORT, rates[d])
        n[idx, d] += COHORT
        nd, yd = n[idx, d], y[idx, d]
        toxic = yd >= 2
        above_toxic = np.zeros(idx.size, dtype=bool)
        inner = d < doses - 1
        above_toxic[inner] = y[idx[inner], d[inner] + 1] >= 2
        blocked = (d == doses - 1) | above_toxic
        below_full = np.zeros(idx.size, dtype=bool)
        has_below = d > 0
        below_full[has_below] = n[idx[has_below], d[has_below] - 1] >= LEVEL_MAX
        none = toxic & (d == 0)
        mtd_below = toxic & (d > 0) & below_full
        step_down = toxic & (d > 0) & ~below_full
        six = ~toxic & (nd == LEVEL_MAX)
        three_clear = ~toxic & (nd == COHORT) & (yd == 0)
        mtd_here = six & blocked
        step_up = (six | three_clear) & ~blocked
        early[idx[none]] = True
        selected[idx[mtd_below]] = d[mtd_below] - 1
        selected[idx[mtd_here]] = d[mtd_here]
        active[idx[none | mtd_below | mtd_here]] = False
        dose[idx[step_down]] -= 1
        dose[idx[step_up]] += 1
    if active.any():  # pragma: no cover - the loop bound covers every path
        raise AssertionError("a simulated 3+3 trial did not finish")
    return _summarise("3+3", rates, trials, seed, selected, early, n, y)
