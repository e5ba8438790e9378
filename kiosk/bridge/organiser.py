"""Organiser mode: PIN pad, unlock/lock of the vault, audit log, purge, exit; panels of the organiser tools."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot
from PySide6.QtQml import QmlElement, QmlUncreatable

from kiosk.bridge import QML_IMPORT_MAJOR_VERSION, QML_IMPORT_NAME  # noqa: F401  (read by QmlElement)
from kiosk.bridge.background import run_in_background
from kiosk.bridge.controller import KioskController
from kiosk.bridge.listmodels import RowsModel
from kiosk.errors import KioskError, VaultError
from kiosk.resources import ui_dir

log = logging.getLogger(__name__)

# Organiser tools, in tab order: (key, title, file in ui/screens/organiser/). Missing files are skipped.
PANELS = (
    ("dashboard", "Dashboard", "DashboardPanel.qml"),
    ("sync", "Sync", "SyncPanel.qml"),
    ("export", "Export & backup", "ExportPanel.qml"),
    ("print", "Print", "PrintPanel.qml"),
    ("security", "Security", "SecurityPanel.qml"),
)
IDLE_CLOSE_MS = 120_000
HOLD_MS = 3000


@QmlElement
@QmlUncreatable("OrganiserViewModel is provided by the kiosk")
class OrganiserViewModel(QObject):
    """Signals:
    stateChanged: authenticated, unlocked, busy or a message changed.
    """

    stateChanged = Signal()
    holdMsChanged = Signal()
    unlockedChanged = Signal(bool)

    def __init__(self, controller: KioskController) -> None:
        super().__init__(controller)
        self._controller = controller
        self._authenticated = False
        self._busy = False
        self._pin_message = ""
        self._locked_for = 0
        self._passphrase_message = ""
        self._status = ""
        self._hold_ms = HOLD_MS
        self._panels = RowsModel(("key", "title", "file"), self)
        folder = ui_dir() / "screens" / "organiser"
        self._panels.replace(
            [{"key": k, "title": t, "file": f"organiser/{f}"} for k, t, f in PANELS if (folder / f).exists()]
        )
        self._audit = RowsModel(("time", "action", "details"), self)
        self._idle_close = QTimer(self)
        self._idle_close.setSingleShot(True)
        self._idle_close.setInterval(IDLE_CLOSE_MS)
        self._idle_close.timeout.connect(self.close)
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick_lockout)
        controller.add_screen_listener(self._on_screen)

    # --- properties ----------------------------------------------------------------------------------------------

    def _get_authenticated(self) -> bool:
        return self._authenticated

    def _get_unlocked(self) -> bool:
        runtime = self._runtime()
        return bool(runtime and runtime.vault and runtime.vault.unlocked)

    def _get_busy(self) -> bool:
        return self._busy

    def _get_pin_message(self) -> str:
        return self._pin_message

    def _get_locked_for(self) -> int:
        return self._locked_for

    def _get_passphrase_message(self) -> str:
        return self._passphrase_message

    def _get_status(self) -> str:
        return self._status

    def _get_hold_ms(self) -> int:
        return self._hold_ms

    def _set_hold_ms(self, value: int) -> None:
        if value != self._hold_ms:
            self._hold_ms = value
            self.holdMsChanged.emit()

    def _get_panels(self) -> RowsModel:
        return self._panels

    def _get_audit(self) -> RowsModel:
        return self._audit

    def _get_kiosk_name(self) -> str:
        runtime = self._runtime()
        return runtime.vault.kiosk_name if runtime and runtime.vault else ""

    def _get_event(self) -> str:
        runtime = self._runtime()
        return runtime.event_id if runtime else ""

    authenticated = Property(bool, _get_authenticated, notify=stateChanged)
    unlocked = Property(bool, _get_unlocked, notify=stateChanged)
    busy = Property(bool, _get_busy, notify=stateChanged)
    pinMessage = Property(str, _get_pin_message, notify=stateChanged)
    pinLockedFor = Property(int, _get_locked_for, notify=stateChanged)
    passphraseMessage = Property(str, _get_passphrase_message, notify=stateChanged)
    statusMessage = Property(str, _get_status, notify=stateChanged)
    holdMs = Property(int, _get_hold_ms, _set_hold_ms, notify=holdMsChanged)
    panels = Property(QObject, _get_panels, constant=True)
    auditLog = Property(QObject, _get_audit, constant=True)
    kioskName = Property(str, _get_kiosk_name, notify=stateChanged)
    eventName = Property(str, _get_event, notify=stateChanged)

    def set_idle_close_ms(self, ms: int) -> None:
        self._idle_close.setInterval(ms)

    # --- helpers ---------------------------------------------------------------------------------------------------

    def _runtime(self) -> Any:
        from kiosk.runtime import KioskRuntime

        runtime = self._controller.runtime
        return runtime if isinstance(runtime, KioskRuntime) else None

    def _changed(self) -> None:
        self.stateChanged.emit()

    def _on_screen(self, old: str, new: str) -> None:
        if old == "organiser" and new != "organiser":
            self._authenticated = False
            self._idle_close.stop()
            self._pin_message = ""
            self._passphrase_message = ""
            self._status = ""
            self._changed()
        if new == "organiser":
            self._refresh_lockout()

    @Slot()
    def activity(self) -> None:
        """Any touch in organiser mode keeps it open for another two minutes."""
        if self._authenticated:
            self._idle_close.start()

    # --- opening: hidden gesture, then PIN -------------------------------------------------------------------------

    @Slot()
    def requestOpen(self) -> None:
        """The hidden gesture (3 s hold on the top-left corner) was made: show the PIN pad."""
        if self._controller.storageReady:
            self._controller.show("organiser")

    def _refresh_lockout(self) -> None:
        from kiosk.organiser import locked_for

        runtime = self._runtime()
        self._locked_for = locked_for(runtime) if runtime else 0
        if self._locked_for:
            self._pin_message = f"Too many wrong PINs. Try again in {self._locked_for} seconds."
            self._countdown.start()
        self._changed()

    def _tick_lockout(self) -> None:
        self._locked_for = max(0, self._locked_for - 1)
        if self._locked_for == 0:
            self._countdown.stop()
            self._pin_message = ""
        else:
            self._pin_message = f"Too many wrong PINs. Try again in {self._locked_for} seconds."
        self._changed()

    @Slot(str)
    def submitPin(self, pin: str) -> None:
        """Check the PIN off the UI thread (scrypt is deliberately slow)."""
        from kiosk.organiser import check_pin

        runtime = self._runtime()
        if runtime is None or self._busy or self._locked_for:
            return
        self._busy = True
        self._changed()

        def done(result: Any) -> None:
            self._busy = False
            self._authenticated = bool(result.ok)
            self._pin_message = result.message
            self._locked_for = result.locked_for_s
            if self._locked_for:
                self._countdown.start()
            if self._authenticated:
                self._idle_close.start()
                self.refreshAudit()
            self._changed()

        run_in_background(lambda: check_pin(runtime, pin), done, self._background_failed)

    def _background_failed(self, exc: BaseException) -> None:
        log.error("organiser action failed: %s", exc)
        self._busy = False
        self._status = f"That did not work: {exc}" if isinstance(exc, KioskError) else "That did not work."
        self._changed()

    # --- vault -----------------------------------------------------------------------------------------------------

    @Slot(str)
    def unlock(self, passphrase: str) -> None:
        """Unlock the vault with the organiser passphrase (off the UI thread); then tag records signed while
        locked so duplicates are recognised."""
        from kiosk.signing import backfill_dedupe_tags

        runtime = self._runtime()
        if runtime is None or runtime.vault is None or not self._authenticated or self._busy:
            return
        self._busy = True
        self._passphrase_message = ""
        self._changed()

        def work() -> tuple[int, list[str]]:
            runtime.vault.unlock(passphrase)
            return backfill_dedupe_tags(runtime)

        def done(result: tuple[int, list[str]]) -> None:
            self._busy = False
            _, failed = result
            self._status = "Unlocked: sync can run and duplicates are recognised."
            if failed:
                self._status += f" {len(failed)} record(s) could not be decrypted: {', '.join(failed[:5])}"
            self.refreshAudit()
            self._changed()
            self.unlockedChanged.emit(True)

        def failed(exc: BaseException) -> None:
            self._busy = False
            self._passphrase_message = str(exc) if isinstance(exc, VaultError) else "Unlock failed."
            self.refreshAudit()
            self._changed()

        run_in_background(work, done, failed)

    @Slot()
    def lock(self) -> None:
        runtime = self._runtime()
        if runtime is not None and runtime.vault is not None and self._authenticated:
            runtime.vault.lock()
            self._status = "Locked - sync paused until an organiser unlocks again."
            self.refreshAudit()
            self._changed()
            self.unlockedChanged.emit(False)

    # --- other actions ---------------------------------------------------------------------------------------------

    @Slot()
    def purgeSynced(self) -> None:
        """Wipe the personal data of every record that has arrived safely (counts stay)."""
        from kiosk.retention import purge_personal_data

        runtime = self._runtime()
        if runtime is None or not self._authenticated or self._busy:
            return
        self._busy = True
        self._changed()

        def done(count: int) -> None:
            self._busy = False
            self._status = f"Purged the personal data of {count} synced record(s)."
            self.refreshAudit()
            self._changed()

        run_in_background(
            lambda: purge_personal_data(runtime, older_than=None, reason="organiser"), done, self._background_failed
        )

    @Slot()
    def refreshAudit(self) -> None:
        from local_db.repositories import recent_audit

        runtime = self._runtime()
        if runtime is None:
            return
        with runtime.db.begin() as session:
            rows = [
                {
                    "time": event.created_at.astimezone().strftime("%d %b %H:%M:%S"),
                    "action": event.action,
                    "details": _details_text(event.details),
                }
                for event in recent_audit(session, limit=200)
            ]
        self._audit.replace(rows)

    @Slot()
    def close(self) -> None:
        """Leave organiser mode (the vault stays as it is: unlocked keeps syncing)."""
        if self._controller.screen == "organiser":
            self._controller.show("attract")

    @Slot()
    def exitKiosk(self) -> None:
        if not self._authenticated:
            return
        runtime = self._runtime()
        if runtime is not None:
            from local_db.repositories import add_audit

            with runtime.db.begin() as session:
                add_audit(session, "exit_kiosk")
        self._controller.exit_kiosk()


def _details_text(raw: str) -> str:
    import json  # here, not at the top: only the audit list needs it, and it is not on the first frame

    try:
        data = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(data, dict):
        return raw
    return ", ".join(f"{k}={v}" for k, v in data.items())
