"""What an import found where a dataset's own values differ from the product's derivation.

A CDISC ADTTE holds its own time (AVAL) and censoring (CNSR); the product derives them from
the imported dates. The reader (``monitoring.ingest.convert``) compares the two, the import
keeps the findings with its batch (``monitoring.db.import_checks``) and the data-quality
report shows them (``monitoring.data_quality``, kind ``dataset_disagreement``). Plain
records here, so that every layer can hold them without loading the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DatasetFinding:
    """One record of a dataset whose own values differ from the product's derivation.

    ``record``: the record number in the dataset (1 = first); ``parameter``: its PARAMCD;
    ``variable``: the variable queried (AVAL, STARTDT, ADT); ``day``: the record's date
    (ADT, else STARTDT; None when neither is given); ``dataset_value``: what the dataset
    says; ``derived_value``: what the imported data give; ``message``: one sentence naming
    all of these.
    """

    dataset: str
    record: int
    patient_id: str
    parameter: str
    variable: str
    day: date | None
    dataset_value: str
    derived_value: str
    message: str


@dataclass(frozen=True)
class DatasetCheck:
    """A dataset compared by an import, and its findings (empty: every record agreed)."""

    dataset: str
    findings: tuple[DatasetFinding, ...] = ()
