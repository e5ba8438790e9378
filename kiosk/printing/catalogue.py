"""What print settings may be: the paper sizes, the copy limit, and the error for settings that cannot be honoured.

Kept apart from kiosk.printing.pdfs (reportlab) so the print panel's view model can list them before the first
frame without loading reportlab (issue 2).
"""

from __future__ import annotations

# PostScript points, worked out exactly as reportlab.lib.pagesizes does (tests/test_startup_imports.py compares).
_INCH = 72.0
_MM = _INCH / 2.54 * 0.1

PAPER_SIZES: dict[str, tuple[float, float]] = {
    "A4": (210 * _MM, 297 * _MM),
    "A3": (297 * _MM, 420 * _MM),
    "Letter": (8.5 * _INCH, 11 * _INCH),
}
MAX_COPIES = 500


class PrintError(ValueError):
    """A document cannot be made with these settings (unknown paper, too many copies, text that does not fit)."""
