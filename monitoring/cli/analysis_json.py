"""JSON shapes of the ``km`` and ``tables`` commands (SPEC 6.1 ``km --json`` plus extras).

Built only here, at the command-line boundary, from the library's result dataclasses.
"""

from __future__ import annotations

import math
from typing import Any

from monitoring.analyses.endpoints import EndpointAnalysis
from monitoring.analyses.response import ResponseSummary, ResponseTables
from monitoring.analyses.safety import AeTable
from monitoring.analyses.safety_listings import AeListing, SafetyListings
from monitoring.analyses.table_set import TableSet
from monitoring.analyses.treatment import TreatmentSummary
from monitoring.cli.common import to_jsonable
from monitoring.estimates import RateEstimate
from monitoring.survival import EndpointSurvival, LogRankResult


def _number(value: float) -> float | None:
    return value if math.isfinite(value) else None


def survival_json(summary: EndpointSurvival) -> dict[str, Any]:
    """SPEC 6.1 keys, then the CI settings, landmarks, RMST and median follow-up."""
    out: dict[str, Any] = to_jsonable(summary.km_json())
    fit, marks = summary.fit, summary.landmarks
    out["conf_type"] = fit.conf_type.value
    out["conf_level"] = fit.conf_level
    out["landmarks"] = [
        {
            "months": months,
            "time": float(t),
            "survival": _number(s),
            "ci_lower": _number(lo),
            "ci_upper": _number(hi),
            "at_risk": int(n),
        }
        for months, t, s, lo, hi, n in zip(
            summary.landmark_months,
            marks.time.tolist(),
            marks.survival.tolist(),
            marks.lower.tolist(),
            marks.upper.tolist(),
            marks.n_risk.tolist(),
            strict=True,
        )
    ]
    out["rmst"] = to_jsonable(summary.rmst)
    follow = summary.follow_up
    out["median_follow_up"] = {"time": follow.time, "ci": [follow.lower, follow.upper]}
    return out


def log_rank_json(test: LogRankResult) -> dict[str, Any]:
    return {
        "groups": list(test.groups),
        "n": test.n.tolist(),
        "observed": test.observed.tolist(),
        "expected": test.expected.tolist(),
        "chisq": test.chisq,
        "df": test.df,
        "p_value": test.p_value,
    }


def km_payload(analysis: EndpointAnalysis) -> dict[str, Any]:
    """One endpoint; with a subgroup column, one object per group and the log-rank test."""
    out = survival_json(analysis.overall)
    if analysis.by is None:
        return out
    return {
        "endpoint": analysis.endpoint,
        "by": analysis.by,
        "overall": out,
        "groups": [{"group": g.label, **survival_json(g.survival)} for g in analysis.groups],
        "missing_group": analysis.missing_group,
        "log_rank": None if analysis.log_rank is None else log_rank_json(analysis.log_rank),
    }


def rate_json(rate: RateEstimate) -> dict[str, Any]:
    return {
        "label": rate.label,
        "x": rate.x,
        "n": rate.n,
        "proportion": rate.proportion,
        "posterior_mean": rate.posterior_mean,
        "credible": [rate.credible.low, rate.credible.high],
        "exact": [rate.exact.low, rate.exact.high],
        "prior": rate.prior.label,
        "level": rate.level,
    }


def _summary_json(summary: ResponseSummary) -> dict[str, Any]:
    return {
        "group": summary.group,
        "treated": summary.treated,
        "pending": summary.pending,
        "rates": [
            {
                "title": r.title,
                "categories": list(r.categories),
                "among_treated": rate_json(r.among_treated),
                "among_evaluable": rate_json(r.among_evaluable),
            }
            for r in (summary.remission, summary.response)
        ],
        "best_response": {
            "title": summary.best_response.title,
            "note": summary.best_response.note,
            "rows": [
                {"category": r.category, **rate_json(r.estimate)}
                for r in summary.best_response.rows
            ],
        },
    }


def response_json(tables: ResponseTables) -> dict[str, Any]:
    return {
        "note": tables.note,
        "by": tables.by,
        "overall": _summary_json(tables.overall),
        "groups": [_summary_json(g) for g in tables.groups],
    }


def ae_table_json(table: AeTable) -> dict[str, Any]:
    return {
        "subset": table.subset.value,
        "title": table.title,
        "note": table.note,
        "population": table.population,
        "bands": [b.label for b in table.bands],
        "rows": [
            {
                "level": r.level.value,
                "category": r.category,
                "term": r.term,
                "cells": [rate_json(c) for c in r.cells],
            }
            for r in table.rows
        ],
    }


def listing_json(listing: AeListing) -> dict[str, Any]:
    rows: list[dict[str, Any]] = [to_jsonable(r) for r in listing.rows]
    return {"title": listing.title, "note": listing.note, "rows": rows}


def listings_json(listings: SafetyListings) -> dict[str, Any]:
    return {
        "deaths": to_jsonable(listings.deaths),
        "serious": listing_json(listings.serious),
        "monitored": [listing_json(m) for m in listings.monitored],
    }


def treatment_json(summary: TreatmentSummary) -> dict[str, Any]:
    out: dict[str, Any] = to_jsonable(summary)
    for key in ("hsct_treated", "hsct_responders", "mrd_negative_responders"):
        out[key] = rate_json(getattr(summary, key))
    return out


def tables_payload(tables: TableSet, trial_id: str) -> dict[str, Any]:
    return {
        "trial": trial_id,
        "cutoff": tables.cutoff,
        "enrolled": tables.enrolled,
        "treated": tables.treated,
        "response": response_json(tables.response),
        "adverse_events": [ae_table_json(t) for t in tables.adverse_events.tables],
        "listings": listings_json(tables.listings),
        "treatment": treatment_json(tables.treatment),
        "survival": {
            "note": tables.survival.note,
            "endpoints": [_survival_brief(a.overall) for a in tables.survival.endpoints],
        },
    }


def _survival_brief(summary: EndpointSurvival) -> dict[str, Any]:
    """Headline figures of an endpoint (the full curve is ``km --json``)."""
    full = survival_json(summary)
    keys = ("endpoint", "n", "events", "median", "median_ci", "conf_type", "landmarks", "rmst")
    return {k: full[k] for k in keys}
