"""Property: any valid extract round-trips through import and load_trial_data unchanged.

Values are drawn typed (dates, integers, floats, unicode text with commas and quotes), written
to CSV as text (floats with repr, exact), imported, loaded back and compared exactly with the
frame built directly from the drawn values.
"""

from __future__ import annotations

import itertools
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitoring.data_dictionary import TABLES, ColumnType, TableSpec
from monitoring.db.importer import import_files
from monitoring.db.reading import load_trial_data
from monitoring.db.repository import add_trial
from tests.conftest import DEFAULT_PROTOCOL, REGISTERED_AT
from tests.db_support import write_csv

COUNTER = itertools.count()
# Text the importer keeps as written: no control, format, private-use or separator
# characters (refused in every cell, docs/methods.md "Reading files"), already in NFC.
TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc", "Cf", "Co", "Zl", "Zp")),
    min_size=1,
    max_size=10,
).filter(lambda s: s == s.strip() and s == unicodedata.normalize("NFC", s))
BASE = date(2024, 1, 1)
# After every generated date (at most BASE + 500 + 20 + 400 + 30 + 9 days = 2026-08-17):
# a date after the import's own date is refused.
IMPORTED_AT = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


@st.composite
def patient(draw: st.DrawFn, pid: str) -> dict[str, Any]:
    enrol = BASE + timedelta(days=draw(st.integers(0, 500)))
    dose = draw(_maybe(st.integers(0, 20).map(lambda d: enrol + timedelta(days=d))))
    contact = (dose or enrol) + timedelta(days=draw(st.integers(0, 400)))
    death = draw(_maybe(st.integers(0, 30).map(lambda d: contact + timedelta(days=d))))
    return {
        "patient_id": pid,
        "site": draw(_maybe(TEXT)),
        "enrollment_date": enrol,
        "first_dose_date": dose,
        "age": draw(_maybe(st.integers(0, 120))),
        "sex": draw(_maybe(st.sampled_from(["M", "F", "U"]))),
        "salvage_line": draw(_maybe(st.integers(0, 6))),
        "cohort": draw(_maybe(TEXT)),
        "last_contact_date": contact,
        "death_date": death,
        "death_cause": draw(_maybe(TEXT)),
    }


@st.composite
def extract(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    ids = draw(st.lists(TEXT, min_size=1, max_size=6, unique=True))
    patients = [draw(patient(pid)) for pid in ids]
    responses, events = [], []
    for p in patients:
        start = p["first_dose_date"]
        end = p["death_date"] or start + timedelta(days=300) if start else None
        if start is None or end is None:
            continue
        days = draw(st.lists(st.integers(0, (end - start).days), max_size=3, unique=True))
        for d in days:
            responses.append(
                {
                    "patient_id": p["patient_id"],
                    "assessment_date": start + timedelta(days=d),
                    "cycle": draw(st.integers(1, 12)),
                    "response": draw(st.sampled_from(["CR", "CRp", "CRi", "PR", "NR", "PD", "NE"])),
                    "marrow_blasts_pct": draw(_maybe(st.floats(0, 100))),
                    "mrd_negative": draw(_maybe(st.sampled_from(["Y", "N"]))),
                    "mrd_level": draw(_maybe(st.floats(0, 1e6))),
                }
            )
        for term, d in draw(
            st.lists(st.tuples(TEXT, st.integers(0, (end - start).days)), max_size=3, unique=True)
        ):
            onset = start + timedelta(days=d)
            events.append(
                {
                    "patient_id": p["patient_id"],
                    "term": term,
                    "category": draw(TEXT),
                    "grade": draw(st.integers(1, 5)),
                    "onset_date": onset,
                    "resolution_date": draw(
                        _maybe(st.integers(0, 9).map(lambda k, o=onset: o + timedelta(days=k)))
                    ),
                    "attribution": draw(
                        _maybe(st.sampled_from(["unrelated", "possible", "definite"]))
                    ),
                    "serious": draw(_maybe(st.sampled_from(["Y", "N"]))),
                }
            )
    return {"patients": patients, "responses": responses, "adverse_events": events}


def _text(value: Any) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def _expected(spec: TableSpec, rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(index=pd.RangeIndex(len(rows)))
    for c in spec.columns:
        values = [r.get(c.name) for r in rows]
        if c.type is ColumnType.DATE:
            frame[c.name] = pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
        elif c.type is ColumnType.INTEGER:
            frame[c.name] = pd.array(values, dtype="Int64")
        elif c.type is ColumnType.NUMBER:
            frame[c.name] = pd.array(
                [float("nan") if v is None else v for v in values], dtype="float64"
            )
        else:
            frame[c.name] = pd.Series(values, dtype=object)
    return frame.sort_values(list(spec.key), ignore_index=True)


@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=extract())
def test_valid_extract_round_trips(
    engine: sa.Engine, tmp_path: Path, data: dict[str, list[dict[str, Any]]]
) -> None:
    trial_id = f"prop-{next(COUNTER)}"
    text = DEFAULT_PROTOCOL.read_text(encoding="utf-8").replace(
        'id = "ino-lowdose-ph2"', f'id = "{trial_id}"', 1
    )
    add_trial(engine, text, source="t", now=REGISTERED_AT, user="u")
    folder = tmp_path / trial_id
    folder.mkdir()
    files = [
        write_csv(folder, name, [{k: _text(v) for k, v in r.items()} for r in rows])
        for name, rows in data.items()
    ]
    result = import_files(engine, trial_id, files, now=IMPORTED_AT, user="u")
    assert result.accepted, result.problems
    loaded = load_trial_data(engine, trial_id)
    for name, spec in TABLES.items():
        if name not in data:  # a clinical-detail table the extract does not hold: empty
            assert loaded.table(name).empty
            continue
        pd.testing.assert_frame_equal(
            getattr(loaded, name), _expected(spec, data[name]), check_exact=True
        )
