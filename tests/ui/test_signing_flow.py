"""Signing the petition through the real QML: typing, validation, consent proofs, durability, duplicates, wipe."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from kiosk import validation
from local_db.models import ConsentEvent, OutboxEntry, Signature
from tests.helpers.kiosk import PASSPHRASE, KioskHarness, open_organiser, unlock_vault


def fill_details(
    k: KioskHarness,
    first: str = "Siobhán",
    last: str = "O'Brien-Ní",
    email: str = "siobhan@example.org",
    postcode: str = "sw1a 1aa",
    phone: str = "",
) -> None:
    k.type_text("firstNameField", first)
    k.type_text("lastNameField", last)
    k.type_text("emailField", email)
    k.type_text("postcodeField", postcode)
    if phone:
        k.type_text("phoneField", phone)


def sign(k: KioskHarness, *, optin_email: bool = False, optin_sms: bool = False, **details: str) -> None:
    k.click("signPetitionButton")
    k.wait_screen("sign")
    k.click("nextButton")
    fill_details(k, **details)
    k.click("nextButton")
    k.find("consentSignCheck")
    k.click("consentSignCheck")
    if optin_email:
        k.click("optinEmailCheck")
    if optin_sms:
        k.click("optinSmsCheck")
    k.click("submitSignatureButton")


def stored(k: KioskHarness) -> list[Signature]:
    with k.runtime.db.begin() as session:
        return list(session.scalars(select(Signature).order_by(Signature.created_at)))


def test_sign_with_key_events_stores_sealed_record_with_consent_proofs(kiosk: KioskHarness) -> None:
    k = kiosk
    sign(k, optin_email=True, phone="07911 123456")
    k.wait_screen("thankYou")
    records = stored(k)
    assert len(records) == 1
    record = records[0]
    assert record.optin_email is True and record.optin_sms is False and record.source == "kiosk"
    vault = k.runtime.vault
    vault.unlock(PASSPHRASE)
    assert vault.open_record(record) == {
        "first_name": "Siobhán",
        "last_name": "O'Brien-Ní",
        "email": "siobhan@example.org",
        "postcode": "SW1A 1AA",
        "country": "GB",
        "phone": "+447911123456",
    }
    pack = k.options.campaign
    with k.runtime.db.begin() as session:
        events = {
            e.purpose: e for e in session.scalars(select(ConsentEvent).where(ConsentEvent.record_id == record.id))
        }
        outbox = list(session.scalars(select(OutboxEntry)))
    assert {p: e.granted for p, e in events.items()} == {"sign": True, "email_updates": True, "sms_updates": False}
    for purpose, event in events.items():
        text = pack.consent(purpose)
        assert event.text_version == text.version
        assert event.text_sha256 == hashlib.sha256(text.text.encode()).hexdigest()
        assert event.language == "en" and event.kiosk_id == k.runtime.kiosk_id and event.event_id == "test-event"
        assert event.created_at.tzinfo is not None
    assert [(e.record_id, e.state) for e in outbox] == [(record.id, "pending")]
    k.click("doneButton")
    k.wait_screen("attract")
    assert "1 signed at this stall today · 1 on this kiosk" in k.text_of("tallyText")


def test_validation_messages_next_to_fields_and_nothing_stored(kiosk: KioskHarness) -> None:
    k = kiosk
    k.click("signPetitionButton")
    k.wait_screen("sign")
    k.click("nextButton")
    fill_details(k, first="Bob 😀", last="", email="bob@", postcode="QA1 1AA")
    k.click("nextButton")
    assert "emoji" in k.text_of("firstNameFieldError")
    assert "last name" in k.text_of("lastNameFieldError")
    assert "email" in k.text_of("emailFieldError")
    assert "UK postcode" in k.text_of("postcodeFieldError")
    assert k.exists("detailsStep")
    # Fixing the fields moves on; unticked sign consent blocks the submit.
    fill_details(k, first="Bob", last="Smith", email="bob@example.org", postcode="M1 1AE")
    k.click("nextButton")
    k.click("submitSignatureButton")
    assert "tick the box" in k.text_of("consentSignCheckError")
    assert stored(k) == []


def test_sms_optin_needs_a_mobile_number(kiosk: KioskHarness) -> None:
    k = kiosk
    sign(k, optin_sms=True)
    assert "mobile number" in k.text_of("optinSmsCheckError")
    assert k.screen() == "sign" and stored(k) == []


def test_outside_uk_signer_picks_a_country(kiosk: KioskHarness) -> None:
    k = kiosk
    k.click("signPetitionButton")
    k.wait_screen("sign")
    k.click("nextButton")
    k.type_text("firstNameField", "Tenzin")
    k.type_text("lastNameField", "Dolma")
    k.type_text("emailField", "tenzin@example.org")
    k.click("outsideUkCheck")
    k.click("nextButton")
    assert "choose your country" in k.text_of("countryFieldError").lower()
    combo = k.find("countryField")
    index = combo.property("indexOfValue")  # not callable from Python: pick via the model instead
    del index
    k.controller.feature("signing").setProperty("country", "IN")
    k.click("nextButton")
    k.click("consentSignCheck")
    k.click("submitSignatureButton")
    k.wait_screen("thankYou")
    k.runtime.vault.unlock(PASSPHRASE)
    fields = k.runtime.vault.open_record(stored(k)[0])
    assert fields["country"] == "IN" and fields["postcode"] == ""


def test_failed_commit_asks_for_a_volunteer_and_keeps_data_for_retry(kiosk: KioskHarness) -> None:
    k = kiosk
    blocker = sqlite3.connect(k.options.db_path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        sign(k)
        k.qtbot.waitUntil(lambda: "ask a volunteer" in k.text_of("saveErrorText"), timeout=10000)
        assert k.screen() == "sign"
    finally:
        blocker.rollback()
        blocker.close()
    assert stored(k) == []
    k.click("submitSignatureButton")
    k.wait_screen("thankYou")
    assert len(stored(k)) == 1
    with k.runtime.db.begin() as session:
        from local_db.repositories import recent_audit

        assert "save_failed" in [e.action for e in recent_audit(session)]


def test_duplicate_recognised_when_unlocked_and_new_optin_is_a_consent_event(kiosk: KioskHarness) -> None:
    k = kiosk
    sign(k, email="dup@example.org")
    k.wait_screen("thankYou")
    k.click("doneButton")
    k.wait_screen("attract")
    open_organiser(k)
    unlock_vault(k)
    k.click("closeOrganiserButton")
    k.wait_screen("attract")
    sign(k, email="DUP@example.org", optin_email=True)
    k.wait_screen("thankYou")
    assert "already signed" in k.text_of("thankYouTitle")
    records = stored(k)
    assert len(records) == 1
    with k.runtime.db.begin() as session:
        email_events = list(
            session.scalars(
                select(ConsentEvent).where(
                    ConsentEvent.record_id == records[0].id, ConsentEvent.purpose == "email_updates"
                )
            )
        )
    assert [e.granted for e in email_events] == [False, True]


def test_thank_you_returns_home_by_itself_and_leaves_nothing(kiosk: KioskHarness) -> None:
    k = kiosk
    k.controller.setProperty("thankYouMs", 300)
    sign(k, first="Wiped", last="Person")
    k.wait_screen("thankYou")
    k.wait_screen("attract", timeout=3000)
    vm = k.controller.feature("signing")
    for prop in ("firstName", "lastName", "email", "postcode", "phone", "country"):
        assert vm.property(prop) == ""
    assert not vm.property("consentSign") and not vm.property("optinEmail")
    k.click("signPetitionButton")
    k.wait_screen("sign")
    k.click("nextButton")
    for name in ("firstNameField", "lastNameField", "emailField", "postcodeField", "phoneField"):
        assert k.text_of(name) == ""


def test_idle_prompt_then_wipe_counts_abandoned(kiosk: KioskHarness) -> None:
    k = kiosk
    idle = k.controller.feature("idle")
    idle.set_timeouts(400, tick_ms=50)
    k.click("signPetitionButton")
    k.wait_screen("sign")
    k.click("nextButton")
    k.type_text("firstNameField", "Half")
    k.type_text("emailField", "half@example.org")
    k.qtbot.waitUntil(lambda: k.exists("idleCountdownText"), timeout=3000)
    k.click("idleContinueButton")
    assert k.screen() == "sign" and k.text_of("firstNameField") == "Half"
    k.qtbot.waitUntil(lambda: k.exists("idleCountdownText"), timeout=3000)
    k.wait_screen("attract", timeout=5000)
    assert not k.exists("idleCountdownText")
    assert k.controller.feature("signing").property("firstName") == ""
    k.click("signPetitionButton")
    k.wait_screen("sign")
    k.click("nextButton")
    assert k.text_of("firstNameField") == "" and k.text_of("emailField") == ""
    with k.runtime.db.begin() as session:
        from local_db.models import FunnelCount

        rows = list(session.scalars(select(FunnelCount).where(FunnelCount.flow == "sign")))
    assert sum(r.started for r in rows) == 2 and sum(r.abandoned for r in rows) == 1


@pytest.mark.parametrize("size", [(1280, 800), (800, 480)])
def test_sign_by_tapping_the_on_screen_keyboard(qtbot, qapp, set_up_data_dir, size) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers.keyboard import tap_keys
    from tests.helpers.kiosk import make_options

    k = KioskHarness.start(qtbot, make_options(set_up_data_dir), size=size)
    try:
        k.click("signPetitionButton")
        k.wait_screen("sign")
        k.click("nextButton")
        for field, text in (
            ("firstNameField", "ann"),
            ("lastNameField", "lee"),
            ("emailField", "ann@example.org"),
            ("postcodeField", "m1 1ae"),
        ):
            item = k.find(field)
            k.click(item)
            qtbot.waitUntil(item.hasActiveFocus)
            tap_keys(k, text)
        assert k.text_of("firstNameField") == "Ann"  # the keyboard capitalises the first letter of a name
        k.click("nextButton")
        k.click("consentSignCheck")
        k.click("submitSignatureButton")
        k.wait_screen("thankYou")
        k.runtime.vault.unlock(PASSPHRASE)
        fields = k.runtime.vault.open_record(stored(k)[0])
        assert (fields["first_name"], fields["email"], fields["postcode"]) == ("Ann", "ann@example.org", "M1 1AE")
    finally:
        k.close()


def _strings_held(obj: object, depth: int = 4) -> list[str]:
    """Every str reachable from a Python object's attributes, dicts, lists and tuples (not through Qt)."""
    if isinstance(obj, str):
        return [obj]
    if depth == 0:
        return []
    if isinstance(obj, dict):
        children: list[object] = [*obj.keys(), *obj.values()]
    elif isinstance(obj, list | tuple | set):
        children = list(obj)
    elif hasattr(obj, "__dict__") and not callable(obj):
        children = list(vars(obj).values())
    else:
        return []
    return [s for child in children for s in _strings_held(child, depth - 1)]


def test_the_submit_reuses_the_details_check_only_for_the_same_address_and_forgets_it(kiosk: KioskHarness) -> None:
    """The details step's email check is kept for the submit: a changed address is checked again, and nothing of
    the attendee stays in the view model once the form is wiped."""
    k = kiosk
    vm = k.controller.feature("signing")
    k.click("signPetitionButton")
    k.wait_screen("sign")
    k.click("nextButton")
    fill_details(k, email="first.try@example.org")
    k.click("nextButton")
    k.find("consentSignCheck")
    assert "first.try@example.org" in _strings_held(vars(vm))
    k.click("backButton")
    k.type_text("emailField", "not an address")
    assert vm.property("email") == "not an address"
    k.click("nextButton")
    k.qtbot.waitUntil(lambda: "email address" in k.text_of("emailFieldError"))
    k.type_text("emailField", "Second.Try@Example.ORG")
    k.click("nextButton")
    k.find("consentSignCheck")
    k.click("consentSignCheck")
    k.click("submitSignatureButton")
    k.wait_screen("thankYou")
    k.runtime.vault.unlock(PASSPHRASE)
    (record,) = stored(k)
    assert k.runtime.vault.open_record(record)["email"] == "Second.Try@example.org"
    held = _strings_held(vars(vm))
    assert not [s for s in held if "try@" in s.lower() or "address" in s], held


def test_the_submit_checks_again_only_what_changed_since_the_last_check(
    kiosk: KioskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The submit takes the last check's answer for the typed fields while they and the fields required are the same,
    and checks only the ticks; a tick that makes a field required has the typed fields checked again."""
    k = kiosk
    checked: list[str] = []

    def counted(name: str) -> Callable[..., tuple[str, str]]:
        real = getattr(validation, name)

        def check(*args: Any, **kwargs: Any) -> tuple[str, str]:
            checked.append(name)
            result: tuple[str, str] = real(*args, **kwargs)
            return result

        return check

    for name in ("normalise_name", "normalise_postcode", "normalise_phone", "normalise_email"):
        monkeypatch.setattr(validation, name, counted(name))
    k.click("signPetitionButton")
    k.wait_screen("sign")
    k.click("nextButton")
    fill_details(k, first=" Siobhán ", email="Siobhan@Example.ORG")
    k.click("nextButton")
    k.find("consentSignCheck")
    assert "normalise_name" in checked and "normalise_phone" in checked
    checked.clear()
    k.click("consentSignCheck")
    k.click("optinSmsCheck")  # a mobile number is now required: the typed fields are checked again
    k.click("submitSignatureButton")
    assert "mobile number" in k.text_of("optinSmsCheckError")
    assert "normalise_phone" in checked and stored(k) == []
    k.click("optinSmsCheck")
    k.click("consentSignCheck")
    k.click("submitSignatureButton")
    assert "tick the box" in k.text_of("consentSignCheckError")
    checked.clear()
    k.click("consentSignCheck")  # only a tick changed since the last check: its answer is taken
    k.click("submitSignatureButton")
    k.wait_screen("thankYou")
    assert checked == []
    k.runtime.vault.unlock(PASSPHRASE)
    (record,) = stored(k)
    assert not record.optin_sms and not record.optin_email
    assert k.runtime.vault.open_record(record) == {
        "first_name": "Siobhán",
        "last_name": "O'Brien-Ní",
        "email": "Siobhan@example.org",
        "postcode": "SW1A 1AA",
        "country": "GB",
        "phone": "",
    }
    vm = k.controller.feature("signing")
    assert not [s for s in _strings_held(vars(vm)) if "siobh" in s.lower()]


def _signatures_in_the_database_file(k: KioskHarness) -> int:
    """Signatures in the database file itself, leaving out what is only in its WAL so far."""
    conn = sqlite3.connect(f"file:{k.runtime.db.path}?immutable=1", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM signatures").fetchone()[0])
    finally:
        conn.close()


def test_a_flow_that_saved_has_its_pages_checkpointed_once_back_on_the_attract_screen(kiosk: KioskHarness) -> None:
    """The checkpoint that SQLite would run inside some later save's commit runs when nobody waits instead."""
    k = kiosk
    sign(k)
    k.wait_screen("thankYou")
    assert len(stored(k)) == 1 and _signatures_in_the_database_file(k) == 0  # committed to the WAL only
    k.click("doneButton")
    k.wait_screen("attract")
    k.qtbot.waitUntil(lambda: _signatures_in_the_database_file(k) == 1)  # on a pool thread
    wal = k.runtime.db.path.with_name(k.runtime.db.path.name + "-wal")
    size = wal.stat().st_size
    sign(k, first="Tenzin", email="tenzin@example.org")
    k.wait_screen("thankYou")
    assert wal.stat().st_size == size  # the WAL started over from its beginning instead of growing
    k.click("doneButton")
    k.wait_screen("attract")
    assert _signatures_in_the_database_file(k) == 2 and len(stored(k)) == 2
