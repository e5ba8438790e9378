"""Backups, verification and reconciliation: the proof that nothing collected was lost.

- :func:`backup_database` copies the live database with SQLite's online backup API: a consistent snapshot even while
  the kiosk keeps saving, written to a temporary file and renamed. Personal data stays sealed in the copy.
- :func:`verify` runs ``PRAGMA integrity_check``, counts records per state, and, given the unlocked vault, decrypts
  every sealed record (a tampered one is reported by id, never fatal).
- :func:`reconcile` compares, per event, the records collected with those synced and rejected, and lists what is
  still outstanding.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from kiosk.errors import DecryptionError, KioskError, StorageError, VaultLockedError
from local_db import reports
from local_db import repositories as repo
from local_db.models import Pledge, Signature

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# Pages copied per step of the online backup; between steps the kiosk can write (the copy restarts if it does).
BACKUP_STEP_PAGES = 1024


class BackupError(KioskError):
    """A backup could not be written, or the file to verify is not a kiosk database."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    integrity: str


def backup_database(runtime: KioskRuntime, out: Path, progress: Progress | None = None) -> BackupResult:
    """Copy the kiosk database to ``out`` (which must not exist) while the kiosk keeps running.

    The copy is a single self-contained file (rollback journal, not WAL), checked with ``PRAGMA integrity_check``
    before it takes its final name.

    Raises:
        BackupError: ``out`` exists, is the live database, or cannot be written.
    """
    source_path = runtime.db.path
    out = out.expanduser()
    if out.exists():
        raise BackupError(f"{out} already exists; choose a new file name (backups never overwrite)")
    if out.resolve() == source_path.resolve():
        raise BackupError("the backup cannot be the live database itself")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"cannot create {out.parent}: {exc.strerror}") from None
    partial = out.with_name(f".{out.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(source_path, timeout=5)
        try:
            target = sqlite3.connect(partial)
            try:

                def step(_status: int, remaining: int, total: int) -> None:
                    if progress is not None:
                        progress(total - remaining, total)

                source.backup(target, pages=BACKUP_STEP_PAGES, progress=step)
                # One file to carry around: no -wal beside it.
                target.execute("PRAGMA journal_mode=DELETE")
                integrity = str(target.execute("PRAGMA integrity_check").fetchone()[0])
            finally:
                target.close()
        finally:
            source.close()
        if integrity != "ok":
            raise BackupError(f"the copy failed its integrity check ({integrity}); the live database may be damaged")
        with partial.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, out)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        _audit(runtime, "backup_failed", reason=str(exc))
        raise BackupError(f"could not write the backup {out}: {exc}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    size = out.stat().st_size
    _audit(runtime, "backup", file=str(out), bytes=size)
    log.info("backed up the database to %s (%d bytes)", out, size)
    return BackupResult(path=out, bytes=size, integrity=integrity)


def _audit(runtime: KioskRuntime, action: str, **details: object) -> None:
    try:
        with runtime.db.begin() as session:
            repo.add_audit(session, action, **details)
    except SQLAlchemyError as exc:
        log.error("could not audit %s: %s", action, getattr(exc, "orig", exc))


# --- reconciliation ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventReconciliation:
    """Per event: records collected and where they are. collected = synced + rejected + outstanding."""

    event_id: str
    signatures: int
    pledges: int
    synced: int
    rejected: int
    outstanding: int  # waiting to be sent, being sent, or (never expected) without an outbox entry

    @property
    def collected(self) -> int:
        return self.signatures + self.pledges

    @property
    def balanced(self) -> bool:
        return self.collected == self.synced + self.rejected + self.outstanding


@dataclass(frozen=True)
class Reconciliation:
    events: list[EventReconciliation]
    outstanding: list[reports.OutstandingRecord]
    outstanding_total: int

    @property
    def collected(self) -> int:
        return sum(e.collected for e in self.events)


def reconcile(runtime: KioskRuntime, limit: int | None = 200) -> Reconciliation:
    """Per-event collected vs synced vs rejected, and up to ``limit`` records not yet synced (rejected first)."""
    with runtime.db.begin() as session:
        counts = reports.reconciliation_counts(session)
        outstanding, total = reports.outstanding_records(session, limit)
    events: dict[str, dict[str, int]] = {}
    for (event, kind, state), count in counts.items():
        entry = events.setdefault(event, {"signature": 0, "pledge": 0, "synced": 0, "rejected": 0, "outstanding": 0})
        entry[kind] += count
        entry["outstanding" if state in ("outstanding", "missing") else state] += count
    rows = [
        EventReconciliation(
            event_id=event,
            signatures=e["signature"],
            pledges=e["pledge"],
            synced=e["synced"],
            rejected=e["rejected"],
            outstanding=e["outstanding"],
        )
        for event, e in sorted(events.items())
    ]
    return Reconciliation(events=rows, outstanding=outstanding, outstanding_total=total)


# --- verification ------------------------------------------------------------------------------------------------


@dataclass
class VerifyReport:
    integrity: str
    records: dict[str, dict[str, int]]  # kind -> total, sealed, purged, exported, paper
    outbox: dict[str, int]
    reconciliation: Reconciliation
    decrypted: int | None = None  # None: not attempted (no passphrase)
    unreadable: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and not self.unreadable and all(e.balanced for e in self.reconciliation.events)

    def lines(self, outstanding_limit: int = 50) -> list[str]:
        """The report as people read it in a terminal."""
        out = [f"integrity_check: {self.integrity}"]
        for kind, c in self.records.items():
            out.append(
                f"{kind}s: {c['total']} stored - {c['sealed']} with sealed personal data, {c['purged']} purged, "
                f"{c['exported']} exported, {c['paper']} from paper"
            )
        out.append("outbox entries: " + (", ".join(f"{n} {s}" for s, n in sorted(self.outbox.items())) or "none"))
        if self.decrypted is None:
            out.append("decryption: not checked (give the passphrase to decrypt every record)")
        else:
            out.append(f"decryption: {self.decrypted} record(s) decrypted, {len(self.unreadable)} unreadable")
            out.extend(f"  UNREADABLE {record_id}" for record_id in self.unreadable)
        out.append("per event: collected = synced + rejected + outstanding")
        for e in self.reconciliation.events:
            mark = "" if e.balanced else "  MISMATCH"
            out.append(
                f"  {e.event_id}: {e.collected} collected ({e.signatures} signatures, {e.pledges} pledges) = "
                f"{e.synced} synced + {e.rejected} rejected + {e.outstanding} outstanding{mark}"
            )
        total = self.reconciliation.outstanding_total
        out.append(f"outstanding (not yet synced): {total}")
        for record in self.reconciliation.outstanding[:outstanding_limit]:
            error = f" - {record.last_error}" if record.last_error else ""
            out.append(
                f"  {record.state:<11} {record.kind:<9} {record.record_id} {record.event_id} "
                f"{record.created_at.astimezone():%Y-%m-%d %H:%M} attempts {record.attempts}{error}"
            )
        if total > min(outstanding_limit, len(self.reconciliation.outstanding)):
            out.append(f"  … and {total - min(outstanding_limit, len(self.reconciliation.outstanding))} more")
        out.append("RESULT: " + ("ok" if self.ok else "PROBLEMS FOUND (see above)"))
        return out


def verify(runtime: KioskRuntime, *, decrypt: bool, progress: Progress | None = None) -> VerifyReport:
    """Check the database file, count records per state, and decrypt every sealed record when ``decrypt``.

    Raises:
        VaultLockedError: ``decrypt`` was asked for and the vault is locked.
        StorageError: the database cannot be read.
    """
    vault = runtime.vault
    if decrypt and (vault is None or not vault.unlocked):
        raise VaultLockedError("Unlock with the organiser passphrase to decrypt every record.")
    try:
        with runtime.db.engine.connect() as conn:
            integrity = "; ".join(str(row[0]) for row in conn.exec_driver_sql("PRAGMA integrity_check"))
        with runtime.db.begin() as session:
            records = reports.record_states(session)
            outbox = reports.outbox_state_counts(session)
        reconciliation = reconcile(runtime, limit=None)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot read the database: {getattr(exc, 'orig', exc)}") from None
    report = VerifyReport(integrity=integrity, records=records, outbox=outbox, reconciliation=reconciliation)
    if decrypt and vault is not None:
        total = sum(c["sealed"] for c in records.values())
        done = 0
        report.decrypted = 0
        with runtime.db.engine.connect() as conn:
            for model in (Signature, Pledge):
                stmt = select(model.id, model.data_key_id, model.sealed).where(model.sealed.is_not(None))
                for record_id, key_id, sealed in conn.execute(stmt):
                    assert sealed is not None  # selected so
                    try:
                        vault.open_blob(record_id, key_id, sealed)
                        report.decrypted += 1
                    except DecryptionError as exc:
                        report.unreadable.append(record_id)
                        vault.report_decryption_failure(exc)
                    done += 1
                    if progress is not None and (done % 2000 == 0 or done == total):
                        progress(done, total)
    _audit(
        runtime,
        "verify",
        integrity=integrity,
        decrypted=report.decrypted,
        unreadable=report.unreadable,
        outstanding=reconciliation.outstanding_total,
    )
    return report


def backup_name(now: dt.datetime | None = None) -> str:
    """A default file name for a backup: kiosk-backup-YYYYmmdd-HHMMSS.db (local time)."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone()
    return f"kiosk-backup-{moment:%Y%m%d-%H%M%S}.db"
