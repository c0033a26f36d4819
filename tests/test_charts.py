"""Charts and the display series behind them, on the seeded demo trial (seed 003 protocol).

Counts are checked against the derivation they come from (the same numbers the decisions
use); design numbers against the protocol tables quoted in each test.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from monitoring.charts import (
    enrolment_figure,
    km_figure,
    posterior_figure,
    responder_path_figure,
    swimmer_figure,
    toxicity_boundary_figure,
    toxicity_posterior_figure,
)
from monitoring.charts.theme import PALETTE
from monitoring.demo import generate
from monitoring.derive import Derivation, derive
from monitoring.protocol import Protocol, load_protocol
from monitoring.series import (
    enrolment_series,
    patient_courses,
    responder_path,
    survival_view,
    toxicity_path,
)
from monitoring.series.courses import CourseEventKind
from monitoring.status import TrialStatus, trial_status

PROTOCOL = "monitoring/protocols/ino-lowdose-ph2.toml"


@pytest.fixture(scope="module")
def protocol() -> Protocol:
    return load_protocol(PROTOCOL)


@pytest.fixture(scope="module")
def trial(protocol: Protocol) -> tuple[Derivation, TrialStatus]:
    data = generate(protocol, "on_track", 0)
    return derive(data, protocol), trial_status(protocol, derive(data, protocol))


def _figures(protocol: Protocol, trial: tuple[Derivation, TrialStatus]) -> dict[str, Any]:
    derived, status = trial
    rule, tox = protocol.primary_toxicity, status.primary_toxicity
    assert rule is not None
    assert tox is not None
    assert protocol.simon is not None
    path = toxicity_path(rule, derived.toxicity[0], tox)
    return {
        "enrolment": enrolment_figure(enrolment_series(derived, protocol)),
        "path": responder_path_figure(responder_path(derived, protocol.simon)),
        "posterior": posterior_figure(status.remission, [("p0", 0.3), ("p1", 0.5)]),
        "swimmer": swimmer_figure(patient_courses(derived, protocol, None)),
        "boundary": toxicity_boundary_figure(path),
        "tox_posterior": toxicity_posterior_figure(path),
        "km": km_figure(survival_view(derived, protocol, "OS")),
        "km_by": km_figure(survival_view(derived, protocol, "PFS", "sex")),
    }


def _colours(value: Any) -> Iterator[str]:
    if isinstance(value, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}|rgba?\(.*\)", value):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _colours(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _colours(v)


def _font_sizes(value: Any) -> Iterator[float]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "size" and isinstance(v, int | float) and "font" in str(value):
                continue
            if k.endswith("font") and isinstance(v, dict) and "size" in v:
                yield v["size"]
            yield from _font_sizes(v)
    elif isinstance(value, list):
        for v in value:
            yield from _font_sizes(v)


def _okabe_ito(colour: str) -> bool:
    """Palette hex, or a palette colour with an opacity (bands, reference lines)."""
    if colour.startswith("#"):
        return colour.upper() in {c.upper() for c in PALETTE} or colour.upper() == "#FFFFFF"
    rgb = tuple(int(v) for v in re.findall(r"\d+", colour)[:3])
    hexes = {tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in PALETTE}
    return rgb in hexes or rgb == (255, 255, 255)


def test_every_chart_uses_only_the_okabe_ito_palette_and_projector_fonts(
    protocol: Protocol, trial: tuple[Derivation, TrialStatus]
) -> None:
    """Issue 6: one colour-blind-safe palette (Okabe & Ito 2008), text >= 14 px."""
    for name, fig in _figures(protocol, trial).items():
        spec = fig.to_plotly_json()
        data_colours = list(_colours(spec["data"]))
        layout = {k: v for k, v in spec["layout"].items() if k != "template"}
        colours = data_colours + [c for c in _colours(layout) if "E5E5E5" not in c]
        bad = [c for c in colours if not _okabe_ito(c)]
        assert not bad, f"{name}: colours outside the palette {bad}"
        sizes = list(_font_sizes(spec["data"])) + list(_font_sizes(layout))
        assert sizes, name
        assert min(sizes) >= 14, f"{name}: font sizes {sorted(set(sizes))}"


def test_every_axis_has_a_title_with_a_unit_or_scale(
    protocol: Protocol, trial: tuple[Derivation, TrialStatus]
) -> None:
    """A DSMB member reads the axes without the legend: titles name the quantity."""
    for name, fig in _figures(protocol, trial).items():
        titles = [
            axis.title.text
            for key in fig.layout
            if key.startswith(("xaxis", "yaxis"))
            for axis in [fig.layout[key]]
            if axis.title.text
        ]
        assert len(titles) >= 2, f"{name}: axis titles {titles}"
        assert fig.layout.title.text, name


def test_responder_path_floors_follow_the_simon_design(
    protocol: Protocol, trial: tuple[Derivation, TrialStatus]
) -> None:
    """SPEC 3.1: n1 = 18, r1 = 6, n = 48, r = 20. Floor at k = r1 + 1 - (n1 - k): the first
    12 patients may all fail (7 - 6 = 1 needed by patient 12, hand calculation), and 7 are
    needed by patient 18; the final floor needs 21 - 20 = 1 by patient 28."""
    derived, status = trial
    assert protocol.simon is not None
    path = responder_path(derived, protocol.simon)
    assert path.stage1_floor[11] == 0
    assert path.stage1_floor[12] == 1
    assert path.stage1_floor[18] == 7
    assert path.final_floor[27] == 0
    assert path.final_floor[28] == 1
    assert path.final_floor[48] == 21
    assert status.efficacy is not None
    assert path.responders[-1] == status.efficacy.overall.responders
    assert path.best[-1] == status.efficacy.overall.responders + status.efficacy.overall.pending
    assert path.responders[17] == status.efficacy.stage1.responders
    fig = responder_path_figure(path)
    drawn = next(t for t in fig.data if t.name == "Responders")
    assert list(drawn.y) == [0, *path.responders]


def test_toxicity_figure_draws_the_table_3_boundaries(
    protocol: Protocol, trial: tuple[Derivation, TrialStatus]
) -> None:
    """Protocol Table 3: stop if >= 4/8, 6/16, 8/24, 11/32, 12/40."""
    derived, status = trial
    rule, tox = protocol.primary_toxicity, status.primary_toxicity
    assert rule is not None
    assert tox is not None
    path = toxicity_path(rule, derived.toxicity[0], tox)
    fig = toxicity_boundary_figure(path)
    boundary = next(t for t in fig.data if t.name.startswith("Stopping boundary"))
    assert list(zip(boundary.x, boundary.y, strict=True)) == [
        (8, 4),
        (16, 6),
        (24, 8),
        (32, 11),
        (40, 12),
    ]
    observed = next(t for t in fig.data if t.name == "Observed events")
    assert observed.y[-1] == tox.events


def test_toxicity_posterior_per_look_matches_r(
    protocol: Protocol, trial: tuple[Derivation, TrialStatus]
) -> None:
    """The demo has 1 event among the first 8: Pr(p > 0.2 | 1/8) under Beta(0.4, 1.6) is
    R: 1 - pbeta(0.2, 1.4, 8.6) = 0.241921069859589 (1e-12: quadrature-free closed form)."""
    derived, status = trial
    rule, tox = protocol.primary_toxicity, status.primary_toxicity
    assert rule is not None
    assert tox is not None
    path = toxicity_path(rule, derived.toxicity[0], tox)
    first = path.looks[0]
    assert (first.n, first.events) == (8, 1)
    assert first.posterior_prob == pytest.approx(0.241921069859589, abs=1e-12)
    bars = toxicity_posterior_figure(path).data[0]
    assert bars.y[0] == pytest.approx(0.241921069859589, abs=1e-12)
    assert len(bars.y) == sum(look.reached for look in path.looks)


def test_km_risk_table_is_the_fit_at_each_column(
    protocol: Protocol, trial: tuple[Derivation, TrialStatus]
) -> None:
    """Number at risk at time 0 is every patient of the population; later columns equal
    the fit's risk set just before each time (R's summary(fit, times) n.risk)."""
    derived, _ = trial
    view = survival_view(derived, protocol, "OS")
    fig = km_figure(view)
    text_rows = [t for t in fig.data if t.mode == "text"]
    assert len(text_rows) == 1
    assert text_rows[0].text[0] == str(view.summary.fit.n)
    fit = view.summary.fit
    for t, shown in zip(view.risk_times, text_rows[0].text, strict=True):
        expected = int((derived.time_to_event("OS").time >= t).sum())
        assert shown == str(expected), t
    assert len(set(text_rows[0].x)) == len(view.risk_times)
    assert fit.n == derived.evaluable.treated


def test_km_split_by_a_column_draws_one_curve_and_risk_row_per_group(
    protocol: Protocol, trial: tuple[Derivation, TrialStatus]
) -> None:
    derived, _ = trial
    view = survival_view(derived, protocol, "PFS", "sex")
    assert [c.label for c in view.curves] == ["sex = F", "sex = M"]
    assert view.log_rank is not None
    assert view.log_rank.p_value is not None
    fig = km_figure(view)
    assert len([t for t in fig.data if t.mode == "text"]) == 2
    assert sum(c.fit.n for c in view.curves) + view.missing_group == view.summary.fit.n


def _step_at(xs: Any, ys: Any, t: float) -> float:
    """The value of a plotly "hv" step line at x = t (the last vertex at or before t)."""
    return float(ys[bisect.bisect_right(list(xs), t) - 1])


@pytest.mark.parametrize("scenario", ["on_track", "large"])
def test_km_curve_band_and_marks_are_the_fit_s_at_every_time(
    protocol: Protocol, scenario: str
) -> None:
    """What is drawn equals the fit at every distinct time although only the vertices are
    sent: the curve and both bounds read off the step lines equal R's columns (survival,
    lower, upper) wherever defined; the band is 1 until the first event (R's log-log
    bounds are NA where S = 1) and never breaks; every censored time has a mark within the
    chart's resolution at its height."""
    derived = derive(generate(protocol, scenario, 0), protocol)
    for by in (None, "sex"):
        view = survival_view(derived, protocol, "PFS", by)
        fig = km_figure(view)
        span = max(float(c.fit.time.max()) for c in view.curves) / view.days_per_month
        for curve in view.curves:
            lower, upper, line, marks = (t for t in fig.data if t.legendgroup == curve.label)
            fit = curve.fit
            assert None not in lower.y
            assert None not in upper.y
            months = fit.time / view.days_per_month
            for i, t in enumerate(months):
                s = fit.survival[i]
                assert _step_at(line.x, line.y, t) == pytest.approx(s)
                lo, up = _step_at(lower.x, lower.y, t), _step_at(upper.x, upper.y, t)
                if s == 1.0:
                    assert lo == up == 1.0
                elif math.isfinite(fit.lower[i]):
                    assert lo == pytest.approx(fit.lower[i])
                    assert up == pytest.approx(fit.upper[i])
            # the marks are one path of vertical ticks: (t, s - h), (t, s + h), gap
            ticks = list(zip(marks.x[0::3], marks.y[0::3], marks.y[1::3], strict=True))
            assert all(x is None for x in marks.x[2::3])
            centres = [(x, (y0 + y1) / 2) for x, y0, y1 in ticks]
            censored = fit.n_censor > 0
            for t, s in zip(months[censored], fit.survival[censored], strict=True):
                near = [abs(mx - t) <= span / 800 and abs(my - s) < 1e-3 for mx, my in centres]
                assert any(near), (t, s)
            if scenario == "large":  # the thinning is real: fewer vertices than times
                assert len(line.x) < len(fit.time)


def test_posterior_figure_marks_p0_and_p1_and_shades_the_credible_interval(
    protocol: Protocol, trial: tuple[Derivation, TrialStatus]
) -> None:
    _, status = trial
    est = status.remission
    fig = posterior_figure(est, [("p0", 0.35), ("p1", 0.5)])
    lines = sorted(shape.x0 for shape in fig.layout.shapes)
    assert lines == [0.35, 0.5]
    band = fig.data[0]
    assert min(band.x) >= est.credible.low
    assert max(band.x) <= est.credible.high
    # the band is drawn on an 800-point grid of step ~1/800: its width is within 3e-3
    width = est.credible.high - est.credible.low
    assert max(band.x) - min(band.x) == pytest.approx(width, abs=3e-3)


def test_enrolment_and_swimmer_count_every_patient(
    protocol: Protocol, trial: tuple[Derivation, TrialStatus]
) -> None:
    derived, status = trial
    series = enrolment_series(derived, protocol)
    assert series.enrolled[-1] == status.enrolled
    assert series.treated[-1] == status.treated
    assert series.planned == (0.0, float(protocol.max_patients or 0))
    # 48 patients at 2 per month of 30.4375 days: 730.5 -> 730 days after the first enrolment
    assert series.planned_dates is not None
    assert (series.planned_dates[1] - series.planned_dates[0]).days == 730
    swim = patient_courses(derived, protocol, None)
    assert len(swim.courses) == status.treated
    deaths = int(derived.patients.loc[derived.patients["treated"], "death_date"].notna().sum())
    marked = sum(e.kind is CourseEventKind.DEATH for c in swim.courses for e in c.events)
    assert marked == deaths
    fig = swimmer_figure(patient_courses(derived, protocol, 10))
    assert len(fig.data[0].y) == 10
    assert "first 10 of" in fig.layout.title.text


def test_swimmer_legend_names_the_protocols_own_response_categories(
    protocol: Protocol, trial: tuple[Derivation, TrialStatus]
) -> None:
    """Expected names from the [response] tables of the two protocol files: the default one
    counts CRp as a remission, the example mrd-ino-ph2 has no CRp."""
    derived, _ = trial
    names = {t.name for t in swimmer_figure(patient_courses(derived, protocol, None)).data}
    assert {"Remission (CR/CRp/CRi)", "Response (PR)", "No response (NR/PD/NE)"} <= names
    example = load_protocol("data/protocols/examples/mrd-ino-ph2.toml")
    names = {t.name for t in swimmer_figure(patient_courses(derived, example, None)).data}
    assert "Remission (CR/CRi)" in names
    assert not any("CRp" in str(n) for n in names)


def test_enrolment_plan_absent_without_a_planned_rate(
    protocol: Protocol, trial: tuple[Derivation, TrialStatus]
) -> None:
    from dataclasses import replace

    derived, _ = trial
    no_plan = replace(protocol, accrual=replace(protocol.accrual, planned_per_month=None))
    series = enrolment_series(derived, no_plan)
    assert series.planned is None
    assert len(enrolment_figure(series).data) == 2
    assert series.cutoff == derived.cutoff
    assert isinstance(series.cutoff, date)


def test_design_boundaries_on_the_z_and_hazard_ratio_scales() -> None:
    """The explorer's charts: bounds at the planned events of each look; on the HR scale
    each bound is exp(-z / sqrt(d / 4)) for 1:1 allocation (z = -log(HR) sqrt(c d),
    c = 1/4), so a higher efficacy z is a hazard ratio further below 1; no futility point
    at the last look."""
    from monitoring.charts import design_boundaries_figure
    from monitoring.designs.group_sequential import (
        DesignSpec,
        SpendingFamily,
        SpendingFunction,
        compute_design,
        planned_events,
    )

    of = SpendingFunction(SpendingFamily.OBRIEN_FLEMING)
    hsd = SpendingFunction(SpendingFamily.HSD, -2.0)
    design = compute_design(DesignSpec(0.025, (0.25, 0.5, 0.75, 1.0), of, 0.2, hsd))
    events = planned_events(design, 0.5)
    z_fig = design_boundaries_figure(design, events, "z")
    hr_fig = design_boundaries_figure(design, events, "hr")
    efficacy_z, futility_z = z_fig.data[0], z_fig.data[1]
    assert list(efficacy_z.x) == pytest.approx(list(events.events_per_look))
    assert list(efficacy_z.y) == pytest.approx([lk.z_efficacy for lk in design.looks])
    assert len(futility_z.x) == 3
    efficacy_hr = hr_fig.data[0]
    expected = [
        math.exp(-lk.z_efficacy / math.sqrt(d / 4.0))
        for lk, d in zip(design.looks, events.events_per_look, strict=True)
    ]
    assert list(efficacy_hr.y) == pytest.approx(expected, rel=1e-12)
    assert all(hr < 1.0 for hr in efficacy_hr.y)
    assert hr_fig.layout.yaxis.type == "log"
    with pytest.raises(ValueError, match="scale"):
        design_boundaries_figure(design, events, "log")
