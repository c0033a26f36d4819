"""``design simon``: Simon two-stage designs (search, or the exact figures of one design)."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from monitoring.cli.common import CliError, print_json, probability

if TYPE_CHECKING:  # the design libraries load when the command runs (scipy.stats: 0.8 s)
    from monitoring.designs.simon import SimonDesign
    from monitoring.designs.simon_search import AdmissibleDesign, SimonSearch

DESIGN_KEYS = ("r1", "n1", "r", "n")
COLUMNS = ("r1", "n1", "r", "n", "alpha", "power", "pet0", "en0")


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "simon",
        help="Simon two-stage designs: optimal, minimax and admissible, or one design's figures",
        description=(
            "Search the optimal, minimax and admissible Simon two-stage designs for "
            "--alpha/--beta (clinfun ph2simon conventions), or give the exact alpha, power, "
            "PET(p0) and EN(p0) of the design --r1 --n1 --r --n."
        ),
    )
    # Values are checked in run() so that every bad value gives a one-line reason (exit 2).
    parser.add_argument("--p0", help="response rate under H0 (0 < p0 < 1); required")
    parser.add_argument("--p1", help="response rate to detect (p0 < p1 < 1); required")
    parser.add_argument("--alpha", help="bound on Pr(reject H0 | p0), strict")
    parser.add_argument("--beta", help="bound on Pr(accept H0 | p1), strict")
    parser.add_argument("--nmax", default="100", help="largest total n searched (default 100)")
    for key in DESIGN_KEYS:
        parser.add_argument(f"--{key}", help=f"design boundary {key} (integer)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=run)


def _probability(text: str | None, flag: str) -> float:
    if text is None:
        raise CliError(f"{flag} is required")
    try:
        return probability(text)
    except argparse.ArgumentTypeError as exc:
        raise CliError(f"{flag}: {exc}") from exc


def _integer(text: str, flag: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise CliError(f"{flag}: '{text}' is not an integer") from exc


def run(args: argparse.Namespace) -> int:
    p0 = _probability(args.p0, "--p0")
    p1 = _probability(args.p1, "--p1")
    if p1 <= p0:
        raise CliError(f"--p1 ({p1}) must exceed --p0 ({p0})")
    given = [getattr(args, k) is not None for k in DESIGN_KEYS]
    errors = [args.alpha is not None, args.beta is not None]
    if any(given) and any(errors):
        raise CliError("give either --alpha/--beta (search) or --r1 --n1 --r --n, not both")
    if any(given):
        return _one_design(args, p0, p1, all(given))
    if not all(errors):
        raise CliError("give --alpha and --beta (search), or --r1 --n1 --r --n (one design)")
    return _search(args, p0, p1)


def _one_design(args: argparse.Namespace, p0: float, p1: float, complete: bool) -> int:
    from monitoring.designs.simon import DesignError, characteristics

    if not complete:
        raise CliError("a design needs all of --r1 --n1 --r --n")
    try:
        r1, n1, r, n = (_integer(getattr(args, k), f"--{k}") for k in DESIGN_KEYS)
        design = characteristics(r1, n1, r, n, p0, p1)
    except DesignError as exc:
        raise CliError(f"inconsistent design: {exc}") from exc
    if args.json:
        print_json(design_record(design))
    else:
        print(table([("design", design_record(design))]))
    return 0


def _search(args: argparse.Namespace, p0: float, p1: float) -> int:
    from monitoring.designs.simon_search import NMAX_LIMIT, NoFeasibleDesignError, search

    alpha = _probability(args.alpha, "--alpha")
    beta = _probability(args.beta, "--beta")
    nmax = _integer(args.nmax, "--nmax")
    if not 2 <= nmax <= NMAX_LIMIT:
        raise CliError(f"--nmax must lie between 2 and {NMAX_LIMIT}; got {nmax}")
    try:
        result = search(p0, p1, alpha, beta, nmax)
    except NoFeasibleDesignError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print_json(search_record(result))
    else:
        print(search_text(result))
    return 0


def design_record(d: SimonDesign) -> dict[str, Any]:
    """The JSON object D of SPEC 6.1, with the remaining exact figures as extra keys."""
    record = asdict(d)
    record["beta"] = d.beta
    return record


def admissible_record(a: AdmissibleDesign) -> dict[str, Any]:
    record = design_record(a.design)
    record.update(kind=a.kind.value, q_low=a.q_low, q_high=a.q_high)
    return record


def search_record(result: SimonSearch) -> dict[str, Any]:
    """``{"optimal": D, "minimax": D, "admissible": [D, ...]}`` plus the search inputs."""
    return {
        "optimal": design_record(result.optimal),
        "minimax": design_record(result.minimax),
        "admissible": [admissible_record(a) for a in result.admissible],
        "p0": result.p0,
        "p1": result.p1,
        "alpha_bound": result.alpha,
        "beta_bound": result.beta,
        "nmax": result.nmax,
    }


def _cell(key: str, value: Any) -> str:
    if key in ("alpha", "power", "pet0", "q_low", "q_high"):
        return f"{value:.4f}"
    if key == "en0":
        return f"{value:.2f}"
    return str(value)


def table(rows: list[tuple[str, dict[str, Any]]], extra: tuple[str, ...] = ()) -> str:
    """Aligned text table: one row per named design."""
    columns = (*COLUMNS, *extra)
    cells = [["", *columns]]
    cells += [[name, *(_cell(c, rec[c]) for c in columns)] for name, rec in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in cells
    ]
    return "\n".join(line.rstrip() for line in lines)


def search_text(result: SimonSearch) -> str:
    head = (
        f"Simon two-stage designs: p0 = {result.p0:g}, p1 = {result.p1:g}, "
        f"alpha < {result.alpha:g}, beta < {result.beta:g}, n <= {result.nmax}"
    )
    main = table(
        [("optimal", design_record(result.optimal)), ("minimax", design_record(result.minimax))]
    )
    hull = table(
        [(a.kind.value, admissible_record(a)) for a in result.admissible], ("q_low", "q_high")
    )
    note = "Admissible designs (best for q*n + (1-q)*EN0, q in [q_low, q_high]):"
    return f"{head}\n\n{main}\n\n{note}\n{hull}"
