"""The wins carousel on the attract screen: the cards as a list model, and the carousel's state and timers.

QML only lays the cards out and forwards touches; which card shows, when it advances, when it pauses and which
card's details are open is decided here, so tests can drive it without waiting on QML timers.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path
from typing import Any
from urllib.parse import quote

from PySide6.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QTimer,
    Signal,
    Slot,
    qVersion,
)
from PySide6.QtQml import QmlElement, QmlUncreatable

from kiosk.bridge import QML_IMPORT_MAJOR_VERSION, QML_IMPORT_NAME  # noqa: F401  (read by QmlElement)
from kiosk.bridge.listmodels import DISPLAY_ROLE, USER_ROLE
from kiosk.resources import fonts_dir, ui_dir
from kiosk.wins import WinCard
from kiosk.wins_fit import FitMemory, layout_signature

ADVANCE_MS = 8000
TOUCH_PAUSE_MS = 30000
_ModelIndex = QModelIndex | QPersistentModelIndex


def qr_source(text: str) -> str:
    """The ``Image.source`` of a QR code for ``text`` (served by the ``qr`` image provider)."""
    return f"image://qr/{quote(text, safe='')}"


class WinRole(IntEnum):
    Id = USER_ROLE + 1
    Kind = USER_ROLE + 2
    Date = USER_ROLE + 3
    DateText = USER_ROLE + 4
    Title = USER_ROLE + 5
    Body = USER_ROLE + 6
    Source = USER_ROLE + 7
    SourceUrl = USER_ROLE + 8
    QrSource = USER_ROLE + 9
    Image = USER_ROLE + 10
    CardIndex = USER_ROLE + 11


_ROLE_NAMES = {
    WinRole.Id: b"cardId",
    WinRole.Kind: b"kind",
    WinRole.Date: b"date",
    WinRole.DateText: b"dateText",
    WinRole.Title: b"title",
    WinRole.Body: b"body",
    WinRole.Source: b"source",
    WinRole.SourceUrl: b"sourceUrl",
    WinRole.QrSource: b"qrSource",
    WinRole.Image: b"image",
    WinRole.CardIndex: b"cardIndex",
}


@QmlElement
@QmlUncreatable("WinsModel is provided by the kiosk")
class WinsModel(QAbstractListModel):
    """A read-only list of wins cards.

    Each row also carries ``cardIndex``, its position in the carousel, so a row of the timeline can open the
    same card's details.
    """

    def __init__(
        self,
        cards: Sequence[WinCard],
        pack_dir: Path,
        indices: Sequence[int] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._cards = list(cards)
        self._indices = list(indices) if indices is not None else list(range(len(self._cards)))
        self._pack_dir = pack_dir

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008  (Qt's default argument)
        return 0 if parent.isValid() else len(self._cards)

    def roleNames(self) -> dict[int, QByteArray]:
        return {int(role): QByteArray(name) for role, name in _ROLE_NAMES.items()}

    def data(self, index: _ModelIndex, role: int = DISPLAY_ROLE) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._cards) or index.column() != 0:
            return None
        card = self._cards[index.row()]
        if role == DISPLAY_ROLE:
            return card.title
        try:
            which = WinRole(role)
        except ValueError:
            return None
        match which:
            case WinRole.Id:
                return card.id
            case WinRole.Kind:
                return card.kind
            case WinRole.Date:
                return card.date
            case WinRole.DateText:
                return card.date_text
            case WinRole.Title:
                return card.title
            case WinRole.Body:
                return card.body
            case WinRole.Source:
                return card.source
            case WinRole.SourceUrl:
                return card.source_url
            case WinRole.QrSource:
                return qr_source(card.source_url) if card.source_url else ""
            case WinRole.Image:
                # A file URL, made without QUrl (whose class costs ~1.5 ms to set up before the first frame).
                return (self._pack_dir / card.image).absolute().as_uri() if card.image else ""
            case WinRole.CardIndex:
                return self._indices[index.row()]

    def card(self, row: int) -> WinCard:
        return self._cards[row]


@QmlElement
@QmlUncreatable("WinsViewModel is provided by the kiosk")
class WinsViewModel(QObject):
    """The carousel's state: which card shows, auto-advance, the pause after a touch, details and timeline.

    Auto-advance runs only while the attract screen shows and nothing is open over it.

    Signals:
        currentIndexChanged: another card should show.
        pausedChanged: auto-advance stopped after a touch, or started again.
        intervalsChanged: the advance or pause interval changed (tests shorten them).
        detailChanged: a card's details opened or closed.
        timelineOpenChanged: the timeline opened or closed.
        latePartsChanged: the first frame is on screen; the carousel may build what that frame does not show.
    """

    currentIndexChanged = Signal()
    pausedChanged = Signal()
    intervalsChanged = Signal()
    detailChanged = Signal()
    timelineOpenChanged = Signal()
    latePartsChanged = Signal()

    def __init__(
        self,
        cards: Sequence[WinCard],
        pack_dir: Path,
        parent: QObject | None = None,
        *,
        fit_file: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self._cards = list(cards)
        self._late_parts = False
        files = [ui_dir() / "components" / "WinCardDelegate.qml", *sorted(fonts_dir().glob("*.ttf"))]
        self._fits = FitMemory(fit_file, layout_signature(self._cards, files, qVersion()))
        self._model = WinsModel(self._cards, pack_dir, parent=self)
        wins = sorted(
            (i for i, card in enumerate(self._cards) if card.kind == "win"),
            key=lambda i: self._cards[i].sort_key,
        )
        self._timeline = WinsModel([self._cards[i] for i in wins], pack_dir, indices=wins, parent=self)
        self._current = 0
        self._detail = -1
        self._timeline_open = False
        self._on_attract = True
        self._paused = False
        self._advance = QTimer(self)
        self._advance.setInterval(ADVANCE_MS)
        self._advance.timeout.connect(self._auto_advance)
        self._resume = QTimer(self)
        self._resume.setSingleShot(True)
        self._resume.setInterval(TOUCH_PAUSE_MS)
        self._resume.timeout.connect(self._end_pause)
        self._update_timer()

    # --- wiring to the kiosk -----------------------------------------------------------------------------------

    def screen_changed(self, old: str, new: str) -> None:
        """Run only on the attract screen; leaving it closes whatever a passer-by opened."""
        self._on_attract = new == "attract"
        if not self._on_attract:
            self.reset()
        self._update_timer()

    def build_late_parts(self) -> None:
        """The first frame is on screen (or something needs more than it): build the popups and measure the cards."""
        if not self._late_parts:
            self._late_parts = True
            self.latePartsChanged.emit()

    def reset(self) -> None:
        """Back to the first card with nothing open: the next passer-by starts from the beginning."""
        self._set_detail(-1)
        self._set_timeline_open(False)
        self._resume.stop()
        self._set_paused(False)
        self._set_current(0)
        self._update_timer()

    # --- properties --------------------------------------------------------------------------------------------

    def _get_cards(self) -> WinsModel:
        return self._model

    def _get_timeline(self) -> WinsModel:
        return self._timeline

    def _get_count(self) -> int:
        return len(self._cards)

    def _get_current(self) -> int:
        return self._current

    def _get_paused(self) -> bool:
        return self._paused

    def _get_running(self) -> bool:
        return self._advance.isActive()

    def _get_advance_ms(self) -> int:
        return self._advance.interval()

    def _set_advance_ms(self, ms: int) -> None:
        if ms > 0 and ms != self._advance.interval():
            self._advance.setInterval(ms)
            self.intervalsChanged.emit()

    def _get_pause_ms(self) -> int:
        return self._resume.interval()

    def _set_pause_ms(self, ms: int) -> None:
        if ms > 0 and ms != self._resume.interval():
            self._resume.setInterval(ms)
            self.intervalsChanged.emit()

    def _get_detail_index(self) -> int:
        return self._detail

    def _get_timeline_open(self) -> bool:
        return self._timeline_open

    def _get_late_parts(self) -> bool:
        return self._late_parts

    def _detail_card(self) -> WinCard | None:
        return self._cards[self._detail] if 0 <= self._detail < len(self._cards) else None

    def _detail_field(self, name: str) -> str:
        card = self._detail_card()
        return "" if card is None else str(getattr(card, name))

    def _get_detail_title(self) -> str:
        return self._detail_field("title")

    def _get_detail_body(self) -> str:
        return self._detail_field("body")

    def _get_detail_date(self) -> str:
        return self._detail_field("date_text")

    def _get_detail_source(self) -> str:
        return self._detail_field("source")

    def _get_detail_kind(self) -> str:
        return self._detail_field("kind")

    def _get_detail_url(self) -> str:
        return self._detail_field("source_url")

    def _get_detail_qr(self) -> str:
        url = self._detail_field("source_url")
        return qr_source(url) if url else ""

    def _get_detail_image(self) -> str:
        if self._detail < 0:
            return ""
        return str(self._model.data(self._model.index(self._detail, 0), WinRole.Image))

    cards = Property(QObject, _get_cards, constant=True)
    timeline = Property(QObject, _get_timeline, constant=True)
    count = Property(int, _get_count, constant=True)
    currentIndex = Property(int, _get_current, notify=currentIndexChanged)
    paused = Property(bool, _get_paused, notify=pausedChanged)
    running = Property(bool, _get_running, notify=pausedChanged)
    advanceIntervalMs = Property(int, _get_advance_ms, _set_advance_ms, notify=intervalsChanged)
    touchPauseMs = Property(int, _get_pause_ms, _set_pause_ms, notify=intervalsChanged)
    detailIndex = Property(int, _get_detail_index, notify=detailChanged)
    detailTitle = Property(str, _get_detail_title, notify=detailChanged)
    detailBody = Property(str, _get_detail_body, notify=detailChanged)
    detailDateText = Property(str, _get_detail_date, notify=detailChanged)
    detailSource = Property(str, _get_detail_source, notify=detailChanged)
    detailKind = Property(str, _get_detail_kind, notify=detailChanged)
    detailSourceUrl = Property(str, _get_detail_url, notify=detailChanged)
    detailQrSource = Property(str, _get_detail_qr, notify=detailChanged)
    detailImage = Property(str, _get_detail_image, notify=detailChanged)
    timelineOpen = Property(bool, _get_timeline_open, notify=timelineOpenChanged)
    lateParts = Property(bool, _get_late_parts, notify=latePartsChanged)

    # --- the cards' fitted body size, kept between starts (kiosk/wins_fit.py) ------------------------------------

    @Slot(str, result=float)
    def rememberedBodySize(self, layout: str) -> float:
        """The body size measured for this layout at an earlier start (0 when there is none)."""
        return self._fits.get(layout)

    @Slot(str, float)
    def rememberBodySize(self, layout: str, size: float) -> None:
        """The carousel measured ``size`` for this layout: keep it for the next start."""
        self._fits.put(layout, size)

    # --- user actions (each one touch on screen) ---------------------------------------------------------------

    @Slot()
    def touched(self) -> None:
        """Someone touched the carousel: hold the current card for the pause interval."""
        self._set_paused(True)
        self._resume.start()
        self._update_timer()

    @Slot(int)
    def showCard(self, index: int) -> None:
        """The person swiped (or tapped a dot or arrow) to ``index``."""
        if self._cards:
            self._set_current(index % len(self._cards))
        self.touched()

    @Slot()
    def next(self) -> None:
        self.showCard(self._current + 1)

    @Slot()
    def previous(self) -> None:
        self.showCard(self._current - 1)

    @Slot(int)
    def openDetail(self, index: int) -> None:
        if 0 <= index < len(self._cards):
            self._set_detail(index)
        self.touched()

    @Slot()
    def closeDetail(self) -> None:
        self._set_detail(-1)
        self.touched()

    @Slot()
    def openTimeline(self) -> None:
        self._set_timeline_open(True)
        self.touched()

    @Slot()
    def closeTimeline(self) -> None:
        self._set_detail(-1)
        self._set_timeline_open(False)
        self.touched()

    # --- timers ------------------------------------------------------------------------------------------------

    def _auto_advance(self) -> None:
        if self._cards:
            self._set_current((self._current + 1) % len(self._cards))

    def _end_pause(self) -> None:
        self._set_paused(False)
        self._update_timer()

    def _update_timer(self) -> None:
        should_run = (
            self._on_attract
            and not self._paused
            and self._detail < 0
            and not self._timeline_open
            and len(self._cards) > 1
        )
        if should_run and not self._advance.isActive():
            self._advance.start()
            self.pausedChanged.emit()
        elif not should_run and self._advance.isActive():
            self._advance.stop()
            self.pausedChanged.emit()

    # --- setters that notify only on change ----------------------------------------------------------------

    def _set_current(self, index: int) -> None:
        if index != self._current:
            self._current = index
            self.currentIndexChanged.emit()

    def _set_paused(self, paused: bool) -> None:
        if paused != self._paused:
            self._paused = paused
            self.pausedChanged.emit()

    def _set_detail(self, index: int) -> None:
        if index != self._detail:
            self._detail = index
            self.detailChanged.emit()
            self._update_timer()

    def _set_timeline_open(self, is_open: bool) -> None:
        if is_open != self._timeline_open:
            self._timeline_open = is_open
            self.timelineOpenChanged.emit()
            self._update_timer()
