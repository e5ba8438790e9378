"""``campaign-kiosk``: the command line. Global options apply to every subcommand."""

from __future__ import annotations

import argparse
import logging
import sys

from kiosk import __version__
from kiosk.commands import COMMANDS
from kiosk.commands.context import CommandContext
from kiosk.errors import KioskError, NoDisplayError


def _add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=default,
        help="where the database and logs live (env KIOSK_DATA_DIR; default: user data folder)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=default,
        help="kiosk config TOML (env KIOSK_CONFIG; default: kiosk.toml in the user config folder)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", default=default, help="more log output")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="campaign-kiosk",
        description="Touchscreen kiosk for campaign stalls: petitions, pledges, QR codes, sealed personal data.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        _add_global_options(command, suppress=True)
        module.add_arguments(command)
        command.set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    known = {m.NAME for m in COMMANDS}
    if not any(arg in known for arg in argv) and not any(a in ("-h", "--help", "--version") for a in argv):
        argv = ["run", *argv]
    args = parser.parse_args(argv)
    ctx = CommandContext(args)
    from kiosk.logs import configure_logging

    try:
        configure_logging(ctx.data_dir, verbose=bool(args.verbose))
        return int(args.handler(args, ctx))
    except KioskError as exc:
        # Into the log file; the person at the terminal gets the same words once, without a log prefix.
        logging.getLogger("kiosk.cli").error("%s", exc, extra={"console": False})
        print(f"campaign-kiosk {args.command}: {exc}", file=sys.stderr)
        return 2
    except NoDisplayError as exc:
        # A message, not a traceback. (Only this one: another RuntimeError is a bug, and its message could hold
        # what a library choked on.)
        logging.getLogger("kiosk.cli").error("%s", exc, extra={"console": False})
        print(f"campaign-kiosk {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception:
        # A bug: its traceback goes to the log and stderr without exception messages (see kiosk/logs.py).
        logging.getLogger("kiosk.cli").error("unexpected error in %s", args.command, exc_info=True)
        return 70


if __name__ == "__main__":
    raise SystemExit(main())
