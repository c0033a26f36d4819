"""Readable text of the ``km`` and ``tables`` commands (the default output)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from monitoring.analyses.endpoints import EndpointAnalysis
from monitoring.analyses.response import ResponseSummary
from monitoring.analyses.safety import AeTable, RowLevel
from monitoring.analyses.safety_listings import AeListing, DeathListing
from monitoring.analyses.table_set import TableSet
from monitoring.analyses.treatment import Distribution, TreatmentSummary
from monitoring.estimates import RateEstimate
from monitoring.survival import EndpointSurvival


def _pct(value: float | None) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{100 * value:.1f}"


def _num(value: float | None) -> str:
    return "NA" if value is None or not math.isfinite(value) else f"{value:g}"


def rate_text(rate: RateEstimate) -> str:
    """'3/7 (42.9%)  CrI 13.9-76.5  exact 9.9-81.6'."""
    return (
        f"{rate.x}/{rate.n} ({_pct(rate.proportion)}%)  "
        f"CrI {_pct(rate.credible.low)}-{_pct(rate.credible.high)}  "
        f"exact {_pct(rate.exact.low)}-{_pct(rate.exact.high)}"
    )


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    body = [list(header), *[list(r) for r in rows]]
    widths = [max(len(r[i]) for r in body) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def _response(summary: ResponseSummary) -> list[str]:
    head = "All treated patients" if summary.group is None else f"Group {summary.group}"
    lines = [f"{head}: {summary.treated} treated, {summary.pending} pending"]
    for rate in (summary.remission, summary.response):
        lines.append(f"  {rate.title}")
        lines.append(f"    among treated    {rate_text(rate.among_treated)}")
        lines.append(f"    among evaluable  {rate_text(rate.among_evaluable)}")
    table = summary.best_response
    lines.append(f"  {table.title}")
    rows = [(r.category, rate_text(r.estimate)) for r in table.rows]
    lines += ["    " + line for line in _table(("category", "n/N (%)  intervals"), rows)]
    return lines


def _ae_table(table: AeTable) -> list[str]:
    def label(level: RowLevel, category: str | None, term: str | None) -> str:
        if level is RowLevel.TERM:
            return f"    {term}"
        return category or "Any adverse event"

    rows = [
        (
            label(r.level, r.category, r.term),
            rate_text(r.cells[0]),
            *(f"{c.x} ({_pct(c.proportion)}%)" for c in r.cells[1:]),
        )
        for r in table.rows
    ]
    return [table.title, *_table(["", *(b.label for b in table.bands)], rows), table.note]


def _deaths(listing: DeathListing) -> list[str]:
    rows = [
        (r.patient_id, r.death_date.isoformat(), _num(r.days_from_first_dose), r.cause or "")
        for r in listing.rows
    ]
    return [listing.title, *_table(("patient", "date", "day", "cause"), rows)]


def _ae_listing(listing: AeListing) -> list[str]:
    rows = [
        (
            r.patient_id,
            r.term,
            r.category,
            str(r.grade),
            r.onset_date.isoformat(),
            _num(r.onset_day),
            r.resolution_date.isoformat() if r.resolution_date else "",
            r.attribution or "",
            r.outcome.value,
        )
        for r in listing.rows
    ]
    header = (
        "patient",
        "term",
        "category",
        "grade",
        "onset",
        "day",
        "resolved",
        "attr.",
        "outcome",
    )
    return [listing.title, *_table(header, rows), listing.note]


def _distribution(name: str, d: Distribution) -> str:
    return (
        f"  {name}: median {_num(d.median)} (IQR {_num(d.q1)}-{_num(d.q3)}; "
        f"range {_num(d.minimum)}-{_num(d.maximum)}; n = {d.n})"
    )


def _treatment(summary: TreatmentSummary) -> list[str]:
    cycles = ", ".join(f"{c.cycles}: {c.patients}" for c in summary.cycle_distribution)
    return [
        "Treatment summary",
        f"  treated {summary.treated}, still on treatment {summary.on_treatment}",
        _distribution("duration of treatment (days)", summary.duration_days),
        _distribution("cycles received", summary.cycles),
        f"  patients by cycles received: {cycles}",
        f"  HSCT, treated      {rate_text(summary.hsct_treated)}",
        f"  HSCT, responders   {rate_text(summary.hsct_responders)}",
        f"  MRD negative, responders {rate_text(summary.mrd_negative_responders)} "
        f"({summary.mrd_assessed_responders} with an MRD result)",
        f"  {summary.note}",
    ]


def survival_text(name: str, summary: EndpointSurvival) -> list[str]:
    fit = summary.fit
    median = fit.median
    lines = [
        f"{name}: n = {fit.n}, events = {fit.events}, median {_num(median.time)} days "
        f"({fit.conf_level * 100:g}% CI {_num(median.lower)}-{_num(median.upper)}, "
        f"{fit.conf_type.value})"
    ]
    marks = summary.landmarks
    for months, s, lo, hi, n in zip(
        summary.landmark_months,
        marks.survival.tolist(),
        marks.lower.tolist(),
        marks.upper.tolist(),
        marks.n_risk.tolist(),
        strict=True,
    ):
        if not math.isfinite(s):
            lines.append(f"  {months:g} months: not estimable (no follow-up that long)")
            continue
        lines.append(f"  {months:g} months: {_pct(s)}% (CI {_pct(lo)}-{_pct(hi)}), at risk {n}")
    return lines


def km_text(analysis: EndpointAnalysis) -> list[str]:
    """Overall summary, the curve's rows, then each group and the log-rank test."""
    lines = survival_text(analysis.endpoint, analysis.overall)
    fit = analysis.overall.fit
    rows = (
        (_num(t), str(n), str(d), _pct(s), _pct(lo), _pct(hi))
        for t, n, d, s, lo, hi in zip(
            fit.time.tolist(),
            fit.n_risk.tolist(),
            fit.n_event.tolist(),
            fit.survival.tolist(),
            fit.lower.tolist(),
            fit.upper.tolist(),
            strict=True,
        )
    )
    lines += _table(("day", "at risk", "events", "S %", "lower", "upper"), rows)
    for group in analysis.groups:
        lines += ["", *survival_text(f"{analysis.by} = {group.label}", group.survival)]
    if analysis.missing_group:
        lines.append(f"{analysis.missing_group} patient(s) without {analysis.by} left out")
    test = analysis.log_rank
    if test is not None:
        lines.append(
            f"Log-rank test: chi-square {_num(test.chisq)} on {test.df} df, "
            f"p = {_num(test.p_value)}"
        )
    return lines


def tables_text(tables: TableSet, trial_id: str) -> list[str]:
    lines = [
        f"Trial {trial_id}, cut-off {tables.cutoff}: {tables.enrolled} enrolled, "
        f"{tables.treated} treated",
        "",
        "RESPONSE",
        tables.response.note,
        *_response(tables.response.overall),
    ]
    for group in tables.response.groups:
        lines += _response(group)
    lines += ["", "ADVERSE EVENTS"]
    for table in tables.adverse_events.tables:
        lines += [*_ae_table(table), ""]
    listings = tables.listings
    lines += [*_deaths(listings.deaths), "", *_ae_listing(listings.serious), ""]
    for listing in listings.monitored:
        lines += [*_ae_listing(listing), ""]
    lines += [*_treatment(tables.treatment), "", "SURVIVAL", tables.survival.note]
    for analysis in tables.survival.endpoints:
        lines += survival_text(analysis.endpoint, analysis.overall)
    return lines
