"""The command line imports each command's heavy library only when that command runs.

Choices the parser needs at start are written out in the command modules; these tests keep
them equal to the library's enums, and show that a command's start does not import the
libraries of the design commands (dose finding, group-sequential) nor those of the
``survival`` command (the Cox model, competing risks). Accounts are on every
data command's path (each acts as a named user), so they are not deferred.
"""

from __future__ import annotations

import subprocess
import sys

from monitoring.accounts.model import Role
from monitoring.cli import design_group_sequential, users
from monitoring.designs.group_sequential import SpendingFamily
from tests.waits import HANG_GUARD


def test_choices_written_out_equal_the_library_enums() -> None:
    assert [f.value for f in SpendingFamily] == design_group_sequential.FAMILIES
    assert [r.value for r in Role] == users.ROLES


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
