"""The data digest identifies the exact rows used, whatever their order."""

from __future__ import annotations

import pandas as pd

from monitoring.provenance import data_digest
from monitoring.tables import ADVERSE_EVENTS, PATIENTS, RESPONSES, TrialData, empty_frame


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
