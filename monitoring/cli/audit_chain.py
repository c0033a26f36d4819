"""``audit verify``: recompute each trial's history chain and name the first broken link;
then the account audit log's chain (``monitoring.accounts.events``), unless ``--trial``.

Exit status 0 when every chain verifies, 4 when one is broken (``BROKEN``), 2 on bad input.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from monitoring.cli.common import print_json
from monitoring.cli.database import add_database_arguments, run_with_engine

if TYPE_CHECKING:  # the database libraries load when the command runs
    import sqlalchemy as sa

    from monitoring.accounts.events import EventsVerification
    from monitoring.db.chain_verify import ChainVerification

BROKEN = 4
"""Exit status when a chain does not verify (distinct from 2, bad input)."""


def _print(result: ChainVerification) -> None:
    counts = ", ".join(f"{c.table} {c.rows}" for c in result.rows)
    if result.ok:
        print(
            f"{result.trial_id}: OK, {result.links} links of {result.linked} rows, "
            f"head {result.head} ({counts})"
        )
        return
    first = result.first_break
    assert first is not None
    print(
        f"{result.trial_id}: BROKEN at {first.line} "
        f"({len(result.breaks)} difference(s); {result.links} links)"
    )


def _print_accounts(result: EventsVerification) -> None:
    if result.ok:
        print(f"account audit log: OK, {result.events} events, head {result.head}")
    else:
        print(f"account audit log: BROKEN at event {result.first_break}")


def _verify(args: argparse.Namespace) -> int:
    from monitoring.accounts.events import verify_events
    from monitoring.db.chain_verify import verify_chain
    from monitoring.db.repository import list_trials, resolve_trial

    def action(engine: sa.Engine) -> int:
        if args.trial is not None:
            trial_ids = [resolve_trial(engine, args.trial)]
        else:
            trial_ids = [t.id for t in list_trials(engine)]
        results = [verify_chain(engine, t) for t in trial_ids]
        accounts = verify_events(engine) if args.trial is None else None
        if args.json:
            out: list[dict[str, Any]] = [
                {"ok": r.ok, "first_break": r.first_break, **vars(r)} for r in results
            ]
            if accounts is not None:
                out.append({"ok": accounts.ok, "account_events": vars(accounts)})
            print_json(out)
        else:
            for result in results:
                _print(result)
            if accounts is not None:
                _print_accounts(accounts)
        ok = all(r.ok for r in results) and (accounts is None or accounts.ok)
        return 0 if ok else BROKEN

    return run_with_engine(args, action)


def register_verify(audit: argparse.ArgumentParser) -> None:
    """``audit verify`` under the ``audit`` command (which lists the log without it)."""
    sub: Any = audit.add_subparsers(dest="audit_command", metavar="ACTION")
    verify = sub.add_parser(
        "verify",
        help="recompute the history chain; exit 4 at the first broken link",
        description="Recompute each trial's history chain (every trial, or --trial) and "
        "print OK with the head hash and row counts, or the first broken link; without "
        "--trial, also the account audit log's chain (sign-ins, account changes).",
    )
    add_database_arguments(verify)
    verify.add_argument("--json", action="store_true", help="machine-readable output")
    verify.set_defaults(handler=_verify)
