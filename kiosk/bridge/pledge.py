"""The donation pledge flow's view model: the step shown, what the attendee chose and typed, per-field messages,
the durable submit, and the thank-you screen's QR code."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement, QmlUncreatable

from kiosk.amounts import MIN_PENCE, PENCE_PER_POUND, format_money
from kiosk.bridge import QML_IMPORT_MAJOR_VERSION, QML_IMPORT_NAME  # noqa: F401  (read by QmlElement)
from kiosk.bridge.controller import KioskController
from kiosk.bridge.qr_provider import qr_image_source
from kiosk.errors import StorageError
from kiosk.pledge_form import FREQUENCIES, PledgeDraft, PledgeReceipt, describe_amount, donation_url, pledge_amount

log = logging.getLogger(__name__)

# The steps of ui/screens/PledgeScreen.qml and the draft fields each one checks before moving on.
STEP_KEYS: tuple[tuple[str, ...], ...] = (
    ("amount", "frequency", "over_18"),  # your pledge
    (),  # Gift Aid: ticking or not is always fine; what it requires is asked for on the next step
    ("first_name", "last_name", "email", "phone", "address_line", "postcode"),  # about you
    ("follow_up_email", "follow_up_phone", "optin_email"),  # keeping in touch, then submit
)
STEPS = len(STEP_KEYS)

SAVE_FAILED = "Sorry - your pledge could not be saved. Please ask a volunteer for help."
NOT_READY = "This kiosk cannot save right now. Please ask a volunteer."

# QML property name -> PledgeDraft attribute
_TEXT_FIELDS = {
    "customAmount": "custom_amount",
    "frequency": "frequency",
    "firstName": "first_name",
    "lastName": "last_name",
    "email": "email",
    "phone": "phone",
    "addressLine": "address_line",
    "postcode": "postcode",
}
_BOOL_FIELDS = {
    "over18": "over_18",
    "giftAid": "gift_aid",
    "giftAidEnduring": "gift_aid_enduring",
    "followUpEmail": "follow_up_email",
    "followUpPhone": "follow_up_phone",
    "optinEmail": "optin_email",
}


def _draft_property(name: str, kind: type, notify: Signal) -> Property:
    attr = _TEXT_FIELDS.get(name) or _BOOL_FIELDS[name]

    def read(self: PledgeViewModel) -> Any:
        return getattr(self._draft, attr)

    def write(self: PledgeViewModel, value: Any) -> None:
        self._update(**{attr: value})

    return Property(kind, read, write, notify=notify)


@QmlElement
@QmlUncreatable("PledgeViewModel is provided by the kiosk")
class PledgeViewModel(QObject):
    """Signals:
    draftChanged: any choice, tick or typed value changed (also after a wipe).
    errorsChanged: the per-field messages changed.
    stepChanged: a different step of the flow shows.
    stateChanged: the save failure message or the stored pledge (thank-you screen) changed.
    """

    draftChanged = Signal()
    errorsChanged = Signal()
    stepChanged = Signal()
    stateChanged = Signal()

    def __init__(self, controller: KioskController) -> None:
        super().__init__(controller)
        self._controller = controller
        self._pack = controller.options.campaign
        self._draft = self._new_draft()
        self._errors: dict[str, str] = {}
        self._step = 0
        self._failure = ""
        self._receipt: PledgeReceipt | None = None
        self._started = False
        controller.add_wipeable(self.wipe)
        controller.add_screen_listener(self._on_screen)

    def _new_draft(self) -> PledgeDraft:
        return PledgeDraft(language=self._pack.default_language)

    # --- what the attendee chose and typed -----------------------------------------------------------------------

    customAmount = _draft_property("customAmount", str, draftChanged)
    frequency = _draft_property("frequency", str, draftChanged)
    firstName = _draft_property("firstName", str, draftChanged)
    lastName = _draft_property("lastName", str, draftChanged)
    email = _draft_property("email", str, draftChanged)
    phone = _draft_property("phone", str, draftChanged)
    addressLine = _draft_property("addressLine", str, draftChanged)
    postcode = _draft_property("postcode", str, draftChanged)
    over18 = _draft_property("over18", bool, draftChanged)
    giftAid = _draft_property("giftAid", bool, draftChanged)
    giftAidEnduring = _draft_property("giftAidEnduring", bool, draftChanged)
    followUpEmail = _draft_property("followUpEmail", bool, draftChanged)
    followUpPhone = _draft_property("followUpPhone", bool, draftChanged)
    optinEmail = _draft_property("optinEmail", bool, draftChanged)

    def _preset(self) -> int:
        return self._draft.preset_pounds

    def _set_preset(self, pounds: int) -> None:
        self._update(preset_pounds=pounds)

    amountPreset = Property(int, _preset, _set_preset, notify=draftChanged)

    def _update(self, **changes: Any) -> None:
        """Apply changes to the draft; a chosen preset and a typed amount replace each other."""
        if changes.get("custom_amount", "").strip():
            changes["preset_pounds"] = 0
        if changes.get("preset_pounds"):
            changes["custom_amount"] = ""
        changed = {attr: value for attr, value in changes.items() if getattr(self._draft, attr) != value}
        if not changed:
            return
        for attr, value in changed.items():
            setattr(self._draft, attr, value)
        # A message goes away once the person changes what it is about; the amount's message covers both inputs.
        stale = {"amount" if attr in ("preset_pounds", "custom_amount") else attr for attr in changed}
        if stale & self._errors.keys():
            self._errors = {key: text for key, text in self._errors.items() if key not in stale}
            self.errorsChanged.emit()
        self.draftChanged.emit()

    @Slot(int)
    def choosePreset(self, pounds: int) -> None:
        self._update(preset_pounds=pounds)

    @Slot(str)
    def chooseFrequency(self, frequency: str) -> None:
        if frequency in FREQUENCIES:
            self._update(frequency=frequency)

    def _summary(self) -> str:
        """For example "£10 a month, with Gift Aid" once a valid amount is chosen, else ""."""
        pence, problem = pledge_amount(self._draft, self._pack.donation)
        if problem:
            return ""
        text = describe_amount(pence, self._draft.frequency, self._pack.donation.currency)
        return f"{text}, with Gift Aid" if self._draft.gift_aid else text

    summary = Property(str, _summary, notify=draftChanged)

    # --- what the pack says --------------------------------------------------------------------------------------

    def _presets(self) -> list[int]:
        return list(self._pack.donation.presets_pounds)

    def _preset_labels(self) -> list[str]:
        return [
            format_money(p * PENCE_PER_POUND, self._pack.donation.currency) for p in self._pack.donation.presets_pounds
        ]

    def _min_text(self) -> str:
        return format_money(MIN_PENCE, self._pack.donation.currency)

    def _max_text(self) -> str:
        return format_money(self._pack.donation.max_pounds * PENCE_PER_POUND, self._pack.donation.currency)

    presets = Property(list, _presets, constant=True)
    presetLabels = Property(list, _preset_labels, constant=True)
    minAmountText = Property(str, _min_text, constant=True)
    maxAmountText = Property(str, _max_text, constant=True)

    def _consent_text(self, purpose: str) -> str:
        return self._pack.consent(purpose).text

    def _gift_aid_text(self) -> str:
        return self._consent_text("gift_aid")

    def _gift_aid_enduring_text(self) -> str:
        return self._consent_text("gift_aid_enduring")

    def _follow_up_email_text(self) -> str:
        return self._consent_text("follow_up_email")

    def _follow_up_phone_text(self) -> str:
        return self._consent_text("follow_up_phone")

    def _optin_email_text(self) -> str:
        return self._consent_text("email_updates")

    giftAidText = Property(str, _gift_aid_text, constant=True)
    giftAidEnduringText = Property(str, _gift_aid_enduring_text, constant=True)
    followUpEmailText = Property(str, _follow_up_email_text, constant=True)
    followUpPhoneText = Property(str, _follow_up_phone_text, constant=True)
    optinEmailText = Property(str, _optin_email_text, constant=True)

    # --- steps, messages, saving ---------------------------------------------------------------------------------

    def _current_step(self) -> int:
        return self._step

    def _steps(self) -> int:
        return STEPS

    step = Property(int, _current_step, notify=stepChanged)
    steps = Property(int, _steps, constant=True)

    def _error_map(self) -> dict[str, str]:
        return dict(self._errors)

    errors = Property(dict, _error_map, notify=errorsChanged)

    def _failure_text(self) -> str:
        return self._failure

    failure = Property(str, _failure_text, notify=stateChanged)

    def _go_to(self, step: int) -> None:
        step = max(0, min(step, STEPS - 1))
        if step != self._step:
            self._step = step
            self.stepChanged.emit()

    @Slot(result=bool)
    def next(self) -> bool:
        """Check the current step; show its messages and stay, or move on. Returns whether it moved on."""
        from kiosk.pledges import validate_pledge

        _, errors = validate_pledge(self._draft, self._pack)
        self._set_errors({key: text for key, text in errors.items() if key in STEP_KEYS[self._step]})
        if self._errors:
            return False
        self._go_to(self._step + 1)
        return True

    @Slot()
    def back(self) -> None:
        """One step back; from the first step, leave the flow (nothing is kept)."""
        if self._step > 0:
            self._set_errors({})
            self._go_to(self._step - 1)
            return
        runtime = self._runtime()
        if runtime is not None and self._started:
            from kiosk.signing import record_flow_event

            record_flow_event(runtime, "pledge", "abandoned")
        self._controller.show("attract")

    @Slot(result=bool)
    def submit(self) -> bool:
        """Validate, seal and commit durably; only then go to the thank-you screen.

        On a failed commit the attendee sees "please ask a volunteer", and what they typed stays here for a retry.
        """
        from kiosk.pledges import save_pledge, validate_pledge

        valid, errors = validate_pledge(self._draft, self._pack)
        self._set_errors(errors)
        if valid is None:
            first_bad = min(i for i, keys in enumerate(STEP_KEYS) if errors.keys() & set(keys))
            self._go_to(first_bad)
            return False
        runtime = self._runtime()
        if runtime is None:
            self._set_failure(NOT_READY)
            return False
        try:
            receipt = save_pledge(runtime, valid)
        except StorageError:
            self._set_failure(SAVE_FAILED)
            return False
        # Nothing of this attendee stays in memory past this point: the thank-you needs only amount and link. (The
        # step stays, so the screen fading out does not jump back to the first step.)
        self._forget_attendee()
        self._receipt = receipt
        self.stateChanged.emit()
        self._controller.show("pledgeThankYou")
        return True

    # --- the thank-you screen ------------------------------------------------------------------------------------

    def _donation_url(self) -> str:
        return self._receipt.donation_url if self._receipt else ""

    def _qr_source(self) -> str:
        return qr_image_source(self._receipt.donation_url) if self._receipt else ""

    def _pledged_text(self) -> str:
        return self._receipt.amount_text if self._receipt else ""

    def _pledged_gift_aid(self) -> bool:
        return bool(self._receipt and self._receipt.gift_aid)

    donationUrl = Property(str, _donation_url, notify=stateChanged)
    donationQrSource = Property(str, _qr_source, notify=stateChanged)
    pledgedText = Property(str, _pledged_text, notify=stateChanged)
    pledgedWithGiftAid = Property(bool, _pledged_gift_aid, notify=stateChanged)

    def show_example_receipt(self) -> None:
        """For `campaign-kiosk screenshot --screen pledgeThankYou`: a pledge of the second preset, monthly, as
        if just stored (nothing is written)."""
        donation = self._pack.donation
        pence = donation.presets_pounds[min(1, len(donation.presets_pounds) - 1)] * PENCE_PER_POUND
        self._receipt = PledgeReceipt(
            record_id="",
            amount_pence=pence,
            currency=donation.currency,
            frequency="monthly",
            gift_aid=True,
            donation_url=donation_url(donation.url_template, pence, "monthly"),
        )
        self.stateChanged.emit()

    # --- between attendees ---------------------------------------------------------------------------------------

    @Slot()
    def wipe(self) -> None:
        """Forget everything: what was typed and ticked, messages, the step, and the last stored pledge."""
        self._forget_attendee()
        self._receipt = None
        self._step = 0
        self.stepChanged.emit()
        self.stateChanged.emit()

    def _forget_attendee(self) -> None:
        self._draft = self._new_draft()
        self._errors = {}
        self._failure = ""
        self.draftChanged.emit()
        self.errorsChanged.emit()
        self.stateChanged.emit()

    def _on_screen(self, old: str, new: str) -> None:
        if new == "pledge" and not self._started:
            self._started = True
            runtime = self._runtime()
            if runtime is not None:
                from kiosk.signing import record_flow_event

                record_flow_event(runtime, "pledge", "started")
        if new == "attract":
            self._started = False

    def _runtime(self) -> Any:
        from kiosk.runtime import KioskRuntime

        runtime = self._controller.runtime
        return runtime if isinstance(runtime, KioskRuntime) and runtime.vault is not None else None

    def _set_errors(self, errors: dict[str, str]) -> None:
        if errors != self._errors:
            self._errors = dict(errors)
            self.errorsChanged.emit()

    def _set_failure(self, text: str) -> None:
        if text != self._failure:
            self._failure = text
            self.stateChanged.emit()
