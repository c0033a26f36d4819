"""Every page in Streamlit's AppTest: what a DSMB member sees, widgets found by key.

Expected decisions and numbers are computed by the library on the same seeded demo data
(the page must show exactly the library's result) or quoted from the protocol tables.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.keys import Key
from monitoring.accounts.events import Event, list_events
from monitoring.analyses.conduct import conduct_tables
from monitoring.analyses.safety import ae_tables
from monitoring.data_quality import derived_findings
from monitoring.db.engine import open_database
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.protocol import load_protocol
from monitoring.reports.export import ReportFormat
from monitoring.rules.efficacy import EfficacyState
from monitoring.series.incidence import incidence_view
from monitoring.status import trial_status
from tests.conftest import PAGES
from tests.signin_support import sign_in
from tests.waits import APP_TIMEOUT

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = load_protocol("monitoring/protocols/ino-lowdose-ph2.toml")


@pytest.fixture(autouse=True)
def _every_test_uses_the_navigation(_navigation_only: None) -> None:
    """Every test here runs app.py's navigation (the fixture is in tests/conftest.py)."""


def _app(
    monkeypatch: pytest.MonkeyPatch, scenario: str = "on_track", page: str | None = None
) -> AppTest:
    monkeypatch.setenv("TRIAL_MONITORING_DB", f"demo:{scenario}")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    sign_in(at.run())
    if page is not None:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _html(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def _cards(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown if "decision-card" in str(m.value))


def _metric(at: AppTest, label: str) -> Any:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_error_and_shows_the_provenance(
    monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    at = _app(monkeypatch, page=page)
    status = trial_status(PROTOCOL, derive(generate(PROTOCOL, "on_track", 0), PROTOCOL))
    captions = [c.value for c in at.caption]
    assert status.provenance.line in captions
    assert at.title, page
    assert any("python -m monitoring" in c.value for c in at.code), page


def test_overview_shows_both_decisions_in_words_with_the_read_aloud_sentences(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = _app(monkeypatch)
    status = trial_status(PROTOCOL, derive(generate(PROTOCOL, "on_track", 0), PROTOCOL))
    cards = _cards(at)
    assert "Continue to stage 2" in cards  # status.efficacy.state is STAGE2
    assert "Continue — no toxicity boundary crossed" in cards
    assert status.efficacy is not None
    assert status.primary_toxicity is not None
    assert status.efficacy.explanation in cards
    assert status.primary_toxicity.explanation in cards
    assert 'data-tone="GO"' in cards
    due = status.summary_due
    assert due is not None
    assert any(f"look {due.number} ({due.evaluable} evaluable" in w.value for w in at.warning)
    log = at.dataframe[0].value
    # one row per scheduled look: every 8 evaluable patients up to 48 (protocol section 11)
    assert list(log["Patients"]) == [8, 16, 24, 32, 40, 48]
    first = status.looks[0]
    counts = f"{first.responders} R / {first.non_responders} NR / {first.pending} pending"
    efficacy, toxicity = (d.name for d in status.decisions)  # a column per rule
    assert log.iloc[0][efficacy] == f"Stage 1 accruing ({counts})"
    # decisions in the cards' words, not state codes: look 1 (8 of 18 treated) was in
    # stage 1, looks 2 and 3 in stage 2
    states = [lk.efficacy_state for lk in status.looks[:3]]
    assert states == [EfficacyState.STAGE1_ACCRUING, EfficacyState.STAGE2, EfficacyState.STAGE2]
    assert [cell.split(" (")[0] for cell in log[efficacy][:3]] == [
        "Stage 1 accruing",
        "Continue to stage 2",
        "Continue to stage 2",
    ]
    assert [cell.split(" (")[0] for cell in log[toxicity][:3]] == ["Continue"] * 3
    assert list(log[efficacy][3:]) == ["—"] * 3  # looks not reached yet


def test_an_earlier_cutoff_reproduces_the_first_look(monkeypatch: pytest.MonkeyPatch) -> None:
    """Setting the sidebar cut-off to the day look 1 was reached shows that day's decision."""
    at = _app(monkeypatch)
    status = trial_status(PROTOCOL, derive(generate(PROTOCOL, "on_track", 0), PROTOCOL))
    first = status.looks[0].reached_on
    assert first is not None
    at.sidebar.date_input(key=Key.CUTOFF).set_value(first).run()
    assert not at.exception
    then = trial_status(PROTOCOL, derive(generate(PROTOCOL, "on_track", 0), PROTOCOL, first))
    assert then.efficacy is not None
    cards = _cards(at)
    assert then.efficacy.explanation in cards
    assert "Stage 1 accruing — continue" in cards  # 8 of 18 treated: stage 1 still accruing
    assert f"cut-off {first.isoformat()}" in " ".join(c.value for c in at.caption)


def test_as_known_on_is_carried_into_the_provenance(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(monkeypatch)
    at.sidebar.date_input(key=Key.AS_KNOWN_ON).set_value(date(2025, 6, 30)).run()
    assert not at.exception
    assert "as known on 2025-06-30T23:59" in " ".join(c.value for c in at.caption)
    assert "--as-known-on 2025-06-30" in at.code[0].value


def test_an_earlier_as_known_on_date_brings_a_later_cutoff_back_to_its_latest_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The demo database imports one extract a week, so data known on an earlier day end
    earlier: a cut-off chosen beyond them falls back to "latest data" of that day, and the
    cards show the decision of that day's data (not an error about the date picker)."""
    monkeypatch.setenv("TRIAL_MONITORING_DB", str(tmp_path / "trial.sqlite"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    sign_in(at.run())
    now = at.session_state[Key.SELECTION]
    at.sidebar.date_input(key=Key.CUTOFF).set_value(now.latest).run()
    assert not any(c.value.startswith("Cut-off: latest data") for c in at.sidebar.caption)
    known_on = now.latest - timedelta(days=60)
    at.sidebar.date_input(key=Key.AS_KNOWN_ON).set_value(known_on).run()
    assert not at.exception, [e.value for e in at.exception]
    then = at.session_state[Key.SELECTION]
    assert then.latest < now.latest  # fewer extracts had been imported by then
    assert then.cutoff == then.latest
    assert f"Cut-off: latest data, {then.latest.isoformat()}" in [
        c.value for c in at.sidebar.caption
    ]
    assert at.sidebar.date_input(key=Key.CUTOFF).value is None


@pytest.mark.parametrize(
    ("scenario", "verdict", "tone"),
    [
        ("futility", "STOP for futility", "STOP"),
        ("toxicity_stop", "STOP for toxicity", "STOP"),
        ("accrual_suspended", "Accrual suspended", "WAIT"),
        ("early_success", "Final efficacy criterion met", "GO"),
    ],
)
def test_overview_colours_each_decision(
    monkeypatch: pytest.MonkeyPatch, scenario: str, verdict: str, tone: str
) -> None:
    """The demo scenarios are built to reach these decisions (monitoring/demo/scenarios.py)."""
    at = _app(monkeypatch, scenario)
    status = trial_status(PROTOCOL, derive(generate(PROTOCOL, scenario, 0), PROTOCOL))
    cards = _cards(at)
    assert verdict in cards
    assert f'data-tone="{tone}"' in cards
    assert status.efficacy is not None
    assert status.efficacy.explanation in cards


def test_efficacy_page_tallies_stage_1_and_shows_both_intervals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = _app(monkeypatch, page="pages/efficacy.py")
    status = trial_status(PROTOCOL, derive(generate(PROTOCOL, "on_track", 0), PROTOCOL))
    assert status.efficacy is not None
    s1 = status.efficacy.stage1
    assert _metric(at, "Responders") == str(s1.responders)
    assert _metric(at, "Non-responders") == str(s1.non_responders)
    assert _metric(at, "Pending") == str(s1.pending)
    rates = at.dataframe[0].value
    rem = status.remission
    row = rates.iloc[0]
    assert row["Patients"] == f"{rem.x} / {rem.n}"
    assert row["Credible interval"] == f"{rem.credible.low:.1%} – {rem.credible.high:.1%}"
    assert row["Exact interval (Clopper–Pearson)"] == f"{rem.exact.low:.1%} – {rem.exact.high:.1%}"
    assert status.predictive is not None
    assert _metric(at, "Reach 21 of 48 responders") == f"{status.predictive.probability:.3f}"
    at.number_input(key=Key.SWIMMER_LIMIT).set_value(10).run()
    assert not at.exception


def test_safety_page_shows_the_posterior_and_the_table_3_boundaries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = _app(monkeypatch, page="pages/safety.py")
    status = trial_status(PROTOCOL, derive(generate(PROTOCOL, "on_track", 0), PROTOCOL))
    tox = status.primary_toxicity
    assert tox is not None
    assert _metric(at, "Pr(p > 0.2 | data)") == f"{tox.posterior_prob:.3f}"
    assert _metric(at, "More events to stop at the next look") == str(tox.events_to_cross_next)
    looks = next(d.value for d in at.dataframe if "Stop if events ≥" in d.value.columns)
    # protocol Table 3: stop if >= 4/8, 6/16, 8/24, 11/32, 12/40
    assert list(looks["Stop if events ≥"]) == ["4", "6", "8", "11", "12"]
    data = generate(PROTOCOL, "on_track", 0)
    tables = ae_tables(derive(data, PROTOCOL), PROTOCOL)
    shown = next(d.value for d in at.dataframe if "Category / term" in d.value.columns)
    first = tables.tables[0].rows[0].cells[0]  # all AEs, any event, any grade
    assert shown.iloc[0]["Category / term"] == "Any adverse event"
    assert shown.iloc[0, 1].startswith(f"{first.x} ({first.proportion:.1%}) [")
    assert f"{first.credible.low:.1%} – {first.credible.high:.1%}" in shown.iloc[0, 1]


def test_survival_page_switches_endpoint_and_splits_with_a_log_rank_test(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = _app(monkeypatch, page="pages/survival.py")
    assert at.selectbox(key=Key.ENDPOINT).value == "OS"
    at.selectbox(key=Key.ENDPOINT).set_value("PFS").run()
    at.selectbox(key=Key.GROUP_BY).set_value("sex").run()
    assert not at.exception
    assert any("Log-rank test" in m.value for m in at.markdown)
    medians = at.dataframe[0].value
    assert list(medians["Curve"]) == ["sex = F", "sex = M"]
    assert "--endpoint PFS --by sex" in at.code[0].value
    landmarks = at.dataframe[1].value
    past = landmarks[landmarks["At risk"] == 0]  # the 36-month landmark: after all follow-up
    assert len(past) > 0
    assert set(past["Survival"]) == {"—"}
    assert set(past["95% CI"]) == {"—"}
    # relapse among patients in remission: the library's incidence at the protocol landmarks
    view = incidence_view(derive(generate(PROTOCOL, "on_track", 0), PROTOCOL), PROTOCOL)
    assert view is not None
    (group,) = view.groups
    shown = next(d.value for d in at.dataframe if "Relapse" in d.value)
    assert list(shown["Landmark (months)"]) == ["6", "12", "36"]  # protocol landmarks
    assert list(shown["Relapse"]) == [
        "—" if a.estimate is None else f"{a.estimate:.1%}" for a in group.relapse_at
    ]


def test_design_page_recomputes_boundaries_when_the_cohort_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = _app(monkeypatch, page="pages/design.py")
    bounds = next(d.value for d in at.dataframe if "Look (patients)" in d.value.columns)
    # protocol Table 3 looks and boundaries
    assert list(bounds["Look (patients)"]) == [8, 16, 24, 32, 40]
    assert list(bounds["Stop if events ≥"]) == ["4", "6", "8", "11", "12"]
    at.number_input(key=Key.TOX_COHORT).set_value(12).run()
    assert not at.exception
    bounds = next(d.value for d in at.dataframe if "Look (patients)" in d.value.columns)
    assert list(bounds["Look (patients)"]) == [12, 24, 36]
    assert any("printed tables reproduced" in m.value for m in at.markdown)


def test_design_page_finds_simon_1989_designs(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(monkeypatch, page="pages/design.py")
    simon = next(d.value for d in at.dataframe if "r1/n1" in d.value.columns)
    # seed 003's nominal rates p0 0.35, p1 0.50, alpha 0.10, beta 0.20, nmax 100: optimal
    # 7/20, 24/58 (clinfun ph2simon convention; tests/test_simon_search.py)
    optimal = simon.loc[simon["Kind"].str.contains("optimal")].iloc[-1]
    assert (optimal["r1/n1"], optimal["r/n"]) == ("7/20", "24/58")
    at.number_input(key=Key.SIMON_P0).set_value(0.10)
    at.number_input(key=Key.SIMON_P1).set_value(0.30)
    at.number_input(key=Key.SIMON_ALPHA).set_value(0.05).run()
    simon = next(d.value for d in at.dataframe if "r1/n1" in d.value.columns)
    optimal = simon.loc[simon["Kind"].str.contains("optimal")].iloc[-1]
    # Simon (1989) Table 1, p0 0.10, p1 0.30, alpha 0.05, beta 0.20: optimal 1/10, 5/29
    assert (optimal["r1/n1"], optimal["r/n"]) == ("1/10", "5/29")
    assert optimal["EN(p0)"] == "15.01"


def test_data_page_applies_an_audited_correction_and_refuses_one_without_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """On a fresh SQLite file the app creates the demo trial, then the statistician corrects
    through it."""
    monkeypatch.setenv("TRIAL_MONITORING_DB", str(tmp_path / "trial.sqlite"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    sign_in(at.run(), "statistician")
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    before = next(c.value for c in at.caption if c.value.startswith("Protocol "))
    at.text_input(key=Key.CORRECTION_KEY).set_value("patient_id=P003")
    at.text_input(key=Key.CORRECTION_COLUMN).set_value("site")
    at.text_input(key=Key.CORRECTION_VALUE).set_value("Site 99")
    submit = "FormSubmitter:correction-Apply correction"
    at.button(key=submit).click().run()
    assert any("a correction needs a reason" in e.value for e in at.error)
    at.text_input(key=Key.CORRECTION_KEY).set_value("patient_id=P003")
    at.text_input(key=Key.CORRECTION_COLUMN).set_value("site")
    at.text_input(key=Key.CORRECTION_VALUE).set_value("Site 99")
    at.text_input(key=Key.CORRECTION_REASON).set_value("site transcribed wrongly")
    at.button(key=submit).click().run()
    assert not at.exception
    assert any("changed from" in s.value and "Site 99" in s.value for s in at.success), [
        e.value for e in [*at.error, *at.success, *at.exception]
    ]
    audit = next(d.value for d in at.dataframe if "Reason" in d.value.columns)
    assert audit.iloc[0]["Reason"] == "site transcribed wrongly"
    assert audit.iloc[0]["New"] == "Site 99"
    assert audit.iloc[0]["Who"] == "statistician"  # the signed-in account, not the login
    log = list_events(open_database(str(tmp_path / "trial.sqlite")), "statistician")
    assert [e.event for e in log if e.event == Event.CORRECTED.value] == ["correction"]
    after = next(c.value for c in at.caption if c.value.startswith("Protocol "))
    assert before != after  # the data digest moved: nothing shown comes from the old data


@pytest.mark.parametrize("name", ["dsmb", "pi"])
def test_data_page_offers_imports_and_corrections_to_the_statistician_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    """A DSMB member or an investigator sees the data-quality findings but no import or
    correction form (the library refuses them too: tests/test_roles.py)."""
    monkeypatch.setenv("TRIAL_MONITORING_DB", str(tmp_path / "trial.sqlite"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    sign_in(at.run(), name)
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("made by the trial's statistician" in i.value for i in at.info)
    assert not any(t.key == Key.CORRECTION_KEY for t in at.text_input)
    assert not any(b.key == Key.IMPORT_BUTTON for b in at.button)
    assert any(s.value.startswith("Data-quality findings") for s in at.subheader)


def test_data_page_lists_the_quality_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page lists the library's findings (monitoring.data_quality) in its order."""
    at = _app(monkeypatch, "on_track", page="pages/data.py")
    data = generate(PROTOCOL, "on_track", 0)
    expected = derived_findings(derive(data, PROTOCOL), PROTOCOL).findings
    assert any(s.value == f"Data-quality findings ({len(expected)})" for s in at.subheader)
    if expected:
        shown = next(d.value for d in at.dataframe if "Severity" in d.value.columns)
        assert list(shown["Patient"]) == [f.patient_id for f in expected]
    else:
        assert any("No finding at this cut-off" in s.value for s in at.success)


def test_data_page_shows_the_analysed_table_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    """The analysed tables are sent one at a time, on request: none at first, then the
    chosen one whole (every adverse event of the derivation at the cut-off)."""
    at = _app(monkeypatch, "on_track", page="pages/data.py")
    before = len(at.dataframe)
    chooser = at.selectbox(key=Key.ANALYSED_TABLE)
    assert chooser.value is None
    data = generate(PROTOCOL, "on_track", 0)
    chooser.set_value("adverse_events").run()
    assert not at.exception
    assert len(at.dataframe) == before + 1
    shown = at.dataframe[-1].value
    assert len(shown) == len(derive(data, PROTOCOL).data.adverse_events)
    assert list(shown.columns) == list(data.adverse_events.columns)


def test_reports_page_generates_and_records_the_due_summary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Generating the summary of the due look records it: the banner goes, the file is
    offered, the reports table lists it (the demo's look 3 at 24 patients is due)."""
    monkeypatch.setenv("TRIAL_MONITORING_DB", str(tmp_path / "trial.sqlite"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    sign_in(at.run())
    at.switch_page("pages/reports.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("look 3 (24 evaluable patients" in w.value for w in at.warning)
    assert at.selectbox(key=Key.REPORT_LOOK).value == 24  # the latest reached look
    at.selectbox(key=Key.REPORT_FORMAT).set_value(ReportFormat.XLSX)
    at.button(key=Key.REPORT_BUTTON).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any("look 3 (24 evaluable patients" in w.value for w in at.warning)
    report = at.session_state[Key.LAST_REPORT]
    assert report.file_name.endswith("-look24-closed.xlsx")
    assert report.content[:2] == b"PK"  # a zip container: an XLSX workbook
    listed = next(d.value for d in at.dataframe if "Signed off" in d.value.columns)
    assert list(listed["Look"]) == [24]
    # the meeting date chosen goes on the cover, as the command's --meeting-date
    at.date_input(key=Key.REPORT_MEETING).set_value(date(2025, 7, 15)).run()
    assert any("--meeting-date 2025-07-15" in c.value for c in at.code)


def test_conduct_page_shows_the_flow_accrual_baseline_and_deaths_of_the_library(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The page shows monitoring.analyses.conduct's numbers for the demo trial (total
    column only: the default protocol has neither arms nor cohorts)."""
    at = _app(monkeypatch, page="pages/conduct.py")
    data = generate(PROTOCOL, "on_track", 0)
    tables = conduct_tables(derive(data, PROTOCOL), PROTOCOL, closed=True)
    assert [t.value for t in at.title] == ["Trial conduct"]
    assert len(at.get("plotly_chart")) == 2  # the flow diagram and accrual against plan
    frames = [d.value for d in at.dataframe]
    flow = next(f for f in frames if "Total" in f.columns and "" in f.columns)
    assert flow.iloc[0].tolist() == ["Enrolled", str(tables.disposition.enrolled)]
    accrual = next(f for f in frames if "Month" in f.columns)
    assert accrual["All sites"].sum() == tables.disposition.enrolled
    baseline = next(f for f in frames if f.columns[-1].startswith("Total (N = "))
    assert baseline.iloc[0, 0] == "Age (years)"
    mortality = next(f for f in frames if "Deaths / patients" in f.columns)
    day30 = tables.deaths.mortality[0]
    assert mortality.iloc[0]["Deaths / patients"] == f"{day30.deaths} / {day30.patients}"
    deaths = next(f for f in frames if "Phase" in f.columns)
    assert len(deaths) == len(tables.deaths.rows)
    assert "--version closed" in at.code[0].value


def test_efficacy_page_shows_seed_002_mrd_rate_and_results_and_nothing_new_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Seed 002 (mrd-ino-ph2): the MRD-negativity rate with both intervals and the MRD
    results per patient, the numbers of ``monitoring.analyses.mrd`` on the same demo data."""
    from monitoring.analyses.mrd import mrd_rule_rates
    from monitoring.cli import main
    from monitoring.protocol import bundled_protocol

    url = str(tmp_path / "mrd.sqlite")
    assert main(["demo", "--db", url, "--protocol", "mrd-ino-ph2"]) == 0
    monkeypatch.setenv("TRIAL_MONITORING_DB", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    sign_in(at.run())
    at.switch_page("pages/efficacy.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    protocol = load_protocol(bundled_protocol("mrd-ino-ph2"))
    data = generate(protocol, "on_track", 0)
    (rates,) = mrd_rule_rates(derive(data, protocol), protocol)
    rate = rates.rates[0].among_evaluable
    assert "MRD-negativity rate" in [h.value for h in at.subheader]
    frame = next(d.value for d in at.dataframe if d.value.iloc[0, 0] == rate.label)
    row = frame.iloc[0]
    assert row["Patients"] == f"{rate.x} / {rate.n}"
    assert row["Credible interval"] == f"{rate.credible.low:.1%} – {rate.credible.high:.1%}"
    assert (
        row["Exact interval (Clopper–Pearson)"] == f"{rate.exact.low:.1%} – {rate.exact.high:.1%}"
    )
    listing = next(d.value for d in at.dataframe if "Negative below %" in d.value.columns)
    assert len(listing) == len(data.mrd_results)
    assert set(listing["Negative"]) == {"yes", "no"}
    default = _app(monkeypatch, page="pages/efficacy.py")
    headers = [h.value for h in default.subheader]
    assert not any("MRD" in h or "cycles" in h or "Transplant" in h for h in headers)


def test_design_page_explores_the_randomized_trials_group_sequential_design(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The group-sequential tab opens on the AALL1732 rule's design (alpha 0.025, power 0.8,
    HR 0.5, O'Brien–Fleming type efficacy, HSD(-2) futility, four looks) and shows what the
    library computes for it: planned and expected events, the bounds per look on both
    scales and both charts; a new hazard ratio recomputes the events."""
    from monitoring.cli import main
    from monitoring.designs.group_sequential import compute_design, planned_events
    from monitoring.protocol import GroupSequentialRule, bundled_protocol
    from monitoring.rules.group_sequential import design_spec

    url = str(tmp_path / "randomized.sqlite")
    assert main(["demo", "--db", url, "--protocol", "aall1732-randomized"]) == 0
    monkeypatch.setenv("TRIAL_MONITORING_DB", url)
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT).run())
    at.switch_page("pages/design.py").run()
    assert not at.exception, [e.value for e in at.exception]
    (rule,) = load_protocol(bundled_protocol("aall1732-randomized")).efficacy
    assert isinstance(rule, GroupSequentialRule)
    design = compute_design(design_spec(rule))
    events = planned_events(design, rule.hazard_ratio, rule.allocation_ratio)
    assert at.number_input(key=Key.GS_HR).value == 0.5
    assert at.selectbox(key=Key.GS_FUTILITY).value == "hsd"
    assert _metric(at, "Planned events") == f"{events.max_events:.1f}" == "70.9"
    assert _metric(at, "Expected events under H1") == f"{events.expected_events_h1:.1f}"
    assert _metric(at, "Expected events under H0") == f"{events.expected_events_h0:.1f}"
    assert _metric(at, "Power") == "0.800"
    looks = next(d.value for d in at.dataframe if "Efficacy HR" in d.value.columns)
    assert list(looks["Events"]) == [f"{d:.1f}" for d in events.events_per_look]
    assert list(looks["Efficacy z"]) == [f"{lk.z_efficacy:.3f}" for lk in design.looks]
    assert looks["Futility z"].iloc[-1] == "—"
    assert len(list(at.get("plotly_chart"))) >= 2
    at.number_input(key=Key.GS_HR).set_value(0.65).run()
    assert not at.exception
    assert _metric(at, "Planned events") == f"{planned_events(design, 0.65).max_events:.1f}"
