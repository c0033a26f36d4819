"""Analysis commands: ``km`` (Kaplan-Meier of one endpoint) and ``tables`` (response, AE,
listing, treatment and survival tables). Readable text by default, JSON with ``--json``.

The data are read from the database as known on ``--as-known-on`` (default: now, i.e. the
current versions) and cut at ``--cutoff`` (default: the latest date in the data).
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING, Any

from monitoring.cli.common import print_json
from monitoring.cli.database import add_analysis_arguments, open_cut, run_with_engine

if TYPE_CHECKING:  # the analyses load when the command runs
    from monitoring.analysis import Analysis

# ``monitoring.protocol.SURVIVAL_ENDPOINTS`` (a test checks they agree), written out so that
# building the parser does not load the protocol reader.
SURVIVAL_ENDPOINTS = ["OS", "PFS", "EFS", "DoR", "DoR1"]


def _km(args: argparse.Namespace) -> int:
    return int(run_with_engine(args, lambda engine: _km_print(open_cut(engine, args), args)))


def _km_print(loaded: Analysis, args: argparse.Namespace) -> int:
    from monitoring.analyses.endpoints import endpoint_analysis
    from monitoring.cli.analysis_json import km_payload
    from monitoring.cli.analysis_text import km_text

    loaded.check_breakdown(args.by)
    settings = loaded.protocol.survival
    if args.conf_type is not None:
        settings = dataclasses.replace(settings, conf_type=args.conf_type)
    analysis = endpoint_analysis(loaded.derivation, settings, args.endpoint, by=args.by)
    if args.json:
        payload = km_payload(analysis)
        payload.update(trial=loaded.trial_id, cutoff=loaded.derivation.cutoff.isoformat())
        print_json(payload)
    else:
        print(f"Trial {loaded.trial_id}, cut-off {loaded.derivation.cutoff.isoformat()}")
        print("\n".join(km_text(analysis)))
    return 0


def _tables(args: argparse.Namespace) -> int:
    return int(run_with_engine(args, lambda engine: _tables_print(open_cut(engine, args), args)))


def _tables_print(loaded: Analysis, args: argparse.Namespace) -> int:
    from monitoring.cli.analysis_json import tables_payload
    from monitoring.cli.analysis_text import tables_text

    tables = loaded.table_set(by=args.by)
    if args.json:
        print_json(tables_payload(tables, loaded.trial_id))
    else:
        print("\n".join(tables_text(tables, loaded.trial_id)))
    return 0


def register(sub: Any) -> None:
    km = sub.add_parser(
        "km",
        help="Kaplan-Meier estimate of one endpoint (optionally by subgroup)",
        description="Kaplan-Meier estimate of one endpoint with its CI, numbers at risk, "
        "median and landmarks; with --by, one fit per group and the log-rank test.",
    )
    add_analysis_arguments(km)
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
    add_analysis_arguments(tables)
    tables.add_argument("--by", metavar="COLUMN", help="add response tables by this column")
    tables.set_defaults(handler=_tables)
