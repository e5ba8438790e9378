"""campaign-kiosk backup: a consistent copy of the database, taken while the kiosk runs (data stays sealed)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.commands.context import CommandContext
from kiosk.commands.export_cmd import open_beside_kiosk

NAME = "backup"
HELP = "copy the database to OUT.db while the kiosk runs (SQLite online backup; personal data stays sealed)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", metavar="OUT.db", help="the new backup file (never overwritten)")


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.backup import backup_database

    options = ctx.options()
    runtime = open_beside_kiosk(options)
    try:
        result = backup_database(runtime, Path(args.out))
    finally:
        runtime.close()
    print(f"backed up {options.db_path} to {result.path} ({result.bytes:,} bytes, integrity {result.integrity})")
    return 0
