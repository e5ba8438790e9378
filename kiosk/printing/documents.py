"""The documents volunteers can print, in one registry shared by ``campaign-kiosk print`` and the print panel.

Add a document by writing its ``build(request) -> bytes`` function and one :class:`DocumentKind` in ``DOCUMENTS``:
the command line and organiser mode both list it from here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.campaign import CampaignPack
from kiosk.config import KioskConfig
from kiosk.printing.catalogue import PrintError
from kiosk.printing.qr import petition_link

# The builders import reportlab (kiosk.printing.pdfs) and the database only when a document is made: the print
# panel lists DOCUMENTS before the kiosk's first frame (issue 2).
if TYPE_CHECKING:
    from local_db.session import Database


@dataclass(frozen=True)
class DocumentRequest:
    """What one print needs: the pack, where the kiosk stands, the paper, and storage for counting documents."""

    pack: CampaignPack
    config: KioskConfig
    event_id: str
    paper: str = "A4"
    copies: int = 1
    # Flyers only: cards per sheet (None: A7 cards that fill the sheet).
    cards: int | None = None
    kiosk_name: str = ""
    db: Database | None = None

    @property
    def link(self) -> str:
        """The attributed petition link every printed QR code carries (the same as on the attract screen)."""
        return petition_link(self.pack, self.config, self.event_id)


@dataclass(frozen=True)
class DocumentKind:
    key: str
    label: str
    description: str
    build: Callable[[DocumentRequest], bytes]
    needs_storage: bool = False


def _flyers(request: DocumentRequest) -> bytes:
    from kiosk.printing import pdfs

    return pdfs.flyers_pdf(request.pack, request.link, paper=request.paper, copies=request.copies, cards=request.cards)


def _poster(request: DocumentRequest) -> bytes:
    from kiosk.printing import pdfs

    return pdfs.poster_pdf(request.pack, request.link, paper=request.paper, copies=request.copies)


def _summary(request: DocumentRequest) -> bytes:
    from kiosk.printing import pdfs
    from kiosk.printing.event_summary import collect_event_summary

    if request.db is None:
        raise PrintError("the event summary needs the kiosk's database")
    summary = collect_event_summary(request.db, request.event_id, request.kiosk_name)
    return pdfs.summary_pdf(request.pack, summary, paper=request.paper, copies=request.copies)


def _paper_sheet(request: DocumentRequest) -> bytes:
    from kiosk.printing.paper_sheet import paper_sheet_pdf

    event = "" if request.event_id == "unassigned" else request.event_id
    return paper_sheet_pdf(request.pack, link=request.link, event_id=event, paper=request.paper, copies=request.copies)


DOCUMENTS: dict[str, DocumentKind] = {
    kind.key: kind
    for kind in (
        DocumentKind("flyers", "Flyers", "Cut-out cards with the petition QR code", _flyers),
        DocumentKind("poster", "Poster", "Headline, recent wins and a large QR code", _poster),
        DocumentKind("summary", "Event summary", "Counts, funnel and activity by hour", _summary, needs_storage=True),
        DocumentKind(
            "paper-sheet", "Paper signature sheet", "Sign-up form with the consent wording, for typing up", _paper_sheet
        ),
    )
}


def build_document(key: str, request: DocumentRequest) -> bytes:
    """The PDF bytes of one document.

    Raises:
        PrintError: unknown document or settings it cannot honour.
    """
    kind = DOCUMENTS.get(key)
    if kind is None:
        raise PrintError(f"unknown document {key!r}; choose one of {', '.join(DOCUMENTS)}")
    return kind.build(request)


def save_pdf(data: bytes, path: Path) -> Path:
    """Write a PDF so that a reader never sees half a file: a temporary file beside it, flushed, then renamed.

    Raises:
        OSError: the folder is missing, read-only or full (a USB stick pulled out mid-write).
    """
    path = path.expanduser()
    tmp = path.with_name(f".{path.name}.part")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    return path
