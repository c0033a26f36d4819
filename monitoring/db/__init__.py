"""Database layer: schema, migrations, import, corrections, audit and as-known-on reads.

The names most callers need are re-exported here; each lives in its own module.
"""

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
