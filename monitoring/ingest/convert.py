"""CDISC datasets -> the product's patients, responses and adverse_events tables.

One engine for ADaM (ADSL, ADRS, ADTTE, ADAE) and SDTM (DM, RS, AE): the mapping file names
the datasets and variables (``mapping.py``). Every value the product needs is checked here
first, so that a problem names the dataset, the record (its number, USUBJID and sequence
variable) and the variable; the tables returned hold text cells exactly as the product's
own CSV files would, and go through the importer's validation like any extract.

Refused (problems): a dataset or variable the mapping names and the files lack; a PARAMCD
the mapping names that the dataset lacks; CNSR not 0/1; AVAL not a number >= 0; ADT before
STARTDT, an end before an onset; a USUBJID twice in the subject dataset; a record whose
USUBJID is not in it; a value (AVALC, grade, attribution) the mapping does not map; a
partial date when the mapping does not say how to complete it. The clinical-detail tables
(exposure, lab_results, disposition_events: ADEX/EX, ADLB/LB, ADSL/DS) are made by the
functions at the end of this module, refused and noted in the same way. Noted: records of subjects
outside the population, parameters not mapped, every completed date, and (ADTTE) every
record where the dataset's own time and censoring disagree with the product's derivation
from the imported dates. Those disagreements are also the extract's dataset checks
(``monitoring.db.import_checks``): kept with the import batch, they are data-quality
findings of the trial until a later import compares the dataset again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pandas as pd

from monitoring.data_dictionary import (
    ADVERSE_EVENTS,
    DISPOSITION,
    EXPOSURE,
    LAB_RESULTS,
    PATIENTS,
    RESPONSES,
    TableSpec,
)
from monitoring.dataset_findings import DatasetCheck, DatasetFinding
from monitoring.db.extracts import Extract, RawTable
from monitoring.db.origins import CellOrigin, TableOrigin
from monitoring.db.problems import ImportProblem, shown
from monitoring.ingest.datasets import Dataset, Datasets, read_datasets
from monitoring.ingest.dates import parse_dates
from monitoring.ingest.mapping import (
    AdverseEventMapping,
    DatasetMapping,
    DispositionMapping,
    ExposureMapping,
    LabMapping,
    MappingError,
    ResponseMapping,
    SubjectMapping,
    TimeToEventMapping,
    read_mapping,
)
from monitoring.labs.ctcae import ctcae_table
from monitoring.wording import counted

DATE_COLUMNS = frozenset(
    c.name
    for s in (PATIENTS, RESPONSES, ADVERSE_EVENTS)
    for c in s.columns
    if c.type.value == "date"
)
DATA_QUALITY = "data-quality finding: "


@dataclass
class _Log:
    """Problems and notes collected while mapping."""

    problems: list[ImportProblem] = field(default_factory=list)
    notes: list[ImportProblem] = field(default_factory=list)
    findings: list[DatasetFinding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    derived: list[tuple[str, str, int]] = field(default_factory=list)
    """Patient cells set from ADTTE: (USUBJID, product column, ADTTE record number)."""

    def checks(self) -> tuple[DatasetCheck, ...]:
        """Each dataset compared, with its findings (none for a dataset that agreed)."""
        return tuple(
            DatasetCheck(name, tuple(f for f in self.findings if f.dataset == name))
            for name in self.checked
        )


@dataclass(frozen=True, eq=False)
class _Source:
    """A dataset with how its records are named in messages."""

    data: Dataset
    subject: str
    sequence: str | None

    @property
    def frame(self) -> pd.DataFrame:
        return self.data.frame

    def record(self, number: int) -> str:
        """The record's name in messages: USUBJID, and the sequence variable if any."""
        row = self.frame.loc[number]
        name = f"{self.subject} {row[self.subject] or '(empty)'}"
        if self.sequence and self.sequence in self.frame.columns:
            name += f", {self.sequence} {row[self.sequence] or '(empty)'}"
        return name

    def name(self, number: int) -> str | None:
        """:meth:`record`, or None for a number that is not a record of the dataset."""
        return self.record(number) if number in self.frame.index else None

    def problem(self, number: int | None, variable: str | None, message: str) -> ImportProblem:
        if number is None:
            return ImportProblem(self.data.name, None, variable, message)
        return ImportProblem(self.data.name, number, variable, f"{self.record(number)}: {message}")


def _dataset(
    sets: Datasets, name: str, key: str, log: _Log, mapping: DatasetMapping
) -> Dataset | None:
    found = sets.by_name.get(name.upper())
    if found is None:
        given = ", ".join(sorted(sets.by_name)) or "none"
        message = f"dataset {name} ({key}.dataset) is not among the files (given: {given})"
        log.problems.append(ImportProblem(name.upper(), None, None, message))
    return found


def _require(source: _Source, variables: Sequence[str | None], log: _Log) -> bool:
    missing = [v for v in dict.fromkeys(variables) if v and v not in source.frame.columns]
    for variable in missing:
        log.problems.append(source.problem(None, variable, "required variable is missing"))
    return not missing


def _each(source: _Source, mask: pd.Series, variable: str, message: str, log: _Log) -> None:
    """A problem on every record of ``mask``; ``message`` may hold ``{value}``."""
    column = source.frame[variable] if variable in source.frame.columns else None
    for number in source.frame.index[mask.to_numpy(bool)]:
        value = "" if column is None else shown(column[number])
        log.problems.append(source.problem(int(number), variable, message.format(value=value)))


def _dates(
    source: _Source, variable: str, mapping: DatasetMapping, log: _Log, rows: pd.Series
) -> pd.Series:
    parsed = parse_dates(source.frame[variable], mapping.partial_dates)
    _each(source, parsed.bad & rows, variable, "'{value}' is not a date YYYY-MM-DD", log)
    for number in source.frame.index[(parsed.imputed & rows).to_numpy(bool)]:
        raw = str(source.frame.at[number, variable])
        message = (
            f"partial date {raw} completed as {parsed.values[number]} ({mapping.partial_dates} day)"
        )
        log.notes.append(source.problem(int(number), variable, message))
    return parsed.values


def _mapped_values(
    source: _Source,
    variable: str,
    codes: dict[str, str] | dict[str, int],
    rows: pd.Series,
    log: _Log,
    key: str,
    *,
    required: bool,
) -> pd.Series:
    raw = source.frame[variable]
    mapped = raw.map(lambda v: str(codes[v]) if v in codes else "")
    present = raw != ""
    known = ", ".join(codes) or "none"
    unknown = present & ~raw.isin(list(codes)) & rows
    _each(source, unknown, variable, f"'{{value}}' is not mapped ({key}: {known})", log)
    if required:
        _each(source, ~present & rows, variable, "required value is missing", log)
    return mapped


def _subject_flags(frame: pd.DataFrame, flag: str | None, yes: str) -> pd.Series:
    if flag is None:
        return pd.Series(True, index=frame.index)
    return frame[flag] == yes


@dataclass(frozen=True, eq=False)
class _Subjects:
    table: pd.DataFrame  # patients columns as text, indexed by subject dataset record
    ids: frozenset[str]  # every subject of the dataset
    population: frozenset[str]
    evaluable: frozenset[str]


def _subjects(source: _Source, m: SubjectMapping, mapping: DatasetMapping, log: _Log) -> _Subjects:
    frame = source.frame
    subject = source.subject
    ids = frame[subject]
    _each(source, ids == "", subject, "required value is missing", log)
    first = pd.Series(frame.index, index=frame.index).groupby(ids).transform("first")
    repeated = (first != pd.Series(frame.index, index=frame.index)) & (ids != "")
    for number in frame.index[repeated.to_numpy(bool)]:
        message = f"USUBJID is repeated; first on record {first[number]}"
        log.problems.append(source.problem(int(number), subject, message))
    inside = _subject_flags(frame, m.population, m.flag_yes) & (ids != "")
    left_out = int((~inside & (ids != "")).sum())
    if left_out:
        message = f"{left_out} subject(s) without {m.population} = {m.flag_yes} left out"
        log.notes.append(source.problem(None, m.population, message))
    table = pd.DataFrame({"patient_id": ids}, index=frame.index)
    for column, variable in m.columns.items():
        if column in DATE_COLUMNS:
            table[column] = _dates(source, variable, mapping, log, inside)
        elif column in m.values:
            codes = dict(m.values[column])
            key = f"subjects.values.{column}"
            table[column] = _mapped_values(
                source, variable, codes, inside, log, key, required=False
            )
        else:
            table[column] = frame[variable]
    treated = _subject_flags(frame, m.treated, m.flag_yes)
    if "first_dose_date" in table.columns:
        table.loc[~treated, "first_dose_date"] = ""
    evaluable = _subject_flags(frame, m.evaluable, m.flag_yes) & inside
    return _Subjects(
        table=table[inside.to_numpy(bool)].copy(),
        ids=frozenset(ids[ids != ""]),
        population=frozenset(ids[inside]),
        evaluable=frozenset(ids[evaluable]),
    )


def _known_subjects(source: _Source, subjects: _Subjects, log: _Log, kind: str) -> pd.Series:
    """Rows of subjects in the population; a USUBJID not in ADSL is a problem."""
    ids = source.frame[source.subject]
    unknown = ~ids.isin(list(subjects.ids))
    _each(source, unknown, source.subject, "'{value}' is not in the subject dataset", log)
    outside = ~unknown & ~ids.isin(list(subjects.population))
    if outside.any():
        message = (
            f"{int(outside.sum())} {kind} record(s) of subjects outside the population left out"
        )
        log.notes.append(source.problem(None, source.subject, message))
    return ~unknown & ~outside


def _parameters(
    source: _Source, variable: str, wanted: Sequence[str], key: str, log: _Log
) -> pd.Series:
    codes = source.frame[variable]
    present = set(codes)
    for code in wanted:
        if code not in present:
            message = f"PARAMCD '{code}' named by the mapping ({key}) is not in the dataset"
            log.problems.append(source.problem(None, variable, message))
    ignored = sorted(present - set(wanted) - {""})
    if ignored:
        message = f"parameters not mapped, left out: {', '.join(ignored)}"
        log.notes.append(source.problem(None, variable, message))
    return codes.isin(list(wanted))


def _responses(
    source: _Source, m: ResponseMapping, subjects: _Subjects, mapping: DatasetMapping, log: _Log
) -> pd.DataFrame:
    frame = source.frame
    rows = _known_subjects(source, subjects, log, "response")
    if m.parameters:
        rows &= _parameters(source, m.parameter, m.parameters, "responses.parameters", log)
    not_evaluable = rows & ~frame[source.subject].isin(list(subjects.evaluable))
    if not_evaluable.any():
        message = (
            f"{int(not_evaluable.sum())} response record(s) of subjects not evaluable left out"
        )
        log.notes.append(source.problem(None, source.subject, message))
        rows &= ~not_evaluable
    dates = _dates(source, m.date, mapping, log, rows)
    _each(source, rows & (frame[m.date] == ""), m.date, "required value is missing", log)
    codes = _mapped_values(
        source, m.value, dict(m.codes), rows, log, "responses.codes", required=True
    )
    table = pd.DataFrame(
        {"patient_id": frame[source.subject], "assessment_date": dates, "response": codes},
        index=frame.index,
    )[rows.to_numpy(bool)]
    if m.cycle == "sequence":
        order = table.sort_values(["patient_id", "assessment_date"])
        table["cycle"] = (order.groupby("patient_id").cumcount() + 1).astype(str)
    else:
        table["cycle"] = frame.loc[table.index, m.cycle]
    return table


def _adverse_events(
    source: _Source,
    m: AdverseEventMapping,
    subjects: _Subjects,
    mapping: DatasetMapping,
    log: _Log,
) -> pd.DataFrame:
    frame = source.frame
    rows = _known_subjects(source, subjects, log, "adverse-event")
    c = m.columns
    table = pd.DataFrame({"patient_id": frame[source.subject]}, index=frame.index)
    for column in ("term", "category"):
        table[column] = frame[c[column]]
        _each(source, rows & (frame[c[column]] == ""), c[column], "required value is missing", log)
    table["grade"] = _mapped_values(
        source, c["grade"], dict(m.grades), rows, log, "adverse_events.grades", required=True
    )
    table["onset_date"] = _dates(source, c["onset_date"], mapping, log, rows)
    _each(
        source,
        rows & (frame[c["onset_date"]] == ""),
        c["onset_date"],
        "required value is missing",
        log,
    )
    if "resolution_date" in c:
        table["resolution_date"] = _dates(source, c["resolution_date"], mapping, log, rows)
        ended = table["resolution_date"] != ""
        before = rows & ended & (table["resolution_date"] < table["onset_date"])
        message = f"{{value}} is before {c['onset_date']} (dates out of order)"
        _each(source, before & (table["onset_date"] != ""), c["resolution_date"], message, log)
    for column, codes, key in (
        ("attribution", m.attributions, "adverse_events.attributions"),
        ("serious", m.serious, "adverse_events.serious"),
    ):
        if column in c:
            table[column] = _mapped_values(
                source, c[column], dict(codes), rows, log, key, required=False
            )
    table = table[rows.to_numpy(bool)]
    same = ["patient_id", "term", "onset_date"]
    repeated = table.duplicated(same, keep=False) & (table["onset_date"] != "")
    if repeated.any():
        if m.duplicates == "refuse":
            first = table[repeated].groupby(same).head(1)
            for number in table.index[repeated.to_numpy(bool)]:
                if number in first.index:
                    continue
                message = (
                    "same subject, term and onset as an earlier record "
                    '(adverse_events.duplicates = "refuse")'
                )
                log.problems.append(source.problem(int(number), c["term"], message))
        else:
            grade = pd.to_numeric(table["grade"], errors="coerce").fillna(0)
            order = table.assign(_g=grade, _n=table.index).sort_values(
                ["_g", "_n"], ascending=[False, True]
            )
            kept = order.drop_duplicates(same, keep="first").index
            dropped = table.index.difference(kept)
            message = (
                f"{len(dropped)} record(s) with the subject, term and onset of another merged "
                'into the worst grade (adverse_events.duplicates = "worst_grade")'
            )
            log.notes.append(source.problem(None, c["term"], message))
            table = table.loc[sorted(kept)]
    return table


@dataclass(frozen=True, eq=False)
class _Times:
    """One endpoint's ADTTE records, checked: subject, time, event, dates."""

    endpoint: str
    records: pd.DataFrame  # patient_id, aval, event, date, origin, number


def _time_to_event(
    source: _Source,
    m: TimeToEventMapping,
    subjects: _Subjects,
    mapping: DatasetMapping,
    log: _Log,
) -> list[_Times]:
    frame = source.frame
    rows = _known_subjects(source, subjects, log, "time-to-event")
    rows &= _parameters(
        source, m.parameter, list(m.parameters.values()), "time_to_event.parameters", log
    )
    censor = frame[m.censor]
    _each(source, rows & ~censor.isin(["0", "1"]), m.censor, "'{value}' is not 0 or 1", log)
    aval = pd.to_numeric(frame[m.time].where(frame[m.time] != ""), errors="coerce")
    bad = rows & (aval.isna() | (aval < 0))
    _each(source, bad, m.time, "'{value}' is not a number of days >= 0", log)
    adt = _dates(source, m.date, mapping, log, rows)
    start = _dates(source, m.origin, mapping, log, rows)
    both = rows & (adt != "") & (start != "")
    message = f"{{value}} is before {m.origin} (dates out of order)"
    _each(source, both & (adt < start), m.date, message, log)
    key = [source.subject, m.parameter]
    repeated = rows & frame.duplicated(key) & rows
    _each(source, repeated, m.parameter, "'{value}' is given twice for this subject", log)
    out = []
    for endpoint, code in m.parameters.items():
        these = rows & (frame[m.parameter] == code)
        records = pd.DataFrame(
            {
                "patient_id": frame[source.subject],
                "aval": aval,
                "event": censor == "0",
                "date": adt,
                "origin": start,
                "number": frame.index,
            },
            index=frame.index,
        )[these.to_numpy(bool)]
        out.append(_Times(endpoint, records.set_index("patient_id", drop=False)))
    return out


def _iso_day(text: object) -> date | None:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return None


def _disagreement(
    source: _Source,
    m: TimeToEventMapping,
    number: int,
    variable: str,
    values: tuple[str, str],
    message: str,
    log: _Log,
) -> None:
    """A note ``data-quality finding: message`` on the record, and the same as a finding of
    the dataset (``values``: the dataset's value, then the value of the imported data)."""
    log.notes.append(source.problem(number, variable, f"{DATA_QUALITY}{message}"))
    row = source.frame.loc[number]
    parameter = str(row[m.parameter])
    day = _iso_day(row[m.date]) or _iso_day(row[m.origin])
    name = source.data.name
    sentence = f"{name} record {number} ({source.record(number)}), {m.parameter} {parameter}: "
    log.findings.append(
        DatasetFinding(
            name,
            number,
            str(row[source.subject]),
            parameter,
            variable,
            day,
            values[0],
            values[1],
            sentence + message,
        )
    )


def _day(text: pd.Series) -> pd.Series:
    return pd.to_datetime(text.where(text != ""), format="%Y-%m-%d", errors="coerce")


def _aval_dates(
    start: pd.Series, records: pd.DataFrame, source: _Source, m: TimeToEventMapping, log: _Log
) -> pd.Series:
    """First dose + AVAL - 1 days as ISO text; a note where the dataset's own STARTDT or ADT
    say otherwise (its AVAL is kept: the product's origin is the first dose)."""
    end = (start + pd.to_timedelta(records["aval"] - 1, unit="D")).dt.strftime("%Y-%m-%d")
    end = end.fillna("")
    origin = start.dt.strftime("%Y-%m-%d").fillna("")
    for number, aval, ours, theirs, end_day, adt in zip(
        records["number"],
        records["aval"],
        origin,
        records["origin"],
        end,
        records["date"],
        strict=True,
    ):
        if ours and theirs and ours != theirs:
            message = f"{m.origin} {theirs} is not the first dose {ours}"
            _disagreement(source, m, int(number), m.origin, (theirs, ours), message, log)
        elif end_day and adt and end_day != adt:
            message = f"{m.date} {adt} but {m.origin} {theirs} + {m.time} {aval:g} - 1 is {end_day}"
            _disagreement(source, m, int(number), m.date, (adt, end_day), message, log)
    return pd.Series(end, dtype=object)


def _replace(
    patients: pd.DataFrame,
    records: pd.DataFrame,
    dates: pd.Series,
    column: str,
    source: _Source,
    m: TimeToEventMapping,
    log: _Log,
) -> None:
    """Set ``column`` of the records' subjects to ``dates``; a note for each value replaced."""
    old = patients[column].reindex(records.index)
    for number, aval, before, after in zip(
        records["number"], records["aval"], old, dates, strict=True
    ):
        if before and before != after:
            message = (
                f"{column} {after} (first dose + {m.time} {aval:g} - 1) replaces {before} "
                "of the subject dataset"
            )
            _disagreement(source, m, int(number), m.time, (after, before), message, log)
    patients.loc[records.index, column] = dates.to_numpy()
    numbers = records["number"]
    log.derived += [(str(i), column, int(n)) for i, n in zip(records.index, numbers, strict=True)]


def _apply_times(
    patients: pd.DataFrame,
    responses: pd.DataFrame | None,
    adverse: pd.DataFrame | None,
    times: list[_Times],
    m: TimeToEventMapping,
    source: _Source,
    log: _Log,
) -> pd.DataFrame:
    """Event dates from ADTTE (``source = "aval"``), then every disagreement noted."""
    numbers = pd.Series(patients.index, index=patients["patient_id"].to_numpy())
    patients = patients.copy()
    ids = patients["patient_id"]
    first_dose = _day(patients.get("first_dose_date", pd.Series("", index=patients.index)))
    first_dose.index = ids.to_numpy()
    by_id = {e.endpoint: e.records for e in times}
    if m.source == "aval":
        for column in ("death_date", "last_contact_date", "progression_date"):
            if column not in patients.columns:
                patients[column] = ""
        patients = patients.set_index("patient_id", drop=False)
        os_ = by_id.get("OS")
        if os_ is not None:
            start = first_dose.reindex(os_.index)
            untreated = os_[start.isna().to_numpy()]
            for number in untreated["number"]:
                message = "has an OS record but no first dose (the product's origin)"
                log.problems.append(source.problem(int(number), m.time, message))
            end = _aval_dates(start, os_, source, m, log)
            events = os_["event"].to_numpy(bool)
            for mask, column in ((events, "death_date"), (~events, "last_contact_date")):
                _replace(patients, os_[mask], end[mask], column, source, m, log)
        for endpoint in ("PFS", "EFS"):
            records = by_id.get(endpoint)
            if records is None:
                continue
            start = first_dose.reindex(records.index)
            end = _aval_dates(start, records, source, m, log)
            death = patients["death_date"].reindex(records.index)
            progressed = records["event"].to_numpy(bool) & (death != end).to_numpy(bool)
            ids_p = records.index[progressed]
            patients.loc[ids_p, "progression_date"] = end[progressed].to_numpy()
            numbers_p = records["number"][progressed]
            log.derived += [
                (str(i), "progression_date", int(n)) for i, n in zip(ids_p, numbers_p, strict=True)
            ]
        patients.index = pd.Index(numbers.reindex(patients["patient_id"]).to_numpy())
    if m.compare:
        _compare(patients, responses, adverse, by_id, source, m, log)
    return patients


def _compare(
    patients: pd.DataFrame,
    responses: pd.DataFrame | None,
    adverse: pd.DataFrame | None,
    by_id: dict[str, pd.DataFrame],
    source: _Source,
    m: TimeToEventMapping,
    log: _Log,
) -> None:
    """A note for each ADTTE record whose AVAL/CNSR differ from what the product derives
    from the imported dates (day_count "inclusive", OS censored at the last contact where
    given, else at the latest dated record, PFS and EFS at the last assessment)."""
    p = patients.set_index("patient_id")
    first = _day(p.get("first_dose_date", pd.Series("", index=p.index)))
    death = _day(p.get("death_date", pd.Series("", index=p.index)))
    progression = _day(p.get("progression_date", pd.Series("", index=p.index)))
    contact = _day(p.get("last_contact_date", pd.Series("", index=p.index)))
    alive = contact
    last_assessment = pd.Series(pd.NaT, index=p.index, dtype="datetime64[ns]")
    if responses is not None and len(responses):
        dated = responses.assign(_d=_day(responses["assessment_date"]))
        last_assessment = dated.groupby("patient_id")["_d"].max().reindex(p.index)
        alive = pd.concat([alive, last_assessment], axis=1).max(axis=1)
    if adverse is not None and len(adverse):
        dated = adverse.assign(
            _o=_day(adverse["onset_date"]),
            _r=_day(adverse.get("resolution_date", pd.Series("", index=adverse.index))),
        )
        latest = dated.groupby("patient_id")[["_o", "_r"]].max().max(axis=1).reindex(p.index)
        alive = pd.concat([alive, latest], axis=1).max(axis=1)
    for endpoint, records in by_id.items():
        ids = records.index
        origin = first.reindex(ids)
        if endpoint == "OS":
            event_date = death.reindex(ids)
            censor = contact.reindex(ids).fillna(alive.reindex(ids))
        else:
            event_date = pd.concat([progression.reindex(ids), death.reindex(ids)], axis=1).min(
                axis=1
            )
            assessed = last_assessment.reindex(ids)
            censor = assessed.where(assessed >= origin, origin)
        event = event_date.notna()
        end = event_date.where(event, censor)
        derived = (end - origin).dt.days + 1
        for aval, cnsr_event, got, got_event, number in zip(
            records["aval"],
            records["event"],
            derived,
            event,
            records["number"],
            strict=True,
        ):
            if pd.isna(got) or got != aval or bool(got_event) != bool(cnsr_event):
                theirs = f"AVAL {aval:g}, CNSR {0 if cnsr_event else 1}"
                ours = (
                    "no time"
                    if pd.isna(got)
                    else f"{got:g} days, {'event' if got_event else 'censored'}"
                )
                message = f"{endpoint} {theirs} but the imported dates give {ours}"
                _disagreement(source, m, int(number), m.time, (theirs, ours), message, log)


def _raw(source: str, spec: TableSpec, table: pd.DataFrame) -> RawTable:
    frame = table[[c for c in spec.names if c in table.columns]].astype(str)
    return RawTable(source, spec, frame)


def _origin(
    source: _Source, table: str, variables: Mapping[str, str | None], subject: str
) -> TableOrigin:
    """Where the product table ``table`` made from ``source`` came from: its records and the
    variable of each column (``variables``), so that the importer's problems name them."""
    return TableOrigin(
        source=source.data.name,
        table=table,
        dataset=source.data.name,
        unit="record",
        describe=source.name,
        variables={"patient_id": subject, **{c: v for c, v in variables.items() if v}},
        prefix=f"{source.data.name}.",
    )


def _derived_cells(
    patients: pd.DataFrame, tte: _Source, m: TimeToEventMapping, log: _Log
) -> dict[tuple[int, str], CellOrigin]:
    """The patient cells set from ADTTE (``source = "aval"``), by (ADSL record, column)."""
    rows = pd.Series(patients.index, index=patients["patient_id"].to_numpy())
    name = tte.data.name
    return {
        (int(rows[patient]), column): CellOrigin(
            name,
            number,
            tte.record(number),
            m.time,
            f"{column.replace('_', ' ')} from {name}.{m.time}",
        )
        for patient, column, number in log.derived
        if patient in rows.index
    }


def convert(sets: Datasets, mapping: DatasetMapping) -> Extract:
    """The product's tables from ``sets`` as ``mapping`` says, with problems and notes."""
    log = _Log(list(sets.problems))
    subject = mapping.subject_variable
    sm = mapping.subjects
    adsl = _dataset(sets, sm.dataset, "subjects", log, mapping)
    flags = [sm.population, sm.treated, sm.evaluable]
    if adsl is None:
        return Extract((), tuple(log.problems), ())
    adsl_source = _Source(adsl, subject, None)
    if not _require(adsl_source, [subject, *sm.columns.values(), *flags], log):
        return Extract((), tuple(log.problems), tuple(log.notes))
    subjects = _subjects(adsl_source, sm, mapping, log)
    tables: list[RawTable] = []
    origins: list[TableOrigin] = []
    responses = adverse = None
    rm = mapping.responses
    if rm is not None and (rs := _dataset(sets, rm.dataset, "responses", log, mapping)):
        src = _Source(rs, subject, rm.sequence)
        needed = [subject, rm.date, rm.value, rm.parameter if rm.parameters else None]
        if _require(src, [*needed, None if rm.cycle == "sequence" else rm.cycle], log):
            responses = _responses(src, rm, subjects, mapping, log)
            tables.append(_raw(rs.name, RESPONSES, responses))
            columns = {"assessment_date": rm.date, "response": rm.value}
            cycle = rm.date if rm.cycle == "sequence" else rm.cycle
            origins.append(_origin(src, "responses", {**columns, "cycle": cycle}, subject))
    am = mapping.adverse_events
    if am is not None and (ae := _dataset(sets, am.dataset, "adverse_events", log, mapping)):
        src = _Source(ae, subject, am.sequence)
        if _require(src, [subject, *am.columns.values()], log):
            adverse = _adverse_events(src, am, subjects, mapping, log)
            tables.append(_raw(ae.name, ADVERSE_EVENTS, adverse))
            origins.append(_origin(src, "adverse_events", am.columns, subject))
    patients = subjects.table
    cells: dict[tuple[int, str], CellOrigin] = {}
    tm = mapping.time_to_event
    if tm is not None and (tte := _dataset(sets, tm.dataset, "time_to_event", log, mapping)):
        src = _Source(tte, subject, tm.sequence)
        needed = [subject, tm.parameter, tm.time, tm.censor, tm.origin, tm.date]
        if _require(src, needed, log):
            times = _time_to_event(src, tm, subjects, mapping, log)
            if not log.problems:
                patients = _apply_times(patients, responses, adverse, times, tm, src, log)
                cells = _derived_cells(patients, src, tm, log)
                if tm.source == "aval" or tm.compare:
                    log.checked.append(tte.name)
    tables += _detail_tables(sets, mapping, subjects, log, origins)
    tables.insert(0, _raw(adsl.name, PATIENTS, patients))
    adsl_origin = _origin(adsl_source, "patients", sm.columns, subject)
    origins.insert(0, replace(adsl_origin, cells=cells))
    return Extract(
        tuple(tables), tuple(log.problems), tuple(log.notes), log.checks(), tuple(origins)
    )


def read_with(paths: Sequence[Path], mapping_path: Path, expected: str) -> Extract:
    """Read ``paths`` and map them with the mapping file, which must be for ``expected``."""
    try:
        mapping = read_mapping(mapping_path)
    except MappingError as exc:
        return Extract((), (ImportProblem(exc.source, None, exc.key, exc.problem),), ())
    if mapping.format != expected:
        message = f"is a mapping for format '{mapping.format}', not '{expected}'"
        return Extract((), (ImportProblem(mapping_path.name, None, "format", message),), ())
    sets = read_datasets(paths, mapping.csv_missing)
    return convert(sets, mapping)


# --- Clinical-detail tables: exposure, laboratory results, disposition events ------------------


def _selected(
    source: _Source, where: Mapping[str, tuple[str, ...]], log: _Log, kind: str
) -> pd.Series:
    """Records with, for each ``where`` variable, one of its values; the others noted."""
    rows = pd.Series(True, index=source.frame.index)
    for variable, values in where.items():
        rows &= source.frame[variable].isin(list(values))
    left = int((~rows).sum())
    if left:
        listed = {v: ", ".join(f'"{x}"' for x in vs) for v, vs in where.items()}
        kept = "; ".join(f"{v} in ({values})" for v, values in listed.items())
        message = f"{counted(left, f'{kind} record')} without {kept} left out"
        log.notes.append(source.problem(None, None, message))
    return rows


def _numbers(
    source: _Source, variable: str, rows: pd.Series, log: _Log, *, required: bool
) -> pd.Series:
    """The numbers of ``variable`` (NaN where empty); text that is not one is a problem."""
    raw = source.frame[variable]
    values = pd.to_numeric(raw.where(raw != ""), errors="coerce").astype("float64")
    _each(source, rows & (raw != "") & values.isna(), variable, "'{value}' is not a number", log)
    if required:
        _missing(source, variable, rows, log)
    return values


def _missing(source: _Source, variable: str, rows: pd.Series, log: _Log) -> None:
    _each(source, rows & (source.frame[variable] == ""), variable, "required value is missing", log)


def _repeated(
    source: _Source, table: pd.DataFrame, key: list[str], what: str, variable: str, log: _Log
) -> None:
    """A problem on each record whose product key an earlier record already gave."""
    complete = table[(table[key] != "").all(axis=1).to_numpy(bool)]
    numbers = pd.Series(complete.index, index=complete.index)
    first = numbers.groupby([complete[k] for k in key], sort=False).transform("first")
    for number in complete.index[(first != numbers).to_numpy(bool)]:
        message = f"same subject, {what} as record {first[number]}"
        log.problems.append(source.problem(int(number), variable, message))


def _whole(raw: pd.Series, values: pd.Series) -> pd.Series:
    """Whole numbers as integers ("1.0" as "1": a numeric CSV column with gaps); else ``raw``."""
    whole = values.notna() & (values % 1 == 0)
    return raw.where(~whole, values.map(lambda v: "" if pd.isna(v) else str(int(v))))


def _exposure(
    source: _Source, m: ExposureMapping, subjects: _Subjects, mapping: DatasetMapping, log: _Log
) -> pd.DataFrame:
    """ADEX or EX records -> exposure rows (one per subject, cycle and agent)."""
    frame = source.frame
    rows = _known_subjects(source, subjects, log, "exposure")
    rows &= _selected(source, m.where, log, "exposure")
    c = m.columns
    table = pd.DataFrame({"patient_id": frame[source.subject]}, index=frame.index)
    if m.agents:
        table["agent"] = _mapped_values(
            source, c["agent"], dict(m.agents), rows, log, "exposure.agents", required=True
        )
    else:
        table["agent"] = frame[c["agent"]]
        _missing(source, c["agent"], rows, log)
    table["start_date"] = _dates(source, c["start_date"], mapping, log, rows)
    _missing(source, c["start_date"], rows, log)
    for column in ("planned_dose", "given_dose", "delay_days"):
        if column in c:
            values = _numbers(source, c[column], rows, log, required=False)
            if column == "delay_days":
                bad = values.notna() & ((values < 0) | (values % 1 != 0))
                limit = "a whole number of days >= 0"
            else:
                bad = values < 0
                limit = "a dose >= 0"
            _each(source, rows & bad, c[column], f"'{{value}}' is not {limit}", log)
            table[column] = frame[c[column]]
            if column == "delay_days":
                table[column] = _whole(frame[c[column]], values)
    for column in ("unit", "reason"):
        if column in c:
            table[column] = frame[c[column]]
    if "reduced" in c:
        table["reduced"] = _mapped_values(
            source, c["reduced"], dict(m.reduced), rows, log, "exposure.reduced", required=False
        )
    table = table[rows.to_numpy(bool)]
    if m.cycle == "sequence":
        order = table.assign(_n=table.index).sort_values(
            ["patient_id", "agent", "start_date", "_n"]
        )
        table["cycle"] = (order.groupby(["patient_id", "agent"]).cumcount() + 1).astype(str)
    else:
        _missing(source, m.cycle, rows, log)
        cycle = pd.to_numeric(frame[m.cycle].where(frame[m.cycle] != ""), errors="coerce")
        bad = rows & (frame[m.cycle] != "") & ~((cycle >= 1) & (cycle % 1 == 0))
        _each(source, bad, m.cycle, "'{value}' is not a cycle number >= 1", log)
        table["cycle"] = _whole(frame[m.cycle], cycle).loc[table.index]
    _repeated(source, table, ["patient_id", "cycle", "agent"], "cycle and agent", c["agent"], log)
    return table


def _scaled(raw: pd.Series, values: pd.Series, factor: pd.Series) -> pd.Series:
    """``raw`` where the factor is 1, else ``values * factor`` to 12 significant digits."""
    scaled = (values * factor).map(lambda v: "" if pd.isna(v) else f"{v:.12g}")
    return raw.where(factor == 1.0, scaled)


def _lab_results(
    source: _Source, m: LabMapping, subjects: _Subjects, mapping: DatasetMapping, log: _Log
) -> pd.DataFrame:
    """ADLB or LB records -> lab_results rows: test codes mapped, units converted as the
    mapping says (each conversion noted), a unit the CTCAE grade cannot read refused."""
    frame = source.frame
    c = m.columns
    rows = _known_subjects(source, subjects, log, "laboratory")
    rows &= _selected(source, m.where, log, "laboratory")
    codes = frame[c["test"]]
    _missing(source, c["test"], rows, log)
    ignored = sorted(set(codes[rows & ~codes.isin(list(m.tests))]) - {""})
    if ignored:
        message = f"tests not mapped, left out: {', '.join(ignored)}"
        log.notes.append(source.problem(None, c["test"], message))
    rows &= codes.isin(list(m.tests))
    absent = [code for code in m.tests if code not in set(codes[rows])]
    if absent:
        message = (
            f"tests named by the mapping (lab_results.tests) without a record: {', '.join(absent)}"
        )
        log.notes.append(source.problem(None, c["test"], message))
    test = codes.map(lambda v: m.tests.get(v, ""))
    dates = _dates(source, c["sample_date"], mapping, log, rows)
    _missing(source, c["sample_date"], rows, log)
    value = _numbers(source, c["value"], rows, log, required=True)
    nothing = pd.Series("", index=frame.index, dtype=object)
    limits = {
        column: (frame[c[column]], _numbers(source, c[column], rows, log, required=False))
        if column in c
        else (nothing, pd.Series(float("nan"), index=frame.index))
        for column in ("lln", "uln")
    }
    unit = frame[c["unit"]] if "unit" in c else nothing
    unit_variable = c.get("unit", c["test"])
    factor = pd.Series(1.0, index=frame.index)
    product_unit = unit.copy()
    for product_test, conversions in m.units.items():
        these = rows & (test == product_test)
        listed = ", ".join(conversions)
        message = (
            f"unit '{{value}}' of {product_test} is not in the mapping "
            f"(lab_results.units.{product_test}: {listed})"
        )
        _each(source, these & ~unit.isin(list(conversions)), unit_variable, message, log)
        for given, conversion in conversions.items():
            hit = these & (unit == given)
            factor[hit] = conversion.factor
            product_unit[hit] = conversion.unit
            if hit.any() and (conversion.factor != 1.0 or conversion.unit != given):
                message = (
                    f"{product_test}: {counted(int(hit.sum()), 'record')} in {given} converted "
                    f"to {conversion.unit} (value, LLN and ULN x {conversion.factor:g})"
                )
                log.notes.append(source.problem(None, unit_variable, message))
    for criterion in ctcae_table().criteria:
        if criterion.scale != "absolute" or not criterion.unit:
            continue
        wrong = rows & test.isin(list(criterion.codes)) & (product_unit != criterion.unit)
        for number in frame.index[wrong.to_numpy(bool)]:
            shown_unit = product_unit[number] or "(none)"
            message = (
                f"unit {shown_unit} of {test[number]}: the CTCAE grade reads it in "
                f"{criterion.unit}; give the conversion in lab_results.units.{test[number]}"
            )
            log.problems.append(source.problem(int(number), unit_variable, message))
    table = pd.DataFrame(
        {
            "patient_id": frame[source.subject],
            "test": test,
            "sample_date": dates,
            "value": _scaled(frame[c["value"]], value, factor),
            "unit": product_unit,
            "lln": _scaled(limits["lln"][0], limits["lln"][1], factor),
            "uln": _scaled(limits["uln"][0], limits["uln"][1], factor),
        },
        index=frame.index,
    )[rows.to_numpy(bool)]
    _repeated(source, table, ["patient_id", "test", "sample_date"], "test and date", c["test"], log)
    return table


REASONED_EVENTS = ("discontinued_treatment", "withdrew_consent", "lost_to_follow_up")


def _disposition(
    sets: Datasets,
    entries: Sequence[DispositionMapping],
    subjects: _Subjects,
    mapping: DatasetMapping,
    log: _Log,
) -> RawTable | None:
    """The ``[[disposition]]`` entries' records -> disposition_events (each event at most
    once per subject; the reason kept for a discontinuation, withdrawal or loss)."""
    pieces: list[pd.DataFrame] = []
    source: _Source | None = None
    first_problem = len(log.problems)
    for n, m in enumerate(entries, start=1):
        key = f"disposition[{n}]"
        found = _dataset(sets, m.dataset, key, log, mapping)
        if found is None:
            break  # every entry reads the same dataset
        source = _Source(found, mapping.subject_variable, m.sequence)
        needed = [source.subject, m.code, m.date, m.reason, *m.where]
        if not _require(source, needed, log):
            continue
        frame = source.frame
        noted = len(log.notes)
        rows = _known_subjects(source, subjects, log, "disposition")
        if n > 1 or found.name == mapping.subjects.dataset.upper():  # noted once already
            del log.notes[noted:]
        if found.name == mapping.subjects.dataset.upper():
            # a subject repeated in the subject dataset is reported there, once: its later
            # records give no second disposition to refuse again
            rows &= ~frame[source.subject].duplicated()
        rows &= _selected(source, m.where, log, "disposition")
        left = rows & frame[m.code].isin(list(m.left_out))
        if left.any():
            values = ", ".join(sorted(set(frame[m.code][left]))) or "(empty)"
            count = counted(int(left.sum()), "record")
            message = f"{count} with {m.code} {values} left out ({key}.left_out)"
            log.notes.append(source.problem(None, m.code, message))
        rows &= ~left
        events = _mapped_values(
            source, m.code, dict(m.codes), rows, log, f"{key}.codes", required=True
        )
        dates = _dates(source, m.date, mapping, log, rows)
        _missing(source, m.date, rows, log)
        reason = frame[m.reason] if m.reason else pd.Series("", index=frame.index)
        piece = pd.DataFrame(
            {
                "patient_id": frame[source.subject],
                "event": events,
                "event_date": dates,
                "reason": reason.where(events.isin(list(REASONED_EVENTS)), ""),
                "_variable": m.code,
            },
            index=frame.index,
        )[rows.to_numpy(bool)]
        first_rows = subjects.table.drop_duplicates("patient_id").set_index("patient_id")
        enrolled = piece["patient_id"].map(first_rows["enrollment_date"])
        before = (piece["event_date"] != "") & (enrolled != "") & (piece["event_date"] < enrolled)
        for number in piece.index[before.to_numpy(bool)]:
            day = str(piece.at[number, "event_date"])
            message = f"{day} is before the enrolment date {enrolled[number]} (dates out of order)"
            log.problems.append(source.problem(int(number), m.date, message))
        pieces.append(piece)
    # Entries reading the same records find the same fault (a variable, a subject) once.
    log.problems[first_problem:] = list(dict.fromkeys(log.problems[first_problem:]))
    if source is None or not pieces:
        return None
    table = pd.concat(pieces)
    numbers = pd.Series(table.index, index=range(len(table)))
    flat = table.reset_index(drop=True)
    first = numbers.groupby([flat["patient_id"], flat["event"]], sort=False).transform("first")
    for i in flat.index[((first != numbers) & (flat["event"] != "")).to_numpy(bool)]:
        event = str(flat.at[i, "event"])
        message = f"{event} is given again for this subject (first on record {first[i]})"
        log.problems.append(source.problem(int(numbers[i]), str(flat.at[i, "_variable"]), message))
    if table.index.has_duplicates:  # entries reading the same records: rows in order made
        table = table.set_axis(pd.RangeIndex(1, len(table) + 1))
    return _raw(source.data.name, DISPOSITION, table)


def _detail_tables(
    sets: Datasets,
    mapping: DatasetMapping,
    subjects: _Subjects,
    log: _Log,
    origins: list[TableOrigin],
) -> list[RawTable]:
    """The exposure, lab_results and disposition_events tables the mapping names; the origins
    of the exposure and laboratory tables (one row a record) go to ``origins``."""
    subject = mapping.subject_variable
    tables: list[RawTable] = []
    xm = mapping.exposure
    if xm is not None and (ex := _dataset(sets, xm.dataset, "exposure", log, mapping)):
        src = _Source(ex, subject, xm.sequence)
        cycle = None if xm.cycle == "sequence" else xm.cycle
        if _require(src, [subject, *xm.columns.values(), cycle, *xm.where], log):
            tables.append(_raw(ex.name, EXPOSURE, _exposure(src, xm, subjects, mapping, log)))
            variables = {**xm.columns, **({"cycle": cycle} if cycle else {})}
            origins.append(_origin(src, "exposure", variables, subject))
    lm = mapping.lab_results
    if lm is not None and (lb := _dataset(sets, lm.dataset, "lab_results", log, mapping)):
        src = _Source(lb, subject, lm.sequence)
        if _require(src, [subject, *lm.columns.values(), *lm.where], log):
            labs = _lab_results(src, lm, subjects, mapping, log)
            tables.append(_raw(lb.name, LAB_RESULTS, labs))
            origins.append(_origin(src, "lab_results", lm.columns, subject))
    if mapping.disposition:
        disposition = _disposition(sets, mapping.disposition, subjects, mapping, log)
        if disposition is not None:
            tables.append(disposition)
    return tables
