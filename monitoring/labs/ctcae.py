"""CTCAE grades of laboratory values, from the table in ``monitoring/labs/ctcae_v5.toml``.

The table states its CTCAE version and source; each criterion grades one test code of the
``lab_results`` table. Values are compared with the grade edges after rounding the scaled
value (multiple of the limit of normal, or percent change) to 9 decimals, so that a value
exactly on an edge (3.0 x ULN from 120 U/L against an ULN of 40) is graded as CTCAE says
and not by a floating-point remainder.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Literal

import numpy as np
import numpy.typing as npt

CTCAE_TABLE = "ctcae_v5.toml"
Scale = Literal["uln", "absolute", "baseline_percent"]
Direction = Literal["increased", "decreased"]
_LIMITS = ("LLN", "ULN")
_DECIMALS = 9


@dataclass(frozen=True)
class Criterion:
    """How one test is graded: grade g is reached beyond ``edges[g - 1]`` (an edge is a
    number in the ``scale``, or "LLN"/"ULN": the sample's own limit of normal)."""

    test: str
    term: str
    scale: Scale
    direction: Direction
    edges: tuple[float | str, ...]
    inclusive: bool
    criteria: tuple[str, ...]
    unit: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        """The test codes graded by this criterion: its own, then its aliases."""
        return (self.test, *self.aliases)

    @property
    def max_grade(self) -> int:
        return len(self.edges)

    @property
    def relative_to_uln(self) -> bool:
        return self.scale == "uln"


@dataclass(frozen=True)
class CtcaeTable:
    """A versioned CTCAE grading table: its version, its source and the criteria."""

    version: str
    source: str
    criteria: tuple[Criterion, ...]

    def criterion(self, test: str) -> Criterion | None:
        return next((c for c in self.criteria if test in c.codes), None)

    @property
    def tests(self) -> tuple[str, ...]:
        return tuple(c.test for c in self.criteria)

    @property
    def label(self) -> str:
        return f"CTCAE v{self.version}"


def _criterion(raw: dict[str, object]) -> Criterion:
    edges = tuple(e if isinstance(e, str) else float(e) for e in raw["edges"])  # type: ignore[attr-defined]
    for edge in edges:
        if isinstance(edge, str) and edge not in _LIMITS:
            raise ValueError(f"CTCAE table: edge {edge!r} of {raw['test']} is not LLN or ULN")
    criteria = tuple(str(c) for c in raw["criteria"])  # type: ignore[attr-defined]
    if len(criteria) != len(edges):
        raise ValueError(
            f"CTCAE table: {raw['test']} has {len(edges)} edges but {len(criteria)} grade wordings"
        )
    return Criterion(
        test=str(raw["test"]),
        term=str(raw["term"]),
        scale=raw["scale"],  # type: ignore[arg-type]
        direction=raw["direction"],  # type: ignore[arg-type]
        edges=edges,
        inclusive=bool(raw["inclusive"]),
        criteria=criteria,
        unit=str(raw.get("unit", "")),
        aliases=tuple(str(a) for a in raw.get("aliases", ())),  # type: ignore[attr-defined]
    )


@cache
def ctcae_table(name: str = CTCAE_TABLE) -> CtcaeTable:
    """The grading table shipped in the package (default: CTCAE v5.0)."""
    raw = tomllib.loads(files("monitoring.labs").joinpath(name).read_text(encoding="utf-8"))
    return CtcaeTable(
        version=str(raw["version"]),
        source=str(raw["source"]),
        criteria=tuple(_criterion(c) for c in raw["criterion"]),
    )


def grade_values(
    criterion: Criterion,
    values: npt.ArrayLike,
    lln: npt.ArrayLike | None = None,
    uln: npt.ArrayLike | None = None,
    baseline: npt.ArrayLike | None = None,
) -> npt.NDArray[np.float64]:
    """CTCAE grade (0 = within normal) of each value; NaN where it cannot be graded (value
    missing, or the limit or baseline its scale needs missing or not positive).

    ``lln``/``uln``: the sample's limits of normal (needed by "uln" criteria and by an
    "LLN"/"ULN" edge); ``baseline``: the patient's baseline value ("baseline_percent")."""
    value = np.asarray(values, dtype=float)
    shape = value.shape
    low = np.broadcast_to(np.asarray(np.nan if lln is None else lln, dtype=float), shape)
    high = np.broadcast_to(np.asarray(np.nan if uln is None else uln, dtype=float), shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        if criterion.scale == "uln":
            scaled = np.where(high > 0, value / high, np.nan)
            limits = {"ULN": np.ones(shape), "LLN": np.where(high > 0, low / high, np.nan)}
        elif criterion.scale == "baseline_percent":
            base = np.broadcast_to(
                np.asarray(np.nan if baseline is None else baseline, dtype=float), shape
            )
            scaled = np.where(base > 0, (value - base) / base * 100.0, np.nan)
            limits = {}
        else:
            scaled = value
            limits = {"ULN": high, "LLN": low}
    scaled = np.round(scaled, _DECIMALS)
    grade = np.zeros(shape)
    known = ~np.isnan(scaled)
    reached = np.ones(shape, dtype=bool)  # beyond every edge so far: grade 0 if not the first
    for edge in criterion.edges:
        at = np.round(limits[edge], _DECIMALS) if isinstance(edge, str) else np.full(shape, edge)
        known &= ~np.isnan(at)
        if criterion.direction == "increased":
            beyond = scaled >= at if criterion.inclusive else scaled > at
        else:
            beyond = scaled <= at if criterion.inclusive else scaled < at
        reached &= beyond
        grade += reached
    return np.where(known, grade, np.nan)


def non_negative_tests(table: CtcaeTable | None = None) -> frozenset[str]:
    """Test codes whose values cannot be negative: every code the grading table grades
    (concentrations, enzyme activities, cell counts, body weight)."""
    table = table or ctcae_table()
    return frozenset(code for c in table.criteria for code in c.codes)
