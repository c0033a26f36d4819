"""Every command of ``python -m monitoring`` is documented in docs/cli.md."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitoring.cli import build_parser

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def _leaves(
    parser: argparse.ArgumentParser, prefix: str = ""
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                path = f"{prefix}{name}"
                children = list(_leaves(sub, f"{path} "))
                if children:
                    yield from children
                else:
                    yield path, sub


def _commands(parser: argparse.ArgumentParser) -> Iterator[str]:
    return (path for path, _ in _leaves(parser))


def test_every_command_is_documented() -> None:
    doc = DOC.read_text(encoding="utf-8")
    missing = [c for c in _commands(build_parser()) if f"python -m monitoring {c}`" not in doc]
    assert not missing, f"commands missing from docs/cli.md: {missing}"


def test_every_command_has_help() -> None:
    for command in _commands(build_parser()):
        with pytest.raises(SystemExit) as exit_:
            build_parser().parse_args([*command.split(), "--help"])
        assert exit_.value.code == 0, command


def test_every_option_of_every_command_is_documented_in_its_section() -> None:
    doc = DOC.read_text(encoding="utf-8")
    missing = []
    for path, sub in _leaves(build_parser()):
        heading = f"python -m monitoring {path}`"
        start = doc.index(heading)
        following = doc.find("\n## ", start + 1), doc.find("\n### ", start + 1)
        ends = [e for e in following if e != -1]
        section = doc[start : min(ends) if ends else len(doc)]
        for action in sub._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help") and flag not in section:
                    missing.append(f"{path} {flag}")
    assert not missing, f"options missing from their section of docs/cli.md: {missing}"
