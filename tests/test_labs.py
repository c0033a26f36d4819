"""Laboratory values (issue 17): CTCAE v5.0 grading at the grade edges, shift tables on a
hand-made frame, eDISH quadrants, SOS/VOD criteria, the Laboratory page and the report's
laboratory part in PDF, DOCX and XLSX.

Grade edges are quoted from CTCAE v5.0 (NCI, 27 November 2017): "Blood bilirubin increased"
>ULN - 1.5 x ULN (1), >1.5 - 3.0 (2), >3.0 - 10.0 (3), >10.0 x ULN (4); "Alanine / Aspartate
aminotransferase increased" >ULN - 3.0 (1), >3.0 - 5.0 (2), >5.0 - 20.0 (3), >20.0 x ULN
(4); "Alkaline phosphatase increased" >ULN - 2.5 (1), >2.5 - 5.0 (2), >5.0 - 20.0 (3), >20.0
x ULN (4); "Platelet count decreased" <LLN - 75.0 (1), <75.0 - 50.0 (2), <50.0 - 25.0 (3),
<25.0 x 10e9/L (4); "Weight gain" 5 - <10% (1), 10 - <20% (2), >=20% from baseline (3).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import docx
import numpy as np
import openpyxl
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import labs as labs_frames
from monitoring.analyses.labs import (
    DEFAULT_VOD_TERMS,
    Quadrant,
    VodCase,
    hepatotoxicity,
    lab_trajectories,
    quadrant,
    shift_tables,
    vod_cases,
    vod_terms,
)
from monitoring.data_dictionary import TrialData
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.labs import ctcae_table, grade_values
from monitoring.protocol import load_protocol
from monitoring.reports.content import ReportStamp, build_report, render_report
from monitoring.reports.export import ReportFormat, write_reports
from monitoring.reports.formatting import round_half_up
from monitoring.status import trial_status
from tests.conftest import PROTOCOL_DIR
from tests.lab_support import with_labs
from tests.signin_support import sign_in
from tests.waits import APP_TIMEOUT

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml")
TABLE = ctcae_table()


def _grades(test: str, values: list[float], **limits: Any) -> list[int]:
    criterion = TABLE.criterion(test)
    assert criterion is not None
    return [int(g) for g in grade_values(criterion, values, **limits)]


def test_the_table_states_its_version_and_source() -> None:
    assert TABLE.version == "5.0"
    assert "National Cancer Institute" in TABLE.source
    assert "27 November 2017" in TABLE.source
    assert set(TABLE.tests) >= {"BILI", "ALT", "AST", "ALP", "PLAT", "WEIGHT"}


def test_bilirubin_edges() -> None:
    # ULN 1.2 mg/dL: 1.2 is normal (grade 0); 1.8 = 1.5 x ULN is still grade 1 (">1.5" is
    # grade 2); 3.6 = 3.0 x ULN grade 2; 12 = 10 x ULN grade 3; above each edge the next.
    values = [1.2, 1.21, 1.8, 1.81, 3.6, 3.61, 12.0, 12.01]
    assert _grades("BILI", values, uln=1.2) == [0, 1, 1, 2, 2, 3, 3, 4]


@pytest.mark.parametrize("test", ["ALT", "AST"])
def test_aminotransferase_edges(test: str) -> None:
    # ULN 40 U/L: 3.0 x ULN = 120 exactly is grade 1 (CTCAE ">3.0 - 5.0" is grade 2),
    # 5.0 x = 200 grade 2, 20 x = 800 grade 3; 0.6 against ULN 0.2 is 3.0 x ULN although
    # 0.6 / 0.2 is 2.9999999999999996 in floating point.
    values = [40, 40.1, 120, 120.1, 200, 200.1, 800, 800.1]
    assert _grades(test, values, uln=40) == [0, 1, 1, 2, 2, 3, 3, 4]
    assert _grades(test, [0.6, 0.61], uln=0.2) == [1, 2]


def test_alkaline_phosphatase_edges() -> None:
    values = [100, 101, 250, 251, 500, 501, 2000, 2001]
    assert _grades("ALP", values, uln=100) == [0, 1, 1, 2, 2, 3, 3, 4]


def test_platelet_edges() -> None:
    # LLN 150 x 10e9/L: 150 is normal; 75 is grade 1 ("<75.0" is grade 2), 50 grade 2,
    # 25 grade 3, below 25 grade 4.
    values = [150, 149.9, 75, 74.9, 50, 49.9, 25, 24.9]
    assert _grades("PLAT", values, lln=150, uln=400) == [0, 1, 1, 2, 2, 3, 3, 4]


def test_weight_gain_edges_are_inclusive_at_the_lower_end() -> None:
    # "5 - <10%" grade 1: 5% exactly is grade 1, 10% exactly grade 2, 20% grade 3.
    values = [104.99, 105, 109.99, 110, 119.99, 120, 150]
    assert _grades("WEIGHT", values, baseline=100) == [0, 1, 1, 2, 2, 3, 3]


def test_a_value_without_its_limit_is_not_graded() -> None:
    criterion = TABLE.criterion("ALT")
    assert criterion is not None
    assert np.isnan(grade_values(criterion, [100.0], uln=[np.nan])[0])


def _hand_made() -> TrialData:
    """Four treated patients (first dose 2025-01-10) and one never treated:
    P1 ALT normal at baseline, 130 (grade 2) then 90 (grade 1) after: shift 0 -> 2;
    P2 ALT 50 (grade 1) at baseline, 45 after: shift 1 -> 1; a value before the baseline
       (grade 3) is not the baseline (the last on or before the first dose is);
    P3 no baseline ALT, 900 after (grade 4): Missing -> 4;
    P4 ALT on the first-dose day only: baseline 0, no post-baseline value: 0 -> Missing;
    P5 never treated: not in the population."""
    base = generate(PROTOCOL, "on_track", seed=0)
    first = pd.Timestamp("2025-01-10")
    patients = base.patients.iloc[:5].copy()
    patients["patient_id"] = ["P1", "P2", "P3", "P4", "P5"]
    patients["first_dose_date"] = [first] * 4 + [pd.NaT]
    patients["enrollment_date"] = first - pd.Timedelta(days=5)
    rows = [
        ("P1", "2025-01-08", 30),
        ("P1", "2025-01-20", 130),
        ("P1", "2025-01-27", 90),
        ("P2", "2025-01-01", 300),
        ("P2", "2025-01-09", 50),
        ("P2", "2025-01-20", 45),
        ("P3", "2025-01-20", 900),
        ("P4", "2025-01-10", 20),
    ]
    labs = pd.DataFrame(rows, columns=["patient_id", "sample_date", "value"])
    labs["test"] = "ALT"
    labs["sample_date"] = pd.to_datetime(labs["sample_date"])
    labs["unit"] = "U/L"
    labs["lln"] = 7.0
    labs["uln"] = 40.0
    empty = {f: getattr(base, f).iloc[0:0] for f in base.__dataclass_fields__}
    return TrialData(**{**empty, "patients": patients, "lab_results": labs})


def test_shift_table_counts_each_treated_patient_once() -> None:
    derived = derive(_hand_made(), PROTOCOL, date(2025, 3, 1))
    shifts = shift_tables(derived)
    (alt,) = shifts.tables
    assert alt.test == "ALT"
    assert alt.population == 4
    counts = {
        (alt.labels[b], alt.labels[w]): n
        for b, row in enumerate(alt.counts)
        for w, n in enumerate(row)
        if n
    }
    assert counts == {("0", "2"): 1, ("1", "1"): 1, ("Missing", "4"): 1, ("0", "Missing"): 1}
    assert alt.no_baseline == 1
    assert alt.no_post_baseline == 1
    assert alt.worsened == 1


def test_edish_quadrants_are_strictly_above_the_hys_law_lines() -> None:
    assert quadrant(3.01, 2.01) is Quadrant.HYS_LAW
    assert quadrant(3.0, 2.01) is Quadrant.HYPERBILIRUBINEMIA  # 3 x ULN is not "> 3"
    assert quadrant(3.01, 2.0) is Quadrant.TEMPLE
    assert quadrant(3.0, 2.0) is Quadrant.NORMAL


def test_hepatic_peaks_take_the_post_baseline_maximum() -> None:
    derived = derive(_hand_made(), PROTOCOL, date(2025, 3, 1))
    peaks = {p.patient_id: p for p in hepatotoxicity(derived).peaks}
    assert peaks["P1"].alt == pytest.approx(130 / 40)  # not the later 90
    assert peaks["P2"].alt == pytest.approx(45 / 40)  # the pre-baseline 300 is not counted
    assert "P4" not in peaks  # no post-baseline value
    assert peaks["P1"].quadrant is None  # no bilirubin: no quadrant
    (trajectory,) = lab_trajectories(derived, "P2")
    assert trajectory.days == (-9, -1, 10)
    assert trajectory.values == (300, 50, 45)


def _case(**kw: Any) -> VodCase:
    fields: dict[str, Any] = {
        "patient_id": "P",
        "term": "VOD",
        "grade": 3,
        "onset_date": pd.Timestamp("2025-02-01"),
        "onset_day": 20,
        "bilirubin_mg_dl": None,
        "bilirubin_uln": None,
        "weight_gain_percent": None,
        "hepatomegaly": False,
        "ascites": False,
    }
    return VodCase(**{**fields, **kw})


def test_modified_seattle_needs_two_of_three_findings() -> None:
    # McDonald 1993: bilirubin >= 2 mg/dL, hepatomegaly, weight gain > 2%.
    assert _case(bilirubin_mg_dl=2.0, weight_gain_percent=2.1).seattle
    assert not _case(bilirubin_mg_dl=2.0, weight_gain_percent=2.0).seattle  # 2% is not > 2%
    assert not _case(bilirubin_mg_dl=1.9, weight_gain_percent=2.1).seattle
    assert _case(hepatomegaly=True, weight_gain_percent=3.0).seattle


def test_baltimore_needs_bilirubin_and_two_of_three() -> None:
    # Jones 1987: bilirubin >= 2 mg/dL and two of hepatomegaly, ascites, weight gain > 5%.
    assert _case(bilirubin_mg_dl=2.0, hepatomegaly=True, ascites=True).baltimore
    assert _case(bilirubin_mg_dl=2.5, ascites=True, weight_gain_percent=5.1).baltimore
    assert not _case(bilirubin_mg_dl=2.5, ascites=True, weight_gain_percent=5.0).baltimore
    assert not _case(bilirubin_mg_dl=1.9, hepatomegaly=True, ascites=True).baltimore


@pytest.fixture(scope="module")
def lab_data() -> TrialData:
    return with_labs(generate(PROTOCOL, "on_track", seed=0))


def test_vod_cases_read_bilirubin_and_weight_around_onset(lab_data: TrialData) -> None:
    derived = derive(lab_data, PROTOCOL)
    cases = vod_cases(derived, PROTOCOL)
    events = lab_data.adverse_events
    vod = events.loc[events["term"].str.casefold().isin({t.casefold() for t in cases.terms})]
    treated = set(derived.patients.loc[derived.patients["treated"], "patient_id"])
    assert {c.patient_id for c in cases.cases} == set(vod["patient_id"]) & treated
    for case in cases.cases:  # tests/lab_support.py: bilirubin 2.2-6 mg/dL, weight +7%
        assert case.bilirubin_mg_dl is not None
        assert case.bilirubin_mg_dl >= 2.2
        assert case.weight_gain_percent == pytest.approx(7.0, abs=0.05)  # values stored to 0.01 kg
        assert case.seattle
        assert not case.baltimore
    assert not cases.findings_recorded


def test_report_has_the_laboratory_part_in_every_format(
    lab_data: TrialData, tmp_path: Path
) -> None:
    status = trial_status(PROTOCOL, derive(lab_data, PROTOCOL))
    doc = build_report(
        status,
        derive(lab_data, PROTOCOL, status.cutoff),
        stamp=ReportStamp(pd.Timestamp("2025-07-05T09:00Z").to_pydatetime()),
    )
    titles = [t.title for t in doc.tables()] + [f.title for f in doc.figures()]
    shift = next(t for t in titles if t.startswith("Laboratory shift tables"))
    vod = next(t for t in titles if t.startswith("SOS/VOD cases"))
    edish = next(t for t in titles if "eDISH" in t)
    files = write_reports(render_report(doc), tmp_path, "labs")
    text = subprocess.run(
        ["pdftotext", str(files[ReportFormat.PDF]), "-"], capture_output=True, text=True
    ).stdout
    squash = "".join(text.split())
    # The page budget of tests/test_report_pack.py holds with laboratory data too.
    info = subprocess.run(
        ["pdfinfo", str(files[ReportFormat.PDF])], capture_output=True, text=True
    ).stdout
    assert int(info.split("Pages:")[1].split()[0]) <= 16
    for title in (shift, vod, edish):
        assert "".join(title.split()) in squash
    word = docx.Document(str(files[ReportFormat.DOCX]))
    paragraphs = "\n".join(p.text for p in word.paragraphs)
    assert shift in paragraphs
    assert vod in paragraphs
    assert edish in paragraphs
    assert word.inline_shapes  # the charts, the eDISH among them
    sheets = openpyxl.load_workbook(files[ReportFormat.XLSX]).sheetnames
    assert "Lab shifts" in sheets
    assert "SOS-VOD cases" in sheets


def _without_labs(data: TrialData) -> TrialData:
    return TrialData(**{**data.__dict__, "lab_results": data.lab_results.iloc[0:0]})


def test_no_laboratory_part_without_lab_results() -> None:
    data = _without_labs(generate(PROTOCOL, "on_track", seed=0))
    status = trial_status(PROTOCOL, derive(data, PROTOCOL))
    doc = build_report(
        status,
        derive(data, PROTOCOL, status.cutoff),
        stamp=ReportStamp(pd.Timestamp("2025-07-05T09:00Z").to_pydatetime()),
    )
    assert not [t for t in doc.tables() if t.title.startswith("Laboratory shift")]
    assert not [f for f in doc.figures() if "eDISH" in f.title]


@pytest.fixture
def _own_caches() -> Iterator[None]:
    """The page reads a changed demo trial (with or without labs), which the dashboard's
    caches keep per process: cleared before, and after so that later tests in this worker
    read the real demo again."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def _lab_page(monkeypatch: pytest.MonkeyPatch, labs: bool) -> AppTest:
    import monitoring.demo as demo_source

    change = with_labs if labs else _without_labs
    monkeypatch.setattr(demo_source, "generate", lambda *a, **k: change(generate(*a, **k)))
    monkeypatch.setenv("TRIAL_MONITORING_DB", "demo:on_track")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    sign_in(at.run())
    at.switch_page("pages/laboratory.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.usefixtures("_navigation_only", "_own_caches")
def test_laboratory_page_says_when_no_lab_data(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _lab_page(monkeypatch, labs=False)
    assert any("No laboratory data imported" in str(i.value) for i in at.info)


@pytest.mark.usefixtures("_navigation_only", "_own_caches")
def test_laboratory_page_shows_the_tables_and_a_patients_trajectory(
    monkeypatch: pytest.MonkeyPatch, lab_data: TrialData
) -> None:
    at = _lab_page(monkeypatch, labs=True)
    derived = derive(lab_data, PROTOCOL)
    hep = hepatotoxicity(derived)
    metrics = {m.label: m.value for m in at.metric}
    for q in Quadrant:
        assert metrics[q.value] == str(hep.count(q))
    subheaders = [s.value for s in at.subheader]
    assert any("Shift tables" in s for s in subheaders)
    assert any("SOS/VOD" in s for s in subheaders)
    patient = hep.peaks[0].patient_id
    at.selectbox[0].set_value(patient).run()
    assert not at.exception
    titles = [str(c.proto.spec) for c in at.get("plotly_chart")]
    assert any(f"Patient {patient}: liver tests" in t for t in titles)


def test_the_demo_trials_labs_are_graded_and_its_vod_cases_meet_seattle() -> None:
    """The default demo (monitoring/demo/pack.py) codes platelets PLT, an alias of PLAT in
    the CTCAE table; its SOS/VOD cases have bilirubin >= 2 mg/dL and weight gain > 2% but no
    hepatomegaly or ascites adverse event, so modified Seattle is met and Baltimore is not."""
    derived = derive(generate(PROTOCOL, "on_track", seed=0), PROTOCOL)
    assert [t.test for t in shift_tables(derived).tables] == [
        "BILI", "ALT", "AST", "ALP", "PLAT", "WEIGHT",
    ]  # fmt: skip
    cases = vod_cases(derived, PROTOCOL).cases
    assert cases
    assert all(c.seattle and not c.baltimore for c in cases)


def test_by_arm_shift_tables_add_up_to_the_overall_one() -> None:
    """The closed breakdown (the randomized example's closed_by column, arm): one table per
    arm, whose counts add up to the all-patients table cell by cell."""
    protocol = load_protocol(PROTOCOL_DIR / "examples" / "aall1732-randomized.toml")
    derived = derive(generate(protocol, "on_track", seed=0), protocol)
    shifts = shift_tables(derived, "arm")
    for test in {t.test for t in shifts.tables}:
        overall, *arms = [t for t in shifts.tables if t.test == test]
        assert overall.group is None
        assert [t.group for t in arms] == ["arm = A", "arm = B"]
        summed = np.sum([np.array(t.counts) for t in arms], axis=0)
        assert summed.tolist() == [list(r) for r in overall.counts]


def test_vod_cases_fall_back_on_the_meddra_terms_when_no_rule_names_vod() -> None:
    """The randomized example (aall1732) has no toxicity rule, yet its demo records
    "Veno-occlusive disease" (16 patients at seed 0): each treated one is a case, read
    under the default MedDRA SOS/VOD terms, and the note names them."""
    protocol = load_protocol(PROTOCOL_DIR / "examples" / "aall1732-randomized.toml")
    assert not protocol.toxicity
    assert (
        vod_terms(protocol)
        == DEFAULT_VOD_TERMS
        == (
            "Veno-occlusive disease",
            "Hepatic veno-occlusive disease",
            "Sinusoidal obstruction syndrome",
        )
    )
    derived = derive(generate(protocol, "on_track", seed=0), protocol)
    events = derived.data.adverse_events
    treated = set(derived.patients.loc[derived.patients["treated"], "patient_id"])
    vod = events.loc[events["term"].eq("Veno-occlusive disease"), "patient_id"]
    assert len(set(vod)) == 16
    cases = vod_cases(derived, protocol)
    assert {c.patient_id for c in cases.cases} == set(vod) & treated
    assert cases.cases
    assert "among no" not in cases.note
    assert (
        "Veno-occlusive disease, Hepatic veno-occlusive disease or Sinusoidal obstruction "
        "syndrome (the default SOS/VOD terms, as no toxicity rule of the protocol names "
        "SOS/VOD" in cases.note
    )
    # the ino-lowdose protocol names its own term: no fallback, the note says whose terms
    assert vod_terms(PROTOCOL) != DEFAULT_VOD_TERMS
    assert (
        "the terms of the protocol's SOS/VOD rule"
        in vod_cases(derive(generate(PROTOCOL, "on_track", seed=0), PROTOCOL), PROTOCOL).note
    )


# A listed data set for the shift table, graded by hand from CTCAE v5.0 "Blood bilirubin
# increased" (grade 1 >ULN - 1.5 x ULN, 2 >1.5 - 3.0, 3 >3.0 - 10.0, 4 >10.0 x ULN; the
# ULN-based definitions, which the package's table grades by). ULN 1.0 mg/dL, so each value
# is its own multiple of ULN. First dose 2025-01-10: the baseline is the last value on or
# before it, post-baseline values are after it.
#   patient  baseline (grade)   post-baseline (grades)       worst   shift
#   B1       0.8 (0)            1.2 (1), 0.9 (0)             1       0 -> 1
#   B2       0.9 (0)            1.0 (0: ULN is not >ULN)     0       0 -> 0
#   B3       1.3 (1)            2.0 (2), 3.5 (3)             3       1 -> 3
#   B4       1.6 (2)            1.1 (1)                      1       2 -> 1
#   B5       1.5 (1: 1.5 x ULN) 3.0 (2: 3.0 x ULN)           2       1 -> 2
#   B6       none               10.5 (4)                     4       Missing -> 4
#   B7       0.7 (0)            none                         -       0 -> Missing
#   B8       1.1 (1)            10.0 (3: 10.0 x ULN)         3       1 -> 3
#   B9       never treated (12.0 after enrolment): not in the population
BILIRUBIN_LISTING = (
    ("B1", "2025-01-09", 0.8), ("B1", "2025-01-20", 1.2), ("B1", "2025-02-01", 0.9),
    ("B2", "2025-01-10", 0.9), ("B2", "2025-01-20", 1.0),
    ("B3", "2025-01-05", 1.3), ("B3", "2025-01-17", 2.0), ("B3", "2025-01-24", 3.5),
    ("B4", "2025-01-08", 1.6), ("B4", "2025-01-31", 1.1),
    ("B5", "2025-01-10", 1.5), ("B5", "2025-01-12", 3.0),
    ("B6", "2025-01-15", 10.5),
    ("B7", "2025-01-02", 0.7),
    ("B8", "2025-01-09", 1.1), ("B8", "2025-02-10", 10.0),
    ("B9", "2025-01-20", 12.0),
)  # fmt: skip


def test_bilirubin_shift_table_matches_the_hand_graded_listing() -> None:
    """Baseline grade (rows 0-4, then Missing) by worst post-baseline grade (columns 0-4,
    then Missing), each treated patient once: the layout of tern's laboratory shift table
    (``t_lb``, TLG catalog LBT14). Expected counts: the listing above, graded by hand."""
    base = generate(PROTOCOL, "on_track", seed=0)
    first = pd.Timestamp("2025-01-10")
    ids = [f"B{i}" for i in range(1, 10)]
    patients = base.patients.iloc[: len(ids)].copy()
    patients["patient_id"] = ids
    patients["enrollment_date"] = first - pd.Timedelta(days=10)
    patients["first_dose_date"] = [first] * 8 + [pd.NaT]
    labs = pd.DataFrame(BILIRUBIN_LISTING, columns=["patient_id", "sample_date", "value"])
    labs["test"] = "BILI"
    labs["sample_date"] = pd.to_datetime(labs["sample_date"])
    labs["unit"] = "mg/dL"
    labs["lln"] = 0.0
    labs["uln"] = 1.0
    empty = {f: getattr(base, f).iloc[0:0] for f in base.__dataclass_fields__}
    data = TrialData(**{**empty, "patients": patients, "lab_results": labs})
    (bili,) = shift_tables(derive(data, PROTOCOL, date(2025, 3, 1))).tables
    assert (bili.test, bili.population) == ("BILI", 8)
    assert bili.labels == ("0", "1", "2", "3", "4", "Missing")
    assert bili.counts == (
        # worst: 0  1  2  3  4  Missing     baseline
        (1, 1, 0, 0, 0, 1),  # 0: B2, B1; B7
        (0, 0, 1, 2, 0, 0),  # 1: B5; B3, B8
        (0, 1, 0, 0, 0, 0),  # 2: B4
        (0, 0, 0, 0, 0, 0),  # 3
        (0, 0, 0, 0, 0, 0),  # 4
        (0, 0, 0, 0, 1, 0),  # Missing: B6
    )
    assert (bili.no_baseline, bili.no_post_baseline, bili.worsened) == (1, 1, 4)


def test_the_pages_hepatic_peaks_are_rounded_to_two_decimals() -> None:
    """The Laboratory page prints peaks as 1.59, not 1.5917 (half away from zero, as the
    report and a spreadsheet round); SOS/VOD findings to one decimal, as the report."""
    derived = derive(generate(PROTOCOL, "on_track", seed=0), PROTOCOL)
    hep = hepatotoxicity(derived)
    frame = labs_frames.peaks_frame(hep)
    raw = [p.alp for p in hep.peaks if p.alp is not None]
    assert any(round(v, 2) != v for v in raw)  # the data has values of more decimals
    for column in ("Peak ALT x ULN", "Peak AST x ULN", "Peak bilirubin x ULN", "Peak ALP x ULN"):
        values = frame[column].dropna()
        assert all(round(v, 2) == v for v in values), column
    by_patient = dict(zip(frame["Patient"], frame["Peak ALP x ULN"], strict=True))
    for peak in hep.peaks:
        if peak.alp is not None:
            assert by_patient[peak.patient_id] == float(round_half_up(peak.alp, 2))
    assert labs_frames._rounded([1.5917, 0.125, None], 2) == [1.59, 0.13, None]
    cases = labs_frames.vod_frame(vod_cases(derived, PROTOCOL))
    for column in ("Bilirubin peak mg/dL", "Bilirubin peak x ULN", "Weight gain %"):
        assert all(round(v, 1) == v for v in cases[column].dropna()), column
