"""One input-error family: exactly monitoring.errors.InputError exits 2 with one line; any
other exception is a bug and exits 1 with its traceback. ``report`` takes its database
options before or after the action, never silently opening the default database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from monitoring.cli import main
from monitoring.cli.common import CliError
from monitoring.db import engine as engine_module
from monitoring.db import looks  # ``report list`` imports it when it runs
from monitoring.db.errors import DataInputError
from monitoring.designs.simon import DesignError
from monitoring.designs.simon_search import NoFeasibleDesignError
from monitoring.designs.toxicity import PlanError
from monitoring.errors import InputError
from monitoring.protocol import ProtocolError
from tests.conftest import DEFAULT_PROTOCOL, ROOT
from tests.waits import HANG_GUARD


def test_protocol_data_argument_and_design_errors_are_one_family() -> None:
    for error in (DataInputError, ProtocolError, CliError, DesignError, NoFeasibleDesignError):
        assert issubclass(error, InputError), error
    assert issubclass(PlanError, InputError)
    # Still ValueErrors, as callers outside the command line catch them so.
    assert issubclass(DataInputError, ValueError)
    assert issubclass(ProtocolError, ValueError)


INJECT = """
import sys
import monitoring.designs.audit as audit

def broken(protocol):
    raise KeyError("injected defect")

audit.audit_protocol = broken  # design audit imports it when the command runs
from monitoring.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def test_an_injected_bug_exits_1_with_its_traceback() -> None:
    """A KeyError inside the library is a defect: not 'bad input', exit 1, traceback."""
    done = subprocess.run(
        [sys.executable, "-c", INJECT, "design", "audit", "--protocol", str(DEFAULT_PROTOCOL)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=HANG_GUARD,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr
    assert "KeyError: 'injected defect'" in done.stderr
    assert not done.stderr.startswith("error:")


def test_a_value_error_inside_a_database_command_is_not_reported_as_bad_input(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``report`` turned every ValueError into exit 2; now only the family does."""
    assert main(["trial", "add", "--db", db_url, "--protocol", str(DEFAULT_PROTOCOL)]) == 0

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("patient_id")

    monkeypatch.setattr(looks, "list_reports", broken)
    with pytest.raises(KeyError, match="patient_id"):
        main(["report", "list", "--db", db_url])

    def refused(*args: object, **kwargs: object) -> None:
        raise DataInputError("no such report")

    monkeypatch.setattr(looks, "list_reports", refused)
    capsys.readouterr()
    assert main(["report", "list", "--db", db_url]) == 2
    assert capsys.readouterr().err == "error: no such report\n"


def test_design_parameters_out_of_range_still_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["design", "simon", "--p0", "0.35", "--p1", "0.5", "--alpha", "2", "--beta", "0.2"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --alpha")
    assert err.count("\n") == 1


@pytest.fixture
def default_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The per-user default database, moved into the test's folder (never created here)."""
    default = tmp_path / "default" / "monitoring.sqlite"
    monkeypatch.setattr(engine_module, "default_database_path", lambda: default)
    return default


def test_report_options_before_or_after_the_action(
    db_url: str, default_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trial", "add", "--db", db_url, "--protocol", str(DEFAULT_PROTOCOL)]) == 0
    capsys.readouterr()
    assert main(["report", "list", "--db", db_url, "--json"]) == 0
    after = capsys.readouterr().out
    assert main(["report", "--db", db_url, "--json", "list"]) == 0
    before = capsys.readouterr().out
    assert after == before == "[]\n"  # the registered trial's (empty) list, not an error
    assert main(["report", "--db", db_url, "--trial", "ino-lowdose-ph2", "list"]) == 0
    assert not default_db.exists()  # --db before the action was honoured


def test_report_writing_options_before_an_action_are_refused(
    db_url: str, default_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trial", "add", "--db", db_url, "--protocol", str(DEFAULT_PROTOCOL)]) == 0
    capsys.readouterr()
    assert main(["report", "--db", db_url, "--look", "8", "list"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: --look is an option of writing a report; 'report list' does not take it\n"
    )
    assert (
        main(["report", "--db", db_url, "--format", "pdf", "sent", "--id", "1", "--by", "M"]) == 2
    )
    assert "--format" in capsys.readouterr().err
    assert not default_db.exists()
