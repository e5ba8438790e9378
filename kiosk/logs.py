"""Logging for the kiosk: a rotating file in the data folder plus stderr. Personal data is never logged;
callers log record ids, counts and reasons only."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _LogFile(logging.handlers.RotatingFileHandler):
    """The kiosk's log file. When the disk fills up, one warning line says so instead of a traceback per record."""

    _failed = False

    def handleError(self, record: logging.LogRecord) -> None:
        if not self._failed:
            self._failed = True
            problem = sys.exc_info()[1]
            reason = getattr(problem, "strerror", None) or problem
            sys.stderr.write(f"WARNING: cannot write the log file {self.baseFilename}: {reason}\n")


def configure_logging(data_dir: Path | None, *, verbose: bool = False) -> Path | None:
    """Log to stderr, and to ``<data_dir>/logs/kiosk.log`` when the folder is writable. Returns the file."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk", False):
            root.removeHandler(handler)
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.DEBUG if verbose else logging.WARNING)
    stderr.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    stderr.addFilter(lambda record: getattr(record, "console", True))
    stderr._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(stderr)
    if data_dir is None:
        return None
    log_file = data_dir / "logs" / "kiosk.log"
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = _LogFile(log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError as exc:
        logging.getLogger(__name__).warning("cannot write the log file %s: %s", log_file, exc.strerror)
        return None
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return log_file
