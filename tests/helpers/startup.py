"""Start-up checks run as scripts in a fresh interpreter: a test session has long since imported everything,
opened storage and loaded the keyboard, so only a new process shows what a kiosk's start does.

A script gets the data dir as ``sys.argv[1]`` and prints one JSON value on its last line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

# The options a kiosk starts with, built as the command line does: the bundled pack, kept parsed in the data dir.
OPTIONS = """
import gc, json, sys
from pathlib import Path
from kiosk.campaign import load_campaign
from kiosk.config import KioskConfig
from kiosk.services import KioskOptions
data = Path(sys.argv[1])
options = KioskOptions(data_dir=data, config=KioskConfig(), campaign=load_campaign("hikvision", data_dir=data))
"""

# The real window started as a kiosk starts (no start_storage_now). A script that adds to it defines ``state()``
# (what to record) and runs the event loop; ``first_frame`` records ``state()`` at the first frame in
# ``seen["first"]``.
WINDOW = (
    OPTIONS
    + """
from PySide6.QtCore import QObject, QTimer
from kiosk.app import KioskWindow, create_application
app = create_application()
kiosk = KioskWindow(options)
window = kiosk.window
seen = {}

def first_frame():
    if "first" not in seen:
        seen["first"] = state()

window.frameSwapped.connect(first_frame)
"""
)


def run_fresh(script: str, data_dir: Path) -> Any:
    """Run ``script`` offscreen in a new interpreter; the JSON value it printed last. Fails on a QML warning."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_QUICK_CONTROLS_STYLE": "Basic", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(data_dir)], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "file://" not in done.stderr  # no QML warning
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr
    return json.loads(lines[-1])
