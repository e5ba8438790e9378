"""Privacy between attendees: notice inactivity during a flow, ask "Are you still there?", then wipe and go home."""

from __future__ import annotations

import logging
from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot
from PySide6.QtQml import QmlElement, QmlUncreatable

from kiosk.bridge import QML_IMPORT_MAJOR_VERSION, QML_IMPORT_NAME  # noqa: F401  (read by QmlElement)
from kiosk.bridge.controller import KioskController

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent

log = logging.getLogger(__name__)

# Screens where an attendee may have typed something; elsewhere the idle timer does not run.
FLOW_SCREENS = {"sign": "sign", "pledge": "pledge"}


@cache
def _activity() -> frozenset[QEvent.Type]:
    """The events that count as someone being there. (Imported here, not at the top: importing QEvent builds its
    enum of every event type, ~3 ms, and the window is watched only from its first frame on.)"""
    from PySide6.QtCore import QEvent

    return frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress, QEvent.Type.Wheel})


class ActivityFilter(QObject):
    """Event filter on the kiosk window: any touch, click or key counts as someone being there."""

    activity = Signal()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _activity():
            self.activity.emit()
        return False


@QmlElement
@QmlUncreatable("IdleViewModel is provided by the kiosk")
class IdleViewModel(QObject):
    """Signals:
    promptingChanged: the "Are you still there?" prompt appeared or went away.
    secondsLeftChanged: the prompt's countdown ticked.
    """

    promptingChanged = Signal()
    secondsLeftChanged = Signal()

    def __init__(self, controller: KioskController, timeout_s: int, countdown_s: int = 10) -> None:
        super().__init__(controller)
        self._controller = controller
        self._countdown_s = countdown_s
        self._seconds_left = countdown_s
        self._prompting = False
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(timeout_s * 1000)
        self._idle.timeout.connect(self._start_prompt)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._count_down)
        self.filter = ActivityFilter(self)
        self.filter.activity.connect(self._on_activity)
        controller.add_screen_listener(self._on_screen)

    def watch(self, window: QObject) -> None:
        """Count touches, clicks and keys on ``window`` as activity (KioskWindow calls this for its one window, once
        its first frame is on screen: no one can touch it before, and until then the filter would only run Python
        for each of the events that build the window).

        Only the window: a filter on the whole application runs Python for every event sent to any object.
        """
        window.installEventFilter(self.filter)

    def _is_prompting(self) -> bool:
        return self._prompting

    def _left(self) -> int:
        return self._seconds_left

    prompting = Property(bool, _is_prompting, notify=promptingChanged)
    secondsLeft = Property(int, _left, notify=secondsLeftChanged)

    def set_timeouts(self, idle_ms: int, tick_ms: int = 1000) -> None:
        """Shorter timers for tests; the behaviour is the same."""
        self._idle.setInterval(idle_ms)
        self._tick.setInterval(tick_ms)

    def _on_screen(self, old: str, new: str) -> None:
        self._stop_prompt()
        if new in FLOW_SCREENS:
            self._idle.start()
        else:
            self._idle.stop()

    def _on_activity(self) -> None:
        if self._controller.screen in FLOW_SCREENS and not self._prompting:
            self._idle.start()

    @Slot()
    def stillHere(self) -> None:
        """The attendee answered the prompt: carry on where they were."""
        self._stop_prompt()
        if self._controller.screen in FLOW_SCREENS:
            self._idle.start()

    def _start_prompt(self) -> None:
        self._seconds_left = self._countdown_s
        self._prompting = True
        self._tick.start()
        self.secondsLeftChanged.emit()
        self.promptingChanged.emit()

    def _stop_prompt(self) -> None:
        self._tick.stop()
        if self._prompting:
            self._prompting = False
            self.promptingChanged.emit()

    def _count_down(self) -> None:
        self._seconds_left -= 1
        self.secondsLeftChanged.emit()
        if self._seconds_left <= 0:
            self._abandon()

    def _abandon(self) -> None:
        flow = FLOW_SCREENS.get(self._controller.screen)
        self._stop_prompt()
        log.info("idle: %s flow abandoned, wiping", flow)
        if flow is not None:
            self._count_abandoned(flow)
        self._controller.show("attract")

    def _count_abandoned(self, flow: str) -> None:
        from kiosk.runtime import KioskRuntime
        from kiosk.signing import record_flow_event

        runtime = self._controller.runtime
        if isinstance(runtime, KioskRuntime):
            record_flow_event(runtime, flow, "abandoned")
