"""Import formats: name -> ``"module:function"``, the reader imported on first use.

Every reader has the signature ``read(paths: Sequence[Path], mapping: Path) -> Extract``
(``monitoring.db.extracts.Extract``: the product's tables as text, problems and notes); the
importer (``monitoring.db.importer.import_extract``) validates and writes what it returns.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

from monitoring.db.extracts import Extract
from monitoring.errors import DataInputError

Reader = Callable[[Sequence[Path], Path], Extract]

FORMATS: dict[str, str] = {
    "adam": "monitoring.ingest.adam:read",
    "sdtm": "monitoring.ingest.sdtm:read",
    "redcap": "monitoring.ingest.redcap:read",
}


def reader(name: str) -> Reader:
    """The reader of format ``name``; an unknown format is a :class:`DataInputError`."""
    target = FORMATS.get(name)
    if target is None:
        raise DataInputError(f"unknown import format '{name}'; use one of {', '.join(FORMATS)}")
    module, function = target.split(":")
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        raise DataInputError(f"import format '{name}' is not available in this version") from exc
    return cast(Reader, getattr(loaded, function))
