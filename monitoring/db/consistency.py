"""Checks across rows and tables: orphan rows and impossible sequences of dates.

They run on the staged tables (import applied over the stored data of the trial), so a new
death date is checked against stored responses too. A problem is reported on the imported
side: the child row when it is imported, otherwise the patient row that makes it
impossible. Equal dates are always allowed (same-day events).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from monitoring.db.problems import ImportProblem
from monitoring.db.staging import ROW, SOURCE
from monitoring.protocol import BaselineCharacteristic


@dataclass(frozen=True)
class OrderRule:
    """``later_table.later`` must not precede ``earlier_table.earlier`` for the same patient.

    ``report_later`` says which of the two columns a problem names (the implausible one).
    """

    earlier_table: str
    earlier: str
    later_table: str
    later: str
    report_later: bool
    message: str


P, R, AE = "patients", "responses", "adverse_events"
DC, DLT, MRD = "dose_changes", "dlt_assessments", "mrd_results"
RAND, BL, EX, DS, LB = "randomization", "baseline", "exposure", "disposition_events", "lab_results"
CHILD_TABLES = (R, AE, DC, DLT, MRD, RAND, BL, EX, DS, LB)
"""Tables whose rows belong to a patient of the patients table."""
DOSE_LEVEL_COLUMNS = ((P, "dose_level"), (DC, "dose_level"), (DLT, "dose_level"))
"""Columns holding a dose level of the trial's protocol."""

ORDER_RULES: tuple[OrderRule, ...] = (
    OrderRule(P, "enrollment_date", P, "first_dose_date", True, "first dose before enrolment"),
    OrderRule(P, "enrollment_date", P, "death_date", True, "death before enrolment"),
    OrderRule(P, "first_dose_date", P, "death_date", True, "death before first dose"),
    OrderRule(P, "first_dose_date", P, "progression_date", True, "progression before first dose"),
    OrderRule(P, "enrollment_date", P, "last_contact_date", True, "last contact before enrolment"),
    OrderRule(P, "enrollment_date", P, "hsct_date", True, "transplant before enrolment"),
    OrderRule(
        P,
        "enrollment_date",
        P,
        "second_malignancy_date",
        True,
        "second malignancy before enrolment",
    ),
    OrderRule(
        P, "enrollment_date", P, "off_treatment_date", True, "off treatment before enrolment"
    ),
    OrderRule(P, "last_contact_date", P, "death_date", False, "last contact after death"),
    OrderRule(P, "progression_date", P, "death_date", False, "progression after death"),
    OrderRule(P, "hsct_date", P, "death_date", False, "transplant after death"),
    OrderRule(P, "second_malignancy_date", P, "death_date", False, "second malignancy after death"),
    OrderRule(P, "off_treatment_date", P, "death_date", False, "off treatment after death"),
    OrderRule(
        P, "first_dose_date", R, "assessment_date", True, "response assessment before first dose"
    ),
    OrderRule(R, "assessment_date", P, "death_date", False, "response assessment after death"),
    OrderRule(AE, "onset_date", P, "death_date", False, "adverse event onset after death"),
    OrderRule(AE, "onset_date", AE, "resolution_date", True, "adverse event resolved before onset"),
    OrderRule(P, "enrollment_date", DC, "change_date", True, "dose-level change before enrolment"),
    OrderRule(DC, "change_date", P, "death_date", False, "dose-level change after death"),
    OrderRule(
        P, "first_dose_date", DLT, "assessment_date", True, "DLT assessment before first dose"
    ),
    OrderRule(P, "enrollment_date", MRD, "sample_date", True, "MRD sample before enrolment"),
    OrderRule(MRD, "sample_date", P, "death_date", False, "MRD sample after death"),
    OrderRule(
        RAND, "randomization_date", P, "first_dose_date", True, "first dose before randomization"
    ),
    OrderRule(RAND, "randomization_date", P, "death_date", False, "randomization after death"),
    OrderRule(P, "enrollment_date", EX, "start_date", True, "exposure cycle before enrolment"),
    OrderRule(P, "first_dose_date", EX, "start_date", True, "exposure cycle before first dose"),
    OrderRule(EX, "start_date", P, "death_date", False, "exposure cycle after death"),
    OrderRule(P, "enrollment_date", DS, "event_date", True, "disposition event before enrolment"),
    OrderRule(LB, "sample_date", P, "death_date", False, "laboratory sample after death"),
)


def _iso(value: object) -> str:
    return pd.Timestamp(value).date().isoformat()  # type: ignore[arg-type]


def _within(frame: pd.DataFrame, rule: OrderRule) -> list[ImportProblem]:
    bad = (frame[rule.later] < frame[rule.earlier]) & frame[SOURCE].notna()
    column = rule.later if rule.report_later else rule.earlier
    rows = frame[bad.to_numpy()]
    return [
        ImportProblem(
            src,
            int(row),
            column,
            f"impossible sequence: {rule.message} "
            f"({rule.later} {_iso(lo)} is before {rule.earlier} {_iso(hi)})",
        )
        for src, row, lo, hi in zip(
            rows[SOURCE], rows[ROW], rows[rule.later], rows[rule.earlier], strict=True
        )
    ]


def _across(child: pd.DataFrame, patients: pd.DataFrame, rule: OrderRule) -> list[ImportProblem]:
    child_table = rule.later_table if rule.later_table != P else rule.earlier_table
    patient_col = rule.earlier if rule.earlier_table == P else rule.later
    child_col = rule.later if rule.later_table != P else rule.earlier
    side = patients[["patient_id", patient_col, SOURCE, ROW]].rename(
        columns={patient_col: "p_value", SOURCE: "p_source", ROW: "p_row"}
    )
    joined = child[["patient_id", child_col, SOURCE, ROW]].merge(side, on="patient_id")
    child_later = rule.later_table != P
    later = joined[child_col] if child_later else joined["p_value"]
    earlier = joined["p_value"] if child_later else joined[child_col]
    bad = joined[(later < earlier).to_numpy()]
    problems = []
    for source, row, value, p_value, p_source, p_row in zip(
        bad[SOURCE],
        bad[ROW],
        bad[child_col],
        bad["p_value"],
        bad["p_source"],
        bad["p_row"],
        strict=True,
    ):
        lo, hi = (value, p_value) if child_later else (p_value, value)
        text = (
            f"impossible sequence: {rule.message} ({rule.later_table}.{rule.later} {_iso(lo)} "
            f"is before {rule.earlier_table}.{rule.earlier} {_iso(hi)})"
        )
        if isinstance(source, str):
            problems.append(ImportProblem(source, int(row), child_col, text))
        elif isinstance(p_source, str):
            text += f"; the {child_table} row is stored"
            problems.append(ImportProblem(p_source, int(p_row), patient_col, text))
    return problems


def sequence_problems(staged: dict[str, pd.DataFrame]) -> list[ImportProblem]:
    """Every violated :data:`ORDER_RULES` rule among the staged tables."""
    problems: list[ImportProblem] = []
    patients = staged.get(P)
    for rule in ORDER_RULES:
        if rule.earlier_table == rule.later_table:
            frame = staged.get(rule.later_table)
            if frame is not None:
                problems += _within(frame, rule)
            continue
        child_name = rule.later_table if rule.later_table != P else rule.earlier_table
        child = staged.get(child_name)
        if child is not None and patients is not None:
            problems += _across(child, patients, rule)
    return problems


def orphan_problems(staged: dict[str, pd.DataFrame]) -> list[ImportProblem]:
    """Imported rows of a patient's table (responses, adverse events, dose changes, DLT
    assessments, MRD results) whose patient is neither imported nor stored."""
    patients = staged.get(P)
    known = set() if patients is None else set(patients["patient_id"].dropna())
    problems = []
    for name in CHILD_TABLES:
        frame = staged.get(name)
        if frame is None:
            continue
        orphan = (
            frame[SOURCE].notna() & frame["patient_id"].notna() & ~frame["patient_id"].isin(known)
        )
        for src, row, pid in zip(
            frame.loc[orphan, SOURCE],
            frame.loc[orphan, ROW],
            frame.loc[orphan, "patient_id"],
            strict=True,
        ):
            message = f"patient '{pid}' is neither in this import's patients nor in the database"
            problems.append(ImportProblem(src, row, "patient_id", message))
    return problems


def _outside(
    frame: pd.DataFrame, column: str, allowed: tuple[str, ...], what: str
) -> list[ImportProblem]:
    """Imported rows whose ``column`` holds a value not in ``allowed`` (the protocol's list
    of ``what``: "a dose level", "an arm", ...)."""
    foreign = frame[SOURCE].notna() & frame[column].notna() & ~frame[column].isin(allowed)
    listed = ", ".join(allowed)
    return [
        ImportProblem(src, row, column, f"'{value}' is not {what} of this trial ({listed})")
        for src, row, value in zip(
            frame.loc[foreign, SOURCE],
            frame.loc[foreign, ROW],
            frame.loc[foreign, column],
            strict=True,
        )
    ]


def category_problems(
    staged: dict[str, pd.DataFrame], categories: tuple[str, ...]
) -> list[ImportProblem]:
    """Imported responses whose category the trial's protocol does not define: the data
    dictionary admits every category of every protocol, and a row outside the trial's own
    would silently count as neither response nor non-response."""
    frame = staged.get(R)
    if frame is None:
        return []
    return _outside(frame, "response", categories, "a response category")


def dose_level_problems(
    staged: dict[str, pd.DataFrame], levels: tuple[str, ...]
) -> list[ImportProblem]:
    """Imported dose levels (patients, dose changes, DLT assessments) the trial's protocol
    does not define (``dose_levels``): a row at an unknown level would be counted at no
    level by the dose-finding and de-escalation rules. A protocol without dose levels
    accepts any text."""
    if not levels:
        return []
    problems = []
    for name, column in DOSE_LEVEL_COLUMNS:
        frame = staged.get(name)
        if frame is None:
            continue
        problems += _outside(frame, column, levels, "a dose level")
    return problems


def randomization_problems(
    staged: dict[str, pd.DataFrame], arms: tuple[str, ...]
) -> list[ImportProblem]:
    """Randomization rows the trial cannot hold: an ``arm_received`` that is not an arm of
    the protocol (``arms``; a protocol without arms accepts any text), and a row for a
    patient whose ``patients.arm`` is empty (a randomized patient has an assigned arm). The
    second is reported on the imported randomization row or, when that row is stored, on
    the imported patient row that left the arm empty."""
    frame = staged.get(RAND)
    if frame is None:
        return []
    problems = []
    if arms:
        problems += _outside(frame, "arm_received", arms, "an arm")
    patients = staged.get(P)
    if patients is None:
        return problems
    side = patients[["patient_id", "arm", SOURCE, ROW]].rename(
        columns={SOURCE: "p_source", ROW: "p_row"}
    )
    joined = frame[["patient_id", SOURCE, ROW]].merge(side, on="patient_id")
    no_arm = joined[joined["arm"].isna().to_numpy()]
    for src, row, pid, p_src, p_row in zip(
        no_arm[SOURCE],
        no_arm[ROW],
        no_arm["patient_id"],
        no_arm["p_source"],
        no_arm["p_row"],
        strict=True,
    ):
        text = f"patient '{pid}' is randomized but has no arm (patients.arm is empty)"
        if isinstance(src, str):
            problems.append(ImportProblem(src, int(row), "patient_id", text))
        elif isinstance(p_src, str):
            text += "; the randomization row is stored"
            problems.append(ImportProblem(p_src, int(p_row), "arm", text))
    return problems


def baseline_problems(
    staged: dict[str, pd.DataFrame], characteristics: tuple[BaselineCharacteristic, ...]
) -> list[ImportProblem]:
    """Imported baseline rows the protocol's ``[[baseline]]`` does not allow: a
    characteristic it does not name, a number that does not parse, a category outside its
    list. A protocol without ``[[baseline]]`` accepts any characteristic and value."""
    frame = staged.get(BL)
    if frame is None or not characteristics:
        return []
    named = {c.id: c for c in characteristics}
    problems = []
    imported = frame[frame[SOURCE].notna()]
    for src, row, name, value in zip(
        imported[SOURCE],
        imported[ROW],
        imported["characteristic"],
        imported["value"],
        strict=True,
    ):
        spec = named.get(name)
        if spec is None:
            allowed = ", ".join(named)
            text = f"'{name}' is not a baseline characteristic of this trial ({allowed})"
            problems.append(ImportProblem(src, row, "characteristic", text))
        elif spec.kind == "number" and not _is_number(value):
            text = f"'{value}' is not a number ({spec.id} is numeric)"
            problems.append(ImportProblem(src, row, "value", text))
        elif spec.categories and value not in spec.categories:
            allowed = ", ".join(spec.categories)
            text = f"'{value}' is not a category of {spec.id} ({allowed})"
            problems.append(ImportProblem(src, row, "value", text))
    return problems


def _is_number(value: object) -> bool:
    try:
        float(str(value))
    except ValueError:
        return False
    return str(value).strip().lower() not in {"nan", "inf", "-inf", "infinity", "-infinity"}


def dlt_problems(staged: dict[str, pd.DataFrame]) -> list[ImportProblem]:
    """Imported DLT assessments with a DLT but marked not evaluable: a patient with a DLT is
    evaluable by definition (BOIN and 3+3 count every DLT)."""
    frame = staged.get(DLT)
    if frame is None:
        return []
    bad = frame[SOURCE].notna() & (frame["dlt"] == "Y") & (frame["evaluable"] == "N")
    return [
        ImportProblem(src, row, "evaluable", "a patient with a DLT is evaluable for DLT")
        for src, row in zip(frame.loc[bad, SOURCE], frame.loc[bad, ROW], strict=True)
    ]


def _history(staged: dict[str, pd.DataFrame]) -> dict[str, set[str]]:
    """Each patient's dose levels: the level at the first dose (``patients.dose_level``)
    and every level of a dose-level change."""
    levels: dict[str, set[str]] = {}
    for name in (P, DC):
        frame = staged.get(name)
        if frame is None:
            continue
        known = frame[frame["patient_id"].notna() & frame["dose_level"].notna()]
        for pid, level in zip(known["patient_id"], known["dose_level"], strict=True):
            levels.setdefault(str(pid), set()).add(str(level))
    return levels


def _first_imported(frame: pd.DataFrame | None, pid: str) -> tuple[str, int] | None:
    """The file and row of the first imported row of patient ``pid`` in ``frame``."""
    if frame is None:
        return None
    mine = frame[(frame["patient_id"] == pid) & frame[SOURCE].notna()]
    if mine.empty:
        return None
    return str(mine[SOURCE].iloc[0]), int(mine[ROW].iloc[0])


def dose_history_problems(staged: dict[str, pd.DataFrame]) -> list[ImportProblem]:
    """DLT assessments at a dose level the patient was never treated at (neither the level
    at the first dose nor a dose-level change): the rules would count the DLT at that level
    and could move a cohort's current level on it. Reported on the imported DLT row, or,
    when that row is stored, on the imported patient or dose-change row that left its level
    out of the history. A patient with no recorded level at all is not checked."""
    frame = staged.get(DLT)
    if frame is None or frame.empty:
        return []
    history = _history(staged)
    problems = []
    for src, row, pid, level in zip(
        frame[SOURCE], frame[ROW], frame["patient_id"], frame["dose_level"], strict=True
    ):
        if pd.isna(pid) or pd.isna(level):
            continue
        treated = history.get(str(pid))
        if not treated or str(level) in treated:
            continue
        listed = ", ".join(sorted(treated, key=_level_key))
        text = (
            f"DLT assessed at dose level {level}, but patient '{pid}' was treated only at "
            f"dose level{'s' if len(treated) > 1 else ''} {listed} (patients.dose_level and "
            "dose_changes)"
        )
        if isinstance(src, str):
            problems.append(ImportProblem(src, int(row), "dose_level", text))
            continue
        where = _first_imported(staged.get(P), str(pid)) or _first_imported(
            staged.get(DC), str(pid)
        )
        if where is not None:
            text += "; the dlt_assessments row is stored"
            problems.append(ImportProblem(where[0], where[1], "dose_level", text))
    return problems


def _level_key(level: str) -> tuple[int, float | str]:
    """Numeric levels by value, then any other text."""
    try:
        return (0, float(level))
    except ValueError:
        return (1, level)
