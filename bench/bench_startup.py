"""Benchmark: cold start to the first frame of the attract screen, against a bare QML ApplicationWindow.

Each run is a fresh Python process (offscreen), timed from its launch until the window's first ``frameSwapped``:
imports, QGuiApplication, the QML engine, the whole attract screen with the campaign pack and wins cards. The
floor is the same in a process that loads only ``ApplicationWindow { visible: true }``. Issue 10 asks for at
most 1.5x the floor.

Run: ``.venv/bin/python bench/bench_startup.py [--runs N]``. Prints figure, floor and their ratio (medians).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 1.5

KIOSK = """
import sys, time
from pathlib import Path
from kiosk.app import KioskWindow, create_application
from tests.helpers.kiosk import make_options
app = create_application()
kiosk = KioskWindow(make_options(Path(sys.argv[1])))
kiosk.window.frameSwapped.connect(lambda: (print("frame", flush=True), app.quit()))
kiosk.window.show()
app.exec()
kiosk.close()
"""

BARE = """
import sys
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine
app = QGuiApplication(sys.argv)
engine = QQmlApplicationEngine()
engine.loadData(
    b"import QtQuick\\nimport QtQuick.Controls\\nApplicationWindow { width: 1280; height: 800; visible: true }"
)
window = engine.rootObjects()[0]
window.frameSwapped.connect(lambda: (print("frame", flush=True), app.quit()))
app.exec()
"""


def first_frame_s(script: str, *args: str) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_QUICK_CONTROLS_STYLE": "Basic", "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    took = time.perf_counter() - started
    child.wait(60)
    if line.strip() != "frame":
        raise RuntimeError("no first frame")
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    from tests.helpers.kiosk import set_up_database

    with tempfile.TemporaryDirectory() as tmp:
        set_up_database(Path(tmp))
        first_frame_s(KIOSK, tmp)  # warm the OS file cache and the QML disk cache, as on a kiosk's second boot
        first_frame_s(BARE)
        kiosk, bare = [], []
        for _ in range(args.runs):  # interleaved, so machine load hits both alike
            kiosk.append(first_frame_s(KIOSK, tmp))
            bare.append(first_frame_s(BARE))
    figure, floor = statistics.median(kiosk), statistics.median(bare)
    ratio = figure / floor
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(f"kiosk: launch to first frame of the attract screen: {figure:.2f} s (median of {args.runs}, offscreen)")
    print(f"floor (bare QML ApplicationWindow, same interpreter and Qt): {floor:.2f} s")
    print(f"ratio: {ratio:.2f}x the floor; target at most {TARGET_RATIO}x: {verdict}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
