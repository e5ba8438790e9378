"""Organiser mode on the real window: the hidden gesture, PIN lockout, unlock/lock, audit, idle close."""

from __future__ import annotations

import datetime as dt
import time

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.helpers.kiosk import PASSPHRASE, KioskHarness, open_organiser, unlock_vault


def audit_actions(k: KioskHarness) -> list[str]:
    from local_db.repositories import recent_audit

    with k.runtime.db.begin() as session:
        return [e.action for e in reversed(recent_audit(session))]


def test_three_second_hold_on_the_corner_opens_the_pin_pad(kiosk: KioskHarness) -> None:
    k = kiosk
    hotspot = k.find_any("organiserHotspot")
    point = k.centre(hotspot)
    assert point.x() < 80 and point.y() < 80
    # A short press does nothing.
    QTest.mousePress(k.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    k.qtbot.wait(1500)
    QTest.mouseRelease(k.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    k.qtbot.wait(100)
    assert k.screen() == "attract"
    # Held until the PIN pad shows, as a person does. (Holding a fixed 3.2 s and then releasing failed on a loaded
    # machine: starved past that moment, the release could be handled before the 3 s hold's timer.)
    started = time.monotonic()
    QTest.mousePress(k.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    k.qtbot.waitUntil(lambda: k.screen() == "organiser", timeout=15_000)
    held = time.monotonic() - started
    QTest.mouseRelease(k.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert held >= 2.8  # the hold opened it, not the press (Qt's coarse timers may fire up to 5% early)
    k.wait_screen("organiser")
    assert k.exists("pinField") and not k.exists("organiserTools")


def test_five_wrong_pins_lock_the_pad_and_are_audited(kiosk: KioskHarness) -> None:
    k = kiosk
    organiser = k.controller.feature("organiser")
    organiser.setProperty("holdMs", 100)
    open_organiser(k, pin="0000", hold_ms=100, expect_open=False)
    for _ in range(4):
        k.type_text("pinField", "1111")
        k.click("pinSubmitButton")
        k.qtbot.waitUntil(lambda: not organiser.property("busy"), timeout=5000)
    assert organiser.property("pinLockedFor") == 60
    assert "Try again in" in k.text_of("pinFieldError")
    assert not k.find("pinSubmitButton").property("enabled")
    actions = audit_actions(k)
    assert actions.count("pin_failed") == 5 and "pin_locked" in actions
    # The right PIN during the lockout is not even checked.
    organiser.submitPin("4826")
    assert not organiser.property("authenticated")
    # The lockout survives leaving and coming back (it is stored, not only on screen).
    k.click("pinCancelButton")
    k.wait_screen("attract")
    k.controller.show("organiser")
    k.wait_screen("organiser")
    assert organiser.property("pinLockedFor") > 50


def test_lockout_doubles_and_expires(kiosk: KioskHarness) -> None:
    from kiosk.organiser import check_pin

    runtime = kiosk.runtime
    now = dt.datetime.now(dt.UTC)
    results = [check_pin(runtime, "1111", now) for _ in range(5)]
    assert results[-1].locked_for_s == 60
    later = now + dt.timedelta(seconds=61)
    results = [check_pin(runtime, "1111", later) for _ in range(5)]
    assert results[-1].locked_for_s == 120
    assert check_pin(runtime, "4826", later + dt.timedelta(seconds=121)).ok


def test_unlock_lock_and_wrong_passphrase(kiosk: KioskHarness) -> None:
    k = kiosk
    open_organiser(k)
    k.click("securityTab")
    k.type_text("passphraseField", "not the passphrase at all")
    k.click("unlockButton")
    organiser = k.controller.feature("organiser")
    k.qtbot.waitUntil(lambda: "not right" in k.text_of("passphraseFieldError"), timeout=5000)
    assert not organiser.property("unlocked")
    unlock_vault(k, PASSPHRASE)
    assert k.text_of("vaultState") == "Unlocked"
    k.click("lockButton")
    k.qtbot.waitUntil(lambda: not organiser.property("unlocked"))
    assert "sync paused" in k.text_of("vaultState")
    actions = audit_actions(k)
    assert "unlock_failed" in actions and "unlock" in actions and "lock" in actions
    # The audit log is visible in organiser mode.
    assert k.find("auditList").property("count") >= 4


def test_organiser_mode_closes_itself_when_idle(kiosk: KioskHarness) -> None:
    k = kiosk
    organiser = k.controller.feature("organiser")
    organiser.set_idle_close_ms(300)
    open_organiser(k)
    k.wait_screen("attract", timeout=3000)
    assert not organiser.property("authenticated")
