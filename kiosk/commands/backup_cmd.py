"""campaign-kiosk backup: a consistent copy of the database, taken while the kiosk runs (data stays sealed)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.commands.context import CommandContext, UsageError

NAME = "backup"
HELP = "copy the database to OUT.db while the kiosk runs (SQLite online backup; personal data stays sealed)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", metavar="OUT.db", help="the new backup file (never overwritten)")


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.backup import backup_database
    from kiosk.runtime import open_runtime

    options = ctx.options()
    if not options.db_path.exists():
        raise UsageError(f"there is no kiosk database in {ctx.data_dir} to back up")
    runtime = open_runtime(options, start_run=False)
    try:
        result = backup_database(runtime, Path(args.out))
    finally:
        runtime.close()
    print(f"backed up {options.db_path} to {result.path} ({result.bytes:,} bytes, integrity {result.integrity})")
    return 0
