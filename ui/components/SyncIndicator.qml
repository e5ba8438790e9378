pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls as QQC2
import Kiosk

// A small sync status for the attract screen: "All synced", "12 waiting", "Offline", "Locked", "Sync off".
QQC2.Label {
    id: root

    required property SyncViewModel sync

    readonly property color dotColor: {
        switch (root.sync.statusKind) {
        case "synced": return Theme.success
        case "attention": return Theme.error
        case "offline":
        case "locked": return Theme.accent
        default: return Theme.inkMuted
        }
    }

    objectName: "syncIndicator"
    text: root.sync.statusText
    Accessible.name: qsTr("Sync status: %1").arg(root.text)
    font.pixelSize: Theme.fontSmall
    color: Theme.inkMuted
    leftPadding: dot.width + Math.round(6 * Theme.scale)
    verticalAlignment: Text.AlignVCenter
    elide: Text.ElideRight

    Rectangle {
        id: dot
        width: Math.round(10 * Theme.scale) + 2
        height: width
        radius: width / 2
        color: root.dotColor
        anchors.verticalCenter: parent.verticalCenter
    }
}
