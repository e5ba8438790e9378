"""QR codes on screen: the ``image://qr/`` provider through real QML, and the attract screen's petition code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.kiosk import KioskHarness
from tests.helpers.qr_decode import decode_qr_texts, qimage_to_pil

TRICKY_TEXTS = [
    "https://act.example.org/petitions/hikvision-out?utm_source=kiosk&utm_medium=test-event&utm_campaign=hikvision",
    # A literal %20 must survive (Qt hands the provider a half-decoded id); so must +, #, spaces and non-ASCII.
    "https://x.example/p?a=1&b=Brighton%20market&c=a+b#frag é",
    "Zoë's stall: 100% ✓",
]


@pytest.fixture
def qml_window(qtbot: Any, qapp: Any, data_dir: Path) -> Iterator[Any]:
    """Load a QML snippet in an engine with the kiosk's image providers; yields a loader function."""
    from PySide6.QtQml import QQmlApplicationEngine

    from kiosk.bridge.registry import build_controller, install_image_providers
    from tests.helpers.kiosk import make_options

    engines: list[Any] = []
    controller = build_controller(make_options(data_dir))

    def load(qml: str) -> Any:
        engine = QQmlApplicationEngine()
        install_image_providers(engine, controller)
        engine.loadData(qml.encode())
        window = engine.rootObjects()[0]
        engines.append(engine)
        qtbot.waitExposed(window)
        return window

    yield load
    for engine in engines:
        for root in engine.rootObjects():
            root.close()
        engine.deleteLater()


def _image_window(source_expr: str, side: int) -> str:
    return f"""
import QtQuick
Window {{
    width: {side + 40}; height: {side + 40}; visible: true; color: "white"
    Image {{
        objectName: "code"
        x: 20; y: 20; width: {side}; height: {side}
        sourceSize.width: width; sourceSize.height: height
        smooth: false
        source: {source_expr}
        readonly property bool ready: status === Image.Ready
    }}
}}
"""


def _grab_when_ready(qtbot: Any, window: Any) -> Any:
    from PySide6.QtQuick import QQuickItem

    image_item = window.findChild(QQuickItem, "code")
    qtbot.waitUntil(lambda: image_item.property("ready"), timeout=3000)
    qtbot.wait(50)
    return window.grabWindow()


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_provider_draws_a_code_that_decodes_to_the_exact_text(qml_window: Any, qtbot: Any, text: str) -> None:
    from kiosk.bridge.qr_provider import qr_image_source

    window = qml_window(_image_window(f'"{qr_image_source(text)}"', 261))
    grabbed = qimage_to_pil(_grab_when_ready(qtbot, window))
    assert decode_qr_texts(grabbed) == [text]


def test_qml_encode_uri_component_gives_the_same_code(qml_window: Any, qtbot: Any) -> None:
    text = TRICKY_TEXTS[1]
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    window = qml_window(_image_window(f'"image://qr/" + encodeURIComponent("{quoted}")', 200))
    assert decode_qr_texts(qimage_to_pil(_grab_when_ready(qtbot, window))) == [text]


@pytest.mark.parametrize("side", [90, 173, 400])
def test_code_is_drawn_crisply_at_the_requested_size(qml_window: Any, qtbot: Any, side: int) -> None:
    """Every pixel is pure black or white, and each module's centre matches the matrix: no scaled, blurred bitmap."""
    from kiosk.bridge.qr_provider import qr_image_source
    from kiosk.printing.qr import qr_matrix

    text = TRICKY_TEXTS[0]
    window = qml_window(_image_window(f'"{qr_image_source(text)}"', side))
    grabbed = qimage_to_pil(_grab_when_ready(qtbot, window)).convert("L")
    code = grabbed.crop((20, 20, 20 + side, 20 + side))
    histogram = code.histogram()
    assert sum(histogram[1:255]) == 0, "grey pixels: the code was scaled and smoothed"
    matrix = qr_matrix(text)
    module = side / matrix.size
    for y, row in enumerate(matrix.rows):
        for x, dark in enumerate(row):
            centre = (int((x + 0.5) * module), int((y + 0.5) * module))
            assert code.getpixel(centre) == (0 if dark else 255), (x, y)
    assert decode_qr_texts(code.convert("RGB")) == [text]


def test_render_qr_has_exactly_the_requested_size() -> None:
    from kiosk.bridge.qr_provider import render_qr

    image = render_qr("https://example.org", 333)
    assert (image.width(), image.height()) == (333, 333)
    assert decode_qr_texts(qimage_to_pil(image)) == ["https://example.org"]


# --- the attract screen ----------------------------------------------------------------------------------------------

PETITION_LINK = (
    "https://act.example.org/petitions/hikvision-out?utm_source=kiosk&utm_medium=test-event&utm_campaign=hikvision"
)


def _grab_petition_code(kiosk: KioskHarness) -> Any:
    """The window grab cropped to the petition QR code's square (decoded alone, so nothing else can match)."""
    from PySide6.QtCore import QPointF

    image_item = kiosk.find("petitionQrImage")
    kiosk.qtbot.waitUntil(lambda: image_item.width() > 0)
    kiosk.qtbot.waitUntil(lambda: image_item.property("progress") == 1.0, timeout=3000)
    kiosk.qtbot.wait(100)
    top_left = image_item.mapToScene(QPointF(0, 0))
    grabbed = qimage_to_pil(kiosk.window.grabWindow())
    side = int(image_item.width())
    return grabbed.crop((int(top_left.x()), int(top_left.y()), int(top_left.x()) + side, int(top_left.y()) + side))


@pytest.mark.parametrize("size", [(1280, 800), (800, 480)])
def test_attract_screen_code_reads_as_the_attributed_petition_link(kiosk: KioskHarness, size: tuple[int, int]) -> None:
    kiosk.window.resize(*size)
    kiosk.qtbot.wait(100)
    assert kiosk.text_of("petitionQrCaption") == "Sign on your phone"
    assert kiosk.controller.printing.property("petitionQrUrl") == PETITION_LINK
    code = _grab_petition_code(kiosk)
    # Big enough to scan from arm's length, and drawn crisply (pure black and white at this size).
    assert code.width >= 150
    histogram = code.convert("L").histogram()
    assert sum(histogram[1:255]) == 0
    assert decode_qr_texts(code) == [PETITION_LINK]
    # Nothing clipped: the code lies inside the window.
    from PySide6.QtCore import QPointF

    item = kiosk.find("petitionQrImage")
    bottom_right = item.mapToScene(QPointF(item.width(), item.height()))
    assert bottom_right.x() <= size[0] and bottom_right.y() <= size[1]


def test_attract_code_carries_the_configured_source_and_event(qtbot: Any, qapp: Any, set_up_data_dir: Path) -> None:

    from kiosk.config import KioskConfig
    from tests.helpers.kiosk import make_options

    config = KioskConfig(utm_source="stall kiosk", event_id="Leeds & District 2026")
    harness = KioskHarness.start(qtbot, make_options(set_up_data_dir, config))
    try:
        expected = (
            "https://act.example.org/petitions/hikvision-out"
            "?utm_source=stall%20kiosk&utm_medium=Leeds%20%26%20District%202026&utm_campaign=hikvision"
        )
        assert decode_qr_texts(_grab_petition_code(harness)) == [expected]
    finally:
        harness.close()
