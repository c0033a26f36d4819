"""Efficacy/Toxicity Summary content: built once from the library's results, written in three
formats and read back (PDF with poppler's pdftotext, DOCX with python-docx, XLSX with
openpyxl). Every number checked here is compared with the library result it must equal;
the protocol-table values (Table 3 boundaries) are quoted with their source."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from dataclasses import astuple
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import get_args

import docx
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.analyses.conduct import accrual, disposition
from monitoring.analyses.labs import hepatotoxicity
from monitoring.analyses.response import response_tables
from monitoring.analyses.safety import RowLevel, ae_tables
from monitoring.analyses.safety_listings import safety_listings
from monitoring.charts import km_figure, toxicity_boundary_figure
from monitoring.charts.conduct import AccrualChart, FlowChart
from monitoring.charts.incidence import incidence_figure
from monitoring.charts.incidence_static import IncidenceChart
from monitoring.charts.labs import edish_figure
from monitoring.charts.labs_static import EdishChart
from monitoring.charts.panels import ChartRow
from monitoring.data_dictionary import TrialData
from monitoring.demo import generate
from monitoring.derive import apply_cutoff, derive
from monitoring.protocol import (
    OPEN_SECTIONS_RANDOMIZED,
    OPEN_SECTIONS_SINGLE_ARM,
    Protocol,
    ProtocolError,
    ReportSection,
    load_protocol,
    parse_protocol,
)
from monitoring.reports.content import (
    STATUS,
    ReportStamp,
    build_report,
    render_report,
    resolve_look,
)
from monitoring.reports.document import (
    Column,
    ColumnKind,
    Paragraph,
    ParagraphStyle,
    RecommendationForm,
    ReportDocument,
    RowStyle,
    Section,
    Status,
    Table,
    VersionLabel,
)
from monitoring.reports.export import ReportFormat, write_reports
from monitoring.reports.formatting import format_cell, joined
from monitoring.series import survival_view, toxicity_path
from monitoring.series.incidence import incidence_view
from monitoring.status import TrialStatus, trial_status
from tests.conftest import PROTOCOL_DIR

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PROTOCOL = load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml")
STAMP = ReportStamp(datetime(2025, 7, 5, 9, 30, tzinfo=UTC), "Trial statistician")


def _build(
    protocol: Protocol,
    data: TrialData,
    cutoff: date | None = None,
    version: VersionLabel = VersionLabel.CLOSED,
    look: int | None = None,
) -> tuple[TrialStatus, ReportDocument]:
    status = trial_status(protocol, derive(data, protocol, cutoff))
    derivation = derive(data, protocol, status.cutoff)
    return status, build_report(status, derivation, stamp=STAMP, version=version, look=look)


@pytest.fixture(scope="module")
def demo() -> TrialData:
    return generate(PROTOCOL, "on_track", seed=0)


@pytest.fixture(scope="module")
def built(demo: TrialData) -> tuple[TrialStatus, ReportDocument]:
    return _build(PROTOCOL, demo)


@pytest.fixture(scope="module")
def files(
    built: tuple[TrialStatus, ReportDocument], tmp_path_factory: pytest.TempPathFactory
) -> dict[ReportFormat, Path]:
    return write_reports(render_report(built[1]), tmp_path_factory.mktemp("summary"), "summary")


def _table(doc: ReportDocument, title: str) -> Table:
    return next(t for t in doc.tables() if t.title.startswith(title))


def _column(table: Table, name: str) -> list[object]:
    index = [c.name for c in table.columns].index(name)
    return [row[index] for row in table.rows]


def _pdf_pages(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True)
    return out.stdout.split("\f")[:-1]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"Page \d+ of \d+", "", text))


# --- content as data ----------------------------------------------------------------------


def _section(doc: ReportDocument, title: str) -> Section:
    return next(s for s in doc.sections if s.title == title)


def _rule_decisions(doc: ReportDocument) -> list[Paragraph]:
    """The rules' decision paragraphs of the status section (after the overall verdict and
    its alerts)."""
    return [
        b
        for b in _section(doc, STATUS).blocks
        if isinstance(b, Paragraph)
        and b.style is ParagraphStyle.DECISION
        and not b.verdict.startswith(("Overall verdict", "Alert ["))
    ]


def test_decisions_come_first_with_the_rules_own_sentences(
    built: tuple[TrialStatus, ReportDocument],
) -> None:
    status, doc = built
    # The DSMB order (monitoring.reports.content.PACK_ORDER); baseline and exposure have no
    # data yet and are left out, not printed empty; the closed version ends with the form.
    assert [s.title for s in doc.sections] == [
        "Status and recommendation",  # tests/test_verdict_outputs.py checks the verdict
        "Disposition",
        "Baseline characteristics",
        "Exposure",
        "Efficacy",
        "Safety",
        "Listings",
        "Methods",
        "Recommendation of the committee",
    ]
    efficacy, toxicity = _rule_decisions(doc)
    assert status.efficacy is not None
    # The rule's name (monitoring.vocabulary), then the rule's own sentence.
    assert efficacy.text == (
        "Efficacy: Hematologic remission (CR + CRp + CRi). " + status.efficacy.explanation
    )
    # the on_track scenario is in stage 2 (test_status); words from monitoring.vocabulary
    assert efficacy.verdict == "Continue to stage 2"
    assert efficacy.status is Status.OK
    assert toxicity.text.endswith(status.toxicity[0].explanation)
    assert toxicity.text.startswith("Toxicity: Any-grade VOD/SOS related to inotuzumab")
    assert toxicity.verdict == "Continue — no toxicity boundary crossed"
    first = doc.sections[0].blocks[0]
    assert first.style is ParagraphStyle.DECISION  # type: ignore[union-attr]
    form = doc.sections[-1].blocks[0]
    assert isinstance(form, RecommendationForm)
    assert [c.word for c in form.choices] == ["continue", "modify", "pause", "stop"]
    assert form.recorded == ""  # nothing recorded for this look yet


def test_efficacy_numbers_equal_the_decision_counts(
    built: tuple[TrialStatus, ReportDocument],
) -> None:
    status, doc = built
    d = status.efficacy
    assert d is not None
    table = _table(doc, "Efficacy decision")
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["Responders"] == (d.stage1.responders, d.overall.responders)
    assert rows["Pending"] == (d.stage1.pending, d.overall.pending)
    # Targets r1 + 1 = 7 and r + 1 = 21 (protocol section 11: r1 = 6 of 18, r = 20 of 48).
    assert rows["Responders needed (target)"] == (7, 21)


def test_disposition_stage1_and_rates_equal_the_library(
    built: tuple[TrialStatus, ReportDocument], demo: TrialData
) -> None:
    status, doc = built
    derivation = derive(demo, PROTOCOL, status.cutoff)
    dispo = dict(_table(doc, "Enrolment and disposition").rows)
    assert dispo["Enrolled"] == status.enrolled == derivation.evaluable.enrolled
    assert dispo["Treated (received any dose)"] == status.treated
    assert dispo["Pending"] == derivation.overall.pending
    stage1 = _table(doc, "Stage-1 tally")
    assert tuple(_column(stage1, "Patient")) == derivation.stage1_ids
    assert len(stage1.rows) == 18  # n1 = 18 (protocol section 11)
    statuses = _column(stage1, "Status")
    assert statuses.count("responder") == derivation.stage1.responders
    rates = _table(doc, "Remission and response rates")
    for row, estimate in zip(rates.rows, (status.remission, status.response), strict=True):
        assert row == (
            estimate.label,
            estimate.x,
            estimate.n,
            estimate.proportion,
            estimate.posterior_mean,
            estimate.credible.low,
            estimate.credible.high,
            estimate.exact.low,
            estimate.exact.high,
        )
    predictive = dict(_table(doc, "Predictive probability").rows)
    assert status.predictive is not None
    assert predictive["Probability of meeting the final criterion"] == (
        status.predictive.probability
    )


def test_best_response_ae_tables_and_listings_are_the_librarys(
    built: tuple[TrialStatus, ReportDocument], demo: TrialData
) -> None:
    status, doc = built
    derivation = derive(demo, PROTOCOL, status.cutoff)
    best = response_tables(derivation, PROTOCOL).overall.best_response
    table = _table(doc, best.title)
    assert _column(table, "Best response") == [r.category for r in best.rows]
    assert _column(table, "Patients") == [r.estimate.x for r in best.rows]
    assert _column(table, "CrI high") == [r.estimate.credible.high for r in best.rows]
    for ae in ae_tables(derivation, PROTOCOL).tables:
        printed = _table(doc, ae.title)
        assert len(printed.rows) == len(ae.rows)
        first = ae.rows[0].cells[0]  # any adverse event, any grade
        assert printed.rows[0][1:5] == (first.x, first.proportion, *astuple(first.credible)[:2])
        # Nested layout (tern's t_ae): the any-event row and each category a header row,
        # each term indented below its category.
        want = [RowStyle.MEMBER if r.level is RowLevel.TERM else RowStyle.GROUP for r in ae.rows]
        assert list(printed.row_styles) == want
        labels = [r.term if r.level is RowLevel.TERM else r.category for r in ae.rows[1:]]
        assert _column(printed, "Category / term")[1:] == labels
        shown = joined(printed)  # as the PDF and DOCX print it: "n (%)" per grade band
        assert [c.name for c in shown.columns][1:3] == ["Any grade n (%)", "95% CrI"]
        any_grade = format_cell(first.proportion, Column("%", ColumnKind.PERCENT))
        assert shown.rows[0][1] == f"{first.x} ({any_grade})"
    listings = safety_listings(derivation, PROTOCOL)
    deaths = _table(doc, listings.deaths.title)
    assert _column(deaths, "Patient") == [r.patient_id for r in listings.deaths.rows]
    serious = _table(doc, listings.serious.title)
    assert len(serious.rows) == len(listings.serious)  # demo: under the listing limit


def test_long_listing_is_complete_and_prints_its_most_recent_rows(demo: TrialData) -> None:
    """The table keeps every event (the XLSX writes them all); the PDF and DOCX print the
    5 latest, with a title and note saying how many of how many and where the rest are."""
    status = trial_status(PROTOCOL, derive(demo, PROTOCOL))
    derivation = derive(demo, PROTOCOL, status.cutoff)
    doc = build_report(status, derivation, stamp=STAMP, listing_limit=5)
    serious = safety_listings(derivation, PROTOCOL).serious
    table = _table(doc, serious.title)
    assert len(table.rows) == len(serious)
    assert _column(table, "Onset") == list(serious.onset_date)
    printed = table.printed()
    assert printed.title == f"{serious.title}: latest 5 of {len(serious)}"
    onsets = _column(printed, "Onset")
    fifth_latest = sorted(serious.onset_date, reverse=True)[4]
    assert len(onsets) == 5
    assert all(d >= fifth_latest for d in onsets)  # type: ignore[operator]
    assert f"the 5 events with the latest dates, of {len(serious)}" in printed.note
    assert f"XLSX workbook of this report lists all {len(serious)}" in printed.note
    full = _table(doc, ae_tables(derivation, PROTOCOL).tables[0].title)
    assert len(full.rows) == len(ae_tables(derivation, PROTOCOL).tables[0].rows)  # complete
    assert full.printed() is full


def test_charts_are_the_dashboards_own(
    built: tuple[TrialStatus, ReportDocument], demo: TrialData
) -> None:
    """Same chart functions on the same results: identical plotly figures (the images are
    drawn from the same numbers: tests/test_report_charts.py)."""
    status, doc = built
    derivation = derive(demo, PROTOCOL, status.cutoff)
    rule = PROTOCOL.toxicity[0]
    path = toxicity_path(rule, derivation.toxicity[0], status.toxicity[0])
    # Disposition (flow, accrual), efficacy (survival), then safety in the meeting pack.
    expected = [
        FlowChart(disposition(derivation, PROTOCOL)).plotly(),
        AccrualChart(accrual(derivation, PROTOCOL)).plotly(),
    ]
    expected += [
        km_figure(survival_view(derivation, PROTOCOL, e)) for e in PROTOCOL.survival.endpoints
    ]
    # Relapse and death in remission, pooled (a single-arm trial), at the report's height.
    relapse = incidence_view(derivation, PROTOCOL)
    assert relapse is not None
    expected.append(incidence_figure(relapse, IncidenceChart(relapse).height_px))
    expected.append(toxicity_boundary_figure(path))
    # The eDISH chart of the demo's laboratory data, at the report's shorter height.
    expected.append(edish_figure(hepatotoxicity(derivation), height=EdishChart.height))
    drawn = []
    for figure in doc.figures():  # Kaplan–Meier charts two to a row: each panel
        chart = figure.figure
        drawn += (
            [c.plotly() for c in chart.charts] if isinstance(chart, ChartRow) else [chart.plotly()]
        )
    assert len(drawn) == len(expected)
    for plotted, chart in zip(drawn, expected, strict=True):
        assert plotted.to_plotly_json() == chart.to_plotly_json()


def test_toxicity_boundaries_reproduce_protocol_table_3(
    built: tuple[TrialStatus, ReportDocument],
) -> None:
    status, doc = built
    table = _table(doc, "Any-grade VOD/SOS")
    # Protocol Table 3: stop if >= 4/8, 6/16, 8/24, 11/32, 12/40; 48 ends the trial.
    assert _column(table, "Evaluable patients") == [8, 16, 24, 32, 40, 48]
    assert _column(table, "Stop if events >=") == [4, 6, 8, 11, 12, None]
    reached = {look.n: look.events for look in status.toxicity[0].looks}
    events = _column(table, "Events among first n")
    assert events == [reached.get(n) for n in (8, 16, 24, 32, 40, 48)]
    assert _column(table, "Boundary crossed")[:3] == ["no", "no", "no"]


def test_monitoring_log_lists_every_scheduled_look(
    built: tuple[TrialStatus, ReportDocument],
) -> None:
    status, doc = built
    log = _table(doc, "Monitoring log")
    assert _column(log, "Evaluable") == [look.evaluable for look in status.looks]
    assert _column(log, "Reached on") == [look.reached_on for look in status.looks]
    # SummaryState.DUE in words (monitoring.vocabulary)
    assert _column(log, "Summary")[:3] == ["Summary due"] * 3


def test_survival_tables_have_every_endpoint(built: tuple[TrialStatus, ReportDocument]) -> None:
    status, doc = built
    medians = _table(doc, "Kaplan–Meier medians")
    assert _column(medians, "Endpoint") == list(PROTOCOL.survival.endpoints)
    os_n = _column(medians, "N")[0]
    assert os_n == status.treated  # OS population: every treated patient (SPEC 4)
    landmarks = _table(doc, "Kaplan–Meier landmark estimates")  # one row per endpoint
    assert _column(landmarks, "Endpoint") == list(PROTOCOL.survival.endpoints)
    months = PROTOCOL.survival.landmarks_months
    assert len(landmarks.columns) == 1 + 3 * len(months)  # survival, CI low, CI high each


def test_methods_page_carries_design_priors_and_audit(
    built: tuple[TrialStatus, ReportDocument],
) -> None:
    _, doc = built
    methods = " ".join(
        b.text
        for b in _section(doc, "Methods").blocks
        if hasattr(b, "text") and isinstance(b.text, str)  # paragraphs only
    )
    assert "p0 = 0.35 against p1 = 0.5" in methods  # protocol section 11
    assert "Beta(0.4, 1.6)" in methods  # toxicity prior, protocol section 11
    assert "Beta(0.5, 0.5)" in methods  # response prior: protocol file setting
    assert "printed figures reproduced" in methods  # Table 3 and 4 are reproduced (audit)
    assert "Difference: Printed power 0.783 differs" in methods  # SPEC 3.1: exact 0.7853
    audit = _table(doc, "Design audit: Simon rule")
    exact = dict(zip(_column(audit, "Characteristic"), _column(audit, "Exact"), strict=True))
    # SPEC 3.1 exact figures: alpha 0.1127, power 0.7853, PET(p0) 0.549, EN(p0) 31.5;
    # compared at the printed precision of the spec.
    assert round(exact["alpha"], 4) == 0.1127  # type: ignore[call-overload]
    assert round(exact["power"], 4) == 0.7853  # type: ignore[call-overload]
    assert round(exact["PET(p0)"], 3) == 0.549  # type: ignore[call-overload]
    assert round(exact["EN(p0)"], 1) == 31.5  # type: ignore[call-overload]


def test_title_block_names_look_cutoff_and_full_digests(
    built: tuple[TrialStatus, ReportDocument],
) -> None:
    status, doc = built
    meta = {row.label: row.value for row in doc.metadata}
    assert meta["Data cut-off"] == status.cutoff.isoformat()
    assert meta["Data digest (SHA-256)"] == status.provenance.data_digest
    assert meta["Protocol digest (SHA-256)"] == PROTOCOL.digest
    assert meta["Look"].startswith("24 evaluable patients (look 3")  # 29 treated: looks 8-24
    assert doc.provenance == status.provenance.line


def test_look_resolution_and_refusals(
    built: tuple[TrialStatus, ReportDocument], demo: TrialData
) -> None:
    status, _ = built
    first = resolve_look(status, 8)
    assert first is not None
    assert first.number == 1
    with pytest.raises(ValueError, match="no scheduled look at 9"):
        resolve_look(status, 9)
    with pytest.raises(ValueError, match="not reached yet"):
        resolve_look(status, 32)
    other = derive(demo, PROTOCOL, status.cutoff - timedelta(days=1))
    with pytest.raises(ValueError, match="differs from the status cut-off"):
        build_report(status, other, stamp=STAMP)


def test_open_version_leaves_out_closed_breakdowns(demo: TrialData) -> None:
    every = get_args(ReportSection)  # an open report of every section: only breakdowns differ
    reporting = dataclasses.replace(PROTOCOL.reporting, open_sections=every)
    protocol = dataclasses.replace(PROTOCOL, closed_by=("site",), reporting=reporting)
    _, closed = _build(protocol, demo, version=VersionLabel.CLOSED)
    _, opened = _build(protocol, demo, version=VersionLabel.OPEN)
    closed_titles = {t.title for t in closed.tables()}
    open_titles = {t.title for t in opened.tables()}
    assert closed_titles - open_titles == {
        "Remission by site (closed)",
        "Kaplan–Meier medians by site (closed)",
    }
    assert not any("(closed)" in title for title in open_titles)
    closed_figures = {f.title for f in closed.figures()} - {f.title for f in opened.figures()}
    endpoints = PROTOCOL.survival.endpoints  # two to a row: "OS by site (left); PFS by ..."
    assert " ".join(sorted(closed_figures)).count(" by site") == len(endpoints)
    for e in endpoints:
        assert any(f"{e} by site" in title for title in closed_figures), e
    by_site = _table(closed, "Remission by site")
    assert sum(_column(by_site, "Treated")) == closed_treated(demo)


def closed_treated(data: TrialData) -> int:
    return derive(data, PROTOCOL).evaluable.treated


def test_past_look_is_reproduced_whatever_came_later(demo: TrialData) -> None:
    """The report of look 2 from all data equals the one from data known up to that day."""
    status = trial_status(PROTOCOL, derive(demo, PROTOCOL))
    look = resolve_look(status, 16)
    assert look is not None
    assert look.reached_on is not None
    _, later = _build(PROTOCOL, demo, cutoff=look.reached_on, look=16)
    _, then = _build(PROTOCOL, apply_cutoff(demo, look.reached_on), cutoff=look.reached_on)
    assert later.tables() == then.tables()
    assert later.decisions() == then.decisions()
    assert later.provenance == then.provenance


@settings(max_examples=8, deadline=None, derandomize=True)
@given(
    scenario=st.sampled_from(["on_track", "futility", "toxicity_stop", "early_success"]),
    days=st.integers(min_value=0, max_value=400),
)
def test_every_cut_gives_a_consistent_report(scenario: str, days: int) -> None:
    """Invariants: one decision per rule, first; stage-1 listing within n1; log complete."""
    data = generate(PROTOCOL, scenario, seed=1)
    first = derive(data, PROTOCOL).patients["enrollment_date"].min().date()
    status, doc = _build(PROTOCOL, data, cutoff=first + timedelta(days=days))
    assert len(_rule_decisions(doc)) == 1 + len(PROTOCOL.toxicity)
    sentences = [p.text for p in _rule_decisions(doc)][1:]
    assert all(d.explanation in p for p, d in zip(sentences, status.toxicity, strict=True))
    assert len(_table(doc, "Stage-1 tally").rows) <= 18  # n1 (protocol section 11)
    assert len(_table(doc, "Monitoring log").rows) == len(status.looks)


# --- the three files, read back -------------------------------------------------------------


def test_pdf_carries_decisions_numbers_digest_and_label_on_every_page(
    built: tuple[TrialStatus, ReportDocument], files: dict[ReportFormat, Path]
) -> None:
    status, _ = built
    pages = _pdf_pages(files[ReportFormat.PDF])
    text = _squash(" ".join(pages))
    assert status.efficacy is not None
    assert _squash(status.efficacy.explanation) in text
    assert _squash(status.toxicity[0].explanation) in text
    assert status.provenance.data_digest in text
    for page in pages:
        assert "CLOSED version" in page
        assert status.provenance.data_digest[:12] in page
    remission = status.remission
    assert f"{remission.credible.low:.1%}" in text  # PERCENT columns: 1 decimal
    assert f"{status.toxicity[0].posterior_prob:.4f}" in text


def test_pdf_charts_are_at_least_200_dpi(
    built: tuple[TrialStatus, ReportDocument], files: dict[ReportFormat, Path]
) -> None:
    listing = subprocess.run(
        ["pdfimages", "-list", str(files[ReportFormat.PDF])],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()[2:]
    images = [line for line in listing if line.split()[2] == "image"]  # not alpha masks
    assert len(images) == len(built[1].figures())
    for line in images:
        x_ppi, y_ppi = (int(v) for v in line.split()[12:14])
        assert min(x_ppi, y_ppi) >= 200, line


def test_pdf_pages_rendered_for_visual_check(files: dict[ReportFormat, Path]) -> None:
    """Page images at 60 dpi in tests/artifacts/ (looked at after a content change)."""
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("summary-page-*.png"):
        old.unlink()
    prefix = ARTIFACTS / "summary-page"
    pdf = files[ReportFormat.PDF]
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(prefix)], check=True)
    assert len(list(ARTIFACTS.glob("summary-page-*.png"))) == len(_pdf_pages(pdf))


def test_docx_paragraphs_and_tables_read_back(
    built: tuple[TrialStatus, ReportDocument], files: dict[ReportFormat, Path]
) -> None:
    status, _ = built
    word = docx.Document(str(files[ReportFormat.DOCX]))
    text = "\n".join(p.text for p in word.paragraphs)
    assert status.efficacy is not None
    assert status.efficacy.explanation in text
    assert status.toxicity[0].explanation in text
    cells = [[c.text for c in row.cells] for table in word.tables for row in table.rows]
    assert ["Enrolled", str(status.enrolled)] in cells
    assert any(row[:3] == ["1", "8", look_day(status)] for row in cells)
    assert "CLOSED version" in word.sections[0].header.paragraphs[0].text


def look_day(status: TrialStatus) -> str:
    day = status.looks[0].reached_on
    assert day is not None
    return day.isoformat()


def _holds(values: set[object], number: float) -> bool:
    """Spreadsheet cells keep about 16 significant digits (Excel 15, openpyxl's float text
    16-17), so a number read back is equal to within a relative 1e-14."""
    return any(
        isinstance(v, float) and v == pytest.approx(number, rel=1e-14, abs=0) for v in values
    )


def test_xlsx_cells_hold_the_library_numbers(
    built: tuple[TrialStatus, ReportDocument], files: dict[ReportFormat, Path]
) -> None:
    status, _ = built
    book = openpyxl.load_workbook(files[ReportFormat.XLSX])
    values = {cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row}
    assert _holds(values, status.remission.credible.low)  # numbers stay numbers
    assert _holds(values, status.remission.exact.high)
    assert _holds(values, status.toxicity[0].posterior_prob)
    assert status.predictive is not None
    assert _holds(values, status.predictive.probability)
    assert any(isinstance(v, str) and status.provenance.data_digest in v for v in values)
    rates = book["Rates"]
    remission = status.remission
    assert [c.value for c in rates[2][:3]] == [remission.label, remission.x, remission.n]
    assert "Monitoring log" in book.sheetnames


def test_open_report_holds_exactly_the_protocol_s_open_sections(demo: TrialData) -> None:
    """The open report is built from ``[reporting.open] sections`` (docs/protocol.md): the
    single-arm default (decisions, pooled rates, safety) leaves out the survival tables and
    charts and the recommendation form; a protocol listing two sections gets those two."""
    assert PROTOCOL.design != "randomized"
    assert PROTOCOL.reporting.open_sections == OPEN_SECTIONS_SINGLE_ARM
    _, closed = _build(PROTOCOL, demo, version=VersionLabel.CLOSED)
    _, opened = _build(PROTOCOL, demo, version=VersionLabel.OPEN)
    titles = [s.title for s in closed.sections]
    assert [s.title for s in opened.sections] == titles[:-1]  # no recommendation form
    assert any("Kaplan" in f.title for f in closed.figures())
    assert not any("Kaplan" in f.title for f in opened.figures())
    assert not any(t.title.startswith("Kaplan") for t in opened.tables())
    text = (PROTOCOL_DIR / "ino-lowdose-ph2.toml").read_text("utf-8")
    listed = parse_protocol(text + '\n[reporting.open]\nsections = ["methods", "toxicity"]\n', "t")
    _, two = _build(listed, demo, version=VersionLabel.OPEN)
    # "toxicity" feeds the safety tables and the listings; "methods" the methods.
    assert [s.title for s in two.sections] == ["Safety", "Listings", "Methods"]


def test_an_unknown_open_section_is_refused_naming_the_key() -> None:
    text = (PROTOCOL_DIR / "ino-lowdose-ph2.toml").read_text("utf-8")
    with pytest.raises(ProtocolError, match=r"reporting\.open\.sections.*unknown value"):
        parse_protocol(text + '\n[reporting.open]\nsections = ["by_arm"]\n', "t")


def test_a_randomized_protocol_pools_arms_in_its_open_report_by_default() -> None:
    randomized = load_protocol(PROTOCOL_DIR / "examples" / "aall1732-randomized.toml")
    assert randomized.reporting.open_sections == OPEN_SECTIONS_RANDOMIZED
    assert "decisions" not in OPEN_SECTIONS_RANDOMIZED
