"""Kiosk lockdown: frameless full screen, and the usual ways out (close, Alt+F4, Escape, Ctrl+Q, Ctrl+W) ignored.

Only organiser mode can exit (it calls :meth:`Lockdown.exit_kiosk`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent

if TYPE_CHECKING:
    from kiosk.app import KioskWindow

log = logging.getLogger(__name__)

_BLOCKED = {
    (Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
    (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
    (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
    (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
}


class Lockdown(QObject):
    """Event filter on the kiosk window that swallows the escape routes while active.

    Qt hands every key press to the window before its items, so a filter on the window sees them all. It is not on
    the application: a Python filter there runs for every event Qt sends to any object, which made each screen
    change tens of milliseconds slower. (The app has no QML ``Shortcut``, the one thing that could act on a key
    before the window sees it.)
    """

    def __init__(self, app: QGuiApplication, kiosk: KioskWindow) -> None:
        super().__init__(app)
        self._app, self._kiosk = app, kiosk
        self.active = False

    def engage(self) -> None:
        window = self._kiosk.window
        window.setFlag(Qt.WindowType.FramelessWindowHint, True)
        window.setProperty("lockedDown", True)
        window.showFullScreen()
        self._app.setQuitOnLastWindowClosed(False)
        window.installEventFilter(self)
        self.active = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) and isinstance(event, QKeyEvent):
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            key = Qt.Key(event.key())
            if (key, mods) in _BLOCKED:
                log.info("lockdown: ignored %s", event.keyCombination().toCombined())
                return True
        return False

    def exit_kiosk(self) -> None:
        """Leave the kiosk (organiser mode only)."""
        self._kiosk.window.setProperty("lockedDown", False)
        self._kiosk.window.removeEventFilter(self)
        self._app.quit()


def apply_lockdown(app: QGuiApplication, kiosk: KioskWindow, *, fullscreen: bool) -> Lockdown:
    lockdown = Lockdown(app, kiosk)
    kiosk.controller.set_lockdown(lockdown)
    if fullscreen:
        lockdown.engage()
    return lockdown
