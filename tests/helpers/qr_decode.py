"""Reading QR codes back with a real decoder (zxing-cpp), from Qt images, PIL images and PDF pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image


def qimage_to_pil(image: Any) -> Image.Image:
    """A QImage (any format, transparent or not) as an RGB PIL image composited onto white."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage, QPainter

    flat = QImage(image.size(), QImage.Format.Format_RGB32)
    flat.fill(QColor("white"))
    painter = QPainter(flat)
    painter.drawImage(0, 0, image)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert flat.save(buffer, "PNG")
    buffer.close()
    import io

    return Image.open(io.BytesIO(bytes(data.data()))).convert("RGB")


def decode_qr_texts(image: Image.Image) -> list[str]:
    """Every QR code zxing-cpp finds in the image, as text, left to right then top to bottom."""
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    ordered = sorted(results, key=lambda r: (r.position.top_left.y // 20, r.position.top_left.x))
    return [r.text for r in ordered]


def render_pdf_pages(path: Path, dpi: int = 150) -> list[Image.Image]:
    """Every page of a PDF rasterised with QtPdf and composited onto white (QPdfDocument renders transparent)."""
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_, f"QtPdf cannot load {path}"
    pages = []
    for index in range(doc.pageCount()):
        points = doc.pagePointSize(index)
        size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
        pages.append(qimage_to_pil(doc.render(index, size)))
    doc.close()
    return pages
