"""Data-quality findings on the seeded demo trial, with records altered by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pandas as pd
import pytest

from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.derive.cutoff import latest_date
from monitoring.protocol import load_protocol
from monitoring.quality import FindingKind, QualitySettings, quality_findings
from monitoring.tables import TrialData

PROTOCOL = load_protocol("data/protocols/ino-lowdose-ph2.toml")


@pytest.fixture(scope="module")
def data() -> TrialData:
    return generate(PROTOCOL, "on_track", 0)


def test_the_clean_demo_has_no_finding(data: TrialData) -> None:
    """The on-track demo is complete: every treated patient alive past 42 days is assessed
    and followed within 90 days of the cut-off (P014 died on day 6, before any assessment)."""
    assert quality_findings(derive(data, PROTOCOL)) == ()


def test_first_dose_before_enrolment_is_flagged(data: TrialData) -> None:
    patients = data.patients.copy()
    row = patients.index[patients["patient_id"] == "P005"][0]
    patients.loc[row, "first_dose_date"] = patients.loc[row, "enrollment_date"] - pd.Timedelta(
        days=3
    )
    found = quality_findings(derive(replace(data, patients=patients), PROTOCOL))
    order = [f for f in found if f.kind is FindingKind.DATE_ORDER]
    assert [(f.patient_id, f.column) for f in order] == [("P005", "first_dose_date")]
    assert "before enrollment_date" in order[0].message


def test_a_treated_patient_without_assessment_is_flagged(data: TrialData) -> None:
    """P007 is alive and treated long before the cut-off; its assessments are removed."""
    responses = data.responses.loc[data.responses["patient_id"] != "P007"]
    found = quality_findings(derive(replace(data, responses=responses), PROTOCOL))
    assert [(f.kind, f.patient_id) for f in found] == [(FindingKind.MISSING_ASSESSMENT, "P007")]


def test_every_living_patient_is_overdue_half_a_year_after_the_data(data: TrialData) -> None:
    """Cut 200 days after the latest record: nobody has news within 90 days, so each patient
    alive at the cut-off is overdue (hand count: patients without a death date)."""
    cutoff = latest_date(data) + timedelta(days=200)
    found = quality_findings(derive(data, PROTOCOL, cutoff))
    overdue = {f.patient_id for f in found if f.kind is FindingKind.OVERDUE_FOLLOW_UP}
    alive = set(data.patients.loc[data.patients["death_date"].isna(), "patient_id"])
    assert overdue == alive
    longer = quality_findings(derive(data, PROTOCOL, cutoff), QualitySettings(follow_up_days=365))
    assert not [f for f in longer if f.kind is FindingKind.OVERDUE_FOLLOW_UP]


def test_settings_refuse_empty_windows() -> None:
    with pytest.raises(ValueError, match="assessment_days must be at least 1 day"):
        QualitySettings(assessment_days=0)
