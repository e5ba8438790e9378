"""``image://qr/<percent-encoded text>``: QR codes for QML, drawn from the module matrix at the size asked for.

In QML give the Image a ``sourceSize`` equal to its size and ``smooth: false``; the provider then paints each
module onto whole pixels at exactly that size, so the code stays sharp at any size instead of being a small bitmap
scaled up. Build the source with :func:`qr_image_source` in Python, or ``"image://qr/" + encodeURIComponent(text)``
in QML.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, unquote

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtQml import QQmlImageProviderBase
from PySide6.QtQuick import QQuickImageProvider

from kiosk.printing.qr import qr_matrix

log = logging.getLogger(__name__)

PROVIDER_NAME = "qr"
# Pixels per module when QML does not say how big (no sourceSize): large enough to scan from a screen.
DEFAULT_MODULE_PX = 8
# Greyscale pixel values of a dark and a light module.
_DARK, _LIGHT = b"\x00", b"\xff"


def qr_image_source(text: str) -> str:
    """The ``Image.source`` that shows a QR code of ``text``."""
    return f"image://{PROVIDER_NAME}/{quote(text, safe='')}"


def render_qr(text: str, side: int) -> QImage:
    """A ``side`` x ``side`` greyscale image of the QR code for ``text``: black modules on white, no smoothing.

    Module edges fall on whole pixels (edge ``i`` at ``round(i * side / modules)``), so no module is blurred;
    modules differ in width by at most one pixel when ``side`` is not a multiple of the module count.

    The pixels are written as bytes rather than painted: every QPainter fill and QImage.fill call makes PySide load
    its whole Qt namespace (~13 ms) to choose an overload, and the attract screen draws this code before its first
    frame.

    Raises:
        ValueError: ``text`` cannot be encoded (empty or too long).
    """
    matrix = qr_matrix(text)
    modules = matrix.size
    side = max(side, modules)
    edges = [round(i * side / modules) for i in range(modules + 1)]
    widths = [edges[x + 1] - edges[x] for x in range(modules)]
    stride = (side + 3) & ~3  # scan lines 32-bit aligned, as QImage expects
    padding = bytes(stride - side)
    pixels = bytearray()
    for y, row in enumerate(matrix.rows):
        line = b"".join((_DARK if dark else _LIGHT) * width for dark, width in zip(row, widths, strict=True))
        pixels += (line + padding) * (edges[y + 1] - edges[y])
    return _grey_image(bytes(pixels), side, stride)


def _grey_image(pixels: bytes, side: int, stride: int) -> QImage:
    # copy(): the image then owns its pixels instead of pointing into a bytes object that Python may free.
    return QImage(pixels, side, side, stride, QImage.Format.Format_Grayscale8).copy()


def _blank(side: int) -> QImage:
    stride = (side + 3) & ~3
    return _grey_image(_LIGHT * (stride * side), side, stride)


class QrImageProvider(QQuickImageProvider):
    """Serves ``image://qr/<percent-encoded text>``."""

    def __init__(self) -> None:
        super().__init__(QQmlImageProviderBase.ImageType.Image)

    def requestImage(self, id: str, size: QSize, requestedSize: QSize) -> QImage:  # noqa: N803  (Qt's names)
        # Qt passes the id "pretty decoded" (spaces and non-ASCII decoded, reserved characters and %25 still
        # encoded), so one unquote restores the text exactly, including a literal "%20" inside it.
        text = unquote(id)
        wanted = min(requestedSize.width(), requestedSize.height())
        if wanted <= 0:
            wanted = max(requestedSize.width(), requestedSize.height())
        try:
            if wanted <= 0:
                wanted = qr_matrix(text).size * DEFAULT_MODULE_PX
            image = render_qr(text, wanted)
        except ValueError as exc:
            # A blank square rather than a broken image: the layout keeps its shape and the log says why.
            log.error("cannot draw a QR code: %s", exc)
            image = _blank(max(wanted, 1))
        size.setWidth(image.width())
        size.setHeight(image.height())
        return image
