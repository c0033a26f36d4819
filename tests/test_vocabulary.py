"""One vocabulary (monitoring/vocabulary.py): every decision state has a severity and words,
and the dashboard, the PDF/DOCX/XLSX report and the CLI print the same words for it.

Expected words are the vocabulary's own (the point is that every screen uses them);
expected states come from the library on the same seeded demo data
(monitoring/demo/scenarios.py, seed 0, as ``demo --scenario`` and ``demo:<scenario>``).
Design names and error rates come from the design audit computed from the rule.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import docx
import openpyxl
import pytest

import monitoring.disclosure
import monitoring.rules.dose_state
import monitoring.rules.efficacy
import monitoring.rules.sequential_state
import monitoring.rules.toxicity
import monitoring.status
import monitoring.summary_state
from monitoring import vocabulary
from monitoring.cli import main
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.designs.simon_audit import audit_rule
from monitoring.protocol import SURVIVAL_ENDPOINTS, SimonRule, load_protocol
from monitoring.reports import blocks
from monitoring.reports.content import ReportStamp, build_report, render_report
from monitoring.reports.document import Paragraph, ReportDocument
from monitoring.reports.export import ReportFormat, write_reports
from monitoring.rules.efficacy import EfficacyState
from monitoring.rules.toxicity import ToxicityState
from monitoring.status import TrialStatus, trial_status
from monitoring.vocabulary import Severity
from tests.test_pages import _app, _cards

PROTOCOL = load_protocol("data/protocols/ino-lowdose-ph2.toml")
STAMP = ReportStamp(datetime(2025, 7, 5, 9, 30, tzinfo=UTC), "Trial statistician")
STATE_MODULES = (
    monitoring.rules.efficacy,
    monitoring.rules.toxicity,
    monitoring.rules.sequential_state,
    monitoring.summary_state,
    monitoring.disclosure,
    monitoring.rules.dose_state,
)


def _state_enums() -> list[type[enum.Enum]]:
    """Every enum the rule and status modules define: the decision and monitoring-log states."""
    found: list[type[enum.Enum]] = []
    for module in STATE_MODULES:
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, enum.Enum) and value.__module__ == module.__name__:
                found.append(value)
    return found


# --- the vocabulary itself ----------------------------------------------------------------


def test_every_state_of_every_enum_has_a_severity_and_words() -> None:
    """A new state (or a new state enum) cannot be added without its words."""
    enums = _state_enums()
    # EfficacyState, Stage1State, ToxicityState, SequentialState, SummaryState, Disclosure,
    # DoseState
    assert len(enums) == 7
    assert set(enums) == set(vocabulary.VOCABULARY)
    for cls in enums:
        titles = []
        for state in cls:
            w = vocabulary.words(state)  # type: ignore[arg-type]
            assert isinstance(w.severity, Severity)
            assert w.title.strip()
            assert w.title == w.title.strip()
            assert "_" not in w.title
            assert "_" not in w.note
            assert "{rule}" in w.sentence
            said = w.say("Rule X")
            assert said.startswith("Rule X: ")
            assert said.endswith(".")
            titles.append(w.title)
        assert len(set(titles)) == len(titles), cls  # no two states of one enum read alike


def test_severity_orders_stop_above_everything_and_most_severe_wins() -> None:
    assert Severity.OK < Severity.INFO < Severity.ATTENTION < Severity.STOP
    # A stop state is STOP whatever the rule kind; "continue" states are OK (SPEC 6.1).
    stops = {EfficacyState.STOP_FUTILITY, EfficacyState.CANNOT_SUCCEED, ToxicityState.STOP}
    for state in stops:
        assert vocabulary.severity(state) is Severity.STOP
    assert vocabulary.severity(EfficacyState.STAGE2) is Severity.OK
    # The two copies disagreed on this one (issue 12): stage 1 still accruing is information.
    assert vocabulary.severity(EfficacyState.STAGE1_ACCRUING) is Severity.INFO
    assert vocabulary.most_severe([EfficacyState.STAGE2, ToxicityState.STOP]) is Severity.STOP
    assert vocabulary.most_severe([]) is Severity.OK


def test_every_rule_kind_and_endpoint_has_words() -> None:
    # Rule kinds and Simon endpoints the protocol reader accepts (monitoring/protocol.py).
    assert set(vocabulary.RULE_KINDS) == {
        "simon_two_stage",
        "group_sequential",
        "thall_simon_estey",
        "mrd_response",
        "dose_finding",
        "dose_deescalation",
    }
    for endpoint in (*SURVIVAL_ENDPOINTS, "remission", "hematologic_response", "mrd_negativity"):
        assert vocabulary.ENDPOINTS[endpoint] != endpoint
    for path in sorted(Path("data/protocols").rglob("*.toml")):
        protocol = load_protocol(path)
        for rule in protocol.rules:
            assert vocabulary.rule_kind(rule) in vocabulary.RULE_KINDS.values()
            name = vocabulary.rule_name(rule, protocol)
            assert name.split(": ", 1)[1] not in (rule.id, rule.id.upper())  # never the code
            assert "_" not in name
    tox = PROTOCOL.toxicity[0]
    assert vocabulary.rule_name(tox) == f"Toxicity: {tox.label}"  # the protocol's own name
    assert PROTOCOL.simon is not None
    # Section 1.1 of the protocol: remission = CR + CRp + CRi.
    assert vocabulary.rule_name(PROTOCOL.simon, PROTOCOL) == (
        "Efficacy: Hematologic remission (CR + CRp + CRi)"
    )


# --- "optimal" only where the audit says so -----------------------------------------------


def _rule() -> SimonRule:
    assert PROTOCOL.simon is not None
    return PROTOCOL.simon


def test_default_design_is_named_by_its_error_rates_not_optimal() -> None:
    """The protocol claims "optimal"; the audit finds it is not, for alpha 0.10, beta 0.20."""
    rule = _rule()
    audit = audit_rule(rule)
    assert rule.design_type == "optimal"
    assert audit.nominal is not None
    assert not audit.nominal.is_optimal
    assert vocabulary.confirmed_role(audit) is None
    exact = audit.exact
    expected = f"Simon two-stage {exact.label()}: alpha {exact.alpha:.3f}, power {exact.power:.3f}"
    assert vocabulary.simon_design(rule) == expected
    # Issue 12 quotes the same figures: "6/18, 20/48: α 0.113, power 0.785".
    assert expected == "Simon two-stage 6/18, 20/48: alpha 0.113, power 0.785"


def test_a_design_the_audit_finds_optimal_is_called_optimal() -> None:
    """The optimal design for the nominal rates, as the audit's own search found it."""
    rule = _rule()
    nominal = audit_rule(rule).nominal
    assert nominal is not None
    assert nominal.optimal is not None
    best = nominal.optimal
    optimal = dataclasses.replace(rule, r1=best.r1, n1=best.n1, r=best.r, n=best.n)
    audit = audit_rule(optimal)
    assert vocabulary.confirmed_role(audit) == "optimal"
    assert vocabulary.simon_design(optimal, audit).startswith(
        f"Simon optimal two-stage {best.label()} for alpha {nominal.alpha:g}, "
        f"beta {nominal.beta:g}: alpha {best.alpha:.3f}, power {best.power:.3f}"
    )
    # The same design claimed "minimax" is not the minimax design: no role is printed.
    claimed = dataclasses.replace(optimal, design_type="minimax")
    assert vocabulary.simon_design(claimed).startswith(f"Simon two-stage {best.label()}:")


# --- the same words on every screen ---------------------------------------------------------

RAW_CODES = re.compile(
    r"\bSTAGE2\b|\bSTAGE1\b|\bvod\b|\bstage1_\w*|\b("
    + "|".join(
        re.escape(str(s.value)) for cls in vocabulary.VOCABULARY for s in cls if "_" in str(s.value)
    )
    + r")\b"
)


def _status(scenario: str) -> tuple[TrialStatus, ReportDocument]:
    data = generate(PROTOCOL, scenario, seed=0)
    status = trial_status(PROTOCOL, derive(data, PROTOCOL))
    derivation = derive(data, PROTOCOL, status.cutoff)
    return status, build_report(status, derivation, stamp=STAMP)


def _headlines(status: TrialStatus) -> list[str]:
    assert status.efficacy is not None
    states = [status.efficacy.state, *(d.decision for d in status.toxicity)]
    return [vocabulary.words(s).headline for s in states]


def _file_texts(files: dict[ReportFormat, Path]) -> dict[ReportFormat, str]:
    pdf = subprocess.run(
        ["pdftotext", str(files[ReportFormat.PDF]), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    word = docx.Document(str(files[ReportFormat.DOCX]))
    docx_text = [p.text for p in word.paragraphs]
    docx_text += [c.text for t in word.tables for row in t.rows for c in row.cells]
    book = openpyxl.load_workbook(files[ReportFormat.XLSX], read_only=True)
    xlsx_text = list(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            xlsx_text += [str(v) for v in row if v is not None]
    return {
        ReportFormat.PDF: re.sub(r"\s+", " ", pdf),
        ReportFormat.DOCX: "\n".join(docx_text),
        ReportFormat.XLSX: "\n".join(xlsx_text),
    }


def _cli(tmp_path: Path, scenario: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, dict]:
    db = str(tmp_path / f"{scenario}.sqlite")
    assert main(["demo", "--db", db, "--scenario", scenario]) == 0
    capsys.readouterr()
    main(["status", "--db", db])
    text = capsys.readouterr().out
    main(["status", "--db", db, "--json"])
    return text, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("scenario", "full_report"), [("toxicity_stop", True), ("futility", False)]
)
@pytest.mark.usefixtures("_navigation_only")
def test_dashboard_reports_and_cli_say_the_same_words(
    scenario: str,
    full_report: bool,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """toxicity_stop: STOP for toxicity; futility: STOP for futility (the scenarios' aims).
    The futility report is written with its decisions and methods only (no charts)."""
    status, doc = _status(scenario)
    assert status.efficacy is not None
    headlines = _headlines(status)
    design = vocabulary.simon_design(_rule())

    # The report, as data and as the three files.
    status_section = doc.sections[0]
    assert status_section.title == "Status and recommendation"  # the pack opens with it
    decisions = [
        p
        for p in doc.decisions()
        if p in status_section.blocks and not p.verdict.startswith(("Overall verdict", "Alert ["))
    ]  # the rules' decisions, after the overall verdict and its alerts
    assert [p.verdict for p in decisions] == headlines
    if not full_report:
        kept = tuple(s for s in doc.sections if s.title in (status_section.title, "Methods"))
        doc = dataclasses.replace(doc, sections=kept)
    texts = _file_texts(write_reports(render_report(doc), tmp_path, "summary"))
    for fmt, text in texts.items():
        flat = re.sub(r"\s+", " ", text)
        for headline in headlines:
            assert headline in flat, (fmt, headline)
        assert design in flat, fmt
        raw = RAW_CODES.search(text)
        assert raw is None, (fmt, raw.group(0) if raw else None)

    # The dashboard's cards.
    cards = _cards(_app(monkeypatch, scenario))
    for headline in headlines:
        assert headline in cards
    assert design in cards
    assert "optimal" not in cards

    # The command line: text and JSON (codes unchanged, words and severity added).
    text, out = _cli(tmp_path, scenario, capsys)
    eff, tox = out["efficacy"], out["toxicity"]
    assert eff["decision"] == status.efficacy.state.value
    assert tox["decision"] == status.toxicity[0].decision.value
    for block, state in ((eff, status.efficacy.state), (tox, status.toxicity[0].decision)):
        words = vocabulary.words(state)
        assert block["decision_title"] == words.title
        assert block["decision_severity"] == words.severity.name.lower()
        assert f"{words.headline} [{words.severity.word}]" in text
    assert eff["design"] == design
    assert f"Design (Simon 1989): {design}" in text
    assert tox["rule"]["id"] == "vod"
    assert tox["rule"]["name"] == "Toxicity: " + (PROTOCOL.toxicity[0].label)
    for look, row in zip(status.looks, out["looks"], strict=True):
        assert row["summary"] == look.summary.value
        assert row["summary_title"] == vocabulary.title(look.summary)
    assert "optimal" not in text
    assert RAW_CODES.search(text) is None


def test_the_report_says_optimal_only_in_the_audits_own_findings() -> None:
    """Where the report prints "optimal", it quotes the audit (whose subject is the claim)."""
    _, doc = _status("on_track")
    findings = {f.message for f in audit_rule(_rule()).findings}
    for section in doc.sections:
        for block in section.blocks:
            if isinstance(block, Paragraph) and "optimal" in block.text:
                assert block.text.removeprefix("Difference: ") in findings, block.text


def test_the_raw_code_pattern_catches_what_the_reports_used_to_print() -> None:
    """The old report verdicts ("STAGE2", "STOP FUTILITY" came from codes) and rule ids."""
    for old in ("STAGE2", "stage1_accruing", "rule vod:", "not_reached", "signed_off"):
        assert RAW_CODES.search(old), old
    for words in ("Continue to stage 2", "Any-grade VOD/SOS", "Summary due", "Stage 1 accruing"):
        assert RAW_CODES.search(words) is None, words


def test_methods_doc_lists_every_state_with_its_severity_and_words() -> None:
    """docs/methods.md, "Decision words and severity", is the vocabulary as printed."""
    doc = Path("docs/methods.md").read_text(encoding="utf-8")
    for cls in vocabulary.VOCABULARY:
        for state in cls:
            w = vocabulary.words(state)  # type: ignore[arg-type]
            row = f"| `{state.value}` | {w.severity.name} | {w.headline} |"
            assert row in doc, row


def test_report_status_words_are_the_severity_words() -> None:
    """The XLSX prints a decision's status in the words of its severity."""
    for severity, status in blocks.REPORT_STATUS.items():
        assert status.word == severity.word
