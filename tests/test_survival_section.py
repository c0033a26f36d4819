"""The report's survival section: which tables it prints for a trial, from the library's
results (the numbers themselves are checked against R and hand calculations in
tests/test_survival*.py and tests/test_competing_risks*.py)."""

from __future__ import annotations

import dataclasses

import pytest

from monitoring.data_dictionary import TrialData
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.protocol import Protocol, load_protocol
from monitoring.reports.document import Table
from monitoring.reports.survival_section import survival_section
from tests.conftest import PROTOCOL_DIR

RANDOMIZED = load_protocol(PROTOCOL_DIR / "examples" / "aall1732-randomized.toml")


@pytest.fixture(scope="module")
def randomized_data() -> TrialData:
    return generate(RANDOMIZED, "on_track", seed=0)


def _titles(protocol: Protocol, data: TrialData, closed: tuple[str, ...]) -> list[str]:
    section = survival_section(derive(data, protocol), protocol, closed)
    return [b.title for b in section.blocks if isinstance(b, Table)]


def test_aall1732_declares_landmarks_at_one_two_and_three_years() -> None:
    assert RANDOMIZED.survival.landmarks_months == (12.0, 24.0, 36.0)


def test_no_landmark_table_without_protocol_landmarks(randomized_data: TrialData) -> None:
    with_landmarks = _titles(RANDOMIZED, randomized_data, ())
    assert "Kaplan–Meier landmark estimates" in with_landmarks
    none = dataclasses.replace(
        RANDOMIZED, survival=dataclasses.replace(RANDOMIZED.survival, landmarks_months=())
    )
    assert "Kaplan–Meier landmark estimates" not in _titles(none, randomized_data, ())
