"""``python -m monitoring report``: files written from the database, recorded, shown in the
monitoring log, marked sent and signed off, and regenerated identically after later
corrections. Expected numbers are the library's own results on the same data (status,
derivation), computed here independently of the command."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from monitoring.cli import main
from monitoring.db.chain import chain_head
from monitoring.db.chain_verify import verify_chain
from monitoring.db.corrections import correct_value
from monitoring.db.engine import open_database
from monitoring.db.importer import import_files
from monitoring.db.looks import list_reports, look_records
from monitoring.db.reading import load_trial_data
from monitoring.db.repository import add_trial
from monitoring.db.schema import monitoring_log
from monitoring.demo import generate, write_tables
from monitoring.derive import derive
from monitoring.protocol import load_protocol
from monitoring.reports.content import ReportStamp, build_report, resolve_look
from monitoring.reports.document import RecommendationForm
from monitoring.reports.records import records_as_of
from monitoring.status import LookRecord, TrialStatus, trial_status
from monitoring.summary_state import SummaryState
from tests.conftest import PROTOCOL_DIR

PROTOCOL_FILE = PROTOCOL_DIR / "ino-lowdose-ph2.toml"
PROTOCOL = load_protocol(PROTOCOL_FILE)
IMPORTED_AT = datetime(2025, 7, 5, 8, 0, tzinfo=UTC)
KNOWN_ON = "2025-07-06T12:00:00"
CORRECTED_AT = datetime(2025, 7, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database with the demo trial (on_track scenario) imported once."""
    folder = tmp_path_factory.mktemp("report-db")
    path = folder / "monitoring.sqlite"
    engine = open_database(path)
    add_trial(
        engine,
        PROTOCOL_FILE.read_text(encoding="utf-8"),
        source="test",
        now=IMPORTED_AT,
        user="registrar",
    )
    files = write_tables(generate(PROTOCOL, "on_track", seed=0), folder / "extract")
    result = import_files(engine, None, files, now=IMPORTED_AT, user="data manager")
    assert result.accepted, result.problems
    engine.dispose()
    return path


@pytest.fixture
def db(database: Path, tmp_path: Path) -> Path:
    """A copy of the module database, so each test starts from the same state."""
    copy = tmp_path / "db.sqlite"
    copy.write_bytes(database.read_bytes())
    return copy


def _engine(path: Path) -> sa.Engine:
    return open_database(path)


def _status(path: Path, cutoff: date | None = None, as_known_on: str = KNOWN_ON) -> TrialStatus:
    engine = _engine(path)
    known = datetime.fromisoformat(as_known_on).replace(tzinfo=UTC)
    data = load_trial_data(engine, PROTOCOL.id, known)
    records = look_records(engine, PROTOCOL.id)
    engine.dispose()
    return trial_status(
        PROTOCOL, derive(data, PROTOCOL, cutoff), as_known_on=known, records=records
    )


def _look_day(path: Path, look: int) -> date:
    found = resolve_look(_status(path), look)
    assert found is not None
    assert found.reached_on is not None
    return found.reached_on


def _report(db: Path, out: Path, *extra: str) -> int:
    return main(["report", "--db", str(db), "--user", "statistician", "--out", str(out), *extra])


def _pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True)
    return " ".join(out.stdout.split())


def test_look_report_is_cut_at_the_day_the_look_was_reached(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "look16.pdf"
    assert _report(db, out, "--look", "16", "--as-known-on", KNOWN_ON, "--format", "pdf") == 0
    expected = _status(db, cutoff=_look_day(db, 16))
    (record,) = list_reports(_engine(db), PROTOCOL.id)
    assert record.look == 16
    assert record.cutoff == expected.cutoff
    assert record.data_digest == expected.provenance.data_digest
    assert record.as_known_on == datetime.fromisoformat(KNOWN_ON).replace(tzinfo=UTC)
    assert record.generated_by == "statistician"
    text = _pdf_text(out)
    assert expected.efficacy is not None
    assert expected.efficacy.explanation in text
    assert expected.provenance.data_digest in text.replace(" ", "")
    assert "16 evaluable patients (look 2" in text


def test_report_appears_as_generated_then_signed_off_in_the_monitoring_log(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {look.evaluable: look.summary for look in _status(db).looks}
    assert before[8] is SummaryState.DUE
    assert _report(db, tmp_path / "l8.xlsx", "--look", "8", "--format", "xlsx") == 0
    assert {lk.evaluable: lk.summary for lk in _status(db).looks}[8] is SummaryState.GENERATED
    (generated,) = list_reports(_engine(db), PROTOCOL.id)
    by = ["--db", str(db), "--by", "Medical Monitor"]
    assert main(["report", "sent", *by, "--id", str(generated.id)]) == 0
    assert main(["report", "signoff", *by, "--look", "8"]) == 0
    look8 = next(look for look in _status(db).looks if look.evaluable == 8)
    assert look8.summary is SummaryState.SIGNED_OFF
    assert look8.record is not None
    assert look8.record.signed_off_by == "Medical Monitor"
    (record,) = list_reports(_engine(db), PROTOCOL.id)
    assert record.sent_by == "Medical Monitor"
    with _engine(db).connect() as conn:
        logged = conn.execute(sa.select(monitoring_log)).mappings().one()
    assert (logged["look_number"], logged["reached_date"]) == (8, _look_day(db, 8))
    capsys.readouterr()
    assert main(["report", "list", "--db", str(db)]) == 0
    assert "signed off by Medical Monitor" in capsys.readouterr().out


def test_regenerated_report_has_the_same_numbers_after_a_correction(
    db: Path, tmp_path: Path
) -> None:
    first = tmp_path / "first.xlsx"
    assert _report(db, first, "--look", "16", "--as-known-on", KNOWN_ON, "--format", "xlsx") == 0
    day = _look_day(db, 16)
    engine = _engine(db)
    data = load_trial_data(engine, PROTOCOL.id)
    early = data.patients.sort_values("enrollment_date").iloc[0]
    correct_value(
        engine,
        PROTOCOL.id,
        "patients",
        {"patient_id": str(early["patient_id"])},
        "age",
        str(int(early["age"]) + 1),
        reason="transcription error",
        now=CORRECTED_AT,
        user="data manager",
    )
    engine.dispose()
    later = _status(db, cutoff=day, as_known_on="2025-07-11T00:00:00")
    (original,) = list_reports(_engine(db), PROTOCOL.id)
    assert later.provenance.data_digest != original.data_digest  # the correction is seen now
    again = tmp_path / "again.xlsx"
    args = ["--db", str(db), "--id", str(original.id), "--out", str(again), "--user", "x"]
    assert main(["report", "regenerate", *args]) == 0
    regenerated = list_reports(_engine(db), PROTOCOL.id)[-1]
    assert regenerated.data_digest == original.data_digest
    assert (regenerated.cutoff, regenerated.as_known_on) == (original.cutoff, original.as_known_on)

    def sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
        book = openpyxl.load_workbook(path)
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}

    # Every sheet but the title block (generation time and user differ) is identical.
    before, after = sheets(first), sheets(again)
    assert before.pop("Summary") != after.pop("Summary")
    assert before == after
    assert len(before) > 10


def test_cutoff_and_open_version(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "open.xlsx"
    cutoff = _look_day(db, 24)
    args = ["--cutoff", cutoff.isoformat(), "--version", "open", "--format", "xlsx"]
    assert _report(db, out, *args) == 0
    book = openpyxl.load_workbook(out)
    summary = [c for row in book["Summary"].iter_rows(values_only=True) for c in row if c]
    assert "OPEN version" in summary
    assert cutoff.isoformat() in summary
    (record,) = list_reports(_engine(db), PROTOCOL.id)
    assert record.look == 24  # the latest look reached by the cut-off


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--look", "9", "--format", "pdf"], "no scheduled look at 9"),
        (["--look", "40", "--format", "pdf"], "not reached yet"),
        (["--look", "8", "--cutoff", "2025-01-01", "--format", "pdf"], "not both"),
        ([], "needs --format"),
    ],
)
def test_bad_requests_exit_2_with_a_reason(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert _report(db, tmp_path / "x.pdf", *args) == 2
    assert message in capsys.readouterr().err
    assert list_reports(_engine(db), PROTOCOL.id) == ()


def test_signoff_needs_a_generated_report(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", "signoff", "--db", str(db), "--look", "8", "--by", "M"])
    assert code == 2
    assert "generate it first" in capsys.readouterr().err


def test_records_as_of_a_moment_keep_only_what_happened_before() -> None:
    """Hand-made records: look 8 generated day 1 and signed off day 3, look 16 generated
    day 2. As of day 2, look 8 is generated (not signed off) and look 16 not yet recorded."""
    day = [datetime(2025, 1, d, tzinfo=UTC) for d in (1, 2, 3)]
    records = (
        LookRecord(8, day[0], "a", day[2], "m"),
        LookRecord(16, day[1], "b"),
    )
    assert records_as_of(records, day[1]) == (LookRecord(8, day[0], "a"),)
    assert records_as_of(records, datetime(2025, 2, 1, tzinfo=UTC)) == records
    assert records_as_of(records, day[0]) == ()


def test_report_of_a_trial_without_data_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.sqlite"
    engine = open_database(path)
    text = PROTOCOL_FILE.read_text(encoding="utf-8")
    add_trial(engine, text, source="test", now=IMPORTED_AT, user="registrar")
    engine.dispose()
    assert _report(path, tmp_path / "x.pdf", "--format", "pdf") == 2
    assert "has no patient data known on" in capsys.readouterr().err


def test_report_records_and_prints_the_history_chain_head(db: Path, tmp_path: Path) -> None:
    """The head before the report is recorded with it, printed in the title block, and
    ``audit verify`` still passes (the report's own link follows that head)."""
    engine = _engine(db)
    head = chain_head(engine, PROTOCOL.id).hash
    engine.dispose()
    out = tmp_path / "chain.xlsx"
    assert _report(db, out, "--as-known-on", KNOWN_ON, "--format", "xlsx") == 0
    engine = _engine(db)
    (record,) = list_reports(engine, PROTOCOL.id)
    assert verify_chain(engine, PROTOCOL.id).ok
    engine.dispose()
    assert record.chain_head == head
    summary = openpyxl.load_workbook(out)["Summary"]
    cells = [c for row in summary.iter_rows(values_only=True) for c in row]
    assert "History chain head (SHA-256)" in cells
    assert head in cells


def test_signoff_records_the_committee_s_recommendation(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``report signoff --recommendation`` is recorded with the sign-off (the row's note) and
    read back with the look; the next report's form is ticked with it; the monitoring log
    names it; an unknown word is refused."""
    assert _report(db, tmp_path / "l8.xlsx", "--look", "8", "--format", "xlsx") == 0
    by = ["--db", str(db), "--by", "DSMB chair"]
    capsys.readouterr()
    assert main(["report", "signoff", *by, "--look", "8", "--recommendation", "modify"]) == 0
    assert "recommendation: modify" in capsys.readouterr().out
    (record,) = [r for r in look_records(_engine(db), PROTOCOL.id) if r.evaluable == 8]
    assert (record.signed_off_by, record.recommendation) == ("DSMB chair", "modify")
    with _engine(db).connect() as conn:
        logged = conn.execute(sa.select(monitoring_log)).mappings().one()
    assert logged["note"] == "Recommendation: modify."
    assert verify_chain(_engine(db), PROTOCOL.id).ok  # the note is hashed like any value
    status = _status(db)
    known = datetime.fromisoformat(KNOWN_ON).replace(tzinfo=UTC)
    data = load_trial_data(_engine(db), PROTOCOL.id, known)
    derivation = derive(data, PROTOCOL, status.cutoff)
    doc = build_report(status, derivation, stamp=ReportStamp(datetime.now(UTC)), look=8)
    form = doc.sections[-1].blocks[0]
    assert isinstance(form, RecommendationForm)
    assert form.recorded == "modify"
    log = next(t for t in doc.tables() if t.title.startswith("Monitoring log"))
    assert "DSMB chair (modify)" in [row[-1] for row in log.rows]
    with pytest.raises(SystemExit):
        main(["report", "signoff", *by, "--look", "8", "--recommendation", "halt"])


def test_meeting_date_is_taken_by_writing_only(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.xlsx"
    assert _report(db, out, "--format", "xlsx", "--meeting-date", "2025-08-01") == 0
    # given before an action, an option of writing a report is refused, not ignored
    assert main(["report", "--db", str(db), "--meeting-date", "2025-08-01", "list"]) == 2


def test_one_call_writes_every_format_from_one_document_and_records_each(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--format pdf,docx,xlsx``: a file per format (``--out``'s extension replaced), one
    record per file with the same cut-off and digests, and the numbers of the single-format
    reports: the XLSX's sheets equal those of ``--format xlsx`` (but the title block and the
    monitoring log, which shows the earlier report)."""
    args = ("--look", "16", "--as-known-on", KNOWN_ON)
    single = tmp_path / "single.xlsx"
    assert _report(db, single, *args, "--format", "xlsx") == 0
    capsys.readouterr()
    assert _report(db, tmp_path / "look16.pdf", *args, "--format", "pdf,docx,xlsx") == 0
    printed = capsys.readouterr().out.splitlines()
    files = [tmp_path / f"look16.{ext}" for ext in ("pdf", "docx", "xlsx")]
    assert all(path.stat().st_size > 0 for path in files)
    first, *records = list_reports(_engine(db), PROTOCOL.id)
    assert [r.format for r in records] == ["pdf", "docx", "xlsx"]
    assert [r.file_name for r in records] == [path.name for path in files]
    assert len(printed) == 3
    assert all(path.name in line for path, line in zip(files, printed, strict=True))
    assert {(r.look, r.cutoff, r.data_digest, r.chain_head) for r in records} == {
        (16, first.cutoff, first.data_digest, records[0].chain_head)
    }
    assert first.data_digest == records[0].data_digest

    def sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
        book = openpyxl.load_workbook(path)
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}

    # Every sheet but the title block (generation time) and the monitoring log (which now
    # shows the first report as generated) is identical.
    alone, together = sheets(single), sheets(files[2])
    for varying in ("Summary", "Monitoring log"):
        assert alone.pop(varying) != together.pop(varying)
    assert alone == together
    assert len(alone) > 10
    text = _pdf_text(files[0])
    assert "Kaplan–Meier estimate: OS" in text
    assert records[0].data_digest in text.replace(" ", "")


def test_format_list_with_json_prints_every_record(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    assert _report(db, tmp_path / "both", "--format", "xlsx,pdf", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert [(r["format"], r["file_name"]) for r in shown] == [
        ("xlsx", "both.xlsx"),
        ("pdf", "both.pdf"),
    ]


@pytest.mark.parametrize(
    ("formats", "message"),
    [("pdf,odt", "invalid format 'pdf,odt'"), ("pdf,pdf", "format given twice")],
)
def test_bad_format_lists_exit_2(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], formats: str, message: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        _report(db, tmp_path / "x.pdf", "--format", formats)
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
    assert list_reports(_engine(db), PROTOCOL.id) == ()
