"""Shared command-line helpers: errors, argument types and JSON output."""

from __future__ import annotations

import argparse
import dataclasses
import enum
import json
import math
import os
import sys
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from monitoring.errors import InputError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


class CliError(InputError):
    """Bad arguments: printed as a one-line reason on stderr, exit status 2."""


def protocol_argument(text: str) -> Path | Traversable:
    """A ``--protocol`` value: a file path, or the name of a bundled protocol (for example
    ``mrd-ino-ph2``) when no file of that name exists."""
    from monitoring.protocol import bundled_protocol_files, bundled_protocol_name

    path = Path(text)
    if path.exists():
        return path
    bundled = {bundled_protocol_name(f): f for f in bundled_protocol_files()}
    return bundled.get(text, path)


def read_protocol_text(value: str) -> tuple[Path | Traversable, str]:
    """The ``--protocol`` file (see :func:`protocol_argument`) and its text; a file that
    cannot be read or is not UTF-8 text is a :class:`CliError` naming it."""
    path = protocol_argument(value)
    try:
        return path, path.read_text(encoding="utf-8")
    except OSError as exc:
        from monitoring.protocol import bundled_protocol_files, bundled_protocol_name

        names = ", ".join(bundled_protocol_name(f) for f in bundled_protocol_files())
        raise CliError(
            f"cannot read protocol file {path}: {exc.strerror} (or name a bundled protocol: "
            f"{names})"
        ) from exc
    except UnicodeDecodeError as exc:  # a binary file given by mistake
        raise CliError(f"protocol file {path} is not UTF-8 text (a TOML file is)") from exc


def probability(text: str) -> float:
    """argparse type: a number strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from exc
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"{value} must lie strictly between 0 and 1")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from exc
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{value} must be positive")
    return value


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not an ISO date YYYY-MM-DD") from exc


def seed(text: str) -> int:
    """argparse type: a random seed, a whole number from 0 (numpy refuses negative seeds)."""
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from exc
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must be 0 or more")
    return value


def output_file(text: str) -> Path:
    """argparse type: a file to write. Its folder must exist and be writable (nothing is
    created but the file), and it must not name a folder."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"'{text}' is a directory; give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"no directory '{folder}' for '{text}'")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise argparse.ArgumentTypeError(f"cannot write '{text}': permission denied")
    return path


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums, dates, paths, tuples and non-finite floats to plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return to_jsonable(value.item())
    return value


def print_json(value: Any) -> None:
    json.dump(to_jsonable(value), sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")
