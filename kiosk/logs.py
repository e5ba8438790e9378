"""Logging for the kiosk: a rotating file in the data folder plus stderr. Personal data is never logged;
callers log record ids, counts and reasons only.

Tracebacks are the one thing callers do not control: a library may put the value it choked on in its message
(openpyxl did, with a signer's name). So every traceback that reaches a log handler, or escapes to Python's own
exception hooks, is written with its frames (file, line, function) and exception types, never its messages.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def redacted_traceback(
    exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
) -> str:
    """A traceback with every frame and exception type, chained causes included, but no exception message."""
    lines: list[str] = []
    seen: set[int] = set()
    while exc_type is not None and id(exc) not in seen:
        seen.add(id(exc))
        block = ["Traceback (most recent call last):"]
        block += [f'  File "{f.filename}", line {f.lineno}, in {f.name}' for f in traceback.extract_tb(tb)]
        block.append(f"{exc_type.__module__}.{exc_type.__qualname__} (message withheld: it may hold personal data)")
        lines = block + (["", "which caused:"] if lines else []) + lines
        cause = None if exc is None else (exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__))
        exc_type, exc, tb = (type(cause), cause, cause.__traceback__) if cause is not None else (None, None, None)
    return "\n".join(lines)


class _RedactingFormatter(logging.Formatter):
    """Formats like ``logging.Formatter``, but a record's traceback without exception messages."""

    def format(self, record: logging.LogRecord) -> str:
        # logging caches a record's traceback text from whichever handler formatted it first, which may not redact:
        # put ours in for this handler, and leave the record as it was found.
        cached = record.exc_text
        if record.exc_info:
            record.exc_text = redacted_traceback(*record.exc_info)
        try:
            return super().format(record)
        finally:
            record.exc_text = cached


def _log_uncaught(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    logging.getLogger("kiosk").error("unexpected error", exc_info=(exc_type, exc, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    exc = args.exc_value if args.exc_value is not None else args.exc_type()
    logging.getLogger("kiosk").error(
        "unexpected error in thread %s", name, exc_info=(args.exc_type, exc, args.exc_traceback)
    )


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
    stderr.setFormatter(_RedactingFormatter("%(levelname)s: %(message)s"))
    stderr.addFilter(lambda record: getattr(record, "console", True))
    stderr._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(stderr)
    # Uncaught errors (also those Qt slots raise, which PySide hands to sys.excepthook) go through the same handlers.
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
    if data_dir is None:
        return None
    log_file = data_dir / "logs" / "kiosk.log"
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = _LogFile(log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError as exc:
        logging.getLogger(__name__).warning("cannot write the log file %s: %s", log_file, exc.strerror)
        return None
    handler.setFormatter(_RedactingFormatter(LOG_FORMAT))
    handler._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return log_file
