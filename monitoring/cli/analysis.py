"""Analysis commands: ``km`` (Kaplan-Meier of one endpoint) and ``tables`` (response, AE,
listing, treatment and survival tables). Readable text by default, JSON with ``--json``.

The data are read from the database as known on ``--as-known-on`` (default: now, i.e. the
current versions) and cut at ``--cutoff`` (default: the latest date in the data).
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from monitoring.cli.analysis_json import km_payload, tables_payload
from monitoring.cli.analysis_text import km_text, tables_text
from monitoring.cli.common import CliError, iso_date, print_json
from monitoring.db.engine import open_database
from monitoring.db.errors import DataInputError
from monitoring.db.reading import load_trial_data
from monitoring.db.repository import get_protocol, resolve_trial
from monitoring.derive import Derivation, derive
from monitoring.endpoints import endpoint_analysis
from monitoring.protocol import SURVIVAL_ENDPOINTS, Protocol
from monitoring.table_set import table_set

T = TypeVar("T")
DB_HELP = "SQLAlchemy URL or path to an SQLite file (default: the per-user data file)"


def iso_datetime(text: str) -> datetime:
    """argparse type: an ISO date or date-time; naive values are UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not an ISO date-time (YYYY-MM-DD[THH:MM[:SS]][+HH:MM])"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclasses.dataclass(frozen=True, eq=False)
class _Loaded:
    trial_id: str
    protocol: Protocol
    derived: Derivation


def _load(args: argparse.Namespace) -> _Loaded:
    """Trial, protocol and derivations at the requested cut-off, as known on the date."""
    try:
        engine = open_database(args.db)
    except DataInputError as exc:
        raise CliError(str(exc)) from exc
    try:
        trial_id = resolve_trial(engine, args.trial)
        protocol = get_protocol(engine, trial_id)
        data = load_trial_data(engine, trial_id, args.as_known_on)
    except DataInputError as exc:
        raise CliError(str(exc)) from exc
    finally:
        engine.dispose()
    cutoff: date | None = args.cutoff
    derived = _checked(lambda: derive(data, protocol, cutoff))
    return _Loaded(trial_id, protocol, derived)


def _checked(step: Callable[[], T]) -> T:
    """A library call whose ValueError (bad column, no data) is bad input: exit 2."""
    try:
        return step()
    except (ValueError, KeyError) as exc:
        raise CliError(str(exc).strip("'\"")) from exc


def _km(args: argparse.Namespace) -> int:
    loaded = _load(args)
    settings = loaded.protocol.survival
    if args.conf_type is not None:
        settings = dataclasses.replace(settings, conf_type=args.conf_type)
    analysis = _checked(
        lambda: endpoint_analysis(loaded.derived, settings, args.endpoint, by=args.by)
    )
    if args.json:
        payload = km_payload(analysis)
        payload.update(trial=loaded.trial_id, cutoff=loaded.derived.cutoff.isoformat())
        print_json(payload)
    else:
        print(f"Trial {loaded.trial_id}, cut-off {loaded.derived.cutoff.isoformat()}")
        print("\n".join(km_text(analysis)))
    return 0


def _tables(args: argparse.Namespace) -> int:
    loaded = _load(args)
    tables = _checked(lambda: table_set(loaded.derived, loaded.protocol, by=args.by))
    if args.json:
        print_json(tables_payload(tables, loaded.trial_id))
    else:
        print("\n".join(tables_text(tables, loaded.trial_id)))
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help=DB_HELP)
    parser.add_argument("--trial", metavar="ID", help="trial id (optional with one trial)")
    parser.add_argument(
        "--cutoff", type=iso_date, metavar="DATE", help="data cut-off (default: latest date)"
    )
    parser.add_argument(
        "--as-known-on",
        type=iso_datetime,
        metavar="DATETIME",
        help="read the data as stored at this moment (default: now)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def register(sub: Any) -> None:
    km = sub.add_parser(
        "km",
        help="Kaplan-Meier estimate of one endpoint (optionally by subgroup)",
        description="Kaplan-Meier estimate of one endpoint with its CI, numbers at risk, "
        "median and landmarks; with --by, one fit per group and the log-rank test.",
    )
    _common(km)
    km.add_argument("--endpoint", required=True, choices=SURVIVAL_ENDPOINTS)
    km.add_argument("--by", metavar="COLUMN", help="patient column to split by (e.g. sex)")
    km.add_argument(
        "--conf-type",
        choices=["log-log", "plain", "log"],
        help="CI transform (default: the protocol's survival.conf_type)",
    )
    km.set_defaults(handler=_km)
    tables = sub.add_parser(
        "tables",
        help="response, adverse-event, listing, treatment and survival tables",
        description="Response rates and best response, adverse events by category, term and "
        "worst grade (all, serious, related), deaths/SAE/monitored-toxicity listings, "
        "treatment summary and survival headlines.",
    )
    _common(tables)
    tables.add_argument("--by", metavar="COLUMN", help="add response tables by this column")
    tables.set_defaults(handler=_tables)
