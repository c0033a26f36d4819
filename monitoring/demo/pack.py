"""Demo meeting-pack tables: baseline characteristics, exposure per cycle, disposition
events and laboratory results, drawn from each demo patient's own data.

:func:`add_pack` is the one hook (``monitoring.demo.generate``): it reads the finished
core and detail tables and adds the four tables, drawing from a random stream of its own
(seeded by the demo seed and a fixed label), so every table and number the demo made
before stays the same. What it draws (regimens, laboratory tests, baseline distributions)
is described in :mod:`monitoring.demo.pack_facts`.

- **Baseline**: one row per enrolled patient and characteristic the protocol declares
  (``[[baseline]]``), a category from its list, a number with its unit.
- **Exposure**: cycles from the first dose, spaced by the patient's own cycle length (read
  from the dates of the assessments of later cycles), while on treatment (before the
  off-treatment date, death and the data date), as many as the patient's assessments show
  and the regimen allows; a VOD/SOS ends inotuzumab ozogamicin (seed 003 section 8.1.5)
  so no cycle starts after its onset. A grade 3-4 adverse event in the previous cycle
  makes a delay (3-14 days) five times as likely; a grade 3-4 event other than a
  blood-count one, or a delay of 14 days or more, may reduce the dose to the next lower
  level for the remaining cycles (no re-escalation, section 8.1.6); the cycle of a
  VOD/SOS onset omits its last dose.
- **Disposition**: ``completed_treatment`` or ``discontinued_treatment`` (with the
  off-treatment reason) on the off-treatment date; a few patients alive and off treatment
  withdraw consent or are lost to follow-up at their last contact.
- **Laboratory results**: BILI, ALT, AST, ALP, WEIGHT and PLT at screening (1-14 days before
  the first dose; at enrolment for a patient never treated), weekly in cycle 1 and on day 1
  of each later cycle. An adverse event a laboratory value defines (ALT, AST, bilirubin or
  ALP increased, platelet count decreased) is sampled at its onset with a value of its
  CTCAE grade, and stays abnormal until it resolves; about a third of the patients with ALT
  or AST above 3 x ULN also have bilirubin above 2 x ULN (a Hy's-law-like pattern); a
  VOD/SOS has bilirubin of at least 2 mg/dL and a weight gain above 5 % from 3 days before
  its onset, sampled 3 days before, at, and 3 and 7 days after onset. No sample after death
  or the data date.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from monitoring.data_dictionary import (
    BASELINE,
    DISPOSITION,
    EXPOSURE,
    TableSpec,
    TrialData,
    empty_frame,
)
from monitoring.demo.pack_facts import (
    BASELINE_DRAWS,
    FIXED_BASELINE,
    GENERIC_REGIMEN,
    GRADE_RANGES,
    LAB_AE_TERMS,
    LAB_TESTS,
    NO_PACK,
    REGIMENS,
    VOD_BILIRUBIN,
    VOD_TERMS,
    VOD_WEIGHT_GAIN,
    Agent,
    Draw,
    Regimen,
    category_draw,
    number_draw,
)
from monitoring.derive.cutoff import latest_date
from monitoring.protocol import BaselineCharacteristic, Protocol

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Objects = npt.NDArray[np.object_]

STREAM = 1_703_170  # the fixed label of the pack's random stream
NONE = 10**7  # days: "does not happen"
COMPLETED = "Completed treatment"
BLOOD_COUNT_TERMS = (
    "Platelet count decreased",
    "Neutrophil count decreased",
    "Anemia",
    "Febrile neutropenia",
)
"""Blood-count toxicities: they delay a cycle but do not reduce the dose (seed 003,
section 8.1.5: counts are judged against the patient's own pre-treatment values)."""
DELAY_REASONS = ("Awaiting count recovery", "Scheduling", "Infection work-up")
EPOCH = np.datetime64("1970-01-01", "D")


def add_pack(data: TrialData, protocol: Protocol, seed: int) -> TrialData:
    """``data`` with baseline, exposure, disposition-event and laboratory tables drawn for
    its patients (unchanged for a protocol in ``NO_PACK`` or a trial without patients)."""
    if protocol.id in NO_PACK or data.patients.empty:
        return data
    rng = np.random.default_rng([seed, STREAM])
    regimen = REGIMENS.get(protocol.id, GENERIC_REGIMEN)
    end = _day(pd.Series([pd.Timestamp(latest_date(data))]))[0]
    course = _course(data, regimen, end, rng)
    return replace(
        data,
        baseline=_baseline(data.patients, protocol, rng),
        exposure=_exposure(data, course, regimen),
        disposition_events=_disposition(data.patients, rng),
        lab_results=_labs(data, course, end, regimen, rng),
    )


def _day(values: pd.Series) -> Ints:
    """Dates as day numbers (NONE where missing)."""
    days = values.to_numpy("datetime64[ns]").astype("datetime64[D]")
    out = (days - EPOCH).astype(np.int64)
    return np.where(pd.isna(values).to_numpy(bool), NONE, out)


def _masked(values: Objects, keep: Bools) -> Objects:
    """Object values where ``keep``, None elsewhere."""
    out = values.astype(object)
    out[~keep] = None
    return out


def _dates(days: Ints) -> pd.Series:
    return pd.Series((EPOCH + days.astype("timedelta64[D]")).astype("datetime64[ns]"))


# --- baseline -------------------------------------------------------------------------


def _draw(spec: BaselineCharacteristic, protocol: Protocol) -> Draw:
    """How the demo draws ``spec``: fixed for the protocol, by its id, else evenly (a
    number between 0 and 100, a category from the protocol's list)."""
    fixed = FIXED_BASELINE.get((protocol.id, spec.id))
    if fixed is not None:
        return category_draw((fixed,), (1.0,))
    draw = BASELINE_DRAWS.get(spec.id)
    if draw is not None:
        return draw
    if spec.kind == "number":
        return number_draw(0.0, 100.0, 1)
    values = spec.categories or ("unknown",)
    return category_draw(values, tuple(1 / len(values) for _ in values))


def _baseline(patients: pd.DataFrame, protocol: Protocol, rng: np.random.Generator) -> pd.DataFrame:
    frames = []
    ids = patients["patient_id"].to_numpy(object)
    for spec in protocol.baseline:
        values = _draw(spec, protocol)(rng, patients)
        if spec.categories:
            values = np.where(np.isin(values, spec.categories), values, spec.categories[0])
        frames.append(
            pd.DataFrame(
                {
                    "patient_id": ids,
                    "characteristic": spec.id,
                    "value": values.astype(object),
                    "unit": spec.unit,
                }
            )
        )
    if not frames:
        return empty_frame(BASELINE)
    out = pd.concat(frames, ignore_index=True)
    return _typed(out.sort_values(["patient_id"], kind="mergesort"), BASELINE)


def _typed(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """``frame`` with the columns and dtypes of ``spec``."""
    columns = empty_frame(spec)
    out = frame.reset_index(drop=True)[list(columns.columns)].copy()
    for name, dtype in columns.dtypes.items():
        out[name] = out[name].astype(dtype)
    return out


# --- treatment course -----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Course:
    """Treated patients' cycles. ``rows``: their positions in patients; ``first``: first
    dose day; ``length``: cycle length; ``stop``: first day no cycle may start (off
    treatment, the day after death or the data date); ``vod``: first VOD/SOS onset day.
    Per patient and cycle (columns, cycle k + 1): ``start`` day, ``exists``, ``delay``
    days, ``level`` (reductions so far), ``omit`` (last dose omitted) and ``reason``."""

    rows: Ints
    first: Ints
    length: Ints
    stop: Ints
    vod: Ints
    start: Ints
    exists: Bools
    delay: Ints
    level: Ints
    omit: Bools
    reason: Objects


@dataclass(frozen=True, eq=False)
class _Events:
    """Adverse events of the treated patients by the cycle they began in: ``severe``
    (grade 3-4) with its ``label`` (term and grade), ``organ`` (grade 3-4 other than a
    blood count); ``vod`` the first VOD/SOS onset day of each patient."""

    severe: Bools
    label: Objects
    organ: Bools
    vod: Ints


def _previous(cells: npt.NDArray[Any], fill: object) -> npt.NDArray[Any]:
    """Each cycle's value of the cycle before (``fill`` for cycle 1)."""
    out = np.full(cells.shape, fill, dtype=cells.dtype)
    out[:, 1:] = cells[:, :-1]
    return out


def _events(data: TrialData, index: pd.Index, first: Ints, length: Ints, width: int) -> _Events:
    n = index.size
    ae = data.adverse_events
    at = index.get_indexer(pd.Index(ae["patient_id"]))
    keep = at >= 0
    at = at[keep]
    onset = _day(ae["onset_date"])[keep]
    grade = ae["grade"].astype("Float64").fillna(0).to_numpy(float)[keep]
    term = ae["term"].to_numpy(object)[keep]
    is_vod = _is_vod(term)
    vod = np.full(n, NONE, np.int64)
    np.minimum.at(vod, at[is_vod], onset[is_vod])
    severe = (grade >= 3) & (grade <= 4)
    cycle = np.clip((onset - first[at]) // np.maximum(length[at], 1), 0, width - 1)
    cells = np.zeros((n, width), bool)
    cells[at[severe], cycle[severe]] = True
    label = np.full((n, width), None, dtype=object)
    label[at[severe], cycle[severe]] = (
        pd.Series(term[severe]).astype(str)
        + ", grade "
        + pd.Series(grade[severe].astype(np.int64)).astype(str)
    ).to_numpy(object)
    organ = np.zeros((n, width), bool)
    non_blood = severe & ~np.isin(term, list(BLOOD_COUNT_TERMS))
    organ[at[non_blood], cycle[non_blood]] = True
    return _Events(cells, label, organ, vod)


def _course(data: TrialData, regimen: Regimen, end: int, rng: np.random.Generator) -> _Course:
    """The treated patients' cycles, delays, reductions and omissions (module docstring)."""
    p = data.patients
    first_all = _day(p["first_dose_date"])
    rows = np.flatnonzero(first_all < NONE)
    n = rows.size
    first = first_all[rows]
    off = _day(p["off_treatment_date"])[rows]
    death = _day(p["death_date"])[rows]
    stop = np.minimum(np.minimum(off, death + 1), end + 1)
    index = pd.Index(p["patient_id"].iloc[rows])

    # Cycle length from the assessments of later cycles (near day 21 of each cycle).
    r = data.responses
    at = index.get_indexer(r["patient_id"])
    ok = at >= 0
    rc = r["cycle"].astype("Float64").fillna(1).to_numpy(float).astype(np.int64)[ok]
    rd = _day(r["assessment_date"])[ok] - first[at[ok]]
    ra = at[ok]
    later = rc >= 2
    est = pd.Series((rd[later] - 21) / (rc[later] - 1)).groupby(ra[later]).median()
    drawn = rng.integers(26, 31, n)
    drawn[est.index.to_numpy(int)] = np.clip(np.rint(est.to_numpy(float)), 21, 40)
    length = drawn.astype(np.int64)
    seen = np.zeros(n, np.int64)
    np.maximum.at(seen, ra, rc)

    cap = np.full(n, regimen.max_cycles, np.int64)
    if regimen.cohort_cycles and "cohort" in p:
        cohort = p["cohort"].to_numpy(object)[rows]
        for unit, cycles in regimen.cohort_cycles.items():
            cap[cohort == unit] = cycles
    cap = np.maximum(cap, seen)
    width = int(max(cap.max(initial=1), 1))
    k = np.arange(width)[None, :]
    nominal = first[:, None] + k * length[:, None]
    ev = _events(data, index, first, length, width)
    vod = ev.vod
    exists = (nominal < stop[:, None]) & (k < cap[:, None]) & ((k == 0) | (nominal <= vod[:, None]))

    prev_sev = _previous(ev.severe, False)
    prev_label = _previous(ev.label, None)
    prev_organ = _previous(ev.organ, False)
    delayed = (k > 0) & (rng.random((n, width)) < np.where(prev_sev, 0.3, 0.06))
    amount = np.where(delayed, rng.integers(3, 15, (n, width)), 0)
    # A delayed cycle still starts before the patient stops and a week before its own
    # response assessment; delays add up over the cycles.
    first_assess = np.full((n, width), NONE, np.int64)
    in_range = rc - 1 < width
    np.minimum.at(
        first_assess, (ra[in_range], rc[in_range] - 1), rd[in_range] + first[ra[in_range]]
    )
    room = np.minimum(stop[:, None] - 1, np.where(k > 0, first_assess - 7, NONE)) - nominal
    room = np.where(exists, np.maximum(room, 0), NONE)
    suffix = np.minimum.accumulate(room[:, ::-1], axis=1)[:, ::-1]
    total = np.minimum(np.cumsum(amount, axis=1), suffix)
    total = np.maximum.accumulate(np.maximum(total, 0), axis=1)
    start = nominal + total
    exists &= (k == 0) | (start <= vod[:, None])
    delay = np.where(exists, np.diff(total, axis=1, prepend=0), 0)

    other = rng.choice(np.array(DELAY_REASONS, dtype=object), (n, width))
    because = np.where(prev_sev, prev_label, other)
    reduce = (k > 0) & (
        (prev_organ & (rng.random((n, width)) < 0.3))
        | ((delay >= 14) & (rng.random((n, width)) < 0.5))
        | (rng.random((n, width)) < 0.02)
    )
    reduce &= exists
    level = np.cumsum(reduce, axis=1, dtype=np.int64)
    in_cycle_vod = exists & (vod[:, None] >= start) & (vod[:, None] < start + length[:, None])
    omit = in_cycle_vod | (exists & (rng.random((n, width)) < 0.03))
    reason = np.full((n, width), None, dtype=object)
    cells = np.nonzero((delay > 0) | reduce | omit | (level > 0))
    texts = []
    for d, cut, o, v, why in zip(
        delay[cells] > 0,
        reduce[cells],
        omit[cells],
        in_cycle_vod[cells],
        because[cells],
        strict=True,
    ):
        said = [f"Delayed: {why}"] if d else []
        said += [f"Dose reduced: {why}"] if cut else []
        if o:
            said.append("Last dose omitted: " + ("Veno-occlusive disease" if v else "Missed visit"))
        texts.append("; ".join(said) or "Continued at the reduced dose")
    reason[cells] = np.array(texts, dtype=object)
    return _Course(rows, first, length, stop, vod, start, exists, delay, level, omit, reason)


def _planned(agent: Agent, treated: pd.DataFrame, width: int) -> Floats:
    """Planned dose of each treated patient (rows) and cycle (columns); NaN if none."""
    n = len(treated)
    k = np.arange(width)[None, :]
    first = np.nan if agent.first is None else agent.first
    later = np.nan if agent.later is None else agent.later
    planned = np.where(k == 0, first, later) * np.ones((n, 1))
    if agent.by_level and "dose_level" in treated:
        levels = treated["dose_level"].to_numpy(object)
        dose = np.array([agent.by_level.get(str(v), np.nan) for v in levels], dtype=float)
        planned = np.where(np.isnan(dose)[:, None], planned, dose[:, None] * np.ones((1, width)))
    return np.asarray(planned, dtype=float)


def _exposure(data: TrialData, c: _Course, regimen: Regimen) -> pd.DataFrame:
    if c.rows.size == 0:
        return empty_frame(EXPOSURE)
    treated = data.patients.iloc[c.rows].reset_index(drop=True)
    n, width = c.exists.shape
    k = np.arange(width)[None, :] * np.ones((n, 1), dtype=np.int64)
    frames = []
    for agent in regimen.agents:
        given_to = np.ones(n, bool)
        if agent.only is not None:
            column, unit = agent.only
            values = treated[column].to_numpy(object) if column in treated else np.full(n, None)
            given_to = values == unit
        cells = c.exists & given_to[:, None]
        if agent.cycles is not None:
            cells &= k < agent.cycles
        planned = _planned(agent, treated, width)
        fractions = np.array((1.0, *agent.reductions))
        level = np.minimum(c.level, len(agent.reductions))
        given = planned * fractions[level]
        last = np.where(k == 0, agent.last_dose_first or agent.last_dose, agent.last_dose)
        given = np.where(c.omit, given * (1 - last), given)
        i, j = np.nonzero(cells)
        frames.append(
            pd.DataFrame(
                {
                    "patient_id": treated["patient_id"].to_numpy(object)[i],
                    "cycle": j + 1,
                    "agent": agent.name,
                    "start_date": _dates(c.start[i, j]),
                    "planned_dose": np.round(planned[i, j], 2),
                    "given_dose": np.round(given[i, j], 2),
                    "unit": agent.unit,
                    "delay_days": c.delay[i, j],
                    "reduced": np.where(c.level[i, j] > 0, "Y", "N").astype(object),
                    "reason": c.reason[i, j],
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["patient_id", "cycle", "agent"], kind="mergesort")
    return _typed(out, EXPOSURE)


# --- disposition ----------------------------------------------------------------------


def _disposition(patients: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    ids = patients["patient_id"].to_numpy(object)
    off = patients["off_treatment_date"]
    reason = patients["off_treatment_reason"].to_numpy(object)
    has_off = off.notna().to_numpy(bool)
    completed = has_off & (reason == COMPLETED)
    rows = [
        pd.DataFrame(
            {
                "patient_id": ids[has_off],
                "event": np.where(completed, "completed_treatment", "discontinued_treatment")[
                    has_off
                ],
                "event_date": off[has_off].to_numpy("datetime64[ns]"),
                "reason": _masked(reason, ~completed)[has_off],
            }
        )
    ]
    # A few patients alive and off treatment leave follow-up at their last contact.
    alive_off = np.flatnonzero(has_off & patients["death_date"].isna().to_numpy(bool))
    leaving = rng.permutation(alive_off)[: max(2, round(0.08 * alive_off.size))]
    events = np.where(np.arange(leaving.size) % 2 == 0, "withdrew_consent", "lost_to_follow_up")
    why = _masked(
        np.full(events.size, "Patient decision", dtype=object), events == "withdrew_consent"
    )
    contact = patients["last_contact_date"].to_numpy("datetime64[ns]")
    rows.append(
        pd.DataFrame(
            {
                "patient_id": ids[leaving],
                "event": events.astype(object),
                "event_date": np.maximum(contact[leaving], off.to_numpy("datetime64[ns]")[leaving]),
                "reason": why.astype(object),
            }
        )
    )
    out = pd.concat(rows, ignore_index=True).sort_values(
        ["patient_id", "event_date"], kind="mergesort"
    )
    return _typed(out, DISPOSITION)


# --- laboratory results ---------------------------------------------------------------


def _labs(
    data: TrialData, c: _Course, end: int, regimen: Regimen, rng: np.random.Generator
) -> pd.DataFrame:
    p = data.patients
    n_all = len(p)
    tests = [t.code for t in LAB_TESTS]
    index = {code: j for j, code in enumerate(tests)}
    death = _day(p["death_date"])
    limit = np.minimum(death, end)  # no sample after death or the data date
    age = p["age"].astype("Float64").fillna(40).to_numpy(float)
    male = p["sex"].to_numpy(object) == "M"

    # Screening values per patient and test.
    base = np.zeros((n_all, len(tests)))
    for j, t in enumerate(LAB_TESTS):
        median = t.median
        if t.code == "PLT":
            median = regimen.platelets
        values = median * np.exp(rng.normal(0.0, t.spread, n_all))
        if t.code == "ALP":
            values = np.where(age < 18, values * 200.0 / t.median, values)
        if t.code == "WEIGHT":
            child = 8.5 + 2.6 * age
            teen = np.minimum(40.0 + 3.5 * (age - 12), 70.0)
            adult = np.where(male, 78.0, 66.0)
            typical = np.where(age <= 12, child, np.where(age < 18, teen, adult))
            values = typical * np.exp(rng.normal(0.0, 0.14, n_all))
        base[:, j] = np.clip(values, t.low, t.high)
    uln = np.array([np.nan if t.uln is None else t.uln for t in LAB_TESTS])
    uln_of = np.tile(uln, (n_all, 1))
    alp = index["ALP"]
    uln_of[:, alp] = np.where(age < 18, LAB_TESTS[alp].uln_child or uln[alp], uln[alp])

    # Routine samples: screening, cycle 1 days 1, 8, 15, 22, day 1 of each later cycle.
    treated = np.zeros(n_all, bool)
    treated[c.rows] = True
    enrol = _day(p["enrollment_date"])
    screen = np.where(
        treated,
        np.full(n_all, NONE),
        enrol - rng.integers(0, 8, n_all),
    )
    screen[c.rows] = c.first - rng.integers(1, 15, c.rows.size)
    pid = [np.arange(n_all)]
    day = [screen]
    kind = [np.zeros(n_all, np.int64)]  # 0 screening, 1 cycle 1 week, 2 cycle day 1
    stop = np.full(n_all, NONE)
    stop[c.rows] = c.stop
    for week in (0, 7, 14, 21):
        pid.append(c.rows)
        day.append(c.first + week)
        kind.append(np.ones(c.rows.size, np.int64))
    if c.exists.shape[1] > 1:
        later_i, later_j = np.nonzero(c.exists[:, 1:])
        pid.append(c.rows[later_i])
        day.append(c.start[later_i, later_j + 1])
        kind.append(np.full(later_i.size, 2, np.int64))
    sp = np.concatenate(pid)
    sd = np.concatenate(day)
    sk = np.concatenate(kind)
    on_treatment = (sk == 0) | (sd < stop[sp])
    keep = on_treatment & (sd <= limit[sp])
    sp, sd, sk = sp[keep], sd[keep], sk[keep]

    # Episodes: (patient, test, onset, end, peak, kind) where values rise.
    episodes = _episodes(data, c, base, uln_of, index, limit, rng)
    extra_p = episodes["pid"].to_numpy(np.int64)
    extra_d = episodes["sample"].to_numpy(np.int64)
    extra_t = episodes["test"].to_numpy(np.int64)

    width = len(tests)
    ap = np.concatenate([np.repeat(sp, width), extra_p])
    ad = np.concatenate([np.repeat(sd, width), extra_d])
    ak = np.concatenate([np.repeat(sk, width), np.full(extra_p.size, 3)])
    at = np.concatenate([np.tile(np.arange(width), sp.size), extra_t])
    ok = ad <= limit[ap]
    ap, ad, ak, at = ap[ok], ad[ok], ak[ok], at[ok]
    # One sample per patient, test and day, in the order of patient id, test code, date.
    id_rank = np.empty(n_all, np.int64)
    id_rank[np.argsort(p["patient_id"].to_numpy(object).astype(str), kind="stable")] = np.arange(
        n_all
    )
    test_rank = np.argsort(np.argsort(np.array(tests)))
    low_day = int(ad.min(initial=0))
    span = int(ad.max(initial=0)) - low_day + 1
    key = (id_rank[ap] * width + test_rank[at]) * span + (ad - low_day)
    _, first = np.unique(key, return_index=True)
    sp, st, sdays, kinds = ap[first], at[first], ad[first], ak[first]

    noise = np.array([t.noise for t in LAB_TESTS])[st]
    value = base[sp, st] * np.exp(rng.normal(0.0, 1.0, sp.size) * noise)
    value = np.where(kinds == 0, base[sp, st], value)
    # Platelets fall in cycle 1 (nadir about day 15) and recover by later cycles.
    plt = index["PLT"]
    first_of = np.full(n_all, NONE)
    first_of[c.rows] = c.first
    since = sdays - first_of[sp]
    dip = np.interp(since, [0, 7, 14, 21, 28], [1.0, 0.75, 0.5, 0.65, 1.0])
    recover = np.where(since >= 28, 1.3, dip)
    value = np.where((st == plt) & (since >= 0) & (first_of[sp] < NONE), value * recover, value)
    value = _apply(value, sp, st, sdays, episodes, plt)
    decimals = np.array([t.decimals for t in LAB_TESTS])[st]
    value = np.where(decimals == 0, np.round(value), np.round(value, 1))
    value = np.where(st == plt, np.maximum(value, 2.0), value)
    lln = np.array([np.nan if t.lln is None else t.lln for t in LAB_TESTS])
    return pd.DataFrame(
        {
            "patient_id": p["patient_id"].to_numpy(object)[sp],
            "test": np.array(tests, dtype=object)[st],
            "sample_date": _dates(sdays),
            "value": value.astype(float),
            "unit": np.array([t.unit for t in LAB_TESTS], dtype=object)[st],
            "lln": lln[st].astype(float),
            "uln": uln_of[sp, st].astype(float),
        }
    )


def _episodes(
    data: TrialData,
    c: _Course,
    base: Floats,
    uln: Floats,
    index: dict[str, int],
    limit: Ints,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Abnormal stretches: one per laboratory-defined AE (peak of its grade at onset,
    back to screening by resolution), a bilirubin rise with a third of the patients' ALT
    or AST above 3 x ULN, and the bilirubin and weight of each VOD/SOS. Column
    ``sample`` is the day a sample shows the peak (pointed samples), ``shape`` 0 for a
    decay from onset, 1 for a VOD rise from 3 days before onset."""
    p = data.patients
    ae = data.adverse_events
    pos = pd.Index(p["patient_id"]).get_indexer(ae["patient_id"])
    onset = _day(ae["onset_date"])
    resolved = _day(ae["resolution_date"])
    grade = ae["grade"].astype("Float64").fillna(1).to_numpy(float).astype(np.int64)
    term = ae["term"].to_numpy(object)
    frames = []
    codes, uniques = pd.factorize(term)
    lab_test = np.array([LAB_AE_TERMS.get(str(t)) for t in uniques], dtype=object)[codes]
    linked = (lab_test != None) & (grade >= 1) & (grade <= 4) & (pos >= 0)  # noqa: E711
    if linked.any():
        lp, lt = pos[linked], np.array([index[str(x)] for x in lab_test[linked]])
        lg = grade[linked]
        low = np.array(
            [GRADE_RANGES[str(x)][g - 1][0] for x, g in zip(lab_test[linked], lg, strict=True)]
        )
        high = np.array(
            [GRADE_RANGES[str(x)][g - 1][1] for x, g in zip(lab_test[linked], lg, strict=True)]
        )
        scale = rng.uniform(low, high)
        is_plt = lab_test[linked] == "PLT"
        peak = np.where(is_plt, scale, scale * uln[lp, lt])
        lo = onset[linked]
        frames.append(
            pd.DataFrame(
                {
                    "pid": lp,
                    "test": lt,
                    "start": lo,
                    "end": np.where(resolved[linked] < NONE, resolved[linked], lo + 21),
                    "peak": peak,
                    "sample": lo,
                    "shape": 0,
                }
            )
        )
        # Hy's-law-like: bilirubin above 2 x ULN with a third of ALT/AST above 3 x ULN.
        transaminase = np.isin(lab_test[linked], ["ALT", "AST"]) & (lg >= 2)
        hy = transaminase & (rng.random(lp.size) < 1 / 3)
        if hy.any():
            bili = index["BILI"]
            frames.append(
                pd.DataFrame(
                    {
                        "pid": lp[hy],
                        "test": bili,
                        "start": lo[hy],
                        "end": lo[hy] + 14,
                        "peak": rng.uniform(2.1, 3.5, int(hy.sum())) * uln[lp[hy], bili],
                        "sample": lo[hy],
                        "shape": 0,
                    }
                )
            )
    vod = _is_vod(term) & (pos >= 0)
    if vod.any():
        vp, vo, vg = pos[vod], onset[vod], np.clip(grade[vod], 1, 4)
        vend = np.where(resolved[vod] < NONE, resolved[vod], vo + 21)
        low = np.array([VOD_BILIRUBIN[g - 1][0] for g in vg])
        high = np.array([VOD_BILIRUBIN[g - 1][1] for g in vg])
        vod_bili = rng.uniform(low, high)
        gain = rng.uniform(*VOD_WEIGHT_GAIN, vp.size)
        first = np.full(len(p), NONE)
        first[c.rows] = c.first
        for offset in (-3, 0, 3, 7):
            when = vo + offset
            ok = (when <= limit[vp]) & (when > first[vp])
            weight = gain * base[vp, index["WEIGHT"]]
            for test, peak in (("BILI", vod_bili), ("WEIGHT", weight)):
                frames.append(
                    pd.DataFrame(
                        {
                            "pid": vp[ok],
                            "test": index[test],
                            "start": vo[ok] - 3,
                            "end": np.maximum(vend[ok], vo[ok] + 10),
                            "peak": peak[ok],
                            "sample": when[ok],
                            "shape": 1,
                        }
                    )
                )
    columns = ["pid", "test", "start", "end", "peak", "sample", "shape"]
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype=np.int64) for name in columns})
    return pd.concat(frames, ignore_index=True)[columns]


def _apply(
    value: Floats, sp: Ints, st: Ints, days: Ints, episodes: pd.DataFrame, plt: int
) -> Floats:
    """Each sample's value within an episode of its patient and test: the episode's curve
    where it is further from normal than the sample (higher; lower for platelets)."""
    if episodes.empty:
        return value
    width = int(max(st.max(initial=0), episodes["test"].max()) + 1)
    ep = episodes.drop(columns="sample").drop_duplicates()
    touched = np.flatnonzero(np.isin(sp * width + st, ep["pid"] * width + ep["test"]))
    s = pd.DataFrame(
        {"row": touched, "pid": sp[touched], "test": st[touched], "day": days[touched]}
    )
    m = s.merge(ep, on=["pid", "test"])
    day, start, end = m["day"].to_numpy(), m["start"].to_numpy(), m["end"].to_numpy()
    inside = (day >= start) & (day <= end)
    if not inside.any():
        return value
    m = m.loc[inside]
    day, start, end = m["day"].to_numpy(), m["start"].to_numpy(), m["end"].to_numpy()
    rows = m["row"].to_numpy()
    baseline = value[rows]
    peak = m["peak"].to_numpy(float)
    vod = m["shape"].to_numpy() == 1
    onset = np.where(vod, start + 3, start)
    rise = np.clip((day - start) / 3.0, 0.0, 1.0)
    fall = np.clip((day - onset - (3 * vod)) / np.maximum(end - onset, 1), 0.0, 1.0)
    level = np.where(day < onset, 0.6 + 0.4 * rise, 1.0 - 0.8 * fall)
    level = np.where(vod & (day >= onset) & (day <= onset + 3), 1.0, level)
    curve = baseline + (peak - baseline) * level
    is_plt = m["test"].to_numpy() == plt
    worst = (
        pd.DataFrame({"row": rows, "v": np.where(is_plt, -curve, curve)}).groupby("row")["v"].max()
    )
    r = worst.index.to_numpy()
    v = worst.to_numpy()
    out = value.copy()
    out[r] = np.where(st[r] == plt, np.minimum(out[r], -v), np.maximum(out[r], v))
    return out


def _is_vod(terms: Objects) -> Bools:
    """Which adverse-event terms are a VOD/SOS (any of ``VOD_TERMS``, any case)."""
    codes, uniques = pd.factorize(terms)
    hits = [i for i, t in enumerate(uniques) if str(t).lower() in VOD_TERMS]
    return np.isin(codes, hits)
