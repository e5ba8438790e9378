"""Benchmark: cold start to the first frame of the attract screen, against a bare QML ApplicationWindow.

Each run is a fresh Python process (offscreen), timed from its launch until the window's first ``frameSwapped``:
imports, QGuiApplication, the QML engine, the whole attract screen with the campaign pack and wins cards. The
floor is the same in a process that loads only ``ApplicationWindow { visible: true }``. Issue 10 asks for at
most 1.5x the floor. The timed kiosk runs are a kiosk's later boots: one whole start runs first, shown and left
to finish its start-up (QML disk cache, Python bytecode, the petition QR code's matrix and the wins cards' fitted
size kept in the data dir). Both kinds of process write and read Python bytecode in one cache of the run's own
(``PYTHONPYCACHEPREFIX``), even where the shell sets ``PYTHONDONTWRITEBYTECODE``: an installed kiosk has its
bytecode, and compiling the kiosk's ~30 modules again at every timed start (~25 ms) measured the shell, not the
kiosk.

Run: ``.venv/bin/python bench/bench_startup.py [--runs N]``. Prints figure, floor and their ratio (medians of wall
time, the goal), and the same for the CPU time each process used until its first frame: on a shared machine the
wall times swing with other jobs' load, CPU time much less.
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
from kiosk.campaign import load_campaign
from kiosk.config import KioskConfig
from kiosk.services import KioskOptions
app = create_application()
data = Path(sys.argv[1])
kiosk = KioskWindow(KioskOptions(data, KioskConfig(), load_campaign("hikvision", data_dir=data)))
kiosk.window.frameSwapped.connect(lambda: (print("frame", time.process_time(), flush=True), app.quit()))
kiosk.window.show()
app.exec()
kiosk.close()
"""

# One whole start before the timed ones, as a kiosk's first boot: shown, and run until its start-up is done (storage
# open, the cards measured) and a moment more. It fills the QML disk cache and the bytecode cache, and keeps the
# petition QR code's matrix and the cards' fitted size in the data dir.
FIRST_BOOT = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from kiosk.app import KioskWindow, create_application
from kiosk.campaign import load_campaign
from kiosk.config import KioskConfig
from kiosk.services import KioskOptions
app = create_application()
data = Path(sys.argv[1])
kiosk = KioskWindow(KioskOptions(data, KioskConfig(), load_campaign("hikvision", data_dir=data)))
def settled():
    if kiosk.window.property("startupDone"):
        QTimer.singleShot(500, app.quit)
    else:
        QTimer.singleShot(50, settled)
kiosk.window.show()
settled()
app.exec()
print("frame 0", flush=True)
kiosk.close()
"""

BARE = """
import sys, time
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine
app = QGuiApplication(sys.argv)
engine = QQmlApplicationEngine()
engine.loadData(
    b"import QtQuick\\nimport QtQuick.Controls\\nApplicationWindow { width: 1280; height: 800; visible: true }"
)
window = engine.rootObjects()[0]
window.frameSwapped.connect(lambda: (print("frame", time.process_time(), flush=True), app.quit()))
app.exec()
"""


def first_frame_s(script: str, *args: str, bytecode: Path) -> tuple[float, float]:
    """Seconds from launch to the first frame: (wall, CPU time of the process until then)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_QUICK_CONTROLS_STYLE": "Basic", "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    took = time.perf_counter() - started
    child.wait(60)
    word, _, cpu = line.strip().partition(" ")
    if word != "frame":
        raise RuntimeError("no first frame")
    return took, float(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    from tests.helpers.kiosk import set_up_database

    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as bytecode:
        set_up_database(Path(tmp))
        cache = Path(bytecode)
        # Warm the OS file cache, the QML disk cache and the bytecode: the timed runs are later boots.
        first_frame_s(FIRST_BOOT, tmp, bytecode=cache)
        first_frame_s(BARE, bytecode=cache)
        kiosk, bare = [], []
        for _ in range(args.runs):  # interleaved, so machine load hits both alike
            kiosk.append(first_frame_s(KIOSK, tmp, bytecode=cache))
            bare.append(first_frame_s(BARE, bytecode=cache))
    figure, floor = statistics.median(k[0] for k in kiosk), statistics.median(b[0] for b in bare)
    cpu_figure, cpu_floor = statistics.median(k[1] for k in kiosk), statistics.median(b[1] for b in bare)
    ratio = figure / floor
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(f"kiosk: launch to first frame of the attract screen: {figure:.2f} s (median of {args.runs}, offscreen)")
    print(f"floor (bare QML ApplicationWindow, same interpreter and Qt): {floor:.2f} s")
    print(f"ratio: {ratio:.2f}x the floor; target at most {TARGET_RATIO}x: {verdict}")
    print(
        f"CPU time to the first frame: kiosk {cpu_figure:.3f} s, floor {cpu_floor:.3f} s, "
        f"ratio {cpu_figure / cpu_floor:.2f}x"
    )
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
