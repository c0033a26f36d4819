"""Demo clinical-detail tables: dose levels, DLT assessments and MRD results.

An example trial (``monitoring/demo/examples.py``) whose protocol has a dose-finding,
de-escalation or MRD-response rule gets the rows those rules read, written by the rule's own
design: the patients of the rule's scope, in first-dose order, are treated at the level the
design chooses from the DLTs before them (cohorts of the rule's size for BOIN and 3+3, one
patient at a time for de-escalation), and each patient's DLT is the next entry of the
scenario's script for that level (``DetailScript``), so each scenario shows the decision it
is named for. The DLT assessment is dated at the end of the window; a patient still in the
window at the data date has none. MRD samples by flow are taken at the end of each of the
first two 28-day cycles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import pandas as pd

from monitoring.data_dictionary import (
    DLT_ASSESSMENTS,
    DOSE_CHANGES,
    MRD_RESULTS,
    TrialData,
    empty_frame,
    rows_frame,
)
from monitoring.derive.cutoff import latest_date
from monitoring.derive.scope import in_scope
from monitoring.designs.dose_finding import Cohort, Recommendation
from monitoring.protocol import DeescalationRule, DoseFindingRule, MrdRule, Protocol
from monitoring.rules.dose_finding import dose_path


@dataclass(frozen=True)
class DetailScript:
    """What a scenario fixes about the detail tables. ``dlt``: per dose level, the DLT (1)
    or not (0) of the successive patients treated there (0 past the end); ``phase_split``:
    cohort ids (first, then) when the dose-finding rule's cohort comes first in time (its
    size is the rule's ``ncohort`` x ``cohort_size``) and the later cohort is treated at the
    selected dose; ``mrd_negative``: the chance a treated patient is MRD-negative by flow."""

    dlt: Mapping[str, tuple[int, ...]] = field(default_factory=lambda: MappingProxyType({}))
    phase_split: tuple[str, str] | None = None
    mrd_negative: float = 0.5


def _order(patients: pd.DataFrame, among: npt.NDArray[np.bool_]) -> npt.NDArray[np.intp]:
    treated = among & patients["first_dose_date"].notna().to_numpy(bool)
    rows = np.flatnonzero(treated)
    key = patients["first_dose_date"].to_numpy("datetime64[ns]")[rows]
    ids = patients["patient_id"].to_numpy(object)[rows].astype(str)
    return rows[np.lexsort((ids, key))]


def _next_dlt(script: Mapping[str, tuple[int, ...]], used: dict[str, int], level: str) -> bool:
    k = used.get(level, 0)
    used[level] = k + 1
    flags = script.get(level, ())
    return bool(flags[k]) if k < len(flags) else False


class _Rows:
    def __init__(self, patients: pd.DataFrame, end: pd.Timestamp) -> None:
        self.patients = patients
        self.end = end
        self.dlt: list[dict[str, object]] = []
        self.changes: list[dict[str, object]] = []

    def treat(self, row: int, level: str, dlt: bool, window: int) -> None:
        p = self.patients
        p.loc[row, "dose_level"] = level
        first = pd.Timestamp(p["first_dose_date"].iloc[row])
        day = first + timedelta(days=window)
        death = pd.Timestamp(p["death_date"].iloc[row])
        if not pd.isna(death) and day > death:
            day = death
        if day <= self.end:
            self.dlt.append(
                {
                    "patient_id": p.loc[row, "patient_id"],
                    "dose_level": level,
                    "assessment_date": day,
                    "dlt": "Y" if dlt else "N",
                    "evaluable": "Y",
                    "dlt_term": "Febrile neutropenia, prolonged" if dlt else None,
                }
            )
        self.changes.append(
            {"patient_id": p.loc[row, "patient_id"], "change_date": first, "dose_level": level}
        )


def _deescalation(rows: _Rows, rule: DeescalationRule, script: DetailScript) -> None:
    p = rows.patients
    order = _order(p, in_scope(p, rule.scope))
    used: dict[str, int] = {}
    index, dlts = 0, 0
    for row in order:
        level = rule.levels[index]
        dlt = _next_dlt(script.dlt, used, level)
        rows.treat(int(row), level, dlt, rule.dlt_window_days)
        dlts += int(dlt)
        if dlts >= rule.deescalate_at:
            if index + 1 == len(rule.levels):
                break
            index, dlts = index + 1, 0


def _dose_finding(rows: _Rows, rule: DoseFindingRule, script: DetailScript) -> str | None:
    """Treat the rule's patients cohort by cohort at the design's level; the selected MTD."""
    p = rows.patients
    order = _order(p, in_scope(p, rule.scope))
    used: dict[str, int] = {}
    cohorts: list[Cohort] = []
    level = rule.levels.index(rule.start)
    size = rule.cohort_size
    for start in range(0, min(len(order), rule.ncohort * size), size):
        members = order[start : start + size]
        dlts = 0
        for row in members:
            dlt = _next_dlt(script.dlt, used, rule.levels[level])
            rows.treat(int(row), rule.levels[level], dlt, rule.dlt_window_days)
            dlts += int(dlt)
        cohorts.append(Cohort(level, len(members), dlts))
        decision = dose_path(rule, cohorts).last
        assert decision is not None
        if decision.recommendation is Recommendation.STOP or decision.next_dose is None:
            return decision.mtd_label
        level = decision.next_dose
    last = dose_path(rule, cohorts).last
    return None if last is None else (last.mtd_label or last.current_label)


def _phase_split(patients: pd.DataFrame, rule: DoseFindingRule, split: tuple[str, str]) -> None:
    """The first ncohort x cohort_size treated patients form the dose-finding cohort."""
    order = _order(patients, np.ones(len(patients), dtype=bool))
    first = order[: rule.ncohort * rule.cohort_size]
    patients["cohort"] = split[1]
    patients.loc[first, "cohort"] = split[0]
    patients.loc[patients["first_dose_date"].isna(), "cohort"] = split[1]


def _mrd(
    patients: pd.DataFrame,
    rule: MrdRule,
    chance: float,
    rng: np.random.Generator,
    end: pd.Timestamp,
) -> pd.DataFrame:
    order = _order(patients, in_scope(patients, rule.scope))
    rows: list[dict[str, object]] = []
    negative_at = rng.choice([1, 2, 0], size=len(order), p=[chance * 0.6, chance * 0.4, 1 - chance])
    for row, when in zip(order, negative_at, strict=True):
        first = pd.Timestamp(patients["first_dose_date"].iloc[row])
        death = pd.Timestamp(patients["death_date"].iloc[row])
        for cycle in (1, 2):
            day = first + timedelta(days=28 * cycle)
            if day > end or (not pd.isna(death) and day > death):
                break
            negative = when != 0 and cycle >= when
            value = 0.0 if negative else float(np.round(10 ** rng.uniform(-1.7, 0.5), 3))
            rows.append(
                {
                    "patient_id": patients.loc[row, "patient_id"],
                    "sample_date": day,
                    "method": rule.method,
                    "value_pct": value,
                    "threshold_pct": rule.threshold_pct,
                    "timepoint": f"end of cycle {cycle}",
                }
            )
    return rows_frame(rows, MRD_RESULTS)


def add_detail(
    data: TrialData, protocol: Protocol, script: DetailScript, rng: np.random.Generator
) -> TrialData:
    """``data`` with the detail tables the protocol's rules read, and the patients' cohort
    and dose level set by the design (a trial without such a rule is returned unchanged)."""
    mrd_rules = [r for r in protocol.efficacy if isinstance(r, MrdRule)]
    if not protocol.dose_finding and not mrd_rules:
        return data
    patients = data.patients.copy()
    end = pd.Timestamp(latest_date(data))
    rows = _Rows(patients, end)
    selected: str | None = None
    finding = [r for r in protocol.dose_finding if isinstance(r, DoseFindingRule)]
    if finding and script.phase_split is not None:
        _phase_split(patients, finding[0], script.phase_split)
    if protocol.dose_finding:
        patients["dose_level"] = None
    for rule in protocol.dose_finding:
        if isinstance(rule, DeescalationRule):
            _deescalation(rows, rule, script)
        else:
            selected = _dose_finding(rows, rule, script)
    if finding and script.phase_split is not None and selected is not None:
        later = (patients["cohort"] == script.phase_split[1]).to_numpy(bool)
        later &= patients["first_dose_date"].notna().to_numpy(bool)
        patients.loc[later, "dose_level"] = selected
    mrd = (
        _mrd(patients, mrd_rules[0], script.mrd_negative, rng, end)
        if mrd_rules
        else empty_frame(MRD_RESULTS)
    )
    return TrialData(
        patients,
        data.responses,
        data.adverse_events,
        dose_changes=rows_frame(rows.changes, DOSE_CHANGES),
        dlt_assessments=rows_frame(rows.dlt, DLT_ASSESSMENTS),
        mrd_results=mrd,
    )
