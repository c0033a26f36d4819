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
from monitoring.series.incidence import incidence_view
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


def _incidence_table(protocol: Protocol, data: TrialData, closed: tuple[str, ...]) -> Table:
    section = survival_section(derive(data, protocol), protocol, closed)
    return next(
        b
        for b in section.blocks
        if isinstance(b, Table) and b.title.startswith("Cumulative incidence of relapse")
    )


def test_relapse_incidence_by_arm_in_the_closed_version(randomized_data: TrialData) -> None:
    table = _incidence_table(RANDOMIZED, randomized_data, ("arm",))
    view = incidence_view(derive(randomized_data, RANDOMIZED), RANDOMIZED, "arm")
    assert view is not None
    want = [
        (f"{g.label} (n = {g.n})", r.months, r.estimate, r.lower, r.upper, d.estimate)
        for g in view.groups
        for r, d in zip(g.relapse_at, g.death_at, strict=True)
    ]
    assert [row[:6] for row in table.rows] == want
    assert view.gray_relapse is not None
    assert f"p = {view.gray_relapse.p:.3f}" in table.note


def test_relapse_incidence_pooled_in_the_open_version(randomized_data: TrialData) -> None:
    table = _incidence_table(RANDOMIZED, randomized_data, ())
    n = derive(randomized_data, RANDOMIZED).relapse().n  # every patient in remission
    assert {row[0] for row in table.rows} == {f"All patients in remission (n = {n})"}
    assert "Gray's test" not in table.note  # no test across arms in the open version
