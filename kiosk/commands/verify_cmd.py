"""campaign-kiosk verify: integrity, counts per state, every record decrypted, reconciliation per event."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.commands.context import CommandContext, UsageError, prompt_secret, read_secret_file

NAME = "verify"
HELP = "check the database: integrity, records per state, decrypt every record, collected vs synced per event"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--passphrase-file", metavar="F", help="decrypt every record with the passphrase in F")
    parser.add_argument("--decrypt", action="store_true", help="decrypt every record (asks for the passphrase)")
    parser.add_argument("--db", metavar="FILE", help="verify this database file (a backup) instead of the kiosk's")
    parser.add_argument("--all", action="store_true", help="list every outstanding record (default: the first 50)")


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.backup import verify
    from kiosk.errors import VaultError
    from kiosk.runtime import KioskRuntime, open_runtime
    from kiosk.vault import Vault
    from local_db.session import open_database

    secret = None
    if args.passphrase_file:
        secret = read_secret_file(args.passphrase_file, "passphrase")
    elif args.decrypt:
        secret = prompt_secret("Organiser passphrase: ")
    options = ctx.options()
    if args.db:
        path = Path(args.db).expanduser()
        if not path.is_file():
            raise UsageError(f"{path} is not a file")
        db = open_database(path)
        runtime = KioskRuntime(options=options, db=db, vault=None)
        try:
            runtime.vault = Vault(db)
        except VaultError:
            db.close()
            raise
    else:
        if not options.db_path.exists():
            raise UsageError(f"there is no kiosk database in {ctx.data_dir}")
        runtime = open_runtime(options, start_run=False)
    try:
        if secret is not None:
            if runtime.vault is None:
                raise UsageError("this database has no organiser keys: nothing can be decrypted")
            runtime.vault.unlock(secret)
        report = verify(runtime, decrypt=secret is not None)
    finally:
        runtime.close()
    for line in report.lines(outstanding_limit=10**9 if args.all else 50):
        print(line)
    return 0 if report.ok else 1
