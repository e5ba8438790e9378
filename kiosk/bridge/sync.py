"""Sync status and controls for QML (``kiosk.sync``), with the sync engine running on its own QThread.

The worker owns the engine (its own database sessions and HTTP client) and never touches QML; it reports through
queued signals with small plain values, at most every 100 ms during a large sync, so the UI thread only copies
numbers. Connectivity: QNetworkInformation is a hint (offline at once on "disconnected", a probe on any other
change); while offline the target is probed every 30 s; "Sync now" probes at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QMetaObject, QObject, QTimer, Signal, Slot
from PySide6.QtQml import QmlElement, QmlUncreatable

from kiosk.bridge import QML_IMPORT_MAJOR_VERSION, QML_IMPORT_NAME  # noqa: F401  (read by QmlElement)
from kiosk.bridge.controller import KioskController
from kiosk.bridge.listmodels import RowsModel
from kiosk.errors import ConfigError, KioskError

if TYPE_CHECKING:
    from PySide6.QtCore import QThread
    from PySide6.QtNetwork import QNetworkInformation

    from kiosk.sync.connectivity import Connectivity
    from kiosk.sync.engine import SyncEngine
    from kiosk.sync.settings import SyncSettings

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 0.1
IDLE_POLL_MS = 5_000  # a new signature shows as "1 waiting" within this, and is sent on the next pass
LOCKED_POLL_MS = 2_000
REJECTED_KEYS = ("entryId", "recordId", "kind", "reason", "when", "name")


class SyncWorker(QObject):
    """Lives on the sync thread. Slots are called through queued signals from :class:`SyncViewModel`.

    Signals:
        report: a dict of status values (counts, online, locked, last success/error, busy, status).
        progressed: done, total of the running pass.
        rejectedRows: the rejected entries as plain dicts (names only while unlocked).
    """

    report = Signal(object)
    progressed = Signal(int, int)
    rejectedRows = Signal(object)

    def __init__(self, runtime: Any, settings: SyncSettings) -> None:
        super().__init__()
        self._runtime = runtime
        self._settings = settings
        self._stop = threading.Event()
        self._manual = False
        self._paused_for_auth = False
        self._engine: SyncEngine | None = None
        self._connectivity: Connectivity | None = None
        self._timer: QTimer | None = None
        self._status = "starting"
        self._detail = ""
        self._last_progress = 0.0

    @property
    def engine(self) -> SyncEngine:
        assert self._engine is not None, "start() runs first"
        return self._engine

    @property
    def connectivity(self) -> Connectivity:
        assert self._connectivity is not None, "start() runs first"
        return self._connectivity

    def request_stop(self) -> None:
        """Thread-safe: ends a running pass between batches."""
        self._stop.set()

    @Slot()
    def start(self) -> None:
        from kiosk.sync.connectivity import Connectivity
        from kiosk.sync.engine import SyncEngine

        self._engine = SyncEngine(self._runtime, self._settings)
        self._connectivity = Connectivity(self._engine.probe)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.tick)
        self._schedule(0)

    @Slot()
    def shutdown(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self._engine is not None:
            self._engine.close()

    @Slot()
    def sync_now(self) -> None:
        self._manual = True
        self._paused_for_auth = False
        if self._connectivity is not None:
            self._connectivity.hint(None)
        self._schedule(0)

    @Slot(object)
    def retry(self, entry_ids: list[int]) -> None:
        if self._engine is None:
            return
        self.engine.retry_rejected(entry_ids or None)
        self.sync_now()

    @Slot(object)
    def network_hint(self, reachable: object) -> None:
        if self._connectivity is not None:
            self._connectivity.hint(reachable if isinstance(reachable, bool) else None)
            self._schedule(0)

    @Slot()
    def refresh(self) -> None:
        """Re-count soon (a record was saved, the vault was unlocked or locked)."""
        self._schedule(0)

    def _schedule(self, ms: float) -> None:
        if self._timer is not None and not self._stop.is_set():
            self._timer.start(max(0, int(ms)))

    @Slot()
    def tick(self) -> None:
        if self._stop.is_set() or self._engine is None:
            return
        engine, connectivity = self.engine, self.connectivity
        vault = self._runtime.vault
        try:
            if vault is None or not vault.unlocked:
                self._status, self._detail = "locked", "Locked - sync paused"
                self._publish()
                self._schedule(LOCKED_POLL_MS)
                return
            if self._paused_for_auth and not self._manual:
                self._publish()
                self._schedule(IDLE_POLL_MS)
                return
            if connectivity.probe_due():
                probe = connectivity.check()
                if not probe.online:
                    self._status, self._detail = "offline", probe.detail
                    self._publish()
                    self._schedule(connectivity.seconds_to_probe() * 1000)
                    return
            manual, self._manual = self._manual, False
            self._status = "syncing"
            self._publish(busy=True)
            result = engine.run_pass(manual=manual, progress=self._progress, should_stop=self._stop.is_set)
            self._after(result)
        except KioskError as exc:
            self._status, self._detail = "error", str(exc)
            self._publish()
            self._schedule(IDLE_POLL_MS)

    def _progress(self, progress: Any) -> None:
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_EVERY_S or progress.done == progress.total:
            self._last_progress = now
            self.progressed.emit(progress.done, progress.total)

    def _after(self, result: Any) -> None:
        connectivity = self.connectivity
        self._status, self._detail = result.status, result.detail
        if result.status == "offline":
            connectivity.report(False, result.detail)
        elif result.synced or result.rejected or result.status in ("throttled", "auth"):
            connectivity.report(True)
        if result.status == "auth":
            self._paused_for_auth = True
        self._publish(counts=result.counts)
        self._publish_rejected()
        if self._stop.is_set():
            return
        self._schedule(self._next_wait_ms(result))

    def _next_wait_ms(self, result: Any) -> float:
        from local_db.models import utcnow

        if result.status in ("offline", "failing"):
            return self.connectivity.seconds_to_probe() * 1000 if result.status == "offline" else 30_000
        due = result.hold_until or self.engine.next_due()
        if due is None:
            return IDLE_POLL_MS
        return min(IDLE_POLL_MS, max(50.0, (due - utcnow()).total_seconds() * 1000))

    def _publish(self, *, busy: bool = False, counts: Any = None) -> None:
        engine = self.engine
        counts = counts or engine.counts()
        last_success = engine.last_success or engine.last_synced_at()
        vault = self._runtime.vault
        self.report.emit(
            {
                "status": self._status,
                "detail": self._detail,
                "busy": busy,
                "online": self.connectivity.online,
                "locked": not (vault is not None and vault.unlocked),
                "pending": counts.pending,
                "sending": counts.sending,
                "synced": counts.synced,
                "rejected": counts.rejected,
                "lastSuccess": _when(last_success),
                "lastError": engine.latest_error(),
                "authPaused": self._paused_for_auth,
            }
        )

    def _publish_rejected(self) -> None:
        from kiosk.errors import DecryptionError, VaultLockedError
        from local_db.models import Pledge, Signature

        vault = self._runtime.vault
        rows = []
        for entry in self.engine.rejected_entries():
            name = ""
            if vault is not None and vault.unlocked:
                with self._runtime.db.begin() as session:
                    model = Pledge if entry.record_kind == "pledge" else Signature
                    record = session.get(model, entry.record_id)
                    try:
                        fields = vault.open_record(record) if record is not None else {}
                    except (DecryptionError, VaultLockedError):
                        fields = {}
                name = " ".join(str(fields.get(k, "")) for k in ("first_name", "last_name")).strip()
            rows.append(
                {
                    "entryId": entry.id,
                    "recordId": entry.record_id,
                    "kind": "consent change" if entry.consent_event_id else entry.record_kind,
                    "reason": entry.last_error or "",
                    "when": _when(entry.updated_at),
                    "name": name,
                }
            )
        self.rejectedRows.emit(rows)


def _when(value: dt.datetime | None) -> str:
    return value.astimezone().strftime("%H:%M:%S · %d %b") if value else ""


@QmlElement
@QmlUncreatable("SyncViewModel is provided by the kiosk")
class SyncViewModel(QObject):
    """``kiosk.sync``: what the attract indicator and the organiser sync panel show, and their two actions.

    Signals:
        stateChanged: any status value, count or the progress changed.
    """

    stateChanged = Signal()
    _syncNow = Signal()
    _retry = Signal(object)
    _hint = Signal(object)
    _refresh = Signal()

    def __init__(self, controller: KioskController) -> None:
        super().__init__(controller)
        self._controller = controller
        # The [sync] section is checked once the other features attach, after the attract screen's first frame
        # (kiosk.sync.settings and its classes cost ~2 ms); until then an adapter other than "none" counts as on.
        self._settings: SyncSettings | None = None
        self._settings_read = False
        self._config_error = ""
        controller.featuresChanged.connect(self._read_settings)
        self._state: dict[str, Any] = {"status": "starting", "online": None, "locked": True}
        self._done = 0
        self._total = 0
        self._rejected = RowsModel(REJECTED_KEYS, self)
        self._thread: QThread | None = None
        self._worker: SyncWorker | None = None
        self._network: QNetworkInformation | None = None
        controller.runtimeReady.connect(self.start)
        controller.tallyChanged.connect(self._refresh.emit)

    # --- lifecycle ----------------------------------------------------------------------------------------------

    def _read_settings(self) -> None:
        if self._settings_read:
            return
        self._settings_read = True
        from kiosk.sync.settings import settings_from_config

        try:
            self._settings = settings_from_config(self._controller.options.config)
        except ConfigError as exc:
            self._config_error = str(exc)
            log.error("sync is off: %s", exc)
        self.stateChanged.emit()

    @property
    def enabled(self) -> bool:
        if not self._settings_read:
            # Before the section is checked: on unless it plainly says "none" (the default).
            return bool(self._controller.options.config.sync.get("adapter", "none") != "none")
        return self._settings is not None and self._settings.enabled

    def start(self, runtime: Any) -> None:
        """Start the worker thread once storage is open (``controller.runtimeReady``)."""
        self._read_settings()
        if self._thread is not None or not self.enabled:
            self.stateChanged.emit()
            return
        assert self._settings is not None
        # Imported here, not at the top: setting up these classes costs ~1 ms before the attract screen's first frame.
        from PySide6.QtCore import QThread

        # The start-up heap is frozen out of the garbage collector by KioskWindow after the first frame (a full
        # collection over it took 130-230 ms in the middle of a large sync).
        self._thread = QThread()
        self._thread.setObjectName("sync")
        self._worker = SyncWorker(runtime, self._settings)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.start)
        self._worker.report.connect(self._on_report)
        self._worker.progressed.connect(self._on_progress)
        self._worker.rejectedRows.connect(self._on_rejected)
        self._syncNow.connect(self._worker.sync_now)
        self._retry.connect(self._worker.retry)
        self._hint.connect(self._worker.network_hint)
        self._refresh.connect(self._worker.refresh)
        self._thread.start()
        self._watch_network()

    def stop(self, *_: object) -> None:
        """Stop the worker and wait for it (before the runtime closes)."""
        thread, worker = self._thread, self._worker
        if thread is None or worker is None:
            return
        worker.request_stop()
        # The worker's timer must be stopped on its own thread: run shutdown there and wait for it (a running
        # pass ends at its next batch), then end the thread.
        from PySide6.QtCore import Qt  # not at the top: the Qt namespace costs ~13 ms before the first frame

        QMetaObject.invokeMethod(worker, "shutdown", Qt.ConnectionType.BlockingQueuedConnection)
        thread.quit()
        thread.wait()
        self._thread = self._worker = None

    def _watch_network(self) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if not QNetworkInformation.loadDefaultBackend():
            return
        info = QNetworkInformation.instance()
        self._network = info
        info.reachabilityChanged.connect(self._on_reachability)

    def _on_reachability(self, reachability: QNetworkInformation.Reachability) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        disconnected = reachability == QNetworkInformation.Reachability.Disconnected
        self._hint.emit(False if disconnected else None)

    def vault_changed(self, unlocked: bool) -> None:
        """The organiser unlocked or locked the vault: resume or pause without waiting for the next poll."""
        self._refresh.emit()

    # --- worker reports -----------------------------------------------------------------------------------------

    def _on_report(self, state: dict[str, Any]) -> None:
        self._state = state
        if not state.get("busy"):
            self._done = self._total = 0
        self.stateChanged.emit()

    def _on_progress(self, done: int, total: int) -> None:
        self._done, self._total = done, total
        self.stateChanged.emit()

    def _on_rejected(self, rows: list[dict[str, Any]]) -> None:
        if rows != self._rejected.rows():
            self._rejected.replace(rows)

    # --- properties ---------------------------------------------------------------------------------------------

    def _count(self, key: str) -> int:
        return int(self._state.get(key, 0) or 0)

    def _status_kind(self) -> str:
        if not self.enabled:
            return "off"
        if self._state.get("locked"):
            return "locked"
        if self._state.get("online") is False:
            return "offline"
        if self._count("pending") + self._count("sending"):
            return "waiting"
        if self._count("rejected"):
            return "attention"
        return "synced" if self._state.get("status") != "starting" else "starting"

    def _status_text(self) -> str:
        kind = self._status_kind()
        waiting = self._count("pending") + self._count("sending")
        return {
            "off": self.tr("Sync off"),
            "locked": self.tr("Locked"),
            "offline": self.tr("Offline"),
            "waiting": self.tr("%n waiting", "", waiting),
            "attention": self.tr("%n rejected", "", self._count("rejected")),
            "synced": self.tr("All synced"),
            "starting": self.tr("Checking sync…"),
        }[kind]

    def _detail(self) -> str:
        if self._config_error:
            return self._config_error
        if not self.enabled:
            return self.tr('Sync is off ([sync] adapter = "none" in the kiosk config).')
        if self._state.get("locked"):
            return self.tr("Locked - sync paused. Unlock with the organiser passphrase to send records.")
        if self._state.get("authPaused"):
            return self.tr("The sync target refused the token or secret. Fix it, then retry the rejected records.")
        return str(self._state.get("detail") or "")

    def _progress(self) -> float:
        return self._done / self._total if self._total else 0.0

    def _target(self) -> str:
        return self._settings.target_url if self._settings else ""

    statusKind = Property(str, _status_kind, notify=stateChanged)
    statusText = Property(str, _status_text, notify=stateChanged)
    detail = Property(str, _detail, notify=stateChanged)
    enabledForKiosk = Property(bool, lambda self: self.enabled, notify=stateChanged)
    busy = Property(bool, lambda self: bool(self._state.get("busy")), notify=stateChanged)
    online = Property(bool, lambda self: self._state.get("online") is not False, notify=stateChanged)
    locked = Property(bool, lambda self: bool(self._state.get("locked")), notify=stateChanged)
    pendingCount = Property(int, lambda self: self._count("pending"), notify=stateChanged)
    sendingCount = Property(int, lambda self: self._count("sending"), notify=stateChanged)
    syncedCount = Property(int, lambda self: self._count("synced"), notify=stateChanged)
    rejectedCount = Property(int, lambda self: self._count("rejected"), notify=stateChanged)
    waitingCount = Property(int, lambda self: self._count("pending") + self._count("sending"), notify=stateChanged)
    lastSuccess = Property(str, lambda self: str(self._state.get("lastSuccess") or ""), notify=stateChanged)
    lastError = Property(str, lambda self: str(self._state.get("lastError") or ""), notify=stateChanged)
    progressDone = Property(int, lambda self: self._done, notify=stateChanged)
    progressTotal = Property(int, lambda self: self._total, notify=stateChanged)
    progress = Property(float, _progress, notify=stateChanged)
    target = Property(str, _target, constant=True)
    rejected = Property(QObject, lambda self: self._rejected, constant=True)

    # --- actions ------------------------------------------------------------------------------------------------

    @Slot()
    def syncNow(self) -> None:
        """Try every pending record now (backoff timers ignored; Retry-After and the rate limit kept)."""
        self._syncNow.emit()

    @Slot()
    def retryRejected(self) -> None:
        """Put every rejected record back in the queue and sync (after the cause was fixed)."""
        self._retry.emit([])

    @Slot(int)
    def retryEntry(self, entry_id: int) -> None:
        self._retry.emit([entry_id])
