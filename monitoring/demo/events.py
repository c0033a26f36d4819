"""Response assessments (with marrow blasts and MRD) and adverse events of the demo
patients, built as whole arrays from their courses."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from monitoring.demo.catalogue import (
    FATAL_EVENTS,
    RELATED,
    RELATED_P,
    UNRELATED,
    UNRELATED_P,
    category_of,
    term_arrays,
)
from monitoring.demo.courses import Courses
from monitoring.demo.plan import Course, Ints, Plan
from monitoring.protocol import Protocol, ToxicityRule

Objects = npt.NDArray[np.object_]


def _codes(plan: Plan, c: Courses, rng: np.random.Generator) -> Objects:
    """Response code of every scheduled assessment (n, K)."""
    n, size = c.days.shape
    k = np.arange(size)[None, :]
    course = plan.course[:, None]
    before = rng.choice(np.array(["PR", "NR"], dtype=object), (n, size), p=[0.4, 0.6])
    remission = np.where(k < plan.remission_index[:, None], before, c.remission_code[:, None])
    partial = np.where(k == 0, before, "PR")
    refractory = np.where((k == 0) & (rng.random((n, 1)) < 0.05), "NE", "NR")
    codes = np.select(
        [course == Course.REMISSION, course == Course.PARTIAL, course == Course.REFRACTORY],
        [remission, partial, refractory],
        "NE",
    ).astype(object)
    codes[k == c.pd_index[:, None]] = "PD"
    return codes


def _marrow(
    codes: Objects, remission_codes: tuple[str, ...], mrd_negative: float, rng: np.random.Generator
) -> tuple[Objects, Objects, Objects]:
    """Marrow blasts (%), MRD negativity (Y/N) and MRD level consistent with the code."""
    n = codes.size
    remission = np.isin(codes, list(remission_codes))
    low = np.select([remission, codes == "PR", codes == "NE"], [0.0, 6.0, np.nan], 26.0)
    high = np.select([remission, codes == "PR"], [5.0, 25.0], 95.0)
    blasts = np.round(low + (high - low) * rng.random(n), 1)
    negative = remission & (rng.random(n) < mrd_negative)
    mrd = np.where(negative, "Y", "N").astype(object)
    mrd[codes == "NE"] = None
    level = np.where(negative, np.round(rng.random(n) * 1e-4, 6), 10 ** rng.uniform(-3.9, -1.4, n))
    level = np.where(codes == "NE", np.nan, np.where(remission | negative, level, blasts / 100))
    return blasts, mrd, level


def responses(plan: Plan, c: Courses, ids: pd.Series, rng: np.random.Generator) -> pd.DataFrame:
    treated = plan.dose_delay >= 0
    last = np.minimum(c.off, c.death)
    keep = treated[:, None] & (c.days <= last[:, None])
    codes = _codes(plan, c, rng)[keep]
    row, col = np.nonzero(keep)
    fd = plan.enroll_day + np.maximum(plan.dose_delay, 0)
    blasts, mrd, level = _marrow(codes, plan.remission_codes, plan.mrd_negative, rng)
    start = pd.Timestamp(plan.start)
    return pd.DataFrame(
        {
            "patient_id": ids.to_numpy()[row],
            "assessment_date": (start + pd.to_timedelta(fd[row] + c.days[row, col], "D")).astype(
                "datetime64[ns]"
            ),
            "cycle": pd.array(c.cycles[col], dtype="Int64"),
            "response": codes,
            "marrow_blasts_pct": blasts.astype(float),
            "mrd_negative": mrd,
            "mrd_level": level.astype(float),
        }
    )


def _attribution(related: npt.NDArray[np.bool_], rng: np.random.Generator) -> Objects:
    n = related.size
    yes = rng.choice(np.array(RELATED, dtype=object), n, p=RELATED_P)
    no = rng.choice(np.array(UNRELATED, dtype=object), n, p=UNRELATED_P)
    return np.where(related, yes, no).astype(object)


def _frame(
    pid: Ints,
    term: Objects,
    category: Objects,
    grade: Ints,
    onset: Ints,
    resolution: Ints,
    attribution: Objects,
    serious: Objects,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pid": pid,
            "term": term,
            "category": category,
            "grade": grade,
            "onset": onset,
            "resolution": resolution,
            "attribution": attribution,
            "serious": serious,
        }
    )


def _routine(plan: Plan, c: Courses, rng: np.random.Generator) -> pd.DataFrame:
    """Background AEs: Poisson count per cycle on treatment, onset up to 30 days after."""
    terms, categories, p, cumulative, related = term_arrays()
    treated = plan.dose_delay >= 0
    window = np.minimum(c.off + 30, c.death)
    cycles = np.maximum(np.ceil(np.minimum(c.off, c.death) / c.cycle_length), 1)
    count = np.where(treated, rng.poisson(plan.ae_per_cycle * cycles), 0)
    pid = np.repeat(np.arange(count.size), count)
    onset = np.floor(rng.random(pid.size) * (window[pid] + 1)).astype(np.int64)
    t = rng.choice(terms.size, pid.size, p=p)
    grade = (rng.random(pid.size)[:, None] > cumulative[t]).sum(axis=1) + 1
    grade = np.minimum(grade, 4)
    duration = 1 + rng.geometric(1.0 / (4.0 * grade))
    resolution = np.where(rng.random(pid.size) < 0.08, c.never, onset + duration)
    serious_p = np.array([0.02, 0.1, 0.5, 0.85])[grade - 1]
    return _frame(
        pid,
        terms[t],
        categories[t],
        grade,
        onset,
        resolution,
        _attribution(rng.random(pid.size) < related[t], rng),
        np.where(rng.random(pid.size) < serious_p, "Y", "N").astype(object),
    )


def monitored_terms(protocol: Protocol) -> tuple[ToxicityRule, ...]:
    """The toxicity rules that monitor distinct terms, in protocol order: rules sharing a
    term (the same toxicity in two cohorts) share one set of demo events."""
    groups: list[ToxicityRule] = []
    for rule in protocol.toxicity:
        if not any(set(rule.terms) & set(g.terms) for g in groups):
            groups.append(rule)
    return tuple(groups)


def _monitored(
    plan: Plan, flags: Ints, term: str, c: Courses, rng: np.random.Generator
) -> pd.DataFrame:
    """Events of one monitored term for the patients ``flags`` gives it (1 deemed related,
    2 not), with onset before the data date so that they are known at the cut-off."""
    fd = plan.enroll_day + np.maximum(plan.dose_delay, 0)
    pid = np.nonzero((flags > 0) & (plan.dose_delay >= 0))[0]
    cap = np.clip(np.minimum(c.death[pid], plan.data_end - fd[pid]), 0, None)
    onset = np.minimum(rng.integers(10, 41, pid.size), cap)
    grade = rng.choice(np.arange(1, 5), pid.size, p=[0.15, 0.35, 0.35, 0.15])
    return _frame(
        pid,
        np.full(pid.size, term, dtype=object),
        np.full(pid.size, category_of(term), dtype=object),
        grade,
        onset,
        onset + rng.integers(7, 31, pid.size),
        _attribution(flags[pid] == 1, rng),
        np.where(grade >= 3, "Y", "N").astype(object),
    )


def _vod(plan: Plan, protocol: Protocol, c: Courses, rng: np.random.Generator) -> pd.DataFrame:
    """The monitored toxicities: each distinct set of terms (:func:`monitored_terms`) under
    its own first term, the first set from ``plan.vod``, the others from
    ``plan.other_toxicity``; VOD where the protocol has no toxicity rule."""
    groups = monitored_terms(protocol)
    terms = [g.terms[0] for g in groups] or ["Veno-occlusive disease"]
    flags = (plan.vod, *plan.other_toxicity)
    return pd.concat(
        [_monitored(plan, f, term, c, rng) for f, term in zip(flags, terms, strict=False)]
    )


def _fatal(plan: Plan, c: Courses, rng: np.random.Generator) -> pd.DataFrame:
    """A grade-5 AE on the day of death for deaths from infection or hemorrhage."""
    causes = {cause: (term, category) for cause, term, category in FATAL_EVENTS}
    pid = np.nonzero(
        (plan.dose_delay >= 0) & (c.death < c.never) & np.isin(c.death_cause, list(causes))
    )[0]
    term = np.array([causes[x][0] for x in c.death_cause[pid]], dtype=object)
    category = np.array([causes[x][1] for x in c.death_cause[pid]], dtype=object)
    return _frame(
        pid,
        term,
        category,
        np.full(pid.size, 5),
        c.death[pid],
        np.full(pid.size, c.never),
        _attribution(np.zeros(pid.size, bool), rng),
        np.full(pid.size, "Y", dtype=object),
    )


def adverse_events(
    plan: Plan, protocol: Protocol, c: Courses, ids: pd.Series, rng: np.random.Generator
) -> pd.DataFrame:
    rows = pd.concat([_routine(plan, c, rng), _vod(plan, protocol, c, rng), _fatal(plan, c, rng)])
    pid = rows["pid"].to_numpy()
    death = c.death[pid]
    rows = rows.loc[rows["onset"].to_numpy() <= death]
    pid = rows["pid"].to_numpy()
    resolution = rows["resolution"].to_numpy()
    unresolved = (resolution >= c.never) | (resolution > c.death[pid])
    fd = plan.enroll_day + np.maximum(plan.dose_delay, 0)
    start = pd.Timestamp(plan.start)
    onset = start + pd.to_timedelta(fd[pid] + rows["onset"].to_numpy(), "D")
    resolved = start + pd.to_timedelta(fd[pid] + np.where(unresolved, 0, resolution), "D")
    frame = pd.DataFrame(
        {
            "patient_id": ids.to_numpy()[pid],
            "term": rows["term"].to_numpy(),
            "category": rows["category"].to_numpy(),
            "grade": pd.array(rows["grade"].to_numpy(), dtype="Int64"),
            "onset_date": onset.astype("datetime64[ns]"),
            "resolution_date": pd.Series(resolved)
            .where(~unresolved, pd.NaT)
            .astype("datetime64[ns]"),
            "attribution": rows["attribution"].to_numpy(),
            "serious": rows["serious"].to_numpy(),
        }
    )
    frame = frame.drop_duplicates(["patient_id", "term", "onset_date"], keep="first")
    return frame.sort_values(["patient_id", "onset_date", "term"], kind="mergesort").reset_index(
        drop=True
    )
