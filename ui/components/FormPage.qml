import QtQuick
import QtQuick.Controls as QQC2

// A vertically scrolling page that keeps the focused field in view when the on-screen keyboard takes space.
QQC2.ScrollView {
    id: root

    default property alias formContent: column.data

    contentWidth: availableWidth
    clip: true
    // A bar that stays visible whenever there is more below (or above): on a small screen, people must see that
    // the page scrolls, or they never reach the last tick box.
    QQC2.ScrollBar.vertical.policy: column.height > root.availableHeight ? QQC2.ScrollBar.AlwaysOn
                                                                          : QQC2.ScrollBar.AsNeeded
    // The bar is drawn over the content; keep the fields clear of it so their right edge stays visible.
    rightPadding: QQC2.ScrollBar.vertical.visible ? QQC2.ScrollBar.vertical.width + Theme.spacing / 2 : 0

    function ensureVisible(item: Item): void {
        if (!item || !column.contains(column.mapFromItem(item, 0, 0)))
            return
        const flick = root.contentItem as Flickable
        const top = item.mapToItem(column, 0, 0).y - Theme.spacing
        const bottom = top + item.height + 3 * Theme.spacing
        if (top < flick.contentY)
            flick.contentY = Math.max(0, top)
        else if (bottom > flick.contentY + flick.height)
            flick.contentY = Math.min(Math.max(0, column.height - flick.height), bottom - flick.height)
    }

    Connections {
        target: root.Window.window
        function onActiveFocusItemChanged(): void {
            const item = root.Window.activeFocusItem
            if (item && root.visible)
                Qt.callLater(root.ensureVisible, item)
        }
    }

    Column {
        id: column
        width: root.availableWidth
        spacing: Theme.spacing
    }
}
