"""First-run setup screen: organiser passphrase, PIN, kiosk and event names."""

from __future__ import annotations

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement, QmlUncreatable

from kiosk.bridge import QML_IMPORT_MAJOR_VERSION, QML_IMPORT_NAME  # noqa: F401  (read by QmlElement)
from kiosk.bridge.controller import KioskController


@QmlElement
@QmlUncreatable("SetupViewModel is provided by the kiosk")
class SetupViewModel(QObject):
    """Signals:
    errorsChanged: a field's message changed.
    """

    errorsChanged = Signal()

    def __init__(self, controller: KioskController) -> None:
        super().__init__(controller)
        self._controller = controller
        self._errors: dict[str, str] = {}

    def _error_map(self) -> dict[str, str]:
        return dict(self._errors)

    errors = Property(dict, _error_map, notify=errorsChanged)

    @Slot(str, str, str, str, str, result=bool)
    def submit(self, passphrase: str, repeat: str, pin: str, kiosk_name: str, event_name: str) -> bool:
        """Create the organiser keys; returns False and sets field messages when something is wrong."""
        from kiosk.errors import VaultError
        from kiosk.runtime import KioskRuntime
        from kiosk.vault import passphrase_problem, pin_problem, setup_vault

        errors: dict[str, str] = {}
        problem = passphrase_problem(passphrase)
        if problem:
            errors["passphrase"] = problem
        elif repeat != passphrase:
            errors["repeat"] = "The two passphrases are not the same."
        problem = pin_problem(pin)
        if problem:
            errors["pin"] = problem
        if not kiosk_name.strip():
            errors["kioskName"] = "Give this kiosk a name, such as 'Stall 1'."
        if not event_name.strip():
            errors["eventName"] = "Name the event or stall, such as 'Brighton market'."
        runtime = self._controller.runtime
        if not errors and isinstance(runtime, KioskRuntime):
            try:
                setup_vault(runtime.db, passphrase, pin, kiosk_name, event_name)
            except VaultError as exc:
                errors["form"] = str(exc)
        elif not errors:
            errors["form"] = "Storage is not open yet. Please wait a moment and try again."
        self._errors = errors
        self.errorsChanged.emit()
        if errors:
            return False
        self._controller.finish_setup()
        return True
