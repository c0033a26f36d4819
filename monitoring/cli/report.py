"""``report``: write the Efficacy/Toxicity Summary from the database and record it;
``report list``, ``report regenerate``, ``report sent`` and ``report signoff``.

"Now" and the user are resolved here; the library takes them as arguments. A report's
data are those known at its "as known on" time (default: now), which is recorded with it,
so ``report regenerate`` reproduces the same rows, numbers and data digest later. The
report itself is produced by ``monitoring.analysis.reports``, as the dashboard's is.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitoring.cli.common import CliError, iso_date, output_file, print_json
from monitoring.cli.database import (
    acting,
    acting_as,
    add_database_arguments,
    known_on,
    now_utc,
    record_event,
    resolve_permitted,
    run_with_engine,
    user_name,
)
from monitoring.reports.formats import ReportFormat

if TYPE_CHECKING:  # the database and analysis libraries load when an action runs
    import sqlalchemy as sa

    from monitoring.accounts.model import Principal
    from monitoring.db.looks import ReportRecord
    from monitoring.reports.document import VersionLabel

VERSIONS = ("open", "closed")
RECOMMENDATIONS = ("continue", "modify", "pause", "stop")
"""``--version`` choices: ``monitoring.reports.document.VersionLabel`` by lower-case name."""


def _version(name: str | None) -> VersionLabel:
    """The report version of ``--version`` (default: closed)."""
    from monitoring.reports.document import VersionLabel

    return VersionLabel[(name or "closed").upper()]


def _run(args: argparse.Namespace, action: Callable[[sa.Engine], int]) -> int:
    """Open the database and run ``action``; refused requests (the input-error family,
    :mod:`monitoring.errors`) exit 2 in ``monitoring.cli.main``."""
    code: int = run_with_engine(args, action)
    return code


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


def _record_generated(engine: sa.Engine, principal: Principal | None, record: ReportRecord) -> None:
    """The report generated, in the account audit log (a closed one is closed data viewed)."""
    from monitoring.accounts.events import Event

    detail = record.file_name or f"report {record.id}"
    record_event(engine, principal, Event.REPORT_GENERATED, record.trial_id, detail)


def report_formats(text: str) -> tuple[ReportFormat, ...]:
    """argparse type of ``--format``: one format or a comma list (``pdf,docx,xlsx``)."""
    names = [name.strip().lower() for name in text.split(",")]
    known = [f.value for f in ReportFormat]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"invalid format '{text}': give one or more of {', '.join(known)}, comma-separated"
        )
    if len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"format given twice in '{text}'")
    return tuple(ReportFormat(name) for name in names)


def report_files(
    formats: tuple[ReportFormat, ...], out: Path
) -> tuple[tuple[ReportFormat, Path], ...]:
    """The file of each format: ``out`` itself for one format; for several, ``out`` with its
    format extension (if it has one: ``.pdf``, ``.docx`` or ``.xlsx``) replaced by each
    format's (``look24.pdf`` or ``look24`` -> ``look24.pdf``, ``look24.docx``, ...)."""
    if len(formats) == 1:
        return ((formats[0], out),)
    extensions = {f".{f.value}" for f in ReportFormat}
    stem = out.stem if out.suffix.lower() in extensions else out.name
    return tuple((fmt, out.with_name(f"{stem}.{fmt.value}")) for fmt in formats)


def _generate(args: argparse.Namespace) -> int:
    from monitoring.analysis import DatabaseSource
    from monitoring.analysis.reports import ReportRequest, produce_all  # the writers: 0.3 s

    missing = [f"--{n}" for n in ("format", "out") if getattr(args, n) is None]
    if missing:
        raise CliError(f"report needs {' and '.join(missing)}")
    if args.look is not None and args.cutoff is not None:
        raise CliError("give --look or --cutoff, not both")

    (fmt, out), *more = report_files(args.format, Path(args.out))

    def action(engine: sa.Engine) -> int:
        principal = acting(engine, args)
        request = ReportRequest(
            trial_id=resolve_permitted(engine, principal, args.trial),
            as_known_on=args.as_known_on or now_utc(),
            look=args.look,
            cutoff=args.cutoff,
            version=_version(args.version),
            fmt=fmt,
            out=out,
            user=user_name(args),
            log_as_of=now_utc(),
            principal=principal,
            more=tuple(more),
            meeting_date=args.meeting_date,
        )
        records = produce_all(DatabaseSource(engine), request, now_utc())
        for record in records:
            _record_generated(engine, principal, record)
        if args.json and more:
            print_json(list(records))
        else:
            for record in records:
                _print_record(record, args.json)
        return 0

    return _run(args, action)


def _regenerate(args: argparse.Namespace) -> int:
    from monitoring.analysis import DatabaseSource
    from monitoring.analysis.reports import ReportRequest, produce  # the writers: 0.3 s
    from monitoring.db.looks import get_report

    def action(engine: sa.Engine) -> int:
        principal = acting(engine, args)
        trial_id = resolve_permitted(engine, principal, args.trial)
        original = get_report(engine, trial_id, args.id)
        request = ReportRequest(
            trial_id=trial_id,
            as_known_on=original.as_known_on,
            look=original.look,
            cutoff=original.cutoff,
            version=_version(args.version),
            fmt=ReportFormat(args.format or original.format),
            out=Path(args.out),
            user=user_name(args),
            log_as_of=original.generated_at,
            principal=principal,
        )
        record = produce(DatabaseSource(engine), request, now_utc())
        _record_generated(engine, principal, record)
        _print_record(record, args.json)
        if record.data_digest != original.data_digest:
            raise CliError(
                f"regenerated data digest {record.data_digest} differs from the original "
                f"{original.data_digest}"
            )
        return 0

    return _run(args, action)


def _list(args: argparse.Namespace) -> int:
    from monitoring.db.looks import list_reports

    def action(engine: sa.Engine) -> int:
        trial_id = resolve_permitted(engine, acting(engine, args), args.trial)
        records = list_reports(engine, trial_id)
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


def _sent(args: argparse.Namespace) -> int:
    from monitoring.accounts.events import Event
    from monitoring.analysis.access import SENDS, require_role
    from monitoring.db.looks import get_report, mark_report_sent

    def action(engine: sa.Engine) -> int:
        principal = acting_as(engine, args.by)
        trial_id = resolve_permitted(engine, principal, args.trial)
        require_role(principal, trial_id, SENDS, "report sent")
        mark_report_sent(engine, trial_id, args.id, user=args.by, now=now_utc())
        record_event(engine, principal, Event.REPORT_SENT, trial_id, f"report {args.id}")
        _print_record(get_report(engine, trial_id, args.id), args.json)
        return 0

    return _run(args, action)


def _signoff(args: argparse.Namespace) -> int:
    from monitoring.accounts.events import Event
    from monitoring.analysis import Cut, DatabaseSource, open_analysis
    from monitoring.analysis.access import SIGNS_OFF, require_role
    from monitoring.db.looks import list_reports, sign_off_look

    def action(engine: sa.Engine) -> int:
        principal = acting_as(engine, args.by)
        trial_id = resolve_permitted(engine, principal, args.trial)
        require_role(principal, trial_id, SIGNS_OFF, "sign-off")
        source = DatabaseSource(engine)
        day = open_analysis(source, Cut(trial_id), principal=principal).reached_on(args.look)
        now = now_utc()
        sign_off_look(
            engine,
            trial_id,
            args.look,
            reached_date=day,
            user=args.by,
            now=now,
            note=args.note,
            recommendation=args.recommendation,
        )
        record_event(engine, principal, Event.SIGNED_OFF, trial_id, f"look at {args.look}")
        if args.json:
            print_json([r for r in list_reports(engine, trial_id) if r.look == args.look])
        else:
            advice = f", recommendation: {args.recommendation}" if args.recommendation else ""
            print(f"look at {args.look} (reached {day}): summary signed off by {args.by}{advice}")
        return 0

    return _run(args, action)


def _common(parser: argparse.ArgumentParser, *, action: bool = True) -> None:
    """--db, --trial and --json. On an action (``report list``) they may also be given
    before it (``report --db X list``): an action's option left out keeps that value."""
    add_database_arguments(parser, inherited=action)
    default = argparse.SUPPRESS if action else False
    parser.add_argument(
        "--json", action="store_true", default=default, help="machine-readable output"
    )


# Options of writing a report that an action does not take: given before an action
# (``report --look 8 list``) they are refused rather than ignored.
_WRITING_ONLY = {
    "--look": "look",
    "--cutoff": "cutoff",
    "--as-known-on": "as_known_on",
    "--meeting-date": "meeting_date",
}


def _action(
    handler: Callable[[argparse.Namespace], int], *, takes: tuple[str, ...] = ()
) -> Callable[[argparse.Namespace], int]:
    """``handler`` of a ``report`` action, refusing writing options it would ignore."""
    refused = dict(_WRITING_ONLY, **{"--format": "format", "--out": "out", "--user": "user"})
    refused.update({"--version": "version"} if "version" not in takes else {})

    def run(args: argparse.Namespace) -> int:
        given = [
            flag
            for flag, name in refused.items()
            if name not in takes and getattr(args, name, None) is not None
        ]
        if given:
            verb = "is an option" if len(given) == 1 else "are options"
            raise CliError(
                f"{', '.join(given)} {verb} of writing a report; 'report "
                f"{args.report_action}' does not take it"
            )
        return handler(args)

    return run


def _register_actions(sub: Any) -> None:
    listing = sub.add_parser("list", help="list recorded reports", description="Recorded reports.")
    _common(listing)
    listing.set_defaults(handler=_action(_list))
    again = sub.add_parser(
        "regenerate",
        help="rewrite a recorded report from the data as known then",
        description="Rewrite report ID with its cut-off and as-known-on; exit 2 if the data "
        "digest differs from the original's.",
    )
    _common(again)
    again.add_argument("--id", type=int, required=True, help="report id (see 'report list')")
    again.add_argument(
        "--format", choices=[f.value for f in ReportFormat], default=argparse.SUPPRESS
    )
    again.add_argument(
        "--version", choices=list(VERSIONS), default=argparse.SUPPRESS, help="default: closed"
    )
    again.add_argument(
        "--out", type=output_file, required=True, metavar="PATH", help="file to write"
    )
    again.add_argument("--user", default=argparse.SUPPRESS, help="who generates it")
    again.set_defaults(handler=_action(_regenerate, takes=("format", "out", "user", "version")))
    sent = sub.add_parser(
        "sent",
        help="record that a report was sent",
        description="Record that report ID was sent (to the IND Office Medical Monitor, the "
        "DSMB, ...), by NAME, now.",
    )
    _common(sent)
    sent.add_argument("--id", type=int, required=True, help="report id (see 'report list')")
    sent.add_argument("--by", required=True, metavar="NAME", help="who sent it")
    sent.set_defaults(handler=_action(_sent))
    signoff = sub.add_parser(
        "signoff",
        help="sign off the summary of a look",
        description="Sign off the summary of the look at N evaluable patients (needs a "
        "generated report of that look); shown as signed off in the monitoring log.",
    )
    _common(signoff)
    signoff.add_argument("--look", type=int, required=True, metavar="N", help="look (N)")
    signoff.add_argument("--by", required=True, metavar="NAME", help="who signs off")
    signoff.add_argument("--note", help="optional note kept with the sign-off")
    signoff.add_argument(
        "--recommendation",
        choices=RECOMMENDATIONS,  # monitoring.db.looks.RECOMMENDATIONS (a test checks)
        help="the committee's recommendation, recorded with the sign-off (the report's form)",
    )
    signoff.set_defaults(handler=_action(_signoff, takes=("look",)))


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "report",
        help="write the Efficacy/Toxicity Summary (PDF, DOCX or XLSX) and record it",
        description="Write the Efficacy/Toxicity Summary from the database and record it. "
        "--look N: the look at N evaluable patients, cut at the day it was reached.",
    )
    _common(parser, action=False)
    parser.add_argument("--look", type=int, metavar="N", help="look at N evaluable patients")
    parser.add_argument("--cutoff", type=iso_date, metavar="DATE", help="data cut-off")
    parser.add_argument(
        "--as-known-on",
        type=known_on,
        metavar="DATETIME",
        help="data as known at this date or time (a date: end of that day, UTC; default: now)",
    )
    parser.add_argument("--version", choices=list(VERSIONS), help="default: closed")
    parser.add_argument(
        "--format",
        type=report_formats,
        metavar="FORMAT[,FORMAT...]",
        help="pdf, docx or xlsx, or several comma-separated (pdf,docx,xlsx): one document, "
        "a file and a record for each",
    )
    parser.add_argument(
        "--out",
        type=output_file,
        metavar="PATH",
        help="file to write (its folder must exist); with several formats, each format's "
        "extension replaces PATH's",
    )
    parser.add_argument("--user", help="who generates it (default: login)")
    parser.add_argument(
        "--meeting-date",
        type=iso_date,
        metavar="DATE",
        help="the DSMB meeting the report is for (printed on the cover)",
    )
    parser.set_defaults(handler=_generate)
    _register_actions(parser.add_subparsers(dest="report_action", metavar="ACTION"))
