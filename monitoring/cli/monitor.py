"""``demo`` and ``status``: create the demo trial; the live decisions of a trial.

``status`` exit codes: 0 nothing due; 3 an efficacy/toxicity summary is due and not yet
generated (for cron jobs); 2 bad input.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from monitoring.cli.common import print_json, read_protocol_text, seed
from monitoring.cli.database import (
    acting,
    add_analysis_arguments,
    add_database_arguments,
    now_utc,
    open_cut,
    run_with_engine,
    user_name,
)

if TYPE_CHECKING:  # the analysis loads when ``status`` runs, its output module with it
    import sqlalchemy as sa

    from monitoring.status import TrialStatus

EXIT_SUMMARY_DUE = 3

# ``monitoring.protocol.DEFAULT_TRIAL_ID`` (a test checks they agree), written out so that
# building the parser does not load the protocol reader.
DEFAULT_TRIAL_ID = "ino-lowdose-ph2"

# The values of ``monitoring.demo.Scenario`` (a test checks they agree): the demo generator
# is imported only when ``demo`` runs, not at every command's start.
SCENARIOS = [
    "on_track",
    "accrual_suspended",
    "futility",
    "toxicity_stop",
    "early_success",
    "large",
]


def load_status(engine: sa.Engine, args: argparse.Namespace) -> TrialStatus:
    """The status of the trial named by ``--trial`` at ``--cutoff`` as known on the date
    (only the rows the decisions need are read: ``Reading.DECISIONS``). The digests of the
    tables not read in full are begun first, while the analysis loads."""
    from monitoring.db.digest import start_early_digests  # loads no pandas

    early = start_early_digests(engine, args.trial, args.cutoff, args.as_known_on)
    from monitoring.analysis import Reading

    return open_cut(engine, args, Reading.DECISIONS, early_digests=early).status


def _status(args: argparse.Namespace) -> int:
    def action(engine: sa.Engine) -> int:
        status = load_status(engine, args)
        from monitoring.cli.status_output import print_status, status_json

        if args.json:
            print_json(status_json(status))
        else:
            print_status(status)
        return EXIT_SUMMARY_DUE if status.summary_due is not None else 0

    return run_with_engine(args, action)


def _demo(args: argparse.Namespace) -> int:
    from monitoring.accounts.demo import DEMO_ACCOUNTS, create_demo_database

    path = None if args.protocol is None else read_protocol_text(args.protocol)[0]

    def action(engine: sa.Engine) -> int:
        from monitoring.analysis.access import require_admin

        require_admin(acting(engine, args), "demo")  # it registers a trial
        trial_id, accounts = create_demo_database(
            engine,
            args.scenario,
            seed=args.seed,
            now=now_utc(),
            user=user_name(args),
            protocol_file=path,
        )
        print(f"created demo trial {trial_id} (scenario {args.scenario}, seed {args.seed})")
        if accounts:
            names = ", ".join(a.name for a in DEMO_ACCOUNTS)
            print(f"marked as the demo database, with demo accounts {names} (README)")
        return 0

    return run_with_engine(args, action, create=True)


def register(sub: Any) -> None:
    demo = sub.add_parser(
        "demo",
        help="create a demo trial (default protocol, or --protocol; seeded data)",
        description="Register a protocol (default: "
        + DEFAULT_TRIAL_ID
        + ") and import a seeded demo trial. Scenarios: "
        + ", ".join(SCENARIOS)
        + "; an example protocol has its own (on_track, and futility or toxicity_stop "
        "where its rules have them: monitoring/demo/examples.py). On an empty database, "
        "also mark it as the demo and add the demo "
        "accounts (one per role, published passwords); never on a database that holds a "
        "trial or an account.",
    )
    add_database_arguments(demo, trial=False, user=True)
    demo.add_argument(
        "--protocol",
        metavar="FILE|NAME",
        help="protocol TOML file, or the name of a bundled protocol (e.g. "
        "peds-ino-two-cohorts); default: " + DEFAULT_TRIAL_ID,
    )
    demo.add_argument(
        "--scenario",
        default="on_track",
        choices=SCENARIOS,
        help="default: on_track",
    )
    demo.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")
    demo.set_defaults(handler=_demo)

    status = sub.add_parser(
        "status",
        help="current decisions, estimates and the monitoring log",
        description="Efficacy (Simon) and toxicity decisions, estimates and the monitoring "
        f"log. Exit 0; {EXIT_SUMMARY_DUE} when an efficacy/toxicity summary is due and not "
        "yet generated; 2 on bad input.",
    )
    add_analysis_arguments(status)
    status.set_defaults(handler=_status)
