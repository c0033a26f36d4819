"""Import into the database: orphan and date-sequence rules, all or nothing, updates by key.

Expected problems come from the hand-made base extract in tests/db_support.py: each case
moves one date so that exactly the named rule is broken (e.g. P01 is enrolled 2025-01-06,
so a first dose on 2025-01-05 precedes enrolment).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from monitoring.db.errors import DataInputError
from monitoring.db.importer import import_files
from monitoring.db.reading import load_trial_data
from monitoring.db.repository import TableCounts, list_audit, list_batches
from monitoring.db.versions import ChangeSource
from tests.db_support import T1, T2, T3, copy_base, database_fingerprint, write_csv, write_extract

SEQUENCE_CASES = [
    # table, index, column, value -> the problem's column is the edited one, message fragment
    ("patients", 0, "first_dose_date", "2025-01-05", "first dose before enrolment"),
    ("patients", 1, "death_date", "2025-01-09", "death before enrolment"),
    ("patients", 1, "death_date", "2025-01-12", "death before first dose"),
    ("patients", 0, "progression_date", "2025-01-07", "progression before first dose"),
    ("patients", 0, "last_contact_date", "2025-01-05", "last contact before enrolment"),
    ("patients", 0, "hsct_date", "2025-01-01", "transplant before enrolment"),
    ("patients", 0, "second_malignancy_date", "2025-01-01", "second malignancy before enrolment"),
    ("patients", 2, "off_treatment_date", "2025-01-31", "off treatment before enrolment"),
    ("patients", 1, "last_contact_date", "2025-04-02", "last contact after death"),
    ("patients", 1, "progression_date", "2025-04-05", "progression after death"),
    ("patients", 1, "hsct_date", "2025-04-05", "transplant after death"),
    ("patients", 1, "second_malignancy_date", "2025-04-05", "second malignancy after death"),
    ("patients", 1, "off_treatment_date", "2025-04-05", "off treatment after death"),
    ("responses", 0, "assessment_date", "2025-01-07", "response assessment before first dose"),
    ("responses", 2, "assessment_date", "2025-04-02", "response assessment after death"),
    ("adverse_events", 1, "onset_date", "2025-04-02", "adverse event onset after death"),
    ("adverse_events", 0, "resolution_date", "2025-01-19", "adverse event resolved before onset"),
    ("responses", 2, "patient_id", "P99", "patient 'P99' is neither in this import"),
    ("adverse_events", 1, "patient_id", "P99", "patient 'P99' is neither in this import"),
]


@pytest.mark.parametrize(("table", "index", "column", "value", "fragment"), SEQUENCE_CASES)
def test_each_cross_row_rule_rejects_and_changes_nothing(
    engine: sa.Engine,
    trial: str,
    tmp_path: Path,
    table: str,
    index: int,
    column: str,
    value: str,
    fragment: str,
) -> None:
    assert import_files(
        engine, trial, write_extract(tmp_path / "a", copy_base()), now=T1, user="u"
    ).accepted
    before = database_fingerprint(engine)
    tables = copy_base()
    tables[table][index][column] = value
    result = import_files(engine, trial, write_extract(tmp_path / "b", tables), now=T2, user="u")
    assert not result.accepted
    assert result.batch_id is None
    assert result.counts == ()
    hits = [p for p in result.problems if fragment in p.message]
    assert [(p.file, p.row, p.column) for p in hits] == [(f"{table}.csv", index + 2, column)]
    assert database_fingerprint(engine) == before


def test_rules_hold_against_stored_rows(engine: sa.Engine, trial: str, tmp_path: Path) -> None:
    """A new death date is checked against the stored responses; the patient row is named."""
    assert import_files(
        engine, trial, write_extract(tmp_path / "a", copy_base()), now=T1, user="u"
    ).accepted
    before = database_fingerprint(engine)
    patients = copy_base()["patients"]
    patients[1]["death_date"] = patients[1]["last_contact_date"] = "2025-02-05"
    result = import_files(
        engine, trial, [write_csv(tmp_path, "patients", patients)], now=T2, user="u"
    )
    assert not result.accepted
    assert len(result.problems) == 1
    p = result.problems[0]
    assert (p.file, p.row, p.column) == ("patients.csv", 3, "death_date")
    assert "response assessment after death" in p.message
    assert "responses row is stored" in p.message
    assert database_fingerprint(engine) == before


def test_children_may_refer_to_stored_patients(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    base = copy_base()
    assert import_files(
        engine, trial, [write_csv(tmp_path, "patients", base["patients"])], now=T1, user="u"
    ).accepted
    result = import_files(
        engine, trial, [write_csv(tmp_path, "responses", base["responses"])], now=T2, user="u"
    )
    assert result.accepted
    assert result.counts == (TableCounts("responses", 3, 0, 0),)


def test_rejection_reports_every_problem_and_writes_nothing(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    """Column, duplicate, orphan and sequence problems of three files, all in one answer."""
    before = database_fingerprint(engine)
    tables = copy_base()
    tables["patients"][0]["sex"] = "W"
    tables["patients"].append(dict(tables["patients"][2]))
    tables["responses"][2]["patient_id"] = "P77"
    tables["adverse_events"][0]["resolution_date"] = "2025-01-01"
    result = import_files(engine, trial, write_extract(tmp_path, tables), now=T1, user="u")
    assert not result.accepted
    assert [(p.file, p.row, p.column) for p in result.problems] == [
        ("adverse_events.csv", 2, "resolution_date"),
        ("patients.csv", 2, "sex"),
        ("patients.csv", 5, "patient_id"),
        ("responses.csv", 4, "patient_id"),
    ]
    assert database_fingerprint(engine) == before


def test_accepted_import_counts_and_loads(engine: sa.Engine, trial: str, tmp_path: Path) -> None:
    result = import_files(engine, trial, write_extract(tmp_path, copy_base()), now=T1, user="dm")
    assert result.accepted
    assert result.problems == ()
    assert result.counts == (
        TableCounts("patients", 3, 0, 0),
        TableCounts("responses", 3, 0, 0),
        TableCounts("adverse_events", 2, 0, 0),
    )
    data = load_trial_data(engine, trial)
    assert data.patients["patient_id"].tolist() == ["P01", "P02", "P03"]
    assert data.responses["response"].tolist() == ["CRi", "CR", "NR"]
    assert data.adverse_events["grade"].tolist() == [2, 3]
    (batch,) = list_batches(engine, trial)
    assert (batch.id, batch.imported_by, batch.files) == (result.batch_id, "dm", result.files)
    assert batch.imported_at == T1


def test_reimport_updates_by_key_and_audits_each_value(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    first = import_files(
        engine, trial, write_extract(tmp_path / "a", copy_base()), now=T1, user="dm"
    )
    tables = copy_base()
    tables["patients"][2]["first_dose_date"] = "2025-02-03"
    tables["patients"][2]["age"] = "42"
    tables["responses"][2]["marrow_blasts_pct"] = "38.5"
    second = import_files(engine, trial, write_extract(tmp_path / "b", tables), now=T2, user="dm2")
    assert second.accepted
    assert second.counts == (
        TableCounts("patients", 0, 1, 2),
        TableCounts("responses", 0, 1, 2),
        TableCounts("adverse_events", 0, 0, 2),
    )
    data = load_trial_data(engine, trial)
    assert len(data.patients) == 3
    assert len(data.responses) == 3
    assert data.patients.loc[2, "age"] == 42
    audit = list_audit(engine, trial)
    assert [(a.table, a.row_key, a.column, a.old_value, a.new_value) for a in audit] == [
        ("patients", "patient_id=P03", "first_dose_date", None, "2025-02-03"),
        ("patients", "patient_id=P03", "age", "41", "42"),
        (
            "responses",
            "patient_id=P02,assessment_date=2025-02-10",
            "marrow_blasts_pct",
            "40.0",
            "38.5",
        ),
    ]
    assert {(a.source, a.batch_id, a.changed_at, a.changed_by) for a in audit} == {
        (ChangeSource.IMPORT, second.batch_id, T2, "dm2")
    }
    assert first.batch_id != second.batch_id
    with engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT COUNT(*) FROM patients")).scalar_one()
    assert versions == 4  # three rows, one with an earlier version kept


def test_identical_reimport_changes_nothing_but_the_batch_log(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    files = write_extract(tmp_path, copy_base())
    import_files(engine, trial, files, now=T1, user="u")
    before = database_fingerprint(engine)
    result = import_files(engine, trial, files, now=T2, user="u")
    assert [c.unchanged for c in result.counts] == [3, 3, 2]
    after = database_fingerprint(engine)
    changed = {name for name in before if before[name] != after[name]}
    # The batch is linked into the history chain (one link, the batch's).
    assert changed == {"import_batches", "import_counts", "history_chain"}


def test_rows_absent_from_a_new_extract_are_kept(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    import_files(engine, trial, write_extract(tmp_path / "a", copy_base()), now=T1, user="u")
    partial = copy_base()["patients"][:1]
    result = import_files(
        engine, trial, [write_csv(tmp_path, "patients", partial)], now=T2, user="u"
    )
    assert result.counts == (TableCounts("patients", 0, 0, 1),)
    assert load_trial_data(engine, trial).patients["patient_id"].tolist() == ["P01", "P02", "P03"]


def test_columns_absent_from_a_new_extract_keep_their_values(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    """A file without 'age' updates other columns and leaves stored ages as they are."""
    import_files(engine, trial, write_extract(tmp_path / "a", copy_base()), now=T1, user="u")
    rows = copy_base()["patients"]
    rows[0]["site"] = "UCH"
    columns = ["patient_id", "site", "enrollment_date", "first_dose_date"]
    result = import_files(
        engine, trial, [write_csv(tmp_path, "patients", rows, columns)], now=T2, user="u"
    )
    assert result.counts == (TableCounts("patients", 0, 1, 2),)
    patients = load_trial_data(engine, trial).patients
    assert patients["age"].tolist() == [54, 67, 41]
    assert patients["site"].tolist() == ["UCH", "MDA", "UCH"]
    assert [(a.column, a.old_value, a.new_value) for a in list_audit(engine, trial)] == [
        ("site", "MDA", "UCH")
    ]


def test_xlsx_workbook_imports_like_csv_files(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    import openpyxl

    from monitoring.data_dictionary import TABLES

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in copy_base().items():
        sheet = book.create_sheet(name)
        sheet.append(list(TABLES[name].names))
        for row in rows:
            sheet.append([row.get(c) or None for c in TABLES[name].names])
    book.save(tmp_path / "extract.xlsx")
    result = import_files(engine, trial, [tmp_path / "extract.xlsx"], now=T1, user="u")
    assert result.accepted, result.problems
    from_xlsx = load_trial_data(engine, trial)
    again = import_files(
        engine, trial, write_extract(tmp_path / "csv", copy_base()), now=T2, user="u"
    )
    assert [c.unchanged for c in again.counts] == [3, 3, 2]  # CSV holds exactly the same data
    assert from_xlsx.responses["marrow_blasts_pct"].tolist() == [3.5, 1.0, 40.0]


def test_time_may_not_run_backwards(engine: sa.Engine, trial: str, tmp_path: Path) -> None:
    files = write_extract(tmp_path, copy_base())
    import_files(engine, trial, files, now=T3, user="u")
    with pytest.raises(DataInputError, match="precedes the trial's latest change"):
        import_files(engine, trial, files, now=T2, user="u")
