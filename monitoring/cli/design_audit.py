"""``design audit``: the protocol's designs checked against their exact characteristics."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from monitoring.cli.common import print_json, protocol_argument

if TYPE_CHECKING:  # the audit loads when the command runs
    from monitoring.designs.audit import ProtocolAudit


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "audit",
        help="check a protocol's designs against their exact characteristics",
        description=(
            "Audit every design of a protocol file: the Simon design's exact alpha, power, "
            "PET and EN beside the printed ones, for which error rates it is optimal or "
            "minimax; the toxicity boundaries and operating characteristics beside the "
            "printed tables. Differences at the printed precision are flagged."
        ),
    )
    parser.add_argument(
        "--protocol",
        required=True,
        metavar="FILE|NAME",
        help="protocol TOML file, or the name of a bundled protocol",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=run)


def _print(audit: ProtocolAudit) -> None:
    print(
        f"Design audit of {audit.protocol_id} (protocol {audit.protocol_version}, "
        f"sha256 {audit.protocol_digest[:12]})"
    )
    for simon in audit.simon:
        d = simon.exact
        print(f"\nSimon two-stage design '{simon.rule_id}': {d.label()}")
        print(
            f"  exact: alpha {d.alpha:.4f}, power {d.power:.4f}, PET(p0) {d.pet0:.3f}, "
            f"EN(p0) {d.en0:.1f}"
        )
        for finding in simon.findings:
            mark = "!" if finding.flagged else "-"
            print(f"  {mark} {finding.message}")
    for tox in audit.toxicity:
        print(f"\nToxicity rule '{tox.rule_id}'")
        for message in tox.findings:
            print(f"  - {message}")
    verdict = "differences flagged (!)" if audit.flagged else "no difference flagged"
    print(f"\nResult: {verdict}.")


def run(args: argparse.Namespace) -> int:
    from monitoring.designs.audit import audit_protocol
    from monitoring.protocol import load_protocol

    protocol = load_protocol(protocol_argument(args.protocol))
    audit = audit_protocol(protocol)
    if args.json:
        print_json(audit)
    else:
        _print(audit)
    return 0
