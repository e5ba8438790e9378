import QtQuick
import QtQuick.Controls as QQC2

// A large touch button. `kind`: "primary", "secondary" or "plain".
QQC2.Button {
    id: root

    property string kind: "primary"

    implicitHeight: Math.max(Theme.minTouch, Math.round(64 * Theme.scale))
    implicitWidth: Math.max(implicitHeight * 2, contentItem.implicitWidth + 2 * Theme.margin)
    font.pixelSize: Theme.fontLarge
    font.family: Theme.fontFamily
    font.bold: true
    focusPolicy: Qt.StrongFocus
    Accessible.name: text

    contentItem: Text {
        text: root.text
        font: root.font
        color: root.kind === "plain" ? Theme.ink : (root.kind === "primary" ? Theme.primaryInk : Theme.secondaryInk)
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        wrapMode: Text.WordWrap
        opacity: root.enabled ? 1.0 : 0.6
    }
    background: Rectangle {
        radius: Theme.radius
        color: root.kind === "plain" ? Theme.surface : (root.kind === "primary" ? Theme.primary : Theme.secondary)
        border.color: root.kind === "plain" ? Theme.divider : "transparent"
        border.width: 2
        opacity: root.enabled ? (root.down ? 0.8 : 1.0) : 0.45
    }
}
