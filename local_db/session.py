"""Opening the kiosk database: one SQLite file, WAL, synchronous=FULL, foreign keys, secure_delete, migrated to head."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import PoolProxiedConnection

from kiosk.errors import StorageError
from local_db.migrations import HEAD_REVISION, KNOWN_REVISIONS

BUSY_TIMEOUT_MS = 2000


def _set_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # FULL: a thank-you is only shown after a commit that survives power loss, not just a crash.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Overwrite deleted content so purged personal data does not linger in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite+pysqlite:///{path}")
    event.listen(engine, "connect", _set_pragmas)
    return engine


@dataclass
class Database:
    """An open, migrated kiosk database."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    _writer: PoolProxiedConnection | None = field(default=None, init=False, repr=False)
    _writer_lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """One transaction for one user action: commits on success, rolls back on error."""
        with self.sessions.begin() as session:
            yield session

    def __post_init__(self) -> None:
        # A disposed engine makes fresh connections from then on (with whatever "connect" hooks it has then): so does
        # the writer.
        event.listen(self.engine, "engine_disposed", lambda _engine: self._release_writer())

    def write(
        self,
        before_commit: Callable[[sqlite3.Connection], None] | None = None,
        after_commit: Callable[[], None] | None = None,
    ) -> WriteTransaction:
        """One write transaction on a bare sqlite3 connection, for the saves an attendee waits on
        (``local_db.repositories`` writes on it): ``with db.write() as conn:``. BEGIN IMMEDIATE, so it holds the
        write lock from its first read; commits on success, rolls back on any error. One writer at a time.

        ``before_commit(conn)`` runs last in the transaction (its failure rolls it all back); ``after_commit()``
        once the commit has returned.

        The connection comes from the engine (same file, pragmas and hooks as every session) and is kept for the
        next save: checking one out of the pool and back in cost as much as all the INSERTs of a save.
        """
        return WriteTransaction(self, before_commit, after_commit)

    def checkpoint(self) -> tuple[int, int, int]:
        """Copy the pages committed to the WAL into the database file now, on the saves' connection: PASSIVE, so it
        never waits for (nor holds up) readers or another process's writes, and copies what it can. Returns SQLite's
        (busy, frames in the WAL, frames copied).

        The kiosk calls it when a flow is over and nobody waits (kiosk.signing.checkpoint_while_idle): otherwise the
        save whose commit took the WAL past 1,000 pages ran this checkpoint inside its commit, the attendee waiting
        (~0.7 ms on an SSD, far more on an SD card). Once everything is copied, the next write starts the WAL over
        from its beginning, so the WAL stays a few pages long.
        """
        with self._writer_lock:
            row = self._writer_connection().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def _writer_connection(self) -> sqlite3.Connection:
        """The kept connection of :meth:`write` (hold ``_writer_lock``)."""
        if self._writer is None:
            self._writer = self.engine.raw_connection()
        conn = self._writer.driver_connection
        assert isinstance(conn, sqlite3.Connection)
        return conn

    def _release_writer(self) -> None:
        with self._writer_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None

    def close(self) -> None:
        self._release_writer()
        self.engine.dispose()


class WriteTransaction:
    """The transaction of :meth:`Database.write`: a plain context manager (a save enters one while the attendee
    waits: a generator-based one cost ~20 us more with cold caches, twice over when nested)."""

    __slots__ = ("_after_commit", "_before_commit", "_conn", "_db")

    def __init__(
        self,
        db: Database,
        before_commit: Callable[[sqlite3.Connection], None] | None,
        after_commit: Callable[[], None] | None,
    ) -> None:
        self._db = db
        self._conn: sqlite3.Connection | None = None
        self._before_commit = before_commit
        self._after_commit = after_commit

    def __enter__(self) -> sqlite3.Connection:
        lock = self._db._writer_lock
        lock.acquire()
        try:
            conn = self._db._writer_connection()
            conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            lock.release()
            raise
        self._conn = conn
        return conn

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        conn = self._conn
        assert conn is not None
        self._conn = None
        try:
            if exc_type is None:
                try:
                    if self._before_commit is not None:
                        self._before_commit(conn)
                    conn.commit()
                except BaseException:
                    if conn.in_transaction:
                        conn.rollback()
                    raise
            elif conn.in_transaction:
                conn.rollback()
        finally:
            self._db._writer_lock.release()
        if exc_type is None and self._after_commit is not None:
            self._after_commit()


def schema_revision(path: Path) -> str | None:
    """The Alembic revision stamped in a database file, read with bare sqlite3 (cheap: no Alembic import)."""
    if not path.exists():
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'").fetchone()
        if row is None:
            return None
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if version is None else str(version[0])
    finally:
        conn.close()


def upgrade_to_head(engine: Engine) -> None:
    """Run Alembic migrations up to head on an open engine."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


DISK_FULL = "the disk holding {folder} is full: free some space and start again (nothing stored was lost)"


def _disk_full(folder: Path) -> bool:
    """Whether a failed open is a full disk: SQLite then says only "disk I/O error" (it cannot make -wal/-shm)."""
    try:
        return shutil.disk_usage(folder).free < 1_000_000
    except OSError:
        return False


def open_database(path: Path) -> Database:
    """Open (creating if needed) and migrate the database at ``path``.

    Raises:
        StorageError: the folder is not writable, the file is not a database or is damaged, or its schema is
            newer than this version of the kiosk knows (never silently downgraded).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create the data folder {path.parent}: {exc.strerror}") from None
    if not os.access(path.parent, os.W_OK):
        # SQLite would only say "unable to open database file" (WAL needs its -wal and -shm files beside the DB).
        raise StorageError(f"the data folder {path.parent} is read-only: make it writable, or choose another")
    try:
        current = schema_revision(path)
    except sqlite3.DatabaseError as exc:
        if _disk_full(path.parent):
            raise StorageError(DISK_FULL.format(folder=path.parent)) from None
        raise StorageError(f"{path} is not a readable kiosk database ({exc}); keep the file and ask for help") from None
    if current is not None and current not in KNOWN_REVISIONS:
        raise StorageError(
            f"{path} was written by a newer version of the kiosk (schema {current}); "
            "install that version or newer - this one will not downgrade it"
        )
    engine = make_engine(path)
    try:
        if current != HEAD_REVISION:
            upgrade_to_head(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM signatures").scalar()
    except (OperationalError, DatabaseError) as exc:
        engine.dispose()
        if _disk_full(path.parent):
            raise StorageError(DISK_FULL.format(folder=path.parent)) from None
        raise StorageError(f"cannot open the database {path}: {exc.orig}") from None
    return Database(path=path, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
