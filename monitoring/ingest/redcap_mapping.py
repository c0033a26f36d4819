"""The mapping of a REDCap project to the product's tables: a TOML file beside the protocol.

The file says, for each product table (``patients``, ``responses``, ``adverse_events``),
which rows of the REDCap export hold it and which REDCap field fills each product column;
coded values are translated by an explicit table (never guessed). docs/mapping.md (section
REDCap) documents every key; data/mappings/redcap-example.toml is a complete example.

Rows of a table are one of:

- the record's non-repeating rows (neither ``instrument`` nor ``event`` given): one product
  row per record, its fields gathered over the record's events (``events`` limits them);
- the instances of a repeating instrument (``instrument = "form_name"``);
- the rows of one event (``event = "unique_event_name"``), repeating or not.

Problems found here name the mapping file and the key (``responses.fields.cycle``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from monitoring.data_dictionary import TABLES
from monitoring.db.problems import ImportProblem, shown

FORMAT = "redcap"
TOP_KEYS = frozenset({"format", "record_id", *TABLES})
TABLE_KEYS = frozenset({"instrument", "event", "events", "fields", "values"})


@dataclass(frozen=True)
class TableMapping:
    """Where one product table comes from in the export; see the module docstring."""

    table: str
    instrument: str | None
    event: str | None
    events: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]
    """(product column, REDCap field) pairs, in the product table's column order."""
    values: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    """(product column, ((REDCap code or text, product value), ...)) pairs."""

    @property
    def repeating(self) -> bool:
        """Whether rows are instances or event rows (not one row per record)."""
        return self.instrument is not None or self.event is not None

    def values_of(self, column: str) -> dict[str, str] | None:
        """The translation of the values of ``column``, or ``None`` when it has none."""
        for name, pairs in self.values:
            if name == column:
                return dict(pairs)
        return None


@dataclass(frozen=True)
class RedcapMapping:
    """A parsed mapping file: the record identifier field and the mapped tables."""

    source: str
    record_id: str | None
    tables: tuple[TableMapping, ...]


def _problem(source: str, key: str, message: str) -> ImportProblem:
    return ImportProblem(source, None, key, message)


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _string_table(
    source: str, key: str, raw: object, problems: list[ImportProblem]
) -> dict[str, str]:
    """A TOML table of non-empty strings, or a problem at ``key``."""
    if not isinstance(raw, Mapping):
        problems.append(_problem(source, key, "must be a table of names"))
        return {}
    out: dict[str, str] = {}
    for name, value in raw.items():
        if not isinstance(value, str):
            problems.append(_problem(source, f"{key}.{name}", "must be a string"))
        else:
            out[str(name).strip()] = value.strip()
    return out


def _table(source: str, name: str, raw: object, problems: list[ImportProblem]) -> TableMapping:
    spec = TABLES[name]
    if not isinstance(raw, Mapping):
        problems.append(_problem(source, name, "must be a table"))
        raw = {}
    for key in sorted(set(raw) - TABLE_KEYS):
        allowed = ", ".join(sorted(TABLE_KEYS))
        problems.append(_problem(source, f"{name}.{key}", f"unknown key; allowed: {allowed}"))
    instrument, event = _text(raw.get("instrument")), _text(raw.get("event"))
    for key in ("instrument", "event"):
        if key in raw and _text(raw[key]) is None:
            problems.append(_problem(source, f"{name}.{key}", "must be a non-empty string"))
    if instrument is not None and event is not None:
        message = "give either instrument (a repeating form) or event, not both"
        problems.append(_problem(source, f"{name}.event", message))
    events_raw = raw.get("events", [])
    if not isinstance(events_raw, list) or not all(_text(e) for e in events_raw):
        problems.append(_problem(source, f"{name}.events", "must be a list of event names"))
        events_raw = []
    if events_raw and (instrument or event):
        message = "events applies to one row per record (no instrument or event)"
        problems.append(_problem(source, f"{name}.events", message))
    fields = _string_table(source, f"{name}.fields", raw.get("fields", {}), problems)
    for column in sorted(set(fields) - set(spec.names)):
        message = f"'{shown(column)}' is not a column of {name} ({', '.join(spec.names)})"
        problems.append(_problem(source, f"{name}.fields.{column}", message))
    for column in spec.required:
        if not fields.get(column):
            message = f"required column '{column}' of {name} is not mapped to a field"
            problems.append(_problem(source, f"{name}.fields", message))
    values_raw = raw.get("values", {})
    values: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    if not isinstance(values_raw, Mapping):
        problems.append(_problem(source, f"{name}.values", "must be a table of tables"))
        values_raw = {}
    for column, table in values_raw.items():
        key = f"{name}.values.{column}"
        if column not in fields:
            problems.append(_problem(source, key, f"column '{shown(column)}' is not mapped"))
        pairs = _string_table(source, key, table, problems)
        values.append((str(column), tuple(pairs.items())))
    ordered = tuple((c, fields[c]) for c in spec.names if fields.get(c))
    return TableMapping(
        name, instrument, event, tuple(e.strip() for e in events_raw), ordered, tuple(values)
    )


def parse_mapping(text: str, source: str) -> tuple[RedcapMapping | None, list[ImportProblem]]:
    """The mapping in ``text`` (read from the file named ``source``) and its problems.

    The mapping is ``None`` when it has any problem.
    """
    problems: list[ImportProblem] = []
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [ImportProblem(source, None, None, f"is not valid TOML: {exc}")]
    for key in sorted(set(raw) - TOP_KEYS):
        allowed = ", ".join(sorted(TOP_KEYS))
        problems.append(_problem(source, key, f"unknown key; allowed: {allowed}"))
    if "format" in raw and raw["format"] != FORMAT:
        message = f"is '{shown(raw['format'])}'; this reader reads format = '{FORMAT}'"
        problems.append(_problem(source, "format", message))
    record_id = _text(raw.get("record_id"))
    if "record_id" in raw and record_id is None:
        problems.append(_problem(source, "record_id", "must be a non-empty string"))
    tables = tuple(_table(source, name, raw[name], problems) for name in TABLES if name in raw)
    if not tables:
        names = ", ".join(TABLES)
        message = f"maps no table; give at least one of {names}"
        problems.append(ImportProblem(source, None, None, message))
    if problems:
        return None, problems
    return RedcapMapping(source, record_id, tables), []


def read_mapping(path: Path) -> tuple[RedcapMapping | None, list[ImportProblem]]:
    """The mapping file at ``path`` (see :func:`parse_mapping`); a missing file is a problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ImportProblem(path.name, None, None, f"cannot be read: {exc}")]
    return parse_mapping(text, path.name)
