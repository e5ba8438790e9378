"""Printable PDFs drawn with reportlab: flyer sheets, posters and event summaries (no Qt).

Every QR code is vector (one filled path per code, from :func:`kiosk.printing.qr.qr_matrix`), and all text is set
in the DejaVu fonts from ``assets/fonts``, embedded as subsets, so any language the kiosk ships prints without
missing-glyph boxes on any printer or viewer.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from kiosk.campaign import CampaignPack
from kiosk.printing.catalogue import MAX_COPIES as MAX_COPIES  # the three re-exported: callers import them from here
from kiosk.printing.catalogue import PAPER_SIZES as PAPER_SIZES
from kiosk.printing.catalogue import PrintError as PrintError
from kiosk.printing.event_summary import EventSummary
from kiosk.printing.qr import qr_matrix, short_url
from kiosk.resources import fonts_dir
from kiosk.wins import WinCard

# A7 in landscape: eight fill an A4 sheet exactly (2 x 4), sixteen an A3 sheet.
CARD_SIZE: tuple[float, float] = (105 * mm, 74 * mm)

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"

INK = colors.HexColor("#1d1b19")
MUTED = colors.HexColor("#5b5650")
PRIMARY = colors.HexColor("#a3191f")
SECONDARY = colors.HexColor("#1f4e79")
RULE = colors.HexColor("#d9d3ca")

ASK = "Scan to sign: {title}"
SIGN_HEADING = "Sign the petition on your phone"
WINS_HEADING = "What we have won so far"
SUMMARY_TITLE = "Event summary"
NO_PERSONAL_DATA = "Counts only: this summary holds no names, contact details or other personal data."


@lru_cache(maxsize=1)
def register_fonts() -> tuple[TTFont, TTFont]:
    """Register the bundled DejaVu fonts with reportlab once per process (subsets are embedded in each PDF)."""
    regular = TTFont(FONT, str(fonts_dir() / "DejaVuSans.ttf"))
    bold = TTFont(FONT_BOLD, str(fonts_dir() / "DejaVuSans-Bold.ttf"))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(bold)
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    return regular, bold


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that the print fonts cannot draw (they would print as boxes); empty when all fit."""
    faces = [font.face.charToGlyph for font in register_fonts()]
    return sorted({ch for ch in text if not ch.isspace() and any(ord(ch) not in face for face in faces)})


def paper_size(paper: str) -> tuple[float, float]:
    try:
        return PAPER_SIZES[paper]
    except KeyError:
        raise PrintError(f"unknown paper size {paper!r}; choose one of {', '.join(PAPER_SIZES)}") from None


def _check_copies(copies: int) -> None:
    if not 1 <= copies <= MAX_COPIES:
        raise PrintError(f"copies must be between 1 and {MAX_COPIES}, got {copies}")


def _new_canvas(buffer: io.BytesIO, size: tuple[float, float], title: str, pack: CampaignPack) -> Canvas:
    register_fonts()
    canvas = Canvas(buffer, pagesize=size, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor(pack.organisation)
    canvas.setSubject(pack.title)
    canvas.setCreator("campaign-kiosk")
    return canvas


# --- text and QR drawing -----------------------------------------------------------------------------------------


def _width(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))


def _fit_one_line(text: str, font: str, width: float, largest: float, smallest: float) -> float:
    """The largest size (down to ``smallest``) at which ``text`` fits on one line of ``width``."""
    size = largest
    natural = _width(text, font, 1.0)
    if natural > 0:
        size = min(largest, width / natural)
    return max(smallest, size)


def _fit_lines(
    text: str, font: str, width: float, largest: float, smallest: float, max_lines: int
) -> tuple[float, list[str]]:
    """Wrap ``text`` into at most ``max_lines`` lines, as large as possible; the last line ends in … if cut."""
    size = largest
    while True:
        lines = simpleSplit(text, font, size, width)
        if len(lines) <= max_lines or size <= smallest:
            break
        size = max(smallest, size * 0.92)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and _width(last + "…", font, size) > width:
            last = last[:-1].rstrip()
        lines[-1] = last + "…"
    return size, lines


def _draw_lines(
    canvas: Canvas, lines: Sequence[str], font: str, size: float, x: float, top: float, *, leading: float = 1.2
) -> float:
    """Draw lines downwards from ``top`` (the top of the first line box); return the y below the last line."""
    canvas.setFont(font, size)
    y = top
    for line in lines:
        y -= size * leading
        canvas.drawString(x, y + size * (leading - 1.0) / 2 + size * 0.2, line)
    return y


def _draw_centred(canvas: Canvas, text: str, font: str, size: float, centre_x: float, baseline: float) -> None:
    canvas.setFont(font, size)
    canvas.drawCentredString(centre_x, baseline, text)


def draw_qr(canvas: Canvas, text: str, x: float, y: float, side: float) -> None:
    """A vector QR code of ``text`` in the square with bottom-left (x, y), quiet zone included (white behind it).

    All dark modules go into one path filled once: no hairline seams between modules in any PDF renderer.
    """
    matrix = qr_matrix(text)
    module = side / matrix.size
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    path = canvas.beginPath()
    for row, col, length in matrix.dark_runs():
        path.rect(x + col * module, y + side - (row + 1) * module, length * module, module)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


# --- flyers --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardGrid:
    """Where the cut-out cards of a flyer sheet go."""

    cols: int
    rows: int
    card_w: float
    card_h: float
    x0: float  # bottom-left corner of the grid
    y0: float
    count: int

    @property
    def scale(self) -> float:
        """Card size relative to A7 (1.0 unless the paper cannot hold that many A7 cards)."""
        return max(self.card_w, self.card_h) / max(CARD_SIZE)

    def cells(self) -> list[tuple[float, float]]:
        """Bottom-left corners of the cards, left to right then top to bottom."""
        corners = []
        for index in range(self.count):
            row, col = divmod(index, self.cols)
            corners.append((self.x0 + col * self.card_w, self.y0 + (self.rows - 1 - row) * self.card_h))
        return corners


def default_cards(paper: str) -> int:
    """A7 cards that fill the sheet: 8 on A4 and Letter, 16 on A3."""
    return 16 if paper == "A3" else 8


def card_grid(page: tuple[float, float], count: int) -> CardGrid:
    """The grid that fits ``count`` cards on the page as large as possible (never larger than A7), centred."""
    if not 1 <= count <= 64:
        raise PrintError(f"cards per sheet must be between 1 and 64, got {count}")
    page_w, page_h = page
    best: tuple[float, int, CardGrid] | None = None
    for card_w, card_h in (CARD_SIZE, CARD_SIZE[::-1]):
        for cols in range(1, count + 1):
            rows = math.ceil(count / cols)
            scale = min(1.0, page_w / (cols * card_w), page_h / (rows * card_h))
            w, h = card_w * scale, card_h * scale
            grid = CardGrid(cols, rows, w, h, (page_w - cols * w) / 2, (page_h - rows * h) / 2, count)
            key = (round(scale, 4), -(cols * rows - count))
            if best is None or key > best[:2]:
                best = (key[0], key[1], grid)
    assert best is not None
    return best[2]


def _draw_card(canvas: Canvas, pack: CampaignPack, link: str, w: float, h: float) -> None:
    """One flyer card in local coordinates (0, 0)-(w, h): title, one-line ask, QR code, short URL."""
    s = max(w, h) / max(CARD_SIZE)
    pad = 5 * mm * s
    url = short_url(link)
    url_size = _fit_one_line(url, FONT_BOLD, w - 2 * pad, 8.5 * s, 5)
    band = url_size * 1.6
    _draw_centred(canvas, url, FONT_BOLD, url_size, w / 2, pad + url_size * 0.3)
    ask = ASK.format(title=pack.petition.title)
    canvas.setFillColor(INK)
    if w >= h:
        qr_side = min(h - 2 * pad - band, 0.45 * (w - 2 * pad))
        qr_x = w - pad - qr_side
        qr_y = pad + band + (h - 2 * pad - band - qr_side) / 2
        text_w = qr_x - 2 * pad
        top = h - pad
        text_x = pad
    else:
        qr_side = min(w - 2 * pad, 0.5 * (h - 2 * pad - band))
        qr_x = (w - qr_side) / 2
        qr_y = h - pad - qr_side
        text_w = w - 2 * pad
        top = qr_y - 2 * mm * s
        text_x = pad
    draw_qr(canvas, link, qr_x, qr_y, qr_side)
    # The quiet zone is white space inside the code's square: pull the text towards the visible modules.
    quiet = qr_side * 4 / qr_matrix(link).size
    if w >= h:
        text_w += quiet
    title_size, title_lines = _fit_lines(pack.title, FONT_BOLD, text_w, 15 * s, 7, 3)
    canvas.setFillColor(PRIMARY)
    y = _draw_lines(canvas, title_lines, FONT_BOLD, title_size, text_x, top, leading=1.15)
    # The ask is one sentence; on a narrow card it may wrap rather than shrink below easy reading size.
    ask_size, ask_lines = _fit_lines(ask, FONT, text_w, 10.5 * s, 7.5, 3)
    canvas.setFillColor(INK)
    _draw_lines(canvas, ask_lines, FONT, ask_size, text_x, y - 2 * mm * s, leading=1.25)
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, _fit_one_line(pack.organisation, FONT, text_w, 7 * s, 5))
    canvas.drawString(text_x, pad + band + 0.5 * mm, pack.organisation)


def _draw_crop_marks(canvas: Canvas, grid: CardGrid, page: tuple[float, float]) -> None:
    """Marks where to cut: outside the cards when the margin allows, else short ticks and crosses at the corners."""
    xs = [grid.x0 + i * grid.card_w for i in range(grid.cols + 1)]
    ys = [grid.y0 + j * grid.card_h for j in range(grid.rows + 1)]
    gap, arm = 1 * mm, 4 * mm
    margin_x, margin_y = grid.x0, grid.y0
    canvas.saveState()
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.3)
    for x in xs:
        if margin_y >= arm:
            reach = min(margin_y - 0.5 * mm, 7 * mm)
            canvas.line(x, ys[0] - gap, x, ys[0] - reach)
            canvas.line(x, ys[-1] + gap, x, ys[-1] + reach)
        elif 0 < xs.index(x) < len(xs) - 1:
            canvas.line(x, ys[0], x, ys[0] + arm)
            canvas.line(x, ys[-1], x, ys[-1] - arm)
    for y in ys:
        if margin_x >= arm:
            reach = min(margin_x - 0.5 * mm, 7 * mm)
            canvas.line(xs[0] - gap, y, xs[0] - reach, y)
            canvas.line(xs[-1] + gap, y, xs[-1] + reach, y)
        elif 0 < ys.index(y) < len(ys) - 1:
            canvas.line(xs[0], y, xs[0] + arm, y)
            canvas.line(xs[-1], y, xs[-1] - arm, y)
    half = arm / 2
    for x in xs[1:-1]:
        for y in ys[1:-1]:
            canvas.line(x - half, y, x + half, y)
            canvas.line(x, y - half, x, y + half)
    canvas.restoreState()


def flyers_pdf(pack: CampaignPack, link: str, *, paper: str = "A4", copies: int = 1, cards: int | None = None) -> bytes:
    """``copies`` identical sheets of cut-out cards (default: A7 cards that fill the sheet), each with the QR code.

    The card and the sheet are PDF form objects drawn once and placed on every page, so 100 sheets cost little
    more than one.
    """
    size = paper_size(paper)
    _check_copies(copies)
    grid = card_grid(size, cards or default_cards(paper))
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, size, f"{pack.title}: flyers", pack)
    canvas.beginForm("card", 0, 0, grid.card_w, grid.card_h)
    _draw_card(canvas, pack, link, grid.card_w, grid.card_h)
    canvas.endForm()
    canvas.beginForm("sheet", 0, 0, size[0], size[1])
    for x, y in grid.cells():
        canvas.saveState()
        canvas.translate(x, y)
        canvas.doForm("card")
        canvas.restoreState()
    _draw_crop_marks(canvas, grid, size)
    canvas.endForm()
    for _ in range(copies):
        canvas.doForm("sheet")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- poster --------------------------------------------------------------------------------------------------------


def recent_wins(wins: Sequence[WinCard], count: int = 3) -> list[WinCard]:
    """The ``count`` most recent cards of kind "win", newest first."""
    return sorted((card for card in wins if card.kind == "win"), key=lambda card: card.sort_key, reverse=True)[:count]


def format_win_date(date: str) -> str:
    """``2024-03-12`` -> ``12 March 2024``; ``2024-03`` -> ``March 2024``; ``2023`` -> ``2023``."""
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 1:
        return str(parts[0])
    month = dt.date(parts[0], parts[1], 1).strftime("%B")
    return f"{parts[2]} {month} {parts[0]}" if len(parts) == 3 else f"{month} {parts[0]}"


def _wins_block(wins: Sequence[WinCard], width: float, k: float) -> list[tuple[str, float, list[str], colors.Color]]:
    """The wins section as (font, size, lines, colour) paragraphs, measured before drawing."""
    block: list[tuple[str, float, list[str], colors.Color]] = []
    if not wins:
        return block
    block.append((FONT_BOLD, 20 * k, simpleSplit(WINS_HEADING, FONT_BOLD, 20 * k, width), SECONDARY))
    for card in wins:
        heading = f"{card.title} · {format_win_date(card.date)}"
        block.append((FONT_BOLD, 13 * k, simpleSplit(heading, FONT_BOLD, 13 * k, width), INK))
        block.append((FONT, 11 * k, simpleSplit(card.body, FONT, 11 * k, width), INK))
    return block


def _block_height(block: Sequence[tuple[str, float, list[str], colors.Color]]) -> float:
    return sum(size * 1.25 * len(lines) + size * 0.45 for _, size, lines, _ in block)


def poster_pdf(pack: CampaignPack, link: str, *, paper: str = "A4", copies: int = 1) -> bytes:
    """A portrait poster: headline, pitch, a large QR code to sign, and the three most recent wins."""
    size = paper_size(paper)
    _check_copies(copies)
    page_w, page_h = size
    k = page_w / A4[0]
    margin = 15 * mm * k
    width = page_w - 2 * margin
    wins = recent_wins(pack.wins)
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, size, f"{pack.title}: poster", pack)
    canvas.beginForm("poster", 0, 0, page_w, page_h)
    canvas.setFillColor(PRIMARY)
    canvas.rect(0, page_h - 8 * mm * k, page_w, 8 * mm * k, stroke=0, fill=1)
    headline_size, headline = _fit_lines(pack.title, FONT_BOLD, width, 46 * k, 20 * k, 3)
    canvas.setFillColor(PRIMARY)
    y = _draw_lines(canvas, headline, FONT_BOLD, headline_size, margin, page_h - 14 * mm * k, leading=1.1)
    pitch_size, pitch = _fit_lines(pack.pitch, FONT, width, 15 * k, 10 * k, 5)
    canvas.setFillColor(INK)
    y = _draw_lines(canvas, pitch, FONT, pitch_size, margin, y - 3 * mm * k, leading=1.3)

    wins_block = _wins_block(wins, width, k)
    wins_h = _block_height(wins_block)
    footer_h = 10 * mm * k
    bottom = margin + footer_h + (wins_h + 6 * mm * k if wins_block else 0)
    ask_size = 18 * k
    url = short_url(link)
    url_size = _fit_one_line(url, FONT_BOLD, width, 16 * k, 8)
    captions_h = ask_size * 1.4 + url_size * 1.6
    qr_side = max(40 * mm, min(width * 0.8, y - bottom - captions_h - 8 * mm * k))
    qr_top = y - 5 * mm * k
    canvas.setFillColor(SECONDARY)
    _draw_centred(canvas, SIGN_HEADING, FONT_BOLD, ask_size, page_w / 2, qr_top - ask_size)
    draw_qr(canvas, link, (page_w - qr_side) / 2, qr_top - ask_size * 1.4 - qr_side, qr_side)
    canvas.setFillColor(INK)
    _draw_centred(canvas, url, FONT_BOLD, url_size, page_w / 2, qr_top - ask_size * 1.4 - qr_side - url_size * 1.2)

    if wins_block:
        top = margin + footer_h + wins_h
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(1)
        canvas.line(margin, top + 3 * mm * k, page_w - margin, top + 3 * mm * k)
        for font, font_size, lines, colour in wins_block:
            canvas.setFillColor(colour)
            top = _draw_lines(canvas, lines, font, font_size, margin, top, leading=1.25) - font_size * 0.45
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 10 * k)
    canvas.drawString(margin, margin, pack.organisation)
    canvas.endForm()
    for _ in range(copies):
        canvas.doForm("poster")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- event summary -------------------------------------------------------------------------------------------------


def format_money(pence: int, currency: str) -> str:
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency)
    amount = f"{pence / 100:,.2f}"
    return f"{symbol}{amount}" if symbol else f"{amount} {currency}"


def _local(when: dt.datetime) -> str:
    return when.astimezone().strftime("%d %b %Y %H:%M")


def summary_rows(summary: EventSummary) -> list[tuple[str, str]]:
    """The counts table: (label, value) in print order."""
    one_off = summary.pledges - summary.monthly_pledges
    return [
        ("Signatures", str(summary.signatures)),
        ("  who want email updates", str(summary.email_optins)),
        ("  who want text updates", str(summary.sms_optins)),
        ("Pledges", str(summary.pledges)),
        ("  one-off", f"{one_off} ({format_money(summary.pledged_pence_one_off, summary.currency)})"),
        (
            "  monthly",
            f"{summary.monthly_pledges} ({format_money(summary.pledged_pence_monthly, summary.currency)} a month)",
        ),
        ("Gift Aid declarations", str(summary.gift_aid)),
    ]


FLOW_LABELS = {"sign": "Petition", "pledge": "Pledge", "attract": "Attract screen"}


def _activity_chart(summary: EventSummary, width: float, height: float) -> Drawing:
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 36, 42
    chart.width, chart.height = width - 46, height - 70
    buckets = summary.activity
    chart.data = [[b.signatures for b in buckets], [b.pledges for b in buckets]]
    fmt = "%H:%M" if summary.activity_unit == "hour" else "%d %b"
    labels = [b.start.strftime(fmt) for b in buckets]
    step = max(1, math.ceil(len(labels) / 16))
    chart.categoryAxis.categoryNames = [label if i % step == 0 else "" for i, label in enumerate(labels)]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 45 if len(labels) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 8 else "n"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    peak = max([*chart.data[0], *chart.data[1], 1])
    chart.valueAxis.valueMax = max(4, peak)
    chart.valueAxis.valueStep = max(1, math.ceil(max(4, peak) / 5))
    chart.bars[0].fillColor = PRIMARY
    chart.bars[1].fillColor = SECONDARY
    chart.bars.strokeColor = None
    chart.barSpacing = 1
    chart.groupSpacing = 4
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 36, height - 8
    legend.fontName = FONT
    legend.fontSize = 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.colorNamePairs = [(PRIMARY, "Signatures"), (SECONDARY, "Pledges")]
    drawing.add(legend)
    unit = "hour" if summary.activity_unit == "hour" else "day"
    drawing.add(String(width, height - 12, f"per {unit}, kiosk time", fontName=FONT, fontSize=8, textAnchor="end"))
    return drawing


def summary_pdf(pack: CampaignPack, summary: EventSummary, *, paper: str = "A4", copies: int = 1) -> bytes:
    """One page per copy: the event's counts, its funnel and a chart of activity by hour. No personal data."""
    from reportlab.graphics import renderPDF

    size = paper_size(paper)
    _check_copies(copies)
    page_w, page_h = size
    margin = 18 * mm
    width = page_w - 2 * margin
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, size, f"{pack.title}: {SUMMARY_TITLE.lower()} {summary.event_id}", pack)
    canvas.beginForm("summary", 0, 0, page_w, page_h)
    canvas.setFillColor(PRIMARY)
    y = _draw_lines(canvas, [SUMMARY_TITLE], FONT_BOLD, 24, margin, page_h - margin)
    canvas.setFillColor(INK)
    title_size, title_lines = _fit_lines(pack.title, FONT_BOLD, width, 14, 9, 2)
    y = _draw_lines(canvas, title_lines, FONT_BOLD, title_size, margin, y - 2 * mm)
    period = f"{_local(summary.first)} – {_local(summary.last)}" if summary.first and summary.last else "no records yet"
    facts = [
        f"Event: {summary.event_id}",
        f"Kiosk: {summary.kiosk_name}",
        f"Records from: {period}",
        f"Printed: {_local(summary.generated_at)}",
    ]
    canvas.setFillColor(MUTED)
    y = _draw_lines(canvas, facts, FONT, 10, margin, y - 2 * mm)

    y -= 6 * mm
    canvas.setFillColor(SECONDARY)
    y = _draw_lines(canvas, ["Totals"], FONT_BOLD, 14, margin, y)
    for label, value in summary_rows(summary):
        indented = label.startswith("  ")
        font = FONT if indented else FONT_BOLD
        canvas.setFillColor(MUTED if indented else INK)
        canvas.setFont(font, 11)
        y -= 15
        canvas.drawString(margin + (6 * mm if indented else 0), y, label.strip())
        canvas.drawRightString(margin + width * 0.62, y, value)

    y -= 10 * mm
    canvas.setFillColor(SECONDARY)
    y = _draw_lines(canvas, ["Funnel"], FONT_BOLD, 14, margin, y)
    columns = [margin, margin + width * 0.30, margin + width * 0.45, margin + width * 0.62, margin + width * 0.80]
    headings = ["", "Started", "Completed", "Walked away", "Completed %"]
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT_BOLD, 9)
    y -= 14
    for x, heading in zip(columns, headings, strict=True):
        canvas.drawString(x, y, heading)
    canvas.setFillColor(INK)
    for stage in summary.funnel:
        y -= 15
        rate = stage.completion_rate
        cells = [
            FLOW_LABELS.get(stage.flow, stage.flow),
            str(stage.started),
            str(stage.completed),
            str(stage.abandoned),
            "–" if rate is None else f"{rate:.0%}",
        ]
        for index, (x, cell) in enumerate(zip(columns, cells, strict=True)):
            canvas.setFont(FONT_BOLD if index == 0 else FONT, 11)
            canvas.drawString(x, y, cell)

    y -= 10 * mm
    canvas.setFillColor(SECONDARY)
    y = _draw_lines(canvas, ["Activity"], FONT_BOLD, 14, margin, y)
    chart_h = min(85 * mm, y - margin - 14 * mm)
    if summary.activity:
        renderPDF.draw(_activity_chart(summary, width, chart_h), canvas, margin, y - chart_h)
    else:
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 11)
        canvas.drawString(margin, y - 16, "Nothing signed or pledged at this event yet.")
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 9)
    canvas.drawString(margin, margin, NO_PERSONAL_DATA)
    canvas.endForm()
    for _ in range(copies):
        canvas.doForm("summary")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
