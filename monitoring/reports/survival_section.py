"""Report section "Survival": Kaplan–Meier medians and landmark estimates per endpoint.

Fits come from ``monitoring.survival.summarize_endpoint`` with the protocol's ``[survival]``
settings (times in days); the report prints them in months of ``days_per_month`` days.
In the closed version, medians by each closed breakdown column are added.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitoring.derive import Derivation
from monitoring.protocol import SurvivalSettings
from monitoring.reports.blocks import optional_float
from monitoring.reports.document import Block, CellValue, Column, ColumnKind, Section, Table
from monitoring.survival import EndpointSurvival, kaplan_meier_by, summarize_endpoint
from monitoring.survival.kaplan_meier import KaplanMeierResult

MEDIAN_COLUMNS = (
    Column("Endpoint"),
    Column("N", ColumnKind.INTEGER),
    Column("Events", ColumnKind.INTEGER),
    Column("Median (months)", ColumnKind.NUMBER, 1),
    Column("CI low", ColumnKind.NUMBER, 1),
    Column("CI high", ColumnKind.NUMBER, 1),
    Column("Median follow-up (months)", ColumnKind.NUMBER, 1),
)
LANDMARK_COLUMNS = (
    Column("Endpoint"),
    Column("Month", ColumnKind.NUMBER, 0),
    Column("At risk", ColumnKind.INTEGER),
    Column("Events so far", ColumnKind.INTEGER),
    Column("Survival", ColumnKind.PERCENT),
    Column("CI low", ColumnKind.PERCENT),
    Column("CI high", ColumnKind.PERCENT),
)


def summaries(derivation: Derivation, settings: SurvivalSettings) -> tuple[EndpointSurvival, ...]:
    """One Kaplan–Meier summary per protocol endpoint (empty populations included)."""
    out = []
    for endpoint in settings.endpoints:
        records = derivation.time_to_event(endpoint)
        out.append(summarize_endpoint(endpoint, records.time, records.event, settings))
    return tuple(out)


def _months(days: float | None, settings: SurvivalSettings) -> float | None:
    value = optional_float(days)
    return None if value is None else value / settings.days_per_month


def _median_row(label: str, fit: KaplanMeierResult, settings: SurvivalSettings) -> list[CellValue]:
    m = fit.median
    return [
        label,
        fit.n,
        fit.events,
        _months(m.time, settings),
        _months(m.lower, settings),
        _months(m.upper, settings),
    ]


def median_table(results: Sequence[EndpointSurvival], settings: SurvivalSettings) -> Table:
    rows = tuple(
        (*_median_row(s.endpoint, s.fit, settings), _months(s.follow_up.time, settings))
        for s in results
    )
    level = results[0].fit.conf_level if results else 0.0
    return Table(
        "Kaplan–Meier medians",
        MEDIAN_COLUMNS,
        rows,
        note=(
            f"{level:.0%} CI of the median where the {settings.conf_type} confidence band "
            "crosses 0.5 (R survival); empty when not reached. Median follow-up by reverse "
            f"Kaplan–Meier. Months of {settings.days_per_month:g} days."
        ),
        sheet_name="KM medians",
    )


def landmark_table(results: Sequence[EndpointSurvival], settings: SurvivalSettings) -> Table:
    rows: list[tuple[CellValue, ...]] = []
    for s in results:
        marks = s.landmarks
        for i, month in enumerate(s.landmark_months):
            rows.append(
                (
                    s.endpoint,
                    float(month),
                    int(marks.n_risk[i]),
                    int(marks.cum_event[i]),
                    optional_float(marks.survival[i]),
                    optional_float(marks.lower[i]),
                    optional_float(marks.upper[i]),
                )
            )
    return Table(
        "Kaplan–Meier landmark estimates",
        LANDMARK_COLUMNS,
        tuple(rows),
        note=(
            "Survival at each protocol landmark (R summary(fit, times)); empty where the "
            "landmark lies after the last observation (not estimable)."
        ),
        sheet_name="KM landmarks",
    )


def medians_by(derivation: Derivation, settings: SurvivalSettings, column: str) -> Table:
    """Closed-version breakdown: medians per group of ``column``, each group its own fit."""
    rows: list[tuple[CellValue, ...]] = []
    for endpoint in settings.endpoints:
        records = derivation.time_to_event(endpoint, by=column)
        assert records.groups is not None
        known = [g is not None for g in records.groups]
        if not any(known):
            continue
        grouped = kaplan_meier_by(
            records.time[known], records.event[known], records.groups[known], settings.conf_type
        )
        for label, fit in zip(grouped.groups, grouped.fits, strict=True):
            rows.append((*_median_row(f"{endpoint}: {label}", fit, settings), None))
    return Table(
        f"Kaplan–Meier medians by {column} (closed)",
        MEDIAN_COLUMNS,
        tuple(rows),
        note=f"Breakdown by {column}: closed information, left out of the open version.",
        sheet_name=f"KM by {column}",
    )


def survival_section(
    derivation: Derivation, settings: SurvivalSettings, closed_columns: Sequence[str]
) -> Section:
    results = summaries(derivation, settings)
    blocks: list[Block] = [median_table(results, settings), landmark_table(results, settings)]
    blocks.extend(medians_by(derivation, settings, c) for c in closed_columns)
    return Section("Survival", tuple(blocks))
