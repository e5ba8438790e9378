import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2

// Title of a step with "step n of m".
ColumnLayout {
    id: root

    property string title
    property int step: 1
    property int steps: 1

    spacing: Math.round(4 * Theme.scale)

    QQC2.Label {
        text: qsTr("Step %1 of %2").arg(root.step).arg(root.steps)
        visible: root.steps > 1
        font.pixelSize: Theme.fontSmall
        font.family: Theme.fontFamily
        color: Theme.inkMuted
    }
    QQC2.Label {
        text: root.title
        font.pixelSize: Theme.fontTitle
        font.family: Theme.fontFamily
        font.bold: true
        color: Theme.ink
        wrapMode: Text.WordWrap
        Layout.fillWidth: true
    }
}
