"""Audit of a protocol's Simon two-stage rule against its exact characteristics.

Three questions, each answered by findings with a plain-language sentence:

1. Do the figures the protocol prints (alpha, power, PET(p0), EN(p0)) agree with the exact
   ones at the precision printed? (agree = within half a unit of the last printed digit)
2. Is the design the optimal / minimax design for the nominal error rates of the rule?
3. For which error rates is it optimal or minimax? Its own exact alpha and beta, rounded
   up to d decimals (d = 3, then 2), are used as bounds; because the search uses strict
   bounds, the design is always feasible there, and the search says whether it is the
   optimal, the minimax or an admissible design for them.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from decimal import Decimal

from monitoring.designs.simon import SimonDesign, for_rule
from monitoring.designs.simon_search import NMAX_LIMIT, NoFeasibleDesignError, SimonSearch, search
from monitoring.protocol import SimonRule

ROUNDING_DECIMALS = (3, 2)


class Topic(enum.Enum):
    """What a finding is about."""

    PRINTED_ALPHA = "printed_alpha"
    PRINTED_POWER = "printed_power"
    PRINTED_PET0 = "printed_pet0"
    PRINTED_EN0 = "printed_en0"
    NOMINAL_ERRORS = "nominal_errors"
    NOMINAL_OPTIMAL = "nominal_optimal"
    NOMINAL_MINIMAX = "nominal_minimax"
    OWN_ERRORS = "own_errors"


@dataclass(frozen=True)
class SimonFinding:
    """One audit statement; ``flagged`` marks a difference or an unconfirmed claim."""

    topic: Topic
    flagged: bool
    message: str


@dataclass(frozen=True)
class RoleCheck:
    """The design's place among the designs searched for one pair of error bounds."""

    alpha: float
    beta: float
    optimal: SimonDesign | None
    minimax: SimonDesign | None
    is_optimal: bool
    is_minimax: bool
    is_admissible: bool


@dataclass(frozen=True)
class SimonAudit:
    """Exact characteristics of a protocol's Simon rule and the findings about them."""

    rule_id: str
    claimed_type: str
    exact: SimonDesign
    nmax: int
    nominal: RoleCheck | None
    own: tuple[RoleCheck, ...]
    findings: tuple[SimonFinding, ...]

    @property
    def flagged(self) -> tuple[SimonFinding, ...]:
        """The findings that need attention."""
        return tuple(f for f in self.findings if f.flagged)


def audit_rule(rule: SimonRule) -> SimonAudit:
    """Audit a protocol's Simon rule: printed figures, nominal optimality, own error rates."""
    exact = for_rule(rule)
    nmax = audit_nmax(rule.n)
    findings = list(printed_findings(rule, exact))
    nominal = None
    if rule.nominal_alpha is not None and rule.nominal_beta is not None:
        nominal = role_check(exact, rule.nominal_alpha, rule.nominal_beta, nmax)
        findings.extend(nominal_findings(rule, exact, nominal))
    own = tuple(
        role_check(exact, round_up(exact.alpha, d), round_up(exact.beta, d), nmax)
        for d in ROUNDING_DECIMALS
    )
    findings.append(own_errors_finding(rule.design_type, exact, own))
    return SimonAudit(rule.id, rule.design_type, exact, nmax, nominal, own, tuple(findings))


def audit_nmax(n: int) -> int:
    """Search limit for the audit: twice the design's n, at least 100, at most 1000."""
    return min(NMAX_LIMIT, max(100, 2 * n))


def decimals(value: float) -> int:
    """Number of decimals a printed number carries (0.783 -> 3, 31.5 -> 1)."""
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    return max(0, -int(exponent)) if isinstance(exponent, int) else 0


def agrees(printed: float, exact: float) -> bool:
    """Exact value within half a unit of the printed number's last digit (plus 1e-9)."""
    return abs(exact - printed) <= 0.5 * 10.0 ** -decimals(printed) + 1e-9


def round_up(value: float, places: int) -> float:
    """Smallest multiple of 10^-places strictly above ``value``."""
    scale = 10.0**places
    up = math.floor(value * scale + 1e-9) + 1
    return up / scale


def printed_findings(rule: SimonRule, exact: SimonDesign) -> list[SimonFinding]:
    """One finding per printed figure: agrees at its printed precision, or flagged."""
    pairs = (
        (Topic.PRINTED_ALPHA, "alpha", rule.printed.alpha, exact.alpha),
        (Topic.PRINTED_POWER, "power", rule.printed.power, exact.power),
        (Topic.PRINTED_PET0, "PET(p0)", rule.printed.pet0, exact.pet0),
        (Topic.PRINTED_EN0, "EN(p0)", rule.printed.en0, exact.en0),
    )
    out = []
    for topic, name, printed, value in pairs:
        if printed is None:
            continue
        d = decimals(printed)
        shown = f"{value:.{d + 1}f}"
        if agrees(printed, value):
            text = f"Printed {name} {printed:g} agrees with the exact {name} {shown}."
            out.append(SimonFinding(topic, False, text))
        else:
            text = (
                f"Printed {name} {printed:g} differs from the exact {name} {shown} "
                f"(which is {value:.{d}f} at the printed precision)."
            )
            out.append(SimonFinding(topic, True, text))
    return out


def role_check(exact: SimonDesign, alpha: float, beta: float, nmax: int) -> RoleCheck:
    """Search at (alpha, beta) and place the design among the results."""
    try:
        found: SimonSearch | None = search(exact.p0, exact.p1, alpha, beta, nmax)
    except NoFeasibleDesignError:
        found = None
    if found is None:
        return RoleCheck(alpha, beta, None, None, False, False, False)
    rule = exact.rule
    return RoleCheck(
        alpha=alpha,
        beta=beta,
        optimal=found.optimal,
        minimax=found.minimax,
        is_optimal=found.optimal.rule == rule,
        is_minimax=found.minimax.rule == rule,
        is_admissible=any(a.design.rule == rule for a in found.admissible),
    )


def _describe(d: SimonDesign) -> str:
    return f"{d.label()} (alpha {d.alpha:.4f}, power {d.power:.4f}, EN(p0) {d.en0:.1f})"


def nominal_findings(rule: SimonRule, exact: SimonDesign, check: RoleCheck) -> list[SimonFinding]:
    """Does the design meet the nominal error rates, and is it optimal / minimax for them?"""
    bounds = f"alpha = {check.alpha:g}, beta = {check.beta:g}"
    meets = exact.alpha < check.alpha and exact.beta < check.beta
    out = [
        SimonFinding(
            Topic.NOMINAL_ERRORS,
            not meets,
            f"The design {exact.label()} has exact alpha {exact.alpha:.4f} and beta "
            f"{exact.beta:.4f}; it {'meets' if meets else 'does not meet'} the nominal {bounds}.",
        )
    ]
    for topic, role, best, is_it in (
        (Topic.NOMINAL_OPTIMAL, "optimal", check.optimal, check.is_optimal),
        (Topic.NOMINAL_MINIMAX, "minimax", check.minimax, check.is_minimax),
    ):
        claimed = rule.design_type == role
        if best is None:
            text = f"No design with n <= {audit_nmax(rule.n)} meets {bounds}."
            out.append(SimonFinding(topic, claimed, text))
        elif is_it:
            text = f"The design is the {role} design for {bounds}."
            out.append(SimonFinding(topic, False, text))
        else:
            text = (
                f"The design is not the {role} design for {bounds}; "
                f"that design is {_describe(best)}."
            )
            out.append(SimonFinding(topic, claimed, text))
    return out


def own_errors_finding(
    claimed: str, exact: SimonDesign, checks: tuple[RoleCheck, ...]
) -> SimonFinding:
    """For which rounded-up error rates the design is optimal, minimax or admissible."""
    parts = []
    confirmed = claimed not in ("optimal", "minimax", "admissible")
    for c in checks:
        roles = [
            name
            for name, yes in (
                ("optimal", c.is_optimal),
                ("minimax", c.is_minimax),
                ("admissible", c.is_admissible),
            )
            if yes
        ]
        where = f"alpha < {c.alpha:g}, beta < {c.beta:g}"
        parts.append(
            f"for {where} it is the {' and '.join(roles)} design"
            if roles
            else f"for {where} it is neither optimal, minimax nor admissible"
        )
        confirmed = confirmed or claimed in roles
    text = (
        f"The design's own exact error rates are alpha = {exact.alpha:.4f}, beta = "
        f"{exact.beta:.4f}; rounded up, " + "; ".join(parts) + "."
    )
    return SimonFinding(Topic.OWN_ERRORS, not confirmed, text)
