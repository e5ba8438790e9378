"""Run slow work (scrypt, bulk decryption, file I/O) off the UI thread and get the result back on it."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the UI thread; queued signals carry the result back to it."""

    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    """Holds the relay only weakly: the pool deletes the job on its own thread, and a QObject whose last reference
    went away there would be destroyed on the wrong thread (Qt warns, and it can crash). ``_live`` keeps the relay
    until its result has been delivered on the UI thread."""

    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._work, self._relay = work, weakref.ref(relay)

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as exc:
            outcome, value = "failed", exc
        else:
            outcome, value = "done", result
        relay = self._relay()
        if relay is not None:
            getattr(relay, outcome).emit(value)
            del relay


_live: set[_Relay] = set()


def _release(relay: _Relay) -> None:
    """Done with ``relay``: the closures connected to its signals refer to it, a cycle through Qt that Python's
    collector cannot see, so dropping the last reference is not enough. Deleting the QObject drops its
    connections, and with them the closures (every job leaked ~4 KB before: a signing flow runs one)."""
    _live.discard(relay)
    relay.deleteLater()


def run_in_background(
    work: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]
) -> None:
    """Call ``work()`` on a pool thread; then ``on_done(result)`` or ``on_error(exc)`` on the UI thread."""
    relay = _Relay()
    _live.add(relay)

    def finish_ok(result: Any) -> None:
        _release(relay)
        on_done(result)

    def finish_error(exc: BaseException) -> None:
        _release(relay)
        on_error(exc)

    relay.done.connect(finish_ok)
    relay.failed.connect(finish_error)
    QThreadPool.globalInstance().start(_Job(work, relay))


def wait_for_background(timeout_ms: int = 30_000) -> bool:
    """Block until background jobs finish (tests and shutdown)."""
    return bool(QThreadPool.globalInstance().waitForDone(timeout_ms))
