"""The command line imports each command's heavy library only when that command runs.

Choices the parser needs at start are written out in the command modules; these tests keep
them equal to the library's enums and constants, and show that a command's start imports
no data, statistics, database or report library (``--help``: none of pandas, scipy,
SQLAlchemy, the plotting and report writers) and that ``status`` imports no plotting or
report library and not ``scipy.stats`` (docs/performance.md, issue 14: command start),
that ``report`` loads neither ``scipy.stats`` nor ``scipy.optimize``;
the design commands (dose finding, group-sequential) and ``survival`` (the Cox model,
competing risks) load their libraries only when they run.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from monitoring.accounts.model import Role
from monitoring.cli import analysis, data, design_group_sequential, monitor, report, users
from monitoring.db.engine import head_revision, shipped_head
from monitoring.db.looks import RECOMMENDATIONS
from monitoring.demo import Scenario
from monitoring.designs.group_sequential import SpendingFamily
from monitoring.ingest.registry import FORMATS
from monitoring.protocol import DEFAULT_TRIAL_ID, SURVIVAL_ENDPOINTS
from monitoring.reports.document import VersionLabel
from tests.conftest import ROOT
from tests.waits import HANG_GUARD

NEVER_ON_STATUS = (
    "plotly",
    "kaleido",
    "reportlab",
    "docx",
    "openpyxl",
    "scipy.stats",
    "lifelines",
    "matplotlib",
    "streamlit",
)
"""Plotting, report and full-distribution libraries: no ``status`` needs them."""

NEVER_AT_START = (*NEVER_ON_STATUS, "pandas", "numpy", "scipy", "sqlalchemy", "alembic")
"""What building the parser (``--help``, any command's start) never imports."""


def test_choices_written_out_equal_the_library_enums() -> None:
    assert [f.value for f in SpendingFamily] == design_group_sequential.FAMILIES
    assert [r.value for r in Role] == users.ROLES
    assert [s.value for s in Scenario] == monitor.SCENARIOS
    assert monitor.DEFAULT_TRIAL_ID == DEFAULT_TRIAL_ID
    assert tuple(analysis.SURVIVAL_ENDPOINTS) == SURVIVAL_ENDPOINTS
    assert tuple(FORMATS) == data.IMPORT_FORMATS
    assert report.RECOMMENDATIONS == RECOMMENDATIONS
    assert [report._version(v) for v in report.VERSIONS] == [
        VersionLabel.OPEN,
        VersionLabel.CLOSED,
    ]


def _loaded_after(argv: list[str], names: tuple[str, ...]) -> list[str]:
    """The modules of ``names`` (a package or any of its modules) in ``sys.modules`` after
    ``python -m monitoring ARGV`` ran in a fresh interpreter."""
    code = (
        "import sys, contextlib, io\n"
        "from monitoring.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        main({argv!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"names = {names!r}\n"
        "print(sorted(n for n in names if any(m == n or m.startswith(n + '.') "
        "for m in sys.modules)))\n"
    )
    return _printed_list(code)


def _printed_list(code: str) -> list[str]:
    """The list ``code`` prints, run in a fresh interpreter at the repository root."""
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=True,
        cwd=ROOT,
    )
    return list(ast.literal_eval(out.stdout.strip()))  # a printed list of module names


def test_help_imports_no_data_statistics_database_or_report_library() -> None:
    assert _loaded_after(["--help"], NEVER_AT_START) == []
    assert _loaded_after(["report", "--help"], NEVER_AT_START) == []


def _demo_database(folder: Path) -> str:
    """A demo database made by ``python -m monitoring demo`` in a process of its own."""
    db = str(folder / "demo.sqlite")
    subprocess.run(
        [sys.executable, "-m", "monitoring", "demo", "--db", db],
        capture_output=True,
        timeout=HANG_GUARD,
        check=True,
        cwd=ROOT,
    )
    return db


def test_status_imports_no_plotting_report_or_scipy_stats(tmp_path: Path) -> None:
    db = _demo_database(tmp_path)
    for argv in (["status", "--db", db, "--json"], ["status", "--db", db]):
        assert _loaded_after(argv, NEVER_ON_STATUS) == []
    # A database at the shipped schema is opened without loading Alembic or the importer.
    status = ["status", "--db", db, "--json"]
    assert _loaded_after(status, ("alembic", "monitoring.db.importer", "monitoring.demo")) == []


def test_the_database_digests_load_no_pandas() -> None:
    """``status`` starts hashing the tables it does not read while the analysis loads: the
    digest module, its schema and its transactions need neither pandas nor numpy."""
    code = (
        "import sys\n"
        "import monitoring.db.digest\n"
        "print(sorted(n for n in ('pandas', 'numpy') if n in sys.modules))\n"
    )
    assert _printed_list(code) == []


def test_report_imports_neither_scipy_stats_nor_scipy_optimize(tmp_path: Path) -> None:
    """The report's decisions and survival comparisons use ``monitoring.distributions``
    (``scipy.special``) and a group-sequential design solves its bounds with
    ``scipy.optimize`` only when one is computed: the three files of the demo trial load
    neither (0.3 s and 0.2 s of import; docs/performance.md, "Report command")."""
    db = _demo_database(tmp_path)
    out = str(tmp_path / "summary.pdf")
    argv = ["report", "--db", db, "--user", "statistician", "--format", "pdf,docx,xlsx"]
    loaded = _loaded_after([*argv, "--out", out], ("scipy.stats", "scipy.optimize"))
    assert loaded == []
    assert {p.name for p in tmp_path.glob("summary.*")} == {
        "summary.pdf",
        "summary.docx",
        "summary.xlsx",
    }


def test_the_schema_head_read_from_the_migration_files_is_alembics() -> None:
    assert shipped_head() == head_revision()


def test_building_the_parser_imports_no_design_library() -> None:
    code = (
        "import sys; from monitoring.cli import build_parser; build_parser(); "
        "print(sorted(m for m in sys.modules if m.startswith(("
        "'monitoring.designs.dose_finding', 'monitoring.designs.group_sequential', "
        "'monitoring.survival.arms', 'monitoring.survival.cox', "
        "'monitoring.survival.competing_risks'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_GUARD, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout


def test_a_trial_without_a_group_sequential_rule_never_loads_its_libraries() -> None:
    """Rule kinds load on first use (``monitoring.rules.registry``): the default trial's
    status decides a Simon and a toxicity rule only."""
    code = (
        "import sys\n"
        "from monitoring.demo import generate\n"
        "from monitoring.derive import derive\n"
        "from monitoring.protocol import bundled_protocol, load_protocol\n"
        "from monitoring.status import trial_status\n"
        "p = load_protocol(bundled_protocol('ino-lowdose-ph2'))\n"
        "trial_status(p, derive(generate(p, 'on_track', seed=0), p))\n"
        "print(sorted(m for m in sys.modules if 'group_sequential' in m))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_GUARD, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout


def test_the_survival_command_is_registered_and_loads_its_library_when_run() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from monitoring.cli import build_parser, main\n"
        "parser = build_parser()\n"
        "args = parser.parse_args(['survival', 'cif', '--csv', 'x.csv', '--time', 't', "
        "'--status', 's', '--event-code', '1', '--competing-code', '2', '--times', '1'])\n"
        "print('competing' in ' '.join(sys.modules))\n"
        "with contextlib.redirect_stderr(io.StringIO()):\n"
        "    main(['survival', 'cif', '--csv', 'missing.csv', '--time', 't', '--status', 's', "
        "'--event-code', '1', '--competing-code', '2', '--times', '1'])\n"
        "print('monitoring.survival.competing_risks' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_GUARD, check=True
    )
    assert out.stdout.split() == ["False", "True"], out.stdout
