"""``design toxicity``: Thall-Simon-Estey boundaries and exact operating characteristics.

Values are read as text and validated here, so that a bad value gives exit status 2 with
a one-line reason on stderr (argparse's own errors print the usage as well).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from monitoring.cli.common import CliError, positive_float, print_json, probability

if TYPE_CHECKING:  # the design library loads when the command runs
    from monitoring.designs.toxicity import ToxicityBoundary, ToxicityDesign, ToxicityPlan

# Default true rates when --rates is left out: the threshold and multiples of this step
# around it (4 below, 5 above), kept strictly inside (0, 1).


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "toxicity",
        help="Bayesian toxicity stopping boundaries and exact operating characteristics",
        description=(
            "Thall, Simon & Estey (1995) toxicity monitoring: stop at a look if "
            "Pr(p > threshold | data) > confidence under a Beta prior. Prints the stopping "
            "boundaries and the exact operating characteristics (no simulation)."
        ),
    )
    parser.add_argument("--prior-a", required=True, metavar="A", help="Beta(A, B) prior: A > 0")
    parser.add_argument("--prior-b", required=True, metavar="B", help="Beta(A, B) prior: B > 0")
    parser.add_argument(
        "--threshold", required=True, metavar="T", help="toxicity rate T in (0, 1) monitored"
    )
    parser.add_argument(
        "--confidence",
        required=True,
        metavar="C",
        help="cut-off C in (0, 1): stop at a look if Pr(p > T | data) > C",
    )
    parser.add_argument(
        "--cohort",
        required=True,
        metavar="K",
        help="look after every K evaluable patients (1 = continuous monitoring)",
    )
    parser.add_argument(
        "--nmax",
        required=True,
        metavar="N",
        help="maximum number of patients (>= 2); reaching it ends the trial, no boundary there",
    )
    parser.add_argument(
        "--rates",
        metavar="P,P,...",
        help="true toxicity rates for the operating characteristics "
        "(default: the threshold and steps of 0.05 around it)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=run)


def _value(name: str, text: str, parse: Callable[[str], Any]) -> Any:
    try:
        return parse(text)
    except argparse.ArgumentTypeError as exc:
        raise CliError(f"--{name}: {exc}") from exc


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from exc


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from exc
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"rate {value} must lie between 0 and 1")
    return value


def parse_rates(text: str) -> tuple[float, ...]:
    """A comma-separated list of rates in [0, 1]; raises CliError naming the bad item."""
    items = [item.strip() for item in text.split(",")]
    if not items or any(not item for item in items):
        raise CliError(f"--rates: '{text}' must be a comma-separated list of numbers")
    return tuple(_value("rates", item, _rate) for item in items)


def plan_from_args(args: argparse.Namespace) -> ToxicityPlan:
    """Validate the design arguments into a plan; CliError names the bad value."""
    from monitoring.designs.toxicity import ToxicityPlan

    plan_args = {
        "prior_a": _value("prior-a", args.prior_a, positive_float),
        "prior_b": _value("prior-b", args.prior_b, positive_float),
        "threshold": _value("threshold", args.threshold, probability),
        "confidence": _value("confidence", args.confidence, probability),
        "cohort_size": _value("cohort", args.cohort, _integer),
        "nmax": _value("nmax", args.nmax, _integer),
    }
    if plan_args["nmax"] < 2:
        raise CliError(f"--nmax: must be at least 2; got {plan_args['nmax']}")
    if not 1 <= plan_args["cohort_size"] <= plan_args["nmax"]:
        raise CliError(
            f"--cohort: must lie between 1 and --nmax ({plan_args['nmax']}); "
            f"got {plan_args['cohort_size']}"
        )
    return ToxicityPlan(**plan_args)  # a PlanError is of the input-error family: exit 2


def design_json(design: ToxicityDesign) -> dict[str, Any]:
    """The SPEC 6.1 ``design toxicity --json`` document, full precision."""
    plan = design.boundaries.plan
    return {
        "settings": {
            "prior_a": plan.prior_a,
            "prior_b": plan.prior_b,
            "threshold": plan.threshold,
            "confidence": plan.confidence,
            "cohort": plan.cohort_size,
            "nmax": plan.nmax,
        },
        "boundaries": list(design.boundaries.interim),
        "final": design.boundaries.final,
        "oc": list(design.oc),
    }


def _boundary_row(b: ToxicityBoundary) -> str:
    if b.stop_at is None:
        return f"{b.n:>9}  {'no count stops':>20}  {'':>21}"
    return f"{b.n:>9}  {b.stop_at:>20}  {b.posterior_at_stop or 0.0:>21.4f}"


def design_text(design: ToxicityDesign) -> list[str]:
    """Aligned plain-text tables of the boundaries and the operating characteristics."""
    plan = design.boundaries.plan
    final = design.boundaries.final
    lines = [
        f"Thall-Simon-Estey toxicity monitoring: prior Beta({plan.prior_a:g}, {plan.prior_b:g}),"
        f" stop if Pr(p > {plan.threshold:g} | data) > {plan.confidence:g}",
        f"Looks every {plan.cohort_size} patients; the trial ends at {plan.nmax} patients.",
        "",
        "Stopping boundaries",
        f"{'patients':>9}  {'stop if toxicities >=':>20}  {'posterior at boundary':>21}",
        *(_boundary_row(b) for b in design.boundaries.interim),
        f"{plan.nmax:>9}  end of trial (posterior rule met at >= "
        f"{'none' if final.stop_at is None else final.stop_at}; not a stopping boundary)",
    ]
    if design.oc:
        lines += [
            "",
            "Operating characteristics (exact)",
            f"{'true rate':>9}  {'P(stop early)':>13}  {'mean patients':>13}  "
            f"{'25th pct':>8}  {'75th pct':>8}",
            *(
                f"{o.rate:>9.3g}  {o.stop_prob:>13.4f}  {o.mean_n:>13.1f}  {o.p25:>8}  {o.p75:>8}"
                for o in design.oc
            ),
        ]
    return lines


def run(args: argparse.Namespace) -> int:
    from monitoring.designs.toxicity import default_rates
    from monitoring.designs.toxicity import toxicity_design as compute_design

    plan = plan_from_args(args)
    rates: Sequence[float] = (
        parse_rates(args.rates) if args.rates is not None else default_rates(plan.threshold)
    )
    design = compute_design(plan, rates)
    if args.json:
        print_json(design_json(design))
    else:
        print("\n".join(design_text(design)))
    return 0
