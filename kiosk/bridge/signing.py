"""The petition signing flow's view model: what the attendee typed, per-field messages, and the durable submit."""

from __future__ import annotations

import logging
from dataclasses import fields as dataclass_fields
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement, QmlUncreatable

from kiosk.bridge import QML_IMPORT_MAJOR_VERSION, QML_IMPORT_NAME  # noqa: F401  (read by QmlElement)
from kiosk.bridge.background import run_in_background
from kiosk.bridge.controller import KioskController
from kiosk.bridge.listmodels import RowsModel
from kiosk.errors import StorageError
from kiosk.signature_form import SignatureDraft
from kiosk.validation import FormMemo

if TYPE_CHECKING:
    from kiosk.campaign import CampaignPack
    from kiosk.runtime import KioskRuntime
    from kiosk.signing import SaveResult, ValidSignature

log = logging.getLogger(__name__)


class _SigningService(Protocol):
    """What this view model uses of kiosk.signing."""

    def validate_signature(
        self, draft: SignatureDraft, pack: CampaignPack, memo: FormMemo | None = None
    ) -> tuple[ValidSignature | None, dict[str, str]]: ...

    def save_signature(self, runtime: KioskRuntime, signature: ValidSignature) -> SaveResult: ...

    def record_flow_event(self, runtime: KioskRuntime, flow: str, column: str) -> None: ...

    def checkpoint_while_idle(self, runtime: KioskRuntime) -> None: ...


class _Storage(NamedTuple):
    signing: _SigningService
    runtime_type: type[KioskRuntime]


_storage: _Storage | None = None


def _storage_code() -> _Storage:
    """kiosk.signing and the runtime's class, imported on first use rather than with this module (they need
    SQLAlchemy, which start-up leaves until storage opens), and kept: an import statement in a slot costs ~35 us
    every time with cold caches (PySide's import hook), and a submit paid for two before it validated. Functions are
    looked up on the module at each call, as an import statement there would."""
    global _storage
    if _storage is None:
        import kiosk.signing
        from kiosk.runtime import KioskRuntime

        _storage = _Storage(kiosk.signing, KioskRuntime)
    return _storage


# QML property name -> SignatureDraft attribute
_TEXT_FIELDS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "email": "email",
    "postcode": "postcode",
    "country": "country",
    "phone": "phone",
}
_BOOL_FIELDS = {
    "outsideUk": "outside_uk",
    "consentSign": "consent_sign",
    "optinEmail": "optin_email",
    "optinSms": "optin_sms",
}
# Which draft fields each step of the flow checks before moving on.
_DETAIL_KEYS = ("first_name", "last_name", "email", "postcode", "country", "phone")


def _draft_property(name: str, kind: type, notify: Signal) -> Property:
    attr = _TEXT_FIELDS.get(name) or _BOOL_FIELDS[name]

    def read(self: SigningViewModel) -> Any:
        return getattr(self._draft, attr)

    def write(self: SigningViewModel, value: Any) -> None:
        if getattr(self._draft, attr) != value:
            setattr(self._draft, attr, value)
            if attr in self._errors:
                del self._errors[attr]
                self.errorsChanged.emit()
            self.draftChanged.emit()

    return Property(kind, read, write, notify=notify)


@QmlElement
@QmlUncreatable("SigningViewModel is provided by the kiosk")
class SigningViewModel(QObject):
    """Signals:
    draftChanged: any typed value or tick changed (also after a wipe).
    errorsChanged: the per-field messages changed.
    stateChanged: busy, failure or duplicate changed.
    """

    draftChanged = Signal()
    errorsChanged = Signal()
    stateChanged = Signal()

    def __init__(self, controller: KioskController) -> None:
        super().__init__(controller)
        self._controller = controller
        self._draft = SignatureDraft(language=controller.options.campaign.default_language)
        # What the details step made of the typed fields, for the submit (forgotten with the draft).
        self._checked = FormMemo()
        self._errors: dict[str, str] = {}
        self._failure = ""
        self._duplicate = False
        self._started = False
        self._saved = False  # a signature was stored since the attract screen last showed
        # Filled once storage is open (pycountry is slow to import), or when the sign screen first asks for it.
        self._countries = RowsModel(("code", "name"), self)
        self._countries_filled = False
        controller.add_wipeable(self.wipe)
        controller.add_screen_listener(self._on_screen)
        controller.runtimeReady.connect(self._fill_countries)

    firstName = _draft_property("firstName", str, draftChanged)
    lastName = _draft_property("lastName", str, draftChanged)
    email = _draft_property("email", str, draftChanged)
    postcode = _draft_property("postcode", str, draftChanged)
    country = _draft_property("country", str, draftChanged)
    phone = _draft_property("phone", str, draftChanged)
    outsideUk = _draft_property("outsideUk", bool, draftChanged)
    consentSign = _draft_property("consentSign", bool, draftChanged)
    optinEmail = _draft_property("optinEmail", bool, draftChanged)
    optinSms = _draft_property("optinSms", bool, draftChanged)

    def _error_map(self) -> dict[str, str]:
        return dict(self._errors)

    errors = Property(dict, _error_map, notify=errorsChanged)

    def _failure_text(self) -> str:
        return self._failure

    def _is_duplicate(self) -> bool:
        return self._duplicate

    failure = Property(str, _failure_text, notify=stateChanged)
    duplicate = Property(bool, _is_duplicate, notify=stateChanged)

    def _country_model(self) -> RowsModel:
        self._fill_countries()
        return self._countries

    def _fill_countries(self, *_runtime: object) -> None:
        if not self._countries_filled:
            from kiosk.validation import countries

            self._countries.replace([{"code": code, "name": name} for code, name in countries()])
            self._countries_filled = True

    countries = Property(QObject, _country_model, constant=True)

    def _required(self) -> list[str]:
        return list(self._controller.options.campaign.petition.required_fields)

    requiredFields = Property(list, _required, constant=True)

    def _consent_text(self, purpose: str) -> str:
        return self._controller.options.campaign.consent(purpose).text

    def _sign_text(self) -> str:
        return self._consent_text("sign")

    def _email_text(self) -> str:
        return self._consent_text("email_updates")

    def _sms_text(self) -> str:
        return self._consent_text("sms_updates")

    signConsentText = Property(str, _sign_text, constant=True)
    emailConsentText = Property(str, _email_text, constant=True)
    smsConsentText = Property(str, _sms_text, constant=True)

    # --- actions -----------------------------------------------------------------------------------------------

    def _runtime(self) -> KioskRuntime | None:
        runtime = self._controller.runtime
        return runtime if isinstance(runtime, _storage_code().runtime_type) else None

    def _on_screen(self, old: str, new: str) -> None:
        if new == "sign" and not self._started:
            self._started = True
            runtime = self._runtime()
            if runtime is not None:
                _storage_code().signing.record_flow_event(runtime, "sign", "started")
        if new == "attract":
            self._started = False
            runtime = self._runtime() if self._saved else None
            self._saved = False
            if runtime is not None:
                # Off the UI thread: on an SD card the checkpoint's fsync can take longer than a frame, and the
                # attract screen is fading in. The saves' connection is locked meanwhile; nobody saves that soon.
                checkpoint = _storage_code().signing.checkpoint_while_idle
                run_in_background(
                    lambda: checkpoint(runtime), lambda _: None, lambda exc: log.warning("checkpoint failed: %s", exc)
                )

    @Slot(result=bool)
    def checkDetails(self) -> bool:
        """Validate the details step; shows messages next to the fields and returns whether to move on."""
        service = _storage_code().signing
        _, errors = service.validate_signature(
            self._draft_with_consent(), self._controller.options.campaign, self._checked
        )
        self._set_errors({k: v for k, v in errors.items() if k in _DETAIL_KEYS})
        return not self._errors

    def _draft_with_consent(self) -> SignatureDraft:
        values = {f.name: getattr(self._draft, f.name) for f in dataclass_fields(SignatureDraft)}
        values["consent_sign"] = True
        # The phone rule for SMS belongs to the consent step; the details step checks only what was typed.
        values["optin_sms"] = False
        values["optin_email"] = False
        return SignatureDraft(**values)

    @Slot(result=bool)
    def submit(self) -> bool:
        """Validate, seal and commit durably; only then go to the thank-you screen.

        On a failed commit the attendee sees "please ask a volunteer", and what they typed stays here for a retry.
        """
        service = _storage_code().signing
        runtime = self._runtime()
        valid, errors = service.validate_signature(self._draft, self._controller.options.campaign, self._checked)
        self._set_errors(errors)
        if valid is None:
            return False
        if runtime is None:
            self._set_failure("This kiosk cannot save right now. Please ask a volunteer.")
            return False
        try:
            result = service.save_signature(runtime, valid)
        except StorageError:
            self._set_failure("Sorry - your signature could not be saved. Please ask a volunteer for help.")
            return False
        self._saved = True
        # Nothing of this attendee stays in memory past this point, even while the thank-you shows.
        self.wipe()
        self._duplicate = result.duplicate
        self.stateChanged.emit()
        self._controller.refreshTally()
        self._controller.show("thankYou")
        return True

    @Slot()
    def wipe(self) -> None:
        """Forget everything the last attendee typed or ticked."""
        self._draft = SignatureDraft(language=self._controller.options.campaign.default_language)
        self._checked.forget()
        self._errors = {}
        self._failure = ""
        self._duplicate = False
        self.draftChanged.emit()
        self.errorsChanged.emit()
        self.stateChanged.emit()

    def _set_errors(self, errors: dict[str, str]) -> None:
        if errors == self._errors:
            # Every field's message re-reads the whole map on this signal: a valid submit would pay for that just
            # before its commit, for nothing.
            return
        self._errors = dict(errors)
        self.errorsChanged.emit()

    def _set_failure(self, text: str) -> None:
        self._failure = text
        self.stateChanged.emit()
