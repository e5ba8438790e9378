"""Wins card pictures through image://cardimage (kiosk/bridge/card_images.py): drawn as Qt draws the SVG, kept in
the data dir, read back exactly, and drawn again when the kept copy is damaged or the picture changed."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication, QImage, QImageReader

from kiosk.bridge.card_images import CACHE_DIR, CardImageProvider, fitted_size
from kiosk.campaign import load_campaign

PACK = load_campaign("hikvision")
CAMERA = PACK.path / "images" / "camera.svg"


def _request(provider: CardImageProvider, file: Path, side: int = 64) -> QImage:
    size = QSize()
    image = provider.requestImage(quote(file.resolve().as_uri(), safe=""), size, QSize(side, side))
    assert (size.width(), size.height()) == (image.width(), image.height())
    return image


def _drawn_by_qt(file: Path, side: int) -> QImage:
    reader = QImageReader(str(file))
    reader.setScaledSize(QSize(side, side))
    return reader.read().convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


def _pack_copy(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "camera.svg").write_bytes(CAMERA.read_bytes())
    return pack


@pytest.mark.parametrize("side", [51, 64])
def test_a_picture_is_drawn_kept_and_read_back_exactly(tmp_path: Path, qapp: QGuiApplication, side: int) -> None:
    cache = tmp_path / CACHE_DIR
    first = _request(CardImageProvider(PACK.path, cache), CAMERA, side)
    assert first == _drawn_by_qt(CAMERA, side)
    (kept,) = cache.iterdir()
    again = _request(CardImageProvider(PACK.path, cache), CAMERA, side)
    assert again == first
    assert list(cache.iterdir()) == [kept]


def test_a_damaged_kept_picture_is_drawn_again_and_rewritten(tmp_path: Path, qapp: QGuiApplication) -> None:
    cache = tmp_path / CACHE_DIR
    right = _request(CardImageProvider(PACK.path, cache), CAMERA)
    (kept,) = cache.iterdir()
    whole = kept.read_bytes()
    for damaged in (whole[:-1], whole[:20], b"KCI1 64 64 256\n" + whole[40:], b"\x00" * 10, b"KCI1 6x 64 256\n"):
        kept.write_bytes(damaged)
        assert _request(CardImageProvider(PACK.path, cache), CAMERA) == right
        assert kept.read_bytes() == whole


def test_a_changed_picture_is_drawn_again(tmp_path: Path, qapp: QGuiApplication) -> None:
    pack = _pack_copy(tmp_path)
    cache = tmp_path / CACHE_DIR
    picture = pack / "camera.svg"
    camera = _request(CardImageProvider(pack, cache), picture)
    picture.write_bytes((PACK.path / "images" / "basket.svg").read_bytes())
    os.utime(picture, ns=(1, 1))
    basket = _request(CardImageProvider(pack, cache), picture)
    assert basket == _drawn_by_qt(picture, 64) and basket != camera
    assert len(list(cache.iterdir())) == 2


def test_only_pictures_of_the_pack_are_served(tmp_path: Path, qapp: QGuiApplication) -> None:
    other = _pack_copy(tmp_path) / "camera.svg"
    image = _request(CardImageProvider(PACK.path, tmp_path / CACHE_DIR), other)
    assert image.isNull()
    assert not (tmp_path / CACHE_DIR).exists()


def test_a_cache_that_cannot_be_written_only_means_drawing_again(tmp_path: Path, qapp: QGuiApplication) -> None:
    (tmp_path / CACHE_DIR).write_text("not a folder", encoding="utf-8")
    image = _request(CardImageProvider(PACK.path, tmp_path / CACHE_DIR), CAMERA)
    assert image == _drawn_by_qt(CAMERA, 64)
    assert sorted(p.name for p in tmp_path.iterdir()) == [CACHE_DIR]
    assert _request(CardImageProvider(PACK.path, None), CAMERA) == image


def test_fitted_size_keeps_the_shape() -> None:
    assert fitted_size(QSize(96, 96), QSize(64, 64)) == QSize(64, 64)
    assert fitted_size(QSize(200, 100), QSize(64, 64)) == QSize(64, 32)
    assert fitted_size(QSize(100, 200), QSize(64, 0)) == QSize(64, 128)
    assert fitted_size(QSize(96, 96), QSize(0, 0)) == QSize(96, 96)
