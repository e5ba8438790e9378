"""Small read-only list models for QML, built from lists of dicts with fixed keys."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QPersistentModelIndex

_Index = QModelIndex | QPersistentModelIndex

# Qt.ItemDataRole.DisplayRole and .UserRole, spelled out: importing PySide's Qt namespace costs ~13 ms, and the attract
# screen's models would pay it before the first frame (tests/test_startup_imports.py checks both against Qt's).
DISPLAY_ROLE = 0
USER_ROLE = 0x0100


class RowsModel(QAbstractListModel):
    """A list of dicts exposed with one role per key (roles are the keys, in the order given)."""

    def __init__(self, keys: tuple[str, ...], parent: Any = None) -> None:
        super().__init__(parent)
        self._keys = keys
        self._rows: list[dict[str, Any]] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = DISPLAY_ROLE) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        offset = role - USER_ROLE - 1
        if role == DISPLAY_ROLE:
            offset = 0
        if not 0 <= offset < len(self._keys):
            return None
        return self._rows[index.row()].get(self._keys[offset])

    def roleNames(self) -> dict[int, QByteArray]:
        return {USER_ROLE + 1 + i: QByteArray(key.encode()) for i, key in enumerate(self._keys)}

    def replace(self, rows: list[dict[str, Any]]) -> None:
        """Swap in new rows (a reset: these lists are short and change as a whole)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[dict[str, Any]]:
        return list(self._rows)
