"""The shell: the attract screen shows the campaign, first run shows setup, setup through the real QML works."""

from __future__ import annotations

from tests.helpers.kiosk import PASSPHRASE, PIN, KioskHarness


def test_attract_screen_shows_campaign_and_actions(kiosk: KioskHarness) -> None:
    assert kiosk.screen() == "attract"
    assert kiosk.text_of("campaignTitle") == "Get Hikvision out of the UK"
    for name in ("signPetitionButton", "pledgeButton"):
        button = kiosk.find(name)
        assert button.property("enabled")
        assert button.height() >= 56
    assert "0 signed at this stall today" in kiosk.text_of("tallyText")


def test_first_run_goes_to_setup_and_creates_keys(fresh_kiosk: KioskHarness) -> None:
    k = fresh_kiosk
    k.wait_screen("setup")
    k.type_text("setupPassphraseField", "short")
    k.click("setupSubmitButton")
    assert "at least 10" in k.text_of("setupPassphraseFieldError")
    k.type_text("setupPassphraseField", PASSPHRASE)
    k.type_text("setupRepeatField", PASSPHRASE)
    k.type_text("setupPinField", PIN)
    k.type_text("setupEventField", "Brighton market")
    k.click("setupSubmitButton")
    k.wait_screen("attract")
    assert k.runtime.vault is not None
    assert k.runtime.event_id == "Brighton market"
    assert k.find("signPetitionButton").property("enabled")
