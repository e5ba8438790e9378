"""``image://cardimage/<percent-encoded file URL>``: a wins card's picture, drawn at the size QML asks for.

The pictures are SVGs in the campaign pack. Loading the first one loads Qt's image plugins and its SVG module
(~10 ms), and the attract screen's first card shows one on the first frame. So each picture, once drawn at a size, is
kept as raw pixels in ``<data dir>/card-images/`` and read back from there by later starts without any image
plugin. A kept picture is named by a checksum of the file's path, size and time, the size drawn and the Qt version,
so a changed picture is drawn again; a damaged one is drawn again and rewritten. Pack pictures only, no personal data.
"""

from __future__ import annotations

import logging
import zlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PySide6.QtCore import QSize, qVersion
from PySide6.QtGui import QImage
from PySide6.QtQml import QQmlImageProviderBase
from PySide6.QtQuick import QQuickImageProvider

from kiosk.kept_files import keep_file

log = logging.getLogger(__name__)

PROVIDER_NAME = "cardimage"
CACHE_DIR = "card-images"
# Kept pictures beyond this many (a few sizes of each of a pack's pictures) are dropped, oldest first.
KEEP = 64
_MAGIC = b"KCI1"


def fitted_size(original: QSize, wanted: QSize) -> QSize:
    """``original`` scaled to fit inside ``wanted`` keeping its shape (``wanted`` of 0 in one direction leaves that
    one free), or ``original`` when nothing is wanted: the size an ``Image`` with ``PreserveAspectFit`` and that
    ``sourceSize`` draws a scalable picture at."""
    if original.isEmpty() or (wanted.width() <= 0 and wanted.height() <= 0):
        return QSize(original)
    ratios = []
    if wanted.width() > 0:
        ratios.append(wanted.width() / original.width())
    if wanted.height() > 0:
        ratios.append(wanted.height() / original.height())
    ratio = min(ratios)
    return QSize(max(1, round(original.width() * ratio)), max(1, round(original.height() * ratio)))


class CardImageProvider(QQuickImageProvider):
    """Serves ``image://cardimage/<percent-encoded file URL>`` for pictures inside ``pack_dir``; ``cache_dir``
    None draws every time."""

    def __init__(self, pack_dir: Path, cache_dir: Path | None) -> None:
        super().__init__(QQmlImageProviderBase.ImageType.Image)
        self._pack_dir = pack_dir.resolve()
        self._cache_dir = cache_dir

    def requestImage(self, id: str, size: QSize, requestedSize: QSize) -> QImage:  # noqa: N803  (Qt's names)
        # Qt passes the id "pretty decoded" (kiosk/bridge/qr_provider.py says how): one unquote restores the file URL,
        # a second its path.
        path = Path(unquote(urlsplit(unquote(id)).path))
        image = self._picture(path, requestedSize)
        size.setWidth(image.width())
        size.setHeight(image.height())
        return image

    def _picture(self, path: Path, wanted: QSize) -> QImage:
        try:
            path = path.resolve()
            info = path.stat() if path.is_relative_to(self._pack_dir) else None
        except (OSError, ValueError):
            info = None
        if info is None:
            log.error("not a picture of the campaign pack: %s", path)
            return QImage()
        key = f"{path}|{info.st_size}|{info.st_mtime_ns}|{wanted.width()}x{wanted.height()}|{qVersion()}"
        key = key.replace("\n", " ")
        kept = None if self._cache_dir is None else self._cache_dir / f"{zlib.crc32(key.encode('utf-8')):08x}.raw"
        if kept is not None:
            image = _read_kept(kept, key)
            if image is not None:
                return image
        image = _draw(path, wanted)
        if kept is not None and not image.isNull():
            _keep(kept, key, image)
        return image


def _draw(path: Path, wanted: QSize) -> QImage:
    from PySide6.QtGui import QImageReader

    reader = QImageReader(str(path))
    reader.setScaledSize(fitted_size(reader.size(), wanted))
    image = reader.read()
    if image.isNull():
        log.error("cannot draw %s: %s", path.name, reader.errorString())
        return image
    return image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


def _read_kept(file: Path, key: str) -> QImage | None:
    """The picture kept in ``file`` for ``key``, or None when the file is missing, damaged or for another key."""
    try:
        data = file.read_bytes()
    except OSError:
        return None
    header, newline, pixels = data.partition(b"\n")
    parts = header.split(b" ")
    if not newline or len(parts) != 4 or parts[0] != _MAGIC:
        return None
    try:
        width, height, stride = (int(p) for p in parts[1:])
    except ValueError:
        return None
    stored_key, newline, rest = pixels.partition(b"\n")
    if not newline or stored_key != key.encode("utf-8"):
        return None
    if width <= 0 or height <= 0 or stride < 4 * width or len(rest) != stride * height:
        return None
    # copy(): the image then owns its pixels instead of pointing into a bytes object that Python may free.
    return QImage(rest, width, height, stride, QImage.Format.Format_ARGB32_Premultiplied).copy()


def _keep(file: Path, key: str, image: QImage) -> None:
    """Write ``image`` to ``file`` (through a .part file); a read-only or full disk only means drawing it again."""
    pixels = bytes(image.constBits())[: image.bytesPerLine() * image.height()]
    header = b"%s %d %d %d\n" % (_MAGIC, image.width(), image.height(), image.bytesPerLine())
    try:
        file.parent.mkdir(exist_ok=True)
    except OSError as exc:
        log.debug("could not keep a card picture in %s: %s", file.parent, exc)
        return
    if not keep_file(file, header + key.encode("utf-8") + b"\n" + pixels, "a card picture"):
        return
    try:
        kept = sorted(file.parent.glob("*.raw"), key=lambda p: p.stat().st_mtime_ns)
        for old in kept[: max(0, len(kept) - KEEP)]:
            old.unlink()
    except OSError as exc:
        log.debug("could not drop old card pictures in %s: %s", file.parent, exc)
