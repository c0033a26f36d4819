"""The same overall verdict, in the same words, on every surface: ``status`` text and
``--json`` (SQLite and PostgreSQL), the Overview page (AppTest), and the first section of
the PDF (pdftotext), DOCX (python-docx) and XLSX (openpyxl) reports.

The expected words are the library's verdict on the same seeded demo data
(``monitoring.verdict.verdict``; its numbers are checked against the scenario's data in
tests/test_verdict.py): each surface must print it, not a version of its own.
"""

from __future__ import annotations

import dataclasses
import html
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from monitoring.cli import main
from monitoring.db.demo_trial import create_demo_trial
from monitoring.db.engine import open_database
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.protocol import DEFAULT_TRIAL_ID, bundled_protocols, load_protocol
from monitoring.reports.content import ReportStamp, build_report
from monitoring.reports.document import Paragraph
from monitoring.reports.docx import write_docx
from monitoring.reports.pdf import write_pdf
from monitoring.reports.xlsx import write_xlsx
from monitoring.status import trial_status
from monitoring.verdict import Verdict, verdict
from tests.signin_support import sign_in
from tests.waits import APP_TIMEOUT

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = load_protocol(bundled_protocols()[DEFAULT_TRIAL_ID])
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def _expected(scenario: str) -> Verdict:
    return verdict(trial_status(PROTOCOL, derive(generate(PROTOCOL, scenario, seed=0), PROTOCOL)))


@pytest.fixture
def stopped_db(db_url: str) -> str:
    engine = open_database(db_url)
    create_demo_trial(engine, "toxicity_stop", seed=0, now=NOW)
    engine.dispose()
    return db_url


def test_status_text_and_json_open_with_the_verdict(
    stopped_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    want = _expected("toxicity_stop")
    main(["status", "--db", stopped_db])
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[3] == f"VERDICT: {want.headline}"  # after the title, counts and a blank
    assert f"  Driven by: {want.rule}" in lines
    assert f"  {want.sentence}" in lines
    for alert in want.alerts:
        assert f"  [{alert.severity.word}] {alert.title}: {alert.sentence}" in lines
    main(["status", "--db", stopped_db, "--json"])
    out = json.loads(capsys.readouterr().out)
    got = out["verdict"]
    assert got["severity"] == "stop"
    assert got["severity_word"] == "STOP"
    assert (got["title"], got["sentence"], got["rule"]) == (want.title, want.sentence, want.rule)
    assert got["code"] == "vod"
    assert got["evidence"] == list(want.evidence)
    alert = next(a for a in got["alerts"] if a["code"] == "enrolled_after_stop")
    assert alert["patients"] == ["P017", "P018", "P019", "P020"]
    assert out["toxicity"]["decision"] == "stop"  # the existing keys stay


@pytest.mark.usefixtures("_navigation_only")
def test_overview_opens_with_the_verdict_card_and_its_alerts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    want = _expected("toxicity_stop")
    monkeypatch.setenv("TRIAL_MONITORING_DB", "demo:toxicity_stop")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    sign_in(at.run())
    assert not at.exception, [e.value for e in at.exception]
    cards = [str(m.value) for m in at.main.markdown if "verdict-card" in str(m.value)]
    assert len(cards) == 1
    card = cards[0]
    assert 'data-severity="stop"' in card
    assert 'data-tone="STOP"' in card
    for words in (want.headline, want.rule, want.sentence, *want.evidence):
        assert html.escape(words) in card  # the card escapes its text
    assert "Pr(p &gt; 0.2) = 0.928 at 16 patients" in card  # the deciding look (issue 12)
    decision_cards = [str(m.value) for m in at.main.markdown if "decision-card" in str(m.value)]
    toxicity = next(c for c in decision_cards if "STOP for toxicity" in c)
    assert "Deciding look (16 patients)" in toxicity  # the stop card, not only today's Pr
    assert "6 events (stop at 6 events); Pr = 0.928 at 16 patients" in toxicity
    stop = next(a for a in want.alerts if a.code == "enrolled_after_stop")
    assert any(stop.sentence in e.value for e in at.error)
    assert any("Summary due" in w.value for w in at.warning)


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_reports_open_with_the_verdict_in_every_format(tmp_path: Path) -> None:
    data = generate(PROTOCOL, "toxicity_stop", seed=0)
    status = trial_status(PROTOCOL, derive(data, PROTOCOL))
    want = verdict(status)
    doc = build_report(status, derive(data, PROTOCOL), stamp=ReportStamp(NOW))
    first = doc.sections[0]  # the meeting pack opens with the status (monitoring.reports.content)
    assert first.title == "Status and recommendation"
    assert isinstance(first.blocks[0], Paragraph)
    assert first.blocks[0].verdict == f"Overall verdict: {want.headline}"
    paragraphs = [b.text for b in first.blocks if isinstance(b, Paragraph)]
    assert any(
        "Deciding look: 6 events among the first 16 patients (boundary 6): Pr(p > 0.2) = 0.928" in p
        for p in paragraphs
    )
    # Only the first section is written: the others need their charts rendered (kaleido).
    doc = dataclasses.replace(doc, sections=(first,))
    headline = f"Overall verdict: {want.headline}"
    squash = " ".join(_pdf_text(write_pdf(doc, tmp_path / "v.pdf")).split())
    word = docx.Document(str(write_docx(doc, tmp_path / "v.docx")))
    docx_text = " ".join(" ".join(p.text for p in word.paragraphs).split())
    book = openpyxl.load_workbook(write_xlsx(doc, tmp_path / "v.xlsx"))
    cells = [str(c.value) for row in book.worksheets[0].iter_rows() for c in row if c.value]
    for text in (squash, docx_text):
        assert f"{headline} — {want.sentence} Driven by: {want.rule}." in text
        assert "Pr(p > 0.2) = 0.928 at 16 patients" in text
        for alert in want.alerts:
            assert alert.sentence in text
    assert headline in cells
    assert any(c.startswith(f"{want.sentence} Driven by: {want.rule}.") for c in cells)
    assert cells.index(headline) < cells.index("Alert [STOP]: Patients enrolled after a stop")
