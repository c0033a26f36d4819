"""Trial registration, lookup and the stored protocol."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from monitoring.db.errors import DataInputError
from monitoring.db.repository import (
    DataVersion,
    add_trial,
    get_protocol,
    list_trials,
    resolve_trial,
)
from monitoring.protocol import load_protocol
from tests.conftest import DEFAULT_PROTOCOL, REGISTERED_AT


def test_stored_protocol_is_the_registered_one(engine: sa.Engine, trial: str) -> None:
    stored = get_protocol(engine, trial)
    original = load_protocol(DEFAULT_PROTOCOL)
    assert stored.digest == original.digest
    assert stored.simon == original.simon
    assert stored.toxicity == original.toxicity
    (record,) = list_trials(engine)
    assert (record.id, record.protocol_digest, record.registered_at) == (
        trial,
        original.digest,
        REGISTERED_AT,
    )


def test_resolve_trial(engine: sa.Engine) -> None:
    with pytest.raises(DataInputError, match="holds no trial"):
        resolve_trial(engine, None)
    text = DEFAULT_PROTOCOL.read_text(encoding="utf-8")
    add_trial(engine, text, source="t", now=REGISTERED_AT, user="u")
    assert resolve_trial(engine, None) == "ino-lowdose-ph2"
    add_trial(
        engine,
        text.replace('id = "ino-lowdose-ph2"', 'id = "b"', 1),
        source="t",
        now=REGISTERED_AT,
        user="u",
    )
    with pytest.raises(DataInputError, match="holds 2 trials"):
        resolve_trial(engine, None)
    assert resolve_trial(engine, "b") == "b"
    with pytest.raises(DataInputError, match="no trial 'c'"):
        resolve_trial(engine, "c")
    with pytest.raises(DataInputError, match="no trial 'c'"):
        get_protocol(engine, "c")


def test_invalid_protocol_is_refused(engine: sa.Engine) -> None:
    text = DEFAULT_PROTOCOL.read_text(encoding="utf-8").replace("nmax = 48", "nmax = 1")
    with pytest.raises(DataInputError, match=r"toxicity\[0\]\.nmax"):
        add_trial(engine, text, source="x.toml", now=REGISTERED_AT, user="u")
    assert list_trials(engine) == ()


def test_data_version_changes_with_every_import_and_correction(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    from monitoring.db import correct_value, data_version, import_files
    from tests.db_support import T1, T2, copy_base, write_extract

    empty = data_version(engine, trial)
    assert empty == DataVersion(None, 0, 0)
    files = write_extract(tmp_path, copy_base())
    import_files(engine, trial, files, now=T1, user="u")
    first = data_version(engine, trial)
    assert first == DataVersion(T1, 1, 0)
    import_files(engine, trial, files, now=T1, user="u")  # same time, nothing changed
    assert data_version(engine, trial) == DataVersion(T1, 2, 0)
    correct_value(
        engine, trial, "patients", {"patient_id": "P01"}, "age", "55", reason="r", now=T2, user="u"
    )
    assert data_version(engine, trial) == DataVersion(T2, 2, 1)
