"""QR codes as module matrices, and the attributed links they carry (no Qt, no drawing).

Screens (``kiosk/bridge/qr_provider.py``) and PDFs (``kiosk/printing/pdfs.py``) both draw from
:func:`qr_matrix`, so a code looks the same on glass and on paper: error correction M, a 4-module quiet zone.

Making a matrix takes ~16 ms (and importing qrcode ~8 ms), and the attract screen's petition code is needed before
its first frame: the kiosk keeps that one matrix in its data dir (:func:`load_matrix`, :func:`save_matrix`).
"""

from __future__ import annotations

import logging
import sys
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from kiosk.campaign import CampaignPack
from kiosk.config import KioskConfig
from kiosk.kept_files import keep_file

log = logging.getLogger(__name__)

QUIET_ZONE = 4
# Modules per side of the smallest and the largest QR code (versions 1 and 40), quiet zone included.
_SIDES = range(21 + 2 * QUIET_ZONE, 177 + 2 * QUIET_ZONE + 1, 4)

ATTRIBUTION_KEYS = ("utm_source", "utm_medium", "utm_campaign")


class QrMatrix(NamedTuple):
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
    known = _loaded.get(text)
    if known is not None:
        return known
    _import_qrcode()
    import qrcode
    import qrcode.constants
    import qrcode.exceptions

    # M restores up to ~15 % damage: enough for a creased flyer or a smudged screen, and the code stays small.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(text)
    try:
        code.make(fit=True)
    except (qrcode.exceptions.DataOverflowError, ValueError):  # qrcode 8 says "Invalid version" past version 40
        raise ValueError(f"{len(text)} characters are too many for a QR code") from None
    return QrMatrix(text=text, rows=tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix()))


def _import_qrcode() -> None:
    """Import qrcode without Pillow.

    qrcode's package imports Pillow (~15 ms) only to offer its styled PIL drawers "for backwards compatibility",
    inside a try/except ImportError; the matrix needs none of it. A None entry in sys.modules makes just that optional
    import fail, and dropping the entry afterwards lets anything that does want those drawers
    (qrcode.image.styledpil) import them as usual.
    """
    drawers = "qrcode.image.styles.moduledrawers.pil"
    if "qrcode" in sys.modules or drawers in sys.modules:
        return
    sys.modules[drawers] = None  # type: ignore[assignment]
    try:
        import qrcode  # noqa: F401
    finally:
        del sys.modules[drawers]


# Matrices read back by load_matrix; qr_matrix returns them instead of making them again.
_loaded: dict[str, QrMatrix] = {}


def load_matrix(path: Path, text: str) -> bool:
    """Take the matrix for ``text`` from ``path`` (written by :func:`save_matrix`), if it holds that text's matrix.

    Returns whether it did; a missing, stale or damaged file only means qr_matrix makes the matrix itself.
    """
    try:
        stored, *lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    side = len(lines)
    if stored != text or side not in _SIDES or any(len(line) != side or line.strip("01") for line in lines):
        return False
    _loaded[text] = QrMatrix(text=text, rows=tuple(tuple(c == "1" for c in line) for line in lines))
    return True


def save_matrix(path: Path, text: str) -> None:
    """Keep the matrix for ``text`` in ``path`` for the next start (the text on the first line, then one line of 0
    and 1 per row), unless the file holds it already. Only for public texts (the petition link): the file is plain.
    Cannot fail: a read-only or full disk only means the next start makes the matrix again."""
    if text in _loaded:
        return
    matrix = qr_matrix(text)
    lines = [text, *("".join("1" if dark else "0" for dark in row) for row in matrix.rows)]
    if keep_file(path, ("\n".join(lines) + "\n").encode("utf-8"), "the QR code"):
        _loaded[text] = matrix


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
