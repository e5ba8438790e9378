"""Benchmark: 100 pages of QR flyers (8 A7 cards each), against reportlab drawing the same pages of plain text.

The figure is the whole flyer document as the print command makes it: fonts embedded, QR matrix built (cache
cleared first), vector codes, crop marks. The floor is reportlab writing the same number of A4 pages with eight
boxes and eight lines of text each, drawn directly, with no QR codes: the least any reportlab document of that
size costs here. Issue 8 asks for 100 pages in under 3 s.

Run: ``.venv/bin/python bench/bench_flyers.py [--pages N] [--repeat R]``. Prints figure, floor and their ratio.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from kiosk.campaign import load_campaign
from kiosk.config import KioskConfig
from kiosk.printing import pdfs
from kiosk.printing.qr import petition_link, qr_matrix

TARGET_S = 3.0


def plain_pages(pages: int) -> bytes:
    """The floor: same page count, eight boxes and eight lines of text per page, no QR codes, no forms."""
    pdfs.register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    grid = pdfs.card_grid(A4, 8)
    for _ in range(pages):
        for x, y in grid.cells():
            canvas.rect(x + 10, y + 10, grid.card_w - 20, grid.card_h - 20)
            canvas.setFont(pdfs.FONT_BOLD, 13)
            canvas.drawString(x + 14, y + grid.card_h - 30, "Get Hikvision out of the UK")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def flyers(pages: int) -> bytes:
    pack = load_campaign("hikvision")
    link = petition_link(pack, KioskConfig(), "bench-event")
    qr_matrix.cache_clear()
    return pdfs.flyers_pdf(pack, link, copies=pages)


def timed(make: object, pages: int, repeat: int) -> tuple[float, int]:
    """Median seconds over ``repeat`` runs, and the PDF size."""
    assert callable(make)
    times, size = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        size = len(make(pages))
        times.append(time.perf_counter() - t0)
    return statistics.median(times), size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    pdfs.register_fonts()  # once per process for both, like the kiosk
    flyers(1)  # warm imports
    floor, floor_size = timed(plain_pages, args.pages, args.repeat)
    figure, size = timed(flyers, args.pages, args.repeat)
    verdict = "met" if figure < TARGET_S else "MISSED"
    print(f"flyers, {args.pages} A4 pages x 8 A7 cards with vector QR codes: {figure:.3f} s ({size / 1024:.0f} KiB)")
    print(f"floor (reportlab, same pages of 8 boxes + text, no QR): {floor:.3f} s ({floor_size / 1024:.0f} KiB)")
    print(f"ratio: {figure / floor:.2f}x the floor; target under {TARGET_S:.0f} s: {verdict}")
    # Below 1x is expected: the flyer sheet is a PDF form drawn once and placed on every page, while the floor
    # draws each page's boxes and text anew.
    return 0 if figure < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
