"""The mapping file: how a trial's CDISC datasets become the product's tables.

A TOML file kept beside the protocol (``data/mappings/``; every key in docs/mapping.md). It
names the dataset of each table, the variable of each column, the values that become the
product's codes (AVALC -> response, AESEV or AETOXGR -> grade, AEREL -> attribution, LBTESTCD
-> lab test, DSDECOD -> disposition event), the unit conversions of lab values, the
flags that select the patients, the treated and the evaluable, the PARAMCD of each
time-to-event endpoint, and how partial dates are completed. Reading is strict: a key the
schema does not know is refused with its path, never ignored; nothing is guessed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from monitoring.errors import InputError

PartialDates = Literal["refuse", "first", "last"]
TimeSource = Literal["aval", "dates"]
Duplicates = Literal["refuse", "worst_grade"]

ENDPOINTS = ("OS", "PFS", "EFS")
SUBJECT_COLUMNS = (
    "site",
    "enrollment_date",
    "first_dose_date",
    "age",
    "sex",
    "salvage_line",
    "cohort",
    "arm",
    "dose_level",
    "last_contact_date",
    "progression_date",
    "death_date",
    "death_cause",
    "hsct_date",
    "second_malignancy_date",
    "off_treatment_date",
    "off_treatment_reason",
)


class MappingError(InputError, ValueError):
    """A mapping file that cannot be used: names the file, the key and the problem."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: key '{key}': {problem}")
        self.source, self.key, self.problem = source, key, problem


@dataclass(frozen=True)
class SubjectMapping:
    """ADSL (or DM) -> patients. ``columns``: product column -> variable."""

    dataset: str
    columns: Mapping[str, str]
    population: str | None = None
    treated: str | None = None
    evaluable: str | None = None
    flag_yes: str = "Y"
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ResponseMapping:
    """ADRS (or RS) -> responses: the records of ``parameters``, their date and code."""

    dataset: str
    parameter: str
    parameters: tuple[str, ...]
    date: str
    value: str
    codes: Mapping[str, str]
    cycle: str
    sequence: str | None


@dataclass(frozen=True)
class TimeToEventMapping:
    """ADTTE -> the patients' event dates. ``parameters``: endpoint -> PARAMCD.

    ``source = "aval"``: the event or censoring date is the origin + AVAL - 1 days (ADaM's
    day 1 is the origin), so that the product's time with ``day_count = "inclusive"`` is
    AVAL exactly; ``"dates"``: the dates come from the subject dataset and the responses,
    ADTTE is only compared with them.
    """

    dataset: str
    parameters: Mapping[str, str]
    source: TimeSource
    parameter: str = "PARAMCD"
    time: str = "AVAL"
    censor: str = "CNSR"
    origin: str = "STARTDT"
    date: str = "ADT"
    sequence: str | None = "ASEQ"
    compare: bool = True


@dataclass(frozen=True)
class AdverseEventMapping:
    """ADAE (or AE) -> adverse_events. ``columns``: product column -> variable."""

    dataset: str
    columns: Mapping[str, str]
    grades: Mapping[str, int]
    attributions: Mapping[str, str]
    serious: Mapping[str, str]
    duplicates: Duplicates
    sequence: str | None


@dataclass(frozen=True)
class ExposureMapping:
    """ADEX (or EX) -> exposure: one record per cycle and agent. ``columns``: product column
    -> variable; ``cycle``: a variable, or ``sequence`` (rank by start date per agent)."""

    dataset: str
    columns: Mapping[str, str]
    cycle: str
    agents: Mapping[str, str]
    reduced: Mapping[str, str]
    where: Mapping[str, tuple[str, ...]]
    sequence: str | None


@dataclass(frozen=True)
class UnitConversion:
    """A dataset unit -> the product's unit: value, LLN and ULN are multiplied by ``factor``."""

    unit: str
    factor: float


@dataclass(frozen=True)
class LabMapping:
    """ADLB (or LB) -> lab_results. ``tests``: dataset test code -> product test code;
    ``units``: product test -> dataset unit -> conversion."""

    dataset: str
    columns: Mapping[str, str]
    tests: Mapping[str, str]
    units: Mapping[str, Mapping[str, UnitConversion]]
    where: Mapping[str, tuple[str, ...]]
    sequence: str | None


@dataclass(frozen=True)
class DispositionMapping:
    """One ``[[disposition]]`` entry: records of ``dataset`` -> disposition_events. ``codes``:
    value of ``code`` -> product event; ``left_out``: values known but not imported."""

    dataset: str
    code: str
    date: str
    reason: str | None
    codes: Mapping[str, str]
    left_out: tuple[str, ...]
    where: Mapping[str, tuple[str, ...]]
    sequence: str | None


@dataclass(frozen=True)
class DatasetMapping:
    """A whole mapping file."""

    source: str
    format: str
    subjects: SubjectMapping
    responses: ResponseMapping | None
    time_to_event: TimeToEventMapping | None
    adverse_events: AdverseEventMapping | None
    partial_dates: PartialDates = "refuse"
    csv_missing: tuple[str, ...] = ("",)
    subject_variable: str = "USUBJID"
    exposure: ExposureMapping | None = None
    lab_results: LabMapping | None = None
    disposition: tuple[DispositionMapping, ...] = ()


class _Table:
    """One TOML table read strictly: every key must be declared, every type right."""

    def __init__(self, source: str, path: str, data: Mapping[str, Any], keys: tuple[str, ...]):
        self.source, self.path, self.data = source, path, data
        unknown = sorted(set(data) - set(keys))
        if unknown:
            known = ", ".join(keys)
            raise MappingError(source, self._key(unknown[0]), f"unknown key; known keys: {known}")

    def _key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, problem: str) -> MappingError:
        return MappingError(self.source, self._key(name), problem)

    def text(self, name: str, default: str | None = None) -> str:
        value = self.data.get(name, default)
        if value is None:
            raise self.fail(name, "is required")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, "must be a non-empty text")
        return value.strip()

    def optional(self, name: str) -> str | None:
        return self.text(name) if name in self.data else None

    def choice(self, name: str, options: tuple[str, ...], default: str) -> str:
        value = self.text(name, default)
        if value not in options:
            raise self.fail(name, f"must be one of {', '.join(options)}; got '{value}'")
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            raise self.fail(name, "must be true or false")
        return value

    def texts(self, name: str, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        value = self.data.get(name, default)
        if value is None:
            raise self.fail(name, "is required")
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise self.fail(name, "must be a list of texts")
        return tuple(value)

    def table(self, name: str, keys: tuple[str, ...] | None = None) -> _Table:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(name, "must be a table")
        return _Table(self.source, self._key(name), value, tuple(value) if keys is None else keys)

    def text_map(self, name: str, allowed: tuple[str, ...] | None = None) -> dict[str, str]:
        sub = self.table(name, allowed)
        return {k: sub.text(k) for k in sub.data}


def _subjects(top: _Table) -> SubjectMapping:
    t = top.table(
        "subjects",
        ("dataset", "population", "treated", "evaluable", "flag_yes", "columns", "values"),
    )
    columns = t.text_map("columns", SUBJECT_COLUMNS)
    if "enrollment_date" not in columns:
        raise t.fail("columns.enrollment_date", "is required (the product's enrolment date)")
    values_table = t.table("values", SUBJECT_COLUMNS)
    values = {k: values_table.text_map(k) for k in values_table.data}
    return SubjectMapping(
        dataset=t.text("dataset"),
        columns=columns,
        population=t.optional("population"),
        treated=t.optional("treated"),
        evaluable=t.optional("evaluable"),
        flag_yes=t.text("flag_yes", "Y"),
        values=values,
    )


def _responses(top: _Table) -> ResponseMapping | None:
    if "responses" not in top.data:
        return None
    t = top.table(
        "responses",
        ("dataset", "parameter", "parameters", "date", "value", "codes", "cycle", "sequence"),
    )
    codes = t.text_map("codes")
    if not codes:
        raise t.fail("codes", "must map at least one value to a response code")
    return ResponseMapping(
        dataset=t.text("dataset"),
        parameter=t.text("parameter", "PARAMCD"),
        parameters=t.texts("parameters", ()),
        date=t.text("date", "ADT"),
        value=t.text("value", "AVALC"),
        codes=codes,
        cycle=t.text("cycle", "sequence"),
        sequence=t.optional("sequence"),
    )


def _time_to_event(top: _Table) -> TimeToEventMapping | None:
    if "time_to_event" not in top.data:
        return None
    keys = ("dataset", "parameters", "source", "parameter", "time", "censor", "origin", "date")
    t = top.table("time_to_event", (*keys, "sequence", "compare"))
    parameters = t.text_map("parameters", ENDPOINTS)
    if not parameters:
        raise t.fail("parameters", f"must name the PARAMCD of at least one of {ENDPOINTS}")
    return TimeToEventMapping(
        dataset=t.text("dataset"),
        parameters=parameters,
        source=cast(TimeSource, t.choice("source", ("aval", "dates"), "aval")),
        parameter=t.text("parameter", "PARAMCD"),
        time=t.text("time", "AVAL"),
        censor=t.text("censor", "CNSR"),
        origin=t.text("origin", "STARTDT"),
        date=t.text("date", "ADT"),
        sequence=t.optional("sequence") or "ASEQ",
        compare=t.flag("compare", True),
    )


AE_COLUMNS = (
    "term",
    "category",
    "grade",
    "onset_date",
    "resolution_date",
    "attribution",
    "serious",
)


def _adverse_events(top: _Table) -> AdverseEventMapping | None:
    if "adverse_events" not in top.data:
        return None
    t = top.table(
        "adverse_events",
        ("dataset", "columns", "grades", "attributions", "serious", "duplicates", "sequence"),
    )
    columns = t.text_map("columns", AE_COLUMNS)
    for required in ("term", "category", "grade", "onset_date"):
        if required not in columns:
            raise t.fail(f"columns.{required}", "is required")
    grades_table = t.table("grades")
    grades: dict[str, int] = {}
    for value, grade in grades_table.data.items():
        if not isinstance(grade, int) or isinstance(grade, bool) or not 1 <= grade <= 5:
            raise grades_table.fail(value, "must be a grade 1 to 5")
        grades[value] = grade
    return AdverseEventMapping(
        dataset=t.text("dataset"),
        columns=columns,
        grades=grades,
        attributions=t.text_map("attributions"),
        serious=t.text_map("serious"),
        duplicates=cast(Duplicates, t.choice("duplicates", ("refuse", "worst_grade"), "refuse")),
        sequence=t.optional("sequence"),
    )


def _where(t: _Table) -> dict[str, tuple[str, ...]]:
    """``where.<variable> = [values]``: only the records with one of the values are read."""
    table = t.table("where")
    out = {name: table.texts(name) for name in table.data}
    for name, values in out.items():
        if not values:
            raise table.fail(name, "must list at least one value")
    return out


EXPOSURE_COLUMNS = (
    "agent",
    "start_date",
    "planned_dose",
    "given_dose",
    "unit",
    "delay_days",
    "reduced",
    "reason",
)


def _exposure(top: _Table) -> ExposureMapping | None:
    if "exposure" not in top.data:
        return None
    keys = ("dataset", "columns", "cycle", "agents", "reduced", "where", "sequence")
    t = top.table("exposure", keys)
    columns = t.text_map("columns", EXPOSURE_COLUMNS)
    for required in ("agent", "start_date"):
        if required not in columns:
            raise t.fail(f"columns.{required}", "is required")
    reduced = t.text_map("reduced")
    if "reduced" in columns and not reduced:
        raise t.fail("reduced", "must map each value of columns.reduced to Y or N")
    for value, code in reduced.items():
        if code not in ("Y", "N"):
            raise t.fail(f"reduced.{value}", f"must be Y or N; got '{code}'")
    return ExposureMapping(
        dataset=t.text("dataset"),
        columns=columns,
        cycle=t.text("cycle", "sequence"),
        agents=t.text_map("agents"),
        reduced=reduced,
        where=_where(t),
        sequence=t.optional("sequence"),
    )


LAB_COLUMNS = ("test", "sample_date", "value", "unit", "lln", "uln")


def _units(t: _Table, tests: Mapping[str, str]) -> dict[str, dict[str, UnitConversion]]:
    table = t.table("units", tuple(sorted(set(tests.values()))))
    out: dict[str, dict[str, UnitConversion]] = {}
    for test in table.data:
        per_test = table.table(test)
        out[test] = {}
        for unit in per_test.data:
            entry = per_test.table(unit, ("unit", "factor"))
            factor = entry.data.get("factor", 1.0)
            if isinstance(factor, bool) or not isinstance(factor, (int, float)) or factor <= 0:
                raise entry.fail("factor", "must be a number > 0")
            out[test][unit] = UnitConversion(entry.text("unit"), float(factor))
    return out


def _lab_results(top: _Table) -> LabMapping | None:
    if "lab_results" not in top.data:
        return None
    keys = ("dataset", "columns", "tests", "units", "where", "sequence")
    t = top.table("lab_results", keys)
    columns = t.text_map("columns", LAB_COLUMNS)
    for required in ("test", "sample_date", "value"):
        if required not in columns:
            raise t.fail(f"columns.{required}", "is required")
    tests = t.text_map("tests")
    if not tests:
        raise t.fail("tests", "must map at least one test code to a product test code")
    from monitoring.labs.ctcae import ctcae_table

    known = tuple(code for criterion in ctcae_table().criteria for code in criterion.codes)
    for code, product in tests.items():
        if product not in known:
            message = f"'{product}' is not a test of the CTCAE table ({', '.join(known)})"
            raise t.fail(f"tests.{code}", message)
    units = _units(t, tests)
    if units and "unit" not in columns:
        raise t.fail("columns.unit", "is required with a units table (the units it converts)")
    return LabMapping(
        dataset=t.text("dataset"),
        columns=columns,
        tests=tests,
        units=units,
        where=_where(t),
        sequence=t.optional("sequence"),
    )


def _disposition_entry(t: _Table) -> DispositionMapping:
    from monitoring.data_dictionary import DISPOSITION_EVENTS

    codes = t.text_map("codes")
    if not codes:
        raise t.fail("codes", "must map at least one value to a disposition event")
    for value, event in codes.items():
        if event not in DISPOSITION_EVENTS:
            message = f"'{event}' is not a disposition event ({', '.join(DISPOSITION_EVENTS)})"
            raise t.fail(f"codes.{value}", message)
    left_out = t.texts("left_out", ())
    for value in left_out:
        if value in codes:
            raise t.fail("left_out", f"'{value}' is also in codes")
    return DispositionMapping(
        dataset=t.text("dataset"),
        code=t.text("code"),
        date=t.text("date"),
        reason=t.optional("reason"),
        codes=codes,
        left_out=left_out,
        where=_where(t),
        sequence=t.optional("sequence"),
    )


def _disposition(top: _Table) -> tuple[DispositionMapping, ...]:
    raw = top.data.get("disposition", [])
    entries = [raw] if isinstance(raw, dict) else raw
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise top.fail("disposition", "must be a table or an array of tables ([[disposition]])")
    keys = ("dataset", "code", "date", "reason", "codes", "left_out", "where", "sequence")
    out = tuple(
        _disposition_entry(_Table(top.source, f"disposition[{n}]", entry, keys))
        for n, entry in enumerate(entries, start=1)
    )
    if len({m.dataset.upper() for m in out}) > 1:
        raise top.fail("disposition", "every entry must read the same dataset")
    return out


def parse_mapping(text: str, source: str = "<mapping>") -> DatasetMapping:
    """Parse and check a mapping file's text; ``source`` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(source, "-", f"not valid TOML: {exc}") from exc
    keys = ("format", "subject", "partial_dates", "csv_missing", "subjects", "responses")
    details = ("exposure", "lab_results", "disposition")
    top = _Table(source, "", data, (*keys, "time_to_event", "adverse_events", *details))
    return DatasetMapping(
        source=source,
        format=top.choice("format", ("adam", "sdtm"), "adam"),
        subjects=_subjects(top),
        responses=_responses(top),
        time_to_event=_time_to_event(top),
        adverse_events=_adverse_events(top),
        partial_dates=cast(
            PartialDates, top.choice("partial_dates", ("refuse", "first", "last"), "refuse")
        ),
        csv_missing=top.texts("csv_missing", ("",)),
        subject_variable=top.text("subject", "USUBJID"),
        exposure=_exposure(top),
        lab_results=_lab_results(top),
        disposition=_disposition(top),
    )


def read_mapping(path: Path) -> DatasetMapping:
    """The mapping file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(str(path), "-", f"cannot be read: {exc.strerror}") from exc
    return parse_mapping(text, path.name)
