"""A campaign pack's TOML files, kept parsed in the data dir between starts (no Qt).

Importing Python's TOML parser and parsing a pack cost ~2.5 ms of the ~150 ms before the attract screen's first
frame (bench/bench_startup.py), every start, for files that rarely change. :class:`ParsedFiles` keeps what it
parsed in ``<data dir>/campaign-parsed.bin`` together with the exact bytes of each file, and answers from there only
when a file's bytes are still exactly those: any edit, however small, means parsing again. The file holds public
pack text only (never the kiosk config, which may hold sync secrets), as ``marshal`` data under a CRC-32: a
missing, damaged or foreign file only means parsing again, and a read-only or full disk only means the next start
parses too. Values ``marshal`` cannot hold (TOML dates) leave their file out of the cache.

Why ``marshal``: it is built in (``json`` would cost half of what the cache saves, ~1.2 ms to import) and holds
TOML's values exactly. Loading never runs code; what is loaded is used only when its CRC-32 matches and its shape
is checked (str keys, bytes and dict values). Anyone who can write to the data dir can already replace the
database, so this file opens nothing new.
"""

from __future__ import annotations

import marshal
import zlib
from pathlib import Path
from typing import Any

from kiosk.errors import CampaignPackError
from kiosk.kept_files import keep_file

PARSED_FILE = "campaign-parsed.bin"
# Changes whenever the layout below does, so an older kiosk's file is simply not used.
_FORMAT = b"campaign-parsed 1\n"


def parse_toml(file: Path, source: bytes) -> dict[str, Any]:
    """Parse one TOML file of a pack; a syntax error keeps TOML's own line and column."""
    import tomllib  # here, not at the top: a start that finds every file in the cache does not need it

    try:
        return tomllib.loads(source.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CampaignPackError(str(file), "", f"not valid TOML ({exc})") from None
    except UnicodeDecodeError as exc:
        raise CampaignPackError(str(file), "", f"cannot be read ({exc})") from None


def read_source(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except FileNotFoundError:
        raise CampaignPackError(str(file), "", "file is missing") from None
    except OSError as exc:
        raise CampaignPackError(str(file), "", f"cannot be read ({exc})") from None


class ParsedFiles:
    """TOML files parsed once and kept in ``path`` (None: parse every time, keep nothing)."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._entries: dict[str, tuple[bytes, dict[str, Any]]] = self._read() if path is not None else {}
        self._changed = False

    def read(self, file: Path) -> dict[str, Any]:
        """The parsed contents of ``file``.

        Raises:
            CampaignPackError: the file is missing, unreadable, not UTF-8 or not valid TOML.
        """
        return self.parse(file, read_source(file))

    def parse(self, file: Path, source: bytes) -> dict[str, Any]:
        """The parsed contents of ``file`` whose bytes ``source`` the caller has read (:func:`read_source`).

        Raises:
            CampaignPackError: not UTF-8 or not valid TOML.
        """
        key = str(file)
        kept = self._entries.get(key)
        if kept is not None and kept[0] == source:
            return kept[1]
        data = parse_toml(file, source)
        if self._path is not None:
            try:
                marshal.dumps(data)
            except ValueError:  # a TOML date or time: this file is parsed at every start
                self._entries.pop(key, None)
            else:
                self._entries[key] = (source, data)
                self._changed = True
        return data

    def save(self) -> None:
        """Write the kept files back when anything new was parsed. Cannot fail (see the module's docstring)."""
        if self._path is None or not self._changed:
            return
        payload = marshal.dumps(self._entries)
        if keep_file(self._path, _FORMAT + zlib.crc32(payload).to_bytes(4, "big") + payload, "the parsed pack"):
            self._changed = False

    def _read(self) -> dict[str, tuple[bytes, dict[str, Any]]]:
        assert self._path is not None
        try:
            blob = self._path.read_bytes()
        except OSError:
            return {}
        head, payload = blob[: len(_FORMAT) + 4], blob[len(_FORMAT) + 4 :]
        if head[: len(_FORMAT)] != _FORMAT or int.from_bytes(head[len(_FORMAT) :], "big") != zlib.crc32(payload):
            return {}
        try:
            entries = marshal.loads(payload)  # noqa: S302  (see the module's docstring)
        except (EOFError, ValueError, TypeError):
            return {}
        if not isinstance(entries, dict):
            return {}
        return {
            key: entry
            for key, entry in entries.items()
            if isinstance(key, str)
            and isinstance(entry, tuple)
            and len(entry) == 2
            and isinstance(entry[0], bytes)
            and isinstance(entry[1], dict)
        }
