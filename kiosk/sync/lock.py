"""Who may sync: one process per data folder, marked by an exclusive ``flock`` on ``<data dir>/sync.lock``.

Whoever holds the lock is the only sender, so any outbox entry still in "sending" that it did not claim itself
was left by a crash and may go back to "pending". A process that finds the lock held (a kiosk window beside a
``campaign-kiosk sync``, or a second kiosk on the same folder) neither recovers nor sends. The kernel drops the lock
when its holder exits or is killed, so a crash never leaves it stuck.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from kiosk.errors import StorageError

LOCK_FILE_NAME = "sync.lock"


class SyncLock:
    """A non-blocking exclusive lock on one data folder's sync lock file. Not shared between threads."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Take the lock if nobody holds it; True when this process holds it now.

        Raises:
            StorageError: the lock file cannot be opened (e.g. the data folder became read-only).
        """
        if self._fd is not None:
            return True
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise StorageError(f"cannot open the sync lock {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the only descriptor drops the flock

    def __del__(self) -> None:
        # An engine dropped without close() must not keep other engines of this process from syncing.
        self.release()
