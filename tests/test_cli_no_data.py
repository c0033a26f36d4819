"""Commands on a trial registered without data: every analysis command stops with exit 2 and
one line naming the trial and the three files to import (no traceback, nothing written);
``trial list`` and ``design audit`` work, since they need the protocol only.

Each bundled protocol is registered by its name (docs/cli.md, ``trial add``). The file names
come from the data dictionary (``monitoring/data_dictionary.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from monitoring.cli import main
from monitoring.data_dictionary import CORE_TABLES
from monitoring.protocol import bundled_protocol_files, bundled_protocol_name

NAMES = sorted(bundled_protocol_name(f) for f in bundled_protocol_files())
FILES = [f"{name}.csv" for name in CORE_TABLES]  # the files every trial needs


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str], trial: str) -> None:
    assert main(argv) == 2, argv
    out, err = capsys.readouterr()
    assert out == "", argv
    lines = err.strip().splitlines()
    assert len(lines) == 1, (argv, err)
    assert "Traceback" not in err
    assert f"trial '{trial}' has no patient data" in lines[0], argv
    for file in FILES:
        assert file in lines[0], (argv, file)


@pytest.mark.parametrize("name", NAMES)
def test_analysis_commands_on_a_trial_without_data_name_the_files_to_import(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path, name: str
) -> None:
    assert main(["trial", "add", "--db", db_url, "--protocol", name]) == 0
    assert capsys.readouterr().out.startswith(f"registered trial {name} ")
    db = ["--db", db_url, "--trial", name]
    report = tmp_path / "report.pdf"
    for argv in (
        ["status", *db],
        ["status", *db, "--json"],
        ["km", *db, "--endpoint", "OS"],
        ["tables", *db],
        ["quality", *db],
        ["report", *db, "--format", "pdf", "--out", str(report)],
    ):
        _refused(capsys, argv, name)
    assert not report.exists()
    assert main(["trial", "list", "--db", db_url]) == 0
    assert name in capsys.readouterr().out
    assert main(["design", "audit", "--protocol", name]) == 0


def test_an_unknown_protocol_name_is_refused_with_the_bundled_names(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Neither a file nor a bundled name: exit 2, the bundled names listed, no database."""
    db = tmp_path / "new.sqlite"
    assert main(["trial", "add", "--db", str(db), "--protocol", "no-such-trial"]) == 2
    err = capsys.readouterr().err
    assert "cannot read protocol file no-such-trial" in err
    for name in NAMES:
        assert name in err
    assert not db.exists()
