"""Database layer: schema, migrations, import, corrections, audit and as-known-on reads.

The names most callers need are re-exported here; each lives in its own module, imported
on first use of its name (``from monitoring.db import import_files``), so that a command
reading one module (``status``: ``monitoring.db.reading``) does not load the importer.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from monitoring.db.corrections import CorrectionResult, correct_value, parse_key
    from monitoring.db.engine import open_database, upgrade
    from monitoring.db.errors import DataInputError
    from monitoring.db.file_validation import validate_files
    from monitoring.db.importer import ImportResult, import_files
    from monitoring.db.problems import ImportProblem
    from monitoring.db.reading import load_trial_data
    from monitoring.db.repository import (
        AuditEntry,
        DataVersion,
        ImportBatch,
        TableCounts,
        TrialRecord,
        add_trial,
        data_version,
        get_protocol,
        list_audit,
        list_batches,
        list_trials,
        resolve_trial,
    )
    from monitoring.db.versions import ChangeSource

_HOMES = {
    "corrections": ("CorrectionResult", "correct_value", "parse_key"),
    "engine": ("open_database", "upgrade"),
    "errors": ("DataInputError",),
    "file_validation": ("validate_files",),
    "importer": ("ImportResult", "import_files"),
    "problems": ("ImportProblem",),
    "reading": ("load_trial_data",),
    "repository": (
        "AuditEntry",
        "DataVersion",
        "ImportBatch",
        "TableCounts",
        "TrialRecord",
        "add_trial",
        "data_version",
        "get_protocol",
        "list_audit",
        "list_batches",
        "list_trials",
        "resolve_trial",
    ),
    "versions": ("ChangeSource",),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    """A re-exported name, imported from its module on first use."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "AuditEntry",
    "ChangeSource",
    "CorrectionResult",
    "DataInputError",
    "DataVersion",
    "ImportBatch",
    "ImportProblem",
    "ImportResult",
    "TableCounts",
    "TrialRecord",
    "add_trial",
    "correct_value",
    "data_version",
    "get_protocol",
    "import_files",
    "list_audit",
    "list_batches",
    "list_trials",
    "load_trial_data",
    "open_database",
    "parse_key",
    "resolve_trial",
    "upgrade",
    "validate_files",
]
