"""The data digest identifies the exact rows used, whatever their order."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from monitoring.data_dictionary import (
    ADVERSE_EVENTS,
    PATIENTS,
    RESPONSES,
    TABLES,
    TrialData,
    empty_frame,
)
from monitoring.provenance import canonical_lines, combine_digests, data_digest, table_digest


def _data(patients: pd.DataFrame) -> TrialData:
    return TrialData(patients, empty_frame(RESPONSES), empty_frame(ADVERSE_EVENTS))


def _patients(ids: list[str], ages: list[int]) -> pd.DataFrame:
    frame = empty_frame(PATIENTS)
    frame = pd.concat(
        [
            frame,
            pd.DataFrame(
                {
                    "patient_id": ids,
                    "enrollment_date": pd.to_datetime(["2025-01-02"] * len(ids)),
                    "age": pd.array(ages, dtype="Int64"),
                }
            ),
        ],
        ignore_index=True,
    )
    return frame[list(PATIENTS.names)]


def test_digest_ignores_row_order_but_sees_every_value() -> None:
    a = data_digest(_data(_patients(["P1", "P2"], [40, 50])))
    b = data_digest(_data(_patients(["P2", "P1"], [50, 40])))
    c = data_digest(_data(_patients(["P1", "P2"], [40, 51])))
    assert a == b
    assert a != c
    assert len(a) == 64


def test_canonical_lines_written_by_hand() -> None:
    """docs/methods.md, "Data digest": values in dictionary order, ``<length>:<text>`` or
    ``:`` when missing; dates ISO, integers decimal, numbers Python's repr; rows in key order."""
    frame = pd.DataFrame(
        {
            "patient_id": ["P2", "P1"],
            "assessment_date": pd.to_datetime(["2025-01-03", "2025-02-04"]),
            "cycle": pd.array([2, 1], dtype="Int64"),
            "response": ["CR", "NR"],
            "marrow_blasts_pct": [3.5, float("nan")],
            "mrd_negative": [None, "N"],
            "mrd_level": [0.012, 1e-05],
        }
    )
    lines = canonical_lines(frame, RESPONSES)
    assert lines == [
        "2:P110:2025-02-041:12:NR:1:N5:1e-05\n",
        "2:P210:2025-01-031:22:CR3:3.5:5:0.012\n",
    ]
    by_hand = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
    assert table_digest(frame, RESPONSES) == by_hand
    assert table_digest(empty_frame(RESPONSES), RESPONSES) == hashlib.sha256(b"").hexdigest()


def test_lengths_keep_values_apart() -> None:
    """Moving text between two columns changes the digest (no separator ambiguity)."""
    a = data_digest(_data(_patients(["P1"], [40]).assign(site="A:1", cohort="B")))
    b = data_digest(_data(_patients(["P1"], [40]).assign(site="A", cohort=":1B")))
    assert a != b


def test_the_data_digest_combines_the_three_table_digests() -> None:
    """A table digest given (as the database gives the adverse events') replaces hashing
    that table's frame, which may then hold only some rows."""
    data = _data(_patients(["P1", "P2"], [40, 50]))
    digests = {name: table_digest(getattr(data, name), spec) for name, spec in TABLES.items()}
    assert data_digest(data) == combine_digests(digests)
    partial = TrialData(data.patients, data.responses, data.adverse_events.iloc[:0])
    given = {"adverse_events": digests["adverse_events"]}
    assert data_digest(partial, given) == data_digest(data)
    with pytest.raises(ValueError, match="no such table"):
        data_digest(data, {"visits": "0" * 64})


def test_numbers_are_written_exactly() -> None:
    """repr: shortest round-trip text; -0.0 is written as such (factorize would merge it)."""
    frame = empty_frame(RESPONSES)
    frame = pd.concat(
        [
            frame,
            pd.DataFrame(
                {
                    "patient_id": ["P1", "P2", "P3"],
                    "assessment_date": pd.to_datetime(["2025-01-03"] * 3),
                    "cycle": pd.array([1, 1, 1], dtype="Int64"),
                    "response": ["NR"] * 3,
                    "marrow_blasts_pct": [0.0, -0.0, 0.1 + 0.2],
                }
            ),
        ],
        ignore_index=True,
    )[list(RESPONSES.names)]
    assert canonical_lines(frame, RESPONSES) == [
        "2:P110:2025-01-031:12:NR3:0.0::\n",
        "2:P210:2025-01-031:12:NR4:-0.0::\n",
        "2:P310:2025-01-031:12:NR19:0.30000000000000004::\n",
    ]
