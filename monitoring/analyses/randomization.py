"""Randomization of a trial with arms: balance by stratum and over time, treatment received
against assigned, and a CONSORT-style flow (docs/methods.md, "Randomization tables").

Every table counts patients per arm (the protocol's arms in its order, then "Total"). Open
and closed: anything per arm belongs to the closed view when the protocol lists ``arm`` in
``closed_by``; :func:`pooled` gives the same tables with the arms added up (one column,
"All patients"), which the open view may show.

Definitions, at the data cut-off of the ``Derivation``:

- randomized: enrolled with an arm (the enrolment date is the randomization date); patients
  without an arm are counted apart (``unassigned``);
- treated: received any dose; the data dictionary has no "arm received" field, so a treated
  patient received the assigned arm — the received-against-assigned table shows treated and
  never-treated patients per assigned arm;
- discontinued: off treatment by the cut-off for any reason but "Completed treatment",
  listed by reason ("not stated" when empty); on treatment: treated, not off treatment;
- in follow-up: alive at the cut-off (no death date); died: a death date;
- analysed: the treated patients, the population of the comparison of arms (time from first
  dose; docs/methods.md, "Time-to-event records").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from monitoring.derive import Derivation
from monitoring.protocol import GroupSequentialRule, Protocol

TOTAL = "Total"
ALL = "All patients"
COMPLETED = "Completed treatment"
# Factors always shown when the data hold them, after the protocol's stratification columns.
DEFAULT_FACTORS = ("site", "sex")


@dataclass(frozen=True)
class CountRow:
    """One row: a label and the patients in each column (arms, then the total)."""

    label: str
    counts: tuple[int, ...]
    indent: int = 0


@dataclass(frozen=True)
class CountTable:
    """Patients counted by row and arm; ``columns`` are the arm labels and "Total"."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[CountRow, ...]
    note: str = ""


@dataclass(frozen=True)
class RandomizationTables:
    """The randomization tables at one cut-off; ``arms`` the column labels before "Total"."""

    cutoff: str
    arms: tuple[str, ...]
    factors: tuple[str, ...]
    unassigned: int
    flow: CountTable
    received: CountTable
    balance: CountTable
    over_time: CountTable
    pooled: bool = False

    @property
    def tables(self) -> tuple[CountTable, ...]:
        return (self.flow, self.received, self.balance, self.over_time)


def stratification_factors(protocol: Protocol, patients: pd.DataFrame) -> tuple[str, ...]:
    """The columns balance is shown by: the ``strata`` of the protocol's group-sequential
    rules, then site and sex, each once and only when the data hold the column."""
    named = [c for r in protocol.efficacy if isinstance(r, GroupSequentialRule) for c in r.strata]
    out: list[str] = []
    for column in (*named, *DEFAULT_FACTORS):
        if column not in out and column in patients.columns:
            out.append(column)
    return tuple(out)


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
    off = p["off_treatment_date"].notna().to_numpy(bool) & treated
    recorded = p["off_treatment_reason"].astype(object)
    reason = recorded.where(recorded.notna(), "").astype(str).str.strip().to_numpy(object)
    completed = off & (reason == COMPLETED)
    stopped = off & ~completed
    dead = p["death_date"].notna().to_numpy(bool) & assigned

    def row(label: str, mask: np.ndarray, indent: int = 0) -> CountRow:
        return CountRow(label, _counts(mask, arm_index, k), indent)

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
        row("Analysed (treated; time from first dose)", treated),
    ]
    flow = CountTable(
        "CONSORT flow",
        (*names, TOTAL),
        tuple(flow_rows),
        "Randomization date = enrolment date; discontinued = off treatment for any reason "
        "but completion, by the reason recorded.",
    )
    received = CountTable(
        "Treatment received against assigned",
        (*names, TOTAL),
        (
            row("Assigned", assigned),
            row("Received the assigned arm", treated, 1),
            row("Received no study treatment", assigned & ~treated, 1),
        ),
        "The data hold no arm-received field: a treated patient is counted as receiving "
        "the assigned arm.",
    )
    factors = stratification_factors(protocol, p)
    balance_rows: list[CountRow] = []
    for factor in factors:
        values = _labels(p[factor])
        balance_rows.append(CountRow(f"By {factor}", (), 0))
        for level in sorted(set(values[assigned].tolist())):
            balance_rows.append(row(level, assigned & (values == level), 1))
    balance = CountTable(
        "Randomization balance by stratum",
        (*names, TOTAL),
        tuple(balance_rows),
        "Patients randomized to each arm per level of each stratification factor "
        f"({', '.join(factors) or 'none'}).",
    )
    months = p["enrollment_date"].dt.strftime("%Y-%m").to_numpy(object)
    time_rows = [row(m, assigned & (months <= m)) for m in sorted(set(months[assigned].tolist()))]
    over_time = CountTable(
        "Cumulative randomization by month",
        (*names, TOTAL),
        tuple(time_rows),
        "Patients randomized to each arm by the end of each month.",
    )
    return RandomizationTables(
        cutoff=derived.cutoff.isoformat(),
        arms=names,
        factors=factors,
        unassigned=int((~assigned).sum()),
        flow=flow,
        received=received,
        balance=balance,
        over_time=over_time,
    )


def _pool(table: CountTable, title_suffix: str) -> CountTable:
    rows = tuple(CountRow(r.label, r.counts[-1:] if r.counts else (), r.indent) for r in table.rows)
    return CountTable(f"{table.title}{title_suffix}", (ALL,), rows, table.note)


def pooled(tables: RandomizationTables) -> RandomizationTables:
    """The same tables with the arms added up (the open view's)."""
    suffix = ", arms pooled"
    return RandomizationTables(
        cutoff=tables.cutoff,
        arms=(),
        factors=tables.factors,
        unassigned=tables.unassigned,
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
