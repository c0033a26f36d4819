"""``backup`` and ``restore``: a whole database to a file and back, verified by data digests.

Exit status 0 on success; 2 on bad input (an existing output file, a missing directory, a
target that holds trials, a file that is not a backup) with nothing created, and 2 when the
restored data digests differ from the backup's.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitoring.cli.common import CliError, print_json, to_jsonable
from monitoring.cli.database import DB_HELP

if TYPE_CHECKING:  # the database libraries load when the command runs
    from monitoring.db.backup import BackupResult, TrialDigest
    from monitoring.db.restore import RestoreResult


def _digest_lines(trials: tuple[TrialDigest, ...]) -> list[str]:
    if not trials:
        return ["no trial registered"]
    return [
        f"trial {t.trial_id}: data digest {t.data_digest or 'none (no patient data)'}, "
        f"last import batch {t.last_batch if t.last_batch is not None else 'none'}"
        for t in trials
    ]


def _print_backup(result: BackupResult) -> None:
    print(
        f"wrote {result.path} ({result.size:,} bytes, {result.kind.value}, sha256 {result.sha256})"
    )
    if result.manifest is not None:
        print(f"wrote {result.manifest} (the data digests, checked by restore)")
    for line in _digest_lines(result.trials):
        print(line)


def _backup(args: argparse.Namespace) -> int:
    from monitoring.db.backup import backup

    result = backup(args.db, Path(args.out), force=args.force)
    if args.json:
        print_json(result)
    else:
        _print_backup(result)
    return 0


def _differences(result: RestoreResult) -> str:
    expected = {t.trial_id: t for t in result.expected or ()}
    restored = {t.trial_id: t for t in result.restored}
    names = sorted(set(expected) | set(restored))
    return "; ".join(
        f"trial {n}: backup {expected.get(n)}, restored {restored.get(n)}"
        for n in names
        if expected.get(n) != restored.get(n)
    )


def _restore(args: argparse.Namespace) -> int:
    from monitoring.db.restore import restore

    result = restore(args.db, Path(getattr(args, "from")), force=args.force)
    if args.json:
        print_json({**to_jsonable(result), "verified": result.verified})
    else:
        print(
            f"restored {result.source} ({result.kind.value}) into {result.target}: {result.method}"
        )
        for table in result.copied:
            print(f"  {table.table}: {table.rows} rows")
        for line in _digest_lines(result.restored):
            print(line)
    if result.verified is None:
        print(
            "warning: the backup records no data digests (no manifest beside the archive); "
            "the restored digests above are not verified",
            file=sys.stderr,
        )
    elif not result.verified:
        raise CliError(f"restored data differ from the backup: {_differences(result)}")
    elif not args.json:
        print(
            f"verified: the data digest of every trial ({len(result.restored)}) equals the backup's"
        )
    return 0


def register(sub: Any) -> None:
    out = sub.add_parser(
        "backup",
        help="back up a database into one file (consistent while others write)",
        description="SQLite: the backup API into one self-contained file. PostgreSQL: "
        "pg_dump --format=custom, with the data digests in PATH.digests.json. Written under a "
        "temporary name and renamed when complete. Exit 2 if PATH exists (without --force) "
        "or its directory does not.",
    )
    out.add_argument("--db", metavar="URL", help=DB_HELP)
    out.add_argument("--out", required=True, metavar="PATH", help="backup file to write")
    out.add_argument("--force", action="store_true", help="replace an existing PATH")
    out.add_argument("--json", action="store_true", help="machine-readable output")
    out.set_defaults(handler=_backup)

    back = sub.add_parser(
        "restore",
        help="restore a backup into an empty database and verify its data digests",
        description="An SQLite backup into SQLite or PostgreSQL (ids and sequences kept), a "
        "pg_dump archive into PostgreSQL. The target must hold no trial (--force replaces "
        "its content). Exit 2 on refusal or when a restored data digest differs.",
    )
    back.add_argument("--db", metavar="URL", required=True, help=DB_HELP)
    back.add_argument("--from", required=True, metavar="PATH", help="backup file to restore")
    back.add_argument("--force", action="store_true", help="replace a database holding trials")
    back.add_argument("--json", action="store_true", help="machine-readable output")
    back.set_defaults(handler=_restore)
