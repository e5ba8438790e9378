"""campaign-kiosk setup: first-run organiser keys, for scripted installs (the window has a setup screen too)."""

from __future__ import annotations

import argparse

from kiosk.commands.context import CommandContext, UsageError, prompt_secret, read_secret_file

NAME = "setup"
HELP = "create the organiser keys (passphrase and PIN) for this kiosk"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--passphrase-file", metavar="F", help="organiser passphrase on the first line of F")
    parser.add_argument("--pin-file", metavar="F", help="organiser PIN (4-8 digits) on the first line of F")
    parser.add_argument("--kiosk-name", metavar="N", help="a name for this kiosk (default: from the config)")
    parser.add_argument("--event", metavar="ID", help="event or stall name (default: from the config)")


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.vault import passphrase_problem, pin_problem, setup_vault
    from local_db.session import open_database

    if args.passphrase_file:
        passphrase = read_secret_file(args.passphrase_file, "passphrase")
    else:
        passphrase = prompt_secret("Organiser passphrase: ")
        if prompt_secret("Repeat the passphrase: ") != passphrase:
            raise UsageError("the two passphrases differ")
    problem = passphrase_problem(passphrase)
    if problem:
        raise UsageError(problem)
    pin = read_secret_file(args.pin_file, "PIN") if args.pin_file else prompt_secret("Organiser PIN (4-8 digits): ")
    problem = pin_problem(pin)
    if problem:
        raise UsageError(problem)
    kiosk_name = args.kiosk_name or ctx.config.name
    event = args.event or ctx.config.event_id or "stall"
    db = open_database(ctx.options().db_path)
    try:
        kiosk_id = setup_vault(db, passphrase, pin, kiosk_name, event)
    finally:
        db.close()
    print(f"Set up kiosk {kiosk_name!r} (id {kiosk_id}) for event {event!r} in {ctx.data_dir}.")
    print("Keep the passphrase safe: without it no one, including you, can read the signatures.")
    return 0
