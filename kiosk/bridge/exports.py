"""Export, paper-sheet import, backup and reconciliation from organiser mode, all off the UI thread.

Each action is one call into a service (kiosk/exports.py, kiosk/paper_import.py, kiosk/backup.py) run on the thread
pool; progress comes back through a queued signal, so the screen stays responsive while 100,000 records export.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement, QmlUncreatable

from kiosk.bridge import QML_IMPORT_MAJOR_VERSION, QML_IMPORT_NAME  # noqa: F401  (read by QmlElement)
from kiosk.bridge.background import run_in_background
from kiosk.bridge.controller import KioskController
from kiosk.bridge.listmodels import RowsModel
from kiosk.errors import KioskError, VaultLockedError

log = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx")


def default_folder() -> str:
    """Where exports and backups go unless the organiser types another folder: a mounted USB stick if there is
    one, else the Documents folder, else the home folder."""
    from kiosk.bridge.printing import save_destinations

    destinations = save_destinations()
    if destinations:
        return destinations[0]["key"]
    return str(Path.home())


class _Progress(QObject):
    """Lives on the UI thread; services report from the pool and Qt queues the call over."""

    advanced = Signal(int, int)


@QmlElement
@QmlUncreatable("ExportsViewModel is provided by the kiosk")
class ExportsViewModel(QObject):
    """Signals:
    stateChanged: busy, progress, a message or a default changed.
    reconciliationChanged: new per-event counts and outstanding list.
    """

    stateChanged = Signal()
    reconciliationChanged = Signal()

    def __init__(self, controller: KioskController) -> None:
        super().__init__(controller)
        self._controller = controller
        self._folder: str | None = None
        self._format = "csv"
        self._busy = ""
        self._done = 0
        self._total = 0
        self._status = ""
        self._status_is_error = False
        self._last_export = ""
        self._import_lines = RowsModel(("line", "message"), self)
        self._events = RowsModel(("event", "collected", "synced", "rejected", "outstanding", "balanced"), self)
        self._outstanding = RowsModel(("record", "kind", "event", "delivery", "detail"), self)
        self._outstanding_total = 0
        self._progress = _Progress(self)
        self._progress.advanced.connect(self._advanced)
        controller.add_screen_listener(self._screen_changed)

    # --- helpers -------------------------------------------------------------------------------------------------

    def _runtime(self) -> Any:
        from kiosk.runtime import KioskRuntime

        runtime = self._controller.runtime
        return runtime if isinstance(runtime, KioskRuntime) and runtime.vault is not None else None

    def _change(self, **changes: Any) -> None:
        for name, value in changes.items():
            setattr(self, f"_{name}", value)
        self.stateChanged.emit()

    def _advanced(self, done: int, total: int) -> None:
        self._change(done=done, total=total)

    def _report(self, done: int, total: int) -> None:
        """Called on the pool thread by the services."""
        self._progress.advanced.emit(done, total)

    def _start(self, busy: str, work: Callable[[], Any], done: Callable[[Any], None]) -> bool:
        runtime = self._runtime()
        if runtime is None or self._busy:
            return False
        self._change(busy=busy, done=0, total=0, status="", status_is_error=False)
        run_in_background(work, lambda result: self._finish(done, result), self._failed)
        return True

    def _finish(self, done: Callable[[Any], None], result: Any) -> None:
        self._busy = ""
        done(result)
        self.stateChanged.emit()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, VaultLockedError):
            message = "Unlock with the organiser passphrase first (Security tab)."
        elif isinstance(exc, KioskError):
            message = str(exc)
        else:
            log.error("organiser tool failed: %r", exc)
            message = "That did not work; the log has the details."
        self._change(busy="", status=message, status_is_error=True)

    def _screen_changed(self, old: str, new: str) -> None:
        if old == "organiser" and new != "organiser":
            # Messages can name files and counts from the last organiser session: clear them for the next one.
            self._import_lines.replace([])
            self._change(status="", status_is_error=False, last_export="")

    # --- properties ------------------------------------------------------------------------------------------------

    def _get_folder(self) -> str:
        # The default is looked up once; after that an emptied field stays empty while the organiser types.
        if self._folder is None:
            self._folder = default_folder()
        return self._folder

    def _set_folder(self, folder: str) -> None:
        if folder != self._folder:
            self._change(folder=folder)

    def _get_format(self) -> str:
        return self._format

    def _set_format(self, fmt: str) -> None:
        if fmt in FORMATS and fmt != self._format:
            self._change(format=fmt)

    def _get_busy(self) -> bool:
        return bool(self._busy)

    def _get_busy_text(self) -> str:
        return self._busy

    def _get_progress(self) -> float:
        return self._done / self._total if self._total else 0.0

    def _get_progress_known(self) -> bool:
        return self._total > 0

    def _get_status(self) -> str:
        return self._status

    def _get_status_is_error(self) -> bool:
        return self._status_is_error

    def _get_last_export(self) -> str:
        return self._last_export

    def _get_event(self) -> str:
        runtime = self._runtime()
        return str(runtime.event_id) if runtime else ""

    def _get_consent_version(self) -> str:
        from kiosk.paper_import import paper_form_version

        return paper_form_version(self._controller.options.campaign)

    def _get_default_backup(self) -> str:
        from kiosk.backup import backup_name

        return str(Path(self._get_folder()) / backup_name())

    def _get_import_lines(self) -> RowsModel:
        return self._import_lines

    def _get_events(self) -> RowsModel:
        return self._events

    def _get_outstanding(self) -> RowsModel:
        return self._outstanding

    def _get_outstanding_total(self) -> int:
        return self._outstanding_total

    folder = Property(str, _get_folder, _set_folder, notify=stateChanged)
    fileFormat = Property(str, _get_format, _set_format, notify=stateChanged)
    busy = Property(bool, _get_busy, notify=stateChanged)
    busyText = Property(str, _get_busy_text, notify=stateChanged)
    progress = Property(float, _get_progress, notify=stateChanged)
    progressKnown = Property(bool, _get_progress_known, notify=stateChanged)
    status = Property(str, _get_status, notify=stateChanged)
    statusIsError = Property(bool, _get_status_is_error, notify=stateChanged)
    lastExport = Property(str, _get_last_export, notify=stateChanged)
    eventName = Property(str, _get_event, notify=stateChanged)
    #: The form version printed on today's paper sheets (what an import checks against).
    consentVersion = Property(str, _get_consent_version, constant=True)
    defaultBackup = Property(str, _get_default_backup, notify=stateChanged)
    importLines = Property(QObject, _get_import_lines, constant=True)
    events = Property(QObject, _get_events, constant=True)
    outstanding = Property(QObject, _get_outstanding, constant=True)
    outstandingTotal = Property(int, _get_outstanding_total, notify=reconciliationChanged)

    # --- actions -------------------------------------------------------------------------------------------------

    @Slot(result=bool)
    def exportNow(self) -> bool:
        """Export everything into a new folder inside ``folder`` (needs the vault unlocked)."""
        from kiosk.exports import export_records

        runtime = self._runtime()
        out = Path(os.path.expanduser(self._get_folder().strip() or default_folder()))
        fmt = self._format

        def done(result: Any) -> None:
            c = result.counts
            text = f"Exported {c['signatures']} signatures and {c['pledges']} pledges to {result.folder}." + (
                f" {len(result.unreadable)} record(s) could not be decrypted." if result.unreadable else ""
            )
            self._status, self._status_is_error = text, bool(result.unreadable)
            self._last_export = str(result.folder)

        return self._start("Exporting…", lambda: export_records(runtime, out, fmt=fmt, progress=self._report), done)

    @Slot(str, str, str, bool, result=bool)
    def importPaper(self, path: str, event: str, version: str, skip_invalid: bool) -> bool:
        """Import a typed-up paper sheet (CSV); the report lists every bad row and duplicate by line."""
        from kiosk.paper_import import import_paper

        runtime = self._runtime()
        file = Path(os.path.expanduser(path.strip()))

        def work() -> Any:
            return import_paper(
                runtime, file, event_id=event, consent_version=version, skip_invalid=skip_invalid, progress=self._report
            )

        def done(report: Any) -> None:
            self._import_lines.replace([{"line": i, "message": text} for i, text in enumerate(report.lines())])
            self._status = report.summary()
            self._status_is_error = not report.committed or bool(report.stopped)
            self._controller.refreshTally()

        self._import_lines.replace([])
        return self._start("Importing the paper sheet…", work, done)

    @Slot(str, result=bool)
    def backupTo(self, path: str) -> bool:
        """Copy the database to ``path`` while the kiosk keeps running (personal data stays sealed)."""
        from kiosk.backup import backup_database

        runtime = self._runtime()
        target = Path(os.path.expanduser(path.strip() or self._get_default_backup()))

        def done(result: Any) -> None:
            self._status = f"Backed up to {result.path} ({result.bytes // 1000} KB, integrity {result.integrity})."
            self._status_is_error = False

        return self._start("Backing up…", lambda: backup_database(runtime, target, self._report), done)

    @Slot()
    def refreshReconciliation(self) -> None:
        """Per event: collected vs synced vs rejected, and the records still outstanding (off the UI thread)."""
        from kiosk.backup import reconcile

        runtime = self._runtime()
        if runtime is None:
            return

        def done(result: Any) -> None:
            self._events.replace(
                [
                    {
                        "event": e.event_id,
                        "collected": e.collected,
                        "synced": e.synced,
                        "rejected": e.rejected,
                        "outstanding": e.outstanding,
                        "balanced": e.balanced,
                    }
                    for e in result.events
                ]
            )
            self._outstanding.replace(
                [
                    {
                        "record": o.record_id[:8],
                        "kind": o.kind,
                        "event": o.event_id,
                        "delivery": o.state,
                        "detail": o.last_error or (f"{o.attempts} attempt(s)" if o.attempts else "not sent yet"),
                    }
                    for o in result.outstanding
                ]
            )
            self._outstanding_total = result.outstanding_total
            self.reconciliationChanged.emit()

        run_in_background(lambda: reconcile(runtime, limit=100), done, self._failed)
