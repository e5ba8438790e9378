"""The organiser dashboard: counts, the day by hour, funnel, pledge totals, sync and storage state (no personal data).

Figures come from :func:`kiosk.dashboard.collect_stats`, computed on the thread pool and refreshed every few seconds
while the dashboard is shown, and whenever a signature is saved.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtQml import QmlElement, QmlUncreatable

from kiosk.amounts import format_money
from kiosk.bridge import QML_IMPORT_MAJOR_VERSION, QML_IMPORT_NAME  # noqa: F401  (read by QmlElement)
from kiosk.bridge.background import run_in_background
from kiosk.bridge.controller import KioskController

if TYPE_CHECKING:
    from kiosk.dashboard import DashboardStats, HourBar

log = logging.getLogger(__name__)

REFRESH_MS = 3000
# Below this much free space the dashboard warns: a full disk is the one thing that stops the kiosk saving.
LOW_DISK_BYTES = 500_000_000

_Index = QModelIndex | QPersistentModelIndex


class HourlyBarsModel(QAbstractListModel):
    """Today's hours for the bar chart: label, signatures, pledges, total and the bar's share of the tallest."""

    class Role(IntEnum):
        Label = Qt.ItemDataRole.UserRole + 1
        Signatures = Qt.ItemDataRole.UserRole + 2
        Pledges = Qt.ItemDataRole.UserRole + 3
        Total = Qt.ItemDataRole.UserRole + 4
        Share = Qt.ItemDataRole.UserRole + 5

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bars: list[HourBar] = []
        self._tallest = 0

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._bars)

    def roleNames(self) -> dict[int, QByteArray]:
        return {role.value: QByteArray((role.name[0].lower() + role.name[1:]).encode()) for role in self.Role}

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._bars):
            return None
        bar = self._bars[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, self.Role.Label):
            return bar.label
        if role == self.Role.Signatures:
            return bar.signatures
        if role == self.Role.Pledges:
            return bar.pledges
        if role == self.Role.Total:
            return bar.total
        if role == self.Role.Share:
            return bar.total / self._tallest if self._tallest else 0.0
        return None

    @property
    def tallest(self) -> int:
        return self._tallest

    def set_bars(self, bars: Sequence[HourBar]) -> None:
        """Show new figures: changed rows are updated in place; rows are added or removed at the front only as the
        day's first active hour changes and at the end as the clock moves on."""
        new = list(bars)
        self._tallest = max((bar.total for bar in new), default=0)
        old_labels = [bar.start for bar in self._bars]
        new_labels = [bar.start for bar in new]
        if old_labels == new_labels:
            self._bars = new
            if new:
                self.dataChanged.emit(self.index(0), self.index(len(new) - 1), list(self.Role))
            return
        self.beginResetModel()
        self._bars = new
        self.endResetModel()


@QmlElement
@QmlUncreatable("DashboardViewModel is provided by the kiosk")
class DashboardViewModel(QObject):
    """Signals:
    statsChanged: new figures arrived.
    liveChanged: the dashboard started or stopped refreshing itself.
    """

    statsChanged = Signal()
    liveChanged = Signal()

    def __init__(self, controller: KioskController, exports: QObject | None = None) -> None:
        super().__init__(controller)
        self._controller = controller
        self._exports = exports
        self._stats: DashboardStats | None = None
        self._hours = HourlyBarsModel(self)
        self._live = False
        self._running = False
        self._again = False
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        controller.tallyChanged.connect(self._saved)
        controller.add_screen_listener(self._screen_changed)

    # --- refreshing ----------------------------------------------------------------------------------------------

    def _runtime(self) -> Any:
        from kiosk.runtime import KioskRuntime

        runtime = self._controller.runtime
        return runtime if isinstance(runtime, KioskRuntime) and runtime.vault is not None else None

    @Slot()
    def refresh(self) -> None:
        """Recompute every figure off the UI thread (one refresh at a time; a request meanwhile runs after it)."""
        runtime = self._runtime()
        if runtime is None:
            return
        if self._running:
            self._again = True
            return
        from kiosk.dashboard import collect_stats

        self._running = True
        run_in_background(lambda: collect_stats(runtime), self._arrived, self._failed)

    def _arrived(self, stats: DashboardStats) -> None:
        self._running = False
        self._stats = stats
        self._hours.set_bars(stats.hours)
        self.statsChanged.emit()
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self._running = False
        self._again = False
        log.error("dashboard figures could not be read: %s", exc)

    def _saved(self) -> None:
        if self._live:
            self.refresh()

    def vault_changed(self, _unlocked: bool) -> None:
        """The organiser locked or unlocked the vault: show it at once rather than at the next tick."""
        self._saved()

    def _screen_changed(self, old: str, new: str) -> None:
        if old == "organiser" and new != "organiser":
            self._set_live(False)

    def _get_live(self) -> bool:
        return self._live

    def _set_live(self, live: bool) -> None:
        if live == self._live:
            return
        self._live = live
        if live:
            self._timer.start()
            self.refresh()
        else:
            self._timer.stop()
        self.liveChanged.emit()

    #: True while the dashboard is on screen: it then refreshes itself every few seconds.
    live = Property(bool, _get_live, _set_live, notify=liveChanged)

    @property
    def refreshing(self) -> bool:
        return self._running

    # --- figures -------------------------------------------------------------------------------------------------

    def _figure(self, read: Any, default: Any = 0) -> Any:
        return default if self._stats is None else read(self._stats)

    def _get_loaded(self) -> bool:
        return self._stats is not None

    def _get_event(self) -> str:
        return str(self._figure(lambda s: s.event_id, ""))

    def _get_signatures_today(self) -> int:
        return int(self._figure(lambda s: s.signatures_today))

    def _get_signatures_event(self) -> int:
        return int(self._figure(lambda s: s.signatures_event))

    def _get_signatures_all(self) -> int:
        return int(self._figure(lambda s: s.signatures_all))

    def _get_pledges_today(self) -> int:
        return int(self._figure(lambda s: s.pledges_today))

    def _get_pledges_event(self) -> int:
        return int(self._figure(lambda s: s.pledges_event))

    def _get_pledges_all(self) -> int:
        return int(self._figure(lambda s: s.pledges_all))

    def _get_funnel_attract(self) -> int:
        return int(self._figure(lambda s: s.funnel.attract))

    def _get_funnel_started(self) -> int:
        return int(self._figure(lambda s: s.funnel.started))

    def _get_funnel_completed(self) -> int:
        return int(self._figure(lambda s: s.funnel.completed))

    def _get_funnel_abandoned(self) -> int:
        return int(self._figure(lambda s: s.funnel.abandoned))

    def _get_one_off_total(self) -> str:
        return str(self._figure(lambda s: format_money(s.pledges.one_off_pence, s.pledges.currency), "£0"))

    def _get_monthly_total(self) -> str:
        return str(self._figure(lambda s: format_money(s.pledges.monthly_pence, s.pledges.currency), "£0"))

    def _get_one_off_count(self) -> int:
        return int(self._figure(lambda s: s.pledges.one_off_count))

    def _get_monthly_count(self) -> int:
        return int(self._figure(lambda s: s.pledges.monthly_count))

    def _get_gift_aid_count(self) -> int:
        return int(self._figure(lambda s: s.pledges.gift_aid_count))

    def _get_sync_pending(self) -> int:
        return int(self._figure(lambda s: s.sync_states["pending"] + s.sync_states["sending"]))

    def _get_sync_synced(self) -> int:
        return int(self._figure(lambda s: s.sync_states["synced"]))

    def _get_sync_rejected(self) -> int:
        return int(self._figure(lambda s: s.sync_states["rejected"]))

    def _get_free_disk(self) -> str:
        from kiosk.dashboard import format_bytes

        return str(self._figure(lambda s: format_bytes(s.free_disk_bytes), ""))

    def _get_disk_low(self) -> bool:
        return bool(self._figure(lambda s: s.free_disk_bytes < LOW_DISK_BYTES, False))

    def _get_vault_unlocked(self) -> bool:
        return bool(self._figure(lambda s: s.vault_unlocked, False))

    def _get_updated_at(self) -> str:
        return str(self._figure(lambda s: s.taken_at.astimezone().strftime("%H:%M:%S"), ""))

    def _get_tallest_hour(self) -> int:
        return self._hours.tallest

    def _get_hours(self) -> HourlyBarsModel:
        return self._hours

    def _get_exports(self) -> QObject | None:
        return self._exports

    loaded = Property(bool, _get_loaded, notify=statsChanged)
    eventName = Property(str, _get_event, notify=statsChanged)
    signaturesToday = Property(int, _get_signatures_today, notify=statsChanged)
    signaturesEvent = Property(int, _get_signatures_event, notify=statsChanged)
    signaturesAll = Property(int, _get_signatures_all, notify=statsChanged)
    pledgesToday = Property(int, _get_pledges_today, notify=statsChanged)
    pledgesEvent = Property(int, _get_pledges_event, notify=statsChanged)
    pledgesAll = Property(int, _get_pledges_all, notify=statsChanged)
    funnelAttract = Property(int, _get_funnel_attract, notify=statsChanged)
    funnelStarted = Property(int, _get_funnel_started, notify=statsChanged)
    funnelCompleted = Property(int, _get_funnel_completed, notify=statsChanged)
    funnelAbandoned = Property(int, _get_funnel_abandoned, notify=statsChanged)
    oneOffTotal = Property(str, _get_one_off_total, notify=statsChanged)
    monthlyTotal = Property(str, _get_monthly_total, notify=statsChanged)
    oneOffCount = Property(int, _get_one_off_count, notify=statsChanged)
    monthlyCount = Property(int, _get_monthly_count, notify=statsChanged)
    giftAidCount = Property(int, _get_gift_aid_count, notify=statsChanged)
    syncPending = Property(int, _get_sync_pending, notify=statsChanged)
    syncSynced = Property(int, _get_sync_synced, notify=statsChanged)
    syncRejected = Property(int, _get_sync_rejected, notify=statsChanged)
    freeDisk = Property(str, _get_free_disk, notify=statsChanged)
    diskLow = Property(bool, _get_disk_low, notify=statsChanged)
    vaultUnlocked = Property(bool, _get_vault_unlocked, notify=statsChanged)
    updatedAt = Property(str, _get_updated_at, notify=statsChanged)
    tallestHour = Property(int, _get_tallest_hour, notify=statsChanged)
    hours = Property(QObject, _get_hours, constant=True)
    #: The export, import, backup and reconciliation tools (kiosk/bridge/exports.py), for the export panel.
    exports = Property(QObject, _get_exports, constant=True)
