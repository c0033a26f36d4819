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
from monitoring.series.arm_comparison import arm_comparison
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


def test_arm_differences_in_the_closed_version_only(randomized_data: TrialData) -> None:
    closed = _titles(RANDOMIZED, randomized_data, ("arm",))
    assert "Kaplan–Meier medians by arm with differences (closed)" in closed
    assert "Kaplan–Meier landmark differences by arm (closed)" in closed
    assert "Kaplan–Meier medians by arm (closed)" not in closed  # replaced, not repeated
    opened = _titles(RANDOMIZED, randomized_data, ())
    assert not any("by arm" in t for t in opened)


def test_arm_landmark_rows_are_the_library_differences(randomized_data: TrialData) -> None:
    derived = derive(randomized_data, RANDOMIZED)
    section = survival_section(derived, RANDOMIZED, ("arm",))
    table = next(
        b
        for b in section.blocks
        if isinstance(b, Table) and b.title.startswith("Kaplan–Meier landmark differences")
    )
    want = []
    for endpoint in RANDOMIZED.survival.endpoints:
        comparison = arm_comparison(derived, RANDOMIZED, endpoint)
        assert comparison is not None
        for c in comparison.comparisons:
            for month, d in zip(comparison.landmark_months, c.landmarks, strict=True):
                want.append(
                    (
                        endpoint,
                        "B − A",
                        month,
                        d.survival_a,
                        d.survival_b,
                        d.difference,
                        d.lower,
                        d.upper,
                    )
                )
    assert list(table.rows) == want
    assert len(want) == 2 * 3  # EFS and OS at 12, 24 and 36 months
