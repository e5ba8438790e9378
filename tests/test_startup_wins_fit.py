"""The wins cards' fitted size and pictures are kept in the data dir, so a later start shows its first frame without
measuring the cards on hidden copies or loading Qt's SVG module (issue 10); and a kept size that is stale or damaged
is measured again and corrected.

Each start runs the real start-up path (KioskWindow shown, no ``start_storage_now``) in a fresh interpreter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.wins_fit import FIT_FILE
from tests.helpers.kiosk import set_up_database
from tests.helpers.startup import WINDOW, run_fresh

START = (
    WINDOW
    + """
def walk(item):
    yield item
    for child in item.childItems():
        yield from walk(child)

def state():
    carousel = window.findChild(QObject, "winsCarousel")
    items = list(walk(window.contentItem()))
    shown = [i for i in walk(window.findChild(QObject, "winsList")) if i.objectName() == "winCardBody"]
    return {
        "cards": sum(i.objectName().startswith("winCard_") for i in items),
        "measured": carousel.property("measuredBodyPixelSize"),
        "shownBody": shown[0].property("font").pixelSize() if shown else None,
        "layout": carousel.property("fitLayout"),
        "svg": any("libQt6Svg" in line for line in open("/proc/self/maps")),
    }

def settled():
    if window.property("startupDone"):
        seen["after"] = state()
        QTimer.singleShot(300, app.quit)
    else:
        QTimer.singleShot(50, settled)

window.show()
settled()
app.exec()
print(json.dumps(seen))
kiosk.close()
"""
)


def _start(data_dir: Path) -> dict[str, Any]:
    seen: dict[str, Any] = run_fresh(START, data_dir)
    return seen


def _kept(data_dir: Path) -> tuple[str, dict[str, float]]:
    signature, *lines = (data_dir / FIT_FILE).read_text(encoding="utf-8").splitlines()
    return signature, {key: float(size) for size, _, key in (line.partition("\t") for line in lines)}


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads which libraries are loaded from /proc")
def test_a_later_start_shows_the_kept_size_without_measuring_first(tmp_path: Path) -> None:
    set_up_database(tmp_path)
    first = _start(tmp_path)
    # No size kept yet: hidden copies of all 13 cards measure before the first frame, as every start did before.
    assert first["first"]["cards"] > 13
    assert first["first"]["svg"]  # the first card's picture drawn from its SVG
    size = first["first"]["measured"]
    assert size >= 13 and first["first"]["shownBody"] == size
    signature, kept = _kept(tmp_path)
    assert kept == {first["first"]["layout"]: size}

    later = _start(tmp_path)
    # One card on the first frame, at the kept size; the copies come after it, measure the same and change nothing.
    # Its picture is the one kept by the first start: no SVG module before the first frame.
    assert later["first"] == {
        "cards": 1,
        "measured": 0,
        "shownBody": size,
        "layout": first["first"]["layout"],
        "svg": False,
    }
    assert later["after"]["cards"] > 13
    assert later["after"]["measured"] == size and later["after"]["shownBody"] == size
    assert _kept(tmp_path) == (signature, kept)


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads which libraries are loaded from /proc")
def test_a_stale_or_damaged_kept_size_is_measured_again_and_corrected(tmp_path: Path) -> None:
    set_up_database(tmp_path)
    right = _start(tmp_path)["first"]
    signature, kept = _kept(tmp_path)
    layout = right["layout"]

    # Stale: the file says the cards fit at a size they do not (as after a pack with longer cards).
    (tmp_path / FIT_FILE).write_text(f"{signature}\n{right['measured'] + 9}\t{layout}\n", encoding="utf-8")
    stale = _start(tmp_path)
    assert stale["first"]["shownBody"] == right["measured"] + 9  # the first frame trusts it ...
    assert stale["after"]["shownBody"] == right["measured"]  # ... the check right after it corrects it
    assert _kept(tmp_path) == (signature, kept)

    # Damaged: not trusted at all; measured before the first frame and written again.
    (tmp_path / FIT_FILE).write_bytes(b"\x00\xff" + signature.encode() + b"\n26\tbroken")
    damaged = _start(tmp_path)
    assert damaged["first"]["cards"] > 13 and damaged["first"]["shownBody"] == right["measured"]
    assert _kept(tmp_path) == (signature, kept)
