"""The report's dose rules and assumed numbers (issue 15): a protocol with dose rules gets a
table per rule (per dose level: patients, evaluable, DLTs, the design's last decision there
and why; the current level and the recommendation in the note), BOIN also the boundaries it
used; the methods page names every number the protocol file marks as assumed. A protocol
without either (the default trial) gets neither.

Expected values come from the trial's own decision (``trial_status``) and from the design
(``boin_boundaries``), never typed in; seed 001 on_track is the BOIN trial of
``monitoring/demo/examples.py`` (level 3 eliminated, MTD level 2), seed 000 on_track the
de-escalation from level 1 to -1 in cohort 2.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.designs.dose_finding import boin_boundaries
from monitoring.protocol import DoseFindingRule, Protocol, bundled_protocol, load_protocol
from monitoring.reports.content import ReportStamp, build_report, render_report
from monitoring.reports.document import ReportDocument, Table
from monitoring.reports.export import ReportFormat, write_reports
from monitoring.rules.dose_finding import DoseDecision, boin_design
from monitoring.status import TrialStatus, trial_status
from tests.conftest import DEFAULT_PROTOCOL

STAMP = ReportStamp(
    datetime(2025, 7, 5, 9, 30, tzinfo=UTC), "Trial statistician", date(2025, 7, 15)
)
PEDS, PH1B2 = "peds-ino-two-cohorts", "ino-liposomal-vcr-ph1b2"


def _report(protocol: Protocol) -> tuple[TrialStatus, ReportDocument]:
    data = generate(protocol, "on_track", seed=0)
    status = trial_status(protocol, derive(data, protocol))
    return status, build_report(status, derive(data, protocol, status.cutoff), stamp=STAMP)


@pytest.fixture(scope="module")
def ph1b2() -> tuple[Protocol, TrialStatus, ReportDocument]:
    protocol = load_protocol(bundled_protocol(PH1B2))
    return (protocol, *_report(protocol))


def _dose_tables(doc: ReportDocument) -> list[Table]:
    return [t for t in doc.tables() if t.title.startswith("Dose levels: ")]


def _detail(status: TrialStatus, rule_id: str) -> DoseDecision:
    detail = next(d for d in status.decisions if d.rule_id == rule_id).detail
    assert isinstance(detail, DoseDecision)
    return detail


def test_boin_trial_reports_each_level_its_decision_and_the_boundaries(
    ph1b2: tuple[Protocol, TrialStatus, ReportDocument],
) -> None:
    protocol, status, doc = ph1b2
    (rule,) = protocol.dose_finding
    assert isinstance(rule, DoseFindingRule)
    d = _detail(status, rule.id)
    (table,) = _dose_tables(doc)
    assert "cohort Ib" in table.title  # the stratum is named
    assert [r[:5] for r in table.rows] == [
        (h.level, len(h.patients), h.evaluable, h.dlts, h.decision or "not used") for h in d.levels
    ]
    by_level = {r[0]: r for r in table.rows}
    # The demo scripts 3 DLTs in 3 at level 3: BOIN eliminates it, saying why.
    assert by_level["3"][4] == "eliminated"
    assert "Pr(DLT rate > 0.3)" in str(by_level["3"][5])
    assert by_level["1"][4] == "escalate"
    assert f"Current dose level {d.current}" in table.note
    assert d.mtd is not None
    assert f"Maximum tolerated dose: level {d.mtd}" in table.note
    boundaries = next(t for t in doc.tables() if t.title.startswith("BOIN boundaries used"))
    design = boin_boundaries(boin_design(rule)).table
    assert [c.name for c in boundaries.columns[1:]] == [f"n = {b.n}" for b in design]
    assert boundaries.rows[0][1:] == tuple(b.escalate_if_at_most for b in design)
    assert boundaries.rows[1][1:] == tuple(b.deescalate_if_at_least for b in design)
    assert boundaries.rows[2][1:] == tuple(b.eliminate_if_at_least for b in design)


def test_deescalation_trial_reports_the_levels_left_and_the_current_one() -> None:
    protocol = load_protocol(bundled_protocol(PEDS))
    status, doc = _report(protocol)
    (table,) = _dose_tables(doc)
    d = _detail(status, "c2-deescalation")
    assert "Cohort 2: inotuzumab ozogamicin" in table.title  # the stratum, named once
    decisions = {r[0]: r[4] for r in table.rows}
    assert decisions == {h.level: h.decision or "not used" for h in d.levels}
    # 2 DLTs at level 1 (the rule's deescalate_at) moved the cohort to -1, where it stays.
    assert decisions["1"] == "de-escalated"
    assert decisions[d.current] == "stay"
    assert not [t for t in doc.tables() if t.title.startswith("BOIN boundaries")]


def test_default_trial_has_no_dose_table_and_no_assumed_numbers() -> None:
    protocol = load_protocol(DEFAULT_PROTOCOL)
    assert not protocol.dose_finding
    assert not protocol.assumptions()
    _, doc = _report(protocol)
    assert not _dose_tables(doc)
    methods = next(s for s in doc.sections if s.title == "Methods")
    assert not [b for b in methods.blocks if "ASSUMED" in getattr(b, "text", "")]


def test_methods_page_says_every_assumed_number(
    ph1b2: tuple[Protocol, TrialStatus, ReportDocument],
) -> None:
    protocol, _, doc = ph1b2
    methods = next(s for s in doc.sections if s.title == "Methods")
    said = " ".join(getattr(b, "text", "") for b in methods.blocks)
    assumed = protocol.assumptions()
    assert len(assumed) == len(protocol.rules)  # seed 001: every rule's numbers are assumed
    for _, _, what in assumed:
        assert what in said
    assert f"{len(assumed)} of {len(protocol.rules)} rules" in said
    # The dose rule, which has no paragraph of its own kind, is described too.
    assert "BOIN dose finding (Liu & Yuan 2015)" in said


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_dose_tables_are_in_every_format(
    ph1b2: tuple[Protocol, TrialStatus, ReportDocument], tmp_path: Path
) -> None:
    _, _, doc = ph1b2
    files = write_reports(render_report(doc), tmp_path, "ph1b2")
    (table,) = _dose_tables(doc)
    number = doc.table_number(table)
    pdf = subprocess.run(
        ["pdftotext", str(files[ReportFormat.PDF]), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert _squash(f"Table {number}. {table.title}") in _squash(pdf)
    assert _squash("BOIN boundaries used") in _squash(pdf)
    words = " ".join(p.text for p in docx.Document(str(files[ReportFormat.DOCX])).paragraphs)
    assert table.title in words
    book = openpyxl.load_workbook(files[ReportFormat.XLSX])
    assert {"Dose levels 1", "BOIN boundaries 1"} <= set(book.sheetnames)
    sheet = list(book["Dose levels 1"].iter_rows(values_only=True))
    assert sheet[0][:5] == ("Dose level", "Treated", "Evaluable", "DLTs", "Decision")
    assert [r[:5] for r in sheet[1 : 1 + len(table.rows)]] == [r[:5] for r in table.rows]
