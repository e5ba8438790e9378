"""Driving the real kiosk window from tests: find items by objectName, click them, type into them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.campaign import load_campaign
from kiosk.config import KioskConfig
from kiosk.services import KioskOptions

_RETIRED: list[Any] = []

PASSPHRASE = "purple tractor under 9 moons"
PIN = "4826"


def make_options(data_dir: Path, config: KioskConfig | None = None, campaign: str = "hikvision") -> KioskOptions:
    return KioskOptions(
        data_dir=data_dir, config=config or KioskConfig(), campaign=load_campaign(campaign, data_dir=data_dir)
    )


def set_up_database(data_dir: Path, event: str = "test-event") -> str:
    from kiosk.vault import setup_vault
    from local_db.session import open_database

    db = open_database(data_dir / "kiosk.db")
    try:
        return setup_vault(db, PASSPHRASE, PIN, "test-kiosk", event)
    finally:
        db.close()


@dataclass
class KioskHarness:
    qtbot: Any
    window: Any
    app_window: Any
    controller: Any
    options: KioskOptions
    _closed: bool = field(default=False)

    @classmethod
    def start(cls, qtbot: Any, options: KioskOptions, size: tuple[int, int] = (1280, 800)) -> KioskHarness:
        from kiosk.app import KioskWindow

        app_window = KioskWindow(options)
        window = app_window.window
        window.resize(*size)
        app_window.start_storage_now()
        window.show()
        window.resize(*size)  # again: showing applies the QML width/height
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.contentItem().width() == size[0])
        return cls(qtbot, window, app_window, app_window.controller, options)

    @property
    def runtime(self) -> Any:
        return self.controller.runtime

    def all_named(self, name: str) -> list[Any]:
        """Every QQuickItem with this objectName: the QObject tree plus the visual tree (delegates of
        Repeaters and views are only reachable through the latter)."""
        from PySide6.QtQuick import QQuickItem

        seen = {id(i): i for i in self.window.findChildren(QQuickItem, name)}
        stack = [self.window.contentItem()]
        while stack:
            item = stack.pop()
            if item.objectName() == name:
                seen.setdefault(id(item), item)
            stack.extend(item.childItems())
        return list(seen.values())

    def find(self, name: str) -> Any:
        """The visible QQuickItem with this objectName (waits for it to appear)."""
        found: list[Any] = []

        def appears() -> bool:
            found[:] = [i for i in self.all_named(name) if i.isVisible()]
            return bool(found)

        self.qtbot.waitUntil(appears, timeout=3000)
        return found[-1]

    def find_any(self, name: str) -> Any:
        found = self.all_named(name)
        return found[0] if found else None

    def exists(self, name: str) -> bool:
        return any(i.isVisible() for i in self.all_named(name))

    def centre(self, item: Any) -> Any:
        from PySide6.QtCore import QPointF

        return item.mapToScene(QPointF(item.width() / 2, item.height() / 2)).toPoint()

    def click(self, name_or_item: Any) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        item = self.find(name_or_item) if isinstance(name_or_item, str) else name_or_item
        self.scroll_into_view(item)
        QTest.mouseClick(self.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, self.centre(item))
        self.qtbot.wait(10)

    def scroll_into_view(self, item: Any) -> None:
        """If the item sits in a Flickable (ScrollView), move the content so its centre is on screen."""
        from PySide6.QtCore import QPointF

        parent = item.parentItem()
        while parent is not None and parent.property("contentY") is None:
            parent = parent.parentItem()
        if parent is None:
            return
        content = parent.property("contentItem")
        pos = item.mapToItem(content, QPointF(0, item.height() / 2))
        view_h = parent.height()
        content_h = parent.property("contentHeight") or 0
        target = max(0.0, min(pos.y() - view_h / 2, max(0.0, content_h - view_h)))
        parent.setProperty("contentY", target)
        self.qtbot.wait(10)

    def type_text(self, name: str, text: str, *, replace: bool = True) -> None:
        """Focus the field by clicking it, then send key events for each character."""
        from PySide6.QtCore import QEvent, Qt
        from PySide6.QtGui import QGuiApplication, QKeyEvent

        item = self.find(name)
        self.click(item)
        self.qtbot.waitUntil(item.hasActiveFocus, timeout=2000)
        if replace:
            # Select all and delete, as a person would: the field's edit handlers (and so the view model) see it.
            from PySide6.QtCore import QMetaObject

            QMetaObject.invokeMethod(item, "selectAll")
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QGuiApplication.sendEvent(
                    self.window, QKeyEvent(kind, Qt.Key.Key_Backspace, Qt.KeyboardModifier.NoModifier)
                )
            assert item.property("text") == "", f"could not clear {name}"
        for ch in text:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QGuiApplication.sendEvent(self.window, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))
        self.qtbot.wait(5)

    def text_of(self, name: str) -> str:
        return str(self.find(name).property("text"))

    def screen(self) -> str:
        return str(self.controller.property("currentScreen"))

    def wait_screen(self, name: str, timeout: int = 3000) -> None:
        self.qtbot.waitUntil(lambda: self.screen() == name, timeout=timeout)
        self.qtbot.wait(200)  # let the StackView transition finish

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.app_window.close()
            # A test session builds a hundred kiosks in one process; the product builds one. Freeing each one's view
            # models let a later kiosk's QObjects reuse their addresses, and now and then QML bound a new screen to
            # stale type data for that address ("Unable to assign [undefined]", "no signal of the target matches").
            # Keeping the (small) view-model objects alive for the session rules that out; the engines are freed.
            from PySide6.QtCore import QTimer
            from PySide6.QtGui import QGuiApplication

            for timer in self.controller.findChildren(QTimer):
                timer.stop()
            app = QGuiApplication.instance()
            idle = self.controller.feature("idle")
            if app is not None and idle is not None:
                app.removeEventFilter(idle.filter)
            _RETIRED.append(self.controller)


def open_organiser(harness: KioskHarness, pin: str = PIN, *, hold_ms: int = 150, expect_open: bool = True) -> None:
    """Enter organiser mode the way a person does: hold the top-left hotspot, then type the PIN.

    ``hold_ms`` shortens the 3 s hold (the hold itself is tested once at full length).
    """
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    organiser = harness.controller.feature("organiser")
    organiser.setProperty("holdMs", hold_ms)
    if harness.screen() != "attract":
        harness.controller.show("attract")
        harness.wait_screen("attract")
    hotspot = harness.find_any("organiserHotspot")
    point = harness.centre(hotspot)
    QTest.mousePress(harness.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    # Held until the PIN pad shows: a fixed wait can end, on a loaded machine, before the hold's timer is handled.
    harness.qtbot.waitUntil(lambda: harness.screen() == "organiser", timeout=hold_ms + 10_000)
    QTest.mouseRelease(harness.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    harness.wait_screen("organiser")
    harness.type_text("pinField", pin)
    harness.click("pinSubmitButton")
    harness.qtbot.waitUntil(lambda: not organiser.property("busy"), timeout=5000)
    assert bool(organiser.property("authenticated")) == expect_open


def unlock_vault(harness: KioskHarness, passphrase: str = PASSPHRASE) -> None:
    """In organiser mode: open the Security tab and unlock with the passphrase."""
    harness.click("securityTab")
    harness.type_text("passphraseField", passphrase)
    harness.click("unlockButton")
    organiser = harness.controller.feature("organiser")
    harness.qtbot.waitUntil(
        lambda: bool(organiser.property("unlocked")) and not organiser.property("busy"), timeout=10000
    )
