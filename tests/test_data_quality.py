"""Data-quality findings (docs/methods.md, "Data quality").

Every expected date and day count is a hand calculation from the dates written in the test
with the default ``QualitySettings`` (28-day cycles, 14 days' grace, 120 days pending and
follow-up, 30 days untreated, grade >= 3 AEs open 90 days) and the bundled protocol's
``nonresponse_after_cycle = 2`` (monitoring/protocols/ino-lowdose-ph2.toml, seed 003 section 6).
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import pytest
from derive_frames import ae, response, trial
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.cli import main
from monitoring.data_dictionary import TrialData
from monitoring.data_quality import (
    Finding,
    FindingKind,
    QualityReport,
    QualitySettings,
    Severity,
    quality_findings,
)
from monitoring.db.demo_trial import create_demo_trial
from monitoring.db.engine import open_database
from monitoring.db.reading import load_trial_data
from monitoring.demo import generate
from monitoring.demo.scenarios import Scenario
from monitoring.protocol import DEFAULT_TRIAL_ID, bundled_protocols, load_protocol

PROTOCOL = load_protocol(bundled_protocols()[DEFAULT_TRIAL_ID])
CUT = date(2025, 6, 30)
K = FindingKind


def _patient(pid: str, **kw: Any) -> dict[str, Any]:
    """Enrolled 2025-01-02, first dose 2025-01-06, seen 2025-06-20 unless overridden."""
    row = {
        "patient_id": pid,
        "enrollment_date": "2025-01-02",
        "first_dose_date": "2025-01-06",
        "last_contact_date": "2025-06-20",
    }
    row.update(kw)
    return row


CLEAN = _patient("C1")
CLEAN_RESPONSES = [response("C1", "2025-02-03", 1, "NR"), response("C1", "2025-03-03", 2, "CR")]
CLEAN_AES = [ae("C1", "Sepsis", "2025-02-10", grade=3, resolution_date="2025-02-20")]


def _report(
    patients: list[Mapping[str, Any]],
    responses: list[Mapping[str, Any]] = [],  # noqa: B006 - never mutated
    events: list[Mapping[str, Any]] = [],  # noqa: B006
    cutoff: date = CUT,
) -> QualityReport:
    """Findings of the given patients plus the clean patient C1 (who never adds any)."""
    data = trial([CLEAN, *patients], [*CLEAN_RESPONSES, *responses], [*CLEAN_AES, *events])
    return quality_findings(data, PROTOCOL, cutoff)


def _only(report: QualityReport) -> Finding:
    assert len(report.findings) == 1, report.findings
    return report.findings[0]


def _kinds(report: QualityReport) -> list[tuple[FindingKind, str, date]]:
    return [(f.kind, f.patient_id, f.day) for f in report.findings]


def test_a_clean_trial_has_no_finding_and_zero_counts() -> None:
    report = _report([])
    assert report.findings == ()
    assert report.cutoff == CUT
    assert report.settings == QualitySettings()
    assert set(report.counts) == set(FindingKind)
    assert sum(report.counts.values()) == 0


def test_missing_assessment_is_due_at_the_end_of_cycle_two_plus_grace() -> None:
    # due = first dose 2025-01-06 + 2 * 28 + 14 = 70 days = 2025-03-17
    found = _only(_report([_patient("M1")]))
    assert (found.kind, found.severity) == (K.MISSING_RESPONSE_ASSESSMENT, Severity.WARNING)
    assert (found.patient_id, found.day) == ("M1", date(2025, 3, 17))
    assert (found.table, found.column) == ("responses", "assessment_date")
    assert "2025-03-17" in found.message
    assert "cycle 2" in found.message


def test_missing_assessment_not_yet_due_or_after_leaving_treatment_is_not_a_finding() -> None:
    patients = [
        _patient("M2", first_dose_date="2025-04-21"),  # due 2025-06-30 = cut-off: not overdue
        _patient("M3", off_treatment_date="2025-02-01", off_treatment_reason="toxicity"),
        _patient("M4", death_date="2025-02-01", last_contact_date="2025-02-01"),
    ]
    assert _kinds(_report(patients)) == [(K.OFF_TREATMENT_MISSING, "M4", date(2025, 2, 1))]


def test_assessment_after_the_cut_off_is_ignored() -> None:
    late = [response("M1", "2025-07-10", 1, "CR")]
    assert _kinds(_report([_patient("M1")], late)) == [
        (K.MISSING_RESPONSE_ASSESSMENT, "M1", date(2025, 3, 17))
    ]
    assert _report([_patient("M1")], late, cutoff=date(2025, 7, 31)).findings == ()


def test_pending_long_after_first_dose() -> None:
    # assessed in cycle 1 only, on treatment: pending; 2025-06-30 - 2025-01-06 = 175 days
    found = _only(_report([_patient("P1")], [response("P1", "2025-02-03", 1, "NR")]))
    assert (found.kind, found.patient_id, found.day) == (
        K.PENDING_TOO_LONG,
        "P1",
        date(2025, 1, 6),
    )
    assert "175 days" in found.message
    assert "cycle 1" in found.message
    # first dose 2025-03-02 + 120 days = 2025-06-30, the cut-off itself: not yet too long
    recent = _patient("P2", first_dose_date="2025-03-02")
    assert _report([recent], [response("P2", "2025-03-30", 1, "NR")]).findings == ()


def test_overdue_follow_up_uses_the_last_known_alive_date() -> None:
    patient = _patient(
        "F1",
        enrollment_date="2024-10-01",
        first_dose_date="2024-10-03",
        last_contact_date="2025-01-15",
        off_treatment_date="2024-12-01",
    )
    found = _only(_report([patient], [response("F1", "2024-10-31", 1, "CR")]))
    # 2025-01-15 is before 2025-06-30 - 120 days = 2025-03-02; 166 days before the cut-off
    assert (found.kind, found.day, found.column) == (
        K.OVERDUE_FOLLOW_UP,
        date(2025, 1, 15),
        "last_contact_date",
    )
    assert "166 days" in found.message
    # a later record (an AE onset on 2025-03-05) is a later known-alive date: no finding
    later = [ae("F1", "Fatigue", "2025-03-05", resolution_date="2025-03-06")]
    assert _report([patient], [response("F1", "2024-10-31", 1, "CR")], later).findings == ()
    dead = {**patient, "death_date": "2025-01-20"}
    assert _report([dead], [response("F1", "2024-10-31", 1, "CR")]).findings == ()


def test_first_dose_missing_long_after_enrolment() -> None:
    old = _patient("N1", enrollment_date="2025-05-01", first_dose_date=None)
    new = _patient("N2", enrollment_date="2025-06-15", first_dose_date=None)  # 15 days ago
    found = _only(_report([old, new]))
    assert (found.kind, found.patient_id, found.day) == (
        K.FIRST_DOSE_MISSING,
        "N1",
        date(2025, 5, 1),
    )
    assert (found.table, found.column) == ("patients", "first_dose_date")


def test_assessments_of_a_patient_without_first_dose() -> None:
    untreated = _patient("A1", first_dose_date=None)
    responses = [response("A1", "2025-03-03", 2, "NR"), response("A1", "2025-02-03", 1, "NR")]
    assert _kinds(_report([untreated], responses)) == [
        (K.FIRST_DOSE_MISSING, "A1", date(2025, 1, 2)),
        (K.ASSESSMENT_WITHOUT_FIRST_DOSE, "A1", date(2025, 2, 3)),
    ]


def test_cycle_lower_than_an_earlier_dated_assessment() -> None:
    responses = [
        response("O1", "2025-02-03", 1, "NR"),
        response("O1", "2025-03-03", 3, "NR"),
        response("O1", "2025-03-31", 2, "CR"),  # cycle 2 after cycle 3: the finding
        response("O1", "2025-04-28", 3, "CR"),  # repeated cycle 3: allowed
    ]
    found = _only(_report([_patient("O1")], responses[::-1]))
    assert (found.kind, found.day, found.column) == (K.CYCLE_ORDER, date(2025, 3, 31), "cycle")
    assert "cycle 2" in found.message
    assert "cycle 3" in found.message


def test_progression_or_death_without_off_treatment_date() -> None:
    nr = [response("D1", "2025-02-03", 1, "NR"), response("D1", "2025-03-03", 2, "NR")]
    patients = [
        _patient("D1", progression_date="2025-04-01"),
        _patient("D2", death_date="2025-03-20", last_contact_date="2025-03-20"),
        _patient("D3", progression_date="2025-04-01", off_treatment_date="2025-04-02"),
    ]
    more = [response("D2", "2025-02-03", 1, "NR"), response("D3", "2025-02-03", 1, "NR")]
    report = _report(patients, [*nr, *more])
    assert _kinds(report) == [
        (K.OFF_TREATMENT_MISSING, "D2", date(2025, 3, 20)),
        (K.OFF_TREATMENT_MISSING, "D1", date(2025, 4, 1)),
    ]
    assert report.findings[0].message.startswith("Died")
    assert report.findings[1].message.startswith("Progressed")


def test_off_treatment_before_first_dose() -> None:
    patient = _patient("E1", first_dose_date="2025-01-10", off_treatment_date="2025-01-05")
    found = _only(_report([patient]))
    assert (found.kind, found.day) == (K.OFF_TREATMENT_BEFORE_FIRST_DOSE, date(2025, 1, 5))


def test_response_after_off_treatment_once_per_patient() -> None:
    responses = [
        response("R1", "2025-02-03", 1, "NR"),
        response("R1", "2025-03-03", 2, "CR"),
        response("R1", "2025-03-31", 3, "CR"),
        response("R2", "2025-02-03", 1, "NR"),
        response("R2", "2025-03-03", 2, "NR"),  # a non-response after leaving: no finding
    ]
    off = {"off_treatment_date": "2025-02-10"}
    report = _report([_patient("R1", **off), _patient("R2", **off)], responses)
    found = _only(report)
    assert (found.kind, found.patient_id, found.day) == (
        K.RESPONSE_AFTER_OFF_TREATMENT,
        "R1",
        date(2025, 3, 3),
    )
    assert "CR" in found.message
    assert "2025-02-10" in found.message


def test_transplant_before_first_response() -> None:
    responses = [
        response("H1", "2025-02-03", 1, "NR"),
        response("H1", "2025-03-03", 2, "CR"),
        response("H2", "2025-02-03", 1, "CR"),
    ]
    patients = [_patient("H1", hsct_date="2025-02-15"), _patient("H2", hsct_date="2025-02-15")]
    found = _only(_report(patients, responses))
    assert (found.kind, found.patient_id, found.day) == (
        K.HSCT_BEFORE_RESPONSE,
        "H1",
        date(2025, 2, 15),
    )


def test_unresolved_severe_adverse_events() -> None:
    events = [
        ae("C1", "Febrile neutropenia", "2025-03-01", grade=3),  # open 121 days: finding
        ae("C1", "Nausea", "2025-01-20", grade=2),  # grade 2: none
        ae("C1", "Sepsis", "2025-03-10", grade=5),  # death needs no resolution
        ae("C1", "Fatigue", "2025-04-15", grade=3),  # open 76 days: not yet
        # resolved after the cut-off, so unresolved at it: onset + 90 < cut-off, finding
        ae("C1", "Platelet count decreased", "2025-02-01", grade=4, resolution_date="2025-07-15"),
    ]
    report = _report([], [], events)
    assert _kinds(report) == [
        (K.UNRESOLVED_SEVERE_AE, "C1", date(2025, 2, 1)),
        (K.UNRESOLVED_SEVERE_AE, "C1", date(2025, 3, 1)),
    ]
    assert {f.severity for f in report.findings} == {Severity.INFO}
    assert "121 days" in report.findings[1].message


def test_settings_change_the_expected_timing() -> None:
    # with 60 days' grace the assessment is due on 2025-01-06 + 116 days = 2025-05-02
    strict = QualitySettings(assessment_grace_days=60)
    data = trial([CLEAN, _patient("M1")], CLEAN_RESPONSES)
    found = _only(quality_findings(data, PROTOCOL, CUT, strict))
    assert found.day == date(2025, 5, 2)
    assert quality_findings(data, PROTOCOL, date(2025, 5, 2), strict).findings == ()


ALL_PATIENTS = [
    _patient("M1"),
    _patient("N1", enrollment_date="2025-05-01", first_dose_date=None),
    _patient("D1", progression_date="2025-04-01"),
    _patient("E1", first_dose_date="2025-01-10", off_treatment_date="2025-01-05"),
    _patient("H1", hsct_date="2025-02-15"),
]
ALL_RESPONSES = [
    *CLEAN_RESPONSES,
    response("D1", "2025-02-03", 1, "NR"),
    response("D1", "2025-03-03", 2, "NR"),
    response("H1", "2025-02-03", 1, "NR"),
    response("H1", "2025-03-03", 2, "CR"),
]
ALL_EVENTS = [*CLEAN_AES, ae("H1", "Sepsis", "2025-01-20", grade=3)]


def _all() -> TrialData:
    return trial([CLEAN, *ALL_PATIENTS], ALL_RESPONSES, ALL_EVENTS)


def test_findings_sorted_by_severity_then_date_and_counted_per_kind() -> None:
    report = quality_findings(_all(), PROTOCOL, CUT)
    assert _kinds(report) == [
        (K.OFF_TREATMENT_BEFORE_FIRST_DOSE, "E1", date(2025, 1, 5)),
        (K.HSCT_BEFORE_RESPONSE, "H1", date(2025, 2, 15)),
        (K.MISSING_RESPONSE_ASSESSMENT, "M1", date(2025, 3, 17)),
        (K.OFF_TREATMENT_MISSING, "D1", date(2025, 4, 1)),
        (K.FIRST_DOSE_MISSING, "N1", date(2025, 5, 1)),
        (K.UNRESOLVED_SEVERE_AE, "H1", date(2025, 1, 20)),
    ]
    assert report.counts[K.OFF_TREATMENT_MISSING] == 1
    assert report.counts[K.CYCLE_ORDER] == 0
    assert sum(report.counts.values()) == len(report.findings)
    assert report.by_severity(Severity.INFO) == report.findings[-1:]


@settings(max_examples=20, derandomize=True, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_row_order_of_the_tables_does_not_change_the_findings(seed: int) -> None:
    data = _all()
    rng = random.Random(seed)

    def shuffled(frame: Any) -> Any:
        order = list(range(len(frame)))
        rng.shuffle(order)
        return frame.iloc[order].reset_index(drop=True)

    mixed = TrialData(*(shuffled(f) for f in (data.patients, data.responses, data.adverse_events)))
    assert quality_findings(mixed, PROTOCOL, CUT) == quality_findings(data, PROTOCOL, CUT)


@pytest.mark.parametrize("scenario", [s for s in Scenario if s is not Scenario.LARGE])
def test_demo_scenarios_give_a_small_number_of_findings_on_real_patients(
    scenario: Scenario,
) -> None:
    data = generate(PROTOCOL, scenario, 0)
    report = quality_findings(data, PROTOCOL)
    ids = set(data.patients["patient_id"])
    assert {f.patient_id for f in report.findings} <= ids
    # plausible: well under one finding per patient (the demo data are mostly clean)
    assert len(report.findings) <= len(ids) // 2
    assert all(f.message.endswith(".") for f in report.findings)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = str(tmp_path_factory.mktemp("quality") / "trial.db")
    engine = open_database(url)
    create_demo_trial(engine, "on_track", seed=0, now=datetime(2026, 1, 15, tzinfo=UTC))
    engine.dispose()
    return url


def test_cli_json_equals_the_library_on_the_demo_trial(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["quality", "--db", demo_db, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    expected = quality_findings(generate(PROTOCOL, "on_track", 0), PROTOCOL)
    assert payload["trial"] == DEFAULT_TRIAL_ID
    assert payload["cutoff"] == expected.cutoff.isoformat()
    assert payload["counts"] == {k.value: n for k, n in expected.counts.items()}
    got = [(f["kind"], f["patient_id"], f["date"], f["message"]) for f in payload["findings"]]
    assert got == [
        (f.kind.value, f.patient_id, f.day.isoformat(), f.message) for f in expected.findings
    ]
    assert expected.findings, "the on_track demo has findings to compare"


def test_cli_text_and_cutoff(demo_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["quality", "--db", demo_db, "--cutoff", "2024-06-30"]) == 0
    out = capsys.readouterr().out
    expected = quality_findings(generate(PROTOCOL, "on_track", 0), PROTOCOL, date(2024, 6, 30))
    assert out.startswith(f"Trial {DEFAULT_TRIAL_ID}, cut-off 2024-06-30: {len(expected.findings)}")
    assert all(f.message in out for f in expected.findings)


def test_cli_unknown_trial_is_bad_input(demo_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quality", "--db", demo_db, "--trial", "no-such-trial"]) == 2
    assert "no-such-trial" in capsys.readouterr().err


def test_cli_as_known_on_reads_the_data_stored_then(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # the demo database holds the extracts of the past looks: on 2025-01-01 only an earlier
    # extract was known; the command must report on that one (library on the same rows)
    when = datetime(2025, 1, 1, 23, 59, 59, 999999, tzinfo=UTC)  # a date = end of that day
    engine = open_database(demo_db)
    then = load_trial_data(engine, DEFAULT_TRIAL_ID, when)
    engine.dispose()
    expected = quality_findings(then, PROTOCOL)
    capsys.readouterr()
    assert main(["quality", "--db", demo_db, "--as-known-on", "2025-01-01", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["cutoff"] == expected.cutoff.isoformat()
    assert expected.cutoff < quality_findings(generate(PROTOCOL, "on_track", 0), PROTOCOL).cutoff
    assert [f["message"] for f in payload["findings"]] == [f.message for f in expected.findings]
    assert main(["quality", "--db", demo_db, "--as-known-on", "2000-01-01"]) == 2
    assert "no patient data" in capsys.readouterr().err


def test_the_data_page_names_every_finding_kind_in_words() -> None:
    """The Data page's "Finding" column: no underscore, acronyms in capitals (a DSMB
    reads "unresolved severe AE", not the code "unresolved_severe_ae")."""
    from dashboard.tables import finding_words

    for kind in FindingKind:
        words = finding_words(kind.value)
        assert "_" not in words
        assert " ae" not in f" {words}"
        assert "hsct" not in words
    assert finding_words(FindingKind.UNRESOLVED_SEVERE_AE.value) == "unresolved severe AE"
    assert finding_words(FindingKind.HSCT_BEFORE_RESPONSE.value) == "HSCT before response"
