"""Every command of ``python -m monitoring`` is documented in docs/cli.md."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitoring.cli import build_parser

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                path = f"{prefix}{name}"
                children = list(_commands(sub, f"{path} "))
                if children:
                    yield from children
                else:
                    yield path


def test_every_command_is_documented() -> None:
    doc = DOC.read_text(encoding="utf-8")
    missing = [c for c in _commands(build_parser()) if f"python -m monitoring {c}`" not in doc]
    assert not missing, f"commands missing from docs/cli.md: {missing}"


def test_every_command_has_help() -> None:
    for command in _commands(build_parser()):
        with pytest.raises(SystemExit) as exit_:
            build_parser().parse_args([*command.split(), "--help"])
        assert exit_.value.code == 0, command
