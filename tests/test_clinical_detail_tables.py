"""Dose-level changes, DLT assessments and MRD results: imported, checked, stored, cut.

Every problem names the file, the row a spreadsheet shows (header = row 1) and the column.
The peds protocol (data/protocols/examples/peds-ino-two-cohorts.toml) defines dose levels
1, -1 and -2, which is what the dose-level check compares against.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from monitoring.data_dictionary import TABLES, TrialData, empty_frame
from monitoring.db.corrections import correct_value
from monitoring.db.importer import import_files
from monitoring.db.planning import stored_problems
from monitoring.db.reading import load_trial_data
from monitoring.db.repository import add_trial
from monitoring.derive.cutoff import apply_cutoff
from monitoring.errors import DataInputError
from monitoring.provenance import data_digest
from tests.conftest import PROTOCOL_DIR, REGISTERED_AT
from tests.db_support import T1, T2, copy_base, write_csv, write_extract

PEDS = PROTOCOL_DIR / "examples" / "peds-ino-two-cohorts.toml"

DOSE_CHANGES = [
    {"patient_id": "P01", "change_date": "2025-01-08", "dose_level": "1"},
    {"patient_id": "P01", "change_date": "2025-02-10", "dose_level": "-1", "reason": "DLT"},
]
DLT = [
    {
        "patient_id": "P01",
        "dose_level": "1",
        "assessment_date": "2025-02-05",
        "dlt": "Y",
        "evaluable": "Y",
        "dlt_term": "Veno-occlusive disease",
    },
    {
        "patient_id": "P02",
        "dose_level": "1",
        "assessment_date": "2025-02-10",
        "dlt": "N",
        "evaluable": "Y",
    },
]
MRD = [
    {
        "patient_id": "P01",
        "sample_date": "2025-02-05",
        "method": "flow",
        "value_pct": "0.004",
        "threshold_pct": "0.01",
        "timepoint": "end of cycle 1",
    },
]


def _peds(engine: sa.Engine) -> str:
    text = PEDS.read_text(encoding="utf-8")
    return add_trial(engine, text, source="test", now=REGISTERED_AT, user="registrar").id


def _extract() -> dict[str, list[dict[str, str]]]:
    tables = copy_base()
    tables["dose_changes"] = [dict(r) for r in DOSE_CHANGES]
    tables["dlt_assessments"] = [dict(r) for r in DLT]
    tables["mrd_results"] = [dict(r) for r in MRD]
    return tables


def test_the_three_tables_are_imported_and_read_back(engine: sa.Engine, tmp_path: Path) -> None:
    trial = _peds(engine)
    result = import_files(engine, trial, write_extract(tmp_path, _extract()), now=T1, user="u")
    assert result.accepted, result.problems
    data = load_trial_data(engine, trial)
    assert list(data.dose_changes["dose_level"]) == ["1", "-1"]
    assert list(data.dlt_assessments["dlt"]) == ["Y", "N"]
    assert data.mrd_results["value_pct"].tolist() == [0.004]
    assert data.mrd_results["threshold_pct"].tolist() == [0.01]
    assert data.mrd_results["method"].tolist() == ["flow"]


def test_problems_name_file_row_and_column(engine: sa.Engine, tmp_path: Path) -> None:
    trial = _peds(engine)
    tables = _extract()
    tables["dose_changes"][1]["dose_level"] = "2"  # not a level of the protocol
    tables["dlt_assessments"][0]["evaluable"] = "N"  # a DLT is evaluable by definition
    tables["dlt_assessments"][1]["patient_id"] = "P99"  # no such patient
    tables["mrd_results"][0]["method"] = "FISH"  # not an MRD method
    tables["mrd_results"].append(
        {"patient_id": "P02", "sample_date": "2025-04-02", "method": "flow", "value_pct": "0.2"}
    )  # after P02's death on 2025-04-01
    result = import_files(engine, trial, write_extract(tmp_path, tables), now=T1, user="u")
    assert not result.accepted
    found = {(p.file, p.row, p.column) for p in result.problems}
    assert ("mrd_results.csv", 2, "method") in found
    # Cross-table problems are checked once the files parse: fix the method, import again.
    tables["mrd_results"][0]["method"] = "flow"
    result = import_files(engine, trial, write_extract(tmp_path, tables), now=T1, user="u")
    found = {(p.file, p.row, p.column) for p in result.problems}
    assert found == {
        ("dose_changes.csv", 3, "dose_level"),
        ("dlt_assessments.csv", 2, "evaluable"),
        ("dlt_assessments.csv", 3, "patient_id"),
        ("mrd_results.csv", 3, "sample_date"),
    }, result.problems


def _with_levels() -> dict[str, list[dict[str, str]]]:
    """The extract with a dose history: P01 starts at level 1 and moves to -1 on
    2025-02-10 (dose changes), P02 is treated at level 1 only (patients.dose_level)."""
    tables = _extract()
    for row in tables["patients"]:
        row["dose_level"] = {"P01": "1", "P02": "1"}.get(row["patient_id"], "")
    return tables


def test_a_dlt_at_a_level_the_patient_never_had_is_refused(
    engine: sa.Engine, tmp_path: Path
) -> None:
    """P02 was treated at level 1 only: a DLT assessment of P02 at level -2 would count a
    DLT at -2 and could move cohort 2's current level. P01's assessment at -1 is in its
    history (the dose change of 2025-02-10) and is accepted."""
    trial = _peds(engine)
    tables = _with_levels()
    tables["dlt_assessments"].append(dict(DLT[0], dose_level="-1", assessment_date="2025-03-15"))
    tables["dlt_assessments"].append(dict(DLT[1], dose_level="-2", assessment_date="2025-03-01"))
    result = import_files(engine, trial, write_extract(tmp_path, tables), now=T1, user="u")
    assert not result.accepted
    assert [(p.file, p.row, p.column, p.message) for p in result.problems] == [
        (
            "dlt_assessments.csv",
            5,
            "dose_level",
            "DLT assessed at dose level -2, but patient 'P02' was treated only at dose level 1 "
            "(patients.dose_level and dose_changes)",
        )
    ]
    tables["dlt_assessments"].pop()
    result = import_files(engine, trial, write_extract(tmp_path, tables), now=T1, user="u")
    assert result.accepted, result.problems


def test_a_correction_that_leaves_a_stored_dlt_outside_the_history_is_refused(
    engine: sa.Engine, tmp_path: Path
) -> None:
    """The same check on a correction: P01's stored DLT at -1 rests on the change to -1;
    correcting that change to -2, or P02's level at the first dose from 1 to -1 (its
    stored DLT is at 1), is refused, naming the column corrected."""
    trial = _peds(engine)
    tables = _with_levels()
    tables["dlt_assessments"].append(dict(DLT[0], dose_level="-1", assessment_date="2025-03-15"))
    assert import_files(engine, trial, write_extract(tmp_path, tables), now=T1, user="u").accepted
    change = {"patient_id": "P01", "change_date": "2025-02-10"}
    with pytest.raises(DataInputError, match="dose_level: DLT assessed at dose level -1, but "
                       "patient 'P01' was treated only at dose levels -2, 1"):  # fmt: skip
        correct_value(
            engine, trial, "dose_changes", change, "dose_level", "-2",
            reason="typo", now=T2, user="u",
        )  # fmt: skip
    with pytest.raises(DataInputError, match="patient 'P02' was treated only at dose level -1"):
        correct_value(
            engine, trial, "patients", {"patient_id": "P02"}, "dose_level", "-1",
            reason="typo", now=T2, user="u",
        )  # fmt: skip
    assert stored_problems(engine, trial) == ()


def test_missing_required_column_is_a_file_problem(engine: sa.Engine, tmp_path: Path) -> None:
    trial = _peds(engine)
    paths = write_extract(tmp_path, copy_base())
    columns = [c for c in TABLES["mrd_results"].names if c != "value_pct"]
    paths.append(write_csv(tmp_path, "mrd_results", MRD, columns))
    result = import_files(engine, trial, paths, now=T1, user="u")
    assert not result.accepted
    assert [(p.file, p.row, p.column, p.message) for p in result.problems] == [
        ("mrd_results.csv", 1, "value_pct", "required column is missing")
    ]


def test_a_changed_row_makes_a_new_version(engine: sa.Engine, tmp_path: Path) -> None:
    trial = _peds(engine)
    first = write_extract(tmp_path / "first", _extract())
    assert import_files(engine, trial, first, now=T1, user="u").accepted
    (tmp_path / "second").mkdir()
    path = write_csv(tmp_path / "second", "dlt_assessments", [dict(DLT[1], dlt="Y")])
    assert import_files(engine, trial, [path], now=T2, user="u").accepted
    before = load_trial_data(engine, trial, as_known_on=T1)
    after = load_trial_data(engine, trial)
    assert before.dlt_assessments["dlt"].tolist() == ["Y", "N"]
    assert after.dlt_assessments["dlt"].tolist() == ["Y", "Y"]


def test_cutoff_drops_later_rows_of_the_detail_tables(engine: sa.Engine, tmp_path: Path) -> None:
    trial = _peds(engine)
    assert import_files(
        engine, trial, write_extract(tmp_path, _extract()), now=T1, user="u"
    ).accepted
    cut = apply_cutoff(load_trial_data(engine, trial), date(2025, 2, 6))
    assert cut.dose_changes["change_date"].dt.date.tolist() == [date(2025, 1, 8)]
    assert cut.dlt_assessments["patient_id"].tolist() == ["P01"]
    assert cut.mrd_results["patient_id"].tolist() == ["P01"]


def test_empty_detail_tables_leave_the_data_digest_unchanged() -> None:
    """A trial that never imported a detail table keeps the digest the three core tables
    gave before the detail tables existed (one line per core table, as
    monitoring/provenance.py wrote it then), so reports made then still verify."""
    empty = hashlib.sha256(b"").hexdigest()
    core = ("patients", "responses", "adverse_events")
    text = "".join(f"{n}:{','.join(TABLES[n].names)}:{empty}\n" for n in core)
    data = TrialData(*(empty_frame(TABLES[n]) for n in core))
    assert data_digest(data) == hashlib.sha256(text.encode()).hexdigest()


def test_a_detail_row_changes_the_data_digest() -> None:
    core = [empty_frame(TABLES[n]) for n in ("patients", "responses", "adverse_events")]
    mrd = pd.DataFrame(
        {
            "patient_id": ["P01"],
            "sample_date": pd.to_datetime(["2025-02-05"]),
            "method": ["flow"],
            "value_pct": [0.004],
            "threshold_pct": [0.01],
            "timepoint": [None],
        }
    )
    assert data_digest(TrialData(*core, mrd_results=mrd)) != data_digest(TrialData(*core))
