"""The wins carousel on the attract screen, through the real QML: swipe, auto-advance, pause, details, timeline.

Timers are shortened through the view model's interval properties, never waited out at their real length.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.bridge.wins import ADVANCE_MS, TOUCH_PAUSE_MS, WinsModel, WinsViewModel
from kiosk.campaign import load_campaign
from tests.helpers.kiosk import KioskHarness, make_options
from tests.helpers.qr_decode import decode_qr_texts, qimage_to_pil

PACK = load_campaign("hikvision")
CARDS = PACK.wins
SIZES = [(1280, 800), (800, 480)]
CARD_TEXTS = ("winCardDate", "winCardTitle", "winCardBody", "winCardSource")
_touch_device: Any = None


# --- helpers -----------------------------------------------------------------------------------------------------


def _walk(item: Any) -> Iterator[Any]:
    """Every item under ``item`` in the visual tree (list delegates have no QObject parent, so findChildren misses
    them)."""
    yield item
    for child in item.childItems():
        yield from _walk(child)


def _named(root: Any, name: str) -> list[Any]:
    return [i for i in _walk(root) if i.objectName() == name]


def _wins(k: KioskHarness) -> WinsViewModel:
    vm = k.controller.feature("wins")
    assert isinstance(vm, WinsViewModel)
    return vm


def _list(k: KioskHarness) -> Any:
    return k.find("winsList")


def _card_on_screen(k: KioskHarness) -> Any | None:
    """The delegate that fills the carousel's viewport now (None while it is between cards)."""
    from PySide6.QtCore import QPointF

    view = _list(k)
    if view.property("moving"):
        return None
    for item in _walk(view):
        name = item.objectName()
        if name.startswith("winCard_") and item.isVisible() and abs(item.mapToItem(view, QPointF(0, 0)).x()) < 1:
            return item
    return None


def _shown_id(k: KioskHarness) -> str | None:
    card = _card_on_screen(k)
    return None if card is None else str(card.property("cardId"))


def _wait_shown(k: KioskHarness, index: int) -> Any:
    k.qtbot.waitUntil(lambda: _shown_id(k) == CARDS[index].id, timeout=5000)
    card = _card_on_screen(k)
    assert card is not None
    return card


def _touch_swipe(k: KioskHarness, item: Any, dx: int) -> None:
    """Drag a finger horizontally across ``item`` from its centre, as a person swipes on the touchscreen."""
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    global _touch_device
    if _touch_device is None:
        _touch_device = QTest.createTouchDevice()
    start = k.centre(item)
    QTest.touchEvent(k.window, _touch_device).press(0, start, k.window).commit()
    steps = 12
    point = start
    for n in range(1, steps + 1):
        point = QPoint(start.x() + dx * n // steps, start.y())
        k.qtbot.wait(16)
        QTest.touchEvent(k.window, _touch_device).move(0, point, k.window).commit()
    QTest.touchEvent(k.window, _touch_device).release(0, point, k.window).commit()


def _start(qtbot: Any, data_dir: Path, size: tuple[int, int]) -> KioskHarness:
    k = KioskHarness.start(qtbot, make_options(data_dir), size=size)
    k.wait_screen("attract")
    return k


@pytest.fixture
def kiosk_small(qtbot: Any, qapp: Any, set_up_data_dir: Path) -> Iterator[KioskHarness]:
    harness = _start(qtbot, set_up_data_dir, (800, 480))
    yield harness
    harness.close()


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def kiosk_at(request: Any, qtbot: Any, qapp: Any, set_up_data_dir: Path) -> Iterator[KioskHarness]:
    harness = _start(qtbot, set_up_data_dir, request.param)
    yield harness
    harness.close()


# --- the models --------------------------------------------------------------------------------------------------


def test_card_and_timeline_models_pass_qtmodeltester(qtmodeltester: Any, qapp: Any) -> None:
    vm = WinsViewModel(CARDS, PACK.path)
    qtmodeltester.check(vm.property("cards"))
    qtmodeltester.check(vm.property("timeline"))


def test_card_model_rows_carry_what_a_card_shows() -> None:
    from urllib.parse import unquote

    model = WinsModel(CARDS, PACK.path)
    roles = {bytes(name.data()).decode(): role for role, name in model.roleNames().items()}
    assert model.rowCount() == len(CARDS)
    tesco = next(i for i, c in enumerate(CARDS) if c.id == "tesco")

    def value(name: str) -> Any:
        return model.data(model.index(tesco, 0), roles[name])

    assert value("dateText") == "16 March 2023"
    assert value("title") == "Tesco is phasing out Hikvision"
    assert value("source") == "Free Tibet"
    assert value("qrSource").startswith("image://qr/")
    assert unquote(value("qrSource").removeprefix("image://qr/")) == CARDS[tesco].source_url
    assert value("image").startswith("file://") and value("image").endswith(".svg")
    assert value("cardIndex") == tesco


def test_timeline_holds_every_win_in_date_order() -> None:
    vm = WinsViewModel(CARDS, PACK.path)
    timeline = vm.property("timeline")
    assert isinstance(timeline, WinsModel)
    rows = [timeline.card(r) for r in range(timeline.rowCount())]
    assert {c.id for c in rows} == {c.id for c in CARDS if c.kind == "win"}
    assert [c.sort_key for c in rows] == sorted(c.sort_key for c in rows)
    assert rows[0].id == "dhsc" and rows[-1].id == "morrisons"  # 16 April 2022 ... 2023 (after Tesco's March)


# --- the carousel on screen --------------------------------------------------------------------------------------


def test_attract_screen_shows_the_first_card_with_date_title_body_and_source(kiosk: KioskHarness) -> None:
    assert kiosk.find("winsCarousel").isVisible()
    card = _wait_shown(kiosk, 0)
    texts = {name: str(_named(card, name)[0].property("text")) for name in CARD_TEXTS}
    first = CARDS[0]
    assert first.date_text in texts["winCardDate"]
    assert texts["winCardTitle"] == first.title
    assert texts["winCardBody"] == first.body
    assert first.source in texts["winCardSource"]
    dots = _named(kiosk.find("winsPageDots"), "winsPageDot")
    assert len(dots) == len(CARDS)
    assert [d.property("current") for d in dots] == [True] + [False] * (len(CARDS) - 1)
    for name in ("winsPreviousButton", "winsNextButton", "winsTimelineButton"):
        assert kiosk.find(name).height() >= 56


def test_swiping_left_and_right_by_touch_turns_cards_and_pauses(kiosk: KioskHarness) -> None:
    vm = _wins(kiosk)
    card = _wait_shown(kiosk, 0)
    _touch_swipe(kiosk, card, -int(card.width() * 0.6))
    card = _wait_shown(kiosk, 1)
    assert vm.property("currentIndex") == 1
    assert vm.property("paused") and not vm.property("running")
    dots = _named(kiosk.find("winsPageDots"), "winsPageDot")
    assert dots[1].property("current") and not dots[0].property("current")

    _touch_swipe(kiosk, card, int(card.width() * 0.6))
    _wait_shown(kiosk, 0)
    assert vm.property("currentIndex") == 0


def test_arrows_turn_cards_and_wrap_around(kiosk: KioskHarness) -> None:
    vm = _wins(kiosk)
    kiosk.click("winsPreviousButton")
    _wait_shown(kiosk, len(CARDS) - 1)
    kiosk.click("winsNextButton")
    _wait_shown(kiosk, 0)
    assert vm.property("paused")


def test_auto_advance_turns_cards_on_its_own_and_wraps(kiosk: KioskHarness) -> None:
    vm = _wins(kiosk)
    assert vm.property("advanceIntervalMs") == ADVANCE_MS == 8000
    assert vm.property("running") and not vm.property("paused")
    vm.setProperty("advanceIntervalMs", 1500)  # well over the 400 ms slide, so each card comes to rest
    _wait_shown(kiosk, 1)
    _wait_shown(kiosk, 2)
    vm.showCard(len(CARDS) - 1)  # as if someone swiped to the last card...
    vm.setProperty("touchPauseMs", 50)  # ...and then walked away
    _wait_shown(kiosk, 0)


def test_a_touch_holds_the_card_for_the_pause_then_advancing_resumes(kiosk: KioskHarness) -> None:
    vm = _wins(kiosk)
    assert vm.property("touchPauseMs") == TOUCH_PAUSE_MS == 30000
    _wait_shown(kiosk, 0)

    _touch_swipe(kiosk, _card_on_screen(kiosk), -int(_list(kiosk).width() * 0.6))
    _wait_shown(kiosk, 1)
    assert vm.property("paused") and not vm.property("running")
    vm.setProperty("advanceIntervalMs", 100)
    kiosk.qtbot.wait(1200)  # a dozen advance intervals: still the card the person chose (the pause is 30 s)
    assert _shown_id(kiosk) == CARDS[1].id and vm.property("currentIndex") == 1

    vm.setProperty("advanceIntervalMs", 1500)  # slow enough again for the next card to come to rest
    vm.setProperty("touchPauseMs", 100)  # restarts the running pause with the shorter interval
    kiosk.qtbot.waitUntil(lambda: not vm.property("paused"), timeout=5000)
    _wait_shown(kiosk, 2)


def test_tapping_a_card_opens_its_details_with_a_qr_code_to_the_source(kiosk: KioskHarness) -> None:
    from PySide6.QtCore import QPointF, QRect

    vm = _wins(kiosk)
    vm.showCard(2)
    card = _wait_shown(kiosk, 2)
    kiosk.click(card)
    detail = kiosk.find("winDetail")
    assert vm.property("detailIndex") == 2
    assert kiosk.text_of("winDetailTitle") == CARDS[2].title
    assert kiosk.text_of("winDetailBody") == CARDS[2].body
    assert CARDS[2].date_text in kiosk.text_of("winDetailDate")
    assert CARDS[2].source in kiosk.text_of("winDetailSource")
    assert not vm.property("running")  # nothing turns under an open card

    qr = kiosk.find("winDetailQr")
    kiosk.qtbot.waitUntil(lambda: qr.property("progress") == 1.0 and qr.property("paintedWidth") > 0, timeout=3000)
    kiosk.qtbot.wait(50)
    top_left = qr.mapToScene(QPointF(0, 0)).toPoint()
    region = QRect(top_left.x(), top_left.y(), round(qr.width()), round(qr.height()))
    grabbed = kiosk.window.grabWindow().copy(region)
    assert decode_qr_texts(qimage_to_pil(grabbed)) == [CARDS[2].source_url]

    kiosk.click("winDetailCloseButton")
    kiosk.qtbot.waitUntil(lambda: not detail.isVisible(), timeout=3000)
    assert vm.property("detailIndex") == -1
    assert vm.property("paused")  # closing is a touch too: the card stays a while


def test_timeline_lists_every_win_in_date_order_and_opens_details(kiosk: KioskHarness) -> None:
    vm = _wins(kiosk)
    kiosk.click("winsTimelineButton")
    timeline = kiosk.find("winsTimeline")
    assert vm.property("timelineOpen") and not vm.property("running")
    wins = sorted((c for c in CARDS if c.kind == "win"), key=lambda c: c.sort_key)
    view = kiosk.find("winsTimelineList")
    view.setProperty("cacheBuffer", 10000)  # every row exists, so the order can be read off the screen
    kiosk.qtbot.waitUntil(lambda: len(_rows(view)) == len(wins), timeout=3000)
    rows = sorted(_rows(view), key=lambda r: r.y())
    assert [r.objectName().removeprefix("winsTimelineRow_") for r in rows] == [c.id for c in wins]
    for row, card in zip(rows, wins, strict=True):
        assert _named(row, "winsTimelineDate")[0].property("text") == card.date_text
        assert _named(row, "winsTimelineTitle")[0].property("text") == card.title

    kiosk.click(rows[0])
    kiosk.find("winDetail")
    assert kiosk.text_of("winDetailTitle") == wins[0].title
    kiosk.click("winDetailCloseButton")
    kiosk.click("winsTimelineCloseButton")
    kiosk.qtbot.waitUntil(lambda: not timeline.isVisible(), timeout=3000)
    assert not vm.property("timelineOpen")


def _rows(view: Any) -> list[Any]:
    return [i for i in _walk(view) if i.objectName().startswith("winsTimelineRow_")]


def test_wipe_closes_details_and_starts_again_from_the_first_card(kiosk: KioskHarness) -> None:
    vm = _wins(kiosk)
    vm.showCard(4)
    _wait_shown(kiosk, 4)
    vm.openTimeline()
    vm.openDetail(4)
    kiosk.find("winDetail")
    kiosk.controller.wipe_all()  # what the idle timer and every return to the attract screen do
    kiosk.qtbot.waitUntil(lambda: not kiosk.exists("winDetail") and not kiosk.exists("winsTimeline"), timeout=3000)
    _wait_shown(kiosk, 0)
    assert vm.property("running") and not vm.property("paused")


def test_carousel_stops_while_another_screen_shows() -> None:
    vm = WinsViewModel(CARDS, PACK.path)
    assert vm.property("running")
    vm.screen_changed("attract", "sign")
    assert not vm.property("running")
    vm.screen_changed("sign", "attract")
    assert vm.property("running")


# --- nothing clipped, at either size -----------------------------------------------------------------------------


def _assert_text_fits(item: Any, box: Any, label: str) -> None:
    from PySide6.QtCore import QPointF

    assert not item.property("truncated"), f"{label}: truncated"
    assert item.property("contentHeight") <= item.height() + 0.5, (
        f"{label}: text {item.property('contentHeight'):.1f} px tall in a {item.height():.1f} px box"
    )
    assert item.property("contentWidth") <= item.width() + 0.5, f"{label}: text wider than its box"
    top_left = item.mapToItem(box, QPointF(0, 0))
    assert top_left.x() >= -0.5 and top_left.y() >= -0.5, f"{label}: starts outside its card"
    assert top_left.x() + item.width() <= box.width() + 0.5, f"{label}: runs off the card's right edge"
    assert top_left.y() + item.height() <= box.height() + 0.5, f"{label}: runs off the card's bottom"


def test_every_cards_text_fits_its_box(kiosk_at: KioskHarness) -> None:
    from PySide6.QtCore import QPointF

    k = kiosk_at
    vm = _wins(k)
    view = _list(k)
    button = k.find("winsTimelineButton")
    assert button.mapToScene(QPointF(0, button.height())).y() <= k.window.height(), "buttons run off the screen"
    body_sizes = set()
    for index, card in enumerate(CARDS):
        vm.showCard(index)
        item = _wait_shown(k, index)
        assert item.height() >= 120 and item.width() == view.width()
        for name in CARD_TEXTS:
            text = _named(item, name)[0]
            _assert_text_fits(text, item, f"{card.id} {name}")
        body = _named(item, "winCardBody")[0]
        assert body.property("text") == card.body
        body_px = body.property("fontInfo").property("pixelSize").toInt()
        assert body_px >= 13, f"{card.id}: body shrunk to {body_px} px to fit; too small to read"
        body_sizes.add(body_px)
    assert len(body_sizes) == 1, f"cards change size as they turn: {sorted(body_sizes)} px"


def test_every_cards_details_fit_the_screen(kiosk_at: KioskHarness) -> None:
    from PySide6.QtCore import QPointF

    k = kiosk_at
    vm = _wins(k)
    for index, card in enumerate(CARDS):
        vm.openDetail(index)
        detail = k.find("winDetail")
        k.qtbot.waitUntil(lambda title=card.title: k.text_of("winDetailTitle") == title, timeout=3000)
        k.qtbot.wait(20)
        top_left = detail.mapToScene(QPointF(0, 0))
        assert top_left.y() >= 0 and top_left.y() + detail.height() <= k.window.height(), card.id
        assert detail.property("implicitHeight") <= detail.height() + 0.5, f"{card.id}: details taller than the popup"
        for name in ("winDetailDate", "winDetailTitle", "winDetailBody", "winDetailSource", "winDetailUrl"):
            _assert_text_fits(k.find(name), detail, f"{card.id} {name}")
        vm.closeDetail()
        k.qtbot.waitUntil(lambda: not k.exists("winDetail"), timeout=3000)


def test_small_screen_keeps_the_whole_attract_screen_on_glass(kiosk_small: KioskHarness) -> None:
    from PySide6.QtCore import QPointF

    k = kiosk_small
    carousel = k.find("winsCarousel")
    bottom = carousel.mapToScene(QPointF(0, carousel.height())).y()
    assert bottom <= k.window.height()
    _wait_shown(k, 0)
