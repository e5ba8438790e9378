"""campaign-kiosk print: make a printable PDF (flyers, poster, event summary) without opening the window."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.commands.context import CommandContext, UsageError

NAME = "print"
HELP = "make a printable PDF: flyers with QR codes, a poster, or an event summary"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from kiosk.printing.documents import DOCUMENTS
    from kiosk.printing.pdfs import MAX_COPIES, PAPER_SIZES

    parser.add_argument(
        "document",
        choices=list(DOCUMENTS),
        help="; ".join(f"{kind.key}: {kind.description}" for kind in DOCUMENTS.values()),
    )
    parser.add_argument("--out", metavar="FILE.pdf", required=True, help="where to write the PDF")
    parser.add_argument("--paper", choices=list(PAPER_SIZES), default="A4", help="paper size (default: A4)")
    parser.add_argument(
        "--copies", type=int, default=1, metavar="N", help=f"copies (pages or sheets), 1-{MAX_COPIES} (default: 1)"
    )
    parser.add_argument(
        "--cards", type=int, metavar="N", help="flyers only: cards per sheet (default: A7 cards that fill the sheet)"
    )
    parser.add_argument("--campaign", metavar="PATH_OR_NAME", help="campaign pack folder or bundled pack name")
    parser.add_argument("--event", metavar="ID", help="event the QR codes are attributed to (default: this kiosk's)")


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.printing.documents import DOCUMENTS, DocumentRequest, build_document, save_pdf
    from kiosk.printing.pdfs import PrintError

    kind = DOCUMENTS[args.document]
    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise UsageError(f"--out must name a .pdf file, got {args.out!r}")
    if args.cards is not None and args.document != "flyers":
        raise UsageError("--cards applies to flyers only")
    options = ctx.options(campaign=args.campaign)
    runtime = None
    # Storage tells the event and kiosk names; a kiosk that was never started has neither, and flyers still work.
    if kind.needs_storage or (not args.event and not options.config.event_id and options.db_path.exists()):
        from kiosk.runtime import open_runtime

        runtime = open_runtime(options, start_run=False)
    try:
        event_id = args.event or (runtime.event_id if runtime else options.config.event_id or "unassigned")
        vault = runtime.vault if runtime else None
        request = DocumentRequest(
            pack=options.campaign,
            config=options.config,
            event_id=event_id,
            paper=args.paper,
            copies=args.copies,
            cards=args.cards,
            kiosk_name=vault.kiosk_name if vault else options.config.name,
            db=runtime.db if runtime else None,
        )
        try:
            data = build_document(args.document, request)
        except PrintError as exc:
            raise UsageError(str(exc)) from None
    finally:
        if runtime is not None:
            runtime.close()
    try:
        save_pdf(data, out)
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"wrote {out}: {kind.label.lower()}, {args.paper}, {args.copies} cop{'y' if args.copies == 1 else 'ies'}")
    return 0
