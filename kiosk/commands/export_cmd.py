"""campaign-kiosk export: every record of a period or event, decrypted, into a new timestamped folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.commands.context import CommandContext, UsageError, prompt_secret, read_secret_file

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime
    from kiosk.services import KioskOptions

NAME = "export"
HELP = "export signatures, pledges, consent log and audit log (CSV or XLSX) into a new folder"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="DIR", required=True, help="folder to create the export folder in")
    parser.add_argument("--since", metavar="DATE", help="only records from this date (2026-03-15) or time on")
    parser.add_argument("--until", metavar="DATE", help="only records up to the end of this date, or before this time")
    parser.add_argument("--event", metavar="ID", help="only records collected at this event")
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="csv (default) or xlsx")
    parser.add_argument("--passphrase-file", metavar="F", help="organiser passphrase on the first line of F")


def passphrase(args: argparse.Namespace) -> str:
    """From --passphrase-file, else asked at the terminal without echo."""
    if args.passphrase_file:
        return read_secret_file(args.passphrase_file, "passphrase")
    return prompt_secret("Organiser passphrase: ")


def open_beside_kiosk(options: KioskOptions, *, db_path: Path | None = None) -> KioskRuntime:
    """Storage for a command that may run while the kiosk window is open on the same data folder.

    Like every command, it leaves the outbox alone (the running kiosk may be sending those entries right now; only
    the holder of the sync lock recovers them). Unlike :func:`kiosk.runtime.open_runtime` it makes no data key
    until a record is sealed. Unlocks with ``options.unlock_passphrase``.

    Raises:
        UsageError: the kiosk (or the file) has no organiser keys.
        VaultError: the passphrase is wrong.
        StorageError: the database cannot be opened.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from kiosk.errors import StorageError, VaultError
    from kiosk.runtime import KioskRuntime
    from kiosk.vault import Vault
    from local_db.session import open_database

    path = db_path or options.db_path
    if not path.is_file():
        raise UsageError(f"there is no kiosk database at {path}")
    db = open_database(path)
    runtime = KioskRuntime(options=options, db=db, vault=None)
    try:
        runtime.vault = Vault(db)
        if options.unlock_passphrase:
            runtime.vault.unlock(options.unlock_passphrase)
    except VaultError as exc:
        runtime.close()
        if runtime.vault is None:
            raise UsageError(f"{path} has no organiser keys yet: run campaign-kiosk setup first") from None
        raise exc from None
    except SQLAlchemyError as exc:
        # Unlocking writes to the audit log: locked by another process past the busy timeout, or a full disk.
        # (runtime.close() would try to audit the lock as well.)
        db.close()
        raise StorageError(f"cannot use the database {path}: {getattr(exc, 'orig', exc)}") from None
    return runtime


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.exports import export_records, parse_when
    from local_db.reports import RecordFilter

    where = RecordFilter(
        since=parse_when(args.since) if args.since else None,
        until=parse_when(args.until, end_of_day=True) if args.until else None,
        event_id=args.event,
    )
    if where.since and where.until and where.since >= where.until:
        raise UsageError("--since must be before --until")
    runtime = open_beside_kiosk(ctx.options(unlock_passphrase=passphrase(args)))
    try:

        def progress(done: int, total: int) -> None:
            if sys.stderr.isatty() and total:
                print(f"\rexporting: {done}/{total}", end="", file=sys.stderr, flush=True)

        result = export_records(runtime, Path(args.out), where=where, fmt=args.format, progress=progress)
    finally:
        runtime.close()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    c = result.counts
    print(f"exported to {result.folder}")
    print(
        f"  {c['signatures']} signatures, {c['pledges']} pledges, {c['consent_events']} consent events, "
        f"{c['consent_texts']} consent texts, {c['audit_events']} audit events"
    )
    if c["purged"]:
        print(f"  {c['purged']} record(s) had their personal data purged already (exported without it)")
    if result.unreadable:
        print(f"  WARNING: {len(result.unreadable)} record(s) could not be decrypted: {', '.join(result.unreadable)}")
        return 1
    return 0
