"""Data commands: ``trial add|list``, ``import``, ``correct`` and ``audit``.

"Now" and the user are resolved here (the library takes them as arguments). Exit status 0
on success, 2 on bad input or a rejected import (problems on stderr, one per line).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from monitoring.cli.audit_chain import register_verify
from monitoring.cli.common import print_json, read_protocol_text
from monitoring.cli.database import (
    acting,
    add_database_arguments,
    now_utc,
    record_event,
    resolve_permitted,
    run_with_engine,
    user_name,
)

if TYPE_CHECKING:  # the database libraries load when the command runs
    import sqlalchemy as sa

    from monitoring.db.importer import ImportResult


# The names of ``monitoring.ingest.registry.FORMATS`` (a test checks they agree): the
# readers and pandas load only when an import runs, not when the parser is built.
IMPORT_FORMATS = ("adam", "sdtm", "redcap")


def _trial_add(args: argparse.Namespace) -> int:
    from monitoring.accounts.events import Event
    from monitoring.analysis.access import require_admin
    from monitoring.db.repository import add_trial

    path, text = read_protocol_text(args.protocol)

    def action(engine: sa.Engine) -> int:
        principal = acting(engine, args)
        require_admin(principal, "trial add")
        record = add_trial(engine, text, source=str(path), now=now_utc(), user=user_name(args))
        record_event(engine, principal, Event.TRIAL_ADDED, record.id, f"protocol {path}")
        if args.json:
            print_json(record)
        else:
            print(f"registered trial {record.id} (protocol sha256 {record.protocol_digest})")
        return 0

    return run_with_engine(args, action, create=True)


def _trial_list(args: argparse.Namespace) -> int:
    from monitoring.db.repository import list_trials

    def action(engine: sa.Engine) -> int:
        principal = acting(engine, args)
        records = list_trials(engine)
        if principal is not None and not principal.is_admin:  # only the trials held
            records = tuple(r for r in records if r.id in principal.trial_ids)
        if args.json:
            print_json(list(records))
        for r in () if args.json else records:
            print(f"{r.id}\t{r.title}\t{r.protocol_digest[:12]}\t{r.registered_at.isoformat()}")
        return 0

    return run_with_engine(args, action)


def _print_import(result: ImportResult, as_json: bool) -> None:
    if as_json:
        print_json(result)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if not result.accepted:
        count = len(result.problems)
        print(f"error: import rejected ({count} problem(s)); nothing was changed", file=sys.stderr)
    elif not as_json:
        for c in result.counts:
            print(f"{c.table}: {c.added} added, {c.changed} changed, {c.unchanged} unchanged")
        print(f"import batch {result.batch_id} into trial {result.trial_id}")


def _writer_trial(engine: sa.Engine, args: argparse.Namespace, permission: str) -> str | None:
    """``--trial`` as the acting account may change it (the statistician's role); on a
    database without accounts, ``--trial`` unchecked (the writer resolves it)."""
    from monitoring.analysis.access import WRITES, require_role

    principal = acting(engine, args)
    if principal is None:
        return cast(str | None, args.trial)
    trial_id = resolve_permitted(engine, principal, args.trial)
    require_role(principal, trial_id, WRITES, permission)
    return trial_id


def _import(args: argparse.Namespace) -> int:
    from monitoring.accounts.events import Event
    from monitoring.db.importer import import_extract, import_files
    from monitoring.errors import DataInputError
    from monitoring.ingest.registry import reader as ingest_reader

    if (args.format == "csv") != (args.mapping is None):
        raise DataInputError(
            "--mapping FILE is required with --format adam, sdtm or redcap, and only with them"
        )
    reader = None if args.format == "csv" else ingest_reader(args.format)

    def action(engine: sa.Engine) -> int:
        trial_id = _writer_trial(engine, args, "import")
        if reader is None:
            result = import_files(engine, trial_id, args.files, now=now_utc, user=user_name(args))
        else:
            paths = [Path(p) for p in args.files]
            extract = reader(paths, Path(args.mapping))
            names = [Path(args.mapping).name, *(p.name for p in paths)]
            result = import_extract(
                engine, trial_id, extract, names, now=now_utc, user=user_name(args)
            )
        if result.accepted:
            files = ", ".join(result.files)
            detail = f"batch {result.batch_id}: {files}"
            record_event(engine, acting(engine, args), Event.IMPORTED, result.trial_id, detail)
        _print_import(result, args.json)
        return 0 if result.accepted else 2

    return run_with_engine(args, action, create=True)


def _correct(args: argparse.Namespace) -> int:
    from monitoring.accounts.events import Event
    from monitoring.db.corrections import correct_value, parse_key

    def action(engine: sa.Engine) -> int:
        trial_id = _writer_trial(engine, args, "correction")
        result = correct_value(
            engine,
            trial_id,
            args.table,
            parse_key(args.key),
            args.column,
            args.value,
            reason=args.reason,
            now=now_utc,
            user=user_name(args),
        )
        if result.changed:
            where = f"{result.table} {result.row_key}: {result.column}"
            record_event(engine, acting(engine, args), Event.CORRECTED, result.trial_id, where)
        if args.json:
            print_json(result)
        elif result.changed:
            print(
                f"{result.table} {result.row_key}: {result.column} {result.old_value!r} -> "
                f"{result.new_value!r}"
            )
        else:
            print(f"{result.table} {result.row_key}: {result.column} already {result.old_value!r}")
        return 0

    return run_with_engine(args, action)


def _audit(args: argparse.Namespace) -> int:
    from monitoring.db.repository import list_audit

    def action(engine: sa.Engine) -> int:
        entries = list_audit(engine, resolve_permitted(engine, acting(engine, args), args.trial))
        if args.json:
            print_json(list(entries))
            return 0
        for e in entries:
            origin = f"batch {e.batch_id}" if e.batch_id is not None else f"correction: {e.reason}"
            print(
                f"{e.changed_at.isoformat()}\t{e.changed_by}\t{e.table}\t{e.row_key}\t{e.column}\t"
                f"{e.old_value!r} -> {e.new_value!r}\t{origin}"
            )
        return 0

    return run_with_engine(args, action)


def _register_trial(sub: Any) -> None:
    parser = sub.add_parser("trial", help="register and list trials", description="Trials.")
    trial_sub = parser.add_subparsers(dest="trial_command", required=True, metavar="ACTION")
    add = trial_sub.add_parser(
        "add",
        help="register a trial from its protocol TOML",
        description="Register a trial from its protocol file; the trial id is its 'id' key. "
        "On a database with accounts, an administrator's command.",
    )
    add_database_arguments(add, trial=False, user=True)
    add.add_argument(
        "--protocol",
        required=True,
        metavar="FILE|NAME",
        help="protocol TOML file, or the name of a bundled protocol (e.g. mrd-ino-ph2)",
    )
    add.add_argument("--json", action="store_true", help="machine-readable output")
    add.set_defaults(handler=_trial_add)
    show = trial_sub.add_parser(
        "list",
        help="list registered trials",
        description="List the trials the acting account holds a role on (all of them for an "
        "administrator, or on a database without accounts).",
    )
    add_database_arguments(show, trial=False, user=True)
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(handler=_trial_list)


def register(sub: Any) -> None:
    _register_trial(sub)
    imp = sub.add_parser(
        "import",
        help="import CSV/XLSX extracts or CDISC datasets (all or nothing)",
        description="Import extracts: patients.csv, responses.csv, adverse_events.csv, or an "
        "XLSX workbook with sheets of those names; or, with --format adam|sdtm|redcap and "
        "--mapping, CDISC datasets (XPT, SAS7BDAT, CSV, Dataset-JSON) or a REDCap export "
        "mapped to those tables (docs/mapping.md). All or nothing; exit 2 when rejected.",
    )
    add_database_arguments(imp, user=True)
    imp.add_argument(
        "--format",
        choices=("csv", *IMPORT_FORMATS),
        default="csv",
        help="csv: the product's own CSV/XLSX files (default); adam, sdtm, redcap: mapped",
    )
    imp.add_argument("--mapping", metavar="FILE", help="mapping TOML (docs/mapping.md)")
    imp.add_argument(
        "files",
        nargs="+",
        metavar="PATH",
        help="CSV or XLSX files; with --format: files or folders",
    )
    imp.add_argument("--json", action="store_true", help="machine-readable output")
    imp.set_defaults(handler=_import)

    cor = sub.add_parser(
        "correct",
        help="correct one stored value, with a reason (audited)",
        description="Correct one value of one current row; validated like an import, audited.",
    )
    add_database_arguments(cor, user=True)
    cor.add_argument("--table", required=True, help="patients, responses or adverse_events")
    cor.add_argument("--key", required=True, help="e.g. patient_id=P01,assessment_date=2025-01-03")
    cor.add_argument("--column", required=True, help="column to correct (not a key column)")
    cor.add_argument("--value", required=True, help="new value as in an extract ('' empties it)")
    cor.add_argument("--reason", required=True, help="why the value is corrected")
    cor.add_argument("--json", action="store_true", help="machine-readable output")
    cor.set_defaults(handler=_correct)

    aud = sub.add_parser("audit", help="list the audit log", description="List the audit log.")
    add_database_arguments(aud, user=True)
    aud.add_argument("--json", action="store_true", help="machine-readable output")
    aud.set_defaults(handler=_audit)
    register_verify(aud)
