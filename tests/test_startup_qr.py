"""The attract screen's QR code is written pixel by pixel (no QPainter, which would load PySide's Qt namespace before
the first frame): every pixel must still be exactly the module it lies in, at any size."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication, QImage

from kiosk.bridge.qr_provider import QrImageProvider, render_qr
from kiosk.printing.qr import qr_matrix
from tests.helpers.qr_decode import decode_qr_texts, qimage_to_pil

LINK = "https://act.example.org/petitions/hikvision-out?utm_source=kiosk&utm_medium=test-event&utm_campaign=hikvision"


@pytest.mark.parametrize("side", [37, 101, 222, 333, 360, 401])
def test_every_pixel_is_its_module(side: int, qapp: QGuiApplication) -> None:
    matrix = qr_matrix(LINK)
    modules = matrix.size
    image = render_qr(LINK, side)
    side = max(side, modules)
    assert (image.width(), image.height()) == (side, side)
    module_at = [0] * side  # which module each pixel column (and row) lies in, by the edges render_qr promises
    for i in range(modules):
        for pixel in range(round(i * side / modules), round((i + 1) * side / modules)):
            module_at[pixel] = i
    wrong = [
        (x, y)
        for y in range(side)
        for x in range(side)
        if image.pixelColor(x, y).lightness() != (0 if matrix.rows[module_at[y]][module_at[x]] else 255)
    ]
    assert wrong == []
    assert decode_qr_texts(qimage_to_pil(image)) == [LINK]


def test_text_that_cannot_be_encoded_gives_a_white_square(qapp: QGuiApplication) -> None:
    from PySide6.QtCore import QSize

    size = QSize()
    image = QrImageProvider().requestImage("x" * 5000, size, QSize(120, 120))
    assert (size.width(), size.height()) == (120, 120)
    assert image.format() == QImage.Format.Format_Grayscale8
    assert {image.pixelColor(x, y).lightness() for x in range(120) for y in range(120)} == {255}
