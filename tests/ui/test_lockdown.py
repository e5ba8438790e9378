"""Kiosk lockdown on the real window: close, Alt+F4, Escape, Ctrl+Q and Ctrl+W do nothing; organiser mode exits."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtTest import QTest

from kiosk.bridge.lockdown import apply_lockdown
from tests.helpers.kiosk import KioskHarness, open_organiser


class KeysSeen(QObject):
    """Records the key presses that reach the object it filters."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[Qt.Key] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = Qt.Key(event.key())
            if key not in (Qt.Key.Key_Alt, Qt.Key.Key_Control):  # pressed on their own, they do nothing
                self.keys.append(key)
        return False


def test_escape_routes_are_ignored_in_fullscreen(kiosk: KioskHarness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    k = kiosk
    app = QGuiApplication.instance()
    assert isinstance(app, QGuiApplication)
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
        # Real key presses through the window reach a focused field, except the escape routes.
        k.qtbot.waitUntil(lambda: k.window.contentItem().width() == k.window.width())  # laid out full screen
        k.click("signPetitionButton")
        k.wait_screen("sign")
        k.click("nextButton")
        field = k.find("firstNameField")
        k.click(field)
        k.qtbot.waitUntil(field.hasActiveFocus)
        reached = KeysSeen()
        field.installEventFilter(reached)
        try:
            for key, mods in blocked:
                QTest.keyClick(k.window, key, mods)
            QTest.keyClick(k.window, Qt.Key.Key_A)
        finally:
            field.removeEventFilter(reached)
        assert reached.keys == [Qt.Key.Key_A], "only the ordinary key got through to the field"
        assert k.text_of("firstNameField") == "a"
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
        k.window.removeEventFilter(lockdown)
        k.window.setProperty("lockedDown", False)
