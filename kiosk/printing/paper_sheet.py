"""The paper signature sheet: for when the battery dies. Volunteers collect signatures on it, and the typed-up rows
go back in with ``campaign-kiosk import-paper`` (see kiosk/paper_import.py).

Each page carries the petition, the exact consent wording of the campaign pack with each text's version, and the
form version the import checks, so every paper consent can be proven like one given on the screen.
"""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from kiosk.campaign import CampaignPack
from kiosk.paper_import import PAPER_PURPOSES, paper_form_version
from kiosk.printing import pdfs

ROWS_PER_PAGE = 10
# (heading, share of the table width) in the order of the CSV columns the import reads.
COLUMNS = (
    ("First name", 0.13),
    ("Last name", 0.13),
    ("Email", 0.22),
    ("Postcode (or country)", 0.11),
    ("Mobile (optional)", 0.11),
    ("Sign", 0.06),
    ("Email updates", 0.08),
    ("Text updates", 0.08),
    ("Date", 0.08),
)
TICK_COLUMNS = ("Sign", "Email updates", "Text updates")
BOX_LABELS = {"sign": "Sign", "email_updates": "Email updates", "sms_updates": "Text updates"}
CSV_HEADER = "first_name,last_name,email,postcode,country,phone,signed,email_updates,sms_updates,signed_on"


def paper_sheet_pdf(
    pack: CampaignPack, *, link: str = "", event_id: str = "", paper: str = "A4", copies: int = 1
) -> bytes:
    """``copies`` pages of the sheet, landscape, each complete on its own. With ``link`` (the attributed petition
    link) each page carries its QR code, for people who would rather sign on their phone.

    Raises:
        PrintError: unknown paper or copies out of range.
    """
    if not 1 <= copies <= pdfs.MAX_COPIES:
        raise pdfs.PrintError(f"copies must be between 1 and {pdfs.MAX_COPIES}, got {copies}")
    width, height = landscape(pdfs.paper_size(paper))
    pdfs.register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    canvas.setTitle(f"Paper signature sheet - {pack.petition.title}")
    canvas.setAuthor(pack.organisation)
    canvas.setSubject(pack.title)
    canvas.setCreator("campaign-kiosk")
    version = paper_form_version(pack)
    for page in range(copies):
        _draw_page(canvas, pack, link, width, height, version, event_id, page + 1, copies)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _text_block(canvas: Canvas, text: str, font: str, size: float, x: float, top: float, width: float) -> float:
    """Wrapped text from ``top`` down; returns the y under it."""
    canvas.setFont(font, size)
    y = top
    for line in simpleSplit(text, font, size, width):
        y -= size * 1.25
        canvas.drawString(x, y, line)
    return y


def _draw_page(
    canvas: Canvas,
    pack: CampaignPack,
    link: str,
    width: float,
    height: float,
    version: str,
    event_id: str,
    page: int,
    pages: int,
) -> None:
    margin = 12 * mm
    usable = width - 2 * margin
    top = height - margin
    qr_side = 24 * mm if link else 0.0
    text_width = usable - qr_side - 6 * mm
    if link:
        pdfs.draw_qr(canvas, link, width - margin - qr_side, top - 12 - qr_side, qr_side)
        canvas.setFillColor(pdfs.MUTED)
        canvas.setFont(pdfs.FONT, 6.5)
        canvas.drawCentredString(width - margin - qr_side / 2, top - 18 - qr_side, "Or sign on your phone")
    canvas.setFillColor(pdfs.MUTED)
    canvas.setFont(pdfs.FONT, 7.5)
    canvas.drawRightString(width - margin, top - 2, f"Form version: {version}")
    canvas.drawRightString(width - margin, top - 11, f"Page {page} of {pages}")
    canvas.setFillColor(pdfs.PRIMARY)
    canvas.setFont(pdfs.FONT_BOLD, 16)
    canvas.drawString(margin, top - 16, pack.petition.title)
    canvas.setFillColor(pdfs.INK)
    y = _text_block(
        canvas, f"To: {pack.petition.target}. {pack.petition.text}", pdfs.FONT, 8, margin, top - 22, text_width
    )
    y -= 4
    for purpose in PAPER_PURPOSES:
        text = pack.consent(purpose)
        y = _text_block(
            canvas, f"{BOX_LABELS[purpose]} box: {text.text} [{text.version}]", pdfs.FONT, 7.5, margin, y, text_width
        )
    y = _text_block(
        canvas, f"{pack.privacy_notice} Privacy policy: {pack.privacy_url}", pdfs.FONT, 7, margin, y - 2, text_width
    )
    y = min(y, top - 22 - qr_side) - 6
    canvas.setFont(pdfs.FONT, 9)
    event_text = event_id or "______________________"
    canvas.drawString(margin, y - 9, f"Event: {event_text}      Volunteer: ______________________")
    y -= 16

    footer = (
        f"Typing up: one CSV row per person with the columns {CSV_HEADER} (write yes for a ticked box, leave it "
        f"empty otherwise); then: campaign-kiosk import-paper FILE.csv --event EVENT --consent-version {version}"
    )
    canvas.setFillColor(pdfs.MUTED)
    _text_block(canvas, footer, pdfs.FONT, 6.5, margin, margin + 18, usable)
    canvas.setFillColor(pdfs.INK)
    _draw_table(canvas, margin, y, usable, y - (margin + 18) - 6)


def _draw_table(canvas: Canvas, x: float, top: float, width: float, height: float) -> None:
    header_h = 22.0
    row_h = (height - header_h) / ROWS_PER_PAGE
    edges = [x]
    for _heading, share in COLUMNS:
        edges.append(edges[-1] + width * share)
    canvas.setFillColor(pdfs.SECONDARY)
    canvas.rect(x, top - header_h, width, header_h, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    for index, (heading, _share) in enumerate(COLUMNS):
        lines = simpleSplit(heading, pdfs.FONT_BOLD, 7.5, edges[index + 1] - edges[index] - 5)
        canvas.setFont(pdfs.FONT_BOLD, 7.5)
        baseline = top - 9 if len(lines) > 1 else top - 14
        for line in lines[:2]:
            canvas.drawString(edges[index] + 3, baseline, line)
            baseline -= 9
    canvas.setFillColor(pdfs.INK)
    canvas.setStrokeColor(pdfs.RULE)
    canvas.setLineWidth(0.8)
    bottom = top - header_h - row_h * ROWS_PER_PAGE
    for row in range(ROWS_PER_PAGE + 1):
        y = top - header_h - row * row_h
        canvas.line(x, y, x + width, y)
    for edge in edges:
        canvas.line(edge, top, edge, bottom)
    canvas.setStrokeColor(pdfs.INK)
    box = min(row_h * 0.5, 11.0)
    for index, (heading, _share) in enumerate(COLUMNS):
        if heading not in TICK_COLUMNS:
            continue
        centre = (edges[index] + edges[index + 1]) / 2
        for row in range(ROWS_PER_PAGE):
            middle = top - header_h - row * row_h - row_h / 2
            canvas.rect(centre - box / 2, middle - box / 2, box, box, stroke=1, fill=0)
