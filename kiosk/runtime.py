"""Opening a kiosk's storage for one process: database, vault and the effective event (no Qt).

The app calls :func:`open_runtime` after its first frame; CLI commands call it straight away.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kiosk.errors import StorageError, VaultError
from kiosk.services import KioskOptions
from kiosk.vault import Vault
from local_db import repositories as repo
from local_db.session import Database, WriteTransaction, open_database


@dataclass
class KioskRuntime:
    """Open storage of a set-up kiosk. ``vault`` is None until first-run setup is done."""

    options: KioskOptions
    db: Database
    vault: Vault | None
    # Audit events that could not be written when they happened (e.g. the database was locked): they ride along
    # with the next transaction that commits, so a failure is never left out of the audit log.
    pending_audit: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # How many of them the write transaction committing now holds (write transactions take turns).
    _audit_appended: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        event.listen(self.db.sessions, "before_commit", self._add_pending_audit)
        event.listen(self.db.sessions, "after_commit", self._clear_pending_audit)

    def audit_later(self, action: str, **details: Any) -> None:
        self.pending_audit.append((action, details))

    def _add_pending_audit(self, session: Session) -> None:
        from local_db.models import AuditEvent

        for action, details in self.pending_audit:
            session.add(AuditEvent(action=action, details=repo.audit_details(details)))
        session.info["pending_audit_written"] = len(self.pending_audit)

    def _clear_pending_audit(self, session: Session) -> None:
        written = session.info.pop("pending_audit_written", 0)
        del self.pending_audit[:written]

    def write(self) -> WriteTransaction:
        """``Database.write()`` with the pending audit events riding along, as sessions do."""
        return self.db.write(self._append_pending_audit, self._clear_appended_audit)

    def _append_pending_audit(self, conn: sqlite3.Connection) -> None:
        self._audit_appended = len(self.pending_audit)
        for action, details in self.pending_audit[: self._audit_appended]:
            repo.append_audit(conn, action, details)

    def _clear_appended_audit(self) -> None:
        del self.pending_audit[: self._audit_appended]
        self._audit_appended = 0

    @property
    def event_id(self) -> str:
        if self.options.config.event_id:
            return self.options.config.event_id
        return self.vault.event_id if self.vault else "unassigned"

    @property
    def kiosk_id(self) -> str:
        return self.vault.kiosk_id if self.vault else "unassigned"

    def attach_vault(self) -> Vault:
        """Load the vault after setup and make this run's data key."""
        self.vault = Vault(self.db)
        self.vault.start_run()
        return self.vault

    def close(self) -> None:
        if self.vault is not None:
            self.vault.lock()
        self.db.close()


def open_runtime(options: KioskOptions, *, start_run: bool = True) -> KioskRuntime:
    """Open and migrate the database and load the vault if set up.

    Outbox entries left in "sending" are not touched here: a command run beside a live kiosk would take back
    entries it is sending right now. The process that syncs returns them to "pending" once it holds the sync lock
    (kiosk/sync/engine.py).

    Raises:
        StorageError: the database cannot be opened or migrated.
    """
    db = open_database(options.db_path)
    runtime = KioskRuntime(options=options, db=db, vault=None)
    try:
        with db.begin() as session:
            set_up = repo.get_vault(session) is not None
        if set_up:
            if start_run:
                runtime.attach_vault()
            else:
                runtime.vault = Vault(db)
            if options.unlock_passphrase:
                runtime.vault.unlock(options.unlock_passphrase)  # type: ignore[union-attr]
    except VaultError:
        runtime.close()
        raise
    except SQLAlchemyError as exc:
        # Locked by another process past the busy timeout, or the disk is full: a message, never a traceback.
        db.close()
        raise StorageError(f"cannot use the database {options.db_path}: {getattr(exc, 'orig', exc)}") from None
    return runtime
