"""As-known-on reproducibility, corrections and trial scoping."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from monitoring.data_dictionary import TABLES, empty_frame
from monitoring.db.corrections import correct_value, parse_key
from monitoring.db.errors import DataInputError
from monitoring.db.importer import import_files
from monitoring.db.reading import load_trial_data
from monitoring.db.repository import add_trial, list_audit
from monitoring.db.versions import ChangeSource
from tests.conftest import DEFAULT_PROTOCOL, REGISTERED_AT
from tests.db_support import T1, T2, T3, copy_base, database_fingerprint, write_extract

P02_RESPONSE = {"patient_id": "P02", "assessment_date": "2025-02-10"}


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_as_known_on_is_unchanged_by_later_corrections(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    """Import at T1, read as known at T1, correct at T2: T1 view unchanged, current differs."""
    import_files(engine, trial, write_extract(tmp_path, copy_base()), now=T1, user="dm")
    at_t1 = load_trial_data(engine, trial, as_known_on=T1)
    result = correct_value(
        engine,
        trial,
        "responses",
        P02_RESPONSE,
        "response",
        "PR",
        reason="source document says PR",
        now=T2,
        user="stat",
    )
    assert (result.old_value, result.new_value, result.changed) == ("NR", "PR", True)
    for name in TABLES:
        _frames_equal(
            getattr(load_trial_data(engine, trial, as_known_on=T1), name), getattr(at_t1, name)
        )
        just_before = load_trial_data(engine, trial, as_known_on=T2 - timedelta(microseconds=1))
        _frames_equal(getattr(just_before, name), getattr(at_t1, name))
    current = load_trial_data(engine, trial)
    assert current.responses["response"].tolist() == ["CRi", "CR", "PR"]
    assert at_t1.responses["response"].tolist() == ["CRi", "CR", "NR"]
    _frames_equal(load_trial_data(engine, trial, as_known_on=T2).responses, current.responses)
    before_any = load_trial_data(engine, trial, as_known_on=T1 - timedelta(days=1))
    assert before_any.patients.empty


def test_loaded_frames_have_the_documented_dtypes(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    """Dtypes as monitoring/data_dictionary.py documents them, with and without rows."""
    empty = load_trial_data(engine, trial)
    import_files(engine, trial, write_extract(tmp_path, copy_base()), now=T1, user="dm")
    full = load_trial_data(engine, trial)
    for name, spec in TABLES.items():
        expected = empty_frame(spec).dtypes
        pd.testing.assert_series_equal(getattr(empty, name).dtypes, expected)
        pd.testing.assert_series_equal(getattr(full, name).dtypes, expected)
    assert full.patients.loc[2, "first_dose_date"] is pd.NaT
    assert full.patients.loc[2, "death_cause"] is None
    assert full.patients.loc[0, "enrollment_date"] == pd.Timestamp("2025-01-06")
    assert full.responses.loc[0, "mrd_level"] == 0.012


def test_correction_is_audited_with_reason(engine: sa.Engine, trial: str, tmp_path: Path) -> None:
    import_files(engine, trial, write_extract(tmp_path, copy_base()), now=T1, user="dm")
    correct_value(
        engine,
        None,
        "patients",
        {"patient_id": "P03"},
        "age",
        "40",
        reason="ID card",
        now=T2,
        user="stat",
    )
    (entry,) = list_audit(engine, trial)
    assert (entry.table, entry.row_key, entry.column) == ("patients", "patient_id=P03", "age")
    assert (entry.old_value, entry.new_value) == ("41", "40")
    assert (entry.source, entry.batch_id, entry.reason) == (
        ChangeSource.CORRECTION,
        None,
        "ID card",
    )
    assert (entry.changed_at, entry.changed_by) == (T2, "stat")


def test_correction_to_empty_and_to_same_value(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    import_files(engine, trial, write_extract(tmp_path, copy_base()), now=T1, user="dm")
    same = correct_value(
        engine,
        trial,
        "patients",
        {"patient_id": "P01"},
        "sex",
        "F",
        reason="check",
        now=T2,
        user="u",
    )
    assert not same.changed
    assert list_audit(engine, trial) == ()
    cleared = correct_value(
        engine,
        trial,
        "patients",
        {"patient_id": "P01"},
        "sex",
        "",
        reason="unknown",
        now=T2,
        user="u",
    )
    assert (cleared.old_value, cleared.new_value) == ("F", None)
    assert load_trial_data(engine, trial).patients.loc[0, "sex"] is None


@pytest.mark.parametrize(
    ("table", "key", "column", "value", "reason", "message"),
    [
        ("patients", "patient_id=P01", "age", "40", "  ", "needs a reason"),
        ("patients", "patient_id=P01", "age", "200", "r", "age: 200 is above the maximum 120"),
        ("patients", "patient_id=P01", "sex", "X", "r", "unknown code 'X'"),
        ("patients", "patient_id=P01", "enrollment_date", "", "r", "required value is missing"),
        (
            "patients",
            "patient_id=P02",
            "death_date",
            "2025-02-01",
            "r",
            "response assessment after death",
        ),
        (
            "responses",
            "patient_id=P01,assessment_date=2025-02-05",
            "cycle",
            "x",
            "r",
            "not a whole number",
        ),
        ("patients", "patient_id=P01", "patient_id", "P9", "r", "part of the key"),
        ("patients", "patient_id=P09", "age", "40", "r", "no current patients row"),
        ("patients", "site=MDA", "age", "40", "r", "the key of 'patients' is patient_id"),
        (
            "responses",
            "patient_id=P01,assessment_date=5/2/2025",
            "cycle",
            "1",
            "r",
            "not a valid ISO date",
        ),
        ("labs", "patient_id=P01", "age", "40", "r", "unknown table 'labs'"),
        ("patients", "patient_id=P01", "weight", "40", "r", "has no column 'weight'"),
    ],
)
def test_bad_corrections_are_refused_and_change_nothing(
    engine: sa.Engine,
    trial: str,
    tmp_path: Path,
    table: str,
    key: str,
    column: str,
    value: str,
    reason: str,
    message: str,
) -> None:
    import_files(engine, trial, write_extract(tmp_path, copy_base()), now=T1, user="dm")
    before = database_fingerprint(engine)
    with pytest.raises(DataInputError, match=message):
        correct_value(
            engine, trial, table, parse_key(key), column, value, reason=reason, now=T2, user="u"
        )
    assert database_fingerprint(engine) == before


def test_key_parsing() -> None:
    assert parse_key("patient_id=P1, assessment_date=2025-01-03") == {
        "patient_id": "P1",
        "assessment_date": "2025-01-03",
    }
    with pytest.raises(DataInputError, match="column=value"):
        parse_key("P1")


def test_two_trials_in_one_database_do_not_see_each_other(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    text = DEFAULT_PROTOCOL.read_text(encoding="utf-8").replace(
        'id = "ino-lowdose-ph2"', 'id = "second-trial"', 1
    )
    other = add_trial(engine, text, source="t", now=REGISTERED_AT, user="u").id
    import_files(engine, trial, write_extract(tmp_path / "a", copy_base()), now=T1, user="u")
    tables = copy_base()
    tables["patients"] = tables["patients"][:1]
    tables["responses"] = tables["responses"][:1]
    tables["adverse_events"] = tables["adverse_events"][:1]
    tables["patients"][0]["age"] = "99"
    result = import_files(engine, other, write_extract(tmp_path / "b", tables), now=T2, user="u")
    assert [c.added for c in result.counts] == [1, 1, 1]  # same keys, other trial: new rows
    first, second = load_trial_data(engine, trial), load_trial_data(engine, other)
    assert first.patients["age"].tolist() == [54, 67, 41]
    assert second.patients["age"].tolist() == [99]
    assert len(first.responses) == 3
    assert len(second.responses) == 1
    correct_value(
        engine, other, "patients", {"patient_id": "P01"}, "age", "98", reason="r", now=T3, user="u"
    )
    assert load_trial_data(engine, trial).patients["age"].tolist() == [54, 67, 41]
    assert list_audit(engine, trial) == ()
    assert len(list_audit(engine, other)) == 1
    orphan = copy_base()["responses"][1:2]  # P01 exists only in the other trial? no: in both
    orphan[0]["patient_id"] = "P03"  # P03 exists in the first trial only
    rejected = import_files(
        engine, other, write_extract(tmp_path / "c", {"responses": orphan}), now=T3, user="u"
    )
    assert [p.column for p in rejected.problems] == ["patient_id"]


def test_every_past_state_is_reproducible(engine: sa.Engine, trial: str, tmp_path: Path) -> None:
    """Import (T1), re-import a changed extract (T2), correct (T3): each state is recovered."""
    import_files(engine, trial, write_extract(tmp_path / "a", copy_base()), now=T1, user="dm")
    tables = copy_base()
    tables["patients"][0]["age"] = "55"
    tables["patients"].append({"patient_id": "P04", "enrollment_date": "2025-03-01", "site": "UCH"})
    import_files(engine, trial, write_extract(tmp_path / "b", tables), now=T2, user="dm")
    correct_value(
        engine, trial, "patients", {"patient_id": "P01"}, "age", "56", reason="r", now=T3, user="s"
    )
    ages = {
        moment: load_trial_data(engine, trial, as_known_on=moment)
        .patients.set_index("patient_id")["age"]
        .to_dict()
        for moment in (T1, T2, T3)
    }
    assert ages[T1] == {"P01": 54, "P02": 67, "P03": 41}
    assert ages[T2] == {"P01": 55, "P02": 67, "P03": 41, "P04": None}
    assert ages[T3] == {"P01": 56, "P02": 67, "P03": 41, "P04": None}
    _frames_equal(
        load_trial_data(engine, trial).patients, load_trial_data(engine, trial, T3).patients
    )
    entries = [(e.source, e.old_value, e.new_value) for e in list_audit(engine, trial)]
    assert entries == [(ChangeSource.IMPORT, "54", "55"), (ChangeSource.CORRECTION, "55", "56")]
