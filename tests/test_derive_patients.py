"""Per-patient derivations (SPEC 4) on small hand-checked tables.

Every expected value below is read off the hand-written rows by the rule it tests
(protocol ino-lowdose-ph2: remission = CR/CRp/CRi, hematologic response adds PR,
non-response after cycle 2, categories in order CR, CRp, CRi, PR, NR, PD, NE).
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from derive_frames import ae, response, trial

from monitoring.derive import (
    PATIENT_COLUMNS,
    ResponseCounts,
    ResponseStatus,
    apply_cutoff,
    derive,
    derive_patients,
)
from monitoring.protocol import (
    DEFAULT_TRIAL_ID,
    Protocol,
    SimonRule,
    bundled_protocols,
    load_protocol,
)

PROTOCOL = load_protocol(bundled_protocols()[DEFAULT_TRIAL_ID])


def _with_stage1(protocol: Protocol, n1: int, n: int) -> Protocol:
    simon = protocol.simon
    assert isinstance(simon, SimonRule)
    return dataclasses.replace(protocol, efficacy=(dataclasses.replace(simon, n1=n1, n=n),))


def _p(pid: str, dose: str | None, **kw: object) -> dict[str, object]:
    return {"patient_id": pid, "enrollment_date": "2024-01-02", "first_dose_date": dose, **kw}


PATIENTS = [
    _p("P01", "2024-01-05"),  # PR then CR -> responder
    _p("P02", "2024-01-08"),  # NR in cycles 1 and 2 -> non-responder (end of cycle 2)
    _p("P03", "2024-01-08"),  # NR in cycle 1, on treatment -> pending
    _p("P04", "2024-01-06", off_treatment_date="2024-01-20"),  # off, never assessed
    _p("P05", "2024-01-07", death_date="2024-01-25"),  # NE then death
    _p("P06", None),  # enrolled, never treated
    _p("P07", "2024-01-04"),  # NR, NR, then CRi in cycle 3: responder, induction failure
    _p("P08", "2024-01-09"),  # PR, PR: hematologic response, no remission
]
RESPONSES = [
    response("P01", "2024-01-19", 1, "PR"),
    response("P01", "2024-01-26", 1, "CR"),
    response("P01", "2024-02-20", 2, "CRi"),
    response("P02", "2024-01-22", 1, "NR"),
    response("P02", "2024-02-26", 2, "NR"),
    response("P03", "2024-01-22", 1, "NR"),
    response("P05", "2024-01-21", 1, "NE"),
    response("P07", "2024-01-18", 1, "NR"),
    response("P07", "2024-02-20", 2, "NR"),
    response("P07", "2024-03-20", 3, "CRi"),
    response("P08", "2024-01-23", 1, "PR"),
    response("P08", "2024-02-27", 2, "PR"),
]
DATA = trial(PATIENTS, RESPONSES)


@pytest.fixture(scope="module")
def derived() -> pd.DataFrame:
    return derive_patients(DATA, PROTOCOL).set_index("patient_id")


def test_columns_are_fixed_and_one_row_per_patient(derived: pd.DataFrame) -> None:
    assert ["patient_id", *derived.columns] == list(PATIENT_COLUMNS)
    assert len(derived) == len(PATIENTS)


@pytest.mark.parametrize(
    ("pid", "status"),
    [
        ("P01", ResponseStatus.RESPONDER),
        ("P02", ResponseStatus.NON_RESPONDER),
        ("P03", ResponseStatus.PENDING),
        ("P04", ResponseStatus.NON_RESPONDER),
        ("P05", ResponseStatus.NON_RESPONDER),
        ("P06", ResponseStatus.NOT_TREATED),
        ("P07", ResponseStatus.RESPONDER),
        ("P08", ResponseStatus.NON_RESPONDER),
    ],
)
def test_response_status(derived: pd.DataFrame, pid: str, status: ResponseStatus) -> None:
    assert derived.loc[pid, "status"] == status.value


@pytest.mark.parametrize(
    ("pid", "best", "first_response", "first_remission"),
    [
        ("P01", "CR", "2024-01-19", "2024-01-26"),
        ("P02", "NR", None, None),
        ("P04", None, None, None),
        ("P05", "NE", None, None),
        ("P07", "CRi", "2024-03-20", "2024-03-20"),
        ("P08", "PR", "2024-01-23", None),
    ],
)
def test_best_response_and_first_dates(
    derived: pd.DataFrame,
    pid: str,
    best: str | None,
    first_response: str | None,
    first_remission: str | None,
) -> None:
    row = derived.loc[pid]
    assert row["best_response"] == best
    assert _day(row["first_response_date"]) == first_response
    assert _day(row["first_remission_date"]) == first_remission


def _day(value: object) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).date().isoformat()  # type: ignore[arg-type]


def test_treatment_order_by_first_dose_then_id(derived: pd.DataFrame) -> None:
    """First doses: P07 01-04, P01 01-05, P04 01-06, P05 01-07, P02 = P03 01-08 (id
    breaks the tie), P08 01-09; P06 untreated has no rank."""
    order = derived["treatment_order"].dropna().sort_values()
    assert list(order.index) == ["P07", "P01", "P04", "P05", "P02", "P03", "P08"]
    assert pd.isna(derived.loc["P06", "treatment_order"])


def test_stage1_cohort_is_first_n1_treated() -> None:
    """With n1 = 3 the stage-1 cohort is P07, P01, P04 (first three by first dose); two
    responders (P07, P01) and one non-responder (P04)."""
    result = derive(DATA, _with_stage1(PROTOCOL, 3, 6))
    assert result.stage1_ids == ("P07", "P01", "P04")
    assert result.stage1 == ResponseCounts(responders=2, non_responders=1, pending=0)
    assert result.simon_cohort == ResponseCounts(responders=2, non_responders=3, pending=1)
    assert result.overall == ResponseCounts(responders=2, non_responders=4, pending=1)
    assert result.evaluable.enrolled == 8
    assert result.evaluable.treated == 7
    assert result.evaluable.toxicity_evaluable == 7
    assert result.evaluable.efficacy_evaluable == 6


def test_induction_failure_flags_no_remission_by_cycle_2(derived: pd.DataFrame) -> None:
    """P07 remits in cycle 3 (too late), P02/P04/P05/P08 never; P01 remits in cycle 1;
    P03 is pending, so not (yet) a failure; P06 is untreated."""
    failures = set(derived.index[derived["induction_failure"]])
    assert failures == {"P02", "P04", "P05", "P07", "P08"}


def test_status_is_as_of_the_cutoff() -> None:
    """At 2024-01-25 P01 (CR on 01-26) is not yet a responder; P05 died on 01-25 (the
    cut-off is inclusive) so is a non-responder; P02 has no cycle-2 assessment yet."""
    frame = derive_patients(apply_cutoff(DATA, pd.Timestamp("2024-01-25")), PROTOCOL)
    status = frame.set_index("patient_id")["status"]
    assert status["P01"] == ResponseStatus.PENDING.value
    assert status["P05"] == ResponseStatus.NON_RESPONDER.value
    assert status["P02"] == ResponseStatus.PENDING.value


def test_nonresponse_cycle_is_a_protocol_setting() -> None:
    """With non-response after cycle 1, P03 (NR in cycle 1) becomes a non-responder."""
    protocol = dataclasses.replace(
        PROTOCOL, response=dataclasses.replace(PROTOCOL.response, nonresponse_after_cycle=1)
    )
    status = derive_patients(DATA, protocol).set_index("patient_id")["status"]
    assert status["P03"] == ResponseStatus.NON_RESPONDER.value


def test_last_known_alive_is_latest_record_when_last_contact_missing() -> None:
    """P1 has no last contact; its latest record is an AE resolved on 2024-03-01."""
    data = trial(
        [_p("P1", "2024-01-05")],
        [response("P1", "2024-01-20", 1, "CR")],
        [ae("P1", "Nausea", "2024-02-10", resolution_date="2024-03-01", category="GI")],
    )
    frame = derive_patients(data, PROTOCOL)
    assert frame.loc[0, "last_known_alive_date"] == pd.Timestamp("2024-03-01")


def test_monitored_toxicity_rule() -> None:
    """Counted: term match ignoring case/spaces with attribution possible/probable/definite
    and grade >= 1 (protocol toxicity[0]). Not counted: 'unlikely', missing attribution,
    a non-listed term."""
    patients = [_p(f"P{i}", "2024-01-05") for i in range(1, 6)]
    events = [
        ae("P1", " veno-occlusive DISEASE ", "2024-01-20", attribution="possible"),
        ae("P2", "VOD", "2024-01-20", attribution="unlikely"),
        ae("P3", "SOS", "2024-01-20", attribution=None),
        ae("P4", "Hepatic veno-occlusive disease", "2024-01-20", grade=3, attribution="definite"),
        ae("P5", "Hepatotoxicity", "2024-01-20", attribution="definite"),
    ]
    result = derive(trial(patients, (), events), PROTOCOL)
    flags = result.patients.set_index("patient_id")["monitored_toxicity"]
    assert list(flags) == [True, False, False, True, False]
    assert result.toxicity[0].outcomes == (True, False, False, True, False)
    assert result.toxicity[0].events_among_first(3) == 1


def test_minimum_grade_is_a_protocol_setting() -> None:
    rule = PROTOCOL.toxicity[0]
    protocol = dataclasses.replace(PROTOCOL, toxicity=(dataclasses.replace(rule, min_grade=2),))
    events = [ae("P1", "VOD", "2024-01-20", grade=1), ae("P2", "VOD", "2024-01-20", grade=2)]
    result = derive(trial([_p("P1", "2024-01-05"), _p("P2", "2024-01-05")], (), events), protocol)
    assert result.toxicity[0].outcomes == (False, True)


def test_toxicity_outcomes_follow_first_dose_order() -> None:
    """P3 dosed first, then P1 and P2 on the same day (id order); P4 untreated is not
    evaluable. Only P2 has VOD, so outcomes are (False, False, True)."""
    patients = [
        _p("P1", "2024-01-10"),
        _p("P2", "2024-01-10"),
        _p("P3", "2024-01-05"),
        _p("P4", None),
    ]
    result = derive(trial(patients, (), [ae("P2", "VOD", "2024-01-20")]), PROTOCOL)
    assert result.toxicity[0].patient_ids == ("P3", "P1", "P2")
    assert result.toxicity[0].outcomes == (False, False, True)
    assert result.treated_order == ("P3", "P1", "P2")


def test_stage1_order_by_enrollment_and_scope() -> None:
    """stage1_order = enrollment_date and scope {cohort = "A"}: of cohort A (P1, P2, P4),
    enrolled 01-03, 01-01, 01-02, the first two by enrolment are P2 and P4, although P1 is
    dosed first."""
    rows = [
        {
            "patient_id": "P1",
            "enrollment_date": "2024-01-03",
            "first_dose_date": "2024-01-04",
            "cohort": "A",
        },
        {
            "patient_id": "P2",
            "enrollment_date": "2024-01-01",
            "first_dose_date": "2024-01-09",
            "cohort": "A",
        },
        {
            "patient_id": "P3",
            "enrollment_date": "2024-01-01",
            "first_dose_date": "2024-01-02",
            "cohort": "B",
        },
        {
            "patient_id": "P4",
            "enrollment_date": "2024-01-02",
            "first_dose_date": "2024-01-08",
            "cohort": "A",
        },
    ]
    simon = PROTOCOL.simon
    assert isinstance(simon, SimonRule)
    rule = dataclasses.replace(
        simon, n1=2, n=3, stage1_order="enrollment_date", scope={"cohort": "A"}
    )
    result = derive(trial(rows), dataclasses.replace(PROTOCOL, efficacy=(rule,)))
    assert result.stage1_ids == ("P4", "P2")
    assert result.treated_order == ("P3", "P1", "P4", "P2")


def test_unknown_scope_column_is_refused() -> None:
    rule = dataclasses.replace(PROTOCOL.toxicity[0], scope={"colour": "red"})
    with pytest.raises(ValueError, match="unknown patient column 'colour'"):
        derive(DATA, dataclasses.replace(PROTOCOL, toxicity=(rule,)))


def test_column_types_are_stable_with_and_without_rows() -> None:
    """Listings and the database rely on fixed dtypes, also for an empty trial."""
    full = derive_patients(DATA, PROTOCOL)
    empty = derive_patients(apply_cutoff(DATA, pd.Timestamp("2023-01-01")), PROTOCOL)
    assert len(empty) == 0
    assert dict(full.dtypes) == dict(empty.dtypes)
    assert full["treated"].dtype == bool
    assert str(full["first_remission_date"].dtype) == "datetime64[ns]"
