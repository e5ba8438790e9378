"""Subcommands of ``campaign-kiosk``. Each module has NAME, HELP, add_arguments(parser) and run(args, ctx) -> int.

Add a command by writing a module here and listing it in COMMANDS.
"""

from __future__ import annotations

from kiosk.commands import (
    backup_cmd,
    check,
    export_cmd,
    import_cmd,
    print_cmd,
    run,
    screenshot,
    setup,
    sync_cmd,
    verify_cmd,
)

COMMANDS = (run, setup, check, screenshot, print_cmd, export_cmd, import_cmd, backup_cmd, verify_cmd, sync_cmd)
