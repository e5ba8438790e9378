"""Benchmark: memory (RSS) of the kiosk idle after start and after N signatures, against a bare QML window.

Each figure is a fresh offscreen process: the kiosk window on a set-up data folder, storage open, idle for a
moment; then N signatures through the real signing view model (``submit()``, sealing and durable commit each).
The floor is a process showing a bare ``ApplicationWindow``. The soak test (tests/reliability/test_soak.py)
holds growth over 2,000 typed flows under 30 MB; this reports the numbers.

Run: ``.venv/bin/python bench/bench_memory.py [--flows N]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KIOSK = """
import os, sys
from pathlib import Path
from kiosk.app import KioskWindow, create_application, wait
from tests.helpers.kiosk import make_options
from tests.reliability.records import draft

def rss():
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")

create_application()
kiosk = KioskWindow(make_options(Path(sys.argv[1])))
kiosk.window.resize(1280, 800)
kiosk.window.show()
wait(1500)
print("idle", rss(), flush=True)
controller, signing = kiosk.controller, kiosk.controller.feature("signing")
for n in range(int(sys.argv[2])):
    controller.show("sign")
    wait(200)  # screens change at a person's pace: each transition finishes and the old screen is freed
    d = draft(n, tag="-memory")
    for prop, value in (("firstName", d.first_name), ("lastName", d.last_name), ("email", d.email),
                        ("postcode", d.postcode), ("consentSign", True)):
        signing.setProperty(prop, value)
    assert signing.submit()
    controller.show("attract")
    wait(200)
    if n == 49:
        print("warm", rss(), flush=True)
wait(500)
print("after", rss(), flush=True)
"""

BARE = """
import os
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine
app = QGuiApplication([])
engine = QQmlApplicationEngine()
engine.loadData(
    b"import QtQuick\\nimport QtQuick.Controls\\nApplicationWindow { width: 1280; height: 800; visible: true }"
)
QTimer.singleShot(1500, app.quit)
app.exec()
print("idle", int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE"), flush=True)
"""


def measure(script: str, *args: str) -> dict[str, int]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_QUICK_CONTROLS_STYLE": "Basic", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=900,
        check=True,
    )
    return {line.split()[0]: int(line.split()[1]) for line in done.stdout.splitlines() if line.strip()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--flows", type=int, default=200)
    args = parser.parse_args(argv)
    from tests.helpers.kiosk import set_up_database

    with tempfile.TemporaryDirectory() as tmp:
        set_up_database(Path(tmp))
        kiosk = measure(KIOSK, tmp, str(args.flows))
    bare = measure(BARE)
    mib = 2**20
    print(f"kiosk RSS idle after start (storage open): {kiosk['idle'] / mib:.0f} MB")
    print(
        f"kiosk RSS after {args.flows} signatures: {kiosk['after'] / mib:.0f} MB "
        f"(growth after the first 50, which build every screen once: {(kiosk['after'] - kiosk['warm']) / mib:.1f} MB)"
    )
    print(f"floor (bare QML ApplicationWindow, idle): {bare['idle'] / mib:.0f} MB")
    print(f"ratio idle: {kiosk['idle'] / bare['idle']:.2f}x the floor")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
