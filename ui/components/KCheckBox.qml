import QtQuick
import QtQuick.Controls as QQC2

// A large, wrapping check box for consent statements.
QQC2.CheckBox {
    id: root

    font.pixelSize: Theme.fontBody
    font.family: Theme.fontFamily
    implicitHeight: Math.max(Theme.minTouch, contentItem.implicitHeight + 16)
    Accessible.name: text
    spacing: Theme.spacing

    indicator: Rectangle {
        implicitWidth: Math.max(40, Math.round(44 * Theme.scale))
        implicitHeight: implicitWidth
        x: root.leftPadding
        y: (root.height - height) / 2
        radius: 6
        color: root.checked ? Theme.secondary : Theme.surface
        border.color: root.checked ? Theme.secondary : Theme.inkMuted
        border.width: 2
        Text {
            anchors.centerIn: parent
            text: "✓"
            visible: root.checked
            color: Theme.secondaryInk
            font.pixelSize: parent.height * 0.7
            font.family: Theme.fontFamily
        }
    }
    contentItem: Text {
        text: root.text
        font: root.font
        color: Theme.ink
        wrapMode: Text.WordWrap
        verticalAlignment: Text.AlignVCenter
        leftPadding: root.indicator.width + root.spacing
    }
}
