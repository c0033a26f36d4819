"""``design dose-finding``: BOIN boundaries, MTD selection and decisions; the 3+3 rule;
operating characteristics of both (monitoring.designs.dose_finding).

Values are read as text and validated here, so that a bad value gives exit status 2 with a
one-line reason on stderr. Doses are numbered from 1 (BOIN) or named by ``--levels`` (3+3).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from monitoring.cli.common import CliError, print_json, probability, seed

if TYPE_CHECKING:  # the library is imported when the command runs, not at every start
    from monitoring.designs.dose_finding import NextCohort, OperatingCharacteristics


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "dose-finding",
        help="BOIN and 3+3 dose finding: boundaries, MTD, next cohort, operating characteristics",
        description=(
            "Dose finding from DLT data. BOIN (Liu & Yuan 2015): the boundary table, the MTD "
            "selected by isotonic regression (--select), the decision for the next cohort "
            "(--current), simulated operating characteristics (--rates). 3+3: the decision "
            "after a sequence of cohorts (--sequence) and exact operating characteristics."
        ),
    )
    parser.add_argument("--method", required=True, choices=("boin", "3+3"), help="the design")
    boin = parser.add_argument_group("BOIN")
    boin.add_argument("--target", metavar="T", help="target DLT rate, 0.05 to 0.6")
    boin.add_argument("--phi1", metavar="A", help="highest sub-therapeutic rate (0.6·T)")
    boin.add_argument("--phi2", metavar="B", help="lowest overly toxic rate (1.4·T)")
    boin.add_argument("--ncohort", metavar="N", help="maximum number of cohorts")
    boin.add_argument("--cohort-size", metavar="C", help="patients per cohort")
    boin.add_argument(
        "--n-earlystop", metavar="M", default="100", help="stop at M patients on a dose (100)"
    )
    boin.add_argument(
        "--extrasafe", action="store_true", help="stop early when the lowest dose is too toxic"
    )
    boin.add_argument("--select", action="store_true", help="select the MTD from --n/--dlt")
    boin.add_argument("--n", metavar="N,N,...", help="patients treated per dose, lowest first")
    boin.add_argument("--dlt", metavar="Y,Y,...", help="DLTs per dose, lowest first")
    boin.add_argument(
        "--current", metavar="D", help="current dose (1-based): the decision for the next cohort"
    )
    ttt = parser.add_argument_group("3+3")
    ttt.add_argument(
        "--sequence",
        metavar="L:Y/N,...",
        help='cohorts in order, e.g. "1:0/3,2:1/3,2:0/3" (level L, Y DLTs of N); summed per level',
    )
    ttt.add_argument(
        "--levels",
        metavar="L,L,...",
        help="dose level names, lowest first (default 1 to the highest level in --sequence, "
        "plus a higher one unless --doses or --levels says otherwise)",
    )
    ttt.add_argument("--doses", metavar="K", help="number of dose levels 1..K")
    ttt.add_argument(
        "--start", metavar="L", help="level the trial starts at, for --rates (the lowest)"
    )
    parser.add_argument(
        "--rates", metavar="P,P,...", help="true DLT rate per dose: operating characteristics"
    )
    parser.add_argument(
        "--trials", metavar="N", default="10000", help="BOIN simulated trials (10000)"
    )
    parser.add_argument("--seed", metavar="S", default="6", help="BOIN simulation seed (6)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=run)


def _value(name: str, text: str | None, parse: Callable[[str], Any]) -> Any:
    if text is None:
        raise CliError(f"--{name} is required here")
    try:
        return parse(text)
    except (argparse.ArgumentTypeError, ValueError) as exc:
        raise CliError(f"--{name}: {exc}") from exc


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from exc


def _positive(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _list(name: str, text: str | None, parse: Callable[[str], Any]) -> list[Any]:
    if text is None:
        raise CliError(f"--{name} is required here")
    items = [item.strip() for item in text.split(",")]
    if any(not item for item in items):
        raise CliError(f"--{name}: '{text}' must be a comma-separated list")
    return [_value(name, item, parse) for item in items]


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"rate {value} must lie between 0 and 1")
    return value


def _level(label: str) -> int | str:
    """A level name as JSON: an integer when it is one ("-1" -> -1)."""
    return int(label) if re.fullmatch(r"-?\d+", label) else label


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def decision_json(decision: NextCohort) -> dict[str, Any]:
    return {
        "current": _level(decision.current_label),
        "next": decision.recommendation.value,
        "next_level": None if decision.next_label is None else _level(decision.next_label),
        "mtd": None if decision.mtd_label is None else _level(decision.mtd_label),
        "eliminated": [_level(decision.table[i].label) for i in decision.eliminated],
        "reason": decision.reason,
        "table": [
            {
                "level": _level(row.label),
                "n": row.n,
                "dlt": row.dlt,
                "rate": row.rate,
                "posterior_over_target": row.posterior_over_target,
                "isotonic": row.isotonic,
                "eliminated": row.eliminated,
            }
            for row in decision.table
        ],
    }


def oc_json(oc: OperatingCharacteristics, labels: Sequence[str]) -> dict[str, Any]:
    return {
        "method": oc.method,
        "trials": oc.trials,
        "seed": oc.seed,
        "levels": [_level(label) for label in labels],
        "true_rates": list(oc.true_rates),
        "select": list(oc.select),
        "select_se": None if oc.select_se is None else list(oc.select_se),
        "no_selection": oc.no_selection,
        "early_stop": oc.early_stop,
        "patients": list(oc.patients),
        "patients_se": None if oc.patients_se is None else list(oc.patients_se),
        "dlts": list(oc.dlts),
        "dlts_se": None if oc.dlts_se is None else list(oc.dlts_se),
        "total_patients": oc.total_patients,
        "total_dlts": oc.total_dlts,
    }


def _oc_text(oc: OperatingCharacteristics, labels: Sequence[str]) -> list[str]:
    if oc.method == "exact":
        title = "Operating characteristics (exact, every path enumerated)"
    else:
        title = (
            f"Operating characteristics (simulated: {oc.trials:,} trials, seed {oc.seed}; "
            f"Monte Carlo SE of a selection probability at most {oc.max_select_se or 0:.4f})"
        )
    lines = [
        "",
        title,
        f"{'dose':>6}  {'true rate':>9}  {'P(select)':>9}  {'patients':>8}  {'DLTs':>6}",
    ]
    for i, label in enumerate(labels):
        lines.append(
            f"{label:>6}  {oc.true_rates[i]:>9.3g}  {oc.select[i]:>9.4f}  "
            f"{oc.patients[i]:>8.2f}  {oc.dlts[i]:>6.2f}"
        )
    lines.append(
        f"P(no dose selected) {oc.no_selection:.4f}; P(stopped for toxicity) "
        f"{oc.early_stop:.4f}; mean patients {oc.total_patients:.1f}, mean DLTs "
        f"{oc.total_dlts:.2f}"
    )
    return lines


def _decision_text(decision: NextCohort) -> list[str]:
    lines = ["", f"Next cohort: {decision.recommendation.value}. {decision.reason}"]
    lines.append(f"{'dose':>6}  {'n':>4}  {'DLTs':>4}  {'rate':>6}  {'isotonic':>8}")
    for row in decision.table:
        rate = "" if row.rate is None else f"{row.rate:.3f}"
        iso = "" if row.isotonic is None else f"{row.isotonic:.3f}"
        mark = "  eliminated" if row.eliminated else ""
        lines.append(f"{row.label:>6}  {row.n:>4}  {row.dlt:>4}  {rate:>6}  {iso:>8}{mark}")
    return lines


def _run_boin(args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    from monitoring.designs.dose_finding import (
        BoinDesign,
        DoseData,
        boin_boundaries,
        boin_next,
        boin_oc,
        select_mtd,
    )

    target = _value("target", args.target, probability)
    design = BoinDesign(
        target=target,
        ncohort=_value("ncohort", args.ncohort, _positive),
        cohort_size=_value("cohort-size", args.cohort_size, _positive),
        n_earlystop=_value("n-earlystop", args.n_earlystop, _positive),
        phi1=None if args.phi1 is None else _value("phi1", args.phi1, probability),
        phi2=None if args.phi2 is None else _value("phi2", args.phi2, probability),
        extrasafe=args.extrasafe,
    )
    bounds = boin_boundaries(design)
    out: dict[str, Any] = {
        "method": "boin",
        "settings": {
            "target": design.target,
            "phi1": design.p_saf,
            "phi2": design.p_tox,
            "ncohort": design.ncohort,
            "cohort_size": design.cohort_size,
            "n_earlystop": design.n_earlystop,
            "extrasafe": design.extrasafe,
            "cutoff_eli": design.cutoff_eli,
            "offset": design.offset,
        },
        "lambda_e": bounds.lambda_e,
        "lambda_d": bounds.lambda_d,
        "table": [
            {
                "n": b.n,
                "escalate_if_at_most": b.escalate_if_at_most,
                "deescalate_if_at_least": b.deescalate_if_at_least,
                "eliminate_if_at_least": b.eliminate_if_at_least,
                **({"stop_if_at_least": b.stop_if_at_least} if design.extrasafe else {}),
            }
            for b in bounds.table
        ],
    }
    lines = [
        f"BOIN: target {design.target:g}, phi1 {design.p_saf:g}, phi2 {design.p_tox:g}; "
        f"{design.ncohort} cohorts of {design.cohort_size}",
        f"lambda_e = {bounds.lambda_e:.4f}, lambda_d = {bounds.lambda_d:.4f}",
        f"{'patients':>8}  {'escalate if <=':>14}  {'de-escalate if >=':>17}  "
        f"{'eliminate if >=':>15}",
        *(
            f"{b.n:>8}  {b.escalate_if_at_most:>14}  {b.deescalate_if_at_least:>17}  "
            f"{'-' if b.eliminate_if_at_least is None else b.eliminate_if_at_least:>15}"
            for b in bounds.table
        ),
    ]
    doses = None
    if args.select or args.current is not None:
        n = _list("n", args.n, _whole)
        y = _list("dlt", args.dlt, _whole)
        if len(n) != len(y):
            raise CliError(f"--n has {len(n)} doses and --dlt {len(y)}: give one of each")
        data = DoseData.of(n, y)
        doses = data.doses
        if args.select:
            chosen = select_mtd(
                design.target, n, y, design.cutoff_eli, design.extrasafe, design.offset
            )
            out["mtd"] = None if chosen.mtd is None else chosen.mtd + 1
            out["isotonic"] = list(chosen.isotonic)
            out["eliminated"] = [i + 1 for i in chosen.eliminated]
            out["reason"] = chosen.reason
            picked = "none" if chosen.mtd is None else f"dose {chosen.mtd + 1}"
            lines += ["", f"MTD: {picked} ({chosen.reason})"]
        if args.current is not None:
            current = _value("current", args.current, _positive)
            if current > data.doses:
                raise CliError(f"--current: dose {current} is not one of 1..{data.doses}")
            decision = boin_next(design, data, current - 1)
            out["next"] = decision.recommendation.value
            out["decision"] = decision_json(decision)
            lines += _decision_text(decision)
    if args.rates is not None:
        rates = _list("rates", args.rates, _rate)
        if doses is not None and len(rates) != doses:
            raise CliError(f"--rates has {len(rates)} doses and --n {doses}")
        oc = boin_oc(
            design,
            rates,
            trials=_value("trials", args.trials, _positive),
            seed=_value("seed", args.seed, seed),
        )
        labels = [str(i + 1) for i in range(len(rates))]
        out["oc"] = oc_json(oc, labels)
        lines += _oc_text(oc, labels)
    return out, lines


_COHORT = re.compile(r"\s*(-?\w+)\s*:\s*(\d+)\s*/\s*(\d+)\s*")


def _run_three_plus_three(args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    from monitoring.designs.dose_finding import (
        DoseData,
        three_plus_three_next,
        three_plus_three_oc,
    )

    if args.sequence is None and args.rates is None:
        raise CliError("--method 3+3 needs --sequence, --rates or both")
    cohorts = []
    if args.sequence is not None:
        for item in args.sequence.split(","):
            match = _COHORT.fullmatch(item)
            if match is None:
                raise CliError(f"--sequence: '{item.strip()}' is not LEVEL:DLTS/PATIENTS")
            cohorts.append((match.group(1), int(match.group(2)), int(match.group(3))))
    if args.levels is not None:
        labels = [item.strip() for item in args.levels.split(",")]
    elif args.doses is not None:
        labels = [str(i + 1) for i in range(_value("doses", args.doses, _positive))]
    elif args.rates is not None:
        labels = [str(i + 1) for i in range(len(args.rates.split(",")))]
    else:
        used = [_value("sequence", level, _whole) for level, _, _ in cohorts]
        if min(used) < 1:
            raise CliError("--sequence: levels below 1 need --levels")
        labels = [str(i + 1) for i in range(max(used) + 1)]
    out: dict[str, Any] = {"method": "3+3", "levels": [_level(label) for label in labels]}
    lines: list[str] = ["3+3 design; levels " + ", ".join(labels)]
    if cohorts:
        n = dict.fromkeys(labels, 0)
        y = dict.fromkeys(labels, 0)
        for level, dlts, patients in cohorts:
            if level not in n:
                raise CliError(f"--sequence: level {level} is not one of {', '.join(labels)}")
            if dlts > patients:
                raise CliError(f"--sequence: {dlts} DLTs among {patients} patients")
            n[level] += patients
            y[level] += dlts
        data = DoseData.of(list(n.values()), list(y.values()), labels)
        decision = three_plus_three_next(data, labels.index(cohorts[-1][0]))
        out["mtd"] = None if decision.mtd_label is None else _level(decision.mtd_label)
        out["next"] = decision.recommendation.value
        out["decision"] = decision_json(decision)
        lines += _decision_text(decision)
    if args.rates is not None:
        rates = _list("rates", args.rates, _rate)
        if len(rates) != len(labels):
            raise CliError(f"--rates has {len(rates)} doses for {len(labels)} levels")
        start = 0
        if args.start is not None:
            if args.start not in labels:
                raise CliError(f"--start: {args.start} is not one of {', '.join(labels)}")
            start = labels.index(args.start)
        oc = three_plus_three_oc(rates, start=start)
        out["oc"] = oc_json(oc, labels)
        lines += _oc_text(oc, labels)
    return out, lines


def run(args: argparse.Namespace) -> int:
    if args.method == "boin":
        out, lines = _run_boin(args)
    else:
        out, lines = _run_three_plus_three(args)
    if args.json:
        print_json(out)
    else:
        print("\n".join(lines))
    return 0
