"""Cumulative incidence of relapse and of death in remission, for the Survival page and report.

From the trial's relapse records (``Derivation.relapse``: patients in remission, time from
the first remission), the Aalen–Johansen cumulative incidence of each cause with Gray's
variance (``monitoring.survival.competing_risks``, equal to R's cmprsk), read at the
protocol's landmarks (12, 24 and 36 months when it declares none) with a 95 % interval on
the log(-log) scale, per group of ``by`` with Gray's test of each cause across the groups.
docs/methods.md, "Relapse and death in remission".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from monitoring.derive import Derivation
from monitoring.derive.relapse import DEATH_IN_REMISSION, RELAPSE
from monitoring.distributions import norm_ppf
from monitoring.protocol import Protocol
from monitoring.survival.competing_risks import (
    GrayTest,
    IncidenceCurve,
    cumulative_incidence,
    gray_test,
    incidence_at,
)
from monitoring.survival.inputs import groups as group_codes
from monitoring.wording import counted

DEFAULT_LANDMARK_MONTHS = (12.0, 24.0, 36.0)
CONF_LEVEL = 0.95


@dataclass(frozen=True)
class IncidenceAt:
    """The incidence at a landmark with its standard error (Gray) and interval; None past
    the group's last follow-up."""

    months: float
    estimate: float | None
    se: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True, eq=False)
class IncidenceGroup:
    """One group (or all patients in remission): its curves and landmark values."""

    label: str
    n: int
    relapses: int
    deaths: int
    relapse: IncidenceCurve
    death: IncidenceCurve
    relapse_at: tuple[IncidenceAt, ...]
    death_at: tuple[IncidenceAt, ...]


@dataclass(frozen=True, eq=False)
class IncidenceView:
    """Relapse and death in remission, overall or by ``by`` (patients without a value left
    out and counted in ``missing_group``); Gray's test per cause with two groups or more."""

    groups: tuple[IncidenceGroup, ...]
    by: str | None
    missing_group: int
    gray_relapse: GrayTest | None
    gray_death: GrayTest | None
    landmark_months: tuple[float, ...]
    days_per_month: float
    conf_level: float


def incidence_column(protocol: Protocol) -> str | None:
    """The column a trial's incidence is split by: its cohorts, else its arms."""
    if len(protocol.cohorts) > 1:
        return "cohort"
    if len(protocol.arms) > 1:
        return "arm"
    return None


def log_log_interval(
    estimate: float, se: float, level: float = CONF_LEVEL
) -> tuple[float | None, float | None]:
    """Interval of an incidence F on the log(-log) scale (F^exp(±z se / (F log F))), which
    stays inside (0, 1); undefined at F = 0 or 1."""
    if not 0.0 < estimate < 1.0:
        return None, None
    z = float(norm_ppf(0.5 + level / 2))
    scale = z * se / (estimate * math.log(estimate))
    a, b = estimate ** math.exp(scale), estimate ** math.exp(-scale)
    return min(a, b), max(a, b)


def _at(
    curve: IncidenceCurve, months: tuple[float, ...], per_month: float
) -> tuple[IncidenceAt, ...]:
    cif, var = incidence_at(curve, [m * per_month for m in months])
    out = []
    for m, f, v in zip(months, cif, var, strict=True):
        se = None if v is None else math.sqrt(max(v, 0.0))
        low, high = (None, None) if f is None or se is None else log_log_interval(f, se)
        out.append(IncidenceAt(m, f, se, low, high))
    return tuple(out)


def _group(
    label: str, time: np.ndarray, status: np.ndarray, months: tuple[float, ...], per_month: float
) -> IncidenceGroup:
    relapse = cumulative_incidence(time, status, RELAPSE, DEATH_IN_REMISSION)
    death = cumulative_incidence(time, status, DEATH_IN_REMISSION, RELAPSE)
    return IncidenceGroup(
        label=label,
        n=int(time.size),
        relapses=int((status == RELAPSE).sum()),
        deaths=int((status == DEATH_IN_REMISSION).sum()),
        relapse=relapse,
        death=death,
        relapse_at=_at(relapse, months, per_month),
        death_at=_at(death, months, per_month),
    )


def _gray(time: np.ndarray, status: np.ndarray, codes: np.ndarray, cause: int) -> GrayTest | None:
    """Gray's test of ``cause``; None where it has no events (a singular variance)."""
    if not (status == cause).any():
        return None
    other = DEATH_IN_REMISSION if cause == RELAPSE else RELAPSE
    try:
        return gray_test(time, status, codes, cause, other)
    except np.linalg.LinAlgError:
        return None


def incidence_view(
    derived: Derivation, protocol: Protocol, by: str | None = None
) -> IncidenceView | None:
    """Relapse and death in remission at the cut-off, split by ``by`` if given; None when
    no patient is in remission (nothing to estimate)."""
    records = derived.relapse(by)
    if records.n == 0:
        return None
    settings = protocol.survival
    months = settings.landmarks_months or DEFAULT_LANDMARK_MONTHS
    per_month = settings.days_per_month
    values = [] if records.groups is None else records.groups.tolist()
    known: npt.NDArray[np.bool_] = np.asarray([g is not None for g in values], dtype=np.bool_)
    if by is None or records.groups is None or not known.any():
        whole = _group("All patients in remission", records.time, records.status, months, per_month)
        return IncidenceView((whole,), None, 0, None, None, months, per_month, CONF_LEVEL)
    time, status = records.time[known], records.status[known]
    labels, codes = group_codes(records.groups[known], int(known.sum()))
    groups = tuple(
        _group(f"{by} = {label}", time[codes == i], status[codes == i], months, per_month)
        for i, label in enumerate(labels)
    )
    two = len(labels) > 1
    return IncidenceView(
        groups=groups,
        by=by,
        missing_group=int(known.size - known.sum()),
        gray_relapse=_gray(time, status, codes, RELAPSE) if two else None,
        gray_death=_gray(time, status, codes, DEATH_IN_REMISSION) if two else None,
        landmark_months=months,
        days_per_month=per_month,
        conf_level=CONF_LEVEL,
    )


def incidence_note(view: IncidenceView) -> str:
    """How the incidence is defined and estimated, in the words the page and report print."""
    missing = (
        f" {counted(view.missing_group, 'patient')} without a value of {view.by} left out."
        if view.missing_group
        else ""
    )
    return (
        "Patients in remission (CR/CRi), from the first remission: relapse, with death in "
        "remission as the competing event, censored at the last follow-up. Aalen–Johansen "
        "cumulative incidence (R cmprsk); at each landmark with its "
        f"{view.conf_level:.0%} interval on the log(-log) scale from Gray's variance; "
        f"empty after a group's last follow-up.{missing}"
    )


def gray_sentence(view: IncidenceView) -> str | None:
    """Gray's tests across the groups, one clause per cause tested; None without a test."""
    parts = [
        f"{cause}: chi-square {test.stat:.2f} on {test.df} df, p = {test.p:.3f}"
        for cause, test in (("relapse", view.gray_relapse), ("death in remission", view.gray_death))
        if test is not None
    ]
    if not parts:
        return None
    return f"Gray's test across {len(view.groups)} groups of {view.by}: " + "; ".join(parts)
