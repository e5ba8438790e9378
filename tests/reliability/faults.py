"""Storage faults made for real: a database locked by another process, a read-only folder, a full disk.

A read-only folder and a tiny full filesystem need a mount when the tests run as root (root writes through
permission bits); as another user, permission bits do. Where neither is possible the fault is skipped with the
reason, never faked.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def locked(db_path: Path) -> Iterator[None]:
    """Another process's connection holds the write lock (``BEGIN EXCLUSIVE``) until the block ends."""
    blocker = sqlite3.connect(db_path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        blocker.rollback()
        blocker.close()


def _mount(*args: str) -> str:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    return "" if done.returncode == 0 else (done.stderr.strip() or f"mount exited {done.returncode}")


def _umount(path: Path) -> None:
    subprocess.run(["umount", str(path)], capture_output=True, check=False)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """The folder (and everything in it) cannot be written while the block runs."""
    if os.geteuid() != 0:
        mode = folder.stat().st_mode
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            yield
        finally:
            folder.chmod(mode)
        return
    problem = _mount("--bind", "-o", "ro", str(folder), str(folder))
    if problem:
        pytest.skip(f"cannot make a read-only folder here (root needs a read-only bind mount): {problem}")
    try:
        yield
    finally:
        _umount(folder)


@contextlib.contextmanager
def small_filesystem(mount_point: Path, size_kib: int = 4096) -> Iterator[Path]:
    """A tiny tmpfs at ``mount_point`` to fill up for real; skipped where mounting is not allowed."""
    mount_point.mkdir(parents=True, exist_ok=True)
    problem = _mount("-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(mount_point))
    if problem:
        pytest.skip(f"cannot mount a small filesystem to fill up (needs root): {problem}")
    try:
        yield mount_point
    finally:
        _umount(mount_point)


def fill_up(folder: Path) -> Path:
    """Write a filler file until the filesystem holding ``folder`` says it is full. Returns the filler."""
    filler = folder / "filler.bin"
    with filler.open("wb", buffering=0) as fh:
        for size in (65536, 512, 1):
            try:
                while fh.write(b"\0" * size):
                    pass
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    return filler
