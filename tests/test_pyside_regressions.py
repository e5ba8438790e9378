"""Guards against Qt for Python releases with bugs that would crash the kiosk (see pyproject.toml)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def test_bools_from_qml_do_not_corrupt_refcounts() -> None:
    """PySide6 6.12.0 loses a reference to True/False for every bool QML passes to Python; after a few hundred
    ticks of a checkbox the interpreter aborts ("bool_dealloc"). Run it in a child so an abort fails only this test."""
    script = textwrap.dedent(
        """
        from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtQml import QQmlApplicationEngine

        app = QGuiApplication([])

        class Box(QObject):
            changed = Signal()
            def __init__(self):
                super().__init__()
                self._v = False
            def _read(self):
                return self._v
            def _write(self, v):
                self._v = v
                self.changed.emit()
            checked = Property(bool, _read, _write, notify=changed)
            @Slot(bool)
            def setChecked(self, v):
                self._write(v)

        box = Box()
        engine = QQmlApplicationEngine()
        engine.setInitialProperties({"box": box})
        engine.loadData(b'''import QtQuick
        Item { required property QtObject box
          Component.onCompleted: for (let i = 0; i < 5000; i++) {
            box.checked = !box.checked; box.setChecked(!box.checked) }
        }''')
        QTimer.singleShot(50, app.quit)
        app.exec()
        print("ok")
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr[-2000:]
