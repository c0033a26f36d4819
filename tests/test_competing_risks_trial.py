"""Relapse and death in remission from a trial's data (``monitoring.derive.relapse``) and
their cumulative incidence (``monitoring.series.incidence``).

A nine-patient trial written out below (two cohorts of the seed-000 protocol): its records
are derived by hand from the dates; the incidence at landmarks is the hand Aalen–Johansen
product of those records; and every curve, variance and Gray's test equals what
``survival cif`` computes from a CSV of the hand records, whose numbers equal R's cmprsk
(tests/test_competing_risks.py, tests/reference/competing_risks_reference.*).
"""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from monitoring.cli import main
from monitoring.derive import derive
from monitoring.protocol import load_protocol
from monitoring.series.incidence import (
    IncidenceView,
    incidence_column,
    incidence_view,
    log_log_interval,
)
from tests.conftest import PROTOCOL_DIR
from tests.derive_frames import response, trial

BASE = load_protocol(PROTOCOL_DIR / "examples" / "peds-ino-two-cohorts.toml")
PROTOCOL = dataclasses.replace(  # landmarks at 1, 2 and 3 months, inside the follow-up
    BASE, survival=dataclasses.replace(BASE.survival, landmarks_months=(1.0, 2.0, 3.0))
)
FIRST_DOSE, REMISSION = "2024-01-01", "2024-02-01"


def _patient(pid: str, cohort: str, **dates: str) -> dict[str, Any]:
    return {
        "patient_id": pid,
        "site": "S1",
        "age": 10,
        "sex": "F",
        "salvage_line": 1,
        "cohort": cohort,
        "dose_level": "1",
        "enrollment_date": "2023-12-20",
        "first_dose_date": FIRST_DOSE,
        "last_contact_date": dates.pop("contact", REMISSION),
        **{f"{k}_date": v for k, v in dates.items()},
    }


PATIENTS = [
    _patient("P1", "1", progression="2024-03-02"),  # relapse, day 30
    _patient("P2", "1", death="2024-04-01"),  # death in remission, day 60
    _patient("P3", "1", progression="2024-05-01", death="2024-06-01"),  # relapse, day 90
    _patient("P4", "1", contact="2024-08-01"),  # censored, day 182
    _patient("P5", "1", progression="2024-02-15"),  # no remission: not in the records
    _patient("P6", "2", progression="2024-03-02", death="2024-03-02"),  # same day: relapse, 30
    _patient("P7", "2", contact="2024-04-01"),  # censored, day 60
    _patient("P8", "2", death="2024-03-12"),  # death in remission, day 40
    _patient("P9", "2", progression="2024-01-20", contact="2024-03-02"),  # censored, day 30
]
RESPONSES = [
    *(response(p, REMISSION, 1, "CR") for p in ("P1", "P2", "P3", "P4", "P6", "P7", "P8")),
    response("P5", REMISSION, 1, "NR"),
    response("P9", REMISSION, 1, "CRi"),  # remission after an earlier progression
]
# (id, days from remission, status): 1 relapse, 2 death in remission, 0 censored
RECORDS = [
    ("P1", 30, 1),
    ("P2", 60, 2),
    ("P3", 90, 1),
    ("P4", 182, 0),
    ("P6", 30, 1),
    ("P7", 60, 0),
    ("P8", 40, 2),
    ("P9", 30, 0),
]
COHORT = {"P1": "1", "P2": "1", "P3": "1", "P4": "1", "P6": "2", "P7": "2", "P8": "2", "P9": "2"}
DAYS_PER_MONTH = PROTOCOL.survival.days_per_month  # 30.4375
TOL = 1e-9


@pytest.fixture(scope="module")
def derived() -> Any:
    return derive(trial(PATIENTS, RESPONSES), PROTOCOL, cutoff=None)


def test_records_follow_the_definition(derived: Any) -> None:
    records = derived.relapse("cohort")
    got = sorted(
        zip(
            records.patient_ids.tolist(),
            records.time.tolist(),
            records.status.tolist(),
            strict=True,
        )
    )
    assert got == [(p, float(t), s) for p, t, s in RECORDS]
    assert [COHORT[p] for p in records.patient_ids] == list(records.groups)


def test_incidence_at_landmarks_by_hand(derived: Any) -> None:
    view = incidence_view(derived, PROTOCOL)
    assert view is not None
    (whole,) = view.groups
    assert (whole.n, whole.relapses, whole.deaths) == (8, 3, 2)
    # All eight: at day 30, 8 at risk, 2 relapses: F1 = 2/8, S = 6/8 (the censored one
    # leaves after); day 40, 5 at risk, a death: F2 = 6/8 * 1/5 = 0.15, S = 0.6; day 60,
    # 4 at risk, a death (and a censoring): F2 += 0.6 * 1/4 = 0.15, S = 0.45; day 90,
    # 2 at risk, a relapse: F1 += 0.45 * 1/2 = 0.225. Landmarks at 30.4, 60.9, 91.3 days.
    assert [a.estimate for a in whole.relapse_at] == pytest.approx([0.25, 0.25, 0.475], abs=TOL)
    assert [a.estimate for a in whole.death_at] == pytest.approx([0.0, 0.3, 0.3], abs=TOL)


def test_incidence_by_cohort_by_hand(derived: Any) -> None:
    view = incidence_view(derived, PROTOCOL, "cohort")
    assert view is not None
    one, two = view.groups
    assert (one.label, two.label) == ("cohort = 1", "cohort = 2")
    # cohort 1: day 30 F1 = 1/4, S = 3/4; day 60 F2 = 3/4 * 1/3, S = 1/2; day 90 F1 += 1/4
    assert [a.estimate for a in one.relapse_at] == pytest.approx([0.25, 0.25, 0.5], abs=TOL)
    assert [a.estimate for a in one.death_at] == pytest.approx([0, 0.25, 0.25], abs=TOL)
    # cohort 2: day 30 F1 = 1/4, S = 3/4 (P9 censored); day 40 F2 = 3/4 * 1/2; last
    # follow-up day 60, so 2 and 3 months (60.9 and 91.3 days) are not estimated
    assert [a.estimate for a in two.relapse_at] == [pytest.approx(0.25, abs=TOL), None, None]
    assert two.death_at[0].estimate == pytest.approx(0.0, abs=TOL)
    assert two.relapse.cif[-1] == pytest.approx(0.25, abs=TOL)
    assert two.death.cif[-1] == pytest.approx(0.375, abs=TOL)


def _cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], grouped: bool) -> dict[str, Any]:
    path = tmp_path / "relapse.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["days", "status", "cohort"])
        w.writerows((t, s, COHORT[p]) for p, t, s in RECORDS)
    months = PROTOCOL.survival.landmarks_months
    times = ",".join(repr(m * DAYS_PER_MONTH) for m in months)
    args = ["survival", "cif", "--csv", str(path), "--time", "days", "--status", "status"]
    args += ["--event-code", "1", "--competing-code", "2", "--times", times, "--json"]
    assert main([*args, "--group", "cohort"] if grouped else args) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


def _same(view: IncidenceView, out: dict[str, Any]) -> None:
    assert len(out["curves"]) == len(view.groups)
    for group, curve in zip(view.groups, out["curves"], strict=True):
        got = [a.estimate for a in group.relapse_at]
        var = [None if a.se is None else a.se**2 for a in group.relapse_at]
        assert [g is None for g in got] == [c is None for c in curve["cif"]]
        for g, v, c, cv in zip(got, var, curve["cif"], curve["var"], strict=True):
            if c is not None:
                assert g == pytest.approx(c, abs=1e-12)
                assert v == pytest.approx(cv, abs=1e-12)


def test_product_equals_survival_cif_on_the_same_records(
    derived: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overall = incidence_view(derived, PROTOCOL)
    assert overall is not None
    _same(overall, _cli(tmp_path, capsys, grouped=False))
    grouped = incidence_view(derived, PROTOCOL, "cohort")
    assert grouped is not None
    out = _cli(tmp_path, capsys, grouped=True)
    _same(grouped, out)
    assert grouped.gray_relapse is not None
    assert grouped.gray_relapse.stat == pytest.approx(out["gray"]["stat"], abs=1e-12)
    assert grouped.gray_relapse.p == pytest.approx(out["gray"]["p"], abs=1e-12)


def test_log_log_interval_by_hand() -> None:
    # F = 0.25, se = 0.1: exp(1.959964 * 0.1 / (0.25 log 0.25)) = exp(-0.565539...)
    low, high = log_log_interval(0.25, 0.1)
    scale = 1.959963984540054 * 0.1 / (0.25 * np.log(0.25))
    assert low == pytest.approx(0.25 ** np.exp(-scale), abs=1e-12)
    assert high == pytest.approx(0.25 ** np.exp(scale), abs=1e-12)
    assert low is not None
    assert high is not None
    assert 0 < low < 0.25 < high < 1
    assert log_log_interval(0.0, 0.0) == (None, None)


def test_split_column_of_each_design() -> None:
    assert incidence_column(BASE) == "cohort"
    randomized = load_protocol(PROTOCOL_DIR / "examples" / "aall1732-randomized.toml")
    assert incidence_column(randomized) == "arm"
    assert incidence_column(load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml")) is None


def test_no_view_without_a_patient_in_remission() -> None:
    nobody = [r for r in RESPONSES if r["patient_id"] == "P5"]
    derived = derive(trial(PATIENTS[4:5], nobody), PROTOCOL)
    assert incidence_view(derived, PROTOCOL) is None


def test_report_image_draws_the_plotly_chart_s_lines(derived: Any) -> None:
    """The report's image and the dashboard's chart draw the same steps, colours, dashes,
    legend and axis ranges (both from ``incidence_lines``)."""
    import matplotlib

    from monitoring.charts.incidence_static import IncidenceChart
    from monitoring.charts.static import _STYLE

    view = incidence_view(derived, PROTOCOL, "cohort")
    assert view is not None
    chart = IncidenceChart(view)
    plotly = chart.plotly()
    with matplotlib.rc_context(_STYLE):
        figure = chart.figure(9.0, chart.height_px / 96, 100)
        figure.canvas.draw()
    (axes,) = figure.axes
    lines = axes.get_lines()
    assert len(lines) == len(plotly.data) == 4  # relapse and death, two cohorts
    for drawn, trace in zip(lines, plotly.data, strict=True):
        assert list(drawn.get_xdata()) == list(trace.x)
        assert list(drawn.get_ydata()) == list(trace.y)
        assert drawn.get_drawstyle() == "steps-post"  # plotly's "hv"
        assert matplotlib.colors.to_hex(drawn.get_color()) == trace.line.color.lower()
        assert (drawn.get_linestyle() == "--") == (trace.line.dash == "dash")
    legend = [t.get_text() for lg in figure.legends for t in lg.get_texts()]
    assert legend == [t.name for t in plotly.data]
    assert legend[0] == "Cohort = 1: relapse (2 of 4)"  # P1 and P3 of P1-P4
    assert axes.get_xlim() == pytest.approx(tuple(plotly.layout.xaxis.range))
    assert axes.get_ylim() == pytest.approx(tuple(plotly.layout.yaxis.range))
    # the curves end at each cohort's last follow-up: day 182 and day 60
    assert plotly.data[0].x[-1] == pytest.approx(182 / DAYS_PER_MONTH)
    assert plotly.data[2].x[-1] == pytest.approx(60 / DAYS_PER_MONTH)
