"""The wins cards' fitted body size, kept in the data dir between starts (no Qt).

The carousel shows every card at the largest body size at which the longest one fits. Measuring that takes hidden
copies of every card (~20 ms, a tenth of the start), so the kiosk keeps what it measured in
``<data dir>/wins-fit.txt``, per layout (the carousel's size, scale, font and language), under a signature of
everything else the fit depends on (the cards' text, the card's QML, the fonts, the Qt version). The next start
shows its first frame at the kept size and measures again right after it: a kept size that no longer fits is
corrected and the file rewritten. The file holds only sizes and a checksum of public pack text, no personal data:
the signature on the first line, then one ``<size><TAB><layout>`` line per layout (plain text, so reading it needs
no json import before the first frame).
"""

from __future__ import annotations

import logging
import math
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from kiosk.kept_files import keep_file
from kiosk.wins import WinCard

log = logging.getLogger(__name__)

FIT_FILE = "wins-fit.txt"
# Layouts kept: a kiosk has one screen; a few more cover a window resized now and then without growing the file.
KEEP = 4
_LARGEST = 1000.0


def layout_signature(cards: Sequence[WinCard], files: Iterable[Path], *parts: str) -> str:
    """A checksum of what a fit depends on besides the layout key: every card's shown text and image, the size and
    time of ``files`` (the card's QML, the fonts) and ``parts`` (the Qt version). A change in any means measuring
    again. A missing file counts as such, not as an error."""
    stats: list[tuple[str, int, int]] = []
    for file in files:
        try:
            info = file.stat()
        except OSError:
            stats.append((file.name, -1, -1))
        else:
            stats.append((file.name, info.st_size, info.st_mtime_ns))
    shown = [[c.kind, c.date_text, c.title, c.body, c.source, c.image] for c in cards]
    text = repr([shown, stats, list(parts)])
    return f"{zlib.crc32(text.encode('utf-8')):08x}-{len(text)}"


def _size(value: float) -> float | None:
    return value if math.isfinite(value) and 0 < value <= _LARGEST else None


def _usable_key(key: str) -> bool:
    return bool(key) and "\t" not in key and "\n" not in key and "\r" not in key


class FitMemory:
    """Fitted body sizes by layout key, read from ``path`` once and written back (whole, atomically) on change.

    A missing, unreadable or damaged file, or one written for another signature, only means measuring again; a
    read-only or full disk only means the next start measures too. ``path`` None keeps sizes in memory only.
    """

    def __init__(self, path: Path | None, signature: str) -> None:
        self._path = path
        self._signature = signature
        self._fits = self._read()

    def get(self, key: str) -> float:
        """The size kept for ``key``, or 0 when none is."""
        return self._fits.get(key, 0.0)

    def put(self, key: str, size: float) -> None:
        """Keep ``size`` for ``key`` (the most recent ``KEEP`` layouts stay)."""
        valid = _size(float(size))
        if valid is None or not _usable_key(key) or self._fits.get(key) == valid:
            return
        self._fits.pop(key, None)
        self._fits[key] = valid
        while len(self._fits) > KEEP:
            del self._fits[next(iter(self._fits))]
        self._write()

    def _read(self) -> dict[str, float]:
        if self._path is None:
            return {}
        try:
            signature, *lines = self._path.read_text(encoding="utf-8").split("\n")
        except (OSError, UnicodeDecodeError, ValueError):
            return {}
        if signature != self._signature:
            return {}
        kept: dict[str, float] = {}
        for line in filter(None, lines):
            size_text, tab, key = line.partition("\t")
            try:
                size = _size(float(size_text))
            except ValueError:
                size = None
            if not tab or size is None or not _usable_key(key):
                return {}  # damaged: measure again rather than trust any of it
            kept[key] = size
        return kept

    def _write(self) -> None:
        if self._path is None:
            return
        text = "".join(f"{size!r}\t{key}\n" for key, size in self._fits.items())
        keep_file(self._path, f"{self._signature}\n{text}".encode(), "the wins cards' fit")
