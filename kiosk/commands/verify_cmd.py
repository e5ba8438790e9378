"""campaign-kiosk verify: integrity, counts per state, every record decrypted, reconciliation per event."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.commands.context import CommandContext, prompt_secret, read_secret_file
from kiosk.commands.export_cmd import open_beside_kiosk

NAME = "verify"
HELP = "check the database: integrity, records per state, decrypt every record, collected vs synced per event"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--passphrase-file", metavar="F", help="decrypt every record with the passphrase in F")
    parser.add_argument("--decrypt", action="store_true", help="decrypt every record (asks for the passphrase)")
    parser.add_argument("--db", metavar="FILE", help="verify this database file (a backup) instead of the kiosk's")
    parser.add_argument("--all", action="store_true", help="list every outstanding record (default: the first 50)")


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.backup import verify

    secret = None
    if args.passphrase_file:
        secret = read_secret_file(args.passphrase_file, "passphrase")
    elif args.decrypt:
        secret = prompt_secret("Organiser passphrase: ")
    options = ctx.options()._replace(unlock_passphrase=secret)
    runtime = open_beside_kiosk(options, db_path=Path(args.db).expanduser() if args.db else None)
    try:
        report = verify(runtime, decrypt=secret is not None)
    finally:
        runtime.close()
    for line in report.lines(outstanding_limit=10**9 if args.all else 50):
        print(line)
    return 0 if report.ok else 1
