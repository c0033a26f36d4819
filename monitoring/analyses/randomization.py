"""Randomization of a trial with arms: balance by stratum and over time, treatment received
against assigned, and a CONSORT-style flow (docs/methods.md, "Randomization tables").

Every table counts patients per arm (the protocol's arms in its order, then "Total"). Open
and closed: anything per arm belongs to the closed view when the protocol lists ``arm`` in
``closed_by``; :func:`pooled` gives the same tables with the arms added up (one column,
"All patients"), which the open view may show, without the rows on the arm received
(``CountRow.closed``: the arm a patient was treated on is closed information).

Definitions, at the data cut-off of the ``Derivation``:

- randomized: enrolled with an arm (``patients.arm``, the assigned arm); patients without
  an arm are counted apart (``unassigned``). The randomization date is the patient's row of
  the ``randomization`` table; a randomized patient without one (every patient when the
  table is empty) counts at the enrolment date, and the tables say so;
- treated: received any dose; received: ``randomization.arm_received``, shown against the
  assigned arm (a crossover received another arm); when the table holds no arm received, a
  treated patient counts as receiving the assigned arm, and the note says so;
- discontinued: off treatment by the cut-off (an off-treatment date, or a completed or
  discontinued treatment disposition event) for any reason but completion ("Completed
  treatment" or a completed_treatment event), listed by the discontinuation event's reason,
  else the off-treatment reason ("not stated" when empty); on treatment: treated, not off
  treatment;
- in follow-up: alive at the cut-off (no death date); died: a death date;
- analysed: the treated patients by assigned arm, the population of the comparison of arms
  (time from first dose; docs/methods.md, "Time-to-event records");
- stratification factors: the ``strata`` of the protocol's group-sequential rules, the
  ``[[baseline]]`` characteristics marked ``stratification = true`` (values from the
  ``baseline`` table), then site and sex.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from monitoring.derive import Derivation
from monitoring.derive.strata import factor_values
from monitoring.protocol import GroupSequentialRule, Protocol

TOTAL = "Total"
ALL = "All patients"
COMPLETED = "Completed treatment"
# Factors always shown when the data hold them, after the protocol's stratification columns.
DEFAULT_FACTORS = ("site", "sex")


@dataclass(frozen=True)
class CountRow:
    """One row: a label and the patients in each column (arms, then the total).
    ``closed``: the row reads the arm received, closed information left out when the arms
    are pooled."""

    label: str
    counts: tuple[int, ...]
    indent: int = 0
    closed: bool = False


@dataclass(frozen=True)
class CountTable:
    """Patients counted by row and arm; ``columns`` are the arm labels and "Total".
    ``pooled_note`` replaces ``note`` when the arms are pooled (empty: the same note)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[CountRow, ...]
    note: str = ""
    pooled_note: str = ""


@dataclass(frozen=True)
class RandomizationTables:
    """The randomization tables at one cut-off; ``arms`` the column labels before "Total"."""

    cutoff: str
    arms: tuple[str, ...]
    factors: tuple[str, ...]
    unassigned: int
    date_source: str
    flow: CountTable
    received: CountTable
    balance: CountTable
    over_time: CountTable
    pooled: bool = False

    @property
    def tables(self) -> tuple[CountTable, ...]:
        return (self.flow, self.received, self.balance, self.over_time)


def stratification_factors(
    protocol: Protocol, patients: pd.DataFrame, baseline: pd.DataFrame | None = None
) -> tuple[str, ...]:
    """The factors balance is shown by: the ``strata`` of the protocol's group-sequential
    rules, the ``[[baseline]]`` characteristics marked ``stratification = true``, then site
    and sex, each once and only when the data hold it (a patient column, or rows of that
    characteristic in ``baseline``)."""
    named = [c for r in protocol.efficacy if isinstance(r, GroupSequentialRule) for c in r.strata]
    declared = [b.id for b in protocol.baseline if b.stratification]
    recorded = set() if baseline is None else set(baseline["characteristic"].astype(str))
    out: list[str] = []
    for column in (*named, *declared, *DEFAULT_FACTORS):
        if column not in out and (column in patients.columns or column in recorded):
            out.append(column)
    return tuple(out)


def _levels(declared: tuple[str, ...], present: set[str]) -> list[str]:
    """A factor's levels: a baseline category's declared order first (each shown, 0 when
    no patient has it), then the other values recorded, sorted."""
    return [*declared, *sorted(present - set(declared))]


def _counts(mask: np.ndarray, arm_index: np.ndarray, k: int) -> tuple[int, ...]:
    per_arm = np.bincount(arm_index[mask], minlength=k)[:k]
    return (*(int(x) for x in per_arm), int(mask.sum()))


def _labels(values: pd.Series) -> np.ndarray:
    def one(v: object) -> str:
        if v is None or (isinstance(v, float) and v != v):
            return "(missing)"
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return np.asarray([one(v) for v in values.astype(object).tolist()], dtype=object)


def _randomization_dates(derived: Derivation, assigned: np.ndarray) -> tuple[pd.Series, str]:
    """Each patient's randomization date and a sentence saying where it comes from."""
    p = derived.patients
    table = derived.data.randomization
    enrolled = pd.to_datetime(p["enrollment_date"])
    if table.empty:
        return enrolled, (
            "The randomization table is empty: the enrolment date stands for the "
            "randomization date."
        )
    recorded = dict(
        zip(
            table["patient_id"].astype(str),
            pd.to_datetime(table["randomization_date"]),
            strict=True,
        )
    )
    ids = p["patient_id"].astype(str)
    dates = pd.Series([recorded.get(i, pd.NaT) for i in ids], index=p.index, dtype="datetime64[ns]")
    missing = int((dates.isna().to_numpy(bool) & assigned).sum())
    source = "Randomization dates from the randomization table"
    if missing:
        source += (
            f"; {missing} randomized patient{'s' if missing != 1 else ''} without a row "
            "count at the enrolment date"
        )
    return dates.fillna(enrolled), source + "."


def _arm_received(derived: Derivation) -> np.ndarray | None:
    """Each patient's arm received ("" when none is recorded); None when the randomization
    table records no arm received at all."""
    table = derived.data.randomization
    received = table["arm_received"].astype(object)
    if table.empty or not received.notna().any():
        return None
    by_patient = dict(
        zip(table["patient_id"].astype(str), received.where(received.notna(), ""), strict=True)
    )
    ids = derived.patients["patient_id"].astype(str)
    return np.asarray([str(by_patient.get(i, "")).strip() for i in ids], dtype=object)


@dataclass(frozen=True)
class _TreatmentEnd:
    """Per derived patient: a completed or discontinued treatment disposition event, a
    completion without a discontinuation, the discontinuation's reason ("" if none)."""

    has_event: np.ndarray
    completed_only: np.ndarray
    reason: np.ndarray


def _treatment_ended(derived: Derivation) -> _TreatmentEnd:
    """The treatment disposition events of each patient (as the disposition table reads
    them: ``monitoring.analyses.conduct.disposition``)."""
    ids = derived.patients["patient_id"].astype(str)
    events = derived.data.disposition_events

    def of(event: str) -> pd.DataFrame:
        rows = events.loc[(events["event"] == event).to_numpy(bool)]
        return rows.drop_duplicates("patient_id").set_index("patient_id")

    done, stopped = of("completed_treatment"), of("discontinued_treatment")
    has_done = ids.isin(done.index).to_numpy(bool)
    has_stopped = ids.isin(stopped.index).to_numpy(bool)
    why = ids.map(stopped["reason"]).astype(object)
    reason = why.where(why.notna(), "").astype(str).str.strip().to_numpy(object)
    return _TreatmentEnd(has_done | has_stopped, has_done & ~has_stopped, reason)


def randomization_tables(derived: Derivation, protocol: Protocol) -> RandomizationTables | None:
    """The tables of a protocol with arms (None without arms)."""
    if not protocol.arms:
        return None
    p = derived.patients
    ids = [u.id for u in protocol.arms]
    names = tuple(f"Arm {u.id}" for u in protocol.arms)
    k = len(ids)
    arm = p["arm"].astype(object).where(p["arm"].notna(), None).to_numpy(object)
    assigned = np.isin(arm.astype(str), ids) & pd.notna(p["arm"]).to_numpy(bool)
    arm_index = np.full(len(p), k, dtype=np.int64)
    for i, a in enumerate(ids):
        arm_index[assigned & (arm.astype(str) == a)] = i
    treated = p["treated"].to_numpy(bool) & assigned
    ended = _treatment_ended(derived)
    off = (p["off_treatment_date"].notna().to_numpy(bool) | ended.has_event) & treated
    recorded = p["off_treatment_reason"].astype(object)
    reason = recorded.where(recorded.notna(), "").astype(str).str.strip().to_numpy(object)
    completed = off & ((reason == COMPLETED) | ended.completed_only)
    reason = np.where(ended.reason != "", ended.reason, reason)
    stopped = off & ~completed
    dead = p["death_date"].notna().to_numpy(bool) & assigned

    def row(label: str, mask: np.ndarray, indent: int = 0, closed: bool = False) -> CountRow:
        return CountRow(label, _counts(mask, arm_index, k), indent, closed)

    dates, date_source = _randomization_dates(derived, assigned)
    reasons = sorted({r or "not stated" for r in reason[stopped]})
    labelled = np.where(reason == "", "not stated", reason)
    flow_rows = [
        row("Randomized", assigned),
        row("Treated (received any dose)", treated, 1),
        row("On treatment at the cut-off", treated & ~off, 2),
        row(COMPLETED, completed, 2),
        row("Discontinued treatment", stopped, 2),
        *(row(r, stopped & (labelled == r), 3) for r in reasons),
        row("Not treated", assigned & ~treated, 1),
        row("In follow-up (alive at the cut-off)", assigned & ~dead, 1),
        row("Died", dead, 1),
        row("Analysed (treated, by assigned arm; time from first dose)", treated),
    ]
    flow = CountTable(
        "CONSORT flow",
        (*names, TOTAL),
        tuple(flow_rows),
        f"{date_source} Discontinued = off treatment for any reason but completion, by the "
        "reason recorded.",
    )
    received = _received_table(derived, protocol, names, assigned, treated, arm, row)
    factors = stratification_factors(protocol, p, derived.data.baseline)
    balance_rows: list[CountRow] = []
    for factor in factors:
        values = _labels(factor_values(p, derived.data.baseline, factor))
        spec = next((b for b in protocol.baseline if b.id == factor), None)
        from_baseline = spec is not None and factor not in p.columns
        title = f"By {factor}" + (f" ({spec.label})" if from_baseline and spec else "")
        balance_rows.append(CountRow(title, (), 0))
        declared = spec.categories if from_baseline and spec else ()
        for level in _levels(declared, set(values[assigned].tolist())):
            balance_rows.append(row(level, assigned & (values == level), 1))
    balance = CountTable(
        "Randomization balance by stratum",
        (*names, TOTAL),
        tuple(balance_rows),
        "Patients randomized to each arm per level of each stratification factor "
        f"({', '.join(factors) or 'none'}).",
        "Patients randomized (arms pooled) per level of each stratification factor "
        f"({', '.join(factors) or 'none'}).",
    )
    months = dates.dt.strftime("%Y-%m").to_numpy(object)
    time_rows = [row(m, assigned & (months <= m)) for m in sorted(set(months[assigned].tolist()))]
    over_time = CountTable(
        "Cumulative randomization by month",
        (*names, TOTAL),
        tuple(time_rows),
        f"Patients randomized to each arm by the end of each month of randomization. {date_source}",
        "Patients randomized (arms pooled) by the end of each month of randomization. "
        f"{date_source}",
    )
    return RandomizationTables(
        cutoff=derived.cutoff.isoformat(),
        arms=names,
        factors=factors,
        unassigned=int((~assigned).sum()),
        date_source=date_source,
        flow=flow,
        received=received,
        balance=balance,
        over_time=over_time,
    )


def _received_table(
    derived: Derivation,
    protocol: Protocol,
    names: tuple[str, ...],
    assigned: np.ndarray,
    treated: np.ndarray,
    arm: np.ndarray,
    row: Callable[..., CountRow],
) -> CountTable:
    """Treatment received (columns: the assigned arm). Rows on the arm received are
    ``closed``: the pooled table keeps the treated and never-treated counts only."""
    title = "Treatment received against assigned"
    pooled_note = "Arms pooled: the arm each patient received is shown in the closed view only."
    got = _arm_received(derived)
    if got is None:
        return CountTable(
            title,
            (*names, TOTAL),
            (
                row("Assigned", assigned),
                row("Treated (received any dose)", treated, 1),
                row("Received the assigned arm", treated, 2, closed=True),
                row("Received no study treatment", assigned & ~treated, 1),
            ),
            "The randomization table records no arm received: a treated patient is counted "
            "as receiving the assigned arm.",
            pooled_note,
        )
    own = assigned & (got == arm.astype(str))
    rows = [
        row("Assigned", assigned),
        row("Treated (received any dose)", treated, 1),
        row("Received the assigned arm", treated & own, 2, closed=True),
    ]
    for u in protocol.arms:
        crossed = treated & ~own & (got == u.id)
        if crossed.any():
            rows.append(row(f"Received Arm {u.id} (crossover)", crossed, 2, closed=True))
    known = {u.id for u in protocol.arms}
    other = treated & ~own & (got != "") & ~np.isin(got.astype(str), list(known))
    if other.any():
        rows.append(row("Received an arm the protocol does not name", other, 2, closed=True))
    unrecorded = treated & (got == "")
    if unrecorded.any():
        rows.append(row("Arm received not recorded", unrecorded, 2, closed=True))
    rows.append(row("Received no study treatment", assigned & ~treated, 1))
    crossovers = int((treated & ~own & (got != "")).sum())
    return CountTable(
        title,
        (*names, TOTAL),
        tuple(rows),
        "Columns: the assigned arm; rows: the arm received (randomization table). "
        f"{crossovers} crossover{'s' if crossovers != 1 else ''}; the comparison of arms "
        "keeps the assigned arm.",
        pooled_note,
    )


def _pool(table: CountTable, title_suffix: str) -> CountTable:
    rows = tuple(
        CountRow(r.label, r.counts[-1:] if r.counts else (), r.indent)
        for r in table.rows
        if not r.closed
    )
    note = table.pooled_note or table.note
    return CountTable(f"{table.title}{title_suffix}", (ALL,), rows, note)


def pooled(tables: RandomizationTables) -> RandomizationTables:
    """The same tables with the arms added up (the open view's)."""
    suffix = ", arms pooled"
    return RandomizationTables(
        cutoff=tables.cutoff,
        arms=(),
        factors=tables.factors,
        unassigned=tables.unassigned,
        date_source=tables.date_source,
        flow=_pool(tables.flow, suffix),
        received=_pool(tables.received, suffix),
        balance=_pool(tables.balance, suffix),
        over_time=_pool(tables.over_time, suffix),
        pooled=True,
    )


def for_view(tables: RandomizationTables, protocol: Protocol, closed: bool) -> RandomizationTables:
    """By arm in the closed view, or wherever ``arm`` is not a ``closed_by`` column; pooled
    otherwise."""
    return tables if closed or "arm" not in protocol.closed_by else pooled(tables)


def counts_of(table: CountTable, label: str) -> Sequence[int]:
    """The counts of the first row labelled ``label`` (KeyError if none)."""
    for r in table.rows:
        if r.label == label:
            return r.counts
    raise KeyError(label)


@dataclass(frozen=True)
class RandomizedPatient:
    """One randomized patient: assigned arm, randomization date (ISO), arm received (""
    when none is recorded) and the values of the stratification factors ("(missing)")."""

    patient_id: str
    arm: str
    randomization_date: str
    arm_received: str
    strata: tuple[str, ...]


@dataclass(frozen=True)
class RandomizationListing:
    """The randomized patients in randomization order (date, then id). ``by_arm`` False:
    the open view's listing, whose ``arm`` and ``arm_received`` are empty."""

    factors: tuple[str, ...]
    rows: tuple[RandomizedPatient, ...]
    date_source: str
    by_arm: bool = True


def randomization_listing(derived: Derivation, protocol: Protocol) -> RandomizationListing | None:
    """Randomization per patient of a protocol with arms (None without arms)."""
    if not protocol.arms:
        return None
    p = derived.patients
    ids = [u.id for u in protocol.arms]
    assigned = p["arm"].astype(object).isin(ids).to_numpy(bool)
    dates, source = _randomization_dates(derived, assigned)
    got = _arm_received(derived)
    factors = stratification_factors(protocol, p, derived.data.baseline)
    values = [_labels(factor_values(p, derived.data.baseline, f)) for f in factors]
    rows = [
        RandomizedPatient(
            patient_id=str(p["patient_id"].iloc[i]),
            arm=str(p["arm"].iloc[i]),
            randomization_date=dates.iloc[i].date().isoformat(),
            arm_received="" if got is None else str(got[i]),
            strata=tuple(str(v[i]) for v in values),
        )
        for i in np.flatnonzero(assigned)
    ]
    rows.sort(key=lambda r: (r.randomization_date, r.patient_id))
    return RandomizationListing(factors, tuple(rows), source)


def listing_for_view(
    listing: RandomizationListing, protocol: Protocol, closed: bool
) -> RandomizationListing:
    """The listing by arm in the closed view, or wherever ``arm`` is not a ``closed_by``
    column; otherwise without the assigned and received arms."""
    if closed or "arm" not in protocol.closed_by:
        return listing
    rows = tuple(
        RandomizedPatient(r.patient_id, "", r.randomization_date, "", r.strata)
        for r in listing.rows
    )
    return RandomizationListing(listing.factors, rows, listing.date_source, by_arm=False)
