"""campaign-kiosk run: start the kiosk window (the default command)."""

from __future__ import annotations

import argparse

from kiosk.commands.context import CommandContext, read_secret_file

NAME = "run"
HELP = "start the kiosk window (default when no command is given)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fullscreen", action="store_true", help="frameless full screen with kiosk lockdown")
    parser.add_argument("--campaign", metavar="PATH_OR_NAME", help="campaign pack folder or bundled pack name")
    parser.add_argument(
        "--unlock-passphrase-file",
        metavar="F",
        help="unlock the vault at start with the passphrase on the first line of F",
    )


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.app import display_problem, run_kiosk
    from kiosk.errors import NoDisplayError

    problem = display_problem()
    if problem:
        raise NoDisplayError(problem)
    passphrase = None
    if getattr(args, "unlock_passphrase_file", None):
        passphrase = read_secret_file(args.unlock_passphrase_file, "passphrase")
    options = ctx.options(
        campaign=getattr(args, "campaign", None),
        fullscreen=getattr(args, "fullscreen", False),
        unlock_passphrase=passphrase,
    )
    return run_kiosk(options)
