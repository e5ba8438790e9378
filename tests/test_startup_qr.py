"""The attract screen's QR code is written pixel by pixel (no QPainter, which would load PySide's Qt namespace before
the first frame): every pixel must still be exactly the module it lies in, at any size. And its matrix is kept in the
data dir for the next start (making it costs ~25 ms with qrcode's import): read back exactly, or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication, QImage

from kiosk.bridge.controller import KioskController
from kiosk.bridge.qr_provider import QrImageProvider, render_qr
from kiosk.printing import qr
from kiosk.printing.qr import qr_matrix
from tests.helpers.kiosk import set_up_database
from tests.helpers.qr_decode import decode_qr_texts, qimage_to_pil
from tests.helpers.startup import OPTIONS
from tests.test_startup_imports import FIRST_FRAME, modules_after

LINK = "https://act.example.org/petitions/hikvision-out?utm_source=kiosk&utm_medium=test-event&utm_campaign=hikvision"


@pytest.fixture(autouse=True)
def _fresh_matrices() -> Iterator[None]:
    qr._loaded.clear()
    qr_matrix.cache_clear()
    yield
    qr._loaded.clear()
    qr_matrix.cache_clear()


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


def test_a_kept_matrix_is_read_back_exactly_and_drawn_as_the_link(tmp_path: Path, qapp: QGuiApplication) -> None:
    path = tmp_path / "petition-qr.txt"
    qr.save_matrix(path, LINK)
    made = qr_matrix(LINK)
    assert path.read_text(encoding="utf-8").splitlines()[0] == LINK
    qr._loaded.clear()
    qr_matrix.cache_clear()
    assert qr.load_matrix(path, LINK)
    read_back = qr_matrix(LINK)
    assert read_back.rows == made.rows
    assert read_back is qr._loaded[LINK]  # taken from the file, not made again
    assert decode_qr_texts(qimage_to_pil(render_qr(LINK, 300))) == [LINK]


def test_a_stale_or_damaged_file_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "petition-qr.txt"
    assert not qr.load_matrix(path, LINK)  # missing
    qr.save_matrix(path, LINK)
    assert path.is_file()
    qr._loaded.clear()
    assert not qr.load_matrix(path, LINK + "&x=1")  # another link
    lines = path.read_text(encoding="utf-8").splitlines()
    for damaged in (lines[:-1], [*lines[:5], lines[5][:-1], *lines[6:]], [*lines[:5], lines[5].replace("0", "2")]):
        path.write_text("\n".join(damaged) + "\n", encoding="utf-8")
        assert not qr.load_matrix(path, LINK)
    path.write_bytes(b"\xff\xfe\x00")
    assert not qr.load_matrix(path, LINK)
    assert LINK not in qr._loaded


def test_keeping_the_matrix_where_it_cannot_be_written_only_skips_it(tmp_path: Path) -> None:
    (tmp_path / "petition-qr.txt").mkdir()  # the file cannot replace it (chmod would not stop root)
    (tmp_path / "petition-qr.txt" / "other").touch()
    qr.save_matrix(tmp_path / "petition-qr.txt", LINK)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["other", "petition-qr.txt"]
    assert LINK not in qr._loaded


def test_second_start_draws_the_petition_code_without_qrcode(tmp_path: Path) -> None:
    """The first start keeps the first frame's petition matrix in the data dir; the next one reads it back."""
    set_up_database(tmp_path)
    assert "qrcode" in modules_after(FULL_START, tmp_path)
    kept = (tmp_path / KioskController.PETITION_QR_FILE).read_text(encoding="utf-8").splitlines()
    first_link = "https://act.example.org/petitions/hikvision-out?utm_source=kiosk&utm_campaign=hikvision"
    assert kept[0] == first_link
    assert kept[1:] == ["".join("1" if dark else "0" for dark in row) for row in qr_matrix(first_link).rows]
    assert "qrcode" not in modules_after(FIRST_FRAME, tmp_path)


FULL_START = (
    OPTIONS
    + """
from kiosk.app import KioskWindow, create_application
app = create_application()
window = KioskWindow(options)
window.start_storage_now()
window.close()
print(json.dumps(sorted(sys.modules)))
"""
)
