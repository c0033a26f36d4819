"""Trial conduct: disposition, accrual by site and month, baseline characteristics, exposure
and dose intensity, deaths and early mortality (docs/methods.md, "Trial conduct tables").

Every function reads one ``Derivation`` (the data cut at its cut-off) and the protocol and
returns frozen dataclasses; the dashboard's "Trial conduct" page and the report's
Disposition, Baseline, Exposure and Safety sections only arrange them.

Columns: the tables that may be broken down (disposition counts, baseline) have one column
per group and a total: per arm when the protocol has arms, else per cohort when it has
cohorts, else the total only. A breakdown by a ``closed_by`` column belongs to the closed
view: :func:`group_column` gives None (total only) in the open view.

Definitions, at the cut-off:

- treated: received any dose (``patients.first_dose_date``);
- off treatment: an off-treatment date, a ``completed_treatment`` or
  ``discontinued_treatment`` disposition event, or death without either (reason "Death");
  completed: reason "Completed treatment" or a ``completed_treatment`` event; any other
  reason is a discontinuation, by the event's reason, else the off-treatment reason, else
  "not stated";
- status at the cut-off (each patient once, the first that applies): died (a death date),
  withdrew consent, lost to follow-up, completed the study (disposition events), in
  follow-up (none of these);
- death on treatment: not off treatment (date or completed/discontinued treatment event)
  before the day of death; in follow-up: off treatment before it; day 0 is the first dose;
- 30-day (60-day) mortality: treated patients who died by day 30 (60) among the treated
  patients who died by then or are known alive on day 30 (60) or later (last date known
  alive, or a later death); exact Clopper–Pearson 95% interval (R's ``binom.test``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from monitoring.analyses.randomization import TOTAL, CountRow, CountTable
from monitoring.analyses.treatment import Distribution, distribution
from monitoring.derive import Derivation
from monitoring.estimates.rates import Interval, clopper_pearson
from monitoring.protocol import Protocol
from monitoring.wording import counted

COMPLETED = "Completed treatment"
DEATH = "Death"  # the reason off treatment of a death without an off-treatment record
NOT_STATED = "not stated"
MISSING = "Missing"
STATUS_ORDER = (
    "In follow-up",
    "Died",
    "Withdrew consent",
    "Lost to follow-up",
    "Completed the study",
)
MORTALITY_DAYS = (30, 60)
MORTALITY_LEVEL = 0.95


def group_column(protocol: Protocol, closed: bool) -> str | None:
    """The column tables are broken down by: ``arm`` (protocol with arms), else ``cohort``
    (protocol with cohorts); None (total only) without either, or in the open view when
    that column is a ``closed_by`` column."""
    column = "arm" if protocol.arms else "cohort" if protocol.cohorts else None
    if column is None or (column in protocol.closed_by and not closed):
        return None
    return column


def exposure_shown(protocol: Protocol, closed: bool) -> bool:
    """Exposure by agent may tell the arms apart (each arm its own agents): with arms
    that are a ``closed_by`` column, it belongs to the closed view only."""
    return closed or not (protocol.arms and "arm" in protocol.closed_by)


def _groups(
    patients: pd.DataFrame, protocol: Protocol, column: str | None
) -> tuple[tuple[str, ...], npt.NDArray[np.int64]]:
    """Column labels before the total and each patient's column index (k = no group)."""
    if column is None:
        return (), np.zeros(len(patients), dtype=np.int64)
    units = protocol.arms if column == "arm" else protocol.cohorts
    values = patients[column].astype(object).where(patients[column].notna(), "").astype(str)
    index = np.full(len(patients), len(units), dtype=np.int64)
    for i, unit in enumerate(units):
        index[(values == unit.id).to_numpy(bool)] = i
    word = "Arm" if column == "arm" else "Cohort"
    return tuple(f"{word} {u.id}" for u in units), index


def _counts(mask: npt.NDArray[np.bool_], index: npt.NDArray[np.int64], k: int) -> tuple[int, ...]:
    per = np.bincount(index[mask], minlength=k + 1)[:k] if k else np.zeros(0, np.int64)
    return (*(int(x) for x in per), int(mask.sum()))


def _text(values: pd.Series) -> npt.NDArray[np.object_]:
    """Stripped text, "" where missing."""
    out = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    return out.to_numpy(object)


# --- Disposition ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Disposition:
    """Each enrolled patient's path at the cut-off, counted (``table``: one column per
    group, then "Total") and in total for the flow diagram."""

    cutoff: str
    enrolled: int
    treated: int
    not_treated: int
    on_treatment: int
    off_treatment: int
    completed: int
    discontinued: tuple[tuple[str, int], ...]
    """Discontinuation reasons and their patients, most frequent first."""
    status: tuple[tuple[str, int], ...]
    """Status at the cut-off of the treated patients (:data:`STATUS_ORDER`)."""
    not_treated_status: tuple[tuple[str, int], ...]
    table: CountTable


def _events(derived: Derivation, event: str) -> pd.DataFrame:
    events = derived.data.disposition_events
    return events.loc[(events["event"] == event).to_numpy(bool)].set_index("patient_id")


def disposition(derived: Derivation, protocol: Protocol, closed: bool = True) -> Disposition:
    """Enrolled -> treated -> on or off treatment (completed, discontinued by reason) ->
    status at the cut-off (module docstring)."""
    p = derived.patients
    ids = p["patient_id"].astype(str)
    treated = p["treated"].to_numpy(bool)
    dead = p["death_date"].notna().to_numpy(bool)
    completed_event = _events(derived, "completed_treatment")
    stopped_event = _events(derived, "discontinued_treatment")
    has_completed = ids.isin(completed_event.index).to_numpy(bool)
    has_stopped = ids.isin(stopped_event.index).to_numpy(bool)
    off_date = p["off_treatment_date"].notna().to_numpy(bool)
    off = treated & (off_date | has_completed | has_stopped | dead)
    recorded = _text(p["off_treatment_reason"])
    event_reason = _text(ids.map(stopped_event["reason"]))
    completed = off & ((recorded == COMPLETED) | (has_completed & ~has_stopped))
    reason = np.where(event_reason != "", event_reason, recorded)
    no_record = ~(off_date | has_completed | has_stopped)
    reason = np.where(no_record & dead, DEATH, np.where(reason == "", NOT_STATED, reason))
    stopped = off & ~completed

    status = np.full(len(p), STATUS_ORDER[0], dtype=object)
    later = (
        ("Completed the study", "completed_study"),
        ("Lost to follow-up", "lost_to_follow_up"),
        ("Withdrew consent", "withdrew_consent"),
    )
    for label, event in later:  # reverse priority: the last assignment wins
        status[ids.isin(_events(derived, event).index).to_numpy(bool)] = label
    status[dead] = "Died"

    column = group_column(protocol, closed)
    labels, index = _groups(p, protocol, column)
    k = len(labels)

    def row(label: str, mask: npt.NDArray[np.bool_], indent: int = 0) -> CountRow:
        return CountRow(label, _counts(mask, index, k), indent)

    reasons = Counter(reason[stopped].tolist()).most_common()
    everyone = np.ones(len(p), dtype=bool)
    rows = [
        row("Enrolled", everyone),
        row("Not treated", ~treated, 1),
        row("Treated (received any dose)", treated, 1),
        row("On treatment at the cut-off", treated & ~off, 2),
        row("Off treatment", off, 2),
        row(COMPLETED, completed, 3),
        row("Discontinued", stopped, 3),
        *(row(r, stopped & (reason == r), 4) for r, _ in reasons),
        CountRow("Status at the cut-off (treated)", (), 1),
        *(row(s, treated & (status == s), 2) for s in STATUS_ORDER),
    ]
    table = CountTable(
        "Disposition at the cut-off",
        (*labels, TOTAL),
        tuple(rows),
        "Off treatment: an off-treatment date or disposition event, or death; status at the "
        "cut-off: died, withdrew consent, lost to follow-up, completed the study, or in "
        "follow-up (the first that applies).",
    )

    def tally(mask: npt.NDArray[np.bool_]) -> tuple[tuple[str, int], ...]:
        return tuple((s, int((mask & (status == s)).sum())) for s in STATUS_ORDER)

    return Disposition(
        cutoff=derived.cutoff.isoformat(),
        enrolled=len(p),
        treated=int(treated.sum()),
        not_treated=int((~treated).sum()),
        on_treatment=int((treated & ~off).sum()),
        off_treatment=int(off.sum()),
        completed=int(completed.sum()),
        discontinued=tuple((str(r), int(n)) for r, n in reasons),
        status=tally(treated),
        not_treated_status=tally(~treated),
        table=table,
    )


# --- Accrual -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccrualMonth:
    """Patients enrolled in one calendar month, per site, and cumulative against the plan."""

    month: str  # YYYY-MM
    by_site: tuple[int, ...]
    total: int
    cumulative: int
    planned_cumulative: float | None


@dataclass(frozen=True)
class Accrual:
    """Enrolment by site and month from the first enrolment to the cut-off's month.

    The plan: ``planned_per_month`` patients a month from the first month on (that month
    counts whole), capped at the protocol's maximum sample size when it has one."""

    cutoff: str
    sites: tuple[str, ...]
    months: tuple[AccrualMonth, ...]
    site_totals: tuple[int, ...]
    planned_per_month: float | None
    target: int | None

    @property
    def enrolled(self) -> int:
        return sum(self.site_totals)

    def site_span(self, index: int) -> tuple[str, str] | None:
        """The first and last month (YYYY-MM) the site at ``index`` enrolled a patient;
        None when it enrolled none."""
        months = [m.month for m in self.months if m.by_site[index]]
        return (months[0], months[-1]) if months else None


def _month_range(first: pd.Period, last: pd.Period) -> list[pd.Period]:
    return list(pd.period_range(first, max(first, last), freq="M"))


def accrual(derived: Derivation, protocol: Protocol) -> Accrual:
    """Patients enrolled per site and month, cumulative, and the planned cumulative."""
    p = derived.patients
    sites_of = p["site"].astype(object).where(p["site"].notna(), "(no site)").astype(str)
    sites = tuple(sorted(set(sites_of.tolist())))
    rate = protocol.accrual.planned_per_month
    target = protocol.max_patients
    if len(p) == 0:
        return Accrual(derived.cutoff.isoformat(), (), (), (), rate, target)
    month = p["enrollment_date"].dt.to_period("M")
    periods = _month_range(month.min(), pd.Period(derived.cutoff, freq="M"))
    table = pd.crosstab(month, sites_of).reindex(index=periods, columns=list(sites), fill_value=0)
    months = []
    running = 0
    for i, (period, counts) in enumerate(table.iterrows(), start=1):
        by_site = tuple(int(c) for c in counts.tolist())
        running += sum(by_site)
        planned = None
        if rate:
            planned = rate * i if target is None else min(rate * i, float(target))
        months.append(AccrualMonth(str(period), by_site, sum(by_site), running, planned))
    totals = tuple(int(c) for c in table.sum(axis=0).tolist())
    return Accrual(derived.cutoff.isoformat(), sites, tuple(months), totals, rate, target)


# --- Baseline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BaselineRow:
    """One row of the baseline table: a label (a characteristic's name is a header row,
    without cells) and one text cell per column."""

    label: str
    cells: tuple[str, ...]
    indent: int = 0


@dataclass(frozen=True)
class BaselineTable:
    """Demographics and disease characteristics of the enrolled patients (tern's t_dm)."""

    cutoff: str
    columns: tuple[str, ...]
    """Column labels (groups, then "Total"); ``sizes`` the patients in each."""
    sizes: tuple[int, ...]
    rows: tuple[BaselineRow, ...]
    note: str


def _number(value: float | None, places: int = 1) -> str:
    return "—" if value is None else f"{value:.{places}f}"


def _numeric_rows(values: Sequence[npt.NDArray[np.float64]], full: bool) -> list[BaselineRow]:
    """n, (mean (SD),) median (min – max) of each column's values (NaN dropped)."""
    stats = [distribution(v) for v in values]
    clean = [v[~np.isnan(v)] for v in values]
    rows = [BaselineRow("n", tuple(str(s.n) for s in stats), 1)]
    if full:
        means = []
        for v in clean:
            if v.size == 0:
                means.append("—")
            elif v.size == 1:
                means.append(f"{v.mean():.1f} (—)")
            else:
                means.append(f"{v.mean():.1f} ({v.std(ddof=1):.1f})")
        rows.append(BaselineRow("Mean (SD)", tuple(means), 1))
    rows.append(BaselineRow("Median (min – max)", tuple(_median_range(s) for s in stats), 1))
    return rows


def _median_range(s: Distribution) -> str:
    if s.median is None or s.minimum is None or s.maximum is None:
        return "—"
    return f"{s.median:.1f} ({s.minimum:g} – {s.maximum:g})"


def _percent(count: int, size: int) -> str:
    return f"{count} ({count / size:.1%})" if size else str(count)


def _category_rows(
    values: npt.NDArray[np.object_],
    index: npt.NDArray[np.int64],
    k: int,
    sizes: tuple[int, ...],
    declared: Sequence[str],
) -> list[BaselineRow]:
    """n (%) of each declared category in order, then any other value, then missing
    (values "" are missing); a category nobody has is still shown when declared."""
    present = [v for v in sorted(set(values.tolist())) if v and v not in declared]
    rows = []
    for level in (*declared, *present, ""):
        mask = values == level
        if level == "" and not mask.any():
            continue
        counts = _counts(mask, index, k)
        cells = tuple(_percent(c, n) for c, n in zip(counts, sizes, strict=True))
        rows.append(BaselineRow(level or MISSING, cells, 1))
    return rows


def _columns_of(index: npt.NDArray[np.int64], k: int) -> list[npt.NDArray[np.bool_]]:
    return [index == i for i in range(k)] + [np.ones(index.size, dtype=bool)]


def _shows_salvage_line(protocol: Protocol, patients: pd.DataFrame) -> bool:
    """Salvage line is a column of patients.csv, not a declared characteristic: it is shown
    when the protocol names it (a survival subgroup, a rule's strata) or the data record it
    for some patient, never as a row of 100 % missing in a front-line trial."""
    named = "salvage_line" in protocol.survival.subgroups or any(
        "salvage_line" in getattr(rule, "strata", ()) for rule in protocol.rules
    )
    return named or bool(patients["salvage_line"].notna().any())


def baseline_table(derived: Derivation, protocol: Protocol, closed: bool = True) -> BaselineTable:
    """Age, sex, site, salvage line (when the protocol or the data have it) and each
    ``[[baseline]]`` characteristic of the enrolled patients, per group (closed view) and in
    total."""
    p = derived.patients
    column = group_column(protocol, closed)
    labels, index = _groups(p, protocol, column)
    k = len(labels)
    sizes = _counts(np.ones(len(p), dtype=bool), index, k)
    masks = _columns_of(index, k)

    def numeric(values: pd.Series, full: bool) -> list[BaselineRow]:
        x = pd.to_numeric(values, errors="coerce").to_numpy(np.float64, na_value=np.nan)
        return _numeric_rows([x[m] for m in masks], full)

    def category(values: npt.NDArray[np.object_], declared: Sequence[str]) -> list[BaselineRow]:
        return _category_rows(values, index, k, sizes, declared)

    rows: list[BaselineRow] = [BaselineRow("Age (years)", ())]
    rows += numeric(p["age"], full=True)
    rows.append(BaselineRow("Sex", ()))
    sex = np.vectorize(lambda s: {"F": "Female", "M": "Male", "U": "Unknown"}.get(s, s))(
        _text(p["sex"])
    ).astype(object)
    rows += category(sex, ("Female", "Male"))
    rows.append(BaselineRow("Site", ()))
    rows += category(_text(p["site"]), ())
    if _shows_salvage_line(protocol, p):
        rows.append(BaselineRow("Salvage line", ()))
        line = p["salvage_line"].astype("Int64").astype(object).where(p["salvage_line"].notna())
        rows += category(_text(line), ())
    recorded = derived.data.baseline
    for item in protocol.baseline:
        mine = recorded.loc[(recorded["characteristic"] == item.id).to_numpy(bool)]
        values = p["patient_id"].map(
            mine.drop_duplicates("patient_id").set_index("patient_id")["value"]
        )
        unit = f" ({item.unit})" if item.unit else ""
        rows.append(BaselineRow(f"{item.label}{unit}", ()))
        if item.kind == "number":
            rows += numeric(values, full=False)
        else:
            rows += category(_text(values), item.categories)
    note = (
        "Enrolled patients at the cut-off. Numbers: n, median (min – max); age also mean "
        "(SD); categories: patients (% of the column), in the protocol's order, missing "
        "counted."
    )
    return BaselineTable(
        cutoff=derived.cutoff.isoformat(),
        columns=(*labels, TOTAL),
        sizes=sizes,
        rows=tuple(rows),
        note=note,
    )


# --- Exposure ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentExposure:
    """One agent: patients and cycles given, cumulative doses, dose intensity, changes."""

    agent: str
    unit: str
    patients: int
    cycles: int
    planned: float
    given: float
    relative_intensity: float | None
    """Cumulative given / cumulative planned over every patient (None if nothing planned)."""
    patient_intensity: Distribution
    """Relative dose intensity per patient (given / planned, each patient's cycles)."""
    delayed: int
    reduced: int
    omitted_cycles: int
    omitted_patients: int


@dataclass(frozen=True)
class Exposure:
    """Exposure and dose intensity of the treated patients (tern's t_ex)."""

    cutoff: str
    patients: int
    """Patients with an exposure record."""
    cycles: Distribution
    cycle_counts: tuple[tuple[int, int], ...]
    """(cycles received, patients), increasing."""
    agents: tuple[AgentExposure, ...]
    reasons: tuple[tuple[str, int], ...]
    """Reasons given for a delay, reduction or omission (cycles), most frequent first."""
    note: str


def exposure(derived: Derivation) -> Exposure:
    """Cycles received per patient and, per agent, doses, intensity and changes.

    A cycle is received when any agent was given (given dose > 0, or missing); an omission
    is a row with given dose 0; a delay a row with ``delay_days`` > 0; a reduction
    ``reduced`` = Y."""
    ex = derived.data.exposure
    given = ex["given_dose"].to_numpy(np.float64, na_value=np.nan)
    planned = ex["planned_dose"].to_numpy(np.float64, na_value=np.nan)
    omitted = given == 0
    delay = ex["delay_days"].to_numpy(np.float64, na_value=0) > 0
    reduced = (ex["reduced"] == "Y").to_numpy(bool)
    received = ex.loc[~omitted]
    per_patient = received.groupby("patient_id")["cycle"].nunique()
    counts = per_patient.value_counts().sort_index()
    agents = []
    for agent in sorted(set(ex["agent"].astype(str))):
        mask = (ex["agent"] == agent).to_numpy(bool)
        rows = ex.loc[mask]
        g = np.nan_to_num(given[mask])
        pl = np.nan_to_num(planned[mask])
        pid = rows["patient_id"].to_numpy(object)
        frame = pd.DataFrame({"p": pid, "g": g, "pl": pl}).groupby("p").sum()
        ratio = (frame["g"] / frame["pl"]).where(frame["pl"] > 0)
        units = [u for u in rows["unit"].dropna().astype(str).tolist() if u]
        agents.append(
            AgentExposure(
                agent=agent,
                unit=units[0] if units else "",
                patients=int(rows.loc[~omitted[mask], "patient_id"].nunique()),
                cycles=int((~omitted[mask]).sum()),
                planned=float(pl.sum()),
                given=float(g.sum()),
                relative_intensity=float(g.sum() / pl.sum()) if pl.sum() > 0 else None,
                patient_intensity=distribution(ratio.to_numpy(np.float64, na_value=np.nan)),
                delayed=len(set(pid[delay[mask]].tolist())),
                reduced=len(set(pid[reduced[mask]].tolist())),
                omitted_cycles=int(omitted[mask].sum()),
                omitted_patients=len(set(pid[omitted[mask]].tolist())),
            )
        )
    changed = delay | reduced | omitted
    reasons = Counter(r or NOT_STATED for r in _text(ex["reason"])[changed].tolist())
    note = (
        f"Exposure records at the cut-off {derived.cutoff.isoformat()}. Cycles received: "
        "cycles with any agent given. Relative dose intensity = cumulative given / "
        "cumulative planned dose (all patients; per patient: median and range). Delay: a "
        "cycle started late; reduction: dose reduced; omission: given dose 0."
    )
    return Exposure(
        cutoff=derived.cutoff.isoformat(),
        patients=int(ex["patient_id"].nunique()),
        cycles=distribution(per_patient.to_numpy(np.float64)),
        cycle_counts=tuple((int(c), int(n)) for c, n in counts.items()),
        agents=tuple(agents),
        reasons=tuple((str(r), int(n)) for r, n in reasons.most_common()),
        note=note,
    )


# --- Deaths --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeathRow:
    patient_id: str
    death_date: date
    cause: str
    day: int | None
    """Days from the first dose (day 0); None if never treated."""
    phase: str
    """"on treatment", "in follow-up" or "never treated"."""


@dataclass(frozen=True)
class Mortality:
    """Deaths by day ``days`` among the treated patients followed that long."""

    days: int
    deaths: int
    patients: int
    proportion: float | None
    exact: Interval


@dataclass(frozen=True)
class Deaths:
    cutoff: str
    rows: tuple[DeathRow, ...]
    mortality: tuple[Mortality, ...]
    note: str


def _off_date(derived: Derivation) -> pd.Series:
    """The earliest of the off-treatment date and a completed or discontinued treatment
    event, per row of the derived patients (NaT if none)."""
    p = derived.patients
    events = derived.data.disposition_events
    ended = events.loc[events["event"].isin(["completed_treatment", "discontinued_treatment"])]
    first = ended.groupby("patient_id")["event_date"].min()
    by_event = p["patient_id"].map(first).astype("datetime64[ns]")
    return pd.concat([p["off_treatment_date"], by_event], axis=1).min(axis=1)


def _whole_days(later: pd.Series, earlier: pd.Series) -> npt.NDArray[np.float64]:
    delta = later.to_numpy("datetime64[ns]") - earlier.to_numpy("datetime64[ns]")
    days: npt.NDArray[np.float64] = (delta / np.timedelta64(1, "D")).astype(np.float64)
    return days


def deaths(derived: Derivation) -> Deaths:
    """Each death (cause, day from the first dose, on treatment or in follow-up) and the
    30- and 60-day mortality with exact intervals (module docstring)."""
    p = derived.patients
    treated = p["treated"].to_numpy(bool)
    dead = p["death_date"].notna().to_numpy(bool)
    day = _whole_days(p["death_date"], p["first_dose_date"])
    alive_until = _whole_days(p["last_known_alive_date"], p["first_dose_date"])
    off_before = (_off_date(derived) < p["death_date"]).to_numpy(bool)
    death_dates: list[date | None] = p["death_date"].to_numpy("datetime64[D]").tolist()
    ids = p["patient_id"].astype(str).tolist()
    causes = _text(p["death_cause"])
    rows = []
    for i in sorted(np.flatnonzero(dead).tolist(), key=lambda i: (death_dates[i], ids[i])):
        when = death_dates[i]
        assert when is not None  # a death date
        if not treated[i]:
            phase = "never treated"
        else:
            phase = "in follow-up" if off_before[i] else "on treatment"
        rows.append(
            DeathRow(
                patient_id=ids[i],
                death_date=when,
                cause=str(causes[i] or NOT_STATED),
                day=int(day[i]) if treated[i] else None,
                phase=phase,
            )
        )
    mortality = []
    for days in MORTALITY_DAYS:
        early = treated & dead & (day <= days)
        followed = treated & (dead | (np.nan_to_num(alive_until, nan=-1) >= days))
        x, n = int(early.sum()), int(followed.sum())
        mortality.append(
            Mortality(days, x, n, x / n if n else None, clopper_pearson(x, n, MORTALITY_LEVEL))
        )
    note = (
        "Day 0 = first dose. On treatment: not off treatment before the day of death. "
        "Mortality by day 30 (60): deaths by that day among the treated patients who died "
        "by then or are known alive that day or later; exact (Clopper–Pearson) 95% interval."
    )
    return Deaths(derived.cutoff.isoformat(), tuple(rows), tuple(mortality), note)


def mortality_words(m: Mortality) -> str:
    """ "2 of 20 patients (10.0%; 95% CI 1.2–31.7%)"."""
    if m.proportion is None:
        return "no patient followed that long"
    return (
        f"{m.deaths} of {counted(m.patients, 'patient')} ({m.proportion:.1%}; 95% CI "
        f"{m.exact.low:.1%}–{m.exact.high:.1%})"
    )


# --- All of them ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ConductTables:
    """The trial-conduct tables of one cut-off, for the open or the closed view
    (``grouped_by``: the column the disposition and baseline tables are broken down by)."""

    cutoff: str
    grouped_by: str | None
    disposition: Disposition
    accrual: Accrual
    baseline: BaselineTable
    exposure: Exposure | None
    """None in the open view of a trial whose arms are closed (:func:`exposure_shown`)."""
    deaths: Deaths


def conduct_tables(derived: Derivation, protocol: Protocol, closed: bool) -> ConductTables:
    """Disposition, accrual, baseline, exposure and deaths at the cut-off."""
    return ConductTables(
        cutoff=derived.cutoff.isoformat(),
        grouped_by=group_column(protocol, closed),
        disposition=disposition(derived, protocol, closed),
        accrual=accrual(derived, protocol),
        baseline=baseline_table(derived, protocol, closed),
        exposure=exposure(derived) if exposure_shown(protocol, closed) else None,
        deaths=deaths(derived),
    )
