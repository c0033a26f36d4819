"""Trial-conduct tables (monitoring/analyses/conduct.py) on a hand-made trial of six
patients whose counts are worked out by hand below, and their report blocks.

The trial, cut at 2025-06-30 (day 0 = first dose):

- P1 arm A, site S1, enrolled 2025-01-05, dosed 01-06, F 30 y, line 1: completed treatment
  (off 03-01), alive, last contact 06-01;
- P2 arm B, S2, enrolled 01-20, dosed 01-21, M 40 y, line 2: died 02-10 (day 20, sepsis)
  with no off-treatment record: off treatment because of death, died on treatment;
- P3 arm A, S1, enrolled 02-03, dosed 02-04, F 50 y, line 1: discontinued (event 03-01,
  "Toxicity"), died 04-20 (day 75, progressive disease) in follow-up;
- P4 arm B, S1, enrolled 02-10, never treated, M 60 y: withdrew consent 02-15;
- P5 arm A, S2, enrolled 03-01, dosed 03-02, sex missing, 70 y: on treatment, last contact
  03-20 (day 18: not followed 30 days);
- P6 arm B, S2, enrolled 03-05, dosed 03-06, F, age missing: off treatment 04-01
  ("Progression"), lost to follow-up 05-01 (day 56).
"""

from __future__ import annotations

import dataclasses
import subprocess
from datetime import UTC, date, datetime
from typing import Any

import docx
import openpyxl
import pytest
from scipy.stats import beta

from monitoring.analyses.conduct import (
    Accrual,
    AccrualMonth,
    accrual,
    baseline_table,
    conduct_tables,
    deaths,
    disposition,
    exposure,
    group_column,
)
from monitoring.analyses.randomization import counts_of, randomization_tables
from monitoring.data_dictionary import (
    ADVERSE_EVENTS,
    BASELINE,
    DISPOSITION,
    EXPOSURE,
    PATIENTS,
    RESPONSES,
    TrialData,
)
from monitoring.derive import Derivation, derive
from monitoring.protocol import Unit, load_protocol
from monitoring.reports.conduct_section import (
    accrual_table,
    baseline_report_table,
    deaths_blocks,
    disposition_blocks,
    exposure_blocks,
    mortality_table,
    site_table,
)
from monitoring.reports.content import ReportStamp, build_report, render_report
from monitoring.reports.document import Figure, RowStyle, Table
from monitoring.reports.export import ReportFormat, write_reports
from monitoring.reports.layout import cell_texts
from monitoring.status import trial_status
from monitoring.wording import counted
from tests.conftest import PROTOCOL_DIR
from tests.derive_frames import frame

PROTOCOL = load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml")
ARMS = dataclasses.replace(
    PROTOCOL, arms=(Unit("A", "Arm A"), Unit("B", "Arm B")), closed_by=("arm",)
)
CUTOFF = date(2025, 6, 30)


def _patient(pid: str, arm: str, site: str, enrolled: str, **kw: Any) -> dict[str, Any]:
    return {"patient_id": pid, "arm": arm, "site": site, "enrollment_date": enrolled, **kw}


PATIENT_ROWS = [
    _patient(
        "P1",
        "A",
        "S1",
        "2025-01-05",
        first_dose_date="2025-01-06",
        sex="F",
        age=30,
        salvage_line=1,
        off_treatment_date="2025-03-01",
        off_treatment_reason="Completed treatment",
        last_contact_date="2025-06-01",
    ),
    _patient(
        "P2",
        "B",
        "S2",
        "2025-01-20",
        first_dose_date="2025-01-21",
        sex="M",
        age=40,
        salvage_line=2,
        death_date="2025-02-10",
        death_cause="Sepsis",
    ),
    _patient(
        "P3",
        "A",
        "S1",
        "2025-02-03",
        first_dose_date="2025-02-04",
        sex="F",
        age=50,
        salvage_line=1,
        death_date="2025-04-20",
        death_cause="Progressive disease",
    ),
    _patient("P4", "B", "S1", "2025-02-10", sex="M", age=60, salvage_line=1),
    _patient(
        "P5",
        "A",
        "S2",
        "2025-03-01",
        first_dose_date="2025-03-02",
        age=70,
        salvage_line=1,
        last_contact_date="2025-03-20",
    ),
    _patient(
        "P6",
        "B",
        "S2",
        "2025-03-05",
        first_dose_date="2025-03-06",
        sex="F",
        salvage_line=1,
        off_treatment_date="2025-04-01",
        off_treatment_reason="Progression",
        last_contact_date="2025-05-01",
    ),
]
EVENTS = [
    {
        "patient_id": "P3",
        "event": "discontinued_treatment",
        "event_date": "2025-03-01",
        "reason": "Toxicity",
    },
    {"patient_id": "P4", "event": "withdrew_consent", "event_date": "2025-02-15"},
    {"patient_id": "P6", "event": "lost_to_follow_up", "event_date": "2025-05-01"},
]
BASELINE_ROWS = [
    {"patient_id": p, "characteristic": "ecog", "value": v}
    for p, v in (("P1", "0"), ("P2", "1"), ("P3", "1"), ("P4", "2"), ("P5", "0"))
] + [
    {"patient_id": p, "characteristic": "marrow_blasts", "value": v, "unit": "%"}
    for p, v in (("P1", "20"), ("P2", "40"), ("P3", "90"))
]


def _cycle(pid: str, cycle: int, start: str, given: float, **kw: Any) -> dict[str, Any]:
    row = {
        "patient_id": pid,
        "cycle": cycle,
        "agent": "InO",
        "start_date": start,
        "planned_dose": 1.8,
        "given_dose": given,
        "unit": "mg/m2",
        "delay_days": 0,
        "reduced": "N",
    }
    return {**row, **kw}


EXPOSURE_ROWS = [
    _cycle("P1", 1, "2025-01-06", 1.8),
    _cycle("P1", 2, "2025-02-03", 1.2, reduced="Y", reason="Hepatotoxicity"),
    _cycle("P1", 3, "2025-03-03", 0.0, reason="Hepatotoxicity"),
    _cycle("P2", 1, "2025-01-21", 1.8),
    _cycle("P3", 1, "2025-02-04", 1.8),
    _cycle("P3", 2, "2025-03-11", 1.8, delay_days=7, reason="Infection"),
    _cycle("P5", 1, "2025-03-02", 1.8),
    _cycle("P6", 1, "2025-03-06", 1.8),
    _cycle("P1", 1, "2025-01-06", 40.0, agent="Dexamethasone", planned_dose=40.0, unit="mg"),
]


@pytest.fixture(scope="module")
def derived() -> Derivation:
    data = TrialData(
        frame(PATIENTS, PATIENT_ROWS),
        frame(RESPONSES, []),
        frame(ADVERSE_EVENTS, []),
        baseline=frame(BASELINE, BASELINE_ROWS),
        exposure=frame(EXPOSURE, EXPOSURE_ROWS),
        disposition_events=frame(DISPOSITION, EVENTS),
    )
    return derive(data, PROTOCOL, CUTOFF)


def test_the_consort_flow_reads_the_treatment_disposition_events(derived: Derivation) -> None:
    """P3 stopped treatment by a discontinued_treatment event only (no off-treatment date):
    the CONSORT flow counts it discontinued for "Toxicity", as the disposition table does.
    By hand: completed P1 (arm A); discontinued P3 (Toxicity, A) and P6 (Progression, B); on
    treatment P2 (B) and P5 (A): the flow does not count a death as off treatment."""
    flow = randomization_tables(derived, ARMS)
    assert flow is not None
    assert counts_of(flow.flow, "Completed treatment") == (1, 0, 1)
    assert counts_of(flow.flow, "Discontinued treatment") == (1, 1, 2)
    assert counts_of(flow.flow, "Toxicity") == (1, 0, 1)
    assert counts_of(flow.flow, "Progression") == (0, 1, 1)
    assert counts_of(flow.flow, "On treatment at the cut-off") == (1, 1, 2)


def test_disposition_counts_each_patient_on_its_path(derived: Derivation) -> None:
    d = disposition(derived, PROTOCOL)
    assert (d.enrolled, d.treated, d.not_treated) == (6, 5, 1)
    # off: P1 completed, P2 death, P3 event "Toxicity", P6 "Progression"; on: P5
    assert (d.on_treatment, d.off_treatment, d.completed) == (1, 4, 1)
    assert sorted(d.discontinued) == [("Death", 1), ("Progression", 1), ("Toxicity", 1)]
    assert dict(d.status) == {
        "In follow-up": 2,  # P1, P5
        "Died": 2,  # P2, P3
        "Withdrew consent": 0,  # P4 withdrew but was never treated
        "Lost to follow-up": 1,  # P6
        "Completed the study": 0,
    }
    assert dict(d.not_treated_status)["Withdrew consent"] == 1
    assert d.table.columns == ("Total",)  # no arms, no cohorts


def test_disposition_by_arm_in_the_closed_view_only(derived: Derivation) -> None:
    closed = disposition(derived, ARMS, closed=True)
    assert closed.table.columns == ("Arm A", "Arm B", "Total")
    assert tuple(counts_of(closed.table, "Enrolled")) == (3, 3, 6)
    assert tuple(counts_of(closed.table, "Not treated")) == (0, 1, 1)  # P4, arm B
    assert tuple(counts_of(closed.table, "Died")) == (1, 1, 2)  # P3 (A), P2 (B)
    opened = disposition(derived, ARMS, closed=False)
    assert opened.table.columns == ("Total",)
    assert group_column(ARMS, closed=False) is None
    assert group_column(dataclasses.replace(ARMS, closed_by=()), closed=False) == "arm"


def test_accrual_by_site_and_month_against_the_plan(derived: Derivation) -> None:
    a = accrual(derived, PROTOCOL)
    assert a.sites == ("S1", "S2")
    assert [m.month for m in a.months] == [f"2025-0{i}" for i in range(1, 7)]  # to cut-off
    assert [m.by_site for m in a.months[:3]] == [(1, 1), (2, 0), (0, 2)]
    assert [m.cumulative for m in a.months] == [2, 4, 6, 6, 6, 6]
    # [accrual] planned_per_month = 2.0: 2 a month from the first month, a month counted whole
    assert [m.planned_cumulative for m in a.months] == [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]
    assert a.site_totals == (3, 3)
    table = accrual_table(a)
    assert table.rows[-1][:4] == ("Total", 3, 3, 6)


def _cells(table: Any, label: str, after: str) -> tuple[str, ...]:
    """The cells of the first row ``label`` after the header row ``after``."""
    labels = [r.label for r in table.rows]
    start = labels.index(after)
    return next(r.cells for r in table.rows[start:] if r.label == label)


def test_baseline_table_as_t_dm(derived: Derivation) -> None:
    t = baseline_table(derived, PROTOCOL)
    assert t.columns == ("Total",)
    assert t.sizes == (6,)
    # ages 30, 40, 50, 60, 70 (P6 missing): mean 50, SD sqrt(250) = 15.8, median 50
    assert _cells(t, "n", "Age (years)") == ("5",)
    assert _cells(t, "Mean (SD)", "Age (years)") == ("50.0 (15.8)",)
    assert _cells(t, "Median (min – max)", "Age (years)") == ("50.0 (30 – 70)",)
    assert _cells(t, "Female", "Sex") == ("3 (50.0%)",)
    assert _cells(t, "Missing", "Sex") == ("1 (16.7%)",)  # P5
    # ECOG in the protocol's order 0, 1, 2, 3; P6 missing; 3 declared though nobody has it
    start = [r.label for r in t.rows].index("ECOG performance status")
    ecog = t.rows[start + 1 : start + 6]
    assert [(r.label, r.cells) for r in ecog] == [
        ("0", ("2 (33.3%)",)),
        ("1", ("2 (33.3%)",)),
        ("2", ("1 (16.7%)",)),
        ("3", ("0 (0.0%)",)),
        ("Missing", ("1 (16.7%)",)),
    ]
    # marrow blasts 20, 40, 90: n 3, median 40
    assert _cells(t, "n", "Marrow blasts at entry (%)") == ("3",)
    assert _cells(t, "Median (min – max)", "Marrow blasts at entry (%)") == ("40.0 (20 – 90)",)
    printed = baseline_report_table(t)
    assert printed.row_styles[:2] == (RowStyle.GROUP, RowStyle.MEMBER)
    assert printed.columns[1].name == "Total (N = 6)"
    # a characteristic's header row has no value of its own: blank, not "–" (missing)
    texts = cell_texts(printed)
    groups = [
        row for row, style in zip(texts, printed.row_styles, strict=True) if style is RowStyle.GROUP
    ]
    assert groups[0] == ["Age (years)", ""]
    assert all(row[1:] == [""] for row in groups)


def test_baseline_per_arm_in_the_closed_view(derived: Derivation) -> None:
    t = baseline_table(derived, ARMS, closed=True)
    assert t.columns == ("Arm A", "Arm B", "Total")
    assert t.sizes == (3, 3, 6)
    # arm A: P1 F, P3 F, P5 missing; arm B: P2 M, P4 M, P6 F
    assert _cells(t, "Female", "Sex") == ("2 (66.7%)", "1 (33.3%)", "3 (50.0%)")
    assert baseline_table(derived, ARMS, closed=False).columns == ("Total",)


def test_exposure_and_dose_intensity(derived: Derivation) -> None:
    ex = exposure(derived)
    assert ex.patients == 5
    # cycles with a dose given: P1 2 (its cycle 3 omitted), P3 2, P2, P5, P6 1 each
    assert ex.cycle_counts == ((1, 3), (2, 2))
    assert (ex.cycles.median, ex.cycles.minimum, ex.cycles.maximum) == (1.0, 1.0, 2.0)
    ino = next(a for a in ex.agents if a.agent == "InO")
    assert (ino.patients, ino.cycles) == (5, 7)
    assert ino.planned == pytest.approx(8 * 1.8)
    assert ino.given == pytest.approx(12.0)  # 6 x 1.8 + 1.2
    assert ino.relative_intensity == pytest.approx(12.0 / 14.4)
    # P1: 3.0 of 5.4 planned; every other patient all of it
    assert ino.patient_intensity.minimum == pytest.approx(3.0 / 5.4)
    assert ino.patient_intensity.median == pytest.approx(1.0)
    assert (ino.delayed, ino.reduced, ino.omitted_cycles, ino.omitted_patients) == (1, 1, 1, 1)
    assert ex.reasons == (("Hepatotoxicity", 2), ("Infection", 1))
    blocks = exposure_blocks(derived)
    assert [b.title for b in blocks if isinstance(b, Table)] == [
        "Cycles received per patient",
        "Exposure and dose intensity by agent",
        "Reasons for delays, reductions and omissions",
    ]


def test_deaths_with_phase_and_early_mortality(derived: Derivation) -> None:
    dead = deaths(derived)
    assert [(r.patient_id, r.day, r.phase) for r in dead.rows] == [
        ("P2", 20, "on treatment"),
        ("P3", 75, "in follow-up"),  # discontinued on 03-01, before the death
    ]
    day30, day60 = dead.mortality
    # 30 days: P2 died (day 20); P1, P3 (died day 75) and P6 (known alive day 56) followed;
    # P5 known alive to day 18 only
    assert (day30.deaths, day30.patients) == (1, 4)
    # 60 days: P6 (day 56) no longer followed long enough
    assert (day60.deaths, day60.patients) == (1, 3)
    # R 4.x: binom.test(1, 4)$conf.int = 0.00630946321 0.80587955032
    assert day30.exact.low == pytest.approx(0.00630946321, abs=1e-10)
    assert day30.exact.high == pytest.approx(0.80587955032, abs=1e-10)
    # R: binom.test(1, 3)$conf.int = 0.00840375866 0.90570067595
    assert (day60.exact.low, day60.exact.high) == pytest.approx((0.00840375866, 0.90570067595))
    table = mortality_table(dead)
    assert table.rows[0][:3] == ("Day 30", 1, 4)
    assert [b.title for b in deaths_blocks(derived) if isinstance(b, Table)][-1] == (
        "Deaths (n = 2)"
    )


@pytest.mark.parametrize(("x", "n"), [(4, 24), (0, 10), (10, 10), (3, 17)])
def test_mortality_interval_is_clopper_pearson(x: int, n: int) -> None:
    """The exact interval: scipy.stats.beta.ppf(0.025, x, n - x + 1) and
    beta.ppf(0.975, x + 1, n - x); R's binom.test(4, 24)$conf.int = 0.04735362661
    0.37384171349 (the demo's four early deaths among 24 treated patients)."""
    from monitoring.estimates.rates import clopper_pearson

    ci = clopper_pearson(x, n, 0.95)
    low = 0.0 if x == 0 else beta.ppf(0.025, x, n - x + 1)
    high = 1.0 if x == n else beta.ppf(0.975, x + 1, n - x)
    assert (ci.low, ci.high) == pytest.approx((low, high), abs=1e-12)
    if (x, n) == (4, 24):
        assert (ci.low, ci.high) == pytest.approx((0.04735362661, 0.37384171349), abs=1e-10)


def test_conduct_tables_bundle_and_empty_exposure(derived: Derivation) -> None:
    bundle = conduct_tables(derived, ARMS, closed=False)
    assert bundle.grouped_by is None
    assert bundle.baseline.columns == ("Total",)
    assert bundle.exposure is None  # agents may tell closed arms apart: closed view only
    assert conduct_tables(derived, ARMS, closed=True).exposure is not None
    assert conduct_tables(derived, PROTOCOL, closed=False).exposure is not None  # no arms
    bare = derive(
        TrialData(frame(PATIENTS, PATIENT_ROWS), frame(RESPONSES, []), frame(ADVERSE_EVENTS, [])),
        PROTOCOL,
        CUTOFF,
    )
    assert exposure(bare).patients == 0
    assert exposure_blocks(bare) == []


@pytest.fixture(scope="module")
def files(derived: Derivation, tmp_path_factory: pytest.TempPathFactory) -> dict[Any, Any]:
    """The closed report of the hand-made trial in the three formats."""
    status = trial_status(PROTOCOL, derived)
    doc = build_report(status, derived, stamp=ReportStamp(datetime(2025, 7, 1, tzinfo=UTC)))
    return {"doc": doc, **write_reports(render_report(doc), tmp_path_factory.mktemp("c"), "c")}


def test_sections_in_pdf_docx_and_xlsx(files: dict[Any, Any]) -> None:
    doc = files["doc"]
    titles = [s.title for s in doc.sections]
    assert titles[1:4] == ["Disposition", "Baseline characteristics", "Exposure"]
    # without arms the diagram holds every count: its table and the accrual by site and
    # month are the figures' data, sheets of the XLSX only
    data = {f.title: f.data.title for f in doc.figures() if f.data is not None}
    assert data == {
        "Patient disposition": "Disposition at the cut-off",
        "Accrual against the plan": "Accrual by site and month",
    }
    expected = {
        "Baseline characteristics": ["Baseline characteristics"],
        "Exposure": [
            "Cycles received per patient",
            "Exposure and dose intensity by agent",
            "Reasons for delays, reductions and omissions",
        ],
        "Safety": ["Early mortality from the first dose", "Deaths (n = 2)"],
    }
    by_section = {
        s.title: [b.title for b in s.blocks if isinstance(b, Table)] for s in doc.sections
    }
    for section, tables in expected.items():
        assert set(tables) <= set(by_section[section]), section
    figures = [f.title for f in doc.figures()]
    assert {"Patient disposition", "Accrual against the plan"} <= set(figures)
    pdf = subprocess.run(
        ["pdftotext", str(files[ReportFormat.PDF]), "-"], check=True, capture_output=True, text=True
    ).stdout
    text = " ".join(pdf.split())
    for tables in expected.values():
        for title in tables:
            assert title in text, title
    assert "Figure 1. Patient disposition" in text
    assert "Disposition at the cut-off" not in text  # the XLSX's
    word = docx.Document(str(files[ReportFormat.DOCX]))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert {"Baseline characteristics", "Exposure"} <= set(headings)
    assert any(h.endswith("Early mortality from the first dose") for h in headings)
    book = openpyxl.load_workbook(files[ReportFormat.XLSX])
    assert {"Accrual", "Baseline", "Exposure", "Early mortality", "Deaths"} <= set(book.sheetnames)
    mortality = list(book["Early mortality"].iter_rows(min_row=2, values_only=True))
    assert mortality[0][:3] == ("Day 30", 1, 4)
    assert mortality[0][4] == pytest.approx(0.00630946321, abs=1e-10)  # a number, not text


def test_disposition_counts_are_printed_per_arm_in_the_closed_report(derived: Derivation) -> None:
    closed = disposition_blocks(derived, ARMS, closed=True)
    assert isinstance(closed[0], Figure)
    assert closed[0].data is None  # the diagram has totals only: the table is printed
    assert isinstance(closed[1], Table)
    assert closed[1].title == "Disposition at the cut-off (closed)"
    opened = disposition_blocks(derived, ARMS, closed=False)
    assert isinstance(opened[0], Figure)
    assert opened[0].data is not None  # pooled: every count is in the diagram
    printed = [b.title for b in opened if isinstance(b, Table)]
    assert printed == [f"Accrual by site ({counted(len(accrual(derived, ARMS).sites), 'site')})"]


def test_a_front_line_trial_shows_no_salvage_line() -> None:
    """AALL1732 is front-line: its demo records no salvage line and the protocol names none
    (no subgroup, no stratum), so the baseline table has no "Salvage line" row (it printed
    "Missing 200 (100%)"); seed 003, relapsed/refractory, keeps it (a survival subgroup)."""
    from monitoring.demo import generate
    from monitoring.protocol import bundled_protocol

    aall = load_protocol(bundled_protocol("aall1732-randomized"))
    data = generate(aall, "on_track", seed=0)
    assert data.patients["salvage_line"].isna().all()
    rows = [r.label for r in baseline_table(derive(data, aall), aall).rows]
    assert "Salvage line" not in rows
    assert "Risk group" in rows
    default = load_protocol(bundled_protocol("ino-lowdose-ph2"))
    assert "salvage_line" in default.survival.subgroups
    rows = [r.label for r in baseline_table(derive(data, default), default).rows]
    assert "Salvage line" in rows


def test_the_reports_accrual_by_site_has_each_sites_total_and_months() -> None:
    """Three sites over three months (hand-made): S1 enrols 1 in 2024-01 and 2 in 2024-03,
    S2 1 in 2024-03, S3 nobody; so S1 3 patients 2024-01 to 2024-03, S2 1 in 2024-03
    only, S3 0 with no months, all sites 4 from 2024-01 to 2024-03."""
    months = (
        AccrualMonth("2024-01", (1, 0, 0), 1, 1, None),
        AccrualMonth("2024-02", (0, 0, 0), 0, 1, None),
        AccrualMonth("2024-03", (2, 1, 0), 3, 4, None),
    )
    enrolment = Accrual("2024-03-31", ("S1", "S2", "S3"), months, (3, 1, 0), None, None)
    table = site_table(enrolment)
    assert table.title == "Accrual by site (3 sites)"
    assert [c.name for c in table.columns] == [
        "Site", "Patients", "First enrolment", "Last enrolment",
    ]  # fmt: skip
    assert table.rows == (
        ("S1", 3, "2024-01", "2024-03"),
        ("S2", 1, "2024-03", "2024-03"),
        ("S3", 0, None, None),
        ("All sites", 4, "2024-01", "2024-03"),
    )
