"""Command line: trial add/list, import, correct and audit, with their exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitoring.cli import main
from tests.conftest import DEFAULT_PROTOCOL, ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "import"
TRIAL = "ino-lowdose-ph2"


def _files(kind: str) -> list[str]:
    return [str(FIXTURES / kind / f"{t}.csv") for t in ("patients", "responses", "adverse_events")]


def _add(db: str) -> None:
    assert (
        main(["trial", "add", "--db", db, "--protocol", str(DEFAULT_PROTOCOL), "--user", "reg"])
        == 0
    )


def test_trial_add_and_list(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _add(db_url)
    assert "registered trial ino-lowdose-ph2" in capsys.readouterr().out
    assert main(["trial", "list", "--db", db_url, "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["id"], listed["registered_by"]) == (TRIAL, "reg")
    assert len(listed["protocol_digest"]) == 64


def test_trial_add_refusals(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(db_url)
    capsys.readouterr()
    assert main(["trial", "add", "--db", db_url, "--protocol", str(DEFAULT_PROTOCOL)]) == 2
    assert capsys.readouterr().err == f"error: trial '{TRIAL}' is already registered\n"
    bad = tmp_path / "bad.toml"
    bad.write_text(DEFAULT_PROTOCOL.read_text().replace("p0 = 0.35", "p0 = 1.35"))
    assert main(["trial", "add", "--db", db_url, "--protocol", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "efficacy[0].p0" in err
    assert main(["trial", "add", "--db", db_url, "--protocol", str(tmp_path / "none.toml")]) == 2
    assert "cannot read protocol file" in capsys.readouterr().err


def test_import_accepted_then_rejected(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _add(db_url)
    capsys.readouterr()
    assert main(["import", "--db", db_url, *_files("valid")]) == 0
    out = capsys.readouterr().out
    assert "patients: 3 added, 0 changed, 0 unchanged" in out
    assert main(["import", "--db", db_url, "--json", *_files("rejected")]) == 2
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["accepted"] is False
    # Expected lines: the faults documented in tests/fixtures/import/README.md. P02's stored
    # adverse event (onset 2025-01-25, imported from valid/) also conflicts with the new death.
    assert captured.err.splitlines() == [
        "adverse_events.csv:3:patient_id: patient 'P99' is neither in this import's patients "
        "nor in the database",
        "patients.csv:3:death_date: impossible sequence: adverse event onset after death "
        "(patients.death_date 2025-01-12 is before adverse_events.onset_date 2025-01-25); "
        "the adverse_events row is stored",
        "patients.csv:3:death_date: impossible sequence: death before first dose "
        "(death_date 2025-01-12 is before first_dose_date 2025-01-13)",
        "patients.csv:3:last_contact_date: impossible sequence: last contact after death "
        "(death_date 2025-01-12 is before last_contact_date 2025-04-01)",
        "responses.csv:2:response: unknown code 'CCR'; expected CR, CRp, CRi, PR, NR, PD, NE",
        "responses.csv:4:assessment_date: impossible sequence: response assessment after death "
        "(patients.death_date 2025-01-12 is before responses.assessment_date 2025-02-10)",
        "error: import rejected (6 problem(s)); nothing was changed",
    ]


def test_correct_and_audit(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _add(db_url)
    assert main(["import", "--db", db_url, *_files("valid")]) == 0
    capsys.readouterr()
    args = [
        "correct",
        "--db",
        db_url,
        "--table",
        "responses",
        "--key",
        "patient_id=P02,assessment_date=2025-02-10",
        "--column",
        "response",
        "--value",
        "PR",
    ]
    assert main([*args, "--reason", "  "]) == 2
    assert capsys.readouterr().err == "error: a correction needs a reason\n"
    assert main([*args, "--reason", "source document", "--user", "stat"]) == 0
    assert "response 'NR' -> 'PR'" in capsys.readouterr().out
    assert main(["audit", "--db", db_url, "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["column"], entry["old_value"], entry["new_value"]) == ("response", "NR", "PR")
    assert (entry["source"], entry["reason"], entry["changed_by"]) == (
        "correction",
        "source document",
        "stat",
    )
    assert main(["audit", "--db", db_url]) == 0
    assert "correction: source document" in capsys.readouterr().out


def test_trial_must_be_named_when_several(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(db_url)
    second = tmp_path / "second.toml"
    second.write_text(DEFAULT_PROTOCOL.read_text().replace(f'id = "{TRIAL}"', 'id = "other"', 1))
    assert main(["trial", "add", "--db", db_url, "--protocol", str(second)]) == 0
    capsys.readouterr()
    assert main(["import", "--db", db_url, *_files("valid")]) == 2
    assert capsys.readouterr().err == (
        "error: the database holds 2 trials (ino-lowdose-ph2, other); give --trial\n"
    )
    assert main(["import", "--db", db_url, "--trial", "other", *_files("valid")]) == 0
    assert main(["audit", "--db", db_url, "--trial", "nope"]) == 2
    assert "no trial 'nope'" in capsys.readouterr().err


def test_every_data_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["trial", "add"], ["trial", "list"], ["import"], ["correct"], ["audit"]):
        with pytest.raises(SystemExit) as exc:
            main([*command, "--help"])
        assert exc.value.code == 0
        assert "--db" in capsys.readouterr().out


def test_import_of_a_workbook(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for path in _files("valid"):
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        sheet = book.create_sheet(Path(path).stem)
        for row in rows:
            sheet.append([v or None for v in row])
    book.create_sheet("notes").append(["exported 2025-05-01"])
    book.save(tmp_path / "extract.xlsx")
    _add(db_url)
    capsys.readouterr()
    assert main(["import", "--db", db_url, str(tmp_path / "extract.xlsx")]) == 0
    captured = capsys.readouterr()
    assert "adverse_events: 2 added, 0 changed, 0 unchanged" in captured.out
    assert captured.err == "note: extract.xlsx[notes]:-:-: sheet ignored: not a table\n"
