"""Command line: ``python -m monitoring <command> ...``.

Each command group lives in its own module with a ``register(subparsers)`` function. JSON is
produced only at this boundary. Exit codes: 0 success, 2 bad input (one-line reason on
stderr), 1 a bug (the traceback); commands may document further codes (see docs/cli.md).
Bad input is exactly the :class:`monitoring.errors.InputError` family: any other exception
propagates, so a defect is never reported as the user's mistake.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from monitoring import __version__
from monitoring.cli import (
    admin,
    analysis,
    backup,
    data,
    design,
    monitor,
    quality,
    report,
    survival,
    users,
)
from monitoring.errors import InputError

COMMAND_MODULES = [
    design,
    data,
    monitor,
    analysis,
    report,
    survival,
    quality,
    backup,
    admin,
    users,
]


class OneLineErrorParser(argparse.ArgumentParser):
    """Argument errors as one line on stderr with exit status 2 (SPEC 6), no usage dump."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {self.prog}: {message} (see --help)\n")
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="python -m monitoring",
        description="Interim monitoring of phase II trials: designs, decisions, data, reports.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into a command that stopped reading (head, less)
        sys.stderr.close()
        return 0
    return code
