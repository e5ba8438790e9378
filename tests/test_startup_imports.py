"""The attract screen comes up before the heavy libraries load (issue 2, item 7).

SQLAlchemy, reportlab and the rest are only needed once storage opens, after the first frame. Each check runs in
a fresh interpreter, because this test session has long since imported all of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.kiosk import set_up_database

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sqlalchemy", "alembic", "reportlab", "openpyxl", "httpx", "phonenumbers", "pycountry", "email_validator")
# What the attract screen does not use either: the other features' view models (imported and attached right after
# the first frame), the Qt modules only printing needs, Pillow (qrcode would import it for drawers never used), and
# PySide's Qt namespace (~13 ms; listed as "PySide6.QtCore.Qt" by the scripts once something has loaded it), and
# hashlib and platformdirs (~3 ms each; consent digests and default folders need them later), dataclasses (the
# records made before the first frame are NamedTuples: ~0.4 ms each less) and the sync settings (read after the first
# frame). (json is not kept out here only because these scripts print with it; kiosk/wins_fit.py keeps a plain text
# file so as not to need it.)
LATE = (
    "kiosk.bridge.dashboard",
    "kiosk.bridge.exports",
    "kiosk.bridge.pledge",
    "kiosk.bridge.printing",
    "kiosk.bridge.setup",
    "kiosk.bridge.signing",
    "PySide6.QtPrintSupport",
    "PySide6.QtWidgets",
    "PySide6.QtPdf",
    "PIL",
    "PySide6.QtCore.Qt",
    "hashlib",
    "platformdirs",
    "dataclasses",
    "kiosk.sync.settings",
)

CONTROLLER = """
import json, sys
from pathlib import Path
import kiosk.app, kiosk.bridge.registry
from kiosk.campaign import load_campaign
from kiosk.config import KioskConfig
from kiosk.services import KioskOptions
data = Path(sys.argv[1])
options = KioskOptions(data_dir=data, config=KioskConfig(), campaign=load_campaign("hikvision", data_dir=data))
kiosk.bridge.registry.build_controller(options)
print(json.dumps(sorted(sys.modules) + (["PySide6.QtCore.Qt"] if "Qt" in vars(sys.modules["PySide6.QtCore"]) else [])))
"""

FIRST_FRAME = """
import json, sys
from pathlib import Path
from kiosk.app import KioskWindow, create_application
from kiosk.campaign import load_campaign
from kiosk.config import KioskConfig
from kiosk.services import KioskOptions
data = Path(sys.argv[1])
options = KioskOptions(data_dir=data, config=KioskConfig(), campaign=load_campaign("hikvision", data_dir=data))
app = create_application()
window = KioskWindow(options)
loaded = []
def first_frame():
    if not loaded:
        qt = ["PySide6.QtCore.Qt"] if "Qt" in vars(sys.modules["PySide6.QtCore"]) else []
        loaded.append(sorted(sys.modules) + qt)
        app.quit()
window.window.frameSwapped.connect(first_frame)
window.window.show()
app.exec()
print(json.dumps(loaded[0]))
window.close()
"""


def modules_after(script: str, data_dir: Path) -> list[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_QUICK_CONTROLS_STYLE": "Basic", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(data_dir)], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr
    names: list[str] = json.loads(lines[-1])
    return names


@pytest.mark.parametrize("script", [CONTROLLER, FIRST_FRAME], ids=["build_controller", "first_frame"])
def test_attract_screen_needs_no_heavy_library(script: str, tmp_path: Path) -> None:
    set_up_database(tmp_path)
    modules = modules_after(script, tmp_path)
    loaded = {name.split(".")[0] for name in modules}
    assert "PySide6" in loaded  # the script really ran
    assert "kiosk.bridge.wins" in modules
    assert sorted(loaded.intersection(HEAVY)) == []
    assert sorted(set(modules).intersection(LATE)) == []


def test_a_later_start_needs_no_toml_parser(tmp_path: Path) -> None:
    """The first start keeps the parsed pack in the data dir (kiosk/parsed_toml.py); the next needs no TOML parser."""
    set_up_database(tmp_path)
    assert "tomllib" in modules_after(FIRST_FRAME, tmp_path)
    later = modules_after(FIRST_FRAME, tmp_path)
    assert "kiosk.bridge.wins" in later
    assert "tomllib" not in later


def test_paper_sizes_match_reportlab() -> None:
    """kiosk.printing.catalogue spells out the sizes to spare reportlab at start-up; they must be reportlab's."""
    from reportlab.lib.pagesizes import A3, A4, letter

    from kiosk.printing.catalogue import PAPER_SIZES

    assert {"A4": A4, "A3": A3, "Letter": letter} == PAPER_SIZES


def test_spelled_out_roles_are_qts() -> None:
    """kiosk.bridge.listmodels spells out two Qt.ItemDataRole values to spare the Qt namespace at start-up."""
    from PySide6.QtCore import Qt

    from kiosk.bridge.listmodels import DISPLAY_ROLE, USER_ROLE

    assert (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.UserRole) == (DISPLAY_ROLE, USER_ROLE)
