"""Randomization, baseline, exposure, disposition events and laboratory results (revision
0006): imported, checked, stored and cut like every other table.

The patients are those of tests/db_support.py: P01 enrolled 2025-01-06, first dose
2025-01-08; P02 enrolled 2025-01-10, first dose 2025-01-13, died 2025-04-01; P03 enrolled
2025-02-01, never treated. Every problem names the file, the spreadsheet row (header = 1)
and the column.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from monitoring.data_dictionary import TABLES
from monitoring.db.importer import import_files
from monitoring.db.reading import load_trial_data
from monitoring.db.repository import add_trial
from monitoring.derive.cutoff import apply_cutoff
from tests.conftest import PROTOCOL_DIR, REGISTERED_AT
from tests.db_support import T1, copy_base, write_csv, write_extract

DEFAULT = PROTOCOL_DIR / "ino-lowdose-ph2.toml"

Rows = list[dict[str, str]]
RANDOMIZATION: Rows = [
    {"patient_id": "P01", "randomization_date": "2025-01-07", "arm_received": "A"},
    {"patient_id": "P02", "randomization_date": "2025-01-11", "arm_received": "B"},
]
BASELINE: Rows = [
    {"patient_id": "P01", "characteristic": "marrow_blasts", "value": "62.5", "unit": "%"},
    {"patient_id": "P01", "characteristic": "ph_status", "value": "negative"},
    {"patient_id": "P03", "characteristic": "marrow_blasts", "value": "31", "unit": "%"},
]
EXPOSURE: Rows = [
    {
        "patient_id": "P01",
        "cycle": "1",
        "agent": "inotuzumab ozogamicin",
        "start_date": "2025-01-08",
        "planned_dose": "1.8",
        "given_dose": "1.8",
        "unit": "mg/m2",
        "delay_days": "0",
        "reduced": "N",
    },
    {
        "patient_id": "P01",
        "cycle": "2",
        "agent": "inotuzumab ozogamicin",
        "start_date": "2025-02-12",
        "planned_dose": "1.5",
        "given_dose": "1.2",
        "unit": "mg/m2",
        "delay_days": "7",
        "reduced": "Y",
        "reason": "hepatotoxicity",
    },
]
DISPOSITION: Rows = [
    {
        "patient_id": "P02",
        "event": "discontinued_treatment",
        "event_date": "2025-03-01",
        "reason": "adverse event",
    },
]
LABS: Rows = [
    {
        "patient_id": "P01",
        "test": "BILI",
        "sample_date": "2025-01-03",
        "value": "0.8",
        "unit": "mg/dL",
        "uln": "1.2",
    },
    {
        "patient_id": "P01",
        "test": "BILI",
        "sample_date": "2025-02-20",
        "value": "2.6",
        "unit": "mg/dL",
        "uln": "1.2",
    },
]


def _trial(engine: sa.Engine) -> str:
    text = DEFAULT.read_text(encoding="utf-8")
    return add_trial(engine, text, source="test", now=REGISTERED_AT, user="registrar").id


def _extract() -> dict[str, Rows]:
    tables = copy_base()
    for row, arm in zip(tables["patients"], ("A", "B"), strict=False):
        row["arm"] = arm  # a randomized patient has an assigned arm (P01 A, P02 B)
    tables["randomization"] = [dict(r) for r in RANDOMIZATION]
    tables["baseline"] = [dict(r) for r in BASELINE]
    tables["exposure"] = [dict(r) for r in EXPOSURE]
    tables["disposition_events"] = [dict(r) for r in DISPOSITION]
    tables["lab_results"] = [dict(r) for r in LABS]
    return tables


def test_the_five_tables_are_imported_and_read_back(engine: sa.Engine, tmp_path: Path) -> None:
    trial = _trial(engine)
    result = import_files(engine, trial, write_extract(tmp_path, _extract()), now=T1, user="u")
    assert result.accepted, result.problems
    data = load_trial_data(engine, trial)
    assert data.randomization["arm_received"].tolist() == ["A", "B"]
    assert sorted(data.baseline["characteristic"]) == [
        "marrow_blasts",
        "marrow_blasts",
        "ph_status",
    ]
    assert data.exposure["given_dose"].tolist() == [1.8, 1.2]
    assert data.exposure["delay_days"].tolist() == [0, 7]
    assert data.disposition_events["event"].tolist() == ["discontinued_treatment"]
    assert data.lab_results["value"].tolist() == [0.8, 2.6]
    assert data.lab_results["uln"].tolist() == [1.2, 1.2]


def test_problems_name_file_row_and_column(engine: sa.Engine, tmp_path: Path) -> None:
    trial = _trial(engine)
    tables = _extract()
    tables["disposition_events"][0]["event"] = "moved_away"  # not a disposition event
    tables["exposure"][1]["reduced"] = "maybe"  # Y or N
    result = import_files(engine, trial, write_extract(tmp_path, tables), now=T1, user="u")
    assert not result.accepted
    found = {(p.file, p.row, p.column) for p in result.problems}
    assert found == {("disposition_events.csv", 2, "event"), ("exposure.csv", 3, "reduced")}
    # Cross-table problems once the files parse.
    tables["disposition_events"][0]["event"] = "discontinued_treatment"
    tables["exposure"][1]["reduced"] = "Y"
    tables["randomization"][0]["randomization_date"] = "2025-01-09"  # after P01's first dose
    tables["exposure"][0]["start_date"] = "2025-01-07"  # before P01's first dose
    tables["lab_results"].append(
        {"patient_id": "P02", "test": "ALT", "sample_date": "2025-04-05", "value": "40"}
    )  # after P02's death on 2025-04-01
    tables["baseline"].append({"patient_id": "P99", "characteristic": "ecog", "value": "1"})
    result = import_files(engine, trial, write_extract(tmp_path, tables), now=T1, user="u")
    found = {(p.file, p.row, p.column) for p in result.problems}
    assert found == {
        ("randomization.csv", 2, "randomization_date"),
        ("exposure.csv", 2, "start_date"),
        ("lab_results.csv", 4, "sample_date"),
        ("baseline.csv", 5, "patient_id"),
    }, result.problems
    assert load_trial_data(engine, trial).patients.empty  # all or nothing


def test_missing_required_column_is_a_file_problem(engine: sa.Engine, tmp_path: Path) -> None:
    trial = _trial(engine)
    paths = write_extract(tmp_path, copy_base())
    columns = [c for c in TABLES["lab_results"].names if c != "value"]
    paths.append(write_csv(tmp_path, "lab_results", LABS, columns))
    result = import_files(engine, trial, paths, now=T1, user="u")
    assert [(p.file, p.row, p.column, p.message) for p in result.problems] == [
        ("lab_results.csv", 1, "value", "required column is missing")
    ]


def test_cutoff_drops_later_rows_and_keeps_baseline(engine: sa.Engine, tmp_path: Path) -> None:
    trial = _trial(engine)
    assert import_files(
        engine, trial, write_extract(tmp_path, _extract()), now=T1, user="u"
    ).accepted
    cut = apply_cutoff(load_trial_data(engine, trial), date(2025, 1, 20))
    assert cut.randomization["patient_id"].tolist() == ["P01", "P02"]
    assert cut.exposure["cycle"].tolist() == [1]
    assert cut.disposition_events.empty
    assert cut.lab_results["sample_date"].dt.date.tolist() == [date(2025, 1, 3)]
    # P03 (enrolled 2025-02-01) is not enrolled yet: its baseline row goes with it.
    assert sorted(cut.baseline["patient_id"]) == ["P01", "P01"]


def test_baseline_rows_follow_the_protocols_declarations(engine: sa.Engine, tmp_path: Path) -> None:
    """The default protocol names ecog (categories 0-3), marrow_blasts (a number, %),
    cd22, ph_status and prior_hsct (monitoring/protocols/ino-lowdose-ph2.toml)."""
    trial = _trial(engine)
    tables = copy_base()
    tables["baseline"] = [
        {"patient_id": "P01", "characteristic": "ecog", "value": "1"},
        {"patient_id": "P01", "characteristic": "marrow_blasts", "value": "63.5", "unit": "%"},
        {"patient_id": "P02", "characteristic": "ecog", "value": "4"},  # not 0-3
        {"patient_id": "P02", "characteristic": "marrow_blasts", "value": "many"},
        {"patient_id": "P03", "characteristic": "wbc", "value": "3.1"},  # not declared
    ]
    result = import_files(engine, trial, write_extract(tmp_path, tables), now=T1, user="u")
    assert {(p.file, p.row, p.column) for p in result.problems} == {
        ("baseline.csv", 4, "value"),
        ("baseline.csv", 5, "value"),
        ("baseline.csv", 6, "characteristic"),
    }, result.problems
    tables["baseline"] = tables["baseline"][:2]
    result = import_files(engine, trial, write_extract(tmp_path, tables), now=T1, user="u")
    assert result.accepted, result.problems


def test_a_negative_value_of_a_test_that_cannot_be_negative_is_refused(
    engine: sa.Engine, tmp_path: Path
) -> None:
    """ALT -5 U/L (and a negative ULN) cannot be: refused, naming file, row and column; a
    test the grading table does not know (a base excess may be negative) is left alone."""
    trial = _trial(engine)
    tables = _extract()
    tables["lab_results"] += [
        {"patient_id": "P01", "test": "ALT", "sample_date": "2025-02-20", "value": "-5"},
        {"patient_id": "P01", "test": "AST", "sample_date": "2025-02-20", "value": "30",
         "uln": "-40"},
        {"patient_id": "P01", "test": "BE", "sample_date": "2025-02-20", "value": "-2.5"},
    ]  # fmt: skip
    result = import_files(engine, trial, write_extract(tmp_path, tables), now=T1, user="u")
    assert not result.accepted
    assert [(p.file, p.row, p.column, p.message) for p in result.problems] == [
        ("lab_results.csv", 4, "value", "-5 is below 0: ALT cannot be negative"),
        ("lab_results.csv", 5, "uln", "-40 is below 0: AST cannot be negative"),
    ]
    tables["lab_results"] = tables["lab_results"][:2] + tables["lab_results"][-1:]
    result = import_files(engine, trial, write_extract(tmp_path, tables), now=T1, user="u")
    assert result.accepted, result.problems  # the negative base excess is kept
