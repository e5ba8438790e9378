"""The root view model: which screen shows, whether storage is ready, and the sub-view-models of each feature."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement, QmlUncreatable

from kiosk.bridge import QML_IMPORT_MAJOR_VERSION, QML_IMPORT_NAME  # noqa: F401  (read by QmlElement)
from kiosk.bridge.campaign import CampaignInfo
from kiosk.errors import KioskError
from kiosk.services import KioskOptions

log = logging.getLogger(__name__)

# Screens QML knows (ui/Main.qml maps each to a file). Python navigates by name so tests and timers can too.
SCREENS = (
    "attract",
    "setup",
    "sign",
    "thankYou",
    "pledge",
    "pledgeThankYou",
    "organiser",
)


def _feature(name: str, changed: Signal) -> Property:
    def read(self: KioskController) -> QObject | None:
        return self._features.get(name)

    return Property(QObject, read, notify=changed)


@QmlElement
@QmlUncreatable("KioskController is provided by the kiosk")
class KioskController(QObject):
    """Root object handed to QML as the ``kiosk`` initial property.

    Signals:
        currentScreenChanged: a different screen should show.
        storageChanged: storage became ready, failed, or setup finished.
        tallyChanged: the public signature tally changed.
        runtimeReady: Python-side only; sub-view-models connect to it to get the open runtime.
        featuresChanged: the features the attract screen does not use were attached (see complete_features).
        petitionLinkChanged: the attributed petition link changed (the event became known).
    """

    currentScreenChanged = Signal()
    storageChanged = Signal()
    tallyChanged = Signal()
    messageChanged = Signal()
    runtimeReady = Signal(object)
    featuresChanged = Signal()
    petitionLinkChanged = Signal()

    def __init__(self, options: KioskOptions, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._options = options
        self._campaign = CampaignInfo(options.campaign, self)
        self._screen = "attract"
        self._runtime: object | None = None
        self._storage_error = ""
        self._setup_needed = False
        self._tally_today = 0
        self._tally_total = 0
        self._message = ""
        self._leave_guards: list[Callable[[str, str], None]] = []
        self._lockdown: object | None = None
        self._features: dict[str, QObject] = {}
        self._wipeables: list[Callable[[], None]] = []
        self._thank_you_ms = 15_000
        self._remaining_features: Callable[[KioskController], None] | None = None
        self._event_id = options.config.event_id
        self.runtimeReady.connect(self._learn_event)

    # --- feature view models -------------------------------------------------------------------------------------

    def attach(self, name: str, view_model: QObject) -> None:
        """Make a feature's view model reachable from QML as ``kiosk.<name>`` (see bridge/registry.py)."""
        view_model.setObjectName(name)
        self._features[name] = view_model

    def feature(self, name: str) -> QObject:
        if name not in self._features:
            self.complete_features()
        return self._features[name]

    def set_remaining_features(self, attach: Callable[[KioskController], None]) -> None:
        """What :meth:`complete_features` runs once: it imports and attaches the features the attract screen does
        not use (their modules cost ~60 ms to import, before the first frame that was a fifth of the start)."""
        self._remaining_features = attach

    def complete_features(self) -> None:
        """Attach every remaining feature now. Runs right after the first frame, and at the latest before storage
        opens (their view models connect to runtimeReady), before any screen other than attract shows, and when
        Python asks for a feature not attached yet."""
        attach, self._remaining_features = self._remaining_features, None
        if attach is not None:
            attach(self)
            self.featuresChanged.emit()

    # One property per feature, so QML can bind to kiosk.signing.* etc. The attract screen's features are attached
    # before QML loads, the rest by complete_features (featuresChanged).
    setup = _feature("setup", featuresChanged)
    idle = _feature("idle", featuresChanged)
    signing = _feature("signing", featuresChanged)
    pledge = _feature("pledge", featuresChanged)
    wins = _feature("wins", featuresChanged)
    sync = _feature("sync", featuresChanged)
    organiser = _feature("organiser", featuresChanged)
    printing = _feature("printing", featuresChanged)
    dashboard = _feature("dashboard", featuresChanged)

    # --- navigation ----------------------------------------------------------------------------------------------

    def _current_screen(self) -> str:
        return self._screen

    currentScreen = Property(str, _current_screen, notify=currentScreenChanged)

    @property
    def screen(self) -> str:
        """The current screen's name (for Python callers; QML binds to currentScreen)."""
        return self._screen

    def add_screen_listener(self, listener: Callable[[str, str], None]) -> None:
        """Call ``listener(old, new)`` on every screen change (view models wipe themselves on leaving)."""
        self._leave_guards.append(listener)

    def add_wipeable(self, wipe: Callable[[], None]) -> None:
        """Register a view model's wipe function: called whenever the kiosk returns to the attract screen, so
        nothing typed by one attendee is left for the next (see also the idle timer)."""
        self._wipeables.append(wipe)

    def wipe_all(self) -> None:
        for wipe in self._wipeables:
            wipe()

    @Slot(str)
    def show(self, name: str) -> None:
        if name not in SCREENS:
            log.error("unknown screen %r", name)
            return
        if self._setup_needed and name not in ("setup", "attract"):
            name = "setup"
        if name == self._screen:
            return
        self.complete_features()
        old, self._screen = self._screen, name
        if name == "attract":
            self.wipe_all()
        for listener in self._leave_guards:
            listener(old, name)
        self.currentScreenChanged.emit()

    # --- storage ---------------------------------------------------------------------------------------------------

    @property
    def options(self) -> KioskOptions:
        return self._options

    @property
    def runtime(self) -> object | None:
        return self._runtime

    def _campaign_info(self) -> CampaignInfo:
        return self._campaign

    campaign = Property(QObject, _campaign_info, constant=True)

    def _learn_event(self, runtime: object) -> None:
        event_id = str(getattr(runtime, "event_id", "") or "")
        if event_id and event_id != self._event_id:
            self._event_id = event_id
            self.petitionLinkChanged.emit()

    def _petition_qr_url(self) -> str:
        from kiosk.printing.qr import petition_link

        return petition_link(self._options.campaign, self._options.config, self._event_id)

    # The attract screen's QR code: the same link as kiosk.printing.petitionQrUrl, without loading printing first.
    petitionQrUrl = Property(str, _petition_qr_url, notify=petitionLinkChanged)

    # The matrix of the link the first frame shows is kept in the data dir (kiosk/printing/qr.py says why).
    PETITION_QR_FILE = "petition-qr.txt"

    def load_petition_qr(self) -> None:
        """Before QML loads: take the petition code's matrix from the last start, if the link is still the same."""
        from kiosk.printing.qr import load_matrix

        load_matrix(self._options.data_dir / self.PETITION_QR_FILE, self._petition_qr_url())

    def save_petition_qr(self, link: str) -> None:
        """Keep the matrix of ``link`` (the first frame's) for the next start, once storage is set up and open."""
        from kiosk.printing.qr import save_matrix

        if self._storage_ready():
            save_matrix(self._options.data_dir / self.PETITION_QR_FILE, link)

    def _storage_ready(self) -> bool:
        return self._runtime is not None and not self._setup_needed

    def _storage_error_text(self) -> str:
        return self._storage_error

    def _is_setup_needed(self) -> bool:
        return self._setup_needed

    storageReady = Property(bool, _storage_ready, notify=storageChanged)
    storageError = Property(str, _storage_error_text, notify=storageChanged)
    setupNeeded = Property(bool, _is_setup_needed, notify=storageChanged)

    @Slot()
    def startStorage(self) -> None:
        """Open the database after the first frame (SQLAlchemy alone costs ~0.26 s to import)."""
        if self._runtime is not None:
            return
        self.complete_features()
        from kiosk.runtime import open_runtime

        try:
            runtime = open_runtime(self._options)
        except KioskError as exc:
            log.error("storage unavailable: %s", exc)
            self._storage_error = str(exc)
            self.storageChanged.emit()
            return
        self._runtime = runtime
        self._setup_needed = runtime.vault is None
        self._purge_expired(runtime)
        self.storageChanged.emit()
        if self._setup_needed:
            self.show("setup")
        else:
            self.runtimeReady.emit(runtime)
            self.refreshTally()

    @staticmethod
    def _purge_expired(runtime: object) -> None:
        """Retention runs at every start: personal data of records safely delivered long enough ago goes."""
        from sqlalchemy.exc import SQLAlchemyError

        from kiosk.retention import purge_expired
        from kiosk.runtime import KioskRuntime

        assert isinstance(runtime, KioskRuntime)
        try:
            purge_expired(runtime)
        except SQLAlchemyError as exc:
            log.error("retention purge failed: %s", exc)

    def finish_setup(self) -> None:
        """Called by the setup view model once keys exist."""
        from kiosk.runtime import KioskRuntime

        runtime = self._runtime
        assert isinstance(runtime, KioskRuntime)
        runtime.attach_vault()
        self._setup_needed = False
        self.storageChanged.emit()
        self.runtimeReady.emit(runtime)
        self.refreshTally()
        self.show("attract")

    # --- public tally ----------------------------------------------------------------------------------------------

    def _today(self) -> int:
        return self._tally_today

    def _total(self) -> int:
        return self._tally_total

    tallyToday = Property(int, _today, notify=tallyChanged)
    tallyTotal = Property(int, _total, notify=tallyChanged)

    @Slot()
    def refreshTally(self) -> None:
        from kiosk.runtime import KioskRuntime
        from kiosk.tally import signature_tally

        runtime = self._runtime
        if not isinstance(runtime, KioskRuntime) or runtime.vault is None:
            return
        today, total = signature_tally(runtime)
        if (today, total) != (self._tally_today, self._tally_total):
            self._tally_today, self._tally_total = today, total
            self.tallyChanged.emit()

    # --- how long the thank-you screens stay (shortened by tests) ------------------------------------------------

    thankYouMsChanged = Signal()

    def _get_thank_you_ms(self) -> int:
        return self._thank_you_ms

    def _set_thank_you_ms(self, value: int) -> None:
        if value != self._thank_you_ms:
            self._thank_you_ms = value
            self.thankYouMsChanged.emit()

    thankYouMs = Property(int, _get_thank_you_ms, _set_thank_you_ms, notify=thankYouMsChanged)

    # --- leaving the kiosk -------------------------------------------------------------------------------------

    def set_lockdown(self, lockdown: object) -> None:
        self._lockdown = lockdown

    def exit_kiosk(self) -> None:
        """Quit the app (only organiser mode calls this): lifts lockdown first."""
        from PySide6.QtCore import QCoreApplication

        from kiosk.bridge.lockdown import Lockdown

        if isinstance(self._lockdown, Lockdown):
            self._lockdown.exit_kiosk()
        else:
            QCoreApplication.quit()

    # --- a message for volunteers (storage trouble etc.) --------------------------------------------------------

    def _message_text(self) -> str:
        return self._message

    message = Property(str, _message_text, notify=messageChanged)

    def set_message(self, text: str) -> None:
        if text != self._message:
            self._message = text
            self.messageChanged.emit()
