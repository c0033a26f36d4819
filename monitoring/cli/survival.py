"""``survival`` commands on a CSV file: ``compare`` (Cox hazard ratio and log-rank, optionally
stratified) and ``cif`` (cumulative incidence with a competing event, Gray's test).

The statistics libraries (``monitoring.survival.arms``, ``monitoring.survival.competing_risks``,
pandas) are imported only when a command runs, so the command line starts without them.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitoring.cli.common import CliError, print_json

if TYPE_CHECKING:
    import pandas as pd


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "survival",
        help="compare two groups' survival, or cumulative incidence with a competing event",
        description="Survival analyses of a CSV file (one row per subject).",
    )
    survival_sub = parser.add_subparsers(dest="survival_command", required=True, metavar="ANALYSIS")
    compare = survival_sub.add_parser(
        "compare",
        help="Cox hazard ratio (Efron ties) and log-rank test of two groups, optionally stratified",
        description=(
            "Cox hazard ratio of the second group against the first (sorted order) with Efron "
            "ties and its 95% Wald interval, and the log-rank test; with --strata both are "
            "stratified. Equal to R's coxph and survdiff."
        ),
    )
    compare.add_argument("--csv", required=True, type=Path, help="the data, one row per subject")
    compare.add_argument("--time", required=True, help="column of follow-up times (>= 0)")
    compare.add_argument("--event", required=True, help="column of events, 1 event 0 censored")
    compare.add_argument("--group", required=True, help="column of the two groups compared")
    compare.add_argument("--strata", help="column of strata (stratified Cox and log-rank)")
    compare.add_argument("--json", action="store_true", help="machine-readable output")
    compare.set_defaults(handler=run_compare)

    cif = survival_sub.add_parser(
        "cif",
        help="cumulative incidence with a competing event (Aalen–Johansen) and Gray's test",
        description=(
            "Cumulative incidence of one event type with another as competing event, with "
            "Gray's variance, at the given times (per group with --group, with Gray's test). "
            "Status 0 is censored. Equal to R's cmprsk::cuminc and timepoints."
        ),
    )
    cif.add_argument("--csv", required=True, type=Path, help="the data, one row per subject")
    cif.add_argument("--time", required=True, help="column of follow-up times (>= 0)")
    cif.add_argument("--status", required=True, help="column of status codes (0 censored)")
    cif.add_argument("--event-code", required=True, type=int, help="status of the event")
    cif.add_argument(
        "--competing-code", required=True, type=int, help="status of the competing event"
    )
    cif.add_argument("--group", help="column of groups: one curve each and Gray's test")
    cif.add_argument("--times", required=True, help="times to read the curves at, t1,t2,...")
    cif.add_argument("--json", action="store_true", help="machine-readable output")
    cif.set_defaults(handler=run_cif)


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except FileNotFoundError as exc:
        raise CliError(f"--csv: no such file {path}") from exc
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CliError(f"--csv: cannot read {path} as CSV: {exc}") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CliError(
            f"{path}: no column {', '.join(repr(c) for c in missing)} (columns: "
            f"{', '.join(map(str, frame.columns))})"
        )
    empty = [c for c in columns if frame[c].isna().any()]
    if empty:
        rows = frame.index[frame[empty].isna().any(axis=1)] + 2
        raise CliError(
            f"{path}: missing values in {', '.join(empty)} (line {', '.join(map(str, rows[:5]))}"
            + (", ..." if len(rows) > 5 else "")
            + ")"
        )
    if frame.empty:
        raise CliError(f"{path}: no rows")
    return frame


def _numbers(frame: pd.DataFrame, column: str, path: Path) -> Any:
    import pandas as pd

    values = pd.to_numeric(frame[column], errors="coerce")
    bad = frame.index[values.isna()]
    if len(bad):
        raise CliError(
            f"{path}: column {column!r} line {bad[0] + 2}: {frame[column].iloc[bad[0]]!r} "
            "is not a number"
        )
    return values.to_numpy(dtype=float)


def _labels(frame: pd.DataFrame, column: str) -> list[str]:
    """Group labels as text, whole numbers without a decimal point."""
    out = []
    for v in frame[column].tolist():
        out.append(str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
    return out


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def run_compare(args: argparse.Namespace) -> int:
    import numpy as np

    from monitoring.survival.arms import cox_hazard_ratio
    from monitoring.survival.logrank import stratified_log_rank

    columns = [args.time, args.event, args.group] + ([args.strata] if args.strata else [])
    frame = _read(args.csv, columns)
    time = _numbers(frame, args.time, args.csv)
    event = _numbers(frame, args.event, args.csv)
    if (time < 0).any() or not np.isfinite(time).all():
        raise CliError(f"{args.csv}: column {args.time!r} must hold finite times >= 0")
    if not np.isin(event, (0, 1)).all():
        raise CliError(f"{args.csv}: column {args.event!r} must hold 1 (event) or 0 (censored)")
    group = _labels(frame, args.group)
    levels = sorted(set(group))
    if len(levels) != 2:
        raise CliError(
            f"{args.csv}: column {args.group!r} must hold exactly two groups; found "
            f"{len(levels)} ({', '.join(levels[:5])})"
        )
    strata = _labels(frame, args.strata) if args.strata else None
    experimental = np.asarray(group) == levels[1]
    if not event.any():
        raise CliError(f"{args.csv}: no events: nothing to compare")
    hr = cox_hazard_ratio(time, event, experimental, strata)
    lr = stratified_log_rank(time, event, group, strata)
    out: dict[str, Any] = {
        "reference": levels[0],
        "compared": levels[1],
        "strata": None if strata is None else sorted(set(strata)),
        "n": {lv: int((np.asarray(group) == lv).sum()) for lv in levels},
        "events": {lv: int(event[np.asarray(group) == lv].sum()) for lv in levels},
        "cox": None
        if hr is None
        else {"hr": hr.hr, "lower": hr.lower, "upper": hr.upper, "p_wald": hr.p_wald},
        "logrank": {
            "chisq": None if lr.chisq is None else lr.chisq,
            "df": lr.df,
            "p": lr.p_value,
        },
    }
    if args.json:
        print_json(out)
        return 0
    label = f"{levels[1]} vs {levels[0]}" + (f", stratified by {args.strata}" if strata else "")
    print(f"Comparison {label}")
    if hr is None:
        print("  Cox hazard ratio: not estimable (a group without events)")
    else:
        print(
            f"  Cox hazard ratio {hr.hr:.4g} (95% CI {hr.lower:.4g} to {hr.upper:.4g}), "
            f"Wald p = {hr.p_wald:.4g}"
        )
    if lr.chisq is None or lr.p_value is None:
        print("  Log-rank: not computable")
    else:
        print(f"  Log-rank chi-square {lr.chisq:.4g} on {lr.df} df, p = {lr.p_value:.4g}")
    return 0


def _times(text: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",")]
    except ValueError as exc:
        raise CliError(f"--times: '{text}' is not a list of numbers") from exc
    if any(not math.isfinite(v) or v < 0 for v in values):
        raise CliError(f"--times: times must be finite and >= 0; got '{text}'")
    return values


def run_cif(args: argparse.Namespace) -> int:
    import numpy as np

    from monitoring.survival.competing_risks import cumulative_incidence, gray_test, incidence_at

    at = _times(args.times)
    if args.event_code == 0 or args.competing_code == 0:
        raise CliError("--event-code and --competing-code must not be 0 (0 is censored)")
    if args.event_code == args.competing_code:
        raise CliError("--event-code and --competing-code must differ")
    columns = [args.time, args.status] + ([args.group] if args.group else [])
    frame = _read(args.csv, columns)
    time = _numbers(frame, args.time, args.csv)
    status = _numbers(frame, args.status, args.csv)
    if (time < 0).any() or not np.isfinite(time).all():
        raise CliError(f"{args.csv}: column {args.time!r} must hold finite times >= 0")
    codes = (0, args.event_code, args.competing_code)
    bad = ~np.isin(status, codes)
    if bad.any():
        line = int(np.flatnonzero(bad)[0]) + 2
        raise CliError(
            f"{args.csv}: column {args.status!r} line {line}: status {status[bad][0]:g} is not "
            f"0 (censored), {args.event_code} (event) or {args.competing_code} (competing)"
        )
    groups = _labels(frame, args.group) if args.group else None
    levels: list[str | None] = [None] if groups is None else [*sorted(set(groups))]
    curves: list[dict[str, Any]] = []
    read: list[tuple[str | None, list[float | None], list[float | None]]] = []
    for level in levels:
        keep = np.ones(time.size, bool) if groups is None else np.asarray(groups) == level
        curve = cumulative_incidence(time[keep], status[keep], args.event_code, args.competing_code)
        cif, var = incidence_at(curve, at)
        read.append((level, cif, var))
        curves.append({"group": level, "times": at, "cif": cif, "var": var})
    gray = None
    if groups is not None and len(levels) > 1:
        test = gray_test(time, status, groups, args.event_code, args.competing_code)
        gray = {"stat": _finite(test.stat), "df": test.df, "p": _finite(test.p)}
    if args.json:
        print_json({"curves": curves, "gray": gray})
        return 0
    for level, cifs, variances in read:
        name = "all subjects" if level is None else f"group {level}"
        print(f"Cumulative incidence of status {args.event_code}, {name}:")
        for t, f, v in zip(at, cifs, variances, strict=True):
            if f is None or v is None:
                print(f"  t = {t:g}: not estimated (after the last follow-up)")
            else:
                print(f"  t = {t:g}: {f:.4f} (SE {math.sqrt(max(v, 0.0)):.4f})")
    if gray is not None:
        print(f"Gray's test: chi-square {test.stat:.4g} on {test.df} df, p = {test.p:.4g}")
    return 0
