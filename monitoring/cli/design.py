"""``design`` commands: Simon two-stage, Bayesian toxicity monitoring, dose finding (3+3,
BOIN), group-sequential boundaries, protocol audit."""

from __future__ import annotations

import argparse
from types import ModuleType
from typing import Any

from monitoring.cli import (
    design_audit,
    design_dose_finding,
    design_group_sequential,
    design_simon,
    design_toxicity,
)

# Each module registers one ``design`` sub-command with ``register(design_subparsers)``.
SUBCOMMANDS: list[ModuleType] = [
    design_simon,
    design_toxicity,
    design_dose_finding,
    design_group_sequential,
    design_audit,
]


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "design",
        help="exact design calculations and the audit of a protocol's designs",
        description="Exact design calculations and the audit of a protocol's designs.",
    )
    design_sub = parser.add_subparsers(dest="design_command", required=True, metavar="DESIGN")
    for module in SUBCOMMANDS:
        module.register(design_sub)
