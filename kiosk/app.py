"""The Qt application: QGuiApplication, the QML engine, the main window and kiosk lockdown.

Only this module and kiosk/bridge import PySide6.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from pathlib import Path

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QLoggingCategory,
    QObject,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickWindow

from kiosk.errors import NoDisplayError
from kiosk.resources import fonts_dir, ui_dir
from kiosk.services import KioskOptions

log = logging.getLogger(__name__)
qml_log = logging.getLogger("qml")

# Starting the window makes a few hundred thousand objects that live as long as it does (modules, classes, QML
# wrappers), and the cyclic collector walked them again and again while they were being made: ~9 ms of the ~175 ms
# to the first frame (bench/bench_startup.py). It is paused from this import until the window's start-up is done,
# when the survivors are frozen out of its sight and it resumes (KioskWindow._finish_start_up).
gc.disable()

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def display_problem() -> str | None:
    """Why a window cannot open here, with what to do instead; None when a display is available."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform.startswith(("offscreen", "minimal", "vnc", "eglfs", "linuxfb")):
        return None
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return (
            "No display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the kiosk window cannot open.\n"
            "  - On a desktop, run `make run` from a terminal inside the graphical session.\n"
            "  - Over SSH, use `ssh -X`, or start a virtual screen: `Xvfb :99 & DISPLAY=:99 make run`.\n"
            "  - On a dedicated kiosk, use the cage session in packaging/ (Wayland) or QT_QPA_PLATFORM=eglfs.\n"
            "  - To see a screen without a display: `.venv/bin/campaign-kiosk screenshot attract.png`."
        )
    return None


def _forward_qt_message(kind: QtMsgType, context: object, message: str) -> None:
    qml_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def create_application(argv: list[str] | None = None) -> QGuiApplication:
    """The one QGuiApplication, with the on-screen keyboard module selected before it exists."""
    existing = QCoreApplication.instance()
    if isinstance(existing, QGuiApplication):
        return existing
    os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
    os.environ.setdefault("QT_QUICK_CONTROLS_STYLE", "Basic")
    # Noise from Qt's own modules, not from our QML: the virtual keyboard loads QtMultimedia for key clicks, which
    # looks for PipeWire (absent on most kiosks, sound is not needed); and Qt 6.12's own PopupList (virtual keyboard
    # word list) trips the property-override check. Both would fail tests that treat every warning as an error.
    QLoggingCategory.setFilterRules(
        "qt.multimedia.symbolsresolver.warning=false\nqt.qml.propertyCache.append.warning=false"
    )
    app = QGuiApplication(argv or [sys.argv[0]])
    app.setApplicationName("campaign-kiosk")
    app.setOrganizationName("campaign-kiosk")
    register_fonts()
    return app


def register_fonts() -> None:
    for font in sorted(fonts_dir().glob("*.ttf")):
        if QFontDatabase.addApplicationFont(str(font)) < 0:
            log.warning("could not load font %s", font.name)


def _register_qml_types() -> None:
    """Import every bridge module so all their @QmlElement types exist (for compiling every QML file; the kiosk
    window registers only the attract screen's types before its first frame, see bridge/registry.py)."""
    from kiosk.bridge.registry import register_all_types

    register_all_types()


class KioskWindow(QObject):
    """Owns the engine, the root view model and the window of one kiosk session."""

    def __init__(self, options: KioskOptions, *, initial_screen: str = "attract") -> None:
        super().__init__()
        # Registers the attract screen's QML types; the other features' come with controller.complete_features().
        from kiosk.bridge.registry import build_controller

        self.options = options
        self.controller = build_controller(options)
        self.engine = QQmlApplicationEngine()
        self.engine.addImportPath(str(ui_dir()))
        from kiosk.bridge.registry import install_image_providers

        install_image_providers(self.engine, self.controller)
        self.controller.load_petition_qr()
        self._first_petition_link = str(self.controller.property("petitionQrUrl"))
        self.engine.setInitialProperties({"kiosk": self.controller})
        self.engine.load(str(ui_dir() / "Main.qml"))
        roots = self.engine.rootObjects()
        if not roots or not isinstance(roots[0], QQuickWindow):
            raise RuntimeError("ui/Main.qml failed to load; see the messages above")
        self.window: QQuickWindow = roots[0]
        if initial_screen != "attract":
            self.controller.show(initial_screen)
        self._storage_started = False
        self.window.frameSwapped.connect(self._after_first_frame)

    def _after_first_frame(self) -> None:
        if self._storage_started:
            return
        self._storage_started = True
        self.window.frameSwapped.disconnect(self._after_first_frame)
        # Leave the frame on screen first; opening storage imports SQLAlchemy and migrates.
        QTimer.singleShot(0, self._finish_start_up)

    def _finish_start_up(self) -> None:
        """Attach the other features, open storage, build what the attract screen does not show (keyboard, idle
        prompt), watch for activity, freeze the heap."""
        # Idle means no touch, click or key on this window. A filter on the whole application would run Python for
        # every event Qt sends to any object (tens of thousands while a screen loads), and that slowed every screen.
        from kiosk.bridge.idle import IdleViewModel

        idle = self.controller.feature("idle")
        assert isinstance(idle, IdleViewModel)
        idle.watch(self.window)
        self.controller.complete_features()
        self.controller.startStorage()
        self.controller.save_petition_qr(self._first_petition_link)
        self.window.setProperty("startupDone", True)
        # A full garbage collection walks every object and holds the GIL throughout: over the start-up heap (QML,
        # SQLAlchemy, PySide) that took 130-230 ms, in the middle of a sync or a submit. What exists now lives for
        # the whole run, so move it out of the collector's sight (gc.freeze, Python docs), and let it collect again.
        gc.freeze()
        gc.enable()

    def start_storage_now(self) -> None:
        """Tests and tools that need storage (and the keyboard) before the first frame call this."""
        if not self._storage_started:
            self._storage_started = True
            self.window.frameSwapped.disconnect(self._after_first_frame)
            self._finish_start_up()

    def close(self) -> None:
        from PySide6.QtCore import QEvent

        from kiosk.bridge.background import wait_for_background
        from kiosk.runtime import KioskRuntime

        runtime = self.controller.runtime
        # Background jobs report back to view models and screens: let them finish first.
        wait_for_background()
        QCoreApplication.processEvents()
        # The engine goes first, while the view models its bindings read are still alive.
        self.window.close()
        # Delete the engine now, not later: at interpreter exit Python may free the view models first, and every
        # binding would then complain that "kiosk" is null.
        shiboken6.delete(self.engine)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if isinstance(runtime, KioskRuntime):
            runtime.close()


def run_kiosk(options: KioskOptions) -> int:
    """Start the kiosk window and run until it is closed from organiser mode."""
    problem = display_problem()
    if problem:
        raise NoDisplayError(problem)
    qInstallMessageHandler(_forward_qt_message)
    app = create_application()
    kiosk = KioskWindow(options)
    from kiosk.bridge.lockdown import apply_lockdown

    apply_lockdown(app, kiosk, fullscreen=options.fullscreen or options.config.fullscreen)
    code = app.exec()
    kiosk.close()
    return int(code)


def wait(ms: int) -> None:
    """Spin the event loop for ``ms`` milliseconds."""
    from PySide6.QtCore import QEventLoop  # here, not at the top: its class costs ~0.5 ms before the first frame

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def render_screenshot(options: KioskOptions, out: Path, *, screen: str, size: tuple[int, int]) -> Path:
    """Render one screen offscreen into a PNG (for docs and for checking the UI by eye)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    qInstallMessageHandler(_forward_qt_message)
    create_application()
    kiosk = KioskWindow(options)
    kiosk.window.resize(*size)
    kiosk.start_storage_now()
    from kiosk.bridge.registry import prepare_screen_for_screenshot

    prepare_screen_for_screenshot(kiosk.controller, screen)
    wait(600)
    image = kiosk.window.grabWindow()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out)):
        raise OSError(f"could not write {out}")
    kiosk.close()
    return out
