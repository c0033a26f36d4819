"""``design group-sequential``: Lan–DeMets boundaries, futility, inflation and events."""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING, Any

from monitoring.cli.common import CliError, print_json, probability

if TYPE_CHECKING:
    from monitoring.designs.group_sequential import GroupSequentialDesign, SpendingFunction

# The values of ``monitoring.designs.group_sequential.SpendingFamily`` (a test checks they
# agree): the library is imported only when the command runs, not at every command's start.
FAMILIES = ["obrien_fleming", "pocock", "hsd"]


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "group-sequential",
        help="group-sequential boundaries with Lan–DeMets spending (one-sided, rpact conventions)",
        description=(
            "Efficacy bounds (z scale) by Lan–DeMets alpha spending at the given information "
            "fractions, with optional non-binding beta-spending futility bounds, the maximum "
            "information inflation and, with --hazard-ratio, the planned events of a "
            "log-rank comparison (Schoenfeld). One-sided; equal to rpact."
        ),
    )
    parser.add_argument("--alpha", required=True, type=probability, help="one-sided alpha")
    parser.add_argument(
        "--spending", required=True, choices=FAMILIES, help="alpha-spending function"
    )
    parser.add_argument(
        "--gamma",
        type=float,
        help="gamma of Hwang–Shih–DeCani spending (alpha, and beta unless --futility-gamma)",
    )
    parser.add_argument(
        "--futility-gamma",
        type=float,
        help="gamma of Hwang–Shih–DeCani beta spending (default --gamma)",
    )
    parser.add_argument(
        "--fractions", help="information fractions of the looks, comma-separated, last 1"
    )
    parser.add_argument("--k", type=int, help="number of equally spaced looks (no --fractions)")
    parser.add_argument(
        "--beta", type=probability, help="type II error: power 1 - beta at the design drift"
    )
    parser.add_argument(
        "--futility-spending",
        "--futility",
        dest="futility",
        choices=[*FAMILIES, "none"],
        default="none",
        help="beta-spending function for non-binding futility bounds (needs --beta)",
    )
    parser.add_argument(
        "--hazard-ratio", type=float, help="design hazard ratio: planned events (needs --beta)"
    )
    parser.add_argument(
        "--allocation-ratio",
        type=float,
        default=1.0,
        help="n experimental / n control for the events (default 1)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=run)


def _fractions(args: argparse.Namespace) -> tuple[float, ...]:
    if args.fractions is not None and args.k is not None:
        raise CliError("give --fractions or --k, not both")
    if args.fractions is not None:
        try:
            return tuple(float(x) for x in args.fractions.split(","))
        except ValueError as exc:
            raise CliError(f"--fractions: '{args.fractions}' is not a list of numbers") from exc
    if args.k is None:
        raise CliError("give --fractions f1,...,1 or --k K")
    if not 1 <= args.k <= 50:
        raise CliError(f"--k must lie between 1 and 50; got {args.k}")
    return tuple((j + 1) / args.k for j in range(args.k))


def _spending(name: str, gamma: float | None) -> SpendingFunction:
    from monitoring.designs.group_sequential import SpendingFamily, SpendingFunction

    family = SpendingFamily(name)
    if family is SpendingFamily.HSD and gamma is None:
        raise CliError("--spending/--futility-spending hsd needs --gamma")
    return SpendingFunction(family, gamma if family is SpendingFamily.HSD else None)


def _futility_gamma(args: argparse.Namespace) -> float | None:
    return args.gamma if args.futility_gamma is None else args.futility_gamma  # type: ignore[no-any-return]


def _number(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def run(args: argparse.Namespace) -> int:
    from monitoring.designs.group_sequential import DesignSpec, compute_design, planned_events

    fractions = _fractions(args)
    efficacy = _spending(args.spending, args.gamma)
    if args.beta is None:
        if args.futility != "none" or args.hazard_ratio is not None:
            raise CliError("--futility-spending and --hazard-ratio need --beta")
        record = _efficacy_only(args.alpha, fractions, efficacy)
    else:
        futility = (
            None if args.futility == "none" else _spending(args.futility, _futility_gamma(args))
        )
        design = compute_design(DesignSpec(args.alpha, fractions, efficacy, args.beta, futility))
        record = design_record(design)
        if args.hazard_ratio is not None:
            events = planned_events(design, args.hazard_ratio, args.allocation_ratio)
            record["events"] = {
                "hazard_ratio": events.hazard_ratio,
                "allocation_ratio": events.allocation_ratio,
                "fixed": events.fixed_events,
                "max": events.max_events,
                "per_look": list(events.events_per_look),
                "expected_h0": events.expected_events_h0,
                "expected_h1": events.expected_events_h1,
            }
    gamma = args.gamma if args.spending == "hsd" else None
    record.update(alpha=args.alpha, beta=args.beta, spending=args.spending, gamma=gamma)
    record["futility_spending"] = None if args.beta is None else args.futility
    record["futility_gamma"] = (
        _futility_gamma(args) if args.beta is not None and args.futility == "hsd" else None
    )
    if args.json:
        print_json(record)
    else:
        print(text(record))
    return 0


def _efficacy_only(
    alpha: float, fractions: tuple[float, ...], efficacy: SpendingFunction
) -> dict[str, Any]:
    from monitoring.designs.group_sequential import DesignSpec, efficacy_bounds
    from monitoring.designs.group_sequential.integration import crossing_probabilities

    DesignSpec(alpha, fractions, efficacy)  # validates the fractions and alpha
    bounds = efficacy_bounds(alpha, fractions, efficacy)
    h0 = crossing_probabilities(fractions, bounds, [-math.inf] * len(bounds), 0.0)
    looks = []
    for k, t in enumerate(fractions):
        spent = alpha if k == len(fractions) - 1 else efficacy.cumulative(alpha, t)
        looks.append(
            {
                "fraction": t,
                "z_efficacy": _number(bounds[k]),
                "nominal_p_efficacy": 0.5 * math.erfc(bounds[k] / math.sqrt(2.0)),
                "alpha_spent": spent,
                "z_futility": None,
                "efficacy_h0": h0.upper[k],
            }
        )
    return {"looks": looks, "max_information_inflation": None}


def design_record(design: GroupSequentialDesign) -> dict[str, Any]:
    """The issue's contract (looks, max_information_inflation) plus the characteristics."""
    looks = [
        {
            "fraction": lk.fraction,
            "z_efficacy": _number(lk.z_efficacy),
            "nominal_p_efficacy": lk.nominal_p_efficacy,
            "alpha_spent": lk.alpha_spent,
            "z_futility": _number(lk.z_futility),
            "beta_spent": lk.beta_spent,
            "efficacy_h0": lk.efficacy_h0,
            "futility_h0": lk.futility_h0,
            "efficacy_h1": lk.efficacy_h1,
            "futility_h1": lk.futility_h1,
            "power_cumulative": design.power[k],
        }
        for k, lk in enumerate(design.looks)
    ]
    return {
        "looks": looks,
        "max_information_inflation": design.inflation_factor,
        "drift": design.drift,
        "shift": design.shift,
        "power": design.power[-1],
        "expected_information": {
            "h1": design.asn_h1,
            "h01": design.asn_h01,
            "h0": design.asn_h0,
        },
    }


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def text(record: dict[str, Any]) -> str:
    """Aligned text: one row per look, then the design figures."""

    def spending(name: str, gamma: float | None) -> str:
        return name if gamma is None else f"{name} (gamma {gamma:g})"

    head = (
        f"Group-sequential design: one-sided alpha {record['alpha']:g}; efficacy (alpha) "
        f"spending {spending(record['spending'], record['gamma'])}"
    )
    if record["beta"] is not None:
        futility = record["futility_spending"]
        futility = "none" if futility == "none" else spending(futility, record["futility_gamma"])
        head += f"; beta {record['beta']:g}, futility (beta) spending {futility}"
        if record["futility_spending"] != "none":
            head += " (non-binding)"
    rows = [("look", "fraction", "z_eff", "p_nominal", "alpha_spent", "z_fut")]
    for j, lk in enumerate(record["looks"], start=1):
        rows.append(
            (
                str(j),
                f"{lk['fraction']:.4f}",
                _fmt(lk["z_efficacy"], ".4f"),
                f"{lk['nominal_p_efficacy']:.6f}",
                f"{lk['alpha_spent']:.6f}",
                _fmt(lk["z_futility"], ".4f"),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    tail = []
    if record["max_information_inflation"] is not None:
        tail.append(f"Maximum information inflation: {record['max_information_inflation']:.6f}")
        tail.append(f"Power: {record['power']:.4f}")
    if "events" in record:
        ev = record["events"]
        tail.append(
            f"Events for HR {ev['hazard_ratio']:g} (allocation {ev['allocation_ratio']:g}): "
            f"{ev['max']:.1f} (fixed design {ev['fixed']:.1f}); per look "
            + ", ".join(f"{d:.1f}" for d in ev["per_look"])
            + f"; expected {ev['expected_h1']:.1f} under the design HR, "
            f"{ev['expected_h0']:.1f} under H0"
        )
    return "\n".join([head, "", *lines, *(["", *tail] if tail else [])])
