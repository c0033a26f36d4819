"""Cut-off rules (SPEC 4) on a hand-written trial; expected values read off the rows."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from derive_frames import ae, response, trial

from monitoring.data_dictionary import PATIENTS, TrialData, empty_frame
from monitoring.derive import apply_cutoff, latest_date

DATA = trial(
    [
        {
            "patient_id": "P1",
            "enrollment_date": "2024-01-02",
            "first_dose_date": "2024-01-05",
            "last_contact_date": "2024-04-01",
            "progression_date": "2024-03-01",
            "death_date": "2024-03-20",
            "death_cause": "Progressive disease",
            "off_treatment_date": "2024-03-01",
            "off_treatment_reason": "Relapse",
            "hsct_date": "2024-02-20",
            "second_malignancy_date": "2024-03-10",
        },
        {
            "patient_id": "P2",
            "enrollment_date": "2024-02-10",
            "first_dose_date": "2024-02-14",
            "last_contact_date": "2024-02-28",
        },
        {"patient_id": "P3", "enrollment_date": "2024-02-29"},
    ],
    [
        response("P1", "2024-01-26", 1, "CR"),
        response("P1", "2024-03-01", 2, "PD"),
        response("P2", "2024-02-28", 1, "NR"),
    ],
    [
        ae("P1", "Nausea", "2024-01-10", resolution_date="2024-02-20", category="GI"),
        ae("P1", "Fatigue", "2024-02-20", resolution_date="2024-04-02", category="General"),
        ae("P2", "VOD", "2024-02-29"),
    ],
)


def test_latest_date_spans_every_table_and_column() -> None:
    """The latest date is P1's fatigue resolution, 2024-04-02 (an AE column)."""
    assert latest_date(DATA) == date(2024, 4, 2)


def test_latest_date_of_empty_data_is_an_error() -> None:
    empty = TrialData(empty_frame(PATIENTS), DATA.responses.iloc[:0], DATA.adverse_events.iloc[:0])
    with pytest.raises(ValueError, match="no dates"):
        latest_date(empty)


def test_cutoff_drops_and_blanks_later_records() -> None:
    """Cut-off 2024-02-28 (inclusive): P3 (enrolled 02-29) dropped; P1's progression,
    death, off-treatment and second malignancy (all in March) blanked with cause and
    reason; HSCT (02-20) kept; last contact 04-01 capped to 02-28; P2's last contact
    02-28 kept; the PD assessment (03-01) and P2's VOD (02-29) dropped; P1's fatigue
    (resolved 04-02) kept and unresolved."""
    cut = apply_cutoff(DATA, date(2024, 2, 28))
    p = cut.patients.set_index("patient_id")
    assert list(p.index) == ["P1", "P2"]
    for column in ("progression_date", "death_date", "off_treatment_date"):
        assert pd.isna(p.loc["P1", column])
    assert pd.isna(p.loc["P1", "second_malignancy_date"])
    assert p.loc["P1", "death_cause"] is None
    assert p.loc["P1", "off_treatment_reason"] is None
    assert p.loc["P1", "hsct_date"] == pd.Timestamp("2024-02-20")
    assert p.loc["P1", "last_contact_date"] == pd.Timestamp("2024-02-28")
    assert p.loc["P2", "last_contact_date"] == pd.Timestamp("2024-02-28")
    assert list(cut.responses["response"]) == ["CR", "NR"]
    assert list(cut.adverse_events["term"]) == ["Nausea", "Fatigue"]
    resolution = cut.adverse_events.set_index("term")["resolution_date"]
    assert resolution["Nausea"] == pd.Timestamp("2024-02-20")
    assert pd.isna(resolution["Fatigue"])


def test_cutoff_keeps_dtypes_and_does_not_touch_its_input() -> None:
    before = DATA.patients.copy()
    cut = apply_cutoff(DATA, date(2024, 1, 31))
    pd.testing.assert_frame_equal(DATA.patients, before)
    assert dict(cut.patients.dtypes) == dict(DATA.patients.dtypes)
    assert dict(cut.adverse_events.dtypes) == dict(DATA.adverse_events.dtypes)


def test_cutoff_at_latest_date_changes_nothing() -> None:
    cut = apply_cutoff(DATA, latest_date(DATA))
    pd.testing.assert_frame_equal(cut.patients, DATA.patients)
    pd.testing.assert_frame_equal(cut.responses, DATA.responses)
    pd.testing.assert_frame_equal(cut.adverse_events, DATA.adverse_events)


def test_cutoff_accepts_timestamps_with_a_time_of_day() -> None:
    """A datetime on 2024-02-28 at noon means the whole day 2024-02-28."""
    a = apply_cutoff(DATA, pd.Timestamp("2024-02-28 12:00"))
    b = apply_cutoff(DATA, date(2024, 2, 28))
    pd.testing.assert_frame_equal(a.patients, b.patients)


def test_records_of_patients_enrolled_after_the_cutoff_are_dropped() -> None:
    """P3 is enrolled on 2024-02-29; a (pre-enrolment) AE of P3 dated 02-20 must not
    survive a 02-28 cut-off as an orphan row."""
    data = trial(
        [
            {"patient_id": "P1", "enrollment_date": "2024-01-02"},
            {"patient_id": "P3", "enrollment_date": "2024-02-29"},
        ],
        [response("P3", "2024-02-21", 1, "NR")],
        [ae("P3", "Nausea", "2024-02-20"), ae("P1", "Nausea", "2024-02-20")],
    )
    cut = apply_cutoff(data, date(2024, 2, 28))
    assert list(cut.adverse_events["patient_id"]) == ["P1"]
    assert cut.responses.empty
