"""Typing by tapping the on-screen keyboard (QtQuick.VirtualKeyboard) like a person does."""

from __future__ import annotations

from typing import Any

_SYMBOL_MODE_KEY = 17825792  # Qt::Key_Mode_switch: the "&123" / "ABC" key


def visible_keys(k: Any) -> list[Any]:
    panel = k.find_any("inputPanel")
    found: list[Any] = []
    width, height = k.window.width(), k.window.height()

    def on_screen(item: Any) -> bool:
        centre = k.centre(item)
        return 0 <= centre.x() < width and 0 <= centre.y() < height

    def walk(item: Any) -> None:
        for child in item.childItems():
            if child.property("key") is not None and child.isVisible() and child.width() > 0 and on_screen(child):
                found.append(child)
            walk(child)

    walk(panel)
    return found


def _key_for(k: Any, ch: str) -> Any | None:
    for key in visible_keys(k):
        text = key.property("text") or ""
        if text == ch or (text.lower() == ch.lower() and ch.isalpha()):
            return key
    return None


def _toggle_symbols(k: Any) -> None:
    for key in visible_keys(k):
        if key.property("key") == _SYMBOL_MODE_KEY:
            k.click(key)
            k.qtbot.wait(30)
            return
    raise AssertionError("no symbol-mode key on the keyboard")


def tap_keys(k: Any, text: str) -> None:
    """Tap each character's key; switches to the symbol layout and back for digits and symbols."""
    for ch in text:
        key = _key_for(k, ch)
        if key is None:
            _toggle_symbols(k)
            key = _key_for(k, ch)
            assert key is not None, f"no key for {ch!r} on the on-screen keyboard"
            k.click(key)
            _toggle_symbols(k)
        else:
            k.click(key)
        k.qtbot.wait(15)
