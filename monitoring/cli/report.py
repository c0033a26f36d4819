"""``report``: write the Efficacy/Toxicity Summary from the database and record it;
``report list``, ``report regenerate``, ``report sent`` and ``report signoff``.

"Now" and the user are resolved here; the library takes them as arguments. A report's
data are those known at its "as known on" time (default: now), which is recorded with it,
so ``report regenerate`` reproduces the same rows, numbers and data digest later.
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from monitoring.cli.common import CliError, iso_date, print_json
from monitoring.db.engine import open_database
from monitoring.db.errors import DataInputError
from monitoring.db.reading import load_trial_data
from monitoring.db.repository import get_protocol, resolve_trial
from monitoring.derive import derive
from monitoring.reports.content import ReportStamp, build_report, resolve_look
from monitoring.reports.document import VersionLabel
from monitoring.reports.export import ReportFormat, write_report
from monitoring.reports.records import (
    GeneratedReport,
    ReportMark,
    ReportRecord,
    get_report,
    list_reports,
    look_records,
    mark_look,
    record_report,
)
from monitoring.status import TrialStatus, trial_status
from monitoring.tables import TrialData

DB_HELP = "SQLAlchemy URL or path to an SQLite file"
VERSIONS = {"open": VersionLabel.OPEN, "closed": VersionLabel.CLOSED}


def _now() -> datetime:
    return datetime.now(UTC)


def moment(text: str) -> datetime:
    """argparse type: an ISO date or date-time; naive values are UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not an ISO date or date-time") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Request:
    """One report to produce: which data, which cut, which file.

    ``log_as_of``: the monitoring log shows the reports recorded before this moment (now,
    or the original's generation time when a report is regenerated).
    """

    trial_id: str
    as_known_on: datetime
    look: int | None
    cutoff: date | None
    version: VersionLabel
    fmt: ReportFormat
    out: Path
    user: str
    log_as_of: datetime


def _run(args: argparse.Namespace, action: Callable[[sa.Engine], int]) -> int:
    try:
        engine = open_database(args.db)
    except DataInputError as exc:
        raise CliError(str(exc)) from exc
    try:
        return action(engine)
    except (DataInputError, ValueError) as exc:
        raise CliError(str(exc)) from exc
    finally:
        engine.dispose()


def reached_on(status: TrialStatus, look: int) -> date:
    """The day the look at ``look`` evaluable patients was reached (ValueError if not)."""
    found = resolve_look(status, look)
    if found is None or found.reached_on is None:
        raise ValueError(f"the look at {look} evaluable patients is not reached yet")
    return found.reached_on


def _status_at(engine: sa.Engine, request: Request) -> tuple[TrialStatus, TrialData]:
    """Trial status at the requested cut-off (the look's day when a look is asked for) and
    the data as known on the request's time."""
    protocol = get_protocol(engine, request.trial_id)
    data = load_trial_data(engine, request.trial_id, request.as_known_on)
    records = look_records(list_reports(engine, request.trial_id), before=request.log_as_of)

    def status(cutoff: date | None) -> TrialStatus:
        return trial_status(
            protocol,
            data,
            cutoff=cutoff,
            as_known_on=request.as_known_on,
            records=records,
            trial_id=request.trial_id,
        )

    if request.look is None:
        return status(request.cutoff), data
    return status(reached_on(status(request.cutoff), request.look)), data


def produce(engine: sa.Engine, request: Request) -> ReportRecord:
    """Write the report file of ``request`` and record it in the database."""
    status, data = _status_at(engine, request)
    derivation = derive(data, status.protocol, status.cutoff)
    generated_at = _now()
    doc = build_report(
        status,
        derivation,
        stamp=ReportStamp(generated_at, request.user),
        version=request.version,
        look=request.look,
    )
    look = resolve_look(status, request.look)
    request.out.parent.mkdir(parents=True, exist_ok=True)
    write_report(doc, request.out, request.fmt)
    return record_report(
        engine,
        GeneratedReport(
            trial_id=request.trial_id,
            look=look.evaluable if look else None,
            cutoff=status.cutoff,
            as_known_on=request.as_known_on,
            format=request.fmt.value,
            path=request.out,
            protocol_digest=status.provenance.protocol_digest,
            data_digest=status.provenance.data_digest,
            generated_at=generated_at,
            generated_by=request.user,
        ),
    )


def _print_record(record: ReportRecord, as_json: bool) -> None:
    if as_json:
        print_json(record)
        return
    look = f"look at {record.look}" if record.look is not None else "no look"
    print(
        f"report {record.id}: {record.file_name} ({record.format}), {look}, cut-off "
        f"{record.cutoff}, as known on {record.as_known_on.isoformat(timespec='seconds')}, "
        f"data {record.data_digest}"
    )


def _user(args: argparse.Namespace) -> str:
    return str(args.user or getpass.getuser())


def _generate(args: argparse.Namespace) -> int:
    missing = [f"--{n}" for n in ("format", "out") if getattr(args, n) is None]
    if missing:
        raise CliError(f"report needs {' and '.join(missing)}")
    if args.look is not None and args.cutoff is not None:
        raise CliError("give --look or --cutoff, not both")

    def action(engine: sa.Engine) -> int:
        request = Request(
            trial_id=resolve_trial(engine, args.trial),
            as_known_on=args.as_known_on or _now(),
            look=args.look,
            cutoff=args.cutoff,
            version=VERSIONS[args.version],
            fmt=ReportFormat(args.format),
            out=Path(args.out),
            user=_user(args),
            log_as_of=_now(),
        )
        _print_record(produce(engine, request), args.json)
        return 0

    return _run(args, action)


def _regenerate(args: argparse.Namespace) -> int:
    def action(engine: sa.Engine) -> int:
        trial_id = resolve_trial(engine, args.trial)
        original = get_report(engine, trial_id, args.id)
        request = Request(
            trial_id=trial_id,
            as_known_on=original.as_known_on,
            look=original.look,
            cutoff=original.cutoff,
            version=VERSIONS[args.version],
            fmt=ReportFormat(args.format or original.format),
            out=Path(args.out),
            user=_user(args),
            log_as_of=original.generated_at,
        )
        record = produce(engine, request)
        _print_record(record, args.json)
        if record.data_digest != original.data_digest:
            raise CliError(
                f"regenerated data digest {record.data_digest} differs from the original "
                f"{original.data_digest}"
            )
        return 0

    return _run(args, action)


def _list(args: argparse.Namespace) -> int:
    def action(engine: sa.Engine) -> int:
        records = list_reports(engine, resolve_trial(engine, args.trial))
        if args.json:
            print_json(list(records))
        for r in () if args.json else records:
            signed = f"signed off by {r.signed_off_by}" if r.signed_off_by else "not signed off"
            sent = f"sent by {r.sent_by}" if r.sent_by else "not sent"
            print(
                f"{r.id}\tlook {r.look}\t{r.cutoff}\t{r.format}\t{r.file_name}\t"
                f"{r.generated_at.isoformat(timespec='seconds')}\t{r.generated_by}\t"
                f"{sent}\t{signed}\tdata {r.data_digest}"
            )
        return 0

    return _run(args, action)


def _marker(mark: ReportMark) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        def action(engine: sa.Engine) -> int:
            trial_id = resolve_trial(engine, args.trial)
            protocol = get_protocol(engine, trial_id)
            data = load_trial_data(engine, trial_id)
            day = reached_on(trial_status(protocol, data, trial_id=trial_id), args.look)
            records = mark_look(
                engine, trial_id, args.look, mark, by=args.by, at=_now(), reached_on=day
            )
            if args.json:
                print_json(list(records))
            else:
                word = "sent" if mark is ReportMark.SENT else "signed off"
                print(f"look at {args.look}: {len(records)} report(s) marked {word} by {args.by}")
            return 0

        return _run(args, action)

    return handler


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help=DB_HELP)
    parser.add_argument("--trial", metavar="ID", help="trial id (optional with one trial)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _register_actions(sub: Any) -> None:
    listing = sub.add_parser("list", help="list recorded reports", description="Recorded reports.")
    _common(listing)
    listing.set_defaults(handler=_list)
    again = sub.add_parser(
        "regenerate",
        help="rewrite a recorded report from the data as known then",
        description="Rewrite report ID with its cut-off and as-known-on; exit 2 if the data "
        "digest differs from the original's.",
    )
    _common(again)
    again.add_argument("--id", type=int, required=True, help="report id (see 'report list')")
    again.add_argument("--format", choices=[f.value for f in ReportFormat])
    again.add_argument("--version", choices=list(VERSIONS), default="closed")
    again.add_argument("--out", required=True, metavar="PATH", help="file to write")
    again.add_argument("--user", help="who generates it (default: login)")
    again.set_defaults(handler=_regenerate)
    for name, mark, what in (
        ("sent", ReportMark.SENT, "sent to the medical monitor"),
        ("signoff", ReportMark.SIGNED_OFF, "signed off"),
    ):
        action = sub.add_parser(
            name,
            help=f"mark a look's reports as {what}",
            description=f"Mark every report of the look at N evaluable patients as {what}.",
        )
        _common(action)
        action.add_argument("--look", type=int, required=True, metavar="N", help="look (N)")
        action.add_argument("--by", required=True, metavar="NAME", help="who")
        action.set_defaults(handler=_marker(mark))


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "report",
        help="write the Efficacy/Toxicity Summary (PDF, DOCX or XLSX) and record it",
        description="Write the Efficacy/Toxicity Summary from the database and record it. "
        "--look N: the look at N evaluable patients, cut at the day it was reached.",
    )
    _common(parser)
    parser.add_argument("--look", type=int, metavar="N", help="look at N evaluable patients")
    parser.add_argument("--cutoff", type=iso_date, metavar="DATE", help="data cut-off")
    parser.add_argument("--as-known-on", type=moment, metavar="DATETIME", help="default: now")
    parser.add_argument("--version", choices=list(VERSIONS), default="closed")
    parser.add_argument("--format", choices=[f.value for f in ReportFormat])
    parser.add_argument("--out", metavar="PATH", help="file to write")
    parser.add_argument("--user", help="who generates it (default: login)")
    parser.set_defaults(handler=_generate)
    _register_actions(parser.add_subparsers(dest="report_action", metavar="ACTION"))
