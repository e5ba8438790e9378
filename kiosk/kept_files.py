"""Files the kiosk keeps in its data dir only to start faster (no Qt): the petition code's matrix, the wins cards'
fit, the cards' pictures, the parsed pack. Each is written whole or not at all, and a read-only or full disk only
means doing the work again at the next start."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


def keep_file(path: Path, data: bytes, what: str) -> bool:
    """Write ``data`` to ``path`` through ``<name>.part`` and a rename, so a reader never sees half of it. Cannot
    fail: a failure is logged (debug: it costs only time) as "could not keep ``what``". Returns whether it was
    written."""
    partial = path.with_name(path.name + ".part")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as exc:
        log.debug("could not keep %s in %s: %s", what, path, exc)
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        return False
    return True
