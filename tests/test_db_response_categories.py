"""Response categories are the trial's own: the data dictionary admits the categories of
every protocol (CR, CRi, CRp, PR, ...), the trial's protocol file names those it uses
(`[response] categories`). A response outside them would count as neither responder nor
non-responder, so an import or a correction that brings one is refused, naming the file,
row and column, and nothing is written. Both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from monitoring.db.corrections import correct_value
from monitoring.db.errors import DataInputError
from monitoring.db.importer import import_files
from monitoring.db.repository import add_trial
from monitoring.protocol import bundled_protocol, load_protocol
from tests.conftest import REGISTERED_AT
from tests.db_support import T1, T2, copy_base, database_fingerprint, write_extract

# The MRD example (seed 002) lists CR, CRi, PR, NR, PD, NE: no CRp.
EXAMPLE = bundled_protocol("mrd-ino-ph2")


@pytest.fixture
def example_trial(engine: sa.Engine) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    return add_trial(engine, text, source="test", now=REGISTERED_AT, user="registrar").id


def test_the_example_protocol_has_no_crp() -> None:
    categories = load_protocol(EXAMPLE).response.categories
    assert "CRi" in categories
    assert "CRp" not in categories


def test_a_category_the_protocol_lacks_is_refused(
    engine: sa.Engine, example_trial: str, tmp_path: Path
) -> None:
    tables = copy_base()
    tables["responses"][0]["response"] = "CRp"  # row 2 of responses.csv (header is row 1)
    before = database_fingerprint(engine)
    result = import_files(engine, example_trial, write_extract(tmp_path, tables), now=T1, user="u")
    assert not result.accepted
    assert [(p.file, p.row, p.column) for p in result.problems] == [
        ("responses.csv", 2, "response")
    ]
    assert "'CRp' is not a response category of this trial" in result.problems[0].message
    assert database_fingerprint(engine) == before


def test_the_same_extract_is_accepted_with_the_trials_own_categories(
    engine: sa.Engine, example_trial: str, tmp_path: Path
) -> None:
    result = import_files(
        engine, example_trial, write_extract(tmp_path, copy_base()), now=T1, user="u"
    )
    assert result.accepted, result.problems


def test_a_correction_to_a_foreign_category_is_refused(
    engine: sa.Engine, example_trial: str, tmp_path: Path
) -> None:
    files = write_extract(tmp_path, copy_base())
    assert import_files(engine, example_trial, files, now=T1, user="u").accepted
    row = copy_base()["responses"][0]
    key = {"patient_id": row["patient_id"], "assessment_date": row["assessment_date"]}
    before = database_fingerprint(engine)
    with pytest.raises(DataInputError, match="'CRp' is not a response category"):
        correct_value(
            engine,
            example_trial,
            "responses",
            key,
            "response",
            "CRp",
            reason="test",
            now=T2,
            user="u",
        )
    assert database_fingerprint(engine) == before
