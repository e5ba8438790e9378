"""Kiosk lockdown on the real window: close, Alt+F4, Escape, Ctrl+Q and Ctrl+W do nothing; organiser mode exits."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent

from kiosk.bridge.lockdown import apply_lockdown
from tests.helpers.kiosk import KioskHarness, open_organiser


def test_escape_routes_are_ignored_in_fullscreen(kiosk: KioskHarness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    k = kiosk
    app = QGuiApplication.instance()
    lockdown = apply_lockdown(app, k.app_window, fullscreen=True)
    quits: list[bool] = []
    monkeypatch.setattr(QCoreApplication, "quit", lambda *_: quits.append(True))
    try:
        assert k.window.property("lockedDown") is True
        assert k.window.flags() & Qt.WindowType.FramelessWindowHint
        blocked = [
            (Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
            (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
            (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
            (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
        ]
        for key, mods in blocked:
            event = QKeyEvent(QEvent.Type.KeyPress, key, mods)
            assert lockdown.eventFilter(k.window, event) is True, key
        assert (
            lockdown.eventFilter(
                k.window, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
            )
            is False
        )
        # Closing the window (what a window manager does on Alt+F4) is refused.
        k.window.close()
        k.qtbot.wait(100)
        assert k.window.isVisible()
        # Only organiser mode gets out.
        open_organiser(k)
        k.click("securityTab")
        k.click("exitKioskButton")
        assert quits == [True]
        assert k.window.property("lockedDown") is False
    finally:
        app.removeEventFilter(lockdown)
        k.window.setProperty("lockedDown", False)
