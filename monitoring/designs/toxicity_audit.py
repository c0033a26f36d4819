"""Audit of a protocol's toxicity rule: computed boundaries and OC beside the printed tables.

Each printed number is compared at its printed precision: a value printed with d decimals
matches when the exact value lies within half a unit of the d-th decimal. TOML numbers do
not keep trailing zeros (0.40 is read as 0.4), so d is the larger of the decimals of the
stored number and the column's usual precision (:data:`STOP_PROB_DECIMALS`,
:data:`MEAN_N_DECIMALS`); percentiles are compared exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from monitoring.designs.toxicity import (
    ToxicityBoundaries,
    ToxicityBoundary,
    ToxicityOC,
    ToxicityPlan,
    operating_characteristics,
    stopping_boundaries,
)
from monitoring.protocol import PrintedBoundary, PrintedOC, ToxicityRule

# Precision of the columns of an operating-characteristics table as MD Anderson's
# Multc Lean prints them (and as seed 003's Table 4 shows): probabilities to 2 decimals
# (more when needed, e.g. 0.008), mean sample size to 1 decimal.
STOP_PROB_DECIMALS = 2
MEAN_N_DECIMALS = 1
# Slack for the binary representation of printed decimals (0.05 is not exact in binary).
_REPRESENTATION_SLACK = 1e-9


@dataclass(frozen=True)
class PrintedCheck:
    """A printed value beside the exact one, compared at ``decimals`` decimals."""

    printed: float
    computed: float
    decimals: int
    matches: bool


@dataclass(frozen=True)
class BoundaryCheck:
    """A look's computed boundary beside the printed one (None where either is absent).

    A look missing from a printed table does not match; when the protocol prints no
    table at all, there is nothing to contradict and every look matches.
    """

    n: int
    printed: int | None
    computed: ToxicityBoundary | None
    is_printed: bool
    matches: bool


@dataclass(frozen=True)
class OCCheck:
    """One printed OC row beside the exact operating characteristics at its rate."""

    rate: float
    exact: ToxicityOC
    stop_prob: PrintedCheck
    mean_n: PrintedCheck
    p25: PrintedCheck
    p75: PrintedCheck

    @property
    def matches(self) -> bool:
        return all(c.matches for c in (self.stop_prob, self.mean_n, self.p25, self.p75))


@dataclass(frozen=True)
class ToxicityAudit:
    """The audit of one toxicity rule; ``findings`` are plain-language sentences."""

    rule_id: str
    boundaries: ToxicityBoundaries
    boundary_checks: tuple[BoundaryCheck, ...]
    oc_checks: tuple[OCCheck, ...]
    findings: tuple[str, ...]

    @property
    def matches(self) -> bool:
        """True when every printed number is reproduced at its printed precision and no
        interim look is missing from a printed boundary table."""
        return all(c.matches for c in self.boundary_checks) and all(
            c.matches for c in self.oc_checks
        )


def printed_decimals(value: float, minimum: int) -> int:
    """Decimals shown by a printed number: its own, at least the column's ``minimum``."""
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    own = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return max(own, minimum)


def compare_printed(printed: float, computed: float, minimum_decimals: int) -> PrintedCheck:
    """Whether ``computed`` rounds to ``printed`` at the printed precision."""
    decimals = printed_decimals(printed, minimum_decimals)
    half_unit = 0.5 * 10.0**-decimals
    matches = abs(computed - printed) <= half_unit + _REPRESENTATION_SLACK
    return PrintedCheck(printed, computed, decimals, matches)


def _boundary_checks(
    bounds: ToxicityBoundaries, printed: tuple[PrintedBoundary, ...]
) -> tuple[BoundaryCheck, ...]:
    by_n = {p.n: p.stop_at for p in printed}
    computed = {b.n: b for b in bounds.interim}
    checks = []
    for n in sorted(set(by_n) | set(computed)):
        mine = computed.get(n)
        # A look left out of a printed table is a difference.
        same = (mine is not None and mine.stop_at == by_n[n]) if n in by_n else not by_n
        checks.append(BoundaryCheck(n, by_n.get(n), mine, n in by_n, same))
    return tuple(checks)


def _oc_check(row: PrintedOC, exact: ToxicityOC) -> OCCheck:
    return OCCheck(
        rate=row.rate,
        exact=exact,
        stop_prob=compare_printed(row.stop_prob, exact.stop_prob, STOP_PROB_DECIMALS),
        mean_n=compare_printed(row.mean_n, exact.mean_n, MEAN_N_DECIMALS),
        p25=compare_printed(row.p25, exact.p25, 0),
        p75=compare_printed(row.p75, exact.p75, 0),
    )


def _boundary_finding(check: BoundaryCheck, nmax: int) -> str:
    mine = check.computed
    if mine is None:
        where = "nmax, where the trial ends whatever the count" if check.n == nmax else None
        return (
            f"The protocol prints a boundary at {check.n} patients, which is not an interim "
            f"look of the rule ({where or 'not a multiple of the cohort size'})."
        )
    computed = (
        "no number of events stops the rule there"
        if mine.stop_at is None
        else f"the rule stops at {mine.stop_at} or more"
    )
    if not check.is_printed:
        return f"No boundary is printed at {check.n} patients; {computed}."
    return (
        f"At {check.n} patients the protocol prints stop at {check.printed} or more, "
        f"but {computed}."
    )


def _margin_finding(plan: ToxicityPlan, bounds: ToxicityBoundaries) -> str | None:
    """The look where the posterior comes closest to the cut-off, on either side."""
    candidates: list[tuple[float, int, int, float]] = []
    for b in bounds.interim:
        if b.stop_at is not None and b.posterior_at_stop is not None:
            candidates.append(
                (b.posterior_at_stop - plan.confidence, b.n, b.stop_at, b.posterior_at_stop)
            )
        if b.stop_at and b.posterior_below is not None:
            candidates.append(
                (plan.confidence - b.posterior_below, b.n, b.stop_at - 1, b.posterior_below)
            )
    if not candidates:
        return None
    gap, n, x, post = min(candidates)
    # Cut-offs rounded outwards to 4 decimals so that the stated change is exactly true.
    if post > plan.confidence:
        side = "above"
        change = f"a cut-off of {math.ceil(post * 1e4) / 1e4:.4f} or more would make it {x + 1}"
    else:
        side = "below"
        change = f"a cut-off of {math.floor(post * 1e4) / 1e4:.4f} or less would make it {x}"
    return (
        f"Closest call: at {n} patients, {x} events give Pr(p > {plan.threshold:g} | data) = "
        f"{post:.6f}, {gap:.6f} {side} the cut-off {plan.confidence:g}; the boundary there is "
        f"{x + 1 if side == 'below' else x}, and {change}."
    )


def _findings(
    plan: ToxicityPlan,
    bounds: ToxicityBoundaries,
    bchecks: tuple[BoundaryCheck, ...],
    oc_checks: tuple[OCCheck, ...],
) -> tuple[str, ...]:
    out: list[str] = []
    if not any(c.is_printed for c in bchecks):
        out.append("The protocol prints no stopping boundaries.")
    elif all(c.matches for c in bchecks):
        looks = ", ".join(str(c.n) for c in bchecks)
        out.append(f"The printed boundaries are reproduced at every interim look ({looks}).")
    out.extend(_boundary_finding(c, plan.nmax) for c in bchecks if not c.matches)
    final = bounds.final
    if final.stop_at is not None:
        out.append(
            f"At {plan.nmax} patients the trial ends whatever the count; the posterior rule "
            f"would be met there with {final.stop_at} or more events "
            f"(posterior {final.posterior_at_stop:.4f}), a figure for the final analysis, "
            "not a stopping boundary."
        )
    margin = _margin_finding(plan, bounds)
    if margin:
        out.append(margin)
    out.extend(_oc_findings(oc_checks))
    return tuple(out)


def _oc_findings(oc_checks: tuple[OCCheck, ...]) -> list[str]:
    if not oc_checks:
        return ["The protocol prints no operating characteristics."]
    out = []
    if all(c.matches for c in oc_checks):
        out.append(
            f"The printed operating characteristics are reproduced at their printed "
            f"precision for all {len(oc_checks)} true rates."
        )
    names = {
        "stop_prob": "early-stopping probability",
        "mean_n": "mean number treated",
        "p25": "25th percentile",
        "p75": "75th percentile",
    }
    for c in oc_checks:
        for key, label in names.items():
            check: PrintedCheck = getattr(c, key)
            if not check.matches:
                out.append(
                    f"At a true rate of {c.rate:g} the exact {label} is {check.computed:.4g}; "
                    f"the protocol prints {check.printed:.{check.decimals}f}."
                )
    return out


def audit_toxicity_rule(rule: ToxicityRule) -> ToxicityAudit:
    """Recompute a protocol's toxicity rule and compare it with its printed tables."""
    plan = ToxicityPlan.from_rule(rule)
    bounds = stopping_boundaries(plan)
    bchecks = _boundary_checks(bounds, rule.printed_boundaries)
    exact = operating_characteristics(bounds, [row.rate for row in rule.printed_oc])
    oc_checks = tuple(_oc_check(row, e) for row, e in zip(rule.printed_oc, exact, strict=True))
    return ToxicityAudit(
        rule_id=rule.id,
        boundaries=bounds,
        boundary_checks=bchecks,
        oc_checks=oc_checks,
        findings=_findings(plan, bounds, bchecks, oc_checks),
    )
