"""campaign-kiosk import-paper: signatures typed up from a paper sheet, through the kiosk's own save path."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.commands.context import CommandContext, UsageError
from kiosk.commands.export_cmd import open_beside_kiosk, passphrase

NAME = "import-paper"
HELP = "import signatures typed up from a paper sheet (CSV); all rows or none unless --skip-invalid"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.csv", help="the typed-up sheet, UTF-8 CSV with a header row")
    parser.add_argument("--event", metavar="ID", required=True, help="the event the sheet was filled in at")
    parser.add_argument(
        "--consent-version",
        metavar="V",
        required=True,
        help="the form version printed on the sheet (campaign-kiosk print paper-sheet shows the current one)",
    )
    parser.add_argument("--skip-invalid", action="store_true", help="import the good rows and report the bad ones")
    parser.add_argument("--passphrase-file", metavar="F", help="organiser passphrase on the first line of F")


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.paper_import import import_paper

    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"{path} is not a file")
    runtime = open_beside_kiosk(ctx.options(unlock_passphrase=passphrase(args)))
    try:
        report = import_paper(
            runtime, path, event_id=args.event, consent_version=args.consent_version, skip_invalid=args.skip_invalid
        )
    finally:
        runtime.close()
    for line in report.lines():
        print(line)
    print(report.summary())
    return 0 if report.committed and not report.stopped else 1
