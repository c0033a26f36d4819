"""Report section "Survival": Kaplan–Meier charts with at-risk tables, medians and landmark
estimates per endpoint.

Each endpoint is one ``monitoring.series.survival_view`` (fit by the protocol's
``[survival]`` settings, times in days) drawn as the dashboard's ``km_figure``; tables
print months of ``days_per_month`` days. In the closed version, charts and medians by each
closed breakdown column are added.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitoring.charts.static import KmChart
from monitoring.derive import Derivation
from monitoring.protocol import Protocol, SurvivalSettings
from monitoring.reports.blocks import chart, optional_float
from monitoring.reports.document import (
    Block,
    CellValue,
    Column,
    ColumnKind,
    Figure,
    Section,
    Table,
)
from monitoring.series import SurvivalView, survival_view
from monitoring.survival import EndpointSurvival
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


def medians_by(views: Sequence[SurvivalView], settings: SurvivalSettings, column: str) -> Table:
    """Closed-version breakdown: medians per group of ``column``, each group its own fit."""
    rows = tuple(
        (*_median_row(f"{view.endpoint}: {curve.label}", curve.fit, settings), None)
        for view in views
        for curve in view.curves
    )
    return Table(
        f"Kaplan–Meier medians by {column} (closed)",
        MEDIAN_COLUMNS,
        rows,
        note=f"Breakdown by {column}: closed information, left out of the open version.",
        sheet_name=f"KM by {column}",
    )


def km_chart(view: SurvivalView) -> Figure:
    """The dashboard's Kaplan–Meier chart of one endpoint, with its number-at-risk table."""
    by = f" by {view.by}" if view.by else ""
    return chart(
        f"Kaplan–Meier estimate: {view.endpoint}{by}",
        KmChart(view),
        f"{view.summary.fit.conf_level:.0%} pointwise confidence band; marks: censored "
        "observations; below: number at risk.",
    )


def survival_section(
    derivation: Derivation, protocol: Protocol, closed_columns: Sequence[str]
) -> Section:
    settings = protocol.survival
    views = [survival_view(derivation, protocol, e) for e in settings.endpoints]
    results = [view.summary for view in views]
    blocks: list[Block] = [median_table(results, settings), landmark_table(results, settings)]
    blocks.extend(km_chart(view) for view in views)
    for column in closed_columns:
        grouped = [survival_view(derivation, protocol, e, by=column) for e in settings.endpoints]
        blocks.append(medians_by(grouped, settings, column))
        blocks.extend(km_chart(view) for view in grouped)
    return Section("Survival", tuple(blocks))
