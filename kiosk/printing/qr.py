"""QR codes as module matrices, and the attributed links they carry (no Qt, no drawing).

Screens (``kiosk/bridge/qr_provider.py``) and PDFs (``kiosk/printing/pdfs.py``) both draw from
:func:`qr_matrix`, so a code looks the same on glass and on paper: error correction M, a 4-module quiet zone.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from kiosk.campaign import CampaignPack
from kiosk.config import KioskConfig

# qrcode's package imports Pillow (~15 ms, before the attract screen's first frame) only to offer its styled PIL
# drawers "for backwards compatibility", inside a try/except ImportError; the matrix needs none of it. A None entry in
# sys.modules makes just that optional import fail, and dropping the entry afterwards lets anything that does want
# those drawers (qrcode.image.styledpil) import them as usual.
_PIL_DRAWERS = "qrcode.image.styles.moduledrawers.pil"
_SKIP_PIL = "qrcode" not in sys.modules and _PIL_DRAWERS not in sys.modules
if _SKIP_PIL:
    sys.modules[_PIL_DRAWERS] = None  # type: ignore[assignment]
try:
    import qrcode
    import qrcode.constants
    import qrcode.exceptions
finally:
    if _SKIP_PIL:
        del sys.modules[_PIL_DRAWERS]

QUIET_ZONE = 4
# M restores up to ~15 % damage: enough for a creased flyer or a smudged screen, and the code stays small.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M

ATTRIBUTION_KEYS = ("utm_source", "utm_medium", "utm_campaign")


@dataclass(frozen=True)
class QrMatrix:
    """The modules of one QR code, quiet zone included: ``rows[y][x]`` is True for a dark module."""

    text: str
    rows: tuple[tuple[bool, ...], ...]

    @property
    def size(self) -> int:
        """Modules per side, quiet zone included."""
        return len(self.rows)

    def dark_runs(self) -> list[tuple[int, int, int]]:
        """Horizontal runs of dark modules as ``(row, first column, length)``.

        Drawing runs instead of single modules leaves no hairline seams between neighbours and draws ~3x fewer
        shapes in PDFs. (Screens write the pixels directly, see ``kiosk/bridge/qr_provider.py``.)
        """
        runs: list[tuple[int, int, int]] = []
        for y, row in enumerate(self.rows):
            x = 0
            width = len(row)
            while x < width:
                if row[x]:
                    start = x
                    while x < width and row[x]:
                        x += 1
                    runs.append((y, start, x - start))
                else:
                    x += 1
        return runs


@lru_cache(maxsize=64)
def qr_matrix(text: str) -> QrMatrix:
    """The QR code for ``text`` (smallest version that fits, error correction M, 4-module quiet zone).

    Cached: a flyer sheet draws the same link many times, and the attract screen asks again on every resize.

    Raises:
        ValueError: ``text`` is empty or too long for any QR version.
    """
    if not text:
        raise ValueError("a QR code needs some text")
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE)
    code.add_data(text)
    try:
        code.make(fit=True)
    except (qrcode.exceptions.DataOverflowError, ValueError):  # qrcode 8 says "Invalid version" past version 40
        raise ValueError(f"{len(text)} characters are too many for a QR code") from None
    return QrMatrix(text=text, rows=tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix()))


def attributed_url(url: str, *, source: str, medium: str, campaign: str) -> str:
    """``url`` with ``utm_source``/``utm_medium``/``utm_campaign`` set, so the campaign can see what a stall brought in.

    The link's own query parameters stay as they are and in their order; attribution parameters already in the
    link are replaced, so a pack that carries its own utm values is not counted twice. Empty values are left out.
    Values are percent-encoded (a space becomes ``%20``).
    """
    parts = urlsplit(url)
    kept = [pair for pair in parse_qsl(parts.query, keep_blank_values=True) if pair[0] not in ATTRIBUTION_KEYS]
    own = [(key, value) for key, value in zip(ATTRIBUTION_KEYS, (source, medium, campaign), strict=True) if value]
    if len(kept) == len(parse_qsl(parts.query, keep_blank_values=True)):
        # Nothing replaced: keep the original query text byte for byte rather than re-encoding it.
        query = "&".join(p for p in (parts.query, urlencode(own, quote_via=quote)) if p)
    else:
        query = urlencode([*kept, *own], quote_via=quote)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def short_url(url: str) -> str:
    """The link as people type it: host and path, without scheme, ``www.`` or query (for print next to a code)."""
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    return f"{host}{parts.path}".rstrip("/")


def petition_link(pack: CampaignPack, config: KioskConfig, event_id: str) -> str:
    """The online petition, attributed: source from the config, medium the event, campaign the pack."""
    return attributed_url(pack.petition.url, source=config.utm_source, medium=event_id, campaign=pack.id)
