"""Read a REDCap project's CSV export and data dictionary into the product's tables.

The export is REDCap's "CSV (raw data)": one row per record and event, plus one per
instance of a repeating instrument or event (columns ``redcap_event_name``,
``redcap_repeat_instrument``, ``redcap_repeat_instance``), coded fields as their codes. The
data dictionary (REDCap's own CSV, or the API's metadata CSV) gives each field's form, type,
validation and choices ("1, CR | 2, CRi"). A mapping file (``redcap_mapping.py``, documented
in docs/mapping.md) says which rows and fields make each product table.

The result is an :class:`~monitoring.db.extracts.Extract` of text cells exactly as the
product's own patients.csv, responses.csv and adverse_events.csv would hold them, each row
indexed by its line in the export (header = 1), for ``monitoring.db.importer.import_extract``.
Every value is checked against the dictionary first: a choice code that is not a choice, a
date that is not a date, a number that is not a number, a required value left empty, a
field the dictionary does not define, a repeating row of a record without its
non-repeating row. Each problem names the file, the line, the REDCap field and, in its
message, the record (record id, event, repeat instance).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from monitoring.data_dictionary import TABLES
from monitoring.db.csv_records import CsvContent, read_csv_records
from monitoring.db.extracts import Extract, RawTable
from monitoring.db.headers import repeated_names
from monitoring.db.limits import ImportLimits
from monitoring.db.origins import CellOrigin, TableOrigin
from monitoring.db.problems import HEADER_ROW, ImportProblem, shown
from monitoring.ingest.redcap_mapping import RedcapMapping, TableMapping, read_mapping

EVENT = "redcap_event_name"
INSTRUMENT = "redcap_repeat_instrument"
INSTANCE = "redcap_repeat_instance"
GROUP = "redcap_data_access_group"
PSEUDO_FIELDS = (EVENT, INSTRUMENT, INSTANCE, GROUP, "redcap_survey_identifier")
MAPPABLE_PSEUDO = (EVENT, INSTANCE, GROUP)
CHECKBOX_SEPARATOR = "___"

# REDCap's data dictionary columns: the CSV download's names, then the API's.
DICTIONARY_COLUMNS = {
    "name": ("Variable / Field Name", "field_name"),
    "form": ("Form Name", "form_name"),
    "type": ("Field Type", "field_type"),
    "choices": ("Choices, Calculations, OR Slider Labels", "select_choices_or_calculations"),
    "validation": (
        "Text Validation Type OR Show Slider Number",
        "text_validation_type_or_show_slider_number",
    ),
}
CODED_TYPES = ("radio", "dropdown", "checkbox")
FIXED_CHOICES = {
    "yesno": (("1", "Yes"), ("0", "No")),
    "truefalse": (("1", "True"), ("0", "False")),
}
CHECKBOX_ITEM = (("0", "Unchecked"), ("1", "Checked"))
NO_DATA_TYPES = ("descriptive", "file")
INTEGER = re.compile(r"[+-]?\d+")
DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}(?::\d{2})?")


@dataclass(frozen=True)
class Field:
    """One field of the data dictionary (a checkbox gives one per choice, ``name___code``)."""

    name: str
    form: str
    type: str
    validation: str
    choices: tuple[tuple[str, str], ...]

    @cached_property
    def kind(self) -> str:
        """How values are checked: code, date, datetime, integer, number, text or none."""
        if self.choices or self.type in CODED_TYPES:
            return "code"
        if self.type in NO_DATA_TYPES:
            return "none"
        if self.type == "calc":
            return "number"
        if self.type == "slider":
            return "integer"
        v = self.validation
        if v.startswith("datetime"):
            return "datetime"
        if v.startswith("date"):
            return "date"
        if v == "integer":
            return "integer"
        if v == "number" or v.startswith("number_"):
            return "number"
        return "text"

    @cached_property
    def labels(self) -> dict[str, str]:
        """The label of each choice code."""
        return dict(self.choices)

    def choice_list(self) -> str:
        """The choices as a message shows them: ``1 = CR, 2 = CRi``."""
        return shown(", ".join(f"{c} = {label}" for c, label in self.choices), 200)


@dataclass(frozen=True)
class Dictionary:
    """The fields of a data dictionary by name (checkbox items included) and its forms."""

    source: str
    fields: dict[str, Field]
    forms: tuple[str, ...]
    first: str | None


@dataclass
class _Row:
    """One line of the export."""

    line: int
    values: list[str]
    at: dict[str, int]
    """Column index by name, shared by every row of the export."""
    record: str
    event: str
    instrument: str
    instance: str

    def get(self, name: str) -> str:
        """The stripped cell of column ``name`` ("" when the export has no such column)."""
        index = self.at.get(name)
        return "" if index is None else self.values[index].strip()

    @property
    def base(self) -> bool:
        """A non-repeating row (no instrument, no instance)."""
        return not self.instrument and not self.instance

    def describe(self) -> str:
        text = f"record '{shown(self.record)}'"
        if self.event:
            text += f", event '{shown(self.event)}'"
        if self.instrument:
            text += f", {shown(self.instrument)} instance {shown(self.instance or '?')}"
        elif self.instance:
            text += f", instance {shown(self.instance)}"
        return text


@dataclass
class _Found:
    problems: list[ImportProblem] = field(default_factory=list)
    notes: list[ImportProblem] = field(default_factory=list)


def _column(header: Sequence[str], key: str) -> int | None:
    for name in DICTIONARY_COLUMNS[key]:
        for index, cell in enumerate(header):
            if cell.strip().lower() == name.lower():
                return index
    return None


def is_dictionary(header: Sequence[str]) -> bool:
    """Whether a CSV header is a REDCap data dictionary's."""
    return _column(header, "name") is not None and _column(header, "type") is not None


def _choices(
    text: str, source: str, line: int, column: str, found: _Found
) -> tuple[tuple[str, str], ...]:
    pairs = []
    for part in text.split("|"):
        if not part.strip():
            continue
        code, comma, label = part.partition(",")
        if not comma or not code.strip():
            message = f"choice '{shown(part.strip())}' is not 'code, label'"
            found.problems.append(ImportProblem(source, line, column, message))
            continue
        pairs.append((code.strip(), label.strip()))
    return tuple(pairs)


def read_dictionary(content: CsvContent, source: str, found: _Found) -> Dictionary:
    """The fields of a data dictionary read by :func:`read_csv_records`."""
    header = content.header
    at = {key: _column(header, key) for key in DICTIONARY_COLUMNS}
    for key in ("name", "form", "type"):
        if at[key] is None:
            message = f"data dictionary column '{DICTIONARY_COLUMNS[key][0]}' is missing"
            found.problems.append(ImportProblem(source, HEADER_ROW, None, message))
    fields: dict[str, Field] = {}
    forms: list[str] = []
    if any(at[k] is None for k in ("name", "form", "type")):
        return Dictionary(source, fields, (), None)

    def cell(row: list[str], key: str) -> str:
        index = at[key]
        return row[index].strip() if index is not None else ""

    first = None
    name_column = DICTIONARY_COLUMNS["name"][0]
    for line, row in zip(content.row_numbers, content.rows, strict=True):
        name, form, kind = cell(row, "name"), cell(row, "form"), cell(row, "type").lower()
        if not name:
            message = "field has no name"
            found.problems.append(ImportProblem(source, line, name_column, message))
            continue
        if name in fields:
            message = f"field '{shown(name)}' is defined twice"
            found.problems.append(ImportProblem(source, line, name_column, message))
            continue
        first = first or name
        if form and form not in forms:
            forms.append(form)
        validation = cell(row, "validation").lower()
        choices: tuple[tuple[str, str], ...] = FIXED_CHOICES.get(kind, ())
        if kind in CODED_TYPES:
            column = DICTIONARY_COLUMNS["choices"][0]
            choices = _choices(cell(row, "choices"), source, line, column, found)
        fields[name] = Field(name, form, kind, validation, choices)
        if kind == "checkbox":
            for code, _label in choices:
                item = f"{name}{CHECKBOX_SEPARATOR}{code.lower()}"
                fields[item] = Field(item, form, "checkbox_item", "", CHECKBOX_ITEM)
    return Dictionary(source, fields, tuple(forms), first)


def _known_column(name: str, dictionary: Dictionary) -> bool:
    if name in PSEUDO_FIELDS:
        return True
    found = dictionary.fields.get(name)
    if found is not None:
        return found.type != "checkbox"  # a checkbox is exported as its items only
    suffixes = ("_complete", "_timestamp")
    return any(name == f"{form}{end}" for form in dictionary.forms for end in suffixes)


def _check_header(
    header: Sequence[str], source: str, record_field: str, dictionary: Dictionary, found: _Found
) -> None:
    """Problems of the export's columns: one the dictionary does not define, one given twice,
    no record id."""
    found.problems += repeated_names(source, list(header))
    for name in header:
        if not _known_column(name, dictionary):
            message = "field missing from the data dictionary (is it the same project's?)"
            found.problems.append(ImportProblem(source, HEADER_ROW, name, message))
    if record_field not in header:
        message = "record identifier column is missing"
        found.problems.append(ImportProblem(source, HEADER_ROW, record_field, message))


def _rows(
    content: CsvContent, source: str, record_field: str, dictionary: Dictionary, found: _Found
) -> list[_Row]:
    at: dict[str, int] = {}
    for index, name in enumerate(content.header):
        at.setdefault(name.strip(), index)
    rows = []
    for line, values in zip(content.row_numbers, content.rows, strict=True):
        row = _Row(line, values, at, "", "", "", "")
        row.record, row.event = row.get(record_field), row.get(EVENT)
        row.instrument, row.instance = row.get(INSTRUMENT), row.get(INSTANCE)
        rows.append(row)
        if not row.record:
            message = "record identifier is empty"
            found.problems.append(ImportProblem(source, line, record_field, message))
        if row.instrument and row.instrument not in dictionary.forms:
            message = f"{row.describe()}: instrument is not a form of the data dictionary"
            found.problems.append(ImportProblem(source, line, INSTRUMENT, message))
        if row.instrument and not row.instance:
            message = f"{row.describe()}: repeating instrument without an instance number"
            found.problems.append(ImportProblem(source, line, INSTANCE, message))
        if row.instance and not (row.instance.isdigit() and int(row.instance) > 0):
            message = f"{row.describe()}: instance must be a whole number from 1"
            found.problems.append(ImportProblem(source, line, INSTANCE, message))
    based = {r.record for r in rows if r.base}
    for row in rows:
        if row.record and not row.base and row.record not in based:
            message = f"{row.describe()}: repeating row of a record with no non-repeating row"
            found.problems.append(ImportProblem(source, row.line, record_field, message))
    return rows


def _check_mapping(
    mapping: RedcapMapping,
    table: TableMapping,
    dictionary: Dictionary,
    header: Sequence[str],
    export: str,
    record_field: str,
    found: _Found,
) -> None:
    """Problems of one table's mapping against the dictionary and the export's columns."""
    source = mapping.source
    instrument = table.instrument if table.instrument in dictionary.forms else None
    if table.instrument is not None and instrument is None:
        message = f"'{shown(table.instrument)}' is not a form of the data dictionary"
        found.problems.append(ImportProblem(source, None, f"{table.table}.instrument", message))
    if (table.event is not None or table.events) and EVENT not in header:
        message = f"the export has no {EVENT} column (not a longitudinal project)"
        found.problems.append(ImportProblem(source, None, f"{table.table}.event", message))
    for column, name in table.fields:
        key = f"{table.table}.fields.{column}"
        spec = dictionary.fields.get(name)
        if name not in MAPPABLE_PSEUDO and name != record_field:
            if spec is None:
                message = f"field '{shown(name)}' missing from the data dictionary"
                found.problems.append(ImportProblem(source, None, key, message))
                continue
            if spec.type == "checkbox":
                items = ", ".join(f"{name}{CHECKBOX_SEPARATOR}{c}" for c, _ in spec.choices)
                message = f"checkbox '{shown(name)}': map one of its items ({shown(items)})"
                found.problems.append(ImportProblem(source, None, key, message))
                continue
            if spec.kind == "none":
                message = f"field '{shown(name)}' is a {spec.type} field and holds no data"
                found.problems.append(ImportProblem(source, None, key, message))
                continue
            if instrument is not None and spec.form != instrument:
                form = shown(spec.form)
                message = f"field '{shown(name)}' is on form '{form}', not on {instrument}"
                found.problems.append(ImportProblem(source, None, key, message))
        if name not in header:
            message = f"field mapped to {table.table}.{column} is not in the export"
            found.problems.append(ImportProblem(export, HEADER_ROW, name, message))
        translation = table.values_of(column)
        if spec is not None and spec.kind == "code" and translation is not None:
            codes = {c for c, _ in spec.choices}
            for code in sorted(set(translation) - codes):
                message = (
                    f"'{shown(code)}' is not a choice of field '{name}' ({spec.choice_list()})"
                )
                found.problems.append(
                    ImportProblem(source, None, f"{key}".replace(".fields.", ".values."), message)
                )


def _check_rows_exist(mapping: RedcapMapping, rows: Sequence[_Row], found: _Found) -> None:
    """An event no line is in is a problem (a misspelt name would read nothing); a repeating
    instrument without instances is a note (no adverse event yet, say)."""
    events = {r.event for r in rows}
    instruments = {r.instrument for r in rows}
    for table in mapping.tables:
        named = (table.event,) if table.event is not None else table.events
        key = f"{table.table}.{'event' if table.event is not None else 'events'}"
        for event in named:
            if event not in events:
                message = f"no line of the export is in event '{shown(event)}'"
                found.problems.append(ImportProblem(mapping.source, None, key, message))
        if table.instrument is not None and table.instrument not in instruments:
            message = f"no line of the export is an instance of '{shown(table.instrument)}'"
            found.notes.append(
                ImportProblem(mapping.source, None, f"{table.table}.instrument", message)
            )


@dataclass
class _Converter:
    """Turns the cells of mapped fields into product text, collecting problems."""

    export: str
    dictionary: Dictionary
    found: _Found
    datetime_noted: set[str] = field(default_factory=set)
    moved: dict[tuple[int, str], tuple[_Row, str]] = field(default_factory=dict)
    """Record-table cells whose value came from another line than the record's first:
    (first line, product column) -> (that line, field)."""

    def value(self, row: _Row, name: str, translation: dict[str, str] | None) -> str | None:
        """The product text of field ``name`` on ``row`` ("" when empty); None: a problem."""
        text = row.get(name)
        if not text:
            return ""
        spec = self.dictionary.fields.get(name)
        kind = spec.kind if spec is not None else "text"
        fault = None
        if spec is not None and kind == "code":
            labels = spec.labels
            if text not in labels:
                fault = f"unknown choice code '{shown(text)}' (choices {spec.choice_list()})"
                if text in labels.values():
                    fault += "; export raw data (codes), not labels"
            elif translation is None:
                text = labels[text]
        elif kind == "date":
            if not _is_date(text):
                fault = f"'{shown(text)}' is not a date (YYYY-MM-DD)"
        elif kind == "datetime":
            match = DATETIME.fullmatch(text)
            if match is None or not _is_date(match.group(1)):
                fault = f"'{shown(text)}' is not a date and time (YYYY-MM-DD HH:MM)"
            else:
                text = match.group(1)
                self._note_datetime(name)
        elif kind == "integer" and INTEGER.fullmatch(text) is None:
            fault = f"'{shown(text)}' is not a whole number"
        elif kind == "number":
            if spec is not None and spec.validation.endswith("comma_decimal"):
                text = text.replace(",", ".", 1)  # REDCap keeps these as typed: 1,5
            if DECIMAL.fullmatch(text) is None:
                fault = f"'{shown(row.get(name))}' is not a number"
        if fault is None and translation is not None:
            if text not in translation:
                known = ", ".join(sorted(translation))
                fault = (
                    f"value '{shown(text)}' has no product value in the mapping ({shown(known)})"
                )
            else:
                text = translation[text]
        if fault is not None:
            message = f"{row.describe()}: {fault}"
            self.found.problems.append(ImportProblem(self.export, row.line, name, message))
            return None
        return text

    def _note_datetime(self, name: str) -> None:
        if name not in self.datetime_noted:
            self.datetime_noted.add(name)
            message = "date and time values: the date is kept, the time dropped"
            self.found.notes.append(ImportProblem(self.export, HEADER_ROW, name, message))


@lru_cache(maxsize=4096)
def _is_date(text: str) -> bool:
    if ISO_DATE.fullmatch(text) is None:
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _required_empty(
    row: _Row, table: TableMapping, column: str, name: str, export: str
) -> ImportProblem:
    message = f"{row.describe()}: required field is empty ({table.table}.{column})"
    return ImportProblem(export, row.line, name, message)


def _instance_rows(
    table: TableMapping, rows: Sequence[_Row], convert: _Converter, export: str
) -> tuple[list[int], dict[str, list[str]]]:
    if table.instrument is not None:
        chosen = [r for r in rows if r.instrument == table.instrument]
    else:
        chosen = [r for r in rows if r.event == table.event and not r.instrument]
    required = TABLES[table.table].required
    lines: list[int] = []
    columns: dict[str, list[str]] = {c: [] for c, _ in table.fields}
    fields = [(column, name, table.values_of(column)) for column, name in table.fields]
    for row in chosen:
        lines.append(row.line)
        for column, name, translation in fields:
            value = convert.value(row, name, translation)
            if value == "" and column in required:
                convert.found.problems.append(_required_empty(row, table, column, name, export))
            columns[column].append(value or "")
    return lines, columns


def _record_rows(
    table: TableMapping, rows: Sequence[_Row], convert: _Converter, export: str
) -> tuple[list[int], dict[str, list[str]]]:
    """One row per record, each field gathered over the record's non-repeating rows."""
    by_record: dict[str, list[_Row]] = {}
    for row in rows:
        if row.base and row.record and (not table.events or row.event in table.events):
            by_record.setdefault(row.record, []).append(row)
    required = TABLES[table.table].required
    lines: list[int] = []
    columns: dict[str, list[str]] = {c: [] for c, _ in table.fields}
    fields = [(column, name, table.values_of(column)) for column, name in table.fields]
    for group in by_record.values():
        lines.append(group[0].line)
        for column, name, translation in fields:
            kept, given_by, faulty = "", group[0], False
            for row in group:
                value = convert.value(row, name, translation)
                faulty = faulty or value is None
                if not value:
                    continue
                if kept and value != kept:
                    message = (
                        f"{row.describe()}: '{shown(value)}' differs from '{shown(kept)}' "
                        f"given in event '{shown(given_by.event)}'"
                    )
                    convert.found.problems.append(ImportProblem(export, row.line, name, message))
                elif not kept:
                    kept, given_by = value, row
            if given_by is not group[0]:
                convert.moved[(group[0].line, column)] = (given_by, name)
            if not kept and not faulty and column in required:
                convert.found.problems.append(
                    _required_empty(group[0], table, column, name, export)
                )
            columns[column].append(kept)
    return lines, columns


def _csv(path: Path, limits: ImportLimits, found: _Found) -> CsvContent | None:
    too_big = limits.file_size_problem(path.stat().st_size)
    if too_big is not None:
        found.problems.append(ImportProblem(path.name, None, None, too_big))
        return None
    content = read_csv_records(path, path.name, limits)
    found.notes += content.notes
    if content.problems:
        found.problems += content.problems
        return None
    return content


def _files(paths: Sequence[Path], found: _Found) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
        elif not path.is_file():
            found.problems.append(ImportProblem(path.name, None, None, "file not found"))
        elif path.suffix.lower() != ".csv":
            message = "must be a .csv file (REDCap export or data dictionary)"
            found.problems.append(ImportProblem(path.name, None, None, message))
        else:
            files.append(path)
    return files


def read(paths: Sequence[Path], mapping: Path, limits: ImportLimits | None = None) -> Extract:
    """The product tables held by a REDCap export, its data dictionary and a mapping file.

    ``paths`` are the two CSV files (export and dictionary, told apart by their header) or
    folders holding them. The extract has a table for each table the mapping names; any
    problem of the files, the mapping or a value is in its problems (then it has no table).
    """
    limits = limits or ImportLimits.from_environment()
    found = _Found()
    parsed, trouble = read_mapping(mapping)
    found.problems += trouble
    exports: list[tuple[Path, CsvContent]] = []
    dictionaries: list[tuple[Path, CsvContent]] = []
    for path in _files(paths, found):
        content = _csv(path, limits, found)
        if content is not None:
            kind = dictionaries if is_dictionary(content.header) else exports
            kind.append((path, content))
    for kind, name in ((dictionaries, "data dictionary"), (exports, "export")):
        if len(kind) != 1 and not found.problems:
            given = ", ".join(p.name for p, _ in kind) or "none"
            message = f"give exactly one REDCap {name} CSV (given: {given})"
            found.problems.append(ImportProblem("-", None, None, message))
    if found.problems or parsed is None:
        return Extract((), tuple(found.problems), tuple(found.notes))
    (dictionary_path, dictionary_content), (export_path, content) = dictionaries[0], exports[0]
    dictionary = read_dictionary(dictionary_content, dictionary_path.name, found)
    export = export_path.name
    record_field = parsed.record_id or dictionary.first or "record_id"
    header = [h.strip() for h in content.header]
    _check_header(header, export, record_field, dictionary, found)
    for table in parsed.tables:
        _check_mapping(parsed, table, dictionary, header, export, record_field, found)
    if found.problems:
        return Extract((), tuple(found.problems), tuple(found.notes))
    rows = _rows(content, export, record_field, dictionary, found)
    _check_rows_exist(parsed, rows, found)
    convert = _Converter(export, dictionary, found)
    tables = []
    for table in parsed.tables:
        pick = _instance_rows if table.repeating else _record_rows
        lines, columns = pick(table, rows, convert, export)
        frame = pd.DataFrame(columns, index=pd.Index(lines, dtype="int64"), dtype=object)
        tables.append(RawTable(export, TABLES[table.table], frame))
    if found.problems:
        return Extract((), tuple(found.problems), tuple(found.notes))
    origins = _origins(parsed, rows, convert, export)
    return Extract(tuple(tables), (), tuple(found.notes), origins=origins)


def _origins(
    mapping: RedcapMapping, rows: Sequence[_Row], convert: _Converter, export: str
) -> tuple[TableOrigin, ...]:
    """Where each table's rows and columns came from: the export's line (record id, event,
    instrument and instance) and field, so that the importer's problems name them."""
    by_line = {row.line: row for row in rows}

    def describe(line: int) -> str | None:
        row = by_line.get(line)
        return None if row is None else row.describe()

    cells = {
        key: CellOrigin(export, row.line, row.describe(), name, name)
        for key, (row, name) in convert.moved.items()
    }
    return tuple(
        TableOrigin(
            source=export,
            table=table.table,
            dataset=export,
            unit="line",
            describe=describe,
            variables=dict(table.fields),
            cells={} if table.repeating else cells,
        )
        for table in mapping.tables
    )
