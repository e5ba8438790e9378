"""The attract screen comes up before the heavy libraries load (issue 2, item 7).

SQLAlchemy, reportlab and the rest are only needed once storage opens, after the first frame. Each check runs in
a fresh interpreter, because this test session has long since imported all of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.kiosk import set_up_database
from tests.helpers.startup import OPTIONS, WINDOW, run_fresh

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

LOADED = """
def loaded():
    qt = ["PySide6.QtCore.Qt"] if "Qt" in vars(sys.modules["PySide6.QtCore"]) else []
    return sorted(sys.modules) + qt
"""

CONTROLLER = (
    OPTIONS
    + LOADED
    + """
import kiosk.app, kiosk.bridge.registry
kiosk.bridge.registry.build_controller(options)
print(json.dumps(loaded()))
"""
)

FIRST_FRAME = (
    WINDOW
    + LOADED
    + """
state = loaded
window.frameSwapped.connect(app.quit)
window.show()
app.exec()
print(json.dumps(seen["first"]))
kiosk.close()
"""
)


def modules_after(script: str, data_dir: Path) -> list[str]:
    names: list[str] = run_fresh(script, data_dir)
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
