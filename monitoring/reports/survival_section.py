"""Report section "Survival": Kaplan–Meier charts with at-risk tables, medians and landmark
estimates per endpoint.

Each endpoint is one ``monitoring.series.survival_view`` (fit by the protocol's
``[survival]`` settings, times in days) drawn as the dashboard's ``km_figure``; tables
print months of ``days_per_month`` days. In the closed version, charts and medians by each
closed breakdown column are added; by arm, the medians and landmark survival of each arm
with their differences from the reference arm (``monitoring.series.arm_comparison``).
Last, the cumulative incidence of relapse and of death in remission among patients in
remission (``monitoring.series.incidence``), by cohort, or by arm in the closed version.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitoring.charts.incidence_static import IncidenceChart
from monitoring.charts.panels import ChartRow
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
    Joint,
    Merge,
    Section,
    Table,
)
from monitoring.reports.figures import CSS_PX_PER_INCH
from monitoring.series import SurvivalView, survival_view
from monitoring.series.arm_comparison import (
    ARM_COLUMN,
    ArmComparison,
    arm_comparison,
    comparison_note,
)
from monitoring.series.incidence import (
    IncidenceView,
    gray_sentence,
    incidence_column,
    incidence_note,
    incidence_view,
)
from monitoring.survival import EndpointSurvival
from monitoring.survival.kaplan_meier import KaplanMeierResult

KM_PER_ROW = 2  # Kaplan–Meier charts printed side by side
KM_ROW_HEIGHT = 0.7  # of each chart's dashboard height (the at-risk rows still clear the axis)

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
    """One row per endpoint, survival and its interval at each landmark (the protocol's
    landmarks are the same for every endpoint); the long layout otherwise."""
    months = {tuple(s.landmark_months) for s in results}
    if len(months) != 1:
        return _landmark_rows(results)
    (common,) = months
    columns = [Column("Endpoint")]
    merges = []
    for month in common:
        merges.append(Merge(len(columns) + 1, f"{month:g}-month CI", Joint.RANGE))
        columns += [
            Column(f"{month:g} months", ColumnKind.PERCENT),
            Column(f"{month:g}-month CI low", ColumnKind.PERCENT),
            Column(f"{month:g}-month CI high", ColumnKind.PERCENT),
        ]
    rows = tuple(
        (
            s.endpoint,
            *(
                optional_float(v)
                for i in range(len(common))
                for v in (s.landmarks.survival[i], s.landmarks.lower[i], s.landmarks.upper[i])
            ),
        )
        for s in results
    )
    return Table(
        "Kaplan–Meier landmark estimates",
        tuple(columns),
        rows,
        note=(
            "Survival at each protocol landmark, months from the origin, with its confidence "
            "interval (R summary(fit, times)); empty where the landmark lies after the last "
            "observation (not estimable). Numbers at risk: below each Kaplan–Meier chart."
        ),
        sheet_name="KM landmarks",
        merges=tuple(merges),
    )


def _landmark_rows(results: Sequence[EndpointSurvival]) -> Table:
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


ARM_MEDIAN_COLUMNS = (
    Column("Endpoint"),
    Column("Arm"),
    Column("N", ColumnKind.INTEGER),
    Column("Events", ColumnKind.INTEGER),
    Column("Median (months)", ColumnKind.NUMBER, 1),
    Column("CI low", ColumnKind.NUMBER, 1),
    Column("CI high", ColumnKind.NUMBER, 1),
    Column("Difference (months)", ColumnKind.NUMBER, 1),
    Column("Difference CI low", ColumnKind.NUMBER, 1),
    Column("Difference CI high", ColumnKind.NUMBER, 1),
)
ARM_LANDMARK_COLUMNS = (
    Column("Endpoint"),
    Column("Comparison"),
    Column("Month", ColumnKind.NUMBER, 0),
    Column("Reference", ColumnKind.PERCENT),
    Column("Compared arm", ColumnKind.PERCENT),
    Column("Difference", ColumnKind.PERCENT),
    Column("CI low", ColumnKind.PERCENT),
    Column("CI high", ColumnKind.PERCENT),
)


def arm_median_table(comparisons: Sequence[ArmComparison], settings: SurvivalSettings) -> Table:
    """Closed version: medians per arm with their CI, and each arm's difference from the
    reference arm with its bootstrap interval."""
    rows: list[tuple[CellValue, ...]] = []
    for comparison in comparisons:
        versus = {c.arm.arm: c.median for c in comparison.comparisons}
        for arm in comparison.arms:
            diff = versus.get(arm.arm)
            rows.append(
                (
                    comparison.endpoint,
                    f"{arm.arm}: {arm.label}",
                    *_median_row("", arm.fit, settings)[1:],
                    *(
                        (None, None, None)
                        if diff is None
                        else (
                            _months(diff.difference, settings),
                            _months(diff.lower, settings),
                            _months(diff.upper, settings),
                        )
                    ),
                )
            )
    return Table(
        "Kaplan–Meier medians by arm with differences (closed)",
        ARM_MEDIAN_COLUMNS,
        tuple(rows),
        note=comparison_note(comparisons[0])
        + f" Median CI as in the medians table; months of {settings.days_per_month:g} days.",
        sheet_name="KM by arm",
    )


def arm_landmark_table(comparisons: Sequence[ArmComparison]) -> Table:
    """Closed version: survival per arm at each protocol landmark and the difference from
    the reference arm with its Wald interval."""
    rows = tuple(
        (
            comparison.endpoint,
            f"{c.arm.arm} − {c.reference.arm}",
            float(month),
            d.survival_a,
            d.survival_b,
            d.difference,
            d.lower,
            d.upper,
        )
        for comparison in comparisons
        for c in comparison.comparisons
        for month, d in zip(comparison.landmark_months, c.landmarks, strict=True)
    )
    return Table(
        "Kaplan–Meier landmark differences by arm (closed)",
        ARM_LANDMARK_COLUMNS,
        rows,
        note="Survival of the reference and the compared arm at each protocol landmark "
        "(months from the origin), their difference and its Wald interval from the two "
        "Greenwood variances; empty where not estimable.",
        sheet_name="KM landmarks by arm",
    )


def arm_blocks(derivation: Derivation, protocol: Protocol) -> list[Block]:
    """The arm comparison tables of every endpoint; none for a protocol without two arms."""
    settings = protocol.survival
    found = [arm_comparison(derivation, protocol, e) for e in settings.endpoints]
    comparisons = [c for c in found if c is not None and c.comparisons]
    if not comparisons:
        return []
    blocks: list[Block] = [arm_median_table(comparisons, settings)]
    if settings.landmarks_months:
        blocks.append(arm_landmark_table(comparisons))
    return blocks


def km_chart(view: SurvivalView) -> Figure:
    """The dashboard's Kaplan–Meier chart of one endpoint, with its number-at-risk table."""
    by = f" by {view.by}" if view.by else ""
    return chart(
        f"Kaplan–Meier estimate: {view.endpoint}{by}",
        KmChart(view),
        f"{view.summary.fit.conf_level:.0%} pointwise confidence band; marks: censored "
        "observations; below: number at risk.",
    )


def km_row(views: Sequence[SurvivalView], per_row: int = KM_PER_ROW) -> Figure:
    """Kaplan–Meier charts side by side, ``per_row`` panels a row (a short row keeps the
    panel size, blank on the right), each at ``KM_ROW_HEIGHT`` of its dashboard height."""
    by = f" by {views[0].by}" if views[0].by else ""
    sides = ("left", "right", "third", "fourth")
    named = "; ".join(f"{v.endpoint}{by} ({side})" for v, side in zip(views, sides, strict=False))
    if len(views) == 1:
        named = f"{views[0].endpoint}{by}"
    row = ChartRow(tuple(KmChart(v) for v in views), slots=per_row)
    level = views[0].summary.fit.conf_level
    return Figure(
        f"Kaplan–Meier estimate: {named}",
        row,
        caption=f"{level:.0%} pointwise confidence bands; marks: censored observations; "
        "below each: number at risk.",
        width_in=row.width_in,
        height_in=row.height_px * KM_ROW_HEIGHT / CSS_PX_PER_INCH,
    )


def km_rows(views: Sequence[SurvivalView], per_row: int = KM_PER_ROW) -> list[Figure]:
    return [km_row(views[i : i + per_row], per_row) for i in range(0, len(views), per_row)]


INCIDENCE_COLUMNS = (
    Column("Group"),
    Column("Month", ColumnKind.NUMBER, 0),
    Column("Relapse", ColumnKind.PERCENT),
    Column("Relapse CI low", ColumnKind.PERCENT),
    Column("Relapse CI high", ColumnKind.PERCENT),
    Column("Death in remission", ColumnKind.PERCENT),
    Column("Death CI low", ColumnKind.PERCENT),
    Column("Death CI high", ColumnKind.PERCENT),
)


def incidence_table(view: IncidenceView) -> Table:
    """Cumulative incidence of relapse and of death in remission at each landmark, per group
    (with the number in remission), Gray's tests in the note."""
    rows = tuple(
        (
            f"{group.label} (n = {group.n})",
            float(r.months),
            r.estimate,
            r.lower,
            r.upper,
            d.estimate,
            d.lower,
            d.upper,
        )
        for group in view.groups
        for r, d in zip(group.relapse_at, group.death_at, strict=True)
    )
    test = gray_sentence(view)
    return Table(
        "Cumulative incidence of relapse and of death in remission",
        INCIDENCE_COLUMNS,
        rows,
        note=incidence_note(view) + ("" if test is None else f" {test}."),
        sheet_name="Relapse incidence",
    )


def incidence_blocks(
    derivation: Derivation, protocol: Protocol, closed_columns: Sequence[str]
) -> list[Block]:
    """Landmark table and chart of relapse and death in remission, by cohort or by arm where
    the version may show it (pooled otherwise); none without a patient in remission. The
    table comes first: it fits below the last Kaplan–Meier row, which keeps the default
    trial's closed pack within 16 pages (tests/test_report_pack.py)."""
    split = incidence_column(protocol)
    shown = split is not None and (split in closed_columns or split not in protocol.closed_by)
    view = incidence_view(derivation, protocol, split if shown else None)
    if view is None:
        return []
    by = f" by {view.by}" if view.by else ""
    closed = " (closed)" if view.by in protocol.closed_by else ""
    figure = chart(
        f"Cumulative incidence of relapse and of death in remission{by}{closed}",
        IncidenceChart(view),
        "Solid: relapse; dashed: death in remission (the competing event); in brackets, "
        "patients with the event of those in remission; months from the first remission.",
    )
    return [incidence_table(view), figure]


def _arms_shown(protocol: Protocol, closed_columns: Sequence[str]) -> bool:
    """Results by arm: in the closed version, or in both where the arm is not closed."""
    return ARM_COLUMN in closed_columns or ARM_COLUMN not in protocol.closed_by


def survival_section(
    derivation: Derivation, protocol: Protocol, closed_columns: Sequence[str]
) -> Section:
    settings = protocol.survival
    views = [survival_view(derivation, protocol, e) for e in settings.endpoints]
    results = [view.summary for view in views]
    blocks: list[Block] = [median_table(results, settings)]
    if settings.landmarks_months:  # a protocol without landmarks gets no empty table
        blocks.append(landmark_table(results, settings))
    blocks.extend(km_rows(views))
    by_arm = arm_blocks(derivation, protocol) if _arms_shown(protocol, closed_columns) else []
    for column in closed_columns:
        grouped = [survival_view(derivation, protocol, e, by=column) for e in settings.endpoints]
        if column == ARM_COLUMN and by_arm:  # the medians by arm, with their differences
            blocks.extend(by_arm)
            by_arm = []
        else:
            blocks.append(medians_by(grouped, settings, column))
        blocks.extend(km_rows(grouped))
    blocks.extend(by_arm)
    blocks.extend(incidence_blocks(derivation, protocol, closed_columns))
    return Section("Survival", tuple(blocks))
