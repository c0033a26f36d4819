"""Adverse events by category, term and worst grade, with their subsets (SPEC 3.3; seed 003
analysis plan: "summarized by AE category, severity and frequency ... with the Bayesian 95%
credible interval").

Population: the safety population, patients who received any dose by the cut-off. A
patient counts once per term (and once per category, and once in the "any adverse event"
row) at the worst grade of his events there; the grade bands partition the patients of a
row, so the bands sum to the "any grade" count. Listings are in
``monitoring.analyses.safety_listings``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd

from monitoring.derive import Derivation
from monitoring.derive.grouping import codes
from monitoring.estimates import ProportionMaker, RateEstimate
from monitoring.protocol import Protocol

# NCI/CTEP convention for "related": attribution possible, probable or definite.
RELATED_ATTRIBUTIONS = ("possible", "probable", "definite")
ANY_EVENT = "Any adverse event"


class AeSubset(StrEnum):
    """Which adverse events a table counts."""

    ALL = "all"
    SERIOUS = "serious"
    RELATED = "related"


class RowLevel(StrEnum):
    """A table row counts patients with any event, with an event in a category, or with a
    term."""

    ANY = "any"
    CATEGORY = "category"
    TERM = "term"


@dataclass(frozen=True)
class GradeBand:
    """Worst CTCAE grade from ``low`` to ``high`` (inclusive)."""

    label: str
    low: int
    high: int


GRADE_BANDS = (
    GradeBand("Any grade", 1, 5),
    GradeBand("Grade 1-2", 1, 2),
    GradeBand("Grade 3-4", 3, 4),
    GradeBand("Grade 5", 5, 5),
)
_GRADES = 6  # grade codes 0..5 (0 unused)


@dataclass(frozen=True)
class AeRow:
    """Patients of the population with the row's events, one cell per ``GRADE_BANDS``."""

    level: RowLevel
    category: str | None
    term: str | None
    cells: tuple[RateEstimate, ...]

    @property
    def patients(self) -> int:
        """Patients with any grade (the first band)."""
        return self.cells[0].x


@dataclass(frozen=True)
class AeTable:
    """One subset's table: the any-event row, then each category followed by its terms,
    categories and terms each sorted by decreasing frequency (then name)."""

    subset: AeSubset
    title: str
    note: str
    population: int
    bands: tuple[GradeBand, ...]
    rows: tuple[AeRow, ...]


@dataclass(frozen=True)
class AeTables:
    """All adverse events and the serious and related subsets, on one population."""

    population: int
    note: str
    tables: tuple[AeTable, ...]

    def table(self, subset: AeSubset) -> AeTable:
        return next(t for t in self.tables if t.subset is subset)


def safety_events(derived: Derivation) -> tuple[pd.DataFrame, npt.NDArray[np.intp]]:
    """AE rows (as cut) of the safety population (patients treated by the cut-off), and
    each row's patient as a row position in the derived patient frame."""
    patients = derived.patients
    where = codes(patients["patient_id"], derived.data.adverse_events["patient_id"])
    treated = np.append(patients["treated"].to_numpy(bool), False)  # -1: unknown patient
    events = derived.data.adverse_events
    keep = treated[where] & events["grade"].notna().to_numpy(bool)
    return events.loc[keep], where[keep]


def _subset_mask(
    events: pd.DataFrame, subset: AeSubset, related: Sequence[str]
) -> npt.NDArray[np.bool_]:
    if subset is AeSubset.SERIOUS:
        return (events["serious"] == "Y").to_numpy(bool)
    if subset is AeSubset.RELATED:
        return events["attribution"].isin(related).to_numpy(bool)
    return np.ones(len(events), dtype=bool)


@dataclass(frozen=True, eq=False)
class _Coded:
    """Safety events as integer codes: (category, term) row, category, patient, grade."""

    term: npt.NDArray[np.intp]
    term_category: npt.NDArray[np.intp]
    term_label: npt.NDArray[np.object_]
    categories: npt.NDArray[np.object_]
    patient: npt.NDArray[np.intp]
    patients: int
    grade: npt.NDArray[np.int8]


def _coded(events: pd.DataFrame, patient: npt.NDArray[np.intp], patients: int) -> _Coded:
    category, categories = pd.factorize(events["category"], sort=True)
    term_raw, term_index = pd.factorize(events["term"])
    width = max(len(term_index), 1)
    pairs, term = np.unique(category.astype(np.int64) * width + term_raw, return_inverse=True)
    return _Coded(
        term=term.astype(np.intp),
        term_category=(pairs // width).astype(np.intp),
        term_label=np.asarray(term_index, dtype=object)[pairs % width],
        categories=np.asarray(categories, dtype=object),
        patient=patient,
        patients=patients,
        grade=events["grade"].to_numpy(np.int8),
    )


def _band_counts(worst: npt.NDArray[np.int8]) -> npt.NDArray[np.int64]:
    """(rows, bands) patient counts from a (rows, patients) matrix of worst grades (0 =
    no event)."""
    rows = worst.shape[0]
    cells = (np.arange(rows)[:, None] * _GRADES + worst).ravel()
    by_grade = np.bincount(cells, minlength=rows * _GRADES).reshape(rows, _GRADES)
    cumulative = np.concatenate((np.zeros((rows, 1), np.int64), np.cumsum(by_grade, axis=1)), 1)
    return np.stack([cumulative[:, b.high + 1] - cumulative[:, b.low] for b in GRADE_BANDS], 1)


def _worst_grades(coded: _Coded, mask: npt.NDArray[np.bool_]) -> tuple[np.ndarray, ...]:
    """Worst grade of each patient per term, per category and over all events of the mask:
    dense (rows, patients) matrices, 0 where the patient has no such event."""
    by_term = np.zeros((coded.term_label.size, coded.patients), dtype=np.int8)
    np.maximum.at(by_term, (coded.term[mask], coded.patient[mask]), coded.grade[mask])
    by_category = np.zeros((coded.categories.size, coded.patients), dtype=np.int8)
    np.maximum.at(by_category, coded.term_category, by_term)
    return by_category.max(axis=0, initial=0)[None, :], by_category, by_term


def _rows(
    make: ProportionMaker, population: int, coded: _Coded, mask: npt.NDArray[np.bool_]
) -> tuple[AeRow, ...]:
    """Rows of one table: the events of ``mask`` among the coded safety events."""
    overall, category, term = (_band_counts(w) for w in _worst_grades(coded, mask))

    def row(level: RowLevel, category: str | None, term: str | None, c: np.ndarray) -> AeRow:
        label = term or category or ANY_EVENT
        cells = tuple(
            make(f"{label}, {b.label.lower()}", int(x), population)
            for b, x in zip(GRADE_BANDS, c.tolist(), strict=True)
        )
        return AeRow(level, category, term, cells)

    out = [row(RowLevel.ANY, None, None, overall[0])]
    present = category[:, 0] > 0
    for ci in np.flatnonzero(present)[
        _by_frequency(category[present, 0], coded.categories[present])
    ]:
        name = str(coded.categories[ci])
        out.append(row(RowLevel.CATEGORY, name, None, category[ci]))
        members = np.flatnonzero((coded.term_category == ci) & (term[:, 0] > 0))
        for ti in members[_by_frequency(term[members, 0], coded.term_label[members])]:
            out.append(row(RowLevel.TERM, name, str(coded.term_label[ti]), term[ti]))
    return tuple(out)


def _by_frequency(counts: np.ndarray, names: np.ndarray) -> npt.NDArray[np.intp]:
    """Positions by decreasing count, ties by name."""
    return np.asarray(
        sorted(range(len(counts)), key=lambda i: (-int(counts[i]), str(names[i]))), dtype=np.intp
    )


def _title(subset: AeSubset, related: Sequence[str]) -> str:
    if subset is AeSubset.SERIOUS:
        return "Serious adverse events (serious = Y)"
    if subset is AeSubset.RELATED:
        return f"Related adverse events (attribution {', '.join(related)})"
    return "Adverse events"


def ae_tables(
    derived: Derivation, protocol: Protocol, related: Sequence[str] = RELATED_ATTRIBUTIONS
) -> AeTables:
    """AE tables of the safety population at the cut-off: all AEs, serious, and related
    (attribution in ``related``)."""
    events, patient = safety_events(derived)
    coded = _coded(events, patient, len(derived.patients))
    population = int(derived.patients["treated"].sum())
    make = ProportionMaker(protocol.estimates.ae_prior, protocol.estimates.credible_level)
    note = (
        f"N = {population} treated patients (received any dose by the cut-off "
        f"{derived.cutoff.isoformat()}). A patient counts once per row, at the worst grade "
        f"of his events in it ({protocol.reporting.ae_grading}). {make.note}"
    )
    tables = tuple(
        AeTable(
            subset=subset,
            title=f"{_title(subset, related)}: patients by worst grade (N = {population})",
            note=note,
            population=population,
            bands=GRADE_BANDS,
            rows=_rows(make, population, coded, _subset_mask(events, subset, related)),
        )
        for subset in AeSubset
    )
    return AeTables(population=population, note=note, tables=tables)
