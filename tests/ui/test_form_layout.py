"""Form pages at the smallest supported window: the scroll bar must not cover the right edge of the fields."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPointF

from tests.helpers.kiosk import KioskHarness, make_options


def enclosing_scroll_view(item: Any) -> Any:
    while item is not None and not item.inherits("QQuickScrollView"):
        item = item.parentItem()
    assert item is not None, "the field is not inside a FormPage"
    return item


@pytest.mark.parametrize("size", [(800, 480), (1280, 800)])
def test_setup_fields_stay_clear_of_the_scroll_bar(qtbot, qapp, data_dir, size) -> None:  # type: ignore[no-untyped-def]
    k = KioskHarness.start(qtbot, make_options(data_dir), size=size)
    try:
        k.wait_screen("setup")
        field = k.find("setupPassphraseField")
        view = enclosing_scroll_view(field)
        bars = [
            c for c in view.childItems() if c.inherits("QQuickScrollBar") and c.isVisible() and c.height() > c.width()
        ]
        field_right = field.mapToScene(QPointF(field.width(), 0)).x()
        if size == (800, 480):
            assert bars, "at 800x480 the setup form is taller than the window, so its scroll bar shows"
        for bar in bars:
            assert field_right <= bar.mapToScene(QPointF(0, 0)).x(), (field_right, bar.mapToScene(QPointF(0, 0)))
        assert field_right <= k.window.contentItem().width()
    finally:
        k.close()
