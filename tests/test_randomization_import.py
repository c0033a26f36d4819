"""Import checks of the randomization table (monitoring/db/consistency.py,
``randomization_problems``) under the AALL1732 protocol (arms A and B): an arm received
that is not an arm of the protocol, and a randomization row for a patient without an
assigned arm, are refused with the file, row (header = 1) and column.

The patients are those of tests/db_support.py (P01 and P02 treated, P03 never treated),
given arms here.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from monitoring.db.importer import import_files
from monitoring.db.reading import load_trial_data
from monitoring.db.repository import add_trial
from monitoring.protocol import bundled_protocol
from tests.conftest import REGISTERED_AT
from tests.db_support import T1, copy_base, write_extract

Rows = list[dict[str, str]]


def _trial(engine: sa.Engine) -> str:
    text = bundled_protocol("aall1732-randomized").read_text(encoding="utf-8")
    return add_trial(engine, text, source="test", now=REGISTERED_AT, user="registrar").id


def _extract() -> dict[str, Rows]:
    tables = copy_base()
    for row, arm in zip(tables["patients"], ("A", "B", "A"), strict=True):
        row["arm"] = arm
    tables["randomization"] = [
        {"patient_id": "P01", "randomization_date": "2025-01-06", "arm_received": "A"},
        {"patient_id": "P02", "randomization_date": "2025-01-11", "arm_received": "A"},
        {"patient_id": "P03", "randomization_date": "2025-02-02", "arm_received": ""},
    ]
    return tables


def test_a_valid_randomization_with_a_crossover_is_accepted(
    engine: sa.Engine, tmp_path: Path
) -> None:
    trial = _trial(engine)
    result = import_files(engine, trial, write_extract(tmp_path, _extract()), now=T1, user="u")
    assert result.accepted, result.problems
    data = load_trial_data(engine, trial)
    assert data.randomization["arm_received"].tolist() == ["A", "A", None]


def test_an_arm_received_the_protocol_does_not_name_is_refused(
    engine: sa.Engine, tmp_path: Path
) -> None:
    trial = _trial(engine)
    tables = _extract()
    tables["randomization"][1]["arm_received"] = "C"
    result = import_files(engine, trial, write_extract(tmp_path, tables), now=T1, user="u")
    assert not result.accepted
    assert [(p.file, p.row, p.column, p.message) for p in result.problems] == [
        ("randomization.csv", 3, "arm_received", "'C' is not an arm of this trial (A, B)")
    ]
    assert load_trial_data(engine, trial).patients.empty  # all or nothing


def test_a_randomized_patient_without_an_arm_is_refused(engine: sa.Engine, tmp_path: Path) -> None:
    trial = _trial(engine)
    tables = _extract()
    tables["patients"][2]["arm"] = ""
    result = import_files(engine, trial, write_extract(tmp_path, tables), now=T1, user="u")
    assert [(p.file, p.row, p.column) for p in result.problems] == [
        ("randomization.csv", 4, "patient_id")
    ]
    assert "P03" in result.problems[0].message


def test_emptying_the_arm_of_a_stored_randomized_patient_is_refused(
    engine: sa.Engine, tmp_path: Path
) -> None:
    trial = _trial(engine)
    tables = _extract()
    assert import_files(engine, trial, write_extract(tmp_path, tables), now=T1, user="u").accepted
    tables["patients"][0]["arm"] = ""
    patients_only = {"patients": tables["patients"]}
    result = import_files(
        engine, trial, write_extract(tmp_path / "again", patients_only), now=T1, user="u"
    )
    assert [(p.file, p.row, p.column) for p in result.problems] == [("patients.csv", 2, "arm")]
    assert "stored" in result.problems[0].message
