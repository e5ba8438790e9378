"""Pledging a donation through the real QML: amounts, Gift Aid declaration, consent proofs, sealed storage, the QR
code to the donation page, failed commits, the wipe, and fitting 800x480 with the on-screen keyboard up."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kiosk.pledges import pledge_totals
from local_db.models import ConsentEvent, ConsentText, FunnelCount, OutboxEntry, Pledge
from tests.helpers.kiosk import PASSPHRASE, KioskHarness, make_options
from tests.helpers.qr_decode import decode_qr_texts, qimage_to_pil

DONATE = "https://act.example.org/donate/hikvision"


def open_pledge(k: KioskHarness) -> None:
    k.click("pledgeButton")
    k.wait_screen("pledge")


def retype(k: KioskHarness, name: str, text: str) -> None:
    """Clear a field the way a person does (select all, delete) so the view model hears it, then type."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QGuiApplication, QKeyEvent

    item = k.find(name)
    k.click(item)
    k.qtbot.waitUntil(item.hasActiveFocus, timeout=2000)
    for key, modifier in (
        (Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_Backspace, Qt.KeyboardModifier.NoModifier),
    ):
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QGuiApplication.sendEvent(k.window, QKeyEvent(kind, key, modifier))
    assert k.text_of(name) == ""
    if text:
        k.type_text(name, text, replace=False)


def choose_amount(
    k: KioskHarness, *, preset: int | None = None, typed: str | None = None, monthly: bool = False
) -> None:
    k.click("over18Check")
    if preset is not None:
        k.click(f"amountPreset{preset}")
    if typed is not None:
        k.type_text("customAmountField", typed)
    k.click("monthlyRadio" if monthly else "oneOffRadio")


def next_step(k: KioskHarness, expect_step: int) -> None:
    k.click("nextButton")
    k.qtbot.waitUntil(lambda: vm(k).property("step") == expect_step, timeout=2000)
    k.qtbot.wait(50)


def vm(k: KioskHarness) -> Any:
    return k.controller.feature("pledge")


def stored(k: KioskHarness) -> list[Pledge]:
    with k.runtime.db.begin() as session:
        return list(session.scalars(select(Pledge).order_by(Pledge.created_at)))


def consents(k: KioskHarness, record_id: str) -> dict[str, ConsentEvent]:
    with k.runtime.db.begin() as session:
        return {e.purpose: e for e in session.scalars(select(ConsentEvent).where(ConsentEvent.record_id == record_id))}


def decoded_qr(k: KioskHarness) -> list[str]:
    code = k.find("donationQr")
    k.qtbot.waitUntil(lambda: code.property("progress") == 1.0 and code.property("paintedWidth") > 0, timeout=3000)
    k.qtbot.wait(300)  # the StackView's fade-in
    return decode_qr_texts(qimage_to_pil(k.window.grabWindow()))


def test_one_off_with_gift_aid_is_sealed_with_declaration_proof_and_qr(kiosk: KioskHarness) -> None:
    k = kiosk
    open_pledge(k)
    for name in ("over18Check", "oneOffRadio", "monthlyRadio", "customAmountField"):
        assert k.find(name).height() >= 56
    assert not k.find("over18Check").property("checked")
    assert k.find("oneOffRadio").property("checked") and not k.find("monthlyRadio").property("checked")
    assert [k.text_of(f"amountPreset{p}") for p in (5, 10, 20, 50)] == ["£5", "£10", "£20", "£50"]

    k.click("nextButton")
    assert "18 or over" in k.text_of("over18CheckError")
    assert "choose an amount" in k.text_of("customAmountFieldError")
    assert vm(k).property("step") == 0

    choose_amount(k, preset=20)
    assert k.find("amountPreset20").property("kind") == "secondary"
    next_step(k, 1)
    gift_aid = k.find("giftAidCheck")
    assert not gift_aid.property("checked")
    shown_declaration = str(gift_aid.property("text"))
    assert "UK taxpayer" in shown_declaration and "pay any difference" in shown_declaration
    assert not k.exists("giftAidEnduringCheck")
    k.click(gift_aid)
    enduring = k.find("giftAidEnduringCheck")
    assert not enduring.property("checked") and "past 4 years" in str(enduring.property("text"))
    shown_enduring = str(enduring.property("text"))
    k.click(enduring)
    next_step(k, 2)

    k.type_text("firstNameField", "Zoë")
    k.type_text("emailField", "zoe@example.org")
    k.click("nextButton")
    assert "full name" in k.text_of("lastNameFieldError")
    assert "home address" in k.text_of("addressFieldError")
    assert "postcode" in k.text_of("postcodeFieldError")
    assert vm(k).property("step") == 2
    k.type_text("lastNameField", "Ngawang-Smith")
    k.type_text("addressField", "12  Potala Road")
    k.type_text("postcodeField", "sw1a1aa")
    next_step(k, 3)

    for name in ("followUpEmailCheck", "followUpPhoneCheck", "optinEmailCheck"):
        assert not k.find(name).property("checked"), name
    k.click("followUpEmailCheck")
    assert "a one-off gift of £20, with Gift Aid" in k.text_of("pledgeSummary")
    assert not k.exists("nextButton")
    k.click("submitPledgeButton")
    k.wait_screen("pledgeThankYou")

    assert k.find("pledgeThankYouScreen").isVisible()
    # What was typed is gone from memory already; the thank-you needs only the amount and the link.
    for prop in ("firstName", "lastName", "email", "addressLine", "postcode"):
        assert vm(k).property(prop) == "", prop
    assert "No money has been taken yet" in k.text_of("noMoneyTakenText")
    expected_url = f"{DONATE}?amount=20&frequency=one_off"
    assert decoded_qr(k) == [expected_url]

    [record] = stored(k)
    assert (record.amount_pence, record.currency, record.frequency) == (2000, "GBP", "one_off")
    assert record.gift_aid and record.follow_up_email and not record.follow_up_phone and not record.optin_email
    assert record.event_id == k.runtime.event_id and record.kiosk_id == k.runtime.kiosk_id
    assert record.sealed is not None and b"Potala" not in record.sealed and b"zoe@" not in record.sealed
    vault = k.runtime.vault
    vault.unlock(PASSPHRASE)
    assert vault.open_record(record) == {
        "first_name": "Zoë",
        "last_name": "Ngawang-Smith",
        "email": "zoe@example.org",
        "phone": "",
        "address_line": "12 Potala Road",
        "postcode": "SW1A 1AA",
    }

    events = consents(k, record.id)
    assert {purpose: e.granted for purpose, e in events.items()} == {
        "gift_aid": True,
        "gift_aid_enduring": True,
        "follow_up_email": True,
        "follow_up_phone": False,
        "email_updates": False,
    }
    assert all(e.record_kind == "pledge" for e in events.values())
    # The declaration proof: the stored hash is of the exact words on screen, and those words are kept by hash.
    with k.runtime.db.begin() as session:
        for purpose, shown in (("gift_aid", shown_declaration), ("gift_aid_enduring", shown_enduring)):
            event = events[purpose]
            assert event.text_sha256 == hashlib.sha256(shown.encode("utf-8")).hexdigest()
            assert event.text_version == k.options.campaign.consent(purpose).version
            kept = session.get(ConsentText, event.text_sha256)
            assert kept is not None and kept.text == shown
        outbox = list(session.scalars(select(OutboxEntry).where(OutboxEntry.record_id == record.id)))
        assert [(o.record_kind, o.state) for o in outbox] == [("pledge", "pending")]
        totals = pledge_totals(session, event_id=k.runtime.event_id)
    assert (totals.one_off_count, totals.one_off_pence, totals.monthly_pence) == (1, 2000, 0)

    # Nothing personal in clear anywhere in the database files.
    for suffix in ("", "-wal"):
        path = Path(f"{k.options.db_path}{suffix}")
        if path.exists():
            raw = path.read_bytes()
            for secret in (b"Potala", b"zoe@example.org", b"Ngawang", "Zoë".encode()):
                assert secret not in raw, (path.name, secret)

    k.click("doneButton")
    k.wait_screen("attract")
    assert vm(k).property("donationUrl") == "" and vm(k).property("pledgedText") == ""


def test_monthly_without_gift_aid_and_the_thank_you_goes_home_by_itself(kiosk: KioskHarness) -> None:
    k = kiosk
    assert k.controller.property("thankYouMs") == 15000
    open_pledge(k)
    choose_amount(k, typed="£12,5", monthly=True)
    assert vm(k).property("amountPreset") == 0
    next_step(k, 1)
    next_step(k, 2)  # Gift Aid left unticked
    assert not k.exists("addressField") and not k.exists("postcodeField")
    k.type_text("firstNameField", "Pema")
    k.click("nextButton")
    assert "email address or a phone number" in k.text_of("emailFieldError")
    k.type_text("phoneField", "07911 123456")
    next_step(k, 3)
    k.click("followUpEmailCheck")
    k.click("submitPledgeButton")
    assert "need your email address" in k.text_of("followUpEmailCheckError")
    assert stored(k) == []
    k.click("followUpEmailCheck")
    k.click("followUpPhoneCheck")
    assert "£12.50 a month" in k.text_of("pledgeSummary") and "Gift Aid" not in k.text_of("pledgeSummary")
    k.click("submitPledgeButton")
    k.wait_screen("pledgeThankYou")
    assert decoded_qr(k) == [f"{DONATE}?amount=12.50&frequency=monthly"]
    assert not k.exists("giftAidThanksText")

    [record] = stored(k)
    assert (record.amount_pence, record.frequency, record.gift_aid) == (1250, "monthly", False)
    assert record.follow_up_phone and not record.follow_up_email
    k.runtime.vault.unlock(PASSPHRASE)
    fields = k.runtime.vault.open_record(record)
    assert fields["first_name"] == "Pema" and fields["phone"] == "+447911123456"
    assert fields["address_line"] == fields["postcode"] == fields["last_name"] == ""
    events = consents(k, record.id)
    assert {purpose: e.granted for purpose, e in events.items()} == {
        "gift_aid": False,
        "follow_up_email": False,
        "follow_up_phone": True,
        "email_updates": False,
    }

    from PySide6.QtCore import QObject

    timer = k.window.findChild(QObject, "pledgeThankYouTimer")
    assert timer.property("interval") == 15000 and timer.property("running")
    k.controller.setProperty("thankYouMs", 300)
    k.wait_screen("attract", timeout=3000)
    with k.runtime.db.begin() as session:
        totals = pledge_totals(session)
    assert (totals.monthly_count, totals.monthly_pence, totals.one_off_count) == (1, 1250, 0)


BAD_AMOUNTS = [
    ("0", "more than zero"),
    ("-5", "cannot be negative"),
    ("1e9", "in figures"),
    ("1000000000", "most we can take here is £1,000"),
    ("abc", "in figures"),
    ("£5.999", "two figures"),
    ("", "choose an amount"),
]


def test_bad_amounts_each_get_a_clear_message_and_no_record(kiosk: KioskHarness) -> None:
    k = kiosk
    open_pledge(k)
    k.click("over18Check")
    for typed, message in BAD_AMOUNTS:
        retype(k, "customAmountField", typed)
        k.click("nextButton")
        assert message in k.text_of("customAmountFieldError"), typed
        assert vm(k).property("step") == 0, typed
        # Even forcing a submit from here stores nothing.
        assert vm(k).submit() is False
        assert message in k.text_of("customAmountFieldError"), typed
    assert stored(k) == []
    # A preset replaces the bad typed amount, and the message goes.
    k.type_text("customAmountField", "abc")
    k.click("amountPreset5")
    assert k.text_of("customAmountField") == ""
    assert not k.exists("customAmountFieldError")
    next_step(k, 1)


def test_failed_commit_asks_for_a_volunteer_and_keeps_data_for_retry(kiosk: KioskHarness) -> None:
    k = kiosk
    open_pledge(k)
    choose_amount(k, preset=10)
    next_step(k, 1)
    next_step(k, 2)
    k.type_text("firstNameField", "Tenzin")
    k.type_text("emailField", "tenzin@example.org")
    next_step(k, 3)
    blocker = sqlite3.connect(k.options.db_path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        k.click("submitPledgeButton")
        k.qtbot.waitUntil(lambda: "ask a volunteer" in k.text_of("saveErrorText"), timeout=10000)
        assert k.screen() == "pledge"
        assert not k.exists("pledgeThankYouScreen")
    finally:
        blocker.rollback()
        blocker.close()
    assert stored(k) == []
    assert vm(k).property("firstName") == "Tenzin" and vm(k).property("amountPreset") == 10
    k.click("submitPledgeButton")
    k.wait_screen("pledgeThankYou")
    assert len(stored(k)) == 1


def test_leaving_wipes_everything_and_the_funnel_counts(kiosk: KioskHarness) -> None:
    k = kiosk
    open_pledge(k)
    choose_amount(k, typed="7.77", monthly=True)
    next_step(k, 1)
    k.click("giftAidCheck")
    k.click("giftAidEnduringCheck")
    next_step(k, 2)
    k.type_text("firstNameField", "Left")
    k.type_text("lastNameField", "Behind")
    k.type_text("addressField", "1 Secret Lane")
    k.click("nextButton")
    k.controller.show("attract")  # what the idle timeout does after its prompt
    k.wait_screen("attract")
    model = vm(k)
    for prop in (
        "customAmount",
        "firstName",
        "lastName",
        "email",
        "phone",
        "addressLine",
        "postcode",
        "summary",
        "failure",
        "donationUrl",
        "donationQrSource",
        "pledgedText",
    ):
        assert model.property(prop) == "", prop
    for prop in ("over18", "giftAid", "giftAidEnduring", "followUpEmail", "followUpPhone", "optinEmail"):
        assert model.property(prop) is False, prop
    assert (model.property("step"), model.property("amountPreset"), model.property("frequency")) == (0, 0, "one_off")
    assert model.property("errors") == {}

    open_pledge(k)
    assert k.text_of("customAmountField") == "" and not k.find("over18Check").property("checked")
    assert k.find("oneOffRadio").property("checked")
    k.click("backButton")  # "Cancel" on the first step
    k.wait_screen("attract")
    with k.runtime.db.begin() as session:
        rows = list(session.scalars(select(FunnelCount).where(FunnelCount.flow == "pledge")))
    assert sum(r.started for r in rows) == 2 and sum(r.abandoned for r in rows) == 1
    assert sum(r.completed for r in rows) == 0


def _visible_area(k: KioskHarness) -> tuple[float, float]:
    """Top and bottom (scene y) of the part of the window not covered by the on-screen keyboard."""
    panel = k.find_any("inputPanel")
    bottom = panel.y() if panel.isVisible() else k.window.height()
    return 0.0, float(bottom)


def _assert_in_view(k: KioskHarness, item: Any, what: str) -> None:
    from PySide6.QtCore import QPointF

    top_left = item.mapToScene(QPointF(0, 0))
    top, bottom = _visible_area(k)
    assert top_left.x() >= 0 and top_left.x() + item.width() <= k.window.width() + 0.5, what
    assert top_left.y() >= top and top_left.y() + item.height() <= bottom + 0.5, what


def _shoot(k: KioskHarness, folder: Path, name: str) -> None:
    k.qtbot.wait(600)  # screen fades and the keyboard's slide
    assert k.window.grabWindow().save(str(folder / f"{name}.png"))


STEP_ITEMS = [
    ("amount", ["over18Check", "amountPreset5", "amountPreset50", "customAmountField", "oneOffRadio", "monthlyRadio"]),
    ("gift-aid", ["giftAidCheck", "giftAidEnduringCheck"]),
    ("details", ["firstNameField", "lastNameField", "emailField", "phoneField", "addressField", "postcodeField"]),
    ("contact", ["followUpEmailCheck", "followUpPhoneCheck", "optinEmailCheck", "submitPledgeButton"]),
]
TEXT_FIELDS = {
    "customAmountField",
    "firstNameField",
    "lastNameField",
    "emailField",
    "phoneField",
    "addressField",
    "postcodeField",
}


@pytest.mark.parametrize("size", [(1280, 800), (800, 480)])
def test_every_step_fits_with_the_keyboard_up(qtbot, qapp, set_up_data_dir, tmp_path, size) -> None:  # type: ignore[no-untyped-def]
    """Each control can be brought into view and tapped, a focused field is never under the keyboard, and the
    buttons stay reachable. Screenshots go to $PLEDGE_SCREENSHOTS when set (else the test's temp folder)."""
    from tests.helpers.keyboard import tap_keys

    folder = Path(os.environ.get("PLEDGE_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    tag = f"{size[0]}x{size[1]}"
    k = KioskHarness.start(qtbot, make_options(set_up_data_dir), size=size)
    try:
        # The attract screen lays itself out for the new size a moment after the window shows.
        qtbot.waitUntil(lambda: k.centre(k.find("pledgeButton")).x() < size[0], timeout=3000)
        open_pledge(k)
        for index, (step_name, names) in enumerate(STEP_ITEMS):
            _shoot(k, folder, f"pledge-{index + 1}-{step_name}-{tag}")
            if index == 0:
                k.click("nextButton")
                assert k.exists("over18CheckError") and k.exists("customAmountFieldError")
                _shoot(k, folder, f"pledge-{index + 1}-{step_name}-errors-{tag}")
            if index == 1:
                k.click("giftAidCheck")
            for name in names:
                item = k.find(name)
                k.scroll_into_view(item)
                _assert_in_view(k, item, f"{name} at {tag}")
                if name in TEXT_FIELDS:
                    k.click(item)
                    qtbot.waitUntil(item.hasActiveFocus, timeout=2000)
                    qtbot.waitUntil(lambda: k.find_any("inputPanel").isVisible(), timeout=2000)
                    qtbot.wait(100)  # FormPage keeps the focused field in view once the keyboard is up
                    _assert_in_view(k, item, f"focused {name} above the keyboard at {tag}")
                    for button in ("backButton", "nextButton" if index < 3 else "submitPledgeButton"):
                        _assert_in_view(k, k.find(button), f"{button} with the keyboard up at {tag}")
                    if name == "customAmountField":
                        tap_keys(k, "12.50")
                        assert k.text_of(name) == "12.50"
                        _shoot(k, folder, f"pledge-{index + 1}-{step_name}-keyboard-{tag}")
            if index == 0:
                k.click("over18Check")
            if index == 1:
                k.click("giftAidEnduringCheck")
                _shoot(k, folder, f"pledge-{index + 1}-{step_name}-ticked-{tag}")
            if index == 2:
                for name, text in (
                    ("firstNameField", "Ann"),
                    ("lastNameField", "Lee"),
                    ("emailField", "a@example.org"),
                    ("addressField", "1 High Street"),
                    ("postcodeField", "M1 1AE"),
                ):
                    k.type_text(name, text)
                _shoot(k, folder, f"pledge-{index + 1}-{step_name}-keyboard-{tag}")
                k.click("phoneField")
                k.type_text("phoneField", "12")
                k.click("nextButton")
                _shoot(k, folder, f"pledge-{index + 1}-{step_name}-errors-{tag}")
                retype(k, "phoneField", "")
            if index < 3:
                next_step(k, index + 1)
        k.click("followUpEmailCheck")
        k.click("submitPledgeButton")
        k.wait_screen("pledgeThankYou")
        _shoot(k, folder, f"pledge-5-thank-you-{tag}")
        for name in ("pledgeThankYouTitle", "noMoneyTakenText", "scanToGiveText", "donationQr", "doneButton"):
            _assert_in_view(k, k.find(name), f"{name} at {tag}")
        assert decoded_qr(k) == [f"{DONATE}?amount=12.50&frequency=one_off"]
    finally:
        k.close()
