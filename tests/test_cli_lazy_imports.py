"""The command line imports each command's heavy library only when that command runs.

Choices the parser needs at start are written out in the command modules; these tests keep
them equal to the library's enums, and show that a command's start does not import the
libraries of the others (the dose-finding and group-sequential designs, the accounts).
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


def test_building_the_parser_imports_no_design_or_account_library() -> None:
    code = (
        "import sys; from monitoring.cli import build_parser; build_parser(); "
        "print(sorted(m for m in sys.modules if m.startswith(("
        "'monitoring.designs.dose_finding', 'monitoring.designs.group_sequential', "
        "'monitoring.accounts'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_GUARD, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout
