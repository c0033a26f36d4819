"""The dose-escalation view's library pieces: the operating-characteristics frame
(``monitoring.series.dose_finding``) and the path chart (``monitoring.charts.dose_finding``).

Expected numbers are derived by hand from the design rules (docs/methods.md, "Dose
finding"), in cases small enough to enumerate on paper.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import pytest

from monitoring.charts.dose_finding import dose_path_figure
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.protocol import DoseFindingRule, Protocol, bundled_protocol, load_protocol
from monitoring.series.dose_finding import (
    DoseEscalationView,
    dose_escalation_views,
    levels_by_dose,
    oc_frame,
    oc_note,
    operating_characteristics,
)
from monitoring.status import trial_status

PEDS, PH1B2 = "peds-ino-two-cohorts", "ino-liposomal-vcr-ph1b2"


@cache
def _views(name: str, scenario: str) -> tuple[DoseEscalationView, ...]:
    protocol = load_protocol(bundled_protocol(name))
    return dose_escalation_views(
        trial_status(protocol, derive(generate(protocol, scenario, seed=0), protocol))
    )


def _two_levels(method: str, rates: tuple[float, ...]) -> tuple[DoseEscalationView, Protocol]:
    """Seed 001's dose rule cut to levels 1 and 2, two cohorts of 3, one scenario."""
    protocol = load_protocol(bundled_protocol(PH1B2))
    rule = protocol.dose_finding[0]
    assert isinstance(rule, DoseFindingRule)
    rule = replace(
        rule, method=method, levels=("1", "2"), start="1", ncohort=2, oc_scenarios=(rates,)
    )
    view = replace(
        _views(PH1B2, "on_track")[0],
        method="3+3" if method == "3+3" else "BOIN",
        levels=rule.levels,
        oc=operating_characteristics(rule),
    )
    return view, replace(protocol, dose_finding=(rule,))


def _rows(view: DoseEscalationView, protocol: Protocol) -> list[tuple[str, ...]]:
    frame = oc_frame(view, protocol)
    columns = ["Dose level", "Selected as MTD", "Patients (mean)", "DLTs (mean)"]
    return [tuple(str(v) for v in row) for row in frame[columns].itertuples(index=False)]


def test_three_plus_three_oc_frame_is_the_exact_enumeration() -> None:
    """True rates 0 and 0.5. Level 1 is 0/3: escalate. At level 2, k ~ Bin(3, 1/2) DLTs:
    k = 0 (1/8) expands the top dose to 6 and keeps it if at most 1 more DLT (1/2), else
    de-escalates; k = 1 (3/8) expands to 6 and keeps it only if 0 more (1/8); k >= 2 (1/2)
    de-escalates. Every de-escalation expands level 1 to 6 (0/6): MTD level 1. So
    Pr(select 2) = 1/8 x 1/2 + 3/8 x 1/8 = 7/64 = 0.109; mean patients at 2: 6 x 1/2 +
    3 x 1/2 = 4.5, at 1: 3 x 7/64 + 6 x 57/64 = 5.67; DLTs at 2: 1/8 x 1.5 + 3/8 x 2.5 +
    1/2 x E[k | k >= 2] (9/8) = 2.25."""
    view, protocol = _two_levels("3+3", (0.0, 0.5))
    rows = _rows(view, protocol)
    assert rows[:2] == [("1", "0.891", "5.67", "0.00"), ("2", "0.109", "4.50", "2.25")]
    assert rows[2][:3] == ("none", "0.000", "10.2 in all")  # 363/64 + 4.5 = 10.17
    assert view.oc[0].total_dlts == pytest.approx(2.25)  # "2.2" or "2.3": a tie at 1 digit
    assert list(oc_frame(view, protocol)["True DLT rate"][:2]) == ["0.00", "0.50"]
    assert oc_note(view) == "3+3: exact, by enumeration of every outcome."


def test_boin_oc_frame_on_a_certain_scenario_states_its_monte_carlo_error() -> None:
    """True rates 0 and 1, target 0.3, two cohorts of 3: every simulated trial escalates
    after 0/3, sees 3/3 at level 2 (eliminated: Pr(p > 0.3 | Beta(4, 1)) = 1 - 0.3^4 =
    0.992 > 0.95) and selects level 1, so the selection is certain and its Monte Carlo
    standard error sqrt(p(1 - p)/10,000) is 0."""
    view, protocol = _two_levels("boin", (0.0, 1.0))
    assert _rows(view, protocol) == [
        ("1", "1.000 ± 0.000", "3.00", "0.00"),
        ("2", "0.000 ± 0.000", "3.00", "3.00"),
        ("none", "0.000", "6.0 in all", "3.0 in all"),
    ]
    assert oc_note(view) == (
        "BOIN: 10,000 simulated trials per scenario (seed 6); ± is the Monte Carlo standard "
        "error of the selection probability."
    )


def test_levels_are_ordered_by_dose_lowest_first() -> None:
    assert levels_by_dose(("1", "-1", "-2")) == ("-2", "-1", "1")
    assert levels_by_dose(("-1", "1", "2", "3")) == ("-1", "1", "2", "3")
    assert levels_by_dose(("B", "1", "A")) == ("1", "B", "A")  # text keeps its place


def _axis(view: DoseEscalationView) -> tuple[list[str], list[str]]:
    """The chart's y-axis labels bottom up, and the path line's levels in time order."""
    fig = dose_path_figure(view)
    labels = [str(t) for t in fig.layout.yaxis.ticktext]
    assert list(fig.layout.yaxis.tickvals) == list(range(len(labels)))
    return labels, [labels[int(y)] for y in fig.data[0].y]


def test_path_chart_lists_every_level_by_dose_and_a_deescalation_goes_down() -> None:
    """Seed 000 cohort 2 (protocol order 1, -1, -2) de-escalates 1 -> -1 in the on_track
    demo and never reaches -2: the axis still lists -2, lowest dose at the bottom, and the
    path goes down."""
    (view,) = _views(PEDS, "on_track")
    labels, path = _axis(view)
    assert labels == ["-2", "-1", "1"]
    assert path == [p.level for p in sorted(view.path, key=lambda p: (p.day, p.patient_id))]
    rows = [labels.index(level) for level in path]
    assert rows[0] == 2
    assert min(rows) == 1
    assert rows == sorted(rows, reverse=True)  # never back up: a de-escalation only


def test_path_chart_of_an_escalation_keeps_the_protocol_levels_by_dose() -> None:
    """Seed 001 (levels -1, 1, 2, 3, start 1): -1 is never used but has its row."""
    view = _views(PH1B2, "on_track")[0]
    labels, path = _axis(view)
    assert labels == ["-1", "1", "2", "3"]
    assert path[0] == "1"
    assert "3" in path
