"""Time-to-event records (SPEC 4 table) on hand-written patients; times are hand-counted
days between the ISO dates in the rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from derive_frames import response, trial

from monitoring.derive import Endpoint, derive
from monitoring.protocol import DEFAULT_TRIAL_ID, bundled_protocols, load_protocol

PROTOCOL = load_protocol(bundled_protocols()[DEFAULT_TRIAL_ID])


def _p(pid: str, dose: str | None, **kw: object) -> dict[str, object]:
    return {"patient_id": pid, "enrollment_date": "2024-01-01", "first_dose_date": dose, **kw}


PATIENTS = [
    # A: CR on day 21, relapse day 91 (2024-04-01), death day 121, contact = death.
    _p(
        "A",
        "2024-01-01",
        progression_date="2024-04-01",
        death_date="2024-05-01",
        last_contact_date="2024-05-01",
        sex="F",
    ),
    # B: PR day 14, CRi day 45 (cycle 2), alive, last contact day 182 (2024-07-01).
    _p("B", "2024-01-01", last_contact_date="2024-07-01", sex="M"),
    # C: NR, NR (cycle 2), off treatment, progression and death on the same day, day 60.
    _p(
        "C",
        "2024-01-01",
        off_treatment_date="2024-02-15",
        progression_date="2024-03-01",
        death_date="2024-03-01",
        sex="M",
    ),
    # D: CR on day 0 (assessed on the first-dose day), second malignancy day 100, no
    # last contact: censored at its latest record (second malignancy, 2024-04-10).
    _p("D", "2024-01-01", second_malignancy_date="2024-04-10"),
    # E: never treated: in no population.
    _p("E", None),
    # F: CR day 20 then death after the cut-off (2024-08-01): censored at the cut-off.
    _p("F", "2024-02-01", death_date="2024-09-01", last_contact_date="2024-09-01", sex="F"),
]
RESPONSES = [
    response("A", "2024-01-22", 1, "CR"),
    response("B", "2024-01-15", 1, "PR"),
    response("B", "2024-02-15", 2, "CRi"),
    response("C", "2024-01-22", 1, "NR"),
    response("C", "2024-02-12", 2, "NR"),
    response("D", "2024-01-01", 1, "CR"),
    response("F", "2024-02-21", 1, "CR"),
]
CUTOFF = date(2024, 8, 1)
DERIVED = derive(trial(PATIENTS, RESPONSES), PROTOCOL, CUTOFF)


def _records(endpoint: str) -> dict[str, tuple[float, bool]]:
    tte = DERIVED.time_to_event(endpoint)
    assert tte.endpoint is Endpoint(endpoint)
    return {
        str(p): (float(t), bool(e))
        for p, t, e in zip(tte.patient_ids, tte.time, tte.event, strict=True)
    }


def test_os() -> None:
    """A dies day 121; B censored day 182; C dies day 60; D censored day 100 (latest
    record); F's death (09-01) is after the cut-off: censored at 08-01 = day 182."""
    assert _records("OS") == {
        "A": (121, True),
        "B": (182, False),
        "C": (60, True),
        "D": (100, False),
        "F": (182, False),
    }


def test_pfs_counts_progression_and_death_on_the_same_day_once() -> None:
    assert _records("PFS") == {
        "A": (91, True),
        "B": (182, False),
        "C": (60, True),
        "D": (100, False),
        "F": (182, False),
    }


def test_efs() -> None:
    """C has no remission by the end of cycle 2: event at day 0. D's second malignancy
    (day 100) is an EFS event; B remitted in cycle 2, in time."""
    assert _records("EFS") == {
        "A": (91, True),
        "B": (182, False),
        "C": (0, True),
        "D": (100, True),
        "F": (182, False),
    }


def test_dor_from_first_hematologic_response() -> None:
    """Origins: A 01-22, B 01-15 (PR), D 01-01 (day 0 response), F 02-21."""
    assert _records("DoR") == {
        "A": (70, True),
        "B": (168, False),
        "D": (100, False),
        "F": (162, False),
    }


def test_dor1_from_first_remission() -> None:
    """B's remission starts 02-15 (CRi), not at its PR."""
    assert _records("DoR1") == {
        "A": (70, True),
        "B": (137, False),
        "D": (100, False),
        "F": (162, False),
    }


def test_progression_before_the_response_does_not_end_it() -> None:
    """Progression (01-10) precedes the first response (01-20): no DoR event; censored
    at last contact 03-01 = 41 days after the response."""
    data = trial(
        [_p("X", "2024-01-01", progression_date="2024-01-10", last_contact_date="2024-03-01")],
        [response("X", "2024-01-20", 1, "PR")],
    )
    tte = derive(data, PROTOCOL).time_to_event(Endpoint.DOR)
    assert (tte.time.tolist(), tte.event.tolist()) == ([41.0], [False])


def test_grouping_column() -> None:
    tte = DERIVED.time_to_event("OS", by="sex")
    assert tte.by == "sex"
    assert tte.groups is not None
    assert tte.groups.tolist() == ["F", "M", "M", None, "F"]


def test_unknown_grouping_column_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown grouping column 'colour'"):
        DERIVED.time_to_event("OS", by="colour")


def test_records_are_read_only() -> None:
    tte = DERIVED.time_to_event("OS")
    with pytest.raises(ValueError, match="read-only"):
        tte.time[0] = 1.0
    assert tte.n == 5
    assert tte.events == 2
    assert tte.time.dtype == np.float64
