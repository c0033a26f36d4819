"""Competing risks: cumulative incidence (Aalen–Johansen) and Gray's test, as R's cmprsk.

``cumulative_incidence`` is ``cmprsk::cuminc`` for one cause in one group: with S(t-) the
Kaplan–Meier estimate of being free of any event just before t, n at risk and d1 events of
the cause of interest at t, the incidence jumps by S(t-) d1 / n (Aalen–Johansen; Kalbfleisch
& Prentice 1980). Its variance is Gray's (1988) estimator in the form cmprsk computes it:
three running sums updated at each event time, with the tie factor 1 - (d - 1)/(n - 1) for
d tied events, and the variance recorded only where the incidence jumps (between jumps it
keeps the value of the last jump, as ``timepoints`` reads it).

``incidence_at`` reads a curve at given times as ``cmprsk::timepoints`` does: the value of
the right-continuous step function, and None past the group's last follow-up time.

``gray_test`` is the test of equal cumulative incidence of one cause across groups (Gray
1988, rho = 0, one stratum), the statistic ``cuminc(...)$Tests`` reports: a score per group
(all but the last) against its variance matrix, chi-square on groups - 1 df.

Status codes: 0 censored, ``cause`` the event of interest, ``competing`` the competing event;
any other code is refused. ``tests/test_competing_risks.py`` checks every number against
cmprsk (``tests/reference/competing_risks_reference.R``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from monitoring.distributions import chi2_sf
from monitoring.survival import inputs
from monitoring.survival.inputs import FloatArray


@dataclass(frozen=True, eq=False)
class IncidenceCurve:
    """A step function: ``cif`` and ``var`` hold from each of ``times`` (ascending; the first
    is 0) up to the next; ``last_follow_up`` is the group's largest time, past which the
    curve is not estimated."""

    times: FloatArray
    cif: FloatArray
    var: FloatArray
    last_follow_up: float


@dataclass(frozen=True)
class GrayTest:
    """Gray's test: chi-square statistic, its degrees of freedom and p-value."""

    stat: float
    df: int
    p: float


def _codes(
    time: npt.ArrayLike, status: npt.ArrayLike, cause: int, competing: int
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Times and status recoded 0 censored, 1 the cause, 2 the competing event."""
    t = np.asarray(time, dtype=np.float64)
    s = np.asarray(status)
    if t.ndim != 1 or s.shape != t.shape:
        raise ValueError("time and status must be one-dimensional of the same length")
    if not np.all(np.isfinite(t)) or (t.size and t.min() < 0):
        raise ValueError("time must be finite and >= 0")
    if cause == 0 or competing == 0 or cause == competing:
        raise ValueError("the event and competing codes must differ from each other and from 0")
    sv = s.astype(np.float64)
    allowed = (sv == 0) | (sv == cause) | (sv == competing)
    if not allowed.all():
        bad = sorted({float(v) for v in sv[~allowed]})
        raise ValueError(
            f"status must be 0 (censored), {cause} (event) or {competing} (competing); "
            f"found {', '.join(f'{v:g}' for v in bad)}"
        )
    return t, np.where(sv == cause, 1, np.where(sv == competing, 2, 0)).astype(np.int64)


def _tables(
    t: FloatArray, m: npt.NDArray[np.int64]
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Distinct times, subjects at risk, events of the cause and competing events at each."""
    u, inv = np.unique(t, return_inverse=True)
    total = np.bincount(inv, minlength=u.size).astype(np.float64)
    d1 = np.bincount(inv, weights=(m == 1).astype(float), minlength=u.size)
    d2 = np.bincount(inv, weights=(m == 2).astype(float), minlength=u.size)
    at_risk = np.cumsum(total[::-1])[::-1]
    return u.astype(np.float64), at_risk, d1.astype(np.float64), d2.astype(np.float64)


def _tie_factor(d: float, n: float) -> float:
    return 1 - (d - 1) / (n - 1) if d > 1 else 1.0


def cumulative_incidence(
    time: npt.ArrayLike, status: npt.ArrayLike, cause: int, competing: int
) -> IncidenceCurve:
    """Cumulative incidence of ``cause`` with Gray's variance (``cmprsk::cuminc``)."""
    t, m = _codes(time, status, cause, competing)
    if t.size == 0:
        raise ValueError("no subjects")
    u, at_risk, d1, d2 = _tables(t, m)
    survival = 1.0  # Kaplan–Meier of any event, just before the current time
    f = 0.0
    a = b = c = 0.0  # Gray's running sums (cmprsk's v1, v2, v3)
    times = [0.0]
    cif = [0.0]
    var = [0.0]
    for time_k, n, e1, e2 in zip(
        u.tolist(), at_risk.tolist(), d1.tolist(), d2.tolist(), strict=True
    ):
        if e1 + e2 == 0:
            continue
        after = survival * (n - e1 - e2) / n
        if e1 > 0:
            f += survival * e1 / n
        inv_after = 1 / after if after > 0 else 0.0
        if e2 > 0 and after > 0:
            w = survival**2 * _tie_factor(e2, n) * e2 / n**2
            g = f * inv_after
            a += g * g * w
            b += inv_after * g * w
            c += inv_after * inv_after * w
        if e1 > 0:
            w = survival**2 * _tie_factor(e1, n) * e1 / n**2
            g = 1 + inv_after * f
            a += g * g * w
            b += inv_after * g * w
            c += inv_after * inv_after * w
            times.append(time_k)
            cif.append(f)
            var.append(a + f * f * c - 2 * f * b)
        survival = after
    frozen = inputs.frozen
    return IncidenceCurve(
        times=frozen(np.asarray(times)),
        cif=frozen(np.asarray(cif)),
        var=frozen(np.asarray(var)),
        last_follow_up=float(u[-1]),
    )


def incidence_at(
    curve: IncidenceCurve, at: npt.ArrayLike
) -> tuple[list[float | None], list[float | None]]:
    """The incidence and its variance at each time of ``at`` (None past the last follow-up
    or before 0), as ``cmprsk::timepoints``."""
    cif: list[float | None] = []
    var: list[float | None] = []
    for x in np.asarray(at, dtype=np.float64).tolist():
        if x > curve.last_follow_up or x < 0:
            cif.append(None)
            var.append(None)
            continue
        i = int(np.searchsorted(curve.times, x, side="right")) - 1
        cif.append(float(curve.cif[i]))
        var.append(float(curve.var[i]))
    return cif, var


def gray_test(
    time: npt.ArrayLike,
    status: npt.ArrayLike,
    group: npt.ArrayLike,
    cause: int,
    competing: int,
) -> GrayTest:
    """Gray's test (rho = 0, one stratum) of equal incidence of ``cause`` across groups."""
    t, m = _codes(time, status, cause, competing)
    labels, g = inputs.groups(group, t.size)
    k = len(labels)
    if k < 2:
        raise ValueError("Gray's test needs at least two groups")
    u, inv = np.unique(t, return_inverse=True)
    # counts[time, group, code]: censored, cause, competing
    counts = np.zeros((u.size, k, 3))
    np.add.at(counts, (inv, g, m), 1.0)
    left = np.cumsum(counts.sum(axis=2)[::-1], axis=0)[::-1]  # at risk per time and group
    event_times = np.flatnonzero(counts[:, :, 1:].sum(axis=(1, 2)) > 0)
    # plain Python floats per group: k is small and numpy's per-call cost would dominate
    km_before = [1.0] * k  # Kaplan–Meier of any event per group, left-continuous
    f1_before = [0.0] * k  # cumulative incidence per group, left-continuous
    pooled_before = 0.0  # the pooled incidence Gray's score compares with
    score = [0.0] * (k - 1)
    cov = [[0.0] * (k - 1) for _ in range(k - 1)]
    c = [[0.0] * k for _ in range(k)]
    v2 = [[0.0] * k for _ in range(k - 1)]
    v3 = [0.0] * k
    groups = range(k)
    for j in event_times.tolist():
        rs = left[j].tolist()
        d1 = counts[j, :, 1].tolist()
        d2 = counts[j, :, 2].tolist()
        n1 = sum(d1)
        live = [r > 0 for r in rs]
        km_after = list(km_before)
        f1_after = list(f1_before)
        h = [0.0] * k
        tr = tq = 0.0
        for q in groups:
            if live[q]:
                km_after[q] = km_before[q] * (rs[q] - d1[q] - d2[q]) / rs[q]
                f1_after[q] = f1_before[q] + km_before[q] * d1[q] / rs[q]
                h[q] = rs[q] / km_before[q]
                tr += h[q]
                tq += rs[q] * (1 - f1_before[q]) / km_before[q]
        pooled = pooled_before + n1 / tr
        a = [
            [
                (h[q] * (1 - h[q] / tr) if q == r else -h[q] * h[r] / tr)
                if live[q] and live[r]
                else 0.0
                for r in groups
            ]
            for q in groups
        ]
        weight = n1 / (tr * (1 - pooled_before)) if n1 > 0 else 0.0
        for q in groups:
            for r in groups:
                c[q][r] += a[q][r] * weight
        for q in range(k - 1):
            if live[q]:
                score[q] += d1[q] - n1 * rs[q] * (1 - f1_before[q]) / (km_before[q] * tq)
        if n1 > 0:
            for q in groups:
                if not live[q]:
                    continue
                t4 = 1 - (1 - pooled) / km_after[q] if km_after[q] > 0 else 1.0
                t5 = 1 - (n1 - 1) / (tr * km_before[q] - 1) if n1 > 1 else 1.0
                t3 = t5 * km_before[q] * n1 / (tr * rs[q])
                v3[q] += t4 * t4 * t3
                col = [a[i][q] - t4 * c[i][q] for i in range(k - 1)]
                for i in range(k - 1):
                    v2[i][q] += col[i] * t4 * t3
                    for p in range(k - 1):
                        cov[i][p] += col[i] * col[p] * t3
        for q in groups:
            if km_after[q] > 0 and d2[q] > 0:
                t4 = (1 - pooled) / km_after[q]
                t5 = _tie_factor(d2[q], rs[q])
                t3 = t5 * km_before[q] ** 2 * d2[q] / rs[q] ** 2
                v3[q] += t4 * t4 * t3
                col = [t4 * c[i][q] for i in range(k - 1)]
                for i in range(k - 1):
                    v2[i][q] -= col[i] * t4 * t3
                    for p in range(k - 1):
                        cov[i][p] += col[i] * col[p] * t3
        pooled_before = pooled
        f1_before = f1_after
        km_before = km_after
    c_ = np.asarray(c)
    v2_ = np.asarray(v2)
    v3_ = np.asarray(v3)
    cov_ = np.asarray(cov)
    score_ = np.asarray(score)
    cc = c_[: k - 1]
    cov_ += (cc * v3_) @ cc.T + cc @ v2_.T + v2_ @ cc.T
    stat = float(score_ @ np.linalg.solve(cov_, score_))
    return GrayTest(stat=stat, df=k - 1, p=chi2_sf(stat, k - 1))
