"""The attract screen's first frame is built alone; the keyboard, the idle prompt, the other features' view models
and storage follow it (issue 10).

Runs the real start-up path (KioskWindow without ``start_storage_now``) in a fresh interpreter: this test session
opens storage before the first frame and has long since loaded the keyboard.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from kiosk.bridge.registry import build_controller
from kiosk.bridge.sync import SyncViewModel
from kiosk.runtime import KioskRuntime
from tests.helpers.kiosk import make_options, set_up_database
from tests.helpers.startup import WINDOW, run_fresh

START = (
    WINDOW
    + """
def state():
    return {
        "keyboard": window.findChild(QObject, "inputPanel") is not None,
        "idlePrompt": window.findChild(QObject, "idlePrompt") is not None,
        "attract": window.findChild(QObject, "attractScreen") is not None,
        "storage": bool(kiosk.controller.property("storageReady")),
        "printing": kiosk.controller.property("printing") is not None,
        "dashboard": kiosk.controller.property("dashboard") is not None,
        "wins": kiosk.controller.property("wins") is not None,
        "frozen": gc.get_freeze_count() > 0,
        "collecting": gc.isenabled(),
    }

def settled():
    seen["after"] = state()
    app.quit()

window.show()
QTimer.singleShot(1500, settled)
app.exec()
print(json.dumps(seen))
kiosk.close()
"""
)


def test_first_frame_shows_the_attract_screen_alone_and_the_rest_follows(tmp_path: Path) -> None:
    set_up_database(tmp_path)
    seen = run_fresh(START, tmp_path)  # and no QML warning from the late parts
    # The cyclic collector is paused while start-up builds its long-lived objects (kiosk.app), and runs again after.
    first = {
        "keyboard": False,
        "idlePrompt": False,
        "attract": True,
        "storage": False,
        "frozen": False,
        "collecting": False,
    }
    assert seen["first"] == {**first, "printing": False, "dashboard": False, "wins": True}
    after = {"keyboard": True, "idlePrompt": True, "attract": True, "storage": True, "frozen": True, "collecting": True}
    assert seen["after"] == {**after, "printing": True, "dashboard": True, "wins": True}


@pytest.mark.parametrize("how", ["show", "feature", "storage"])
def test_remaining_features_attach_before_anything_needs_them(how: str, qapp: QCoreApplication, tmp_path: Path) -> None:
    """Leaving the attract screen, asking for a feature, or opening storage (whose runtimeReady the late view models
    listen to) first attaches every feature, once."""
    set_up_database(tmp_path)
    controller = build_controller(make_options(tmp_path))
    notified: list[bool] = []
    controller.featuresChanged.connect(lambda: notified.append(True))
    assert controller.property("signing") is None
    assert controller.property("printing") is None
    if how == "show":
        controller.show("sign")
        assert controller.property("currentScreen") == "sign"
    elif how == "feature":
        assert controller.feature("pledge").objectName() == "pledge"
    else:
        controller.startStorage()
        assert controller.property("storageReady") is True
    for name in ("setup", "signing", "pledge", "printing", "dashboard", "wins", "idle", "organiser", "sync"):
        assert controller.property(name).objectName() == name
    controller.complete_features()
    assert notified == [True]
    sync = controller.feature("sync")
    assert isinstance(sync, SyncViewModel)
    sync.stop()
    runtime = controller.runtime
    if isinstance(runtime, KioskRuntime):
        runtime.close()
